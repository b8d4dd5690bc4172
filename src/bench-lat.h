/* src/bench-lat.h: memory latency per level (4 KiB and huge pages), loaded
 * latency, memory-level parallelism and the Little's-law bandwidth bound they
 * imply. Used by `eaves latency|bw|characterize`. */
#ifndef EV_BENCH_LAT_H
#define EV_BENCH_LAT_H
#include <stdio.h>

#include "bench.h"

#define EV_LAT_MAX_POINTS 256
#define EV_LAT_MAX_LOADS 16
#define EV_LAT_MAX_MLP 8
#define EV_LAT_MAX_SAMPLES 64

struct ev_lat_opts {
	int quick;
	uint64_t min_ws, max_ws;  /* 0 = from topology: L1/4 .. 8x last-level cache */
	uint64_t single_ws;       /* measure only this working set */
	int dram_only;            /* the sweep is the DRAM working set alone */
	int points_per_octave;    /* 0: one point per level (the quick profile) */
	double budget_s;          /* aim for the sweep */
	unsigned pages_mask;      /* bit per enum ev_pages */
	int mlp;                  /* measure memory-level parallelism */
	int nload;                /* loaded-latency injection delays (0: none) */
	uint32_t load_delay[EV_LAT_MAX_LOADS];
	int bound_read;           /* measure DRAM read (1 and all threads) for the bound's comparison */
	const struct ev_clock_result *clock; /* measured already in this run, or NULL: measure */
};

struct ev_lat_point {
	enum ev_pages pages;
	uint64_t ws_bytes;
	int status;
	char reason[192];
	uint64_t iters;
	double links_per_rep;
	double huge_fraction;     /* of the chase buffer, -1 unknown */
	int nsamples;
	double t_s[EV_LAT_MAX_SAMPLES];
	struct ev_stats lat;      /* seconds per link */
};

struct ev_lat_level {
	char name[8];             /* "L1".."L5", "DRAM" */
	double capacity_bytes, ws_lo, ws_hi;
	int point[2];             /* per enum ev_pages, -1 none */
};

struct ev_lat_load {
	uint32_t delay;           /* spin iterations per 64 lines read */
	int loaders;
	int status;
	char reason[192];
	struct ev_stats lat;      /* seconds per link of the chase */
	double load_bw;           /* bytes/s the loaders read, together */
};

struct ev_lat_mlp {
	int chains;
	int status;
	char reason[192];
	struct ev_stats lat;      /* seconds per link of one chase */
	double bw;                /* bytes/s of all chases, at the median */
};

/* Computed from the measurements above, never measured itself. */
struct ev_lat_bound {
	int valid;
	char reason[192];         /* why not, when !valid */
	int mlp;                  /* chases at the knee: lines in flight per core */
	double best_chase_bw;     /* bytes/s, one core, best chase count */
	double lat_idle_s;        /* DRAM, one chase, nothing else running */
	double lat_loaded_s;      /* DRAM, one chase, every other core reading at full rate */
	int loaded;               /* lat_loaded_s was measured under load (else = idle) */
	int cores;
	double one_core, all_cores; /* bytes/s: mlp x 64 / idle; cores x mlp x 64 / loaded */
	double read_one, read_all;  /* measured DRAM read bytes/s (median), 0 unknown */
	char read_source[96];
};

struct ev_lat_result {
	int interrupted;
	double elapsed_s;
	struct ev_lat_opts opts;
	const char *kernel;
	double clock_hz;          /* one core, median; 0 unknown */
	char clock_source[96];
	char thp[48];             /* the kernel's THP mode */
	char load_note[160];      /* why loaded latency was skipped, or "" */
	int npoints;
	struct ev_lat_point pts[EV_LAT_MAX_POINTS];
	int nlevels;
	struct ev_lat_level levels[EV_MAX_CACHES + 1];
	int nplateaus;
	struct ev_bw_plateau *plateaus;
	uint64_t dram_ws;         /* the working set of the MLP and loaded runs */
	int nloads;
	struct ev_lat_load loads[EV_LAT_MAX_LOADS];
	int nmlp;
	struct ev_lat_mlp mlp[EV_LAT_MAX_MLP];
	struct ev_lat_bound bound;
};

void bench_lat_defaults(struct ev_ctx *c, int quick, struct ev_lat_opts *o);
int bench_lat(struct ev_ctx *c, const struct ev_lat_opts *o, struct ev_lat_result *r);
/* Only what the bound needs (DRAM latency idle and loaded, MLP), for `bw`. */
void bench_lat_bound_opts(struct ev_ctx *c, struct ev_lat_opts *o);
/* Fill r->bound from r's measurements and the measured DRAM read (0 = none). */
void bench_lat_bound(struct ev_lat_result *r, int cores, double read_one, double read_all,
		     const char *read_source);
cJSON *bench_lat_json(const struct ev_lat_result *r);
cJSON *bench_lat_bound_json(const struct ev_lat_bound *b);
void bench_lat_print(FILE *f, const struct ev_lat_result *r);
void bench_lat_bound_print(FILE *f, const struct ev_lat_bound *b);
void bench_lat_free(struct ev_lat_result *r);
int bench_lat_failed(const struct ev_lat_result *r);

#endif
