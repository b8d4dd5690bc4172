/* src/bench-clock.c: the measured core clock, one core and all cores. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "json.h"
#include "probes.h"

static int clock_run(struct ev_ctx *c, int nthreads, int quick, double *hz, int *n,
		     char *reason, size_t rlen)
{
	struct ev_pool *pool = NULL;
	struct ev_job j = {.probe = &ev_probe_clock, .cpu = &c->cpu, .nthreads = nthreads};
	struct ev_measure_opts o = {
		.min_sample_s = quick ? 0.002 : 0.005,
		.max_time_s = quick ? 0.05 : 0.3,
		.min_reps = quick ? 5 : 9,
		.max_reps = EV_CLOCK_MAX_SAMPLES,
		.stable_rel = 0.002,
		.stop = c->stop,
	};
	struct ev_measurement *m = calloc(1, sizeof *m);
	int rc;
	*n = 0;
	if (!m)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	if ((rc = pool_create(&pool, &c->topo, nthreads, &c->err))) {
		free(m);
		return rc;
	}
	rc = driver_measure(pool, &j, &o, m, &c->err);
	pool_destroy(pool);
	if (rc == EV_OK) {
		/* a clock that failed verification is no clock: never used */
		if (m->status == EV_ERR_VERIFY || (m->status != EV_OK && m->nsamples == 0)) {
			snprintf(reason, rlen, "%s", m->reason);
			rc = m->status;
		} else {
			for (int i = 0; i < m->nsamples && i < EV_CLOCK_MAX_SAMPLES; i++)
				hz[(*n)++] = m->per_rep.ops / nthreads / m->t_s[i];
		}
	}
	free(m);
	return rc;
}

int bench_clock(struct ev_ctx *c, int quick, struct ev_clock_result *r)
{
	int rc;
	memset(r, 0, sizeof *r);
	r->nthreads_all = c->topo.cores > 0 ? c->topo.cores : 1;
	rc = clock_run(c, 1, quick, r->s1, &r->n1, r->reason, sizeof r->reason);
	if (rc == EV_OK && r->nthreads_all > 1)
		rc = clock_run(c, r->nthreads_all, quick, r->sall, &r->nall, r->reason,
			       sizeof r->reason);
	if (rc == EV_ERR_UNSUPPORTED || rc == EV_ERR_VERIFY) {
		r->status = rc;
		return EV_OK;
	}
	if (rc)
		return rc;
	stats_compute(r->s1, (size_t)r->n1, 1, &r->one);
	if (r->nall)
		stats_compute(r->sall, (size_t)r->nall, 1, &r->all);
	else
		r->all = r->one;
	return EV_OK;
}

static void stats_obj(cJSON *o, const char *unit, const struct ev_stats *s)
{
	char k[64];
	snprintf(k, sizeof k, "best_%s", unit);
	json_num(o, k, s->best);
	snprintf(k, sizeof k, "median_%s", unit);
	json_num(o, k, s->median);
	snprintf(k, sizeof k, "min_%s", unit);
	json_num(o, k, s->min);
	snprintf(k, sizeof k, "max_%s", unit);
	json_num(o, k, s->max);
	json_num(o, "spread_rel", s->spread_rel);
	json_num(o, "samples", (double)s->n);
}

cJSON *bench_clock_json(const struct ev_clock_result *r)
{
	cJSON *o = cJSON_CreateObject(), *one, *all, *arr;
	json_str(o, "method", "dependent integer add chain, 1 add per cycle");
	json_str(o, "source", "measured");
	if (r->status != EV_OK) {
		json_str(o, "status", ev_measure_status_name(r->status));
		json_str(o, "reason", r->reason);
		return o;
	}
	json_str(o, "status", "ok");
	one = cJSON_AddObjectToObject(o, "one_core");
	stats_obj(one, "hz", &r->one);
	arr = cJSON_AddArrayToObject(one, "samples_hz");
	for (int i = 0; i < r->n1; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(r->s1[i]));
	all = cJSON_AddObjectToObject(o, "all_cores");
	json_num(all, "threads", r->nthreads_all);
	stats_obj(all, "hz", &r->all);
	arr = cJSON_AddArrayToObject(all, "samples_hz");
	for (int i = 0; i < r->nall; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(r->sall[i]));
	return o;
}
