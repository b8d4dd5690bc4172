/* src/core/probe.h: the probe interface (after fio's ioengine ops and perf bench).
 * probes/ implements it; the driver (driver.c) pins threads, calibrates the
 * repetition length, warms up, repeats, times and computes statistics. A probe
 * only says how to set up, run one repetition, verify and clean up, and how many
 * bytes and operations one repetition does (likwid-bench style: never guessed
 * by the report). */
#ifndef EV_PROBE_H
#define EV_PROBE_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "cpu.h"
#include "err.h"
#include "mem.h"
#include "threads.h"

#define EV_MAX_THREADS 256

/* Work done by one repetition, summed over threads, counted analytically. */
struct ev_counts {
	double bytes;     /* STREAM convention: bytes the program reads and writes */
	double bytes_wa;  /* plus write-allocate reads of stored lines (non-NT stores) */
	double ops;       /* FLOP, or integer ops for INT8 (2 per multiply-add), or adds */
};

struct ev_job {
	const struct ev_probe *probe;
	const struct ev_cpu *cpu; /* detected CPU, with the --isa cap: kernels are picked from it */
	const void *params;   /* the probe's own parameters (type in its header), NULL = defaults */
	int kernel;           /* index into the probe's kernel table */
	int nthreads;
	uint64_t ws_bytes;    /* total working set over all threads */
	uint64_t iters;       /* passes per timed repetition: set by the driver */
	enum ev_pages pages;
	void *priv;           /* the probe's own state */
};

struct ev_probe {
	const char *name;
	const char *summary;
	/* 0 if this job can run here, else -1 with the reason in why. */
	int (*supported)(const struct ev_job *j, char *why, size_t len);
	int (*init)(struct ev_job *j, struct ev_err *e);            /* single thread */
	int (*setup)(struct ev_job *j, int tid, struct ev_err *e);  /* on each pinned thread: allocate, first-touch */
	void (*run)(struct ev_job *j, int tid);                     /* one repetition: j->iters passes */
	int (*verify)(struct ev_job *j, int tid, struct ev_err *e); /* results are right */
	void (*teardown)(struct ev_job *j, int tid);                /* accepts a half-done setup */
	void (*fini)(struct ev_job *j);
	void (*counts)(const struct ev_job *j, struct ev_counts *c); /* per pass (iters = 1) */
};

struct ev_measure_opts {
	double min_sample_s;  /* each sample at least this long (and >= 1000x timer resolution) */
	double max_time_s;    /* cap for the repetitions of one job */
	int min_reps, max_reps;
	double stable_rel;    /* stop early when the IQR/median of samples is below this */
	const volatile sig_atomic_t *stop; /* set by SIGINT: finish with what we have */
	const struct ev_cnt_plan *counters; /* count these on every thread of every kept
					     * sample (NULL: not counted) */
};

#define EV_MAX_SAMPLES 512
struct ev_measurement {
	int status;           /* EV_OK, EV_ERR_UNSUPPORTED, EV_ERR_VERIFY, EV_ERR_INTERRUPTED */
	char reason[256];
	uint64_t iters;
	int nsamples;
	double t_s[EV_MAX_SAMPLES];  /* duration of each kept repetition (warm-up dropped) */
	struct ev_counts per_rep;    /* work of one repetition */
	struct ev_cnt_values cnt;    /* counted over the kept samples (o->counters) */
};

/* How a measurement's status is written in results: "ok", "skipped" (cannot
 * run here), "failed_verification" (ran, but its results were wrong: never
 * used in a peak, ceiling or clock), "interrupted", "error". */
const char *ev_measure_status_name(int status);

/* Run a job on the pool (whose size must equal j->nthreads). Returns EV_OK or an
 * error for failures of eaves itself; the job's own outcome is in m->status. */
int driver_measure(struct ev_pool *pool, struct ev_job *j, const struct ev_measure_opts *o,
		   struct ev_measurement *m, struct ev_err *e);

#endif
