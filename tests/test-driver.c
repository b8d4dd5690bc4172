/* tests/test-driver.c: every path of the measuring driver, driven by a fake
 * probe whose behaviour the test sets: a clean run, a verification failure, a
 * setup failure on one thread, a stop during calibration, an early stop on
 * stable samples, and a job the probe says it cannot run. */
#include <signal.h>
#include <stdlib.h>

#include "harness.h"
#include "probe.h"
#include "timer.h"
#include "topo.h"

struct fake {
	int unsupported;        /* supported() refuses */
	int fail_setup_tid;     /* this thread's setup fails (-1: none) */
	int fail_verify;        /* verify() reports wrong results */
	int stop_after_runs;    /* raise the stop flag at this run (0: never) */
	double pass_s;          /* busy time of one pass */
	volatile sig_atomic_t stop;
	int inits, setups, runs, verifies, teardowns, finis;
};

static int f_supported(const struct ev_job *j, char *why, size_t len)
{
	const struct fake *f = j->params;
	if (f->unsupported) {
		snprintf(why, len, "fake: not here");
		return -1;
	}
	return 0;
}

static int f_init(struct ev_job *j, struct ev_err *e)
{
	struct fake *f = (struct fake *)j->params;
	(void)e;
	f->inits++;
	return EV_OK;
}

static int f_setup(struct ev_job *j, int tid, struct ev_err *e)
{
	struct fake *f = (struct fake *)j->params;
	__atomic_add_fetch(&f->setups, 1, __ATOMIC_SEQ_CST);
	if (tid == f->fail_setup_tid)
		return ev_fail(e, EV_ERR_RUNTIME, "fake: setup failed on thread %d", tid);
	return EV_OK;
}

static void f_run(struct ev_job *j, int tid)
{
	struct fake *f = (struct fake *)j->params;
	double t0 = timer_now();
	while (timer_now() - t0 < f->pass_s * (double)j->iters)
		;
	if (tid == 0 && ++f->runs == f->stop_after_runs)
		f->stop = 1;
}

static int f_verify(struct ev_job *j, int tid, struct ev_err *e)
{
	struct fake *f = (struct fake *)j->params;
	__atomic_add_fetch(&f->verifies, 1, __ATOMIC_SEQ_CST);
	if (f->fail_verify)
		return ev_fail(e, EV_ERR_VERIFY, "fake: thread %d result is wrong", tid);
	return EV_OK;
}

static void f_teardown(struct ev_job *j, int tid)
{
	struct fake *f = (struct fake *)j->params;
	(void)tid;
	__atomic_add_fetch(&f->teardowns, 1, __ATOMIC_SEQ_CST);
}

static void f_fini(struct ev_job *j)
{
	((struct fake *)j->params)->finis++;
}

static void f_counts(const struct ev_job *j, struct ev_counts *c)
{
	c->bytes = c->bytes_wa = 1000.0 * j->nthreads;
	c->ops = 10.0 * j->nthreads;
}

static const struct ev_probe fake_probe = {
	.name = "fake",
	.summary = "a probe whose behaviour the test sets",
	.supported = f_supported,
	.init = f_init,
	.setup = f_setup,
	.run = f_run,
	.verify = f_verify,
	.teardown = f_teardown,
	.fini = f_fini,
	.counts = f_counts,
};

static struct ev_topo topo;
static struct ev_pool *pool;
static struct ev_cpu cpu;

static int measure(struct fake *f, struct ev_measurement *m, struct ev_err *e, int min_reps,
		   int max_reps, double stable_rel)
{
	struct ev_job j = {.probe = &fake_probe, .cpu = &cpu, .params = f, .nthreads = 2};
	struct ev_measure_opts o = {.min_sample_s = 2e-4, .max_time_s = 5, .min_reps = min_reps,
				    .max_reps = max_reps, .stable_rel = stable_rel, .stop = &f->stop};
	return driver_measure(pool, &j, &o, m, e);
}

static void test_clean_run(void)
{
	struct fake f = {.fail_setup_tid = -1, .pass_s = 1e-5};
	struct ev_measurement m;
	struct ev_err e = {0};
	int rc = measure(&f, &m, &e, 3, 6, 0);
	T_CHECK(rc == EV_OK && m.status == EV_OK, "rc %d status %d %s", rc, m.status, e.msg);
	T_CHECK(m.nsamples == 6, "runs to max_reps when never stable: %d", m.nsamples);
	T_CHECK(m.iters >= 1 && m.per_rep.bytes == 2000.0 * (double)m.iters,
		"counts scaled by passes: %g for %llu passes", m.per_rep.bytes,
		(unsigned long long)m.iters);
	for (int i = 0; i < m.nsamples; i++)
		T_CHECK(m.t_s[i] >= 2e-4 * 0.9, "sample %d lasts %g s (>= min_sample_s)", i, m.t_s[i]);
	T_CHECK(f.inits == 1 && f.setups == 2 && f.verifies == 2 && f.teardowns == 2 && f.finis == 1,
		"ops called once per job/thread: %d %d %d %d %d", f.inits, f.setups, f.verifies,
		f.teardowns, f.finis);
	T_CHECK(!strcmp(ev_measure_status_name(m.status), "ok"), "status name");
}

static void test_verify_failure(void)
{
	struct fake f = {.fail_setup_tid = -1, .fail_verify = 1, .pass_s = 1e-5};
	struct ev_measurement m;
	struct ev_err e = {0};
	int rc = measure(&f, &m, &e, 3, 4, 0);
	T_CHECK(rc == EV_OK, "a wrong result is the job's outcome, not a driver error: %d", rc);
	T_CHECK(m.status == EV_ERR_VERIFY && strstr(m.reason, "result is wrong"),
		"status %d reason '%s'", m.status, m.reason);
	T_CHECK(!strcmp(ev_measure_status_name(m.status), "failed_verification"),
		"never called 'skipped'");
	T_CHECK(f.teardowns == 2 && f.finis == 1, "cleaned up after a failure");
}

static void test_setup_failure(void)
{
	struct fake f = {.fail_setup_tid = 1, .pass_s = 1e-5};
	struct ev_measurement m;
	struct ev_err e = {0};
	int rc = measure(&f, &m, &e, 3, 4, 0);
	T_CHECK(rc == EV_ERR_RUNTIME && strstr(e.msg, "setup failed on thread 1"), "rc %d: %s", rc,
		e.msg);
	T_CHECK(f.runs == 0, "nothing timed after a failed setup: %d runs", f.runs);
	T_CHECK(f.teardowns == 2 && f.finis == 1, "teardown takes a half-done setup: %d %d",
		f.teardowns, f.finis);
}

static void test_stop_in_calibration(void)
{
	struct fake f = {.fail_setup_tid = -1, .pass_s = 1e-6, .stop_after_runs = 1};
	struct ev_measurement m;
	struct ev_err e = {0};
	int rc = measure(&f, &m, &e, 3, 10, 0);
	T_CHECK(rc == EV_OK && m.status == EV_ERR_INTERRUPTED, "rc %d status %d", rc, m.status);
	T_CHECK(m.nsamples == 0 && strstr(m.reason, "interrupted after 0 samples"), "%d: %s",
		m.nsamples, m.reason);
	T_CHECK(f.teardowns == 2 && f.finis == 1, "cleaned up after a stop");
}

static void test_stop_while_sampling(void)
{
	struct fake f = {.fail_setup_tid = -1, .pass_s = 1e-5};
	struct ev_measurement m;
	struct ev_err e = {0};
	int rc;
	/* calibration and warm-up take a few runs; stop a few samples later */
	rc = measure(&f, &m, &e, 3, 400, 0);
	f = (struct fake){.fail_setup_tid = -1, .pass_s = 1e-5, .stop_after_runs = f.runs - 400 + 5};
	rc = measure(&f, &m, &e, 3, 400, 0);
	T_CHECK(rc == EV_OK && m.status == EV_ERR_INTERRUPTED && m.nsamples > 0 && m.nsamples < 400,
		"rc %d status %d after %d samples", rc, m.status, m.nsamples);
}

static void test_early_stop_when_stable(void)
{
	struct fake f = {.fail_setup_tid = -1, .pass_s = 2e-5};
	struct ev_measurement m;
	struct ev_err e = {0};
	/* a 50% tolerance: any sane machine is "stable" at once */
	int rc = measure(&f, &m, &e, 4, 200, 0.5);
	T_CHECK(rc == EV_OK && m.status == EV_OK, "rc %d status %d", rc, m.status);
	/* 8 on a quiet machine; a loaded one (an emulator next to a build) may need a
	 * few more samples before the IQR is under 50% */
	T_CHECK(m.nsamples >= 8 && m.nsamples <= 16, "stops at 2 x min_reps once stable: %d samples",
		m.nsamples);
}

/* More repetitions than a measurement keeps: refused with the limit named,
 * never cut silently. */
static void test_sample_limit(void)
{
	struct fake f = {.fail_setup_tid = -1, .pass_s = 1e-5};
	struct ev_measurement m;
	struct ev_err e = {0};
	int rc = measure(&f, &m, &e, 3, EV_MAX_SAMPLES + 1, 0);
	T_CHECK(rc == EV_ERR_RUNTIME && strstr(e.msg, "keeps 512 samples at most"), "rc %d: %s", rc,
		e.msg);
}

static void test_unsupported(void)
{
	struct fake f = {.fail_setup_tid = -1, .unsupported = 1};
	struct ev_measurement m;
	struct ev_err e = {0};
	int rc = measure(&f, &m, &e, 3, 4, 0);
	T_CHECK(rc == EV_OK && m.status == EV_ERR_UNSUPPORTED && !strcmp(m.reason, "fake: not here"),
		"rc %d status %d '%s'", rc, m.status, m.reason);
	T_CHECK(f.inits == 0 && f.setups == 0, "nothing set up for a job that cannot run");
	T_CHECK(!strcmp(ev_measure_status_name(m.status), "skipped"), "status name");
}

/* Counters on every kept sample of every thread, end to end: the kernel's
 * software task clock needs no PMU, so this runs in a VM too. */
static void test_counters(void)
{
	struct fake f = {.fail_setup_tid = -1, .pass_s = 2e-5};
	struct ev_measurement *m = calloc(1, sizeof *m);
	struct ev_job j = {.probe = &fake_probe, .cpu = &cpu, .params = &f, .nthreads = 2};
	struct ev_measure_opts o = {.min_sample_s = 1e-3, .max_time_s = 5, .min_reps = 8,
				    .max_reps = 8, .stable_rel = 0, .stop = &f.stop};
	struct ev_cnt_plan *p = calloc(1, sizeof *p);
	struct ev_err e = {0};
	double t = 0, per;
	T_CHECK(counters_plan(p, EV_CNT_USE_BASIC, "perf::TASK-CLOCK,perf::PAGE-FAULTS", 0, 0, &e) == 0,
		"plan: %s", e.msg);
	o.counters = p;
	T_CHECK(driver_measure(pool, &j, &o, m, &e) == 0 && m->status == EV_OK, "measured: %s", e.msg);
	if (!m->cnt.ok) {
		T_SKIP("perf_event_open of a software event fails here: %s", m->cnt.reason);
	} else {
		for (int i = 0; i < m->nsamples; i++)
			t += m->t_s[i];
		per = m->cnt.sum[0] / m->cnt.reps;
		T_CHECK(m->cnt.reps == m->nsamples && m->cnt.n == 2, "one count per kept sample: %d/%d",
			m->cnt.reps, m->nsamples);
		/* two threads spin through each sample: about 2 x its time in task-clock ns
		 * (on-CPU time only: a thread the scheduler set aside on a loaded machine
		 * counts less, so the floor is one thread's share). The ceiling is loose: a
		 * thread's count also holds its spin at the pool's barriers around the
		 * timed span, which under ASan on a loaded 2-core machine reached 7x a
		 * 1 ms sample; it still catches a unit or a sum that is wrong (1000x). */
		T_CHECK(per > 0.4 * t / m->nsamples * 1e9 && per < 20 * 2 * t / m->nsamples * 1e9,
			"task clock %.3g ns per sample of %.3g s on 2 threads", per, t / m->nsamples);
		T_CHECK(counters_per_rep(p, &m->cnt, EV_CNT_MEM) == -1, "no memory event: -1");
	}
	/* a plan that cannot count: the measurement is whole, the reason kept */
	memset(p, 0, sizeof *p);
	snprintf(p->reason, sizeof p->reason, "no PMU in this test");
	T_CHECK(driver_measure(pool, &j, &o, m, &e) == 0 && m->status == EV_OK && m->nsamples == 8,
		"measured without counters");
	T_CHECK(!m->cnt.ok && !strcmp(m->cnt.reason, "no PMU in this test"), "reason '%s'",
		m->cnt.reason);
	free(p);
	free(m);
}

int main(void)
{
	struct ev_err e = {0};
	t_prog = "test-driver";
	cpu_detect(&cpu);
	if (topo_open(&topo, NULL, &e) || pool_create(&pool, &topo, 2, &e)) {
		printf("cannot make a pool of 2 threads: %s\n", e.msg);
		return 1;
	}
	T_RUN(test_clean_run);
	T_RUN(test_verify_failure);
	T_RUN(test_setup_failure);
	T_RUN(test_stop_in_calibration);
	T_RUN(test_stop_while_sampling);
	T_RUN(test_early_stop_when_stable);
	T_RUN(test_unsupported);
	T_RUN(test_sample_limit);
	T_RUN(test_counters);
	pool_destroy(pool);
	topo_close(&topo);
	T_DONE();
}
