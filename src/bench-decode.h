/* src/bench-decode.h: `eaves decode`: the reference decoder run against its
 * bandwidth ceiling (and datasheet ceiling) for each quantization. */
#ifndef EV_BENCH_DECODE_H
#define EV_BENCH_DECODE_H
#include <cjson/cJSON.h>
#include <stdio.h>

#include "ctx.h"
#include "decode-model.h"
#include "decode.h"
#include "gguf.h"
#include "quant.h"
#include "roofs.h"
#include "stats.h"

#define EV_DEC_MAX_CTX 16        /* context lengths in one run */
#define EV_DEC_MAX_TOKENS 1024    /* tokens generated one by one */
#define EV_DEC_MAX_CTX_TOKENS 64  /* tokens decoded at each context length */
#define EV_DEC_MAX_PROMPT 8192

#define EV_DEC_MAX_FILE_TYPES 16

/* A model file (eaves decode --gguf): what the run names and counts it by. */
struct ev_decode_file {
	char path[512], sha256[65], arch[32], label[32], mix[400];
	double bytes, data_bytes, sha_s;
	unsigned version;
	int ntypes;
	struct gguf_type_total types[EV_DEC_MAX_FILE_TYPES];
	struct ev_weight_bytes wb;       /* exact, from each tensor's own type */
	double mm_weights[EV_TYPE__COUNT], mm_total;
};

struct ev_decode_opts {
	struct ev_model_shape shape;
	int gguf;                        /* weights from a file, not synthetic */
	struct ev_decode_file file;
	int nprompt_ids;                 /* --prompt-ids: the prompt, else seeded random ids */
	int prompt_ids[EV_DEC_MAX_PROMPT];
	int ntypes, types[EV_TYPE__COUNT];
	int prompt, tokens, ctx_tokens, threads, quick;
	/* > threads: after the first format's tokens, decode a few more on this many
	 * threads (all cores: the slower kinds too) to tell whether they help. Set
	 * where threads defaulted to the fastest kind of a hybrid machine. */
	int all_cores;
	/* Peaks per precision on `threads` measured already (characterize's flops
	 * step), 0 = measure in decode; what the prefill is compared with. */
	double peak_given[EV_PREC__COUNT];
	char peak_given_kernel[EV_PREC__COUNT][32];
	int nctx, ctx[EV_DEC_MAX_CTX];
	uint64_t seed;
	double bw_best, bw_median;     /* reference DRAM read bytes/s; 0 = measure now */
	char bw_source[300];
	int bw_given;                  /* from --bw: the ceiling uses it, not the in-place figure */
	double ds_bw;                  /* datasheet bytes/s, 0 = none */
	char ds_name[128], ds_basis[16];
};

/* Seconds per token in each decoder phase (mean over the threads) and the
 * longest any thread waited at barriers, per token. */
struct ev_decode_phases {
	int ok;
	double s[DEC_PHASE__COUNT];
	double wait_max_s;
};

struct ev_decode_ctxpt {
	int ctx, n;
	struct ev_decode_phases phases;
	double t_s[EV_DEC_MAX_CTX_TOKENS];
	struct ev_stats tps;           /* tokens/s per token */
	struct ev_decode_cost cost;
	double ceiling_tok_s;
};

struct ev_decode_run {
	int type, status;
	char reason[256], kernel[48];
	double load_s, ttft_s, prefill_tok_s;
	double prefill_flops;          /* computed (dm_prefill_flops) */
	double prefill_flop_s;         /* prefill_flops / TTFT */
	int prefill_prec;              /* enum ev_prec the kernels multiply in */
	double prefill_peak;           /* measured peak of that precision, 0 = none */
	char prefill_peak_kernel[32];
	int ntpot;
	double tpot_s[EV_DEC_MAX_TOKENS];
	struct ev_stats tpot;
	double tok_s;
	struct ev_decode_cost cost;    /* averaged over the generated tokens */
	struct ev_decode_phases phases; /* of the generated tokens */
	struct ev_cnt_values cnt;      /* hardware counters over the generated tokens */
	struct ev_mem_state mem[2];    /* memory controller and governor before, after them */
	double achieved_bps, achieved_flops;
	double wbw_best, wbw_median;   /* read bandwidth of the weights' own memory, measured */
	double ceil_bw;                /* the bandwidth the ceiling uses */
	char ceil_src[160];
	double ceiling_tok_s, pct_ceiling, ceiling_median_tok_s;
	double ref_ceiling_tok_s, ref_pct;
	double ds_ceiling_tok_s, ds_pct;
	double compute_weights_per_s, compute_tok_s;
	double compute_rate[EV_TYPE__COUNT]; /* weights/s in cache per format (a file's mix) */
	struct ev_weight_bytes wb;     /* the weights' bytes by role */
	int compute_status;            /* EV_OK, or why the compute ceiling is missing */
	char compute_reason[256];
	char bound[16], fit[64];
	double weights_bytes, kv_bytes, act_bytes, rss_bytes, peak_rss_bytes;
	int nctx;
	struct ev_decode_ctxpt ctx[EV_DEC_MAX_CTX];
	int ngen, gen[EV_DEC_MAX_TOKENS + 1]; /* the prefill's token, then each generated one */
};

struct ev_decode_result {
	struct ev_decode_opts o;
	int interrupted, nruns;
	double llc_bytes;
	/* Peak FLOP/s per precision on the decode's threads, measured once per
	 * command for the prefill's comparison; 0 = not measured or none here. */
	/* The hybrid check (o.all_cores): the first format's tokens/s on all cores
	 * against its tokens/s on o.threads, at the same context. */
	int all_threads, all_n, all_type;
	double all_tok_s, fast_tok_s;
	double prec_peak[EV_PREC__COUNT];
	char prec_peak_kernel[EV_PREC__COUNT][32];
	unsigned prec_peak_done;
	struct ev_cnt_plan cnt_plan;   /* what each run's counters are */
	struct ev_decode_run runs[EV_TYPE__COUNT];
};

/* The decode settings as text and numbers, from options or a profile. */
struct ev_decode_text {
	const char *model, *quant, *ctx;
	int prompt, tokens, ctx_tokens;
	const char *gguf, *prompt_ids; /* NULL: synthetic weights, seeded prompt */
	int quant_given;                /* --quant was given (it excludes --gguf) */
	int ctx_given;                  /* else contexts past the model's length are dropped */
};
/* Check every value and fill o's model, formats, contexts and counts: the one
 * validation for every command that takes them. `src` prefixes the field in
 * errors ("--" for options, "profile quick: decode." for a profile). */
int bench_decode_opts_parse(struct ev_ctx *c, const struct ev_decode_text *t, const char *src,
			    struct ev_decode_opts *o);
/* Memory check of every quantization before anything is allocated. */
int bench_decode_check_fit(struct ev_ctx *c, const struct ev_decode_opts *o);
int bench_decode(struct ev_ctx *c, struct ev_decode_opts *o, struct ev_decode_result *r);
cJSON *bench_decode_json(const struct ev_decode_result *r);
/* The hybrid check's verdict: all cores slower, faster or the same as the
 * fastest kind alone (3% either way), or "not measured". */
const char *bench_decode_hybrid_verdict(const struct ev_decode_result *r);
void bench_decode_print(FILE *f, const struct ev_decode_result *r);
/* Measurements that failed verification (their figures are left out). */
int bench_decode_failed(const struct ev_decode_result *r);
/* Context capacity the run needs. */
int bench_decode_ctx_cap(const struct ev_decode_opts *o);
/* The label of a run's weights: the format's name, or a file's type (Q4_K_M). */
const char *bench_decode_quant(const struct ev_decode_opts *o, const struct ev_decode_run *u);

#endif
