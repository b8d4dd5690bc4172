/* src/bench-bw.c: the bandwidth sweep. Working sets are placed from the
 * topology (a point inside every cache level's window, one at 8x the last
 * level) plus a geometric grid (points_per_octave) to find the knees. For each
 * thread count, sizes ascend and at each size every kernel runs once, so slow
 * drift of a shared host touches all kernels alike. Level figures and plateaus
 * are computed afterwards by roofline/ from the saved points. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bw.h"
#include "json.h"
#include "probes.h"
#include "roofline.h"
#include "timer.h"
#include "units.h"

void bench_bw_defaults(struct ev_ctx *c, int quick, struct ev_bw_opts *o)
{
	memset(o, 0, sizeof *o);
	o->quick = quick;
	o->threads[o->nthr++] = 1;
	if (c->topo.cores > 1)
		o->threads[o->nthr++] = c->topo.cores;
	o->kernel_mask = (1u << BW__COUNT) - 1;
	o->points_per_octave = quick ? 1 : 3;
	o->budget_s = quick ? 16 : 100;
	o->pages = EV_PAGES_HUGE;
}

static double level_caps(const struct ev_topo *t, int threads, double *caps)
{
	for (int i = 0; i < t->ncaches; i++)
		caps[i] = (double)topo_cache_capacity(t, &t->caches[i], threads);
	return t->ncaches ? caps[t->ncaches - 1] : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Sizes for one thread count, ascending, de-duplicated within 4%. */
int bench_bw_plan_sizes(const struct ev_ctx *c, const struct ev_bw_opts *o, int threads,
			uint64_t *ws, int max)
{
	double caps[EV_MAX_CACHES], llc = level_caps(&c->topo, threads, caps), lo, hi;
	uint64_t mn, mx;
	int n = 0, m = 0;
	if (o->single_ws) {
		ws[0] = o->single_ws;
		return 1;
	}
	mn = o->min_ws ? o->min_ws : (c->topo.ncaches ? (uint64_t)(caps[0] / 4) : 16384);
	mx = o->max_ws ? o->max_ws : (llc > 0 ? (uint64_t)(8 * llc) : (256ull << 20));
	if (mn < 4096ull * (uint64_t)threads)
		mn = 4096ull * (uint64_t)threads;
	if (!o->max_ws && mx < (64ull << 20))
		mx = 64ull << 20;
	for (double s = (double)mn; s <= (double)mx * 1.0001;
	     s *= pow(2.0, 1.0 / o->points_per_octave)) {
		if (n >= max - EV_MAX_CACHES - 2)
			return -1; /* the caller names the limit */
		ws[n++] = (uint64_t)s;
	}
	if (n == 0 || ws[n - 1] < mx)
		ws[n++] = mx;
	/* A point in the middle of each level's window, so every level is measured. */
	for (int l = 0; l <= c->topo.ncaches && n < max; l++)
		if (!roof_level_window(caps, c->topo.ncaches, l, &lo, &hi)) {
			double mid = isfinite(hi) ? sqrt((lo > 0 ? lo : hi / 4) * hi) : lo * 2;
			if (mid >= (double)mn && mid <= (double)mx)
				ws[n++] = (uint64_t)mid;
		}
	qsort(ws, (size_t)n, sizeof *ws, cmp_u64);
	for (int i = 0; i < n; i++)
		if (m == 0 || (double)ws[i] > (double)ws[m - 1] * 1.04)
			ws[m++] = ws[i];
	return m;
}

static int want_kernel(const struct ev_bw_opts *o, int k, uint64_t ws, double llc)
{
	if (!(o->kernel_mask & (1u << k)))
		return 0;
	/* Non-temporal stores matter once data leaves the caches; measuring them
	 * inside L1 only shows their write-combining overhead. */
	if (bw_kernel_info[k].nt && !o->single_ws && llc > 0)
		return (double)ws >= (o->quick ? 4.0 : 0.5) * llc;
	return 1;
}

static struct ev_bw_point *new_point(struct ev_bw_result *r)
{
	if (r->npoints == r->cap) {
		int nc = r->cap ? 2 * r->cap : 256;
		struct ev_bw_point *p = realloc(r->pts, (size_t)nc * sizeof *p);
		if (!p)
			return NULL;
		r->pts = p;
		r->cap = nc;
	}
	memset(&r->pts[r->npoints], 0, sizeof r->pts[0]);
	return &r->pts[r->npoints++];
}

int bench_curve_plateaus(struct ev_ctx *c, int T, const double *ws, const double *y, int n,
			 double tol, struct ev_bw_plateau **out, int *nout)
{
	const struct ev_topo *t = &c->topo;
	double caps[EV_MAX_CACHES];
	struct roof_plateau *pl = malloc(sizeof *pl * (size_t)(n + 1));
	int np;
	if (!pl)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	level_caps(t, T, caps);
	np = roof_plateaus(ws, y, n, tol, pl, n);
	/* A lone point between two plateaus is the transition, not a level. */
	{
		int m = 0;
		for (int i = 0; i < np; i++)
			if (pl[i].last > pl[i].first || i == 0 || i == np - 1)
				pl[m++] = pl[i];
		np = m;
	}
	if (np > 0) {
		struct ev_bw_plateau *g = realloc(*out, sizeof *g * (size_t)(*nout + np));
		if (!g) {
			free(pl);
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		}
		*out = g;
	}
	for (int i = 0; i < np; i++) {
		struct ev_bw_plateau *P = &(*out)[(*nout)++];
		memset(P, 0, sizeof *P);
		P->threads = T;
		P->ws_lo = pl[i].ws_lo;
		P->ws_hi = pl[i].ws_hi;
		P->median = pl[i].bw_median;
		if (i + 1 < np && t->ncaches > 0) {
			int li;
			P->knee_bytes = roof_knee(&pl[i], &pl[i + 1]);
			li = roof_match_knee(P->knee_bytes, caps, t->ncaches, &P->ratio);
			snprintf(P->level, sizeof P->level, "L%d", t->caches[li].level);
			P->level_capacity_bytes = caps[li];
			P->agrees = P->ratio >= 0.5 && P->ratio <= 2.0;
		}
	}
	free(pl);
	return EV_OK;
}

int bench_bw_summarize(struct ev_ctx *c, struct ev_bw_result *r)
{
	const struct ev_topo *t = &c->topo;
	/* every point of one curve fits, and a curve has at most as many plateaus */
	double *ws = malloc(sizeof(double) * (size_t)(r->npoints + 1));
	double *bw = malloc(sizeof(double) * (size_t)(r->npoints + 1));
	if (!ws || !bw) {
		free(ws);
		free(bw);
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	}
	for (int ti = 0; ti < r->opts.nthr; ti++) {
		int T = r->opts.threads[ti];
		double caps[EV_MAX_CACHES];
		int n = 0;
		level_caps(t, T, caps);
		for (int k = 0; k < BW__COUNT; k++) {
			for (int l = 0; l <= t->ncaches; l++) {
				struct ev_bw_level *L;
				double lo, hi;
				if (r->nlevels >= (int)(sizeof r->levels / sizeof r->levels[0]))
					break;
				if (roof_level_window(caps, t->ncaches, l, &lo, &hi))
					continue;
				L = &r->levels[r->nlevels];
				memset(L, 0, sizeof *L);
				L->point = -1;
				for (int i = 0; i < r->npoints; i++) {
					const struct ev_bw_point *p = &r->pts[i];
					if (p->threads != T || p->kernel != k || p->status != EV_OK ||
					    p->nsamples == 0 || (double)p->ws_bytes <= lo ||
					    (double)p->ws_bytes > hi)
						continue;
					/* DRAM: the largest working set is the least cache-affected. */
					if (L->point < 0 ||
					    (l == t->ncaches ? p->ws_bytes > r->pts[L->point].ws_bytes
							     : p->bw.median > r->pts[L->point].bw.median))
						L->point = i;
				}
				if (L->point < 0)
					continue;
				if (l < t->ncaches)
					snprintf(L->name, sizeof L->name, "L%d", t->caches[l].level);
				else
					snprintf(L->name, sizeof L->name, "DRAM");
				L->threads = T;
				L->kernel = k;
				L->capacity_bytes = l < t->ncaches ? caps[l] : 0;
				L->ws_lo = lo;
				L->ws_hi = hi;
				r->nlevels++;
			}
		}
		/* Plateaus of the read curve, matched to hwloc's levels. */
		for (int i = 0; i < r->npoints; i++) {
			const struct ev_bw_point *p = &r->pts[i];
			if (p->threads == T && p->kernel == BW_READ && p->status == EV_OK &&
			    p->nsamples) {
				ws[n] = (double)p->ws_bytes;
				bw[n++] = p->bw.median;
			}
		}
		if (bench_curve_plateaus(c, T, ws, bw, n, 0.15, &r->plateaus, &r->nplateaus)) {
			free(ws);
			free(bw);
			return EV_ERR_RUNTIME;
		}
	}
	free(ws);
	free(bw);
	return EV_OK;
}

/* Keep one measurement as a point of the sweep (bytes/s per sample). */
static int add_point(struct ev_ctx *c, struct ev_bw_result *r, int k, int T, uint64_t ws,
		     const struct ev_measurement *m, const struct ev_mem_state mem[2])
{
	struct ev_bw_point *p = new_point(r);
	if (!p)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	p->kernel = k;
	p->threads = T;
	p->ws_bytes = ws;
	p->status = m->status == EV_ERR_INTERRUPTED ? EV_OK : m->status;
	snprintf(p->reason, sizeof p->reason, "%s", m->reason);
	p->iters = m->iters;
	p->bytes_per_rep = m->per_rep.bytes;
	p->bytes_wa_per_rep = m->per_rep.bytes_wa;
	p->cnt = m->cnt;
	p->mem[0] = mem[0];
	p->mem[1] = mem[1];
	for (int i = 0; i < m->nsamples && p->nsamples < EV_BW_MAX_SAMPLES; i++)
		p->t_s[p->nsamples++] = m->t_s[i];
	if (p->nsamples) {
		double bps[EV_BW_MAX_SAMPLES];
		for (int i = 0; i < p->nsamples; i++)
			bps[i] = p->bytes_per_rep / p->t_s[i];
		stats_compute(bps, (size_t)p->nsamples, 1, &p->bw);
	} else if (m->status == EV_ERR_INTERRUPTED) {
		r->npoints--; /* nothing measured */
	}
	return EV_OK;
}

int bench_bw(struct ev_ctx *c, const struct ev_bw_opts *o, struct ev_bw_result *r)
{
	const struct bw_kernel_set *ks = bw_pick_set(&c->cpu);
	double t_start = timer_now();
	int rc = EV_OK, total = 0, done = 0;
	uint64_t (*ws)[EV_BW_MAX_SIZES] = calloc(EV_BW_MAX_THREAD_COUNTS, sizeof *ws);
	int nws[EV_BW_MAX_THREAD_COUNTS];
	struct ev_measurement *m = calloc(1, sizeof *m);
	if (!m || !ws) {
		free(m);
		free(ws);
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	}
	if (o->nthr < 1 || o->nthr > EV_BW_MAX_THREAD_COUNTS) {
		free(m);
		free(ws);
		return ev_fail(&c->err, EV_ERR_USAGE, "bw: %d thread counts (1 to %d)", o->nthr,
			       EV_BW_MAX_THREAD_COUNTS);
	}
	memset(r, 0, sizeof *r);
	r->opts = *o;
	r->set = ks->target;
	r->pages = o->pages;
	r->timer_res_s = timer_resolution();
	r->cnt_plan = *ctx_counters(c, EV_CNT_USE_MEM);

	for (int ti = 0; ti < o->nthr; ti++) {
		double caps[EV_MAX_CACHES], llc = level_caps(&c->topo, o->threads[ti], caps);
		nws[ti] = bench_bw_plan_sizes(c, o, o->threads[ti], ws[ti], EV_BW_MAX_SIZES);
		if (nws[ti] < 1) {
			free(m);
			free(ws);
			return ev_fail(&c->err, EV_ERR_USAGE,
				       "bw: the sweep would need more than %d working-set sizes: lower "
				       "--points-per-octave or narrow --min-size/--max-size",
				       EV_BW_MAX_SIZES);
		}
		for (int s = 0; s < nws[ti]; s++)
			for (int k = 0; k < BW__COUNT; k++)
				total += want_kernel(o, k, ws[ti][s], llc);
		/* Refuse before allocating anything that would not fit. */
		if (ws[ti][nws[ti] - 1] > c->topo.mem_avail_bytes / 10 * 8) {
			char a[32], b[32];
			units_fmt_bytes(a, sizeof a, (double)ws[ti][nws[ti] - 1]);
			free(m);
			free(ws);
			return ev_fail(&c->err, EV_ERR_USAGE,
				       "bw: working set %s does not fit: %s available (MemAvailable), "
				       "eaves uses at most 80%%",
				       a, units_fmt_bytes(b, sizeof b, (double)c->topo.mem_avail_bytes));
		}
	}

	for (int ti = 0; ti < o->nthr && !r->interrupted; ti++) {
		int T = o->threads[ti];
		struct ev_pool *pool = NULL;
		double caps[EV_MAX_CACHES], llc = level_caps(&c->topo, T, caps);
		if ((rc = pool_create_at(&pool, &c->topo, T, o->first_slot, &c->err)))
			break;
		for (int s = 0; s < nws[ti] && !r->interrupted; s++) {
			for (int k = 0; k < BW__COUNT && !r->interrupted; k++) {
				struct ev_job j = {.probe = &ev_probe_bw, .cpu = &c->cpu, .kernel = k,
						   .nthreads = T, .ws_bytes = ws[ti][s],
						   .pages = o->pages};
				struct ev_measure_opts mo = {
					.min_sample_s = o->quick ? 0.001 : 0.002,
					.min_reps = o->quick ? 3 : 5,
					.max_reps = EV_BW_MAX_SAMPLES,
					.stable_rel = 0.005,
					.stop = c->stop,
					.counters = &r->cnt_plan,
				};
				char wsb[32];
				struct ev_mem_state mem[2];
				double left = o->budget_s - (timer_now() - t_start);
				if (!want_kernel(o, k, ws[ti][s], llc))
					continue;
				mo.max_time_s = left / (total - done + 1) * 0.6;
				if (mo.max_time_s < 0.01)
					mo.max_time_s = 0.01;
				ctx_progress(c, "bw: %d/%d %-8s %2d thr %10s  (%.0f s elapsed, ~%.0f s left)",
					     done + 1, total, bw_kernel_info[k].name, T,
					     units_fmt_bytes(wsb, sizeof wsb, (double)ws[ti][s]),
					     timer_now() - t_start, left > 0 ? left : 0);
				done++;
				sensors_mem_read(&mem[0]);
				if ((rc = driver_measure(pool, &j, &mo, m, &c->err)))
					break;
				sensors_mem_read(&mem[1]);
				if ((rc = add_point(c, r, k, T, j.ws_bytes, m, mem)))
					break;
				if (m->status == EV_ERR_INTERRUPTED || (c->stop && *c->stop))
					r->interrupted = 1;
			}
			if (rc)
				break;
		}
		pool_destroy(pool);
		if (rc)
			break;
	}
	ctx_progress_done(c);
	free(m);
	free(ws);
	r->elapsed_s = timer_now() - t_start;
	if (bench_bw_summarize(c, r) && rc == EV_OK)
		rc = EV_ERR_RUNTIME;
	return rc;
}

/* A working set that reads DRAM, not cache: 256 MiB, or 8x the last-level
 * cache the threads see. */
static uint64_t dram_ws(const struct ev_topo *t, int threads)
{
	int llc = topo_llc(t);
	uint64_t ws = 256ull << 20;
	if (llc >= 0 && 8 * topo_cache_capacity(t, &t->caches[llc], threads) > ws)
		ws = 8 * topo_cache_capacity(t, &t->caches[llc], threads);
	return ws;
}

int bench_bw_read(struct ev_ctx *c, int threads, int quick, int dram_only, struct ev_bw_result *r)
{
	struct ev_bw_opts o;
	bench_bw_defaults(c, 1, &o);
	o.nthr = 1;
	o.threads[0] = threads;
	o.kernel_mask = 1u << BW_READ;
	o.budget_s = dram_only ? (quick ? 2 : 5) : (quick ? 3 : 8);
	if (dram_only)
		o.single_ws = dram_ws(&c->topo, threads);
	return bench_bw(c, &o, r);
}

int bench_bw_kinds(struct ev_ctx *c, int quick, uint64_t ws, struct ev_bw_kind *out, int *n)
{
	const struct ev_topo *t = &c->topo;
	int rc = EV_OK;
	*n = 0;
	if (t->nkinds < 2)
		return EV_OK;
	for (int k = t->nkinds - 1; k >= 0 && !rc; k--) {
		struct ev_bw_kind *kd = &out[(*n)++];
		struct ev_bw_result *r = calloc(1, sizeof *r);
		struct ev_bw_opts o;
		int slot = -1;
		memset(kd, 0, sizeof *kd);
		snprintf(kd->name, sizeof kd->name, "%s", t->kinds[k].name);
		kd->kind = k;
		kd->cores = t->kinds[k].ncores;
		for (int i = 0; i < t->nplaces && slot < 0; i++)
			if (t->place_kind[i] == k)
				slot = i;
		kd->first_slot = slot;
		if (!r)
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		if (slot < 0 || kd->cores < 1) {
			kd->status = EV_ERR_UNSUPPORTED;
			snprintf(kd->reason, sizeof kd->reason, "no placement slot for this kind");
			free(r);
			continue;
		}
		bench_bw_defaults(c, 1, &o);
		o.nthr = 1;
		o.threads[0] = kd->cores;
		o.first_slot = slot;
		o.kernel_mask = 1u << BW_READ;
		o.budget_s = quick ? 2 : 4;
		o.single_ws = ws ? ws : dram_ws(t, t->cores);
		ctx_progress(c, "bw: read on the %d cores of kind %s", kd->cores, kd->name);
		rc = bench_bw(c, &o, r);
		kd->ws_bytes = o.single_ws;
		if (rc == EV_OK && r->npoints > 0 && r->pts[0].nsamples) {
			kd->status = r->pts[0].status == EV_ERR_INTERRUPTED ? EV_OK : r->pts[0].status;
			kd->best = r->pts[0].bw.best;
			kd->median = r->pts[0].bw.median;
			snprintf(kd->reason, sizeof kd->reason, "%s", r->pts[0].reason);
		} else if (rc == EV_OK) {
			kd->status = r->npoints ? r->pts[0].status : EV_ERR_RUNTIME;
			snprintf(kd->reason, sizeof kd->reason, "%s", r->npoints ? r->pts[0].reason : "no sample");
		}
		bench_bw_free(r);
		free(r);
		if (c->stop && *c->stop)
			break;
	}
	return rc;
}

cJSON *bench_bw_kinds_json(const struct ev_bw_kind *k, int n)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		cJSON *x = cJSON_CreateObject();
		json_str(x, "kind", k[i].name);
		json_num(x, "kind_index", k[i].kind);
		json_num(x, "cores", k[i].cores);
		json_str(x, "status", ev_measure_status_name(k[i].status));
		if (k[i].reason[0])
			json_str(x, "reason", k[i].reason);
		json_num(x, "ws_bytes", (double)k[i].ws_bytes);
		if (k[i].status == EV_OK) {
			json_num(x, "read_best_bytes_per_s", k[i].best);
			json_num(x, "read_median_bytes_per_s", k[i].median);
		}
		cJSON_AddItemToArray(a, x);
	}
	return a;
}

double bench_bw_dram_read(const struct ev_bw_result *r, int threads)
{
	for (int i = 0; i < r->nlevels; i++)
		if (r->levels[i].threads == threads && r->levels[i].kernel == BW_READ &&
		    !strcmp(r->levels[i].name, "DRAM"))
			return r->pts[r->levels[i].point].bw.median;
	return 0;
}

int bench_bw_failed(const struct ev_bw_result *r)
{
	int n = 0;
	for (int i = 0; i < r->npoints; i++)
		n += r->pts[i].status == EV_ERR_VERIFY;
	return n;
}

void bench_bw_free(struct ev_bw_result *r)
{
	free(r->pts);
	free(r->plateaus);
	r->pts = NULL;
	r->plateaus = NULL;
	r->npoints = r->cap = r->nplateaus = 0;
}

void bench_plateau_json(cJSON *q, const struct ev_bw_plateau *P, const char *median_key)
{
	json_num(q, "ws_lo_bytes", P->ws_lo);
	json_num(q, "ws_hi_bytes", P->ws_hi);
	json_num(q, median_key, P->median);
	if (P->knee_bytes > 0) {
		json_num(q, "knee_bytes", P->knee_bytes);
		json_str(q, "nearest_level", P->level);
		json_num(q, "nearest_level_capacity_bytes", P->level_capacity_bytes);
		json_num(q, "knee_over_capacity", P->ratio);
		cJSON_AddBoolToObject(q, "agrees_with_hwloc", P->agrees);
	}
}

static void mem_state_json(cJSON *q, const struct ev_bw_point *p)
{
	cJSON *m = sensors_mem_json(&p->mem[0], &p->mem[1]);
	if (m)
		cJSON_AddItemToObject(q, "machine_state", m);
}

cJSON *bench_bw_json(const struct ev_bw_result *r)
{
	cJSON *o = cJSON_CreateObject(), *arr, *th;
	json_str(o, "status", r->interrupted ? "interrupted" : "ok");
	if (r->interrupted)
		json_str(o, "reason", "interrupted by the user; the points measured are kept");
	json_str(o, "source", "measured");
	json_str(o, "isa", ev_targets[r->set].name);
	json_str(o, "pages", r->pages == EV_PAGES_HUGE ? "thp-madvise" : "default");
	json_num(o, "timer_resolution_s", r->timer_res_s);
	json_num(o, "elapsed_s", r->elapsed_s);
	json_str(o, "byte_convention",
		 "bw_*: STREAM (bytes read + written by the program: read 8, write 8, copy 16, "
		 "triad 24 per element); bw_wa_*: plus write-allocate reads for non-NT stores");
	json_str(o, "ws_convention", "ws_bytes: all arrays of all threads");
	th = cJSON_AddArrayToObject(o, "threads");
	for (int i = 0; i < r->opts.nthr; i++)
		cJSON_AddItemToArray(th, cJSON_CreateNumber(r->opts.threads[i]));
	arr = cJSON_AddArrayToObject(o, "points");
	for (int i = 0; i < r->npoints; i++) {
		const struct ev_bw_point *p = &r->pts[i];
		cJSON *q = cJSON_CreateObject();
		json_str(q, "kernel", bw_kernel_info[p->kernel].name);
		json_num(q, "threads", p->threads);
		json_num(q, "ws_bytes", (double)p->ws_bytes);
		json_str(q, "status", ev_measure_status_name(p->status));
		if (p->status != EV_OK) {
			json_str(q, "reason", p->reason);
		} else {
			double wa = p->bytes_per_rep > 0 ? p->bytes_wa_per_rep / p->bytes_per_rep : 1;
			json_num(q, "iters", (double)p->iters);
			json_num(q, "bytes_per_rep", p->bytes_per_rep);
			json_num(q, "bytes_wa_per_rep", p->bytes_wa_per_rep);
			json_num(q, "bw_best_bytes_per_s", p->bw.best);
			json_num(q, "bw_median_bytes_per_s", p->bw.median);
			json_num(q, "bw_min_bytes_per_s", p->bw.min);
			json_num(q, "bw_p5_bytes_per_s", p->bw.p5);
			json_num(q, "bw_p95_bytes_per_s", p->bw.p95);
			json_num(q, "spread_rel", p->bw.spread_rel);
			json_num(q, "bw_wa_best_bytes_per_s", p->bw.best * wa);
			json_num(q, "bw_wa_median_bytes_per_s", p->bw.median * wa);
			json_num_array(q, "samples_s", p->t_s, p->nsamples);
			cJSON_AddItemToObject(q, "counters", counters_json(&r->cnt_plan, &p->cnt,
									  p->bytes_per_rep, -1,
									  "repetition"));
			mem_state_json(q, p);
		}
		cJSON_AddItemToArray(arr, q);
	}
	arr = cJSON_AddArrayToObject(o, "levels");
	for (int i = 0; i < r->nlevels; i++) {
		const struct ev_bw_level *L = &r->levels[i];
		const struct ev_bw_point *p = &r->pts[L->point];
		double wa = p->bytes_per_rep > 0 ? p->bytes_wa_per_rep / p->bytes_per_rep : 1;
		cJSON *q = cJSON_CreateObject();
		json_str(q, "level", L->name);
		json_str(q, "kernel", bw_kernel_info[L->kernel].name);
		json_num(q, "threads", L->threads);
		json_num(q, "capacity_bytes", L->capacity_bytes);
		json_num(q, "window_lo_bytes", L->ws_lo);
		if (isfinite(L->ws_hi))
			json_num(q, "window_hi_bytes", L->ws_hi);
		json_num(q, "ws_bytes", (double)p->ws_bytes);
		json_num(q, "bw_best_bytes_per_s", p->bw.best);
		json_num(q, "bw_median_bytes_per_s", p->bw.median);
		json_num(q, "spread_rel", p->bw.spread_rel);
		json_num(q, "bw_wa_best_bytes_per_s", p->bw.best * wa);
		json_num(q, "bw_wa_median_bytes_per_s", p->bw.median * wa);
		json_num(q, "samples", (double)p->nsamples);
		json_str(q, "source", "measured");
		cJSON_AddItemToObject(q, "counters", counters_json(&r->cnt_plan, &p->cnt,
								  p->bytes_per_rep, -1, "repetition"));
		mem_state_json(q, p);
		cJSON_AddItemToArray(arr, q);
	}
	arr = cJSON_AddArrayToObject(o, "plateaus");
	for (int i = 0; i < r->nplateaus; i++) {
		const struct ev_bw_plateau *P = &r->plateaus[i];
		cJSON *q = cJSON_CreateObject();
		json_num(q, "threads", P->threads);
		json_str(q, "kernel", "read");
		bench_plateau_json(q, P, "bw_median_bytes_per_s");
		cJSON_AddItemToArray(arr, q);
	}
	return o;
}

static void print_row(FILE *f, const char *level, const struct ev_bw_point *p)
{
	char a[32];
	double wa = p->bytes_per_rep > 0 ? p->bytes_wa_per_rep / p->bytes_per_rep : 1;
	if (level)
		fprintf(f, "%-5s ", level);
	fprintf(f, "%-9s %7d %11s %10.1f %10.1f %7.1f%% %10.1f\n", bw_kernel_info[p->kernel].name,
		p->threads, units_fmt_bytes(a, sizeof a, (double)p->ws_bytes), p->bw.best / 1e9,
		p->bw.median / 1e9, 100 * p->bw.spread_rel, p->bw.median * wa / 1e9);
}

/* Counted next to computed bytes for each level figure, or why not. */
static void bench_bw_print_counters(FILE *f, const struct ev_bw_result *r)
{
	const struct ev_cnt_plan *P = &r->cnt_plan;
	const char *why = NULL;
	int shown = 0, lv = r->nlevels > 0 && !r->opts.single_ws, n = lv ? r->nlevels : r->npoints;
	for (int i = 0; i < n; i++) {
		const struct ev_bw_point *p = lv ? &r->pts[r->levels[i].point] : &r->pts[i];
		double by = counters_per_rep(P, &p->cnt, EV_CNT_MEM);
		if (!p->cnt.ok) {
			why = p->cnt.reason;
			continue;
		}
		if (!shown++)
			fprintf(f, "\nHardware counters (%s%s%s):\n", P->source,
				P->mem_what[0] ? "; memory: " : "", P->mem_what);
		if (p->status != EV_OK || !p->nsamples)
			continue;
		fprintf(f, "  %-5s %-9s %3d thr:", lv ? r->levels[i].name : "",
			bw_kernel_info[p->kernel].name, p->threads);
		counters_print_brief(f, P, &p->cnt);
		if (by >= 0 && p->bytes_per_rep > 0)
			fprintf(f, ", counted %.3g B vs computed %.3g B per repetition (%.2fx)", by,
				p->bytes_per_rep, by / p->bytes_per_rep);
		fprintf(f, "\n");
	}
	if (!shown && (why || P->reason[0]))
		fprintf(f, "hardware counters: unavailable: %s\n", why && why[0] ? why : P->reason);
}

void bench_bw_print(FILE *f, const struct ev_bw_result *r)
{
	char a[32], b[32];
	static const char head[] = "kernel    threads          ws       best     median   spread    +WA med\n";
	fprintf(f, "Memory bandwidth (ISA %s, %s pages; STREAM byte counting, GB/s = 1e9 B/s)\n",
		ev_targets[r->set].name, r->pages == EV_PAGES_HUGE ? "THP" : "default");
	if (r->nlevels > 0 && !r->opts.single_ws) {
		fprintf(f, "level %s", head);
		for (int i = 0; i < r->nlevels; i++)
			print_row(f, r->levels[i].name, &r->pts[r->levels[i].point]);
	} else {
		fprintf(f, "%s", head);
		for (int i = 0; i < r->npoints; i++)
			if (r->pts[i].status == EV_OK && r->pts[i].nsamples)
				print_row(f, NULL, &r->pts[i]);
	}
	for (int i = 0, skipped = 0; i < r->npoints; i++)
		if (r->pts[i].status == EV_ERR_VERIFY) /* every one: never hidden */
			fprintf(f, "FAILED VERIFICATION: %s, %d threads: %s\n",
				bw_kernel_info[r->pts[i].kernel].name, r->pts[i].threads, r->pts[i].reason);
		else if (r->pts[i].status == EV_ERR_UNSUPPORTED && !skipped++)
			fprintf(f, "skipped: %s, %d threads: %s\n", bw_kernel_info[r->pts[i].kernel].name,
				r->pts[i].threads, r->pts[i].reason);
	if (r->nplateaus > 1)
		fprintf(f, "\nPlateaus of the read curve vs hwloc cache sizes:\n");
	for (int i = 0; i < r->nplateaus && r->nplateaus > 1; i++) {
		const struct ev_bw_plateau *P = &r->plateaus[i];
		fprintf(f, "  %d thr: %s .. %s at %.1f GB/s", P->threads,
			units_fmt_bytes(a, sizeof a, P->ws_lo), units_fmt_bytes(b, sizeof b, P->ws_hi),
			P->median / 1e9);
		if (P->knee_bytes > 0)
			fprintf(f, "; knee at %s, nearest %s (%s): %s",
				units_fmt_bytes(a, sizeof a, P->knee_bytes), P->level,
				units_fmt_bytes(b, sizeof b, P->level_capacity_bytes),
				P->agrees ? "agrees" : "DISAGREES (both reported)");
		fprintf(f, "\n");
	}
	for (int i = 0; i < r->nlevels; i++) {
		const struct ev_bw_point *p = &r->pts[r->levels[i].point];
		const struct ev_mem_state *m = p->mem[0].ok ? &p->mem[0] : &p->mem[1];
		if (sensors_mem_below_max(&p->mem[0], &p->mem[1]))
			fprintf(f, "warning: %s %s (%d thr) was measured with the memory controller %s at "
				   "%.0f MHz of its %.0f MHz (governor %s): below what the board can do\n",
				r->levels[i].name, bw_kernel_info[p->kernel].name, p->threads, m->name,
				m->cur_hz / 1e6, m->max_hz / 1e6, m->governor);
	}
	bench_bw_print_counters(f, r);
	if (r->interrupted)
		fprintf(f, "interrupted: the points measured so far are kept\n");
}
