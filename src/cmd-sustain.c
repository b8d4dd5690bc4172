/* src/cmd-sustain.c: `eaves sustain`: burst against sustained speed, the time
 * until the clocks drop, TPOT per phase and energy per token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-sustain.h"
#include "cmds.h"
#include "json.h"
#include "opt.h"
#include "sustain-plot.h"
#include "sysfs.h"

enum { O_JSON, O_DURATION, O_INTERVAL, O_IDLE, O_KERNEL, O_MODEL, O_QUANT, O_GGUF, O_THREADS,
       O_SEED, O_ISA, O_SYSROOT, O_PLOT, O_COUNTERS, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the result as JSON to FILE ('-' = stdout)"},
	[O_DURATION] = {"duration", EV_OPT_TIME, "T", "how long to run without pause", "10m", 1, 86400},
	[O_INTERVAL] = {"interval", EV_OPT_TIME, "T", "window: one rate and one sensor sample each", "1s", 0.05, 3600},
	[O_IDLE] = {"idle", EV_OPT_TIME, "T", "idle power measured first (0: skip)", "2s", 0, 600},
	[O_KERNEL] = {"kernel", EV_OPT_STR, "K", "decode, read (DRAM bandwidth) or fp32 (FMA peak)", "decode"},
	[O_MODEL] = {"model", EV_OPT_STR, "M", "decode: model shape (eaves models)", "TinyLlama-1.1B"},
	[O_QUANT] = {"quant", EV_OPT_STR, "Q", "decode: one weight format", "q4_0"},
	[O_GGUF] = {"gguf", EV_OPT_STR, "FILE", "decode: a GGUF model file's weights instead"},
	[O_THREADS] = {"threads", EV_OPT_INT, "N", "threads (default: all cores)", NULL, 1, 256},
	[O_SEED] = {"seed", EV_OPT_INT, "N", "seed of the synthetic weights", "1", 0, 2147483647},
	[O_ISA] = {"isa", EV_OPT_STR, "NAME", "use only kernels within this feature set (eaves info lists them)"},
	[O_SYSROOT] = {"sysroot", EV_OPT_STR, "DIR", "read clocks, temperatures and power under DIR instead of / (fixtures)"},
	[O_PLOT] = {"plot", EV_OPT_STR, "DIR", "write the plot over time (sustain.dat, .gp, .png, .svg) into DIR"},
	[O_COUNTERS] = EV_OPT_COUNTERS,
};

static const char details[] =
	"Runs the workload without pause and samples it per window: its rate (tokens/s,\n"
	"GB/s or GFLOP/s, measured), the CPU clocks (cpufreq), the memory controller's\n"
	"clock (devfreq), every temperature, power per rail (INA3221) or from energy\n"
	"counters (RAPL), and throttle flags. Reports the burst rate (first window), the\n"
	"sustained rate (median of the last third), the time to throttle (the first of 3\n"
	"windows in a row below 95% of burst), when the CPU clock dropped, TPOT before and\n"
	"after the drop, and joules per token (total and above the idle power measured\n"
	"first). Where a sensor is missing its part says \"unavailable\" and why.\n"
	"Ctrl-C ends the run and keeps every window measured.\n";

int cmd_sustain(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc;
	struct ev_sustain_opts o;
	struct ev_sustain_result *r;
	if ((rc = opt_parse("sustain", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "sustain", "[--duration T] [--kernel decode|read|fp32] [options]",
			       "Burst vs sustained speed, throttling and energy per token over time.", details,
			       opts, O__N);
		return EV_OK;
	}
	memset(&o, 0, sizeof o);
	o.duration_s = v[O_DURATION].d;
	o.interval_s = v[O_INTERVAL].d;
	o.idle_s = v[O_IDLE].d;
	if (o.interval_s * 2 > o.duration_s)
		return ev_fail(&c->err, EV_ERR_USAGE, "--interval %s: at least two windows must fit in --duration %s",
			       v[O_INTERVAL].s, v[O_DURATION].s);
	if (!strcmp(v[O_KERNEL].s, "decode"))
		o.workload = EV_SUS_DECODE;
	else if (!strcmp(v[O_KERNEL].s, "read"))
		o.workload = EV_SUS_READ;
	else if (!strcmp(v[O_KERNEL].s, "fp32"))
		o.workload = EV_SUS_FP32;
	else
		return ev_fail(&c->err, EV_ERR_USAGE, "--kernel: '%s' is not decode, read or fp32", v[O_KERNEL].s);
	if (o.workload != EV_SUS_DECODE && (v[O_MODEL].set || v[O_QUANT].set || v[O_GGUF].set))
		return ev_fail(&c->err, EV_ERR_USAGE, "--model, --quant and --gguf go with --kernel decode");
	if ((rc = ctx_machine(c)) || (rc = cmd_apply_isa(c, v[O_ISA].set ? v[O_ISA].s : NULL)) ||
	    (rc = cmd_apply_counters(c, v[O_COUNTERS].set ? v[O_COUNTERS].s : NULL)))
		return rc;
	o.threads = v[O_THREADS].set ? (int)v[O_THREADS].i : c->topo.cores > 0 ? c->topo.cores : 1;
	if ((rc = cmd_check_threads(c, "--threads", o.threads)))
		return rc;
	if (o.workload == EV_SUS_DECODE) {
		struct ev_decode_text t = {.model = v[O_GGUF].set && !v[O_MODEL].set ? NULL : v[O_MODEL].s,
					   .quant = v[O_QUANT].s, .ctx = "128", .prompt = 1, .tokens = 1,
					   .ctx_tokens = 1, .gguf = v[O_GGUF].set ? v[O_GGUF].s : NULL,
					   .quant_given = v[O_QUANT].set, .ctx_given = 0};
		o.dec.threads = o.threads;
		if ((rc = bench_decode_opts_parse(c, &t, "--", &o.dec)))
			return rc;
		if (o.dec.ntypes != 1)
			return ev_fail(&c->err, EV_ERR_USAGE, "--quant: one format for a sustain run (%d given)",
				       o.dec.ntypes);
		if (o.dec.shape.max_ctx < 512)
			return ev_fail(&c->err, EV_ERR_USAGE, "sustain: %s has %d positions; the run decodes at 128..383 of 512",
				       o.dec.shape.name, o.dec.shape.max_ctx);
		o.dec.seed = (uint64_t)v[O_SEED].i;
		o.dec.prompt = 1;
		o.dec.ctx[0] = 511;
		if ((rc = bench_decode_check_fit(c, &o.dec)))
			return rc;
	}
	if (v[O_SYSROOT].set)
		sysfs_set_root(v[O_SYSROOT].s);
	if (!(r = calloc(1, sizeof *r)))
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	rc = bench_sustain(c, &o, r);
	if (rc == EV_OK || r->nwin > 0) {
		int wrc = EV_OK;
		if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-"))
			bench_sustain_print(c->out, r);
		if (v[O_JSON].set || v[O_PLOT].set) {
			cJSON *doc = json_result_new(c, "sustain");
			cJSON_AddItemToObject(doc, "sustain", bench_sustain_json(r));
			if (v[O_JSON].set)
				wrc = cmd_write_json(c, doc, v[O_JSON].s);
			if (v[O_PLOT].set && wrc == EV_OK && r->nwin > 0) {
				struct plot_out po;
				wrc = plot_sustain(doc, v[O_PLOT].s, "sustain", &po, &c->err);
				if (wrc == EV_OK)
					fprintf(c->log, "eaves sustain: %s\n", po.note);
			}
			cJSON_Delete(doc);
		}
		if (rc == EV_OK)
			rc = wrc;
		if (rc == EV_OK && r->interrupted)
			rc = EV_ERR_INTERRUPTED;
	}
	bench_sustain_free(r);
	free(r);
	return rc;
}
