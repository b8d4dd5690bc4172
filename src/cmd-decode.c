/* src/cmd-decode.c: `eaves decode`: measured decode against its ceilings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-decode.h"
#include "bench-gpu.h"
#include "cmds.h"
#include "decode-plot.h"
#include "devices.h"
#include "json.h"
#include "models.h"
#include "opt.h"
#include "result.h"
#include "units.h"

enum { O_JSON, O_MODEL, O_QUANT, O_PROMPT, O_TOKENS, O_CTX, O_CTXTOK, O_THREADS, O_BW, O_DEVICE,
       O_SEED, O_QUICK, O_ISA, O_PLOT, O_GGUF, O_PROMPT_IDS, O_COUNTERS, O_GPU, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the result as JSON to FILE ('-' = stdout)"},
	[O_MODEL] = {"model", EV_OPT_STR, "M", "model name (eaves models) or a model JSON file"},
	[O_QUANT] = {"quant", EV_OPT_STR, "LIST", "weight formats: q4_0,q8_0,q4_K,q5_K,q6_K,f16,bf16,f32", "q4_0,q8_0,f16"},
	[O_PROMPT] = {"prompt", EV_OPT_INT, "N", "prompt tokens, prefilled as one batch (TTFT)", "128", 1, 8192},
	[O_TOKENS] = {"tokens", EV_OPT_INT, "N", "tokens generated one by one (TPOT)", "64", 1, 1024},
	[O_CTX] = {"ctx", EV_OPT_STR, "LIST", "context lengths to decode at (KV cache filled synthetically)",
		   "128,1024,4096"},
	[O_CTXTOK] = {"ctx-tokens", EV_OPT_INT, "N", "tokens decoded at each context length", "8", 1, 64},
	[O_THREADS] = {"threads", EV_OPT_INT, "N", "threads (default: all cores; on a hybrid CPU the fastest kind's, then a check on all)", NULL, 1, 256},
	[O_BW] = {"bw", EV_OPT_STR, "FILE", "DRAM bandwidth for the ceiling from a saved result (default: measure now)"},
	[O_DEVICE] = {"device", EV_OPT_STR, "D", "also compare with this device's datasheet bandwidth"},
	[O_SEED] = {"seed", EV_OPT_INT, "N", "seed of the synthetic weights and prompt", "1", 0, 2147483647},
	[O_QUICK] = {"quick", EV_OPT_FLAG, NULL, "prompt 32, 16 tokens, ctx 128,1024, 4 tokens per ctx"},
	[O_ISA] = {"isa", EV_OPT_STR, "NAME", "use only kernels within this feature set: generic, avx2, avx512, avx512vnni, neon, dotprod... (eaves info lists them)"},
	[O_PLOT] = {"plot", EV_OPT_STR, "DIR",
		    "write decode-ctx and decode-bars plots (.dat, .gp, .png, .svg) into DIR"},
	[O_GGUF] = {"gguf", EV_OPT_STR, "FILE", "decode a GGUF model file's real weights (llama, qwen2; f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_K q5_K q6_K tensors)"},
	[O_PROMPT_IDS] = {"prompt-ids", EV_OPT_STR, "LIST", "the prompt as token ids, e.g. 1,2,3 (default: --prompt seeded random ids)"},
	[O_COUNTERS] = EV_OPT_COUNTERS,
	[O_GPU] = EV_OPT_GPU,
};

static const char details[] =
	"Runs a real Llama-family decode (RMSNorm, GQA attention with RoPE over an fp16\n"
	"KV cache, SwiGLU, LM head, greedy sampling) on synthetic weights stored in\n"
	"q4_0/q8_0/q4_K/q5_K/q6_K/f16/bf16/f32 blocks, or (--gguf FILE) on a model\n"
	"file's own tensors, memory-mapped, each in its own format; greedy decoding\n"
	"from --prompt-ids is deterministic, and the result names the file, its\n"
	"sha256 and its tensor type mix. A file larger than memory is not decoded:\n"
	"eaves says so and gives the ceiling of streaming it from storage. Reports TTFT, TPOT p50/p95, tokens/s, bytes per\n"
	"token (computed), achieved GB/s, the ceiling bytes/token / DRAM bandwidth and\n"
	"the % reached, the kernel's compute ceiling (weights in cache) and which bound\n"
	"the run met, and tokens/s at each context length.\n"
	"With --gpu N, one decode step's matrices run on that Vulkan device instead\n"
	"(synthetic q4_0/q8_0/q4_K/q5_K/q6_K/f16, or a GGUF file's tensors in those\n"
	"formats), against the GPU's own measured read bandwidth.\n";

int cmd_decode_setup(struct ev_ctx *c, struct ev_optval *v, struct ev_decode_opts *o);
int cmd_decode_setup(struct ev_ctx *c, struct ev_optval *v, struct ev_decode_opts *o)
{
	struct ev_decode_text t = {
		.model = v[O_MODEL].s,
		.quant = v[O_QUANT].s,
		.ctx = v[O_CTX].s,
		.prompt = (int)v[O_PROMPT].i,
		.tokens = (int)v[O_TOKENS].i,
		.ctx_tokens = (int)v[O_CTXTOK].i,
		.gguf = v[O_GGUF].set ? v[O_GGUF].s : NULL,
		.prompt_ids = v[O_PROMPT_IDS].set ? v[O_PROMPT_IDS].s : NULL,
		.quant_given = v[O_QUANT].set,
		.ctx_given = v[O_CTX].set,
	};
	int rc;
	memset(o, 0, sizeof *o);
	o->quick = v[O_QUICK].set;
	if (o->quick) {
		if (!v[O_PROMPT].set)
			t.prompt = 32;
		if (!v[O_TOKENS].set)
			t.tokens = 16;
		if (!v[O_CTXTOK].set)
			t.ctx_tokens = 4;
		if (!v[O_CTX].set)
			t.ctx = "128,1024";
	}
	o->threads = v[O_THREADS].set ? (int)v[O_THREADS].i : topo_fast_cores(&c->topo);
	if (!v[O_THREADS].set && o->threads < c->topo.cores)
		o->all_cores = c->topo.cores;
	if ((rc = cmd_check_threads(c, "--threads", o->threads)))
		return rc;
	if ((rc = bench_decode_opts_parse(c, &t, "--", o)))
		return rc;
	o->seed = (uint64_t)v[O_SEED].i;
	if (v[O_BW].set) {
		struct rep_mem m;
		if ((rc = rep_dram_read(v[O_BW].s, o->threads, &m, &c->err)))
			return rc;
		o->bw_best = m.best;
		o->bw_median = m.median;
		o->bw_given = 1;
		snprintf(o->bw_source, sizeof o->bw_source, "%s: read kernel, %d threads", v[O_BW].s,
			 m.threads);
	}
	if (v[O_DEVICE].set) {
		struct ev_device *d = calloc(1, sizeof *d);
		if (!d)
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		if ((rc = devices_load(v[O_DEVICE].s, d, &c->err))) {
			free(d);
			return rc;
		}
		if (d->peak_bw_bytes_per_s <= 0) {
			rc = ev_fail(&c->err, EV_ERR_USAGE, "--device %s: the datasheet has no memory bandwidth",
				     d->id);
			free(d);
			return rc;
		}
		o->ds_bw = d->peak_bw_bytes_per_s;
		snprintf(o->ds_name, sizeof o->ds_name, "%s", d->name);
		snprintf(o->ds_basis, sizeof o->ds_basis, "%s", d->bw_basis);
		free(d);
	}
	return EV_OK;
}

/* decode --gpu N: the step's matrices on a GPU (bench-gpu.c). */
static int gpu_decode(struct ev_ctx *c, const struct ev_decode_opts *o, int index, const char *json)
{
	struct ev_gpu_decode_result *r = calloc(1, sizeof *r);
	int rc, failed = 0;
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	rc = bench_gpu_decode(c, index, &o->shape, o->types, o->ntypes, o->gguf ? o->file.path : NULL,
			      o->gguf ? o->file.label : NULL, o->quick, r);
	if (rc == EV_OK) {
		if ((!json || strcmp(json, "-")) && !r->status)
			bench_gpu_decode_print(c->out, r);
		if (json) {
			cJSON *doc = json_result_new(c, "decode");
			cJSON_AddItemToObject(doc, "gpu_decode", bench_gpu_decode_json(r));
			rc = cmd_write_json(c, doc, json);
			cJSON_Delete(doc);
		}
		for (int i = 0; i < r->n; i++)
			failed += r->run[i].status == EV_ERR_VERIFY;
		if (rc == EV_OK && r->status)
			rc = ev_fail(&c->err, EV_ERR_UNSUPPORTED, "--gpu %d: %s", index, r->reason);
		else
			rc = cmd_verify_status(c, rc, failed);
	}
	free(r);
	return rc;
}

int cmd_decode(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc;
	struct ev_decode_opts o;
	struct ev_decode_result *r;
	cJSON *doc;
	if ((rc = opt_parse("decode", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "decode", "--model M | --gguf FILE [options]",
			       "Measure LLM decoding speed on this machine next to its ceilings.", details,
			       opts, O__N);
		return EV_OK;
	}
	if ((rc = ctx_machine(c)) || (rc = cmd_apply_isa(c, v[O_ISA].set ? v[O_ISA].s : NULL)) ||
	    (rc = cmd_apply_counters(c, v[O_COUNTERS].set ? v[O_COUNTERS].s : NULL)) ||
	    (rc = cmd_decode_setup(c, v, &o)))
		return rc;
	if (v[O_GPU].set)
		return gpu_decode(c, &o, (int)v[O_GPU].i, v[O_JSON].set ? v[O_JSON].s : NULL);
	r = calloc(1, sizeof *r);
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	rc = bench_decode(c, &o, r);
	if (rc == EV_OK || r->nruns > 0) {
		int wrc = EV_OK;
		if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-"))
			bench_decode_print(c->out, r);
		if (v[O_JSON].set || v[O_PLOT].set) {
			doc = json_result_new(c, "decode");
			cJSON_AddItemToObject(doc, "decode", bench_decode_json(r));
			if (v[O_JSON].set)
				wrc = cmd_write_json(c, doc, v[O_JSON].s);
			if (v[O_PLOT].set && wrc == EV_OK) {
				struct plot_out po;
				wrc = plot_decode(doc, v[O_PLOT].s, "decode", &po, &c->err);
				if (wrc == EV_OK)
					fprintf(c->log, "eaves decode: %s\n", po.note);
			}
			cJSON_Delete(doc);
		}
		if (rc == EV_OK)
			rc = wrc;
		if (rc == EV_OK && r->interrupted)
			rc = EV_ERR_INTERRUPTED;
		rc = cmd_verify_status(c, rc, bench_decode_failed(r));
	}
	free(r);
	return rc;
}
