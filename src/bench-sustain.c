/* src/bench-sustain.c: eaves sustain. Method: an idle window first (sensors
 * only: the idle power), then the workload without pause for the duration:
 *   decode: one token after another at positions 128..383 of a synthetic KV
 *     cache (a model of synthetic weights in one format, or a GGUF file);
 *   read:   the bw probe's read kernel over a fixed DRAM buffer (8x the last
 *     level cache, at least 256 MiB), all threads, through the driver;
 *   fp32:   the widest FP32 FMA kernel of the flops probe, all threads.
 * An untimed warm-up comes first (4 tokens, or a quarter window). Each window
 * (--interval) ends with one sysfs sample (sensors_read: cpufreq,
 * thermal zones and hwmon, RAPL counters or INA3221 rails, devfreq, throttle
 * flags). The rate is measured; burst/sustained and the drop moment are
 * computed (roofline/sustain.c); energy is power x time summed over windows
 * (rails: the board rail, VDD_IN, or the sum; RAPL: counter differences). */
#include "bench-sustain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bw.h"
#include "decode.h"
#include "flops.h"
#include "json.h"
#include "mem.h"
#include "probes.h"
#include "sensors.h"
#include "stats.h"
#include "timer.h"
#include "units.h"

const char *bench_sustain_workload_name(int w)
{
	return w == EV_SUS_READ ? "read" : w == EV_SUS_FP32 ? "fp32" : "decode";
}

/* ---- sensors per window ---- */
struct sus_sense {
	struct ev_sensors prev; /* the last reading with energy counters */
	int have;
	double last_t;
};

static void sample(struct ev_sustain_result *r, struct ev_sus_window *w, struct sus_sense *ss,
		   double now)
{
	struct ev_sensors s;
	int board;
	sensors_read(&s);
	board = s.board_rail;
	w->cpu_hz_mean = w->cpu_hz_max = w->mem_hz = w->temp_max_c = w->power_w = NAN;
	for (int i = 0; i < EV_SUS_SERIES; i++)
		w->temp_c[i] = w->rail_w[i] = NAN;
	if (s.cpufreq_ok) {
		double sum = 0;
		w->cpu_hz_max = 0;
		for (int i = 0; i < s.ncpus; i++) {
			sum += s.cur_hz[i];
			w->cpu_hz_max = fmax(w->cpu_hz_max, s.cur_hz[i]);
		}
		w->cpu_hz_mean = sum / s.ncpus;
	} else {
		snprintf(r->cpufreq_reason, sizeof r->cpufreq_reason, "%s", s.cpufreq_reason);
	}
	if (s.thermal_ok) {
		w->temp_max_c = -INFINITY;
		for (int i = 0; i < s.ntemps; i++) {
			w->temp_max_c = fmax(w->temp_max_c, s.temp_c[i].value);
			if (i < EV_SUS_SERIES) {
				w->temp_c[i] = s.temp_c[i].value;
				if (i >= r->ntemps) {
					snprintf(r->temp_name[i], sizeof r->temp_name[i], "%s", s.temp_c[i].name);
					r->ntemps = i + 1;
				}
			}
		}
	} else {
		snprintf(r->thermal_reason, sizeof r->thermal_reason, "%s", s.thermal_reason);
	}
	for (int i = 0; i < s.ndevfreq; i++)
		if (!strcmp(s.devfreq[i].kind, "memory"))
			w->mem_hz = s.devfreq[i].cur_hz;
	snprintf(w->throttled, sizeof w->throttled, "%s", s.throttled);
	if (s.npower > 0) {
		double sum = 0;
		for (int i = 0; i < s.npower; i++) {
			sum += s.power_w[i].value;
			if (i < EV_SUS_SERIES) {
				w->rail_w[i] = s.power_w[i].value;
				if (i >= r->nrails) {
					snprintf(r->rail_name[i], sizeof r->rail_name[i], "%s", s.power_w[i].name);
					r->nrails = i + 1;
				}
			}
		}
		w->power_w = board >= 0 ? s.power_w[board].value : sum;
		if (board >= 0)
			snprintf(r->power_source, sizeof r->power_source,
				 "rail '%.60s' (the whole device's input), sampled at each window's end",
				 s.power_w[board].name);
		else
			snprintf(r->power_source, sizeof r->power_source,
				 "sum of the INA3221 rails, sampled at each window's end");
	} else if (s.nenergy > 0) {
		double d = ss->have ? sensors_energy_delta_j(&ss->prev, &s) : -1;
		if (d >= 0 && now > ss->last_t)
			w->power_w = d / (now - ss->last_t);
		ss->prev = s;
		ss->have = 1;
		ss->last_t = now;
		snprintf(r->power_source, sizeof r->power_source,
			 "RAPL package energy counters, difference over each window (wrap-around undone "
			 "with max_energy_range_uj)");
	} else {
		snprintf(r->power_reason, sizeof r->power_reason, "%s", s.power_reason);
	}
}

/* ---- workloads ---- */
struct sus_work {
	struct ev_pool *pool;
	struct dec_model m;
	struct gguf_file g;
	int have_model, tok, pos;
	void *buf;
	size_t buf_bytes;
	struct bw_params bp;
	int fk;
};

static int add_token(struct ev_sustain_result *r, double t, double s)
{
	if (r->ntok == r->tokcap) {
		int cap = r->tokcap ? 2 * r->tokcap : 4096;
		double *a = realloc(r->tok_t, sizeof(double) * (size_t)cap), *b;
		if (!a)
			return -1;
		r->tok_t = a;
		if (!(b = realloc(r->tok_s, sizeof(double) * (size_t)cap)))
			return -1;
		r->tok_s = b;
		r->tokcap = cap;
	}
	r->tok_t[r->ntok] = t;
	r->tok_s[r->ntok++] = s;
	return 0;
}

static int setup(struct ev_ctx *c, const struct ev_sustain_opts *o, struct ev_sustain_result *r,
		 struct sus_work *k)
{
	int rc;
	if (o->workload == EV_SUS_DECODE) {
		const struct ev_decode_opts *d = &o->dec;
		ctx_progress(c, "sustain: making the model");
		if (d->gguf) {
			struct gguf_llama gl;
			if ((rc = gguf_open(&k->g, d->file.path, 1, &c->err)) ||
			    (rc = gguf_llama_read(&k->g, &gl, &c->err)) ||
			    (rc = dec_model_from_gguf(&k->m, &k->g, &gl, 512, 1, k->pool, &c->cpu, &c->err)))
				return rc;
			snprintf(r->workload, sizeof r->workload, "decode %s (%s)", d->file.path, d->file.label);
		} else {
			if ((rc = dec_model_create(&k->m, &d->shape, d->types[0], 512, 1, k->pool, &c->cpu,
						   d->seed, &c->err)))
				return rc;
			snprintf(r->workload, sizeof r->workload, "decode %s %s (synthetic weights)",
				 d->shape.name, ev_types[d->types[0]].name);
		}
		k->have_model = 1;
		snprintf(r->kernel, sizeof r->kernel, "%s", k->m.dot->name);
		snprintf(r->unit, sizeof r->unit, "tokens");
		dec_fill_kv(&k->m, k->pool, 384, d->seed + 5);
		k->pos = 128;
		return EV_OK;
	}
	if (o->workload == EV_SUS_READ) {
		int llc = topo_llc(&c->topo);
		uint64_t ws = llc >= 0 ? 8 * topo_cache_capacity(&c->topo, &c->topo.caches[llc], o->threads) : 0;
		if (ws < (256u << 20))
			ws = 256u << 20;
		if (ws * 2 > c->topo.mem_avail_bytes)
			ws = c->topo.mem_avail_bytes / 4;
		k->buf_bytes = (size_t)ws & ~(size_t)4095;
		if (!(k->buf = mem_alloc(k->buf_bytes, EV_PAGES_HUGE)))
			return ev_fail(&c->err, EV_ERR_RUNTIME, "sustain: cannot allocate %zu bytes", k->buf_bytes);
		memset(k->buf, 0x5a, k->buf_bytes);
		k->bp.buf = k->buf;
		k->bp.buf_bytes = k->buf_bytes;
		snprintf(r->workload, sizeof r->workload, "read of %.0f MiB (DRAM)", (double)k->buf_bytes / 1048576);
		snprintf(r->kernel, sizeof r->kernel, "read (%s)", bw_pick_set(&c->cpu)->file->set);
		snprintf(r->unit, sizeof r->unit, "bytes");
		return EV_OK;
	}
	/* fp32: the widest FMA row this CPU runs */
	k->fk = -1;
	for (int i = 0; i < flops_count; i++) {
		char why[128];
		if (flops_table[i].prec != EV_PREC_FP32 ||
		    (flops_table[i].kind != FK_FMA && flops_table[i].kind != FK_FMA_ACC) ||
		    flops_check_supported(i, &c->cpu, why, sizeof why))
			continue;
		if (k->fk < 0 || flops_ops_per_step(i) > flops_ops_per_step(k->fk))
			k->fk = i;
	}
	if (k->fk < 0)
		return ev_fail(&c->err, EV_ERR_UNSUPPORTED, "sustain: no FP32 FMA kernel runs here");
	snprintf(r->workload, sizeof r->workload, "FP32 FMA peak");
	snprintf(r->kernel, sizeof r->kernel, "%s", flops_table[k->fk].name);
	snprintf(r->unit, sizeof r->unit, "FLOP");
	return EV_OK;
}

static void teardown(struct sus_work *k)
{
	if (k->have_model)
		dec_model_destroy(&k->m);
	gguf_close(&k->g);
	if (k->buf)
		mem_free(k->buf, k->buf_bytes);
}

/* One window of work: at least `len` seconds. */
static int run_window(struct ev_ctx *c, const struct ev_sustain_opts *o, struct ev_sustain_result *r,
		      struct sus_work *k, double t_run0, struct ev_sus_window *w)
{
	double t0 = timer_now(), end = t0 + o->interval_s;
	if (o->workload == EV_SUS_DECODE) {
		double v[4096];
		int nv = 0;
		struct ev_stats st;
		while (timer_now() < end && !(c->stop && *c->stop)) {
			double a = timer_now(), b;
			k->tok = dec_forward(&k->m, k->pool, &k->tok, 1, k->pos);
			b = timer_now();
			k->pos = k->pos + 1 < 384 ? k->pos + 1 : 128;
			if (add_token(r, a - t_run0, b - a))
				return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
			w->work += 1;
			if (nv < 4096)
				v[nv++] = b - a;
		}
		if (nv && stats_compute(v, (size_t)nv, 0, &st) == 0) {
			w->tpot_p50_s = st.median;
			w->tpot_p95_s = st.p95;
		}
	} else {
		struct ev_job j = {.cpu = &c->cpu, .nthreads = o->threads};
		struct ev_measure_opts mo = {.min_sample_s = o->interval_s / 20, .max_time_s = o->interval_s,
					     .min_reps = 3, .max_reps = EV_MAX_SAMPLES, .stop = c->stop};
		struct ev_measurement *m = calloc(1, sizeof *m);
		int rc;
		if (!m)
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		if (o->workload == EV_SUS_READ) {
			j.probe = &ev_probe_bw;
			j.params = &k->bp;
			j.kernel = BW_READ;
		} else {
			j.probe = &ev_probe_flops;
			j.kernel = k->fk;
		}
		rc = driver_measure(k->pool, &j, &mo, m, &c->err);
		if (rc == EV_OK && m->status == EV_ERR_VERIFY)
			rc = ev_fail(&c->err, EV_ERR_VERIFY, "sustain: %s", m->reason);
		if (rc == EV_OK) {
			double tt = 0;
			for (int i = 0; i < m->nsamples; i++)
				tt += m->t_s[i];
			w->work = (o->workload == EV_SUS_READ ? m->per_rep.bytes : m->per_rep.ops) * m->nsamples;
			w->dt_s = tt; /* the rate over the timed repetitions */
		}
		free(m);
		if (rc)
			return rc;
	}
	if (o->workload == EV_SUS_DECODE)
		w->dt_s = timer_now() - t0;
	w->rate = w->dt_s > 0 ? w->work / w->dt_s : NAN;
	return EV_OK;
}

/* The clock the cores run at right after a window, all threads at once: a
 * few milliseconds of the dependent-add chain (probes/clock.c). */
static void measure_clock(struct ev_ctx *c, struct ev_sustain_result *r, struct sus_work *k,
			  struct ev_sus_window *w)
{
	struct ev_job j = {.probe = &ev_probe_clock, .cpu = &c->cpu, .nthreads = pool_size(k->pool)};
	struct ev_measure_opts mo = {.min_sample_s = 5e-4, .max_time_s = 0.004, .min_reps = 3,
				     .max_reps = 5, .stable_rel = 0, .stop = c->stop};
	struct ev_measurement *m = calloc(1, sizeof *m);
	struct ev_err e = {0};
	w->clock_hz = NAN;
	if (!m)
		return;
	if (driver_measure(k->pool, &j, &mo, m, &e) || m->status != EV_OK || !m->nsamples) {
		snprintf(r->mclock_reason, sizeof r->mclock_reason, "%s",
			 e.msg[0] ? e.msg : m->reason[0] ? m->reason : "no sample");
	} else {
		double v[EV_MAX_SAMPLES];
		struct ev_stats st;
		for (int i = 0; i < m->nsamples; i++)
			v[i] = m->per_rep.ops / j.nthreads / m->t_s[i];
		if (stats_compute(v, (size_t)m->nsamples, 0, &st) == 0)
			w->clock_hz = st.median;
	}
	free(m);
}

/* TPOT p50/p95 of the tokens in [t0, t1). */
static void tpot_phase(const struct ev_sustain_result *r, double t0, double t1, double out[2])
{
	double *v = malloc(sizeof(double) * (size_t)(r->ntok ? r->ntok : 1));
	struct ev_stats st;
	int n = 0;
	out[0] = out[1] = NAN;
	if (!v)
		return;
	for (int i = 0; i < r->ntok; i++)
		if (r->tok_t[i] >= t0 && r->tok_t[i] < t1)
			v[n++] = r->tok_s[i];
	if (n && stats_compute(v, (size_t)n, 0, &st) == 0) {
		out[0] = st.median;
		out[1] = st.p95;
	}
	free(v);
}

static void analyse(struct ev_sustain_result *r)
{
	double *t = malloc(sizeof(double) * (size_t)(r->nwin + 1)), *v = malloc(sizeof(double) * (size_t)(r->nwin + 1));
	double work = 0;
	int have_power = 1;
	if (!t || !v) {
		free(t);
		free(v);
		return;
	}
	for (int i = 0; i < r->nwin; i++) {
		t[i] = r->w[i].t_s;
		v[i] = r->w[i].rate;
	}
	roof_sustain(t, v, r->nwin, 0.95, 3, &r->rate);
	r->clock_ok = r->nwin > 0 && r->w[0].cpu_hz_max > 0;
	if (r->clock_ok) {
		for (int i = 0; i < r->nwin; i++)
			v[i] = r->w[i].cpu_hz_max;
		roof_sustain(t, v, r->nwin, 0.95, 3, &r->clock);
	}
	r->mclock_ok = r->nwin > 0;
	for (int i = 0; i < r->nwin; i++)
		r->mclock_ok &= isfinite(r->w[i].clock_hz) && r->w[i].clock_hz > 0;
	if (r->mclock_ok) {
		for (int i = 0; i < r->nwin; i++)
			v[i] = r->w[i].clock_hz;
		roof_sustain(t, v, r->nwin, 0.95, 3, &r->mclock);
	} else if (!r->mclock_reason[0]) {
		snprintf(r->mclock_reason, sizeof r->mclock_reason, "no window");
	}
	free(t);
	free(v);
	r->energy_j = r->energy_above_idle_j = 0;
	for (int i = 0; i < r->nwin; i++) {
		const struct ev_sus_window *w = &r->w[i];
		double len = i + 1 < r->nwin ? r->w[i + 1].t_s - w->t_s : w->dt_s;
		work += w->work;
		if (!(w->power_w >= 0)) {
			have_power = 0;
			continue;
		}
		r->energy_j += w->power_w * len;
		if (r->idle_power_w >= 0)
			r->energy_above_idle_j += (w->power_w - r->idle_power_w) * len;
	}
	if (!have_power || r->nwin == 0) {
		r->energy_j = r->energy_above_idle_j = r->j_per_unit = r->j_per_unit_above_idle = NAN;
	} else {
		r->j_per_unit = work > 0 ? r->energy_j / work : NAN;
		r->j_per_unit_above_idle = work > 0 && r->idle_power_w >= 0 ? r->energy_above_idle_j / work : NAN;
	}
	if (r->o.workload == EV_SUS_DECODE) {
		double cut = r->rate.drop >= 0 ? r->rate.drop_t : INFINITY;
		tpot_phase(r, 0, cut, r->tpot_before);
		tpot_phase(r, cut, INFINITY, r->tpot_after);
	}
}

int bench_sustain(struct ev_ctx *c, const struct ev_sustain_opts *o, struct ev_sustain_result *r)
{
	struct sus_work k;
	struct sus_sense *ss = calloc(1, sizeof *ss); /* holds a whole sensors reading */
	struct ev_sus_window idle;
	double t_run0;
	int rc;
	memset(r, 0, sizeof *r);
	memset(&k, 0, sizeof k);
	r->o = *o;
	r->idle_power_w = NAN;
	r->cap = (int)(o->duration_s / o->interval_s) + 4;
	if (!ss || !(r->w = calloc((size_t)r->cap, sizeof *r->w))) {
		free(ss);
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	}
	if ((rc = pool_create(&k.pool, &c->topo, o->threads, &c->err))) {
		free(ss);
		return rc;
	}
	if ((rc = setup(c, o, r, &k)))
		goto out;
	/* idle first: the power with nothing running (after the model is made) */
	if (o->idle_s > 0) {
		double t0 = timer_now();
		memset(&idle, 0, sizeof idle);
		ctx_progress(c, "sustain: idle power, %.0f s", o->idle_s);
		sample(r, &idle, ss, t0);
		while (timer_now() - t0 < o->idle_s && !(c->stop && *c->stop)) {
			struct timespec ts = {0, 50 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		sample(r, &idle, ss, timer_now());
		r->idle_power_w = idle.power_w;
	}
	/* warm-up, untimed: a few tokens (first-use page faults of activations and
	 * KV cache), or one short window of a driver workload */
	if (o->workload == EV_SUS_DECODE) {
		for (int i = 0; i < 4; i++) {
			k.tok = dec_forward(&k.m, k.pool, &k.tok, 1, k.pos);
			k.pos++;
		}
	} else {
		struct ev_sus_window tmp;
		struct ev_sustain_opts q = *o;
		memset(&tmp, 0, sizeof tmp);
		q.interval_s = o->interval_s / 4;
		if ((rc = run_window(c, &q, r, &k, timer_now(), &tmp)))
			goto out;
	}
	t_run0 = timer_now();
	sample(r, &idle, ss, t_run0); /* the counters' starting point */
	while (r->nwin < r->cap && timer_now() - t_run0 < o->duration_s) {
		struct ev_sus_window *w = &r->w[r->nwin];
		if (c->stop && *c->stop) {
			r->interrupted = 1;
			break;
		}
		w->t_s = timer_now() - t_run0;
		if ((rc = run_window(c, o, r, &k, t_run0, w)))
			break;
		sample(r, w, ss, timer_now());
		measure_clock(c, r, &k, w);
		r->nwin++;
		ctx_progress(c, "sustain: %s: %.0f of %.0f s, %.4g %s/s", bench_sustain_workload_name(o->workload),
			     timer_now() - t_run0, o->duration_s, w->rate, r->unit);
	}
	if (c->stop && *c->stop)
		r->interrupted = 1;
	analyse(r);
out:
	ctx_progress_done(c);
	teardown(&k);
	pool_destroy(k.pool);
	free(ss);
	return rc;
}

void bench_sustain_free(struct ev_sustain_result *r)
{
	free(r->w);
	free(r->tok_t);
	free(r->tok_s);
	r->w = NULL;
	r->tok_t = r->tok_s = NULL;
}

static void num_or_null(cJSON *o, const char *k, double v)
{
	json_num(o, k, isfinite(v) ? v : NAN);
}

cJSON *bench_sustain_json(const struct ev_sustain_result *r)
{
	cJSON *d = cJSON_CreateObject(), *arr, *x, *names;
	const struct roof_sustain *s = &r->rate;
	json_str(d, "status", r->interrupted ? "interrupted" : "ok");
	json_str(d, "workload", bench_sustain_workload_name(r->o.workload));
	json_str(d, "description", r->workload);
	json_str(d, "kernel", r->kernel);
	json_str(d, "unit", r->unit);
	json_num(d, "threads", r->o.threads);
	json_num(d, "duration_s", r->o.duration_s);
	json_num(d, "interval_s", r->o.interval_s);
	json_str(d, "rate_source", "measured: work of each window / its time");
	num_or_null(d, "burst_per_s", s->burst);
	num_or_null(d, "sustained_per_s", s->sustained);
	num_or_null(d, "sustained_over_burst", s->ratio);
	json_str(d, "rule", "burst: the first window; sustained: median of the last third; throttle: "
			    "the first of 3 windows in a row below 95% of burst");
	x = cJSON_AddObjectToObject(d, "throttle");
	if (s->drop >= 0) {
		const struct ev_sus_window *w = &r->w[s->drop];
		json_str(x, "status", "reached");
		json_num(x, "t_s", s->drop_t);
		json_num(x, "rate_per_s", w->rate);
		num_or_null(x, "cpu_hz_max", w->cpu_hz_max);
		num_or_null(x, "temp_max_c", w->temp_max_c);
		cJSON_AddBoolToObject(x, "recovered", s->recovered);
	} else {
		json_str(x, "status", "not_reached");
		json_num(x, "within_s", r->nwin ? r->w[r->nwin - 1].t_s + r->w[r->nwin - 1].dt_s : 0);
	}
	x = cJSON_AddObjectToObject(d, "clock_drop");
	if (!r->clock_ok) {
		json_str(x, "status", "unavailable");
		json_str(x, "reason", r->cpufreq_reason[0] ? r->cpufreq_reason : "no cpufreq reading");
	} else if (r->clock.drop >= 0) {
		json_str(x, "status", "reached");
		json_num(x, "t_s", r->clock.drop_t);
		json_num(x, "burst_hz", r->clock.burst);
		num_or_null(x, "hz_after", r->w[r->clock.drop].cpu_hz_max);
		cJSON_AddBoolToObject(x, "recovered", r->clock.recovered);
	} else {
		json_str(x, "status", "not_reached");
		json_num(x, "burst_hz", r->clock.burst);
	}
	x = cJSON_AddObjectToObject(d, "measured_clock");
	json_str(x, "source", "measured: the dependent-add chain on every thread for a few ms "
			      "after each window, median per core");
	if (!r->mclock_ok) {
		json_str(x, "status", "unavailable");
		json_str(x, "reason", r->mclock_reason);
	} else if (r->mclock.drop >= 0) {
		json_str(x, "status", "reached");
		json_num(x, "t_s", r->mclock.drop_t);
		json_num(x, "burst_hz", r->mclock.burst);
		json_num(x, "hz_after", r->w[r->mclock.drop].clock_hz);
		json_num(x, "sustained_hz", r->mclock.sustained);
		cJSON_AddBoolToObject(x, "recovered", r->mclock.recovered);
	} else {
		json_str(x, "status", "not_reached");
		json_num(x, "burst_hz", r->mclock.burst);
		json_num(x, "sustained_hz", r->mclock.sustained);
	}
	if (r->o.workload == EV_SUS_DECODE) {
		x = cJSON_AddObjectToObject(d, "tpot_s");
		num_or_null(x, "before_drop_p50", r->tpot_before[0]);
		num_or_null(x, "before_drop_p95", r->tpot_before[1]);
		num_or_null(x, "after_drop_p50", r->tpot_after[0]);
		num_or_null(x, "after_drop_p95", r->tpot_after[1]);
	}
	x = cJSON_AddObjectToObject(d, "energy");
	if (r->power_source[0]) {
		json_str(x, "status", "ok");
		json_str(x, "source", r->power_source);
		num_or_null(x, "idle_power_w", r->idle_power_w);
		num_or_null(x, "energy_j", r->energy_j);
		num_or_null(x, "energy_above_idle_j", r->energy_above_idle_j);
		num_or_null(x, "j_per_unit", r->j_per_unit);
		num_or_null(x, "j_per_unit_above_idle", r->j_per_unit_above_idle);
		if (r->o.workload == EV_SUS_DECODE)
			num_or_null(x, "mwh_per_64_tokens", r->j_per_unit * 64 / 3.6);
	} else {
		json_str(x, "status", "unavailable");
		json_str(x, "reason", r->power_reason[0] ? r->power_reason : "no power sensor");
	}
	names = cJSON_AddArrayToObject(d, "temperature_names");
	for (int i = 0; i < r->ntemps; i++)
		cJSON_AddItemToArray(names, cJSON_CreateString(r->temp_name[i]));
	if (!r->ntemps)
		json_str(d, "temperature_reason", r->thermal_reason);
	names = cJSON_AddArrayToObject(d, "rail_names");
	for (int i = 0; i < r->nrails; i++)
		cJSON_AddItemToArray(names, cJSON_CreateString(r->rail_name[i]));
	arr = cJSON_AddArrayToObject(d, "windows");
	for (int i = 0; i < r->nwin; i++) {
		const struct ev_sus_window *w = &r->w[i];
		cJSON *o = cJSON_CreateObject(), *a;
		json_num(o, "t_s", w->t_s);
		json_num(o, "dt_s", w->dt_s);
		json_num(o, "work", w->work);
		num_or_null(o, "rate_per_s", w->rate);
		if (r->o.workload == EV_SUS_DECODE) {
			num_or_null(o, "tpot_p50_s", w->tpot_p50_s);
			num_or_null(o, "tpot_p95_s", w->tpot_p95_s);
		}
		num_or_null(o, "cpu_hz_mean", w->cpu_hz_mean);
		num_or_null(o, "cpu_hz_max", w->cpu_hz_max);
		num_or_null(o, "clock_hz_measured", w->clock_hz);
		num_or_null(o, "mem_hz", w->mem_hz);
		num_or_null(o, "temp_max_c", w->temp_max_c);
		a = cJSON_AddArrayToObject(o, "temp_c");
		for (int k = 0; k < r->ntemps; k++)
			cJSON_AddItemToArray(a, isfinite(w->temp_c[k]) ? cJSON_CreateNumber(w->temp_c[k]) : cJSON_CreateNull());
		num_or_null(o, "power_w", w->power_w);
		a = cJSON_AddArrayToObject(o, "rail_w");
		for (int k = 0; k < r->nrails; k++)
			cJSON_AddItemToArray(a, isfinite(w->rail_w[k]) ? cJSON_CreateNumber(w->rail_w[k]) : cJSON_CreateNull());
		if (w->throttled[0])
			json_str(o, "throttled", w->throttled);
		cJSON_AddItemToArray(arr, o);
	}
	return d;
}

void bench_sustain_print(FILE *f, const struct ev_sustain_result *r)
{
	const struct roof_sustain *s = &r->rate;
	const char *u = r->unit;
	double sc = !strcmp(u, "bytes") ? 1e9 : !strcmp(u, "FLOP") ? 1e9 : 1;
	const char *su = !strcmp(u, "bytes") ? "GB/s" : !strcmp(u, "FLOP") ? "GFLOP/s" : "tok/s";
	fprintf(f, "Sustain: %s, kernel %s, %d threads, %d windows of %.2g s\n", r->workload, r->kernel,
		r->o.threads, r->nwin, r->o.interval_s);
	fprintf(f, "%8s %10s %10s %9s %9s %8s %9s %s\n", "t s", su,
		r->o.workload == EV_SUS_DECODE ? "TPOT p50" : "", "CPU MHz", "meas MHz", "temp C", "power W",
		"throttled");
	for (int i = 0; i < r->nwin; i++) {
		const struct ev_sus_window *w = &r->w[i];
		char tp[16] = "";
		if (r->o.workload == EV_SUS_DECODE)
			snprintf(tp, sizeof tp, "%.2f", w->tpot_p50_s * 1e3);
		fprintf(f, "%8.1f %10.3f %10s %9.0f %9.0f %8.1f %9.2f %s\n", w->t_s, w->rate / sc, tp,
			w->cpu_hz_max / 1e6, w->clock_hz / 1e6, w->temp_max_c, w->power_w, w->throttled);
	}
	fprintf(f, "burst %.4g %s (first window), sustained %.4g %s (median of the last third): %.1f%%\n",
		s->burst / sc, su, s->sustained / sc, su, 100 * s->ratio);
	if (s->drop >= 0)
		fprintf(f, "throttle: at %.1f s (3 windows below 95%% of burst)%s\n", s->drop_t,
			s->recovered ? ", recovered later" : "");
	else
		fprintf(f, "throttle: not reached in %.0f s\n", r->nwin ? r->w[r->nwin - 1].t_s + r->w[r->nwin - 1].dt_s : 0.0);
	if (!r->clock_ok)
		fprintf(f, "clock drop: unavailable: %s\n", r->cpufreq_reason);
	else if (r->clock.drop >= 0)
		fprintf(f, "clock drop: at %.1f s, %.0f -> %.0f MHz\n", r->clock.drop_t, r->clock.burst / 1e6,
			r->w[r->clock.drop].cpu_hz_max / 1e6);
	else
		fprintf(f, "clock drop: not reached (%.0f MHz)\n", r->clock.burst / 1e6);
	if (!r->mclock_ok)
		fprintf(f, "measured clock: unavailable: %s\n", r->mclock_reason);
	else if (r->mclock.drop >= 0)
		fprintf(f, "measured clock: dropped at %.1f s, %.0f -> %.0f MHz\n", r->mclock.drop_t,
			r->mclock.burst / 1e6, r->w[r->mclock.drop].clock_hz / 1e6);
	else
		fprintf(f, "measured clock: no drop (%.0f MHz first, %.0f sustained)\n", r->mclock.burst / 1e6,
			r->mclock.sustained / 1e6);
	if (r->o.workload == EV_SUS_DECODE && s->drop >= 0)
		fprintf(f, "TPOT p50/p95: %.2f/%.2f ms before the drop, %.2f/%.2f ms after\n", r->tpot_before[0] * 1e3,
			r->tpot_before[1] * 1e3, r->tpot_after[0] * 1e3, r->tpot_after[1] * 1e3);
	else if (r->o.workload == EV_SUS_DECODE)
		fprintf(f, "TPOT p50/p95: %.2f/%.2f ms (no drop)\n", r->tpot_before[0] * 1e3, r->tpot_before[1] * 1e3);
	if (r->power_source[0])
		fprintf(f, "energy: %.3g J (%s); idle %.2f W; %.4g J per %s, %.4g above idle\n", r->energy_j,
			r->power_source, r->idle_power_w, r->j_per_unit, !strcmp(u, "tokens") ? "token" : u,
			r->j_per_unit_above_idle);
	else
		fprintf(f, "energy: unavailable: %s\n", r->power_reason);
	if (r->interrupted)
		fprintf(f, "interrupted: what was measured is kept\n");
}
