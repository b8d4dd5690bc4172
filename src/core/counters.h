/* src/core/counters.h: hardware counters through libpfm4 and perf_event_open.
 * Counters are a cross-check that may be unavailable (VMs without PMU
 * passthrough, perf_event_paranoid, containers): every figure eaves reports is
 * computed analytically as well, and a missing PMU is "unavailable: reason".
 *
 * A plan says which events a measurement counts and how to encode them:
 * cycles and instructions always, plus memory-traffic events (bytes = count x
 * line size) for bandwidth and decode, and floating-point events (FLOP = count
 * x elements) for FP32/FP64 peaks. On x86 the events come from libpfm4's model
 * tables (Intel, AMD Zen); on Arm from the kernel PMU's own event list in sysfs
 * (every PMUv3 core: Cortex-A53..A78, X1, Neoverse), one encoding per PMU so a
 * thread on a big.LITTLE board counts with its own core's PMU. A user list
 * (--counters) replaces the plan. */
#ifndef EV_COUNTERS_H
#define EV_COUNTERS_H
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define EV_COUNTERS_MAX 8
#define EV_CNT_PMUS 4

struct ev_counters_status {
	int available;
	char pmu[64];        /* the core PMU found under /sys/bus/event_source/devices */
	int paranoid;        /* /proc/sys/kernel/perf_event_paranoid, -99 unknown */
	char reason[256];
};

/* What the system offers (sysfs under the configurable root): no side effects. */
void counters_probe(struct ev_counters_status *s);

enum ev_cnt_kind { EV_CNT_CYCLES, EV_CNT_INSTR, EV_CNT_MEM, EV_CNT_FLOP, EV_CNT_USER };
/* What a measurement needs counted. */
enum ev_cnt_use { EV_CNT_USE_MEM, EV_CNT_USE_FP32, EV_CNT_USE_FP64, EV_CNT_USE_BASIC, EV_CNT__USES };

struct ev_cnt_enc {
	uint32_t type;
	uint64_t config, config1, config2;
};

struct ev_cnt_event {
	char name[128];    /* libpfm4 name, or pmu/event for sysfs events */
	int kind;          /* enum ev_cnt_kind */
	double scale;      /* bytes (MEM) or FLOP (FLOP) per count; 1 otherwise */
	struct ev_cnt_enc enc[EV_CNT_PMUS]; /* one per PMU of the plan */
};

struct ev_cnt_plan {
	int available;
	char reason[256];    /* why not, when !available */
	char source[40];     /* "libpfm4 <pmu>", "sysfs", "user" */
	int npmu;
	char pmu[EV_CNT_PMUS][48];
	uint64_t cpus[EV_CNT_PMUS][4]; /* CPUs each PMU counts on (bit per CPU); all 0: any */
	int n;
	struct ev_cnt_event ev[EV_COUNTERS_MAX];
	char mem_what[240];  /* what the memory events count, or why there are none */
	char flop_what[240]; /* the same for FLOP */
};

/* The plan for one use on this machine (sysfs under the configurable root,
 * libpfm4 with LIBPFM_FORCE_PMU honoured). user: NULL or "auto" for eaves'
 * choice, "off", or a comma-separated list of libpfm4 event names. line_bytes:
 * the last-level cache's line (0: 64); llc_level: its level (0: unknown).
 * EV_ERR_USAGE only for a user list that libpfm4 cannot encode; a machine
 * without counters gives a plan with available = 0 and the reason. */
int counters_plan(struct ev_cnt_plan *p, int use, const char *user, int llc_level, int line_bytes,
		  struct ev_err *e);

/* One event of the kernel's list (root/sys/bus/event_source/devices/pmu/
 * events/name) encoded through the PMU's format files; -1 if missing or
 * malformed (public for tests). */
int counters_sysfs_event(const char *pmu, const char *name, struct ev_cnt_enc *out);

struct ev_counters;
/* Open the plan's events as one group on the calling thread (its PMU chosen by
 * the CPU it runs on). EV_ERR_UNSUPPORTED with the reason when the system
 * cannot count them. */
int counters_open_plan(struct ev_counters **out, const struct ev_cnt_plan *p, struct ev_err *e);
/* Open a group of events by libpfm4 name ("cycles", "instructions",
 * "perf::TASK-CLOCK"...) on the calling thread. */
int counters_open(struct ev_counters **out, const char *const *events, int n, struct ev_err *e);
int counters_start(struct ev_counters *c);
/* Stop and read the values (scaled for multiplexing) into vals[n]. */
int counters_stop(struct ev_counters *c, uint64_t *vals);
void counters_close(struct ev_counters *c);

/* Counted values of one measurement: summed over threads and repetitions. */
struct ev_cnt_values {
	int ok;              /* counted; else reason */
	char reason[200];
	int n, reps;         /* events; repetitions (or tokens) the sums cover */
	double sum[EV_COUNTERS_MAX];
};

struct ev_pool;
/* Every thread of a pool opens the plan (counters_open_plan); the first
 * failure is the reason in v. */
struct ev_cnt_pool;
int cnt_pool_open(struct ev_cnt_pool **out, struct ev_pool *pool, const struct ev_cnt_plan *p,
		  struct ev_cnt_values *v);
void cnt_pool_start(struct ev_cnt_pool *g);
/* Stop, and add each thread's values to v (one more repetition). */
void cnt_pool_stop(struct ev_cnt_pool *g, struct ev_cnt_values *v);
void cnt_pool_close(struct ev_cnt_pool *g);

/* Per repetition: the sum of an event kind (scaled: bytes, FLOP; raw for
 * cycles and instructions); -1 when the plan has none of that kind. */
double counters_per_rep(const struct ev_cnt_plan *p, const struct ev_cnt_values *v, int kind);
/* " IPC x" and each --counters event's value per repetition, for a text line. */
void counters_print_brief(FILE *f, const struct ev_cnt_plan *p, const struct ev_cnt_values *v);
/* The "counters" object of a measurement: status, events with their value per
 * repetition, IPC, counted bytes (FLOP) next to the computed ones with the
 * ratio. computed_* < 0: not applicable. unit names what a repetition is. */
cJSON *counters_json(const struct ev_cnt_plan *p, const struct ev_cnt_values *v,
		     double computed_bytes, double computed_flop, const char *unit);

#endif
