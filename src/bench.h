/* src/bench.h: measurements built from probes: the clock, the bandwidth sweep
 * and the FLOP/s table. Used by `eaves info|bw|flops|characterize`. Each fills
 * a plain struct and turns it into the JSON section of a result. */
#ifndef EV_BENCH_H
#define EV_BENCH_H
#include <cjson/cJSON.h>
#include <stdint.h>

#include "ctx.h"
#include "mem.h"
#include "probe.h"
#include "roofs.h"
#include "stats.h"

/* ---- clock ---- */
#define EV_CLOCK_MAX_SAMPLES 64 /* the repetitions asked for: every sample is kept */
struct ev_clock_result {
	int status;              /* EV_OK or EV_ERR_UNSUPPORTED/VERIFY */
	char reason[256];
	int nthreads_all;
	struct ev_stats one;     /* Hz, one pinned core */
	struct ev_stats all;     /* Hz per core, all cores at once */
	int n1, nall;
	double s1[EV_CLOCK_MAX_SAMPLES], sall[EV_CLOCK_MAX_SAMPLES];
};
int bench_clock(struct ev_ctx *c, int quick, struct ev_clock_result *r);
cJSON *bench_clock_json(const struct ev_clock_result *r);

/* ---- bandwidth ---- */
#define EV_BW_MAX_SAMPLES 64
#define EV_BW_MAX_THREAD_COUNTS 16
#define EV_BW_MAX_LEVELS 8
/* Working sets of one sweep: 16 points per octave over 40 octaves, plus one per
 * level; a plan that needs more is refused with this limit named. */
#define EV_BW_MAX_SIZES 672

struct ev_bw_opts {
	int quick;
	int nthr;
	int threads[EV_BW_MAX_THREAD_COUNTS];
	unsigned kernel_mask;    /* bit per enum bw_kernel */
	uint64_t min_ws, max_ws; /* 0 = from topology */
	uint64_t single_ws;      /* measure only this working set */
	int points_per_octave;
	double budget_s;         /* total time to aim for */
	enum ev_pages pages;
	int first_slot;          /* placement slot of thread 0 (0: the fastest cores first) */
};

struct ev_bw_point {
	int kernel, threads;
	uint64_t ws_bytes;
	int status;
	char reason[192];
	uint64_t iters;
	double bytes_per_rep, bytes_wa_per_rep;
	int nsamples;
	double t_s[EV_BW_MAX_SAMPLES];
	struct ev_stats bw;      /* bytes/s, STREAM convention */
	struct ev_cnt_values cnt; /* hardware counters over the samples */
	struct ev_mem_state mem[2]; /* memory controller and governor before, after */
};

struct ev_bw_level {
	char name[8];            /* "L1".."L5", "DRAM" */
	int threads, kernel;
	double capacity_bytes;   /* aggregate for this thread count; 0 for DRAM */
	double ws_lo, ws_hi;     /* the window of the sweep that belongs to it */
	int point;               /* index of the representative point, -1 none */
};

struct ev_bw_plateau {
	int threads;
	double ws_lo, ws_hi;
	double median;           /* of the curve's values: bytes/s (bw), seconds (latency) */
	double knee_bytes;       /* knee to the next plateau, 0 for the last */
	char level[8];           /* hwloc level the knee matches */
	double level_capacity_bytes, ratio;
	int agrees;              /* knee within 2x of the hwloc capacity */
};

struct ev_bw_result {
	int interrupted;
	int set;                 /* enum ev_target of the kernels used */
	enum ev_pages pages;
	double timer_res_s, elapsed_s;
	struct ev_bw_opts opts;
	int npoints, cap;
	struct ev_bw_point *pts;
	int nlevels;
	struct ev_bw_level levels[EV_BW_MAX_THREAD_COUNTS * 8 * EV_BW_MAX_LEVELS];
	int nplateaus;
	struct ev_bw_plateau *plateaus; /* nplateaus of them (bench_bw_free) */
	struct ev_cnt_plan cnt_plan;    /* what each point's counters are */
};

/* Fill opts with the defaults for this machine (threads 1 and all, all kernels). */
void bench_bw_defaults(struct ev_ctx *c, int quick, struct ev_bw_opts *o);
int bench_bw(struct ev_ctx *c, const struct ev_bw_opts *o, struct ev_bw_result *r);
cJSON *bench_bw_json(const struct ev_bw_result *r);
void bench_bw_print(FILE *f, const struct ev_bw_result *r);
void bench_bw_free(struct ev_bw_result *r);
/* The read kernel alone at one thread count: a sweep over every level, or
 * (dram_only) one working set of 8x the last-level cache (at least 256 MiB).
 * The one helper behind the roofs `flops` divides its ridge points by and the
 * reference DRAM figure `decode` reports. */
int bench_bw_read(struct ev_ctx *c, int threads, int quick, int dram_only, struct ev_bw_result *r);
/* The working sets of one thread count's sweep, ascending (public for tests):
 * the count, or -1 when more than max would be needed. */
int bench_bw_plan_sizes(const struct ev_ctx *c, const struct ev_bw_opts *o, int threads,
			uint64_t *ws, int max);
/* Level figures and plateaus of r's points (public for tests). */
int bench_bw_summarize(struct ev_ctx *c, struct ev_bw_result *r);
/* Plateaus of one curve (ws ascending) at T threads, their knees matched to
 * hwloc's capacities, appended to *out (realloc'd). */
int bench_curve_plateaus(struct ev_ctx *c, int T, const double *ws, const double *y, int n,
			 double tol, struct ev_bw_plateau **out, int *nout);
/* A plateau's fields (working sets, its median under median_key, the knee to
 * the next and its hwloc match) added to q. */
void bench_plateau_json(cJSON *q, const struct ev_bw_plateau *P, const char *median_key);
/* The sweep's DRAM read level at this thread count (median bytes/s), 0 none. */
double bench_bw_dram_read(const struct ev_bw_result *r, int threads);

/* Hybrid CPUs: the read bandwidth of each core kind on its own (all cores of
 * the kind, pinned to them), DRAM-sized working set unless ws > 0. */
struct ev_bw_kind {
	char name[48];
	int kind, cores, first_slot, status;
	double best, median;     /* bytes/s */
	uint64_t ws_bytes;
	char reason[192];
};
/* Fills up to EV_MAX_KINDS entries, fastest kind first; *n = 0 on a machine
 * with one kind. */
int bench_bw_kinds(struct ev_ctx *c, int quick, uint64_t ws, struct ev_bw_kind *out, int *n);
cJSON *bench_bw_kinds_json(const struct ev_bw_kind *k, int n);
/* Points whose results failed verification (left out of levels and plateaus). */
int bench_bw_failed(const struct ev_bw_result *r);

/* ---- peak FLOP/s ---- */
#define EV_FLOPS_MAX_ENTRIES 256
struct ev_flops_entry {
	int kernel, threads;
	int core_kind;        /* -1: default placement (fastest kind first) */
	int status;
	char reason[192];
	uint64_t iters;
	double ops_per_rep;
	int nsamples;
	double t_s[EV_BW_MAX_SAMPLES];
	struct ev_stats rate; /* ops/s */
	int cnt_use;          /* which of the result's plans: enum ev_cnt_use */
	struct ev_cnt_values cnt;
};

struct ev_flops_peak {
	int prec, threads, entry;  /* entry: the kernel row giving the peak */
	double theoretical;        /* ops/s, 0 if unknown */
	char theo_reason[160];
	double ratio;              /* measured best / theoretical */
	int suspect;               /* ratio > 1.05 */
};

struct ev_flops_opts {
	int quick;
	int nthr;
	int threads[EV_BW_MAX_THREAD_COUNTS];
	unsigned prec_mask;        /* bit per enum ev_prec */
	const struct ev_clock_result *clock; /* measured already in this run, or NULL: measure */
};

struct ev_flops_result {
	int interrupted;
	double elapsed_s;
	struct ev_clock_result clock;
	char uarch[32], uarch_basis[256];
	int uarch_found;
	int nentries;
	struct ev_flops_entry e[EV_FLOPS_MAX_ENTRIES];
	int npeaks;
	struct ev_flops_peak peaks[EV_PREC__COUNT * EV_BW_MAX_THREAD_COUNTS]; /* one per (prec, threads) */
	struct ev_cnt_plan cnt_plan[EV_CNT__USES]; /* counters of FP32, FP64 and other kernels */
};

void bench_flops_defaults(struct ev_ctx *c, int quick, struct ev_flops_opts *o);
int bench_flops(struct ev_ctx *c, const struct ev_flops_opts *o, struct ev_flops_result *r);
cJSON *bench_flops_json(const struct ev_flops_result *r);
void bench_flops_print(FILE *f, const struct ev_flops_result *r);
/* The best kernel per (precision, thread count), with its theoretical peak and
 * the "suspect" flag (public for tests). */
void bench_flops_peaks(struct ev_ctx *c, const struct ev_flops_opts *o, struct ev_flops_result *r);
/* The median rate of the widest kernel of prec usable here, on the pool's
 * threads, with short (quick) samples: what decode sets its prefill next to.
 * *rate = 0 when no kernel of prec runs here. */
struct ev_pool;
int bench_flops_prec_peak(struct ev_ctx *c, struct ev_pool *pool, int prec, double *rate,
			  char *kernel, size_t klen);
/* Kernels (and the clock) whose results failed verification (left out of peaks). */
int bench_flops_failed(const struct ev_flops_result *r);

#endif
