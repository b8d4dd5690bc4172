/* src/cmds.h: the subcommands, one cmd-*.c each, dispatched from main.c. */
#ifndef EV_CMDS_H
#define EV_CMDS_H
#include <cjson/cJSON.h>
#include <stdint.h>

#include "ctx.h"

/* name, summary: the one place a command is added. */
#define EV_COMMANDS(X)                                                                       \
	X(info, "machine topology, CPU features, measured clock and machine state")         \
	X(bw, "memory bandwidth per cache level and DRAM")                                  \
	X(latency, "memory latency per level, loaded latency, misses in flight")            \
	X(flops, "peak FLOP/s per precision, theoretical peaks and ridge points")           \
	X(decode, "reference INT4/INT8/FP16 LLM decode against its bandwidth ceiling")     \
	X(sustain, "burst vs sustained speed over time: throttling, clocks, energy per token") \
	X(predict, "decode ceiling on paper: bytes/token / bandwidth, and the memory fit")   \
	X(models, "model shapes shipped in configs/models, with sizes per format")         \
	X(devices, "device datasheets shipped in configs/devices")                          \
	X(counters, "hardware counters: the PMU, the events eaves counts, whether it works") \
	X(characterize, "measure everything and write a results folder with plots and a report") \
	X(plot, "draw rooflines from saved results (gnuplot PNG/SVG, .dat and .gp)")       \
	X(compare, "compare saved results side by side, with an overlaid roofline")

#define X(n, s) int cmd_##n(struct ev_ctx *c, int argc, char **argv);
EV_COMMANDS(X)
#undef X

/* Shared by commands: apply --isa NAME (NULL = best); usage error if unusable. */
int cmd_apply_isa(struct ev_ctx *c, const char *name);
/* --counters, the same on every measuring command */
#define EV_OPT_COUNTERS                                                                         \
	{"counters", EV_OPT_STR, "WHAT",                                                        \
	 "hardware counters on every sample: auto (default), off, or libpfm4 event names, "     \
	 "comma-separated (eaves counters lists the PMU and events)"}
/* --gpu N on bw and flops: the GPU kernels in mask instead of the CPU's, printed
 * and written (--json) as the result's `gpu` section; exit 3 if any failed
 * verification. */
#define EV_OPT_GPU                                                                              \
	{"gpu", EV_OPT_INT, "N",                                                                \
	 "measure Vulkan device N instead of the CPU (eaves info lists them)", NULL, 0, 7}
int cmd_gpu_run(struct ev_ctx *c, const char *command, int index, unsigned mask, uint64_t ws,
		int quick, const char *json);
/* Check --counters (an event libpfm4 cannot encode is a usage error) and keep it. */
int cmd_apply_counters(struct ev_ctx *c, const char *what);
/* Refuse more threads than the machine has hardware threads (oversubscribed
 * figures are the scheduler's, not the machine's). */
int cmd_check_threads(struct ev_ctx *c, const char *opt, int n);
/* Parse --threads LIST ("1,2" or "1-4") into t[] (at most max); returns the
 * count or a usage error's negative code after filling c->err. */
int cmd_parse_threads(struct ev_ctx *c, const char *text, int *t, int max);
/* rc, or (when rc is EV_OK and nfailed > 0) a verification error: the figures
 * were printed and written with their status, and the command exits 3. */
int cmd_verify_status(struct ev_ctx *c, int rc, int nfailed);
/* Load and check a run profile file (fields, types, ranges), measuring
 * nothing: for tests and fuzzing. */
int cmd_check_profile(const char *path, struct ev_err *e);
/* --size / --min-size / --max-size of a sweep: set what was given, refuse a
 * size or max below 4 KiB and min > max. */
struct ev_optval;
int cmd_size_range(struct ev_ctx *c, const struct ev_optval *one, const struct ev_optval *mn,
		   const struct ev_optval *mx, uint64_t *single_ws, uint64_t *min_ws, uint64_t *max_ws);
/* Write doc to --json FILE if given; prints nothing on success. */
int cmd_write_json(struct ev_ctx *c, cJSON *doc, const char *path);

#endif
