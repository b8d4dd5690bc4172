/* src/bench-flops.c: peak rate per precision and instruction, 1 thread and all
 * cores (and one core of each kind on hybrid machines), next to the
 * theoretical peak = cores x measured clock x ops/cycle from configs/uarch.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "config.h"
#include "flops.h"
#include "json.h"
#include "probes.h"
#include "timer.h"

void bench_flops_defaults(struct ev_ctx *c, int quick, struct ev_flops_opts *o)
{
	memset(o, 0, sizeof *o);
	o->quick = quick;
	o->threads[o->nthr++] = 1;
	if (c->topo.cores > 1)
		o->threads[o->nthr++] = c->topo.cores;
	o->prec_mask = (1u << EV_PREC__COUNT) - 1;
}

static int measure(struct ev_ctx *c, struct ev_pool *pool, int k, int T, int kind, int quick,
		   struct ev_flops_result *r, struct ev_measurement *m)
{
	struct ev_job j = {.probe = &ev_probe_flops, .cpu = &c->cpu, .kernel = k,
			   .nthreads = T};
	struct ev_measure_opts mo = {
		.min_sample_s = quick ? 0.002 : 0.005,
		.max_time_s = quick ? 0.06 : 0.4,
		.min_reps = quick ? 5 : 9,
		.max_reps = EV_BW_MAX_SAMPLES,
		.stable_rel = 0.002,
		.stop = c->stop,
	};
	struct ev_flops_entry *en;
	int prec = flops_table[k].prec, rc;
	int use = prec == EV_PREC_FP32 ? EV_CNT_USE_FP32 :
		  prec == EV_PREC_FP64 ? EV_CNT_USE_FP64 : EV_CNT_USE_BASIC;
	if (r->nentries >= EV_FLOPS_MAX_ENTRIES)
		return EV_OK;
	r->cnt_plan[use] = *ctx_counters(c, use);
	mo.counters = &r->cnt_plan[use];
	if ((rc = driver_measure(pool, &j, &mo, m, &c->err)))
		return rc;
	en = &r->e[r->nentries++];
	memset(en, 0, sizeof *en);
	en->kernel = k;
	en->threads = T;
	en->core_kind = kind;
	en->status = m->status == EV_ERR_INTERRUPTED ? EV_OK : m->status;
	snprintf(en->reason, sizeof en->reason, "%s", m->reason);
	en->iters = m->iters;
	en->ops_per_rep = m->per_rep.ops;
	en->cnt_use = use;
	en->cnt = m->cnt;
	for (int i = 0; i < m->nsamples && en->nsamples < EV_BW_MAX_SAMPLES; i++)
		en->t_s[en->nsamples++] = m->t_s[i];
	if (en->nsamples) {
		double v[EV_BW_MAX_SAMPLES];
		for (int i = 0; i < en->nsamples; i++)
			v[i] = en->ops_per_rep / en->t_s[i];
		stats_compute(v, (size_t)en->nsamples, 1, &en->rate);
	} else if (m->status == EV_ERR_INTERRUPTED) {
		r->nentries--;
	}
	if (m->status == EV_ERR_INTERRUPTED || (c->stop && *c->stop))
		r->interrupted = 1;
	return EV_OK;
}

void bench_flops_peaks(struct ev_ctx *c, const struct ev_flops_opts *o, struct ev_flops_result *r)
{
	for (int ti = 0; ti < o->nthr; ti++) {
		int T = o->threads[ti];
		for (int p = 0; p < EV_PREC__COUNT; p++) {
			struct ev_flops_peak *pk;
			int best = -1;
			for (int i = 0; i < r->nentries; i++) {
				const struct ev_flops_entry *en = &r->e[i];
				if (en->threads != T || en->core_kind >= 0 || en->status != EV_OK ||
				    !en->nsamples || flops_table[en->kernel].prec != p)
					continue;
				if (best < 0 || en->rate.median > r->e[best].rate.median)
					best = i;
			}
			if (best < 0)
				continue;
			pk = &r->peaks[r->npeaks++];
			memset(pk, 0, sizeof *pk);
			pk->prec = p;
			pk->threads = T;
			pk->entry = best;
			if (!r->uarch_found) {
				snprintf(pk->theo_reason, sizeof pk->theo_reason,
					 "microarchitecture '%s' is not in configs/uarch.json", r->uarch);
			} else if (r->clock.status != EV_OK) {
				snprintf(pk->theo_reason, sizeof pk->theo_reason,
					 "clock not measured: %s", r->clock.reason);
			} else {
				struct ev_uarch u;
				int found = 0;
				char path[1024];
				struct ev_err e;
				uarch_lookup(config_path(path, sizeof path, "uarch.json"), r->uarch, &u,
					     &found, &e);
				if (!found || u.ops_per_cycle[p] < 0) {
					snprintf(pk->theo_reason, sizeof pk->theo_reason,
						 "%s has no %s instruction in configs/uarch.json", r->uarch,
						 ev_prec_name[p]);
				} else {
					double hz = T == 1 ? r->clock.one.median : r->clock.all.median;
					int cores = T < c->topo.cores ? T : c->topo.cores;
					pk->theoretical = cores * hz * u.ops_per_cycle[p];
					/* medians on both sides: the clock is a median too */
					pk->ratio = r->e[best].rate.median / pk->theoretical;
					pk->suspect = pk->ratio > 1.05;
				}
			}
		}
	}
}

int bench_flops(struct ev_ctx *c, const struct ev_flops_opts *o, struct ev_flops_result *r)
{
	struct ev_measurement *m;
	double t0 = timer_now();
	int rc = EV_OK, total = 0, done = 0;
	char path[1024];
	struct ev_uarch u;
	memset(r, 0, sizeof *r);
	snprintf(r->uarch, sizeof r->uarch, "%s", c->cpu.uarch);
	if ((rc = uarch_lookup(config_path(path, sizeof path, "uarch.json"), c->cpu.uarch, &u,
			       &r->uarch_found, &c->err)))
		return rc;
	if (r->uarch_found)
		snprintf(r->uarch_basis, sizeof r->uarch_basis, "%s", u.basis);
	if (o->clock) {
		r->clock = *o->clock; /* one clock per run: every reader sees the same figure */
	} else {
		ctx_progress(c, "flops: measuring the clock");
		if ((rc = bench_clock(c, o->quick, &r->clock)))
			return rc;
	}
	m = calloc(1, sizeof *m);
	if (!m)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	for (int k = 0; k < flops_count; k++)
		total += (o->prec_mask >> flops_table[k].prec) & 1;
	total *= o->nthr;
	for (int ti = 0; ti < o->nthr && !r->interrupted && !rc; ti++) {
		int T = o->threads[ti];
		struct ev_pool *pool = NULL;
		if ((rc = pool_create(&pool, &c->topo, T, &c->err)))
			break;
		for (int k = 0; k < flops_count && !r->interrupted; k++) {
			if (!((o->prec_mask >> flops_table[k].prec) & 1))
				continue;
			ctx_progress(c, "flops: %d/%d %-20s %d thr (%.0f s)", ++done, total,
				     flops_table[k].name, T, timer_now() - t0);
			if ((rc = measure(c, pool, k, T, -1, o->quick, r, m)))
				break;
		}
		pool_destroy(pool);
	}
	/* Hybrid machines: one core of each kind, with the best FP32 kernel. */
	if (!rc && c->topo.nkinds > 1 && !r->interrupted) {
		int best = -1;
		for (int i = 0; i < r->nentries; i++)
			if (flops_table[r->e[i].kernel].prec == EV_PREC_FP32 && r->e[i].status == EV_OK &&
			    r->e[i].nsamples &&
			    (best < 0 || r->e[i].rate.median > r->e[best].rate.median))
				best = i;
		for (int kind = 0; best >= 0 && kind < c->topo.nkinds && !rc; kind++) {
			struct ev_pool *pool = NULL;
			int slot = -1, kernel = r->e[best].kernel;
			for (int s = 0; s < c->topo.nplaces && slot < 0; s++)
				if (c->topo.place_kind[s] == kind)
					slot = s;
			if (slot < 0 || (rc = pool_create_at(&pool, &c->topo, 1, slot, &c->err)))
				continue;
			rc = measure(c, pool, kernel, 1, kind, o->quick, r, m);
			pool_destroy(pool);
		}
	}
	ctx_progress_done(c);
	free(m);
	r->elapsed_s = timer_now() - t0;
	if (!rc)
		bench_flops_peaks(c, o, r);
	return rc;
}

int bench_flops_prec_peak(struct ev_ctx *c, struct ev_pool *pool, int prec, double *rate,
			  char *kernel, size_t klen)
{
	struct ev_flops_result *r;
	struct ev_measurement *m;
	int rc = EV_OK, k = -1;
	char why[160];
	*rate = 0;
	if (kernel && klen)
		kernel[0] = 0;
	/* the widest kernel of the precision this CPU runs (the last of equals:
	 * the table lists older instructions first): one measurement, not all */
	for (int i = 0; i < flops_count; i++)
		if (flops_table[i].prec == prec && !flops_check_supported(i, &c->cpu, why, sizeof why) &&
		    (k < 0 || flops_lanes(i) >= flops_lanes(k)))
			k = i;
	if (k < 0)
		return EV_OK;
	r = calloc(1, sizeof *r);
	m = calloc(1, sizeof *m);
	if (!r || !m) {
		free(r);
		free(m);
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	}
	rc = measure(c, pool, k, pool_size(pool), -1, 1, r, m);
	if (rc == EV_OK && r->nentries && r->e[0].status == EV_OK && r->e[0].nsamples) {
		*rate = r->e[0].rate.median;
		if (kernel && klen)
			snprintf(kernel, klen, "%s", flops_table[k].name);
	}
	free(m);
	free(r);
	return rc;
}

cJSON *bench_flops_json(const struct ev_flops_result *r)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	json_str(o, "status", r->interrupted ? "interrupted" : "ok");
	if (r->interrupted)
		json_str(o, "reason", "interrupted by the user; the kernels measured are kept");
	json_str(o, "source", "measured");
	json_num(o, "elapsed_s", r->elapsed_s);
	json_str(o, "counting", "FMA = 2 FLOP per lane; bf16 pair dot = 4 FLOP per fp32 lane; "
				"int8 quad dot = 8 ops per s32 lane (4 multiplies + 4 adds)");
	json_str(o, "uarch", r->uarch);
	json_str(o, "uarch_basis", r->uarch_found ? r->uarch_basis : "not in configs/uarch.json");
	cJSON_AddItemToObject(o, "clock", bench_clock_json(&r->clock));
	arr = cJSON_AddArrayToObject(o, "kernels");
	for (int i = 0; i < r->nentries; i++) {
		const struct ev_flops_entry *en = &r->e[i];
		const struct flops_kernel *fk = &flops_table[en->kernel];
		cJSON *q = cJSON_CreateObject();
		json_str(q, "kernel", fk->name);
		json_str(q, "precision", ev_prec_name[fk->prec]);
		json_str(q, "instruction", fk->instr);
		json_num(q, "threads", en->threads);
		if (en->core_kind >= 0)
			json_num(q, "core_kind", en->core_kind);
		json_str(q, "status", ev_measure_status_name(en->status));
		if (en->status != EV_OK) {
			json_str(q, "reason", en->reason);
		} else {
			json_num(q, "iters", (double)en->iters);
			json_num(q, "ops_per_rep", en->ops_per_rep);
			json_num(q, "best_flop_per_s", en->rate.best);
			json_num(q, "median_flop_per_s", en->rate.median);
			json_num(q, "min_flop_per_s", en->rate.min);
			json_num(q, "spread_rel", en->rate.spread_rel);
			json_num_array(q, "samples_s", en->t_s, en->nsamples);
			cJSON_AddItemToObject(
				q, "counters",
				counters_json(&r->cnt_plan[en->cnt_use], &en->cnt, -1,
					      en->cnt_use == EV_CNT_USE_BASIC ? -1 : en->ops_per_rep,
					      "repetition"));
		}
		cJSON_AddItemToArray(arr, q);
	}
	arr = cJSON_AddArrayToObject(o, "peaks");
	for (int i = 0; i < r->npeaks; i++) {
		const struct ev_flops_peak *pk = &r->peaks[i];
		const struct ev_flops_entry *en = &r->e[pk->entry];
		cJSON *q = cJSON_CreateObject();
		json_str(q, "precision", ev_prec_name[pk->prec]);
		json_num(q, "threads", pk->threads);
		json_str(q, "kernel", flops_table[en->kernel].name);
		json_num(q, "best_flop_per_s", en->rate.best);
		json_num(q, "median_flop_per_s", en->rate.median);
		json_num(q, "spread_rel", en->rate.spread_rel);
		json_str(q, "source", "measured");
		if (pk->theoretical > 0) {
			json_num(q, "theoretical_flop_per_s", pk->theoretical);
			json_str(q, "theoretical_source",
				 "derived: cores x measured clock x configs/uarch.json");
			json_num(q, "measured_over_theoretical", pk->ratio);
			json_str(q, "status", pk->suspect ? "suspect" : "ok");
			if (pk->suspect)
				json_str(q, "reason", "measured above 105% of the theoretical peak: the "
						      "clock or the uarch table is wrong for this machine");
		} else {
			json_str(q, "status", "ok");
			json_str(q, "theoretical_reason", pk->theo_reason);
		}
		cJSON_AddItemToArray(arr, q);
	}
	return o;
}

int bench_flops_failed(const struct ev_flops_result *r)
{
	int n = r->clock.status == EV_ERR_VERIFY;
	for (int i = 0; i < r->nentries; i++)
		n += r->e[i].status == EV_ERR_VERIFY;
	return n;
}

/* Counted next to computed FLOP for each peak row, or why not. */
static void print_counters(FILE *f, const struct ev_flops_result *r)
{
	const char *why = NULL;
	int shown = 0;
	for (int i = 0; i < r->npeaks; i++) {
		const struct ev_flops_entry *en = &r->e[r->peaks[i].entry];
		const struct ev_cnt_plan *P = &r->cnt_plan[en->cnt_use];
		double fl = counters_per_rep(P, &en->cnt, EV_CNT_FLOP);
		double cyc = counters_per_rep(P, &en->cnt, EV_CNT_CYCLES);
		double ins = counters_per_rep(P, &en->cnt, EV_CNT_INSTR);
		if (!en->cnt.ok) {
			why = en->cnt.reason;
			continue;
		}
		if (!shown++)
			fprintf(f, "\nHardware counters (%s):\n", P->source);
		fprintf(f, "  %-5s %-20s %3d thr:", ev_prec_name[r->peaks[i].prec],
			flops_table[en->kernel].name, en->threads);
		counters_print_brief(f, P, &en->cnt);
		if (cyc > 0 && ins >= 0)
			fprintf(f, ", %.2f GHz",
				cyc / en->threads / (en->rate.median > 0 ? en->ops_per_rep / en->rate.median : 1) / 1e9);
		if (fl >= 0 && en->ops_per_rep > 0)
			fprintf(f, ", counted %.4g FLOP vs computed %.4g (%.2fx; %s)", fl, en->ops_per_rep,
				fl / en->ops_per_rep, P->flop_what);
		else if (P->flop_what[0])
			fprintf(f, "; FLOP: %s", P->flop_what);
		fprintf(f, "\n");
	}
	if (!shown && why)
		fprintf(f, "hardware counters: unavailable: %s\n", why);
}

void bench_flops_print(FILE *f, const struct ev_flops_result *r)
{
	fprintf(f, "Peak arithmetic rate (measured; GFLOP/s = 1e9 ops/s, INT8 in GOP/s)\n");
	if (r->clock.status == EV_OK)
		fprintf(f, "clock (measured): %.3f GHz one core, %.3f GHz per core all busy; uarch %s%s\n",
			r->clock.one.median / 1e9, r->clock.all.median / 1e9, r->uarch,
			r->uarch_found ? "" : " (not in configs/uarch.json: no theoretical peak)");
	fprintf(f, "%-20s %-5s %7s %10s %10s %8s\n", "kernel", "prec", "threads", "best", "median",
		"spread");
	for (int i = 0; i < r->nentries; i++) {
		const struct ev_flops_entry *en = &r->e[i];
		if (en->status != EV_OK)
			continue;
		fprintf(f, "%-20s %-5s %7d %10.1f %10.1f %7.1f%%%s\n", flops_table[en->kernel].name,
			ev_prec_name[flops_table[en->kernel].prec], en->threads, en->rate.best / 1e9,
			en->rate.median / 1e9, 100 * en->rate.spread_rel,
			en->core_kind >= 0 ? "  (one core of this kind)" : "");
	}
	for (int i = 0; i < r->nentries; i++)
		if (r->e[i].status == EV_ERR_VERIFY ||
		    (r->e[i].status != EV_OK && r->e[i].threads == 1))
			fprintf(f, "%-20s %s: %s\n", flops_table[r->e[i].kernel].name,
				r->e[i].status == EV_ERR_UNSUPPORTED ? "skipped" : "FAILED VERIFICATION",
				r->e[i].reason);
	fprintf(f, "\nPeaks per precision (best kernel) vs theoretical (cores x clock x ops/cycle):\n");
	fprintf(f, "%-5s %7s %-20s %10s %10s %12s %12s\n", "prec", "threads", "kernel", "best",
		"median", "theoretical", "median/theo");
	for (int i = 0; i < r->npeaks; i++) {
		const struct ev_flops_peak *pk = &r->peaks[i];
		const struct ev_flops_entry *en = &r->e[pk->entry];
		fprintf(f, "%-5s %7d %-20s %10.1f %10.1f ", ev_prec_name[pk->prec], pk->threads,
			flops_table[en->kernel].name, en->rate.best / 1e9, en->rate.median / 1e9);
		if (pk->theoretical > 0)
			fprintf(f, "%12.1f %11.1f%%%s\n", pk->theoretical / 1e9, 100 * pk->ratio,
				pk->suspect ? "  SUSPECT (>105%)" : "");
		else
			fprintf(f, "%12s  (%s)\n", "unknown", pk->theo_reason);
	}
	print_counters(f, r);
	if (r->interrupted)
		fprintf(f, "interrupted: the kernels measured so far are kept\n");
}
