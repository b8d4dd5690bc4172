/* reports/result.h: reading saved results back (on any machine): the roofs
 * (memory levels, compute peaks), measured kernel points and the identity of
 * the machine. Everything a plot, report or comparison needs, with no
 * measuring. Schema: docs/schema.md. */
#ifndef EV_RESULT_H
#define EV_RESULT_H
#include <cjson/cJSON.h>
#include <stddef.h>

#include "err.h"

/* Entries of each list a result may hold: more is an error naming the limit,
 * never a silent cut (8 thread counts x 7 kernels x 6 levels = 336). */
#define REP_MAX 512
/* Valid ranges of numbers read from results: a thread count, a rate (bytes/s,
 * FLOP/s: a measured roof is positive and below an exa-rate). */
#define REP_MAX_THREADS 65536
#define REP_MIN_RATE 1.0
#define REP_MAX_RATE 1e18

struct rep_mem {
	char level[8];   /* "L1".."L5", "DRAM" */
	char kernel[12]; /* "read", "triad"... */
	int threads;
	double best, median, spread; /* bytes/s; spread relative */
};

struct rep_peak {
	char prec[8];
	char kernel[32];
	int threads;
	double best, median, spread, theoretical; /* ops/s; theoretical 0 if unknown */
};

/* A measured kernel on the roofline (decode runs). */
struct rep_point {
	char label[96];
	double intensity;   /* FLOP/byte */
	double perf;        /* FLOP/s achieved */
	double tok_per_s;         /* a GPU's: decode steps (its matrices) per second */
	double ceiling_tok_per_s;
	int gpu;                  /* a GPU's decode step (gpu_results[].decode), not the CPU's decode */
};

/* Memory latency (the latency section): per level and page kind, the sweep's
 * points, the loaded-latency curve and the computed Little's-law bound. */
#define REP_MIN_LAT 1e-12 /* seconds: a load faster than a picosecond is no load */
#define REP_MAX_LAT 1.0
struct rep_lat {
	char level[8];        /* "L1".."DRAM"; "" for a sweep point */
	char pages[8];        /* "4k" or "huge" */
	double ws_bytes;
	double median_s, spread;
};
struct rep_loaded {
	double load_bw;       /* bytes/s the other cores read */
	double median_s;
};
struct rep_bound {
	int valid, mlp, cores;
	double lat_idle_s, lat_loaded_s;
	double one_core, all_cores;  /* bytes/s, computed */
	double read_one, read_all;   /* bytes/s, measured, 0 unknown */
};

/* A measured Vulkan device (characterize's gpu_results[], or the "gpu" of
 * bw/flops --gpu): its best read bandwidth and FMA peaks, 0 where not
 * measured. */
#define REP_MAX_GPUS 16
struct rep_gpu {
	char name[96];
	char type[16];     /* "integrated", "discrete", "cpu" (a software renderer)... */
	double read, fp32, fp16, int8; /* best: bytes/s, FLOP/s, INT8 operations/s */
	double coop;       /* best cooperative-matrix (fp16 inputs) FLOP/s, either accumulator */
};
struct rep_result {
	char path[512];
	char command[32];
	char host[128];
	char created[32];
	char cpu[128];
	char uarch[32];
	char device[96];     /* datasheet name given with --device, if any */
	double ds_bw;        /* its memory bandwidth, bytes/s (0 none) */
	double ds_fp32;      /* its derived FP32 peak, FLOP/s (0 none) */
	char ds_basis[16];
	int cores;
	int threads_max;     /* largest thread count measured */
	double clock_hz;     /* measured, one core; 0 unknown */
	int nmem;
	struct rep_mem mem[REP_MAX];
	int npeak;
	struct rep_peak peak[REP_MAX];
	int npts;
	struct rep_point pts[REP_MAX];
	int nlat, nlatpts, nloaded;
	struct rep_lat lat[REP_MAX];     /* levels */
	struct rep_lat latpts[REP_MAX];  /* the sweep */
	struct rep_loaded loaded[REP_MAX];
	double lat_clock_hz;             /* the latency section's clock, 0 unknown */
	struct rep_bound bound;
	int ngpu;
	struct rep_gpu gpu[REP_MAX_GPUS];
};

int rep_load(const cJSON *doc, const char *path, struct rep_result *r, struct ev_err *e);
int rep_load_file(const char *path, struct rep_result *r, struct ev_err *e);
/* Memory roof of `level` for the read kernel at `threads` (0 = the most threads). */
const struct rep_mem *rep_mem_find(const struct rep_result *r, const char *level, int threads);
/* Latency of `level` with `pages` ("4k", "huge"), NULL if not measured. */
const struct rep_lat *rep_lat_find(const struct rep_result *r, const char *level, const char *pages);
const struct rep_peak *rep_peak_find(const struct rep_result *r, const char *prec, int threads);
/* The DRAM read roof of a saved result at `threads` (or its most threads when
 * not measured at that count); a usage error naming the file when it has none. */
int rep_dram_read(const char *path, int threads, struct rep_mem *out, struct ev_err *e);
/* How a result is named in a fleet: its folder (results/fleet-<UTC>/<host>/
 * result.json -> "<host>"), or its file name. */
const char *rep_short_name(const struct rep_result *r, char *buf, size_t len);
/* "host (cpu)" or the device name: how a result is labelled in plots. */
const char *rep_label(const struct rep_result *r, char *buf, int len);

#endif
