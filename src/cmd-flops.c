/* src/cmd-flops.c: `eaves flops`: the compute half of the roofline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bw.h"
#include "cmds.h"
#include "gpu.h"
#include "flops.h"
#include "json.h"
#include "opt.h"
#include "result.h"
#include "ridges.h"
#include "units.h"

enum { O_JSON, O_QUICK, O_THREADS, O_PRECS, O_ISA, O_BW, O_NORIDGE, O_COUNTERS, O_GPU, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the result as JSON to FILE ('-' = stdout)"},
	[O_QUICK] = {"quick", EV_OPT_FLAG, NULL, "short runs, about 10 s on a 2-core machine"},
	[O_THREADS] = {"threads", EV_OPT_STR, "LIST", "thread counts (default: 1 and all cores)"},
	[O_PRECS] = {"precisions", EV_OPT_STR, "LIST", "fp64,fp32,fp16,bf16,int8 (default: all)"},
	[O_ISA] = {"isa", EV_OPT_STR, "NAME", "use only kernels within this feature set: generic, avx2, avx512, avx512vnni, neon, dotprod... (eaves info lists them)"},
	[O_BW] = {"bw", EV_OPT_STR, "FILE",
		  "bandwidths for ridge points from a saved result (default: measure read bandwidth now)"},
	[O_NORIDGE] = {"no-ridge", EV_OPT_FLAG, NULL, "skip ridge points (and the bandwidth they need)"},
	[O_COUNTERS] = EV_OPT_COUNTERS,
	[O_GPU] = EV_OPT_GPU,
};

static const char details[] =
	"Runs FMA chains (FP64/FP32 at every SIMD width), native FP16 FMA, BF16 and INT8\n"
	"dot products where the CPU has them; every lane is checked against a scalar\n"
	"model. Theoretical peak = cores x measured clock x ops/cycle (configs/uarch.json);\n"
	"above 105% of it is flagged suspect. Ridge point = peak / bandwidth per level.\n";

/* Bandwidth for ridge points: a saved result, or a short read sweep now. */
static int ridge_bw(struct ev_ctx *c, const char *file, int quick, int threads, cJSON **bwdoc,
		    struct rep_result *mem)
{
	struct ev_bw_result *r;
	int rc;
	if (file) {
		if ((rc = rep_load_file(file, mem, &c->err)))
			return rc;
		if (mem->nmem == 0)
			return ev_fail(&c->err, EV_ERR_USAGE,
				       "--bw %s: the result has no bandwidth levels to divide by (run "
				       "eaves bw first)",
				       file);
		if (!rep_mem_find(mem, "DRAM", 0))
			fprintf(c->log, "eaves flops: --bw %s has no DRAM level: ridge points against "
					"its cache levels only\n", file);
		return EV_OK;
	}
	r = calloc(1, sizeof *r);
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	if ((rc = bench_bw_read(c, threads, quick, 0, r)) == EV_OK) {
		*bwdoc = cJSON_CreateObject();
		cJSON_AddItemToObject(*bwdoc, "bw", bench_bw_json(r));
		json_str(*bwdoc, "schema", EV_SCHEMA);
		json_num(*bwdoc, "schema_version", EV_SCHEMA_VERSION);
		rc = rep_load(*bwdoc, "(bandwidth measured in this run)", mem, &c->err);
	}
	bench_bw_free(r);
	free(r);
	return rc;
}

int cmd_flops(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc;
	struct ev_flops_opts o;
	struct ev_flops_result *r = NULL;
	struct rep_result *pk = NULL, *mem = NULL;
	cJSON *doc = NULL, *bwdoc = NULL, *fl;
	if ((rc = opt_parse("flops", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "flops", "[options]",
			       "Measure peak arithmetic rate per precision and the ridge points.",
			       details, opts, O__N);
		return EV_OK;
	}
	if ((rc = ctx_machine(c)) || (rc = cmd_apply_isa(c, v[O_ISA].set ? v[O_ISA].s : NULL)) ||
	    (rc = cmd_apply_counters(c, v[O_COUNTERS].set ? v[O_COUNTERS].s : NULL)))
		return rc;
	if (v[O_GPU].set)
		return cmd_gpu_run(c, "flops", (int)v[O_GPU].i,
				   1u << EV_GPU_FMA32 | 1u << EV_GPU_FMA16 | 1u << EV_GPU_DOT8 | 1u << EV_GPU_COOP16 |
					   1u << EV_GPU_COOP32,
				   0, v[O_QUICK].set, v[O_JSON].set ? v[O_JSON].s : NULL);
	bench_flops_defaults(c, v[O_QUICK].set, &o);
	if (v[O_THREADS].set) {
		int n = cmd_parse_threads(c, v[O_THREADS].s, o.threads, EV_BW_MAX_THREAD_COUNTS);
		if (n < 0)
			return -n;
		o.nthr = n;
	}
	if (v[O_PRECS].set) {
		char buf[128], *tok, *save = NULL;
		snprintf(buf, sizeof buf, "%s", v[O_PRECS].s);
		o.prec_mask = 0;
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int p = ev_prec_by_name(tok);
			if (p < 0)
				return ev_fail(&c->err, EV_ERR_USAGE,
					       "--precisions: unknown precision '%s' (known: fp64, fp32, "
					       "fp16, bf16, int8)",
					       tok);
			o.prec_mask |= 1u << p;
		}
	}
	r = calloc(1, sizeof *r);
	pk = calloc(1, sizeof *pk);
	mem = calloc(1, sizeof *mem);
	if (!r || !pk || !mem) {
		rc = ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		goto out;
	}
	/* A bad --bw file is a usage error before minutes of measuring. */
	if (v[O_BW].set && !v[O_NORIDGE].set &&
	    (rc = ridge_bw(c, v[O_BW].s, v[O_QUICK].set, 1, &bwdoc, mem)))
		goto out;
	if ((rc = bench_flops(c, &o, r)) && r->nentries == 0)
		goto out;
	doc = json_result_new(c, "flops");
	fl = bench_flops_json(r);
	cJSON_AddItemToObject(doc, "flops", fl);
	if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-"))
		bench_flops_print(c->out, r);
	if (!v[O_NORIDGE].set && !r->interrupted && rc == EV_OK) {
		int maxT = 1;
		for (int i = 0; i < o.nthr; i++)
			if (o.threads[i] > maxT)
				maxT = o.threads[i];
		if (!v[O_BW].set)
			rc = ridge_bw(c, NULL, v[O_QUICK].set, maxT, &bwdoc, mem);
		if (rc == EV_OK && (rc = rep_load(doc, "(this run)", pk, &c->err)) == EV_OK) {
			cJSON_AddItemToObject(fl, "ridges",
					      rep_ridges_json(pk, mem,
							      v[O_BW].set ? v[O_BW].s : "measured in this run (read kernel)"));
			if (!bwdoc && v[O_BW].set && json_read_file(v[O_BW].s, &bwdoc, &c->err) == EV_OK) {
				/* keep the result self-contained: its roofline needs the bandwidths */
				cJSON *b = cJSON_GetObjectItemCaseSensitive(bwdoc, "bw");
				if (b)
					json_str(b, "copied_from", v[O_BW].s);
			}
			if (bwdoc && cJSON_GetObjectItemCaseSensitive(bwdoc, "bw"))
				cJSON_AddItemToObject(doc, "bw", cJSON_DetachItemFromObject(bwdoc, "bw"));
			if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-"))
				rep_ridges_print(c->out, pk, mem);
		}
	}
	if (v[O_JSON].set) {
		int wrc = cmd_write_json(c, doc, v[O_JSON].s);
		if (!rc)
			rc = wrc;
	}
	if (rc == EV_OK && r->interrupted)
		rc = EV_ERR_INTERRUPTED;
	rc = cmd_verify_status(c, rc, bench_flops_failed(r));
out:
	cJSON_Delete(doc);
	cJSON_Delete(bwdoc);
	free(r);
	free(pk);
	free(mem);
	return rc;
}
