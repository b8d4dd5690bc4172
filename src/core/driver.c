/* src/core/driver.c: the measuring loop shared by every probe.
 * Calibrate passes per repetition until one repetition lasts min_sample_s (and
 * 1000x the timer's resolution), drop a warm-up repetition (calibrating again
 * if the warm-up shows the calibration was fooled by a cold start), then repeat until
 * stable, out of time or max_reps. Timing is done by thread 0 between two
 * barriers, so a sample covers the slowest thread.
 * Fault injection (tests, docs/robustness.md): EAVES_FAULT=verify:<probe>
 * makes every job of that probe fail verification after it ran, so the path
 * from a wrong kernel result to the user (status, report, exit 3) is tested
 * without a broken kernel. */
#include "probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "timer.h"

struct drv {
	struct ev_job *j;
	struct ev_pool *pool;
	double t0, t1;
	int rc[EV_MAX_THREADS];
	struct ev_err err[EV_MAX_THREADS];
};

static void do_setup(void *a, int tid, int n)
{
	struct drv *d = a;
	(void)n;
	d->rc[tid] = d->j->probe->setup ? d->j->probe->setup(d->j, tid, &d->err[tid]) : 0;
}

static void do_verify(void *a, int tid, int n)
{
	struct drv *d = a;
	(void)n;
	d->rc[tid] = d->j->probe->verify ? d->j->probe->verify(d->j, tid, &d->err[tid]) : 0;
}

static void do_teardown(void *a, int tid, int n)
{
	struct drv *d = a;
	(void)n;
	if (d->j->probe->teardown)
		d->j->probe->teardown(d->j, tid);
}

static void do_rep(void *a, int tid, int n)
{
	struct drv *d = a;
	(void)n;
	pool_barrier(d->pool);
	if (tid == 0)
		d->t0 = timer_now();
	d->j->probe->run(d->j, tid);
	pool_barrier(d->pool);
	if (tid == 0)
		d->t1 = timer_now();
}

static double one_rep(struct drv *d)
{
	pool_run(d->pool, do_rep, d);
	return d->t1 - d->t0;
}

static int first_error(struct drv *d, int n, struct ev_err *e)
{
	for (int t = 0; t < n; t++)
		if (d->rc[t]) {
			*e = d->err[t];
			return d->rc[t];
		}
	return EV_OK;
}

const char *ev_measure_status_name(int status)
{
	switch (status) {
	case EV_OK:
		return "ok";
	case EV_ERR_UNSUPPORTED:
		return "skipped";
	case EV_ERR_VERIFY:
		return "failed_verification";
	case EV_ERR_INTERRUPTED:
		return "interrupted";
	default:
		return "error";
	}
}

static int fault_verify(const char *probe)
{
	const char *f = getenv("EAVES_FAULT");
	return f && !strncmp(f, "verify:", 7) && !strcmp(f + 7, probe);
}

int driver_measure(struct ev_pool *pool, struct ev_job *j, const struct ev_measure_opts *o,
		   struct ev_measurement *m, struct ev_err *e)
{
	struct drv *dp = NULL;
	struct ev_cnt_pool *cg = NULL;
	const struct ev_probe *p = j->probe;
	double target, t, t_start, elapsed;
	int rc, n = j->nthreads, inited = 0;

	memset(m, 0, sizeof *m);
	if (n < 1 || n > EV_MAX_THREADS || n != pool_size(pool))
		return ev_fail(e, EV_ERR_RUNTIME, "%s: job wants %d threads, pool has %d", p->name,
			       n, pool_size(pool));
	if (!j->cpu)
		return ev_fail(e, EV_ERR_RUNTIME, "%s: job has no CPU description", p->name);
	if (o->max_reps > EV_MAX_SAMPLES || o->min_reps > o->max_reps)
		return ev_fail(e, EV_ERR_RUNTIME,
			       "%s: %d to %d repetitions asked; a measurement keeps %d samples at most",
			       p->name, o->min_reps, o->max_reps, EV_MAX_SAMPLES);
	if (p->supported && p->supported(j, m->reason, sizeof m->reason)) {
		m->status = EV_ERR_UNSUPPORTED;
		return EV_OK;
	}
	dp = calloc(1, sizeof *dp); /* per-thread error text: too large for the stack */
	if (!dp)
		return ev_fail(e, EV_ERR_RUNTIME, "%s: out of memory", p->name);
	dp->j = j;
	dp->pool = pool;
	if (p->init && (rc = p->init(j, e))) {
		free(dp);
		return rc;
	}
	inited = 1;
	pool_run(pool, do_setup, dp);
	if ((rc = first_error(dp, n, e)))
		goto out;

	/* Calibrate: the calibration repetitions also warm caches and TLBs. A
	 * first repetition slowed by a cold start (page faults, a JIT under
	 * qemu, a waking core) can end the calibration too early; the warm-up at
	 * the final length catches that, and calibration goes on from there. */
	target = timer_min_sample(o->min_sample_s);
	j->iters = 1;
	for (int rounds = 0;; rounds++) {
		for (;;) {
			t = one_rep(dp);
			if (t >= target || j->iters >= (1ULL << 40))
				break;
			if (t <= 0)
				j->iters *= 16;
			else {
				double f = target / t * 1.25;
				j->iters = (uint64_t)((double)j->iters * (f < 2 ? 2 : f > 1000 ? 1000 : f));
			}
			if (o->stop && *o->stop)
				break;
		}
		t = one_rep(dp); /* warm-up at the final length: dropped */
		if (t >= target * 0.8 || j->iters >= (1ULL << 40) || rounds >= 8 || (o->stop && *o->stop))
			break;
	}
	m->iters = j->iters;

	if (o->counters)
		cnt_pool_open(&cg, pool, o->counters, &m->cnt);
	else
		snprintf(m->cnt.reason, sizeof m->cnt.reason, "not counted");
	t_start = timer_now();
	while (m->nsamples < EV_MAX_SAMPLES && m->nsamples < o->max_reps) {
		if (o->stop && *o->stop) {
			m->status = EV_ERR_INTERRUPTED;
			snprintf(m->reason, sizeof m->reason, "interrupted after %d samples",
				 m->nsamples);
			break;
		}
		cnt_pool_start(cg);
		m->t_s[m->nsamples++] = one_rep(dp);
		cnt_pool_stop(cg, &m->cnt);
		elapsed = timer_now() - t_start;
		if (m->nsamples >= o->min_reps) {
			struct ev_stats st;
			if (elapsed >= o->max_time_s)
				break;
			stats_compute(m->t_s, (size_t)m->nsamples, 0, &st);
			if (m->nsamples >= 2 * o->min_reps && st.iqr_rel < o->stable_rel)
				break;
		}
	}

	cnt_pool_close(cg);
	cg = NULL;
	pool_run(pool, do_verify, dp);
	if (fault_verify(p->name))
		dp->rc[0] = ev_fail(&dp->err[0], EV_ERR_VERIFY,
				    "%s: fault injected by EAVES_FAULT=verify:%s", p->name, p->name);
	if ((rc = first_error(dp, n, e))) {
		if (rc == EV_ERR_VERIFY) {
			m->status = EV_ERR_VERIFY;
			snprintf(m->reason, sizeof m->reason, "%s", e->msg);
			rc = EV_OK;
		}
		goto out;
	}
	if (p->counts) {
		struct ev_counts c;
		p->counts(j, &c);
		m->per_rep.bytes = c.bytes * (double)j->iters;
		m->per_rep.bytes_wa = c.bytes_wa * (double)j->iters;
		m->per_rep.ops = c.ops * (double)j->iters;
	}
out:
	cnt_pool_close(cg);
	pool_run(pool, do_teardown, dp);
	if (inited && p->fini)
		p->fini(j);
	free(dp);
	return rc;
}
