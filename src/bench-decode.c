/* src/bench-decode.c: measured decode next to its ceilings.
 * For each quantization: make the model (synthetic weights, real format),
 * prefill the prompt as one batch (TTFT), generate tokens one at a time
 * (TPOT per token), then decode a few tokens at each requested context length
 * with the KV cache filled synthetically up to it. Bytes and FLOP per token
 * are computed (roofline/decode-model.c), never measured; the ceilings divide
 * them by the DRAM read bandwidth (measured, or from --bw) and by the datasheet
 * bandwidth (--device). The compute ceiling is the same matmul kernel run with
 * weights resident in cache (probes/decode.c). */
#include "bench-decode.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bw.h"
#include "decode.h"
#include "json.h"
#include "mem.h"
#include "models.h"
#include "probes.h"
#include "bench-storage.h"
#include "sha256.h"
#include "timer.h"
#include "units.h"

/* Tokens the hybrid check decodes on all cores, right after the generated ones. */
#define ALL_CORES_TOKENS 8

int bench_decode_ctx_cap(const struct ev_decode_opts *o)
{
	int cap = o->prompt + o->tokens + 1 + (o->all_cores > o->threads ? ALL_CORES_TOKENS : 0);
	for (int i = 0; i < o->nctx; i++)
		if (o->ctx[i] + o->ctx_tokens + 1 > cap)
			cap = o->ctx[i] + o->ctx_tokens + 1;
	return cap;
}

/* Limits of the arrays a run fills: checked once, here, for every caller. */
static int check_limits(struct ev_err *e, const struct ev_decode_opts *o, const char *src)
{
	static const struct {
		const char *name;
		int lo, hi;
		size_t off;
	} f[] = {
		{"prompt", 1, EV_DEC_MAX_PROMPT, offsetof(struct ev_decode_opts, prompt)},
		{"tokens", 1, EV_DEC_MAX_TOKENS, offsetof(struct ev_decode_opts, tokens)},
		{"ctx-tokens", 1, EV_DEC_MAX_CTX_TOKENS, offsetof(struct ev_decode_opts, ctx_tokens)},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		int v = *(const int *)(const void *)((const char *)o + f[i].off);
		if (v < f[i].lo || v > f[i].hi)
			return ev_fail(e, EV_ERR_USAGE, "%s%s: %d is outside %d..%d", src, f[i].name, v,
				       f[i].lo, f[i].hi);
	}
	if (o->ntypes < 1 || o->ntypes > EV_TYPE__COUNT || o->nctx < 1 || o->nctx > EV_DEC_MAX_CTX)
		return ev_fail(e, EV_ERR_USAGE, "%s: %d formats and %d context lengths (1..%d, 1..%d)",
			       src, o->ntypes, o->nctx, EV_TYPE__COUNT, EV_DEC_MAX_CTX);
	for (int i = 0; i < o->nctx; i++)
		if (o->ctx[i] < 1 || o->ctx[i] > o->shape.max_ctx)
			return ev_fail(e, EV_ERR_USAGE,
				       "%sctx: %d is outside 1..%d (the model's max_position_embeddings)",
				       src, o->ctx[i], o->shape.max_ctx);
	if (o->prompt + o->tokens > o->shape.max_ctx)
		return ev_fail(e, EV_ERR_USAGE, "%sprompt + %stokens = %d exceeds the model's %d positions",
			       src, src, o->prompt + o->tokens, o->shape.max_ctx);
	if (o->threads < 1 || o->threads > EV_MAX_THREADS)
		return ev_fail(e, EV_ERR_USAGE, "%sthreads: %d is outside 1..%d", src, o->threads,
			       EV_MAX_THREADS);
	return EV_OK;
}

const char *bench_decode_quant(const struct ev_decode_opts *o, const struct ev_decode_run *u)
{
	return o->gguf ? o->file.label : ev_types[u->type].name;
}

/* A model file: its shape and byte accounting, checked runnable; the file is
 * opened read-only here and mapped again for each run. */
static int load_file(struct ev_ctx *c, const char *path, struct ev_decode_opts *o)
{
	struct gguf_file g;
	struct gguf_llama gl;
	struct ev_decode_file *f = &o->file;
	uint64_t ft;
	int rc, best = -1;
	size_t k = 0;
	if ((rc = gguf_open(&g, path, 0, &c->err)))
		return rc;
	if ((rc = gguf_llama_read(&g, &gl, &c->err)) || (rc = gguf_llama_runnable(&g, &gl, &c->err))) {
		gguf_close(&g);
		return rc;
	}
	memset(f, 0, sizeof *f);
	o->gguf = 1;
	o->shape = gl.shape;
	snprintf(f->path, sizeof f->path, "%s", path);
	snprintf(f->arch, sizeof f->arch, "%s", gl.arch);
	f->bytes = (double)g.size;
	f->data_bytes = (double)(g.size - g.data_off);
	f->version = g.version;
	f->wb = gl.wb;
	f->mm_total = gl.mm_total;
	memcpy(f->mm_weights, gl.mm_weights, sizeof f->mm_weights);
	f->ntypes = gguf_type_totals(&g, f->types, EV_DEC_MAX_FILE_TYPES);
	for (int i = 0; i < f->ntypes && k < sizeof f->mix; i++)
		k += (size_t)snprintf(f->mix + k, sizeof f->mix - k, "%s%s %.1f%%", i ? ", " : "",
				      gguf_type(f->types[i].type)->name,
				      100.0 * (double)f->types[i].bytes / f->data_bytes);
	for (int t = 0; t < EV_TYPE__COUNT; t++)
		if (f->mm_weights[t] > 0 &&
		    (best < 0 || f->mm_weights[t] * ev_type_bytes_per_weight(t) >
					 f->mm_weights[best] * ev_type_bytes_per_weight(best)))
			best = t;
	o->ntypes = 1;
	o->types[0] = best;
	if (gguf_get_uint(&g, "general.file_type", &ft, &c->err) == EV_OK && gguf_ftype_name(ft))
		snprintf(f->label, sizeof f->label, "%s", gguf_ftype_name(ft));
	else
		snprintf(f->label, sizeof f->label, "%s%s", ev_types[best].name, f->ntypes > 2 ? " mix" : "");
	gguf_close(&g);
	return EV_OK;
}

int bench_decode_opts_parse(struct ev_ctx *c, const struct ev_decode_text *t, const char *src,
			    struct ev_decode_opts *o)
{
	char why[256];
	int rc;
	o->gguf = 0;
	o->nprompt_ids = 0;
	if (t->gguf) {
		if (t->model || t->quant_given)
			return ev_fail(&c->err, EV_ERR_USAGE, "%sgguf takes the model and its formats from "
				       "the file: leave out %smodel and %squant", src, src, src);
		if ((rc = load_file(c, t->gguf, o)))
			return rc;
	} else {
		if (!t->model)
			return ev_fail(&c->err, EV_ERR_USAGE, "%smodel is required (see eaves models), or %sgguf FILE",
				       src, src);
		if ((rc = models_load(t->model, &o->shape, &c->err)))
			return rc;
		if ((o->ntypes = ev_type_list_parse(t->quant, o->types, EV_TYPE__COUNT, why, sizeof why)) < 0)
			return ev_fail(&c->err, EV_ERR_USAGE, "%squant: %s", src, why);
		for (int i = 0; i < o->ntypes; i++) {
			int be = ev_types[o->types[i]].block_elems;
			if (o->shape.hidden % be || o->shape.ffn % be || (o->shape.n_heads * o->shape.head_dim) % be)
				return ev_fail(&c->err, EV_ERR_USAGE,
					       "%squant: %s needs every matrix dimension a multiple of %d; %s has "
					       "hidden %d, ffn %d (a GGUF file stores such tensors in other formats)",
					       src, ev_types[o->types[i]].name, be, o->shape.name, o->shape.hidden,
					       o->shape.ffn);
		}
	}
	if (t->prompt_ids) {
		int n = units_parse_int_list(t->prompt_ids, o->prompt_ids, EV_DEC_MAX_PROMPT, why, sizeof why);
		if (n <= 0)
			return ev_fail(&c->err, EV_ERR_USAGE, "%sprompt-ids: %s", src, n < 0 ? why : "no token id");
		for (int i = 0; i < n; i++)
			if (o->prompt_ids[i] < 0 || o->prompt_ids[i] >= o->shape.vocab)
				return ev_fail(&c->err, EV_ERR_USAGE, "%sprompt-ids: token %d is outside 0..%d (the vocabulary)",
					       src, o->prompt_ids[i], o->shape.vocab - 1);
		o->nprompt_ids = n;
	}
	if ((o->nctx = units_parse_int_list(t->ctx, o->ctx, EV_DEC_MAX_CTX, why, sizeof why)) < 0)
		return ev_fail(&c->err, EV_ERR_USAGE, "%sctx: %s", src, why);
	if (o->gguf && !t->ctx_given) {
		/* the default lengths, as far as the file's model goes */
		int k = 0;
		for (int i = 0; i < o->nctx; i++)
			if (o->ctx[i] + t->ctx_tokens + 1 <= o->shape.max_ctx)
				o->ctx[k++] = o->ctx[i];
		if (k == 0 && o->shape.max_ctx - t->ctx_tokens - 1 >= 1)
			o->ctx[k++] = o->shape.max_ctx - t->ctx_tokens - 1;
		o->nctx = k;
	}
	o->prompt = o->nprompt_ids ? o->nprompt_ids : t->prompt;
	o->tokens = t->tokens;
	o->ctx_tokens = t->ctx_tokens;
	if (o->threads == 0)
		o->threads = c->topo.cores > 0 ? c->topo.cores : 1;
	return check_limits(&c->err, o, src);
}

/* A file larger than memory: its weights would stream from storage every
 * token. Say so, with the storage read bandwidth of the file itself and the
 * ceiling it gives. */
static int file_too_big(struct ev_ctx *c, const struct ev_decode_opts *o, double need, double kv,
			int cap)
{
	struct ev_storage_result sr;
	char a[32], b[32], d[32], k[32];
	int rc;
	struct ev_decode_cost cost;
	ctx_progress(c, "decode: %s does not fit in memory: reading it to measure storage bandwidth",
		     o->file.path);
	rc = bench_storage_read(c, o->file.path, 1 << 30, 10, &sr);
	ctx_progress_done(c);
	dm_decode_cost_w(&o->shape, &o->file.wb, ev_type_bytes_per_weight(DEC_KV_TYPE), 1, &cost);
	units_fmt_bytes(a, sizeof a, need);
	units_fmt_bytes(d, sizeof d, o->file.data_bytes);
	units_fmt_bytes(k, sizeof k, kv);
	units_fmt_bytes(b, sizeof b, (double)c->topo.mem_avail_bytes);
	if (rc == EV_OK)
		return ev_fail(&c->err, EV_ERR_USAGE,
			       "decode: %s does not fit: needs %s (weights %s, KV cache %s for %d positions), %s "
			       "available (MemAvailable). Its weights would stream from storage each token: "
			       "storage read %.2f GB/s (measured: %s) gives a ceiling of %.3f tokens/s "
			       "(%.0f MB/token); not decoded",
			       o->file.path, a, d, k, cap, b, sr.bw / 1e9, sr.how,
			       dm_ceiling_tok_s(cost.total_bytes, sr.bw), cost.total_bytes / 1e6);
	return ev_fail(&c->err, EV_ERR_USAGE,
		       "decode: %s does not fit: needs %s (weights %s, KV cache %s), %s available; "
		       "its storage bandwidth could not be measured either: %s",
		       o->file.path, a, d, k, b, c->err.msg);
}

int bench_decode_check_fit(struct ev_ctx *c, const struct ev_decode_opts *o)
{
	int cap = bench_decode_ctx_cap(o);
	for (int i = 0; i < o->ntypes; i++) {
		double w, kv, act, need;
		dec_memory_plan(&o->shape, o->types[i], cap, o->prompt, o->threads, &w, &kv, &act);
		if (o->gguf)
			w = o->file.data_bytes; /* mapped: every page resident while decoding */
		need = (w + kv + act) * 1.05 + 64e6; /* page tables, runtime */
		if (need > (double)c->topo.mem_avail_bytes && o->gguf)
			return file_too_big(c, o, need, kv, cap);
		if (need > (double)c->topo.mem_avail_bytes) {
			char a[32], b[32], d[32], k[32];
			return ev_fail(&c->err, EV_ERR_USAGE,
				       "decode: %s %s does not fit: needs %s (weights %s, KV cache %s for %d "
				       "positions), %s available (MemAvailable)",
				       o->shape.name, ev_types[o->types[i]].name,
				       units_fmt_bytes(a, sizeof a, need), units_fmt_bytes(d, sizeof d, w),
				       units_fmt_bytes(k, sizeof k, kv), cap,
				       units_fmt_bytes(b, sizeof b, (double)c->topo.mem_avail_bytes));
		}
	}
	return EV_OK;
}

/* DRAM read bandwidth at the decode's thread count, measured now. */
static int measure_dram(struct ev_ctx *c, struct ev_decode_opts *o)
{
	struct ev_bw_result *r = calloc(1, sizeof *r);
	int rc;
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	if ((rc = bench_bw_read(c, o->threads, o->quick, 1, r)) == EV_OK && r->npoints > 0 &&
	    r->pts[0].status == EV_OK && r->pts[0].nsamples) {
		o->bw_best = r->pts[0].bw.best;
		o->bw_median = r->pts[0].bw.median;
		snprintf(o->bw_source, sizeof o->bw_source,
			 "measured in this run: read kernel, %d threads, %.0f MiB working set", o->threads,
			 (double)r->pts[0].ws_bytes / 1048576);
	} else if (rc == EV_OK) {
		rc = ev_fail(&c->err, r->npoints && r->pts[0].status == EV_ERR_VERIFY ? EV_ERR_VERIFY : EV_ERR_RUNTIME,
			     "decode: the DRAM bandwidth measurement gave no verified sample%s%s",
			     r->npoints ? ": " : "", r->npoints ? r->pts[0].reason : "");
	}
	bench_bw_free(r);
	free(r);
	return rc;
}

/* The in-cache rate (weights/s) of one format's kernel; run->compute_status
 * and _reason say why when there is none. */
static int compute_rate(struct ev_ctx *c, struct ev_pool *pool, struct ev_decode_opts *o,
			struct ev_decode_run *run, int type, double *rate)
{
	struct ev_measurement *m = calloc(1, sizeof *m);
	uint64_t slice = 256 * 1024;
	int rc, be = ev_types[type].block_elems;
	struct dec_probe_params dp = {.cols = o->shape.hidden % be == 0 ? o->shape.hidden
					      : o->shape.ffn % be == 0 ? o->shape.ffn
					      : o->shape.n_heads * o->shape.head_dim};
	struct ev_job j = {.probe = &ev_probe_decode, .cpu = &c->cpu, .params = &dp,
			   .kernel = type, .nthreads = o->threads};
	struct ev_measure_opts mo = {.min_sample_s = 0.002, .max_time_s = o->quick ? 0.1 : 0.4,
				     .min_reps = 5, .max_reps = 64, .stable_rel = 0.01, .stop = c->stop};
	if (!m)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	/* Half of the per-core L2 (or 256 KiB): resident in cache, not in DRAM. */
	if (c->topo.ncaches >= 2 && c->topo.caches[1].size_bytes / c->topo.caches[1].cores_per_instance / 2 < slice)
		slice = c->topo.caches[1].size_bytes / c->topo.caches[1].cores_per_instance / 2;
	j.ws_bytes = slice;
	rc = driver_measure(pool, &j, &mo, m, &c->err);
	run->compute_status = rc == EV_OK && m->nsamples == 0 && !m->status ? EV_ERR_RUNTIME
			      : m->status == EV_ERR_INTERRUPTED && m->nsamples ? EV_OK : m->status;
	snprintf(run->compute_reason, sizeof run->compute_reason, "%s",
		 m->reason[0] ? m->reason : "no sample");
	*rate = 0;
	if (rc == EV_OK && run->compute_status == EV_OK) {
		double r[EV_MAX_SAMPLES];
		struct ev_stats st;
		for (int i = 0; i < m->nsamples; i++)
			r[i] = m->per_rep.ops / 2 / m->t_s[i];
		stats_compute(r, (size_t)m->nsamples, 1, &st);
		*rate = st.median;
	}
	free(m);
	return rc;
}

/* The kernel's tokens/s with memory free: a token's weights over the in-cache
 * rate; a file's mix adds each format's weights over its own kernel's rate. */
static int compute_ceiling(struct ev_ctx *c, struct ev_pool *pool, struct ev_decode_opts *o,
			   struct ev_decode_run *run)
{
	struct ev_model_counts n;
	double t = 0, total = 0;
	int rc;
	dm_count(&o->shape, &n);
	for (int type = 0; type < EV_TYPE__COUNT; type++) {
		double w = o->gguf ? o->file.mm_weights[type] : type == run->type ? n.matmul : 0;
		if (w <= 0)
			continue;
		if ((rc = compute_rate(c, pool, o, run, type, &run->compute_rate[type])))
			return rc;
		if (run->compute_status != EV_OK)
			return EV_OK;
		t += w / run->compute_rate[type];
		total += w;
	}
	if (t > 0) {
		run->compute_tok_s = 1 / t;
		run->compute_weights_per_s = total / t;
	}
	return EV_OK;
}

/* The read bandwidth of the memory the weights live in: the bw probe's read
 * kernel (its integer twin: weights are random bits, not doubles) streams the
 * weights' own pages through the driver, verified like every bw figure.
 * Measured right after the weights are made, so it sees the same pages and the
 * same memory state of a shared host as the decode does. */
static int weights_read_bw(struct ev_ctx *c, struct ev_pool *pool, const struct dec_model *dm,
			   struct ev_decode_run *run)
{
	struct bw_params bp = {.buf = dm->wmem, .buf_bytes = dm->wmem_bytes};
	struct ev_job j = {.probe = &ev_probe_bw, .cpu = &c->cpu, .params = &bp,
			   .kernel = BW_READ, .nthreads = pool_size(pool)};
	struct ev_measure_opts mo = {.min_sample_s = 0.005, .max_time_s = 5, .min_reps = 9,
				     .max_reps = 9, .stop = c->stop};
	struct ev_measurement *m = calloc(1, sizeof *m);
	double r[EV_MAX_SAMPLES];
	struct ev_stats st;
	int rc;
	if (!m)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	if ((rc = driver_measure(pool, &j, &mo, m, &c->err)) == EV_OK && m->nsamples == 0)
		rc = ev_fail(&c->err, m->status ? m->status : EV_ERR_RUNTIME,
			     "decode: read bandwidth of the weights' memory: %s",
			     m->reason[0] ? m->reason : "no sample");
	if (rc == EV_OK && m->status == EV_ERR_VERIFY)
		rc = ev_fail(&c->err, EV_ERR_VERIFY, "decode: read of the weights' memory: %s",
			     m->reason);
	if (rc == EV_OK) {
		for (int i = 0; i < m->nsamples; i++)
			r[i] = m->per_rep.bytes / m->t_s[i];
		stats_compute(r, (size_t)m->nsamples, 1, &st);
		run->wbw_best = st.best;
		run->wbw_median = st.median;
	}
	free(m);
	return rc;
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The bandwidth the ceiling divides by: --bw's, or the weights' own memory. */
static void ceiling_source(const struct ev_decode_opts *o, struct ev_decode_run *run)
{
	if (o->bw_given) {
		run->ceil_bw = o->bw_best;
		snprintf(run->ceil_src, sizeof run->ceil_src, "%s", o->bw_source);
	} else {
		run->ceil_bw = run->wbw_best;
		snprintf(run->ceil_src, sizeof run->ceil_src,
			 "measured: read of the weights' own memory right before decoding, %d threads, "
			 "best of 9", o->threads);
	}
}

/* The hybrid check: a few more tokens on all cores (the pool the model was made
 * with) right after the generated ones, against the last as many tokens of the
 * fastest-kind run, both medians of per-token times at the same context. */
static void all_cores_check(struct ev_ctx *c, struct ev_pool *all, const struct ev_decode_opts *o,
			    struct dec_model *m, struct ev_decode_result *R,
			    const struct ev_decode_run *run, int tok)
{
	double t[ALL_CORES_TOKENS], fast[ALL_CORES_TOKENS];
	int n = 0, nf = 0, pos = o->prompt + run->ntpot;
	struct ev_stats st;
	ctx_progress(c, "decode: %s: %d tokens on all %d cores (hybrid check)", o->shape.name,
		     ALL_CORES_TOKENS, pool_size(all));
	for (; n < ALL_CORES_TOKENS; n++) {
		double t0 = timer_now();
		if (c->stop && *c->stop) {
			R->interrupted = 1;
			break;
		}
		tok = dec_forward(m, all, &tok, 1, pos + n);
		t[n] = timer_now() - t0;
		if (tok < 0)
			return;
	}
	for (int i = run->ntpot - 1; i >= 0 && nf < ALL_CORES_TOKENS; i--)
		fast[nf++] = run->tpot_s[i];
	if (n == 0 || nf == 0)
		return;
	stats_compute(t, (size_t)n, 0, &st);
	R->all_tok_s = 1 / st.median;
	stats_compute(fast, (size_t)nf, 0, &st);
	R->fast_tok_s = 1 / st.median;
	R->all_threads = pool_size(all);
	R->all_n = n;
	R->all_type = run->type;
}

const char *bench_decode_hybrid_verdict(const struct ev_decode_result *r)
{
	if (r->all_n <= 0)
		return "not measured";
	if (r->all_tok_s < 0.97 * r->fast_tok_s)
		return "slower: adding the slower cores slows decode";
	if (r->all_tok_s > 1.03 * r->fast_tok_s)
		return "faster: the slower cores add to decode";
	return "same within 3%";
}

/* The phase profile of the n tokens decoded since dec_prof_reset, per token. */
static void phases_read(const struct dec_model *m, int n, struct ev_decode_phases *ph)
{
	double mean[DEC_PHASE__COUNT], wmax;
	if (n <= 0)
		return;
	dec_prof_read(m, mean, &wmax);
	for (int p = 0; p < DEC_PHASE__COUNT; p++)
		ph->s[p] = mean[p] / n;
	ph->wait_max_s = wmax / n;
	ph->ok = 1;
}

/* The prompt as one batch (TTFT), then tokens one at a time (TPOT); bytes and
 * FLOP per token are computed at each token's own context length. */
static void generate(struct ev_ctx *c, struct ev_pool *pool, const struct ev_decode_opts *o,
		     struct dec_model *m, const int *prompt, struct ev_decode_result *R,
		     struct ev_decode_run *run, int *tok)
{
	double t0, sum = 0, bytes = 0, flops = 0;
	const double kv = ev_type_bytes_per_weight(DEC_KV_TYPE);
	struct ev_cnt_pool *cg = NULL;
	ctx_progress(c, "decode: %s %s: prefill of %d tokens", o->shape.name, bench_decode_quant(o, run),
		     o->prompt);
	t0 = timer_now();
	*tok = dec_forward(m, pool, prompt, o->prompt, 0);
	run->ttft_s = timer_now() - t0;
	run->prefill_tok_s = o->prompt / run->ttft_s;
	run->prefill_flops = dm_prefill_flops(&o->shape, o->prompt);
	run->prefill_flop_s = run->prefill_flops / run->ttft_s;
	run->gen[run->ngen++] = *tok;
	dec_prof_reset(m);
	R->cnt_plan = *ctx_counters(c, EV_CNT_USE_MEM);
	cnt_pool_open(&cg, pool, &R->cnt_plan, &run->cnt);
	sensors_mem_read(&run->mem[0]);
	for (int i = 0; i < o->tokens && i < EV_DEC_MAX_TOKENS; i++) {
		struct ev_decode_cost cost;
		int pos = o->prompt + i;
		if (c->stop && *c->stop) {
			R->interrupted = 1;
			break;
		}
		if (i % 8 == 0)
			ctx_progress(c, "decode: %s %s: token %d/%d", o->shape.name,
				     bench_decode_quant(o, run), i + 1, o->tokens);
		cnt_pool_start(cg); /* outside the token's time */
		t0 = timer_now();
		*tok = dec_forward(m, pool, tok, 1, pos);
		run->tpot_s[run->ntpot++] = timer_now() - t0;
		cnt_pool_stop(cg, &run->cnt);
		if (run->ngen <= EV_DEC_MAX_TOKENS)
			run->gen[run->ngen++] = *tok;
		dm_decode_cost_w(&o->shape, &run->wb, kv, pos + 1, &cost);
		sum += run->tpot_s[i];
		bytes += cost.total_bytes;
		flops += cost.flops;
	}
	cnt_pool_close(cg);
	sensors_mem_read(&run->mem[1]);
	if (run->ntpot == 0)
		return;
	phases_read(m, run->ntpot, &run->phases);
	stats_compute(run->tpot_s, (size_t)run->ntpot, 0, &run->tpot);
	run->tok_s = run->ntpot / sum;
	dm_decode_cost_w(&o->shape, &run->wb, kv, o->prompt + (run->ntpot + 1) / 2, &run->cost);
	run->cost.total_bytes = bytes / run->ntpot;
	run->cost.flops = flops / run->ntpot;
	run->cost.intensity = run->cost.flops / run->cost.total_bytes;
	run->achieved_bps = run->cost.total_bytes * run->tok_s;
	run->achieved_flops = run->cost.flops * run->tok_s;
}

/* Every ceiling of the run: bytes per token over each bandwidth. */
static void ceilings(const struct ev_decode_opts *o, struct ev_decode_run *run)
{
	if (run->ntpot == 0)
		return;
	run->ceiling_tok_s = dm_ceiling_tok_s(run->cost.total_bytes, run->ceil_bw);
	run->ceiling_median_tok_s = dm_ceiling_tok_s(run->cost.total_bytes,
						     o->bw_given ? o->bw_median : run->wbw_median);
	run->pct_ceiling = run->tok_s / run->ceiling_tok_s;
	run->ref_ceiling_tok_s = dm_ceiling_tok_s(run->cost.total_bytes, o->bw_best);
	run->ref_pct = run->tok_s / run->ref_ceiling_tok_s;
	if (o->ds_bw > 0) {
		run->ds_ceiling_tok_s = dm_ceiling_tok_s(run->cost.total_bytes, o->ds_bw);
		run->ds_pct = run->tok_s / run->ds_ceiling_tok_s;
	}
}

/* A few tokens at each context length, the KV cache filled synthetically to it. */
static void context_sweep(struct ev_ctx *c, struct ev_pool *pool, const struct ev_decode_opts *o,
			  struct dec_model *m, struct ev_decode_result *R, struct ev_decode_run *run,
			  int tok)
{
	for (int k = 0; k < o->nctx && !R->interrupted; k++) {
		struct ev_decode_ctxpt *p = &run->ctx[run->nctx];
		int C = o->ctx[k];
		double tps[EV_DEC_MAX_CTX_TOKENS], t0;
		ctx_progress(c, "decode: %s %s: %d tokens at context %d", o->shape.name,
			     bench_decode_quant(o, run), o->ctx_tokens, C);
		dec_fill_kv(m, pool, C - 1, o->seed + (uint64_t)C);
		p->ctx = C;
		dec_prof_reset(m);
		for (int i = 0; i < o->ctx_tokens && i < EV_DEC_MAX_CTX_TOKENS; i++) {
			if (c->stop && *c->stop) {
				R->interrupted = 1;
				break;
			}
			t0 = timer_now();
			tok = dec_forward(m, pool, &tok, 1, C - 1 + i);
			p->t_s[p->n] = timer_now() - t0;
			tps[p->n] = 1.0 / p->t_s[p->n];
			p->n++;
		}
		if (p->n == 0)
			break;
		phases_read(m, p->n, &p->phases);
		stats_compute(tps, (size_t)p->n, 1, &p->tps);
		dm_decode_cost_w(&o->shape, &run->wb, ev_type_bytes_per_weight(DEC_KV_TYPE), C + p->n / 2,
				 &p->cost);
		p->ceiling_tok_s = dm_ceiling_tok_s(p->cost.total_bytes, run->ceil_bw);
		run->nctx++;
	}
}

/* Which bound the run met (the kernel's speed with memory free, or memory),
 * and where the weights live. */
static void verdict(const struct ev_decode_result *R, struct ev_decode_run *run)
{
	if (run->compute_tok_s > 0 && run->compute_tok_s < run->ceiling_tok_s)
		snprintf(run->bound, sizeof run->bound, "compute");
	else
		snprintf(run->bound, sizeof run->bound, "memory");
	if (R->llc_bytes > 0 && run->weights_bytes < R->llc_bytes)
		snprintf(run->fit, sizeof run->fit, "weights fit in the last-level cache");
	else
		snprintf(run->fit, sizeof run->fit, "weights stream from DRAM");
}

/* The precision a format's kernels multiply in: int8 for the formats whose
 * activations are quantized (q8_0, q8_K), fp32 for the float formats. */
static int kernel_prec(int type)
{
	return ev_types[type].act == EV_ACT_F32 ? EV_PREC_FP32 : EV_PREC_INT8;
}

/* The prefill's rate next to the measured peak of its precision (measured once
 * per precision in a decode command, on the same threads). */
static int prefill_peak(struct ev_ctx *c, struct ev_pool *pool, struct ev_decode_result *R,
			struct ev_decode_run *run, int type)
{
	int p = kernel_prec(type), rc;
	run->prefill_prec = p;
	if (!(R->prec_peak_done & (1u << p))) {
		ctx_progress(c, "decode: peak %s rate (for the prefill)", ev_prec_name[p]);
		if ((rc = bench_flops_prec_peak(c, pool, p, &R->prec_peak[p], R->prec_peak_kernel[p],
						sizeof R->prec_peak_kernel[p])))
			return rc;
		R->prec_peak_done |= 1u << p;
	}
	run->prefill_peak = R->prec_peak[p];
	snprintf(run->prefill_peak_kernel, sizeof run->prefill_peak_kernel, "%s", R->prec_peak_kernel[p]);
	return EV_OK;
}

/* One weight format: make the model, measure its memory's bandwidth, decode,
 * sweep the context, measure the compute ceiling. */
static int run_one(struct ev_ctx *c, struct ev_pool *pool, struct ev_pool *all,
		   struct ev_decode_opts *o, struct ev_decode_result *R, struct ev_decode_run *run)
{
	/* the model is made by the larger pool, so its scratch serves both */
	struct ev_pool *mk = all ? all : pool;
	struct dec_model m;
	struct gguf_file g;
	struct gguf_llama gl;
	int rc, tok = 0;
	int *prompt = malloc(sizeof(int) * (size_t)(o->prompt > 0 ? o->prompt : 1));
	uint64_t s = o->seed | 1;
	double t0;
	const char *tn = bench_decode_quant(o, run);
	memset(&g, 0, sizeof g);
	if (!prompt)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	t0 = timer_now();
	if (o->gguf) {
		ctx_progress(c, "decode: mapping %s and reading its pages", o->file.path);
		run->wb = o->file.wb;
		if ((rc = gguf_open(&g, o->file.path, 1, &c->err)) == EV_OK &&
		    (rc = gguf_llama_read(&g, &gl, &c->err)) == EV_OK)
			rc = dec_model_from_gguf(&m, &g, &gl, bench_decode_ctx_cap(o),
						 o->prompt > 0 ? o->prompt : 1, mk, &c->cpu, &c->err);
	} else {
		ctx_progress(c, "decode: %s %s: making the model of synthetic weights", o->shape.name, tn);
		dm_weight_bytes(&o->shape, ev_type_bytes_per_weight(run->type), &run->wb);
		rc = dec_model_create(&m, &o->shape, run->type, bench_decode_ctx_cap(o),
				      o->prompt > 0 ? o->prompt : 1, mk, &c->cpu, o->seed, &c->err);
	}
	if (rc) {
		gguf_close(&g);
		free(prompt);
		return rc;
	}
	run->load_s = timer_now() - t0;
	snprintf(run->kernel, sizeof run->kernel, "%s", m.dot->name);
	run->weights_bytes = (double)m.wmem_bytes;
	run->kv_bytes = (double)m.kv_bytes;
	run->act_bytes = (double)m.act_bytes;
	for (int i = 0; i < o->prompt; i++)
		prompt[i] = o->nprompt_ids ? o->prompt_ids[i] : (int)(rng_next(&s) % (uint64_t)o->shape.vocab);
	ctx_progress(c, "decode: %s %s: read bandwidth of the weights' memory", o->shape.name, tn);
	if ((rc = weights_read_bw(c, pool, &m, run)) == EV_OK) {
		ceiling_source(o, run);
		generate(c, pool, o, &m, prompt, R, run, &tok);
		if (all && R->nruns == 1 && run->ntpot > 0 && !R->interrupted)
			all_cores_check(c, all, o, &m, R, run, tok);
		ceilings(o, run);
		context_sweep(c, pool, o, &m, R, run, tok);
		run->rss_bytes = (double)mem_rss();
		run->peak_rss_bytes = (double)mem_peak_rss();
	}
	dec_model_destroy(&m);
	gguf_close(&g);
	free(prompt);
	if (rc)
		return rc;
	if (!R->interrupted) {
		ctx_progress(c, "decode: %s %s: compute ceiling (weights in cache)", o->shape.name, tn);
		if ((rc = compute_ceiling(c, pool, o, run)))
			return rc;
		if (run->ttft_s > 0 && (rc = prefill_peak(c, pool, R, run, run->type)))
			return rc;
	}
	verdict(R, run);
	return EV_OK;
}

int bench_decode(struct ev_ctx *c, struct ev_decode_opts *o, struct ev_decode_result *r)
{
	struct ev_pool *pool = NULL, *all = NULL;
	int rc, llc = topo_llc(&c->topo);
	memset(r, 0, sizeof *r);
	if ((rc = check_limits(&c->err, o, "decode: ")) || (rc = bench_decode_check_fit(c, o)))
		return rc;
	if (llc >= 0)
		r->llc_bytes = (double)topo_cache_capacity(&c->topo, &c->topo.caches[llc], o->threads);
	if (o->gguf && !o->file.sha256[0]) {
		double t0 = timer_now();
		ctx_progress(c, "decode: sha256 of %s", o->file.path);
		if ((rc = sha256_file(o->file.path, o->file.sha256, c->stop, &c->err)))
			return rc;
		o->file.sha_s = timer_now() - t0;
	}
	if (o->bw_best <= 0) {
		ctx_progress(c, "decode: measuring DRAM read bandwidth (%d threads)", o->threads);
		if ((rc = measure_dram(c, o)))
			return rc;
	}
	r->o = *o;
	for (int p = 0; p < EV_PREC__COUNT; p++)
		if (o->peak_given[p] > 0) {
			r->prec_peak[p] = o->peak_given[p];
			snprintf(r->prec_peak_kernel[p], sizeof r->prec_peak_kernel[p], "%s",
				 o->peak_given_kernel[p]);
			r->prec_peak_done |= 1u << p;
		}
	if ((rc = pool_create(&pool, &c->topo, o->threads, &c->err)))
		return rc;
	if (o->all_cores > o->threads && (rc = pool_create(&all, &c->topo, o->all_cores, &c->err))) {
		pool_destroy(pool);
		return rc;
	}
	for (int i = 0; i < o->ntypes && !r->interrupted; i++) {
		struct ev_decode_run *run = &r->runs[r->nruns++];
		memset(run, 0, sizeof *run);
		run->type = o->types[i];
		if ((rc = run_one(c, pool, all, o, r, run)))
			break;
	}
	pool_destroy(all);
	pool_destroy(pool);
	ctx_progress_done(c);
	return rc;
}

int bench_decode_failed(const struct ev_decode_result *r)
{
	int n = 0;
	for (int i = 0; i < r->nruns; i++)
		n += r->runs[i].compute_status == EV_ERR_VERIFY;
	return n;
}

/* A phase profile as JSON: seconds per token per phase (measured, mean over
 * the threads) and the longest barrier wait of one thread. */
static void phases_json(cJSON *q, const struct ev_decode_phases *ph)
{
	cJSON *x, *s;
	if (!ph->ok)
		return;
	x = cJSON_AddObjectToObject(q, "phases");
	s = cJSON_AddObjectToObject(x, "per_token_s");
	for (int p = 0; p < DEC_PHASE__COUNT; p++)
		json_num(s, dec_phase_name[p], ph->s[p]);
	json_num(x, "barrier_wait_max_thread_s", ph->wait_max_s);
	json_str(x, "basis", "measured: clock reads at each phase boundary of every thread, "
			      "per token, mean over the threads");
}

/* One weight format's run as JSON. */
static cJSON *run_json(const struct ev_decode_result *R, const struct ev_decode_opts *o,
		       const struct ev_decode_run *u)
{
	cJSON *arr;
	cJSON *q = cJSON_CreateObject(), *t, *mem;
	struct ev_model_counts n;
	dm_count(&o->shape, &n);
	json_str(q, "model", o->shape.name);
	json_str(q, "quant", bench_decode_quant(o, u));
	if (o->gguf) {
		json_str(q, "quant_mix", o->file.mix);
		json_str(q, "main_format", ev_types[u->type].name);
	}
	json_num(q, "bytes_per_weight", u->wb.matmul / n.matmul);
	json_str(q, "kernel", u->kernel);
	json_str(q, "status", u->ntpot > 0 ? "ok" : "interrupted");
	json_num(q, "load_s", u->load_s);
	json_num(q, "ttft_s", u->ttft_s);
	json_num(q, "prefill_tokens_per_s", u->prefill_tok_s);
	json_num(q, "prefill_flop", u->prefill_flops);
	json_num(q, "prefill_flop_per_s", u->prefill_flop_s);
	json_str(q, "prefill_precision", ev_prec_name[u->prefill_prec]);
	if (u->prefill_peak > 0) {
		json_num(q, "prefill_peak_flop_per_s", u->prefill_peak);
		json_str(q, "prefill_peak_kernel", u->prefill_peak_kernel);
		json_num(q, "prefill_fraction_of_peak", u->prefill_flop_s / u->prefill_peak);
	}
	t = cJSON_AddObjectToObject(q, "tpot_s");
	json_num(t, "p50", u->tpot.median);
	json_num(t, "p95", u->tpot.p95);
	json_num(t, "max", u->tpot.max);
	json_num(t, "min", u->tpot.min);
	json_num(t, "mean", u->tpot.mean);
	arr = cJSON_AddArrayToObject(t, "samples");
	for (int k = 0; k < u->ntpot; k++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(u->tpot_s[k]));
	json_num(q, "tokens_per_s", u->tok_s);
	json_str(q, "tokens_per_s_source", "measured: generated tokens / their total time");
	json_num(q, "bytes_per_token", u->cost.total_bytes);
	json_num(q, "weight_bytes_per_token", u->cost.weight_bytes);
	json_num(q, "kv_bytes_per_token", u->cost.kv_read_bytes);
	json_num(q, "flop_per_token", u->cost.flops);
	json_num(q, "intensity_flop_per_byte", u->cost.intensity);
	json_num(q, "achieved_bytes_per_s", u->achieved_bps);
	json_num(q, "achieved_flop_per_s", u->achieved_flops);
	json_num(q, "ceiling_bw_bytes_per_s", u->ceil_bw);
	json_str(q, "ceiling_bw_source", u->ceil_src);
	json_num(q, "weights_read_bw_best_bytes_per_s", u->wbw_best);
	json_num(q, "weights_read_bw_median_bytes_per_s", u->wbw_median);
	json_num(q, "ceiling_tokens_per_s", u->ceiling_tok_s);
	json_num(q, "ceiling_median_bw_tokens_per_s", u->ceiling_median_tok_s);
	json_num(q, "fraction_of_ceiling", u->pct_ceiling);
	json_num(q, "reference_ceiling_tokens_per_s", u->ref_ceiling_tok_s);
	json_num(q, "fraction_of_reference_ceiling", u->ref_pct);
	if (o->ds_bw > 0) {
		json_num(q, "datasheet_ceiling_tokens_per_s", u->ds_ceiling_tok_s);
		json_num(q, "fraction_of_datasheet_ceiling", u->ds_pct);
	}
	json_num(q, "compute_ceiling_tokens_per_s",
		 u->compute_status == EV_OK ? u->compute_tok_s : NAN);
	json_num(q, "compute_ceiling_weights_per_s",
		 u->compute_status == EV_OK ? u->compute_weights_per_s : NAN);
	json_str(q, "compute_ceiling_status", ev_measure_status_name(u->compute_status));
	if (u->compute_status != EV_OK)
		json_str(q, "compute_ceiling_reason", u->compute_reason);
	json_str(q, "compute_ceiling_source",
		 o->gguf ? "measured: each format's matmul kernel with weights resident in cache; the file's "
			   "weights per format over their kernel's rate (matrices only)"
			 : "measured: the same matmul kernel, weights resident in cache (matrices only)");
	if (o->gguf) {
		cJSON *by = cJSON_AddArrayToObject(q, "compute_ceiling_by_format");
		for (int ty = 0; ty < EV_TYPE__COUNT; ty++)
			if (o->file.mm_weights[ty] > 0) {
				cJSON *x = cJSON_CreateObject();
				json_str(x, "format", ev_types[ty].name);
				json_num(x, "weights_per_token", o->file.mm_weights[ty]);
				json_num(x, "in_cache_weights_per_s", u->compute_rate[ty] > 0 ? u->compute_rate[ty] : NAN);
				cJSON_AddItemToArray(by, x);
			}
	}
	json_str(q, "bound", u->bound);
	json_str(q, "weights_location", u->fit);
	mem = cJSON_AddObjectToObject(q, "memory");
	json_num(mem, "peak_rss_bytes", u->peak_rss_bytes);
	json_num(mem, "rss_bytes", u->rss_bytes);
	json_num(mem, "weights_bytes", u->weights_bytes);
	json_num(mem, "kv_cache_bytes", u->kv_bytes);
	json_num(mem, "activations_bytes", u->act_bytes);
	json_num(mem, "runtime_bytes", u->rss_bytes - u->weights_bytes - u->kv_bytes - u->act_bytes > 0
						? u->rss_bytes - u->weights_bytes - u->kv_bytes - u->act_bytes
						: 0);
	phases_json(q, &u->phases);
	if (u->ntpot > 0) {
		cJSON *ms = sensors_mem_json(&u->mem[0], &u->mem[1]);
		cJSON_AddItemToObject(q, "counters", counters_json(&R->cnt_plan, &u->cnt,
								  u->cost.total_bytes, -1, "token"));
		if (ms)
			cJSON_AddItemToObject(q, "machine_state", ms);
	}
	arr = cJSON_AddArrayToObject(q, "context_sweep");
	for (int k = 0; k < u->nctx; k++) {
		const struct ev_decode_ctxpt *p = &u->ctx[k];
		cJSON *x = cJSON_CreateObject();
		json_num(x, "ctx", p->ctx);
		json_num(x, "tokens", p->n);
		json_num(x, "tokens_per_s_median", p->tps.median);
		json_num(x, "tokens_per_s_best", p->tps.best);
		json_num(x, "bytes_per_token", p->cost.total_bytes);
		json_num(x, "ceiling_tokens_per_s", p->ceiling_tok_s);
		json_num(x, "fraction_of_ceiling", p->tps.median / p->ceiling_tok_s);
		json_str(x, "kv_cache", "filled synthetically to ctx");
		phases_json(x, &p->phases);
		cJSON_AddItemToArray(arr, x);
	}
	arr = cJSON_AddArrayToObject(q, "greedy_tokens");
	for (int k = 0; k < u->ngen; k++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(u->gen[k]));
	return q;
}

cJSON *bench_decode_json(const struct ev_decode_result *r)
{
	const struct ev_decode_opts *o = &r->o;
	cJSON *d = cJSON_CreateObject(), *m, *runs;
	struct ev_model_counts n;
	dm_count(&o->shape, &n);
	json_str(d, "status", r->interrupted ? "interrupted" : "ok");
	if (r->interrupted)
		json_str(d, "reason", "interrupted by the user; what was measured is kept");
	m = cJSON_AddObjectToObject(d, "model");
	json_str(m, "name", o->shape.name);
	json_str(m, "hf_id", o->shape.hf_id);
	json_num(m, "num_hidden_layers", o->shape.n_layers);
	json_num(m, "hidden_size", o->shape.hidden);
	json_num(m, "num_attention_heads", o->shape.n_heads);
	json_num(m, "num_key_value_heads", o->shape.n_kv_heads);
	json_num(m, "head_dim", o->shape.head_dim);
	json_num(m, "intermediate_size", o->shape.ffn);
	json_num(m, "vocab_size", o->shape.vocab);
	cJSON_AddBoolToObject(m, "tie_word_embeddings", o->shape.tied);
	cJSON_AddBoolToObject(m, "attention_bias", o->shape.attn_bias);
	json_num(m, "params", n.total);
	if (o->gguf) {
		const struct ev_decode_file *f = &o->file;
		cJSON *mf = cJSON_AddObjectToObject(d, "model_file"), *arr;
		json_str(d, "weights", "real: the tensors of the model file, memory-mapped");
		json_str(mf, "path", f->path);
		json_str(mf, "sha256", f->sha256);
		json_num(mf, "sha256_s", f->sha_s);
		json_num(mf, "bytes", f->bytes);
		json_num(mf, "gguf_version", f->version);
		json_str(mf, "architecture", f->arch);
		json_str(mf, "file_type", f->label);
		json_str(mf, "mix", f->mix);
		json_num(mf, "matmul_bytes_per_token", f->wb.matmul);
		json_num(mf, "embedding_row_bytes", f->wb.embed_row);
		arr = cJSON_AddArrayToObject(mf, "tensor_types");
		for (int i = 0; i < f->ntypes; i++) {
			cJSON *x = cJSON_CreateObject();
			json_str(x, "type", gguf_type(f->types[i].type)->name);
			json_num(x, "tensors", (double)f->types[i].tensors);
			json_num(x, "elements", (double)f->types[i].elems);
			json_num(x, "bytes", (double)f->types[i].bytes);
			cJSON_AddItemToArray(arr, x);
		}
	} else {
		json_str(d, "weights", "synthetic (seeded), stored in the real block formats");
	}
	if (o->nprompt_ids) {
		cJSON *ids = cJSON_AddArrayToObject(d, "prompt_ids");
		for (int i = 0; i < o->nprompt_ids; i++)
			cJSON_AddItemToArray(ids, cJSON_CreateNumber(o->prompt_ids[i]));
	}
	json_num(d, "seed", (double)o->seed);
	json_num(d, "threads", o->threads);
	if (o->all_cores > o->threads) {
		cJSON *h = cJSON_AddObjectToObject(d, "hybrid");
		json_str(h, "threads_rule", "the cores of the fastest kind (hybrid CPU: decode's default)");
		json_num(h, "all_cores", o->all_cores);
		if (r->all_n > 0) {
			json_str(h, "quant", ev_types[r->all_type].name);
			json_num(h, "tokens", r->all_n);
			json_num(h, "fastest_kind_tokens_per_s", r->fast_tok_s);
			json_num(h, "all_cores_tokens_per_s", r->all_tok_s);
			json_num(h, "all_over_fastest", r->all_tok_s / r->fast_tok_s);
			json_str(h, "verdict", bench_decode_hybrid_verdict(r));
			json_str(h, "basis", "measured: medians of per-token times at the same context, "
					     "the last tokens on the fastest kind against the next on all cores");
		}
	}
	json_num(d, "prompt_tokens", o->prompt);
	json_num(d, "generated_tokens", o->tokens);
	json_num(d, "kv_cache_elem_bytes", ev_type_bytes_per_weight(DEC_KV_TYPE));
	json_num(d, "reference_bw_best_bytes_per_s", o->bw_best);
	json_num(d, "reference_bw_median_bytes_per_s", o->bw_median);
	json_str(d, "reference_bw_source", o->bw_source);
	json_str(d, "ceiling_rule", o->bw_given ? "the --bw bandwidth"
						: "the read bandwidth of the weights' own memory, measured "
						  "right before each run (same pages, same state of a shared host)");
	if (o->ds_bw > 0) {
		json_str(d, "device", o->ds_name);
		json_num(d, "datasheet_bw_bytes_per_s", o->ds_bw);
		json_str(d, "datasheet_bw_basis", o->ds_basis);
	}
	json_str(d, "byte_convention", o->gguf ? "bytes/token computed: every matrix once (LM head included) "
						 "at its own tensor type's block size, one embedding row, norms and "
						 "biases, K and V of every earlier position"
					       : "bytes/token computed: every matrix once (LM head included), one "
						 "embedding row, norms and biases, K and V of every earlier position; "
						 "the traits table gives bytes per weight");
	runs = cJSON_AddArrayToObject(d, "runs");
	for (int i = 0; i < r->nruns; i++)
		cJSON_AddItemToArray(runs, run_json(r, o, &r->runs[i]));
	return d;
}

void bench_decode_print(FILE *f, const struct ev_decode_result *r)
{
	const struct ev_decode_opts *o = &r->o;
	char a[32];
	if (o->gguf)
		fprintf(f, "Decode: %s (%s, %s; %s), %d threads, prompt %d, %d generated tokens\n"
			   "file: %s, sha256 %.16s...\n",
			o->shape.name, o->file.arch, o->file.label, o->file.mix, o->threads, o->prompt,
			o->tokens, o->file.path, o->file.sha256);
	else
		fprintf(f, "Decode: %s, %d threads, prompt %d, %d generated tokens (synthetic weights)\n",
			o->shape.name, o->threads, o->prompt, o->tokens);
	if (o->bw_given)
		fprintf(f, "ceiling: bytes/token / %.1f GB/s DRAM read (%s)\n", o->bw_best / 1e9, o->bw_source);
	else
		fprintf(f, "ceiling: bytes/token / the read bandwidth of the weights' own memory (measured "
			   "before each run, column wGB/s);\nreference: %.1f GB/s (%s), %% in column 'ref'\n",
			o->bw_best / 1e9, o->bw_source);
	if (o->ds_bw > 0)
		fprintf(f, "datasheet: %s, %.1f GB/s (%s)\n", o->ds_name, o->ds_bw / 1e9, o->ds_basis);
	if (o->all_cores > o->threads && r->all_n > 0)
		fprintf(f, "hybrid CPU: %d threads on the fastest cores (the default); %s on all %d cores: "
			   "%.2f against %.2f tok/s (%+.0f%%): %s\n",
			o->threads, ev_types[r->all_type].name, r->all_threads, r->all_tok_s, r->fast_tok_s,
			100 * (r->all_tok_s / r->fast_tok_s - 1), bench_decode_hybrid_verdict(r));
	fprintf(f, "%-5s %8s %8s %8s %8s %9s %7s %7s %8s %7s %6s %8s %8s\n", "quant", "TTFT ms",
		"TPOT p50", "TPOT p95", "tok/s", "MB/token", "GB/s", "wGB/s", "ceiling", "% ceil", "ref",
		"compute", "bound");
	for (int i = 0; i < r->nruns; i++) {
		const struct ev_decode_run *u = &r->runs[i];
		if (u->ntpot == 0)
			continue;
		fprintf(f, "%-5s %8.1f %8.2f %8.2f %8.2f %9.1f %7.1f %7.1f %8.2f %6.1f%% %5.0f%% %8.1f %8s\n",
			bench_decode_quant(o, u), u->ttft_s * 1e3, u->tpot.median * 1e3, u->tpot.p95 * 1e3,
			u->tok_s, u->cost.total_bytes / 1e6, u->achieved_bps / 1e9, u->ceil_bw / 1e9,
			u->ceiling_tok_s, 100 * u->pct_ceiling, 100 * u->ref_pct, u->compute_tok_s, u->bound);
	}
	for (int i = 0; i < r->nruns; i++) {
		const struct ev_decode_run *u = &r->runs[i];
		if (u->ntpot == 0)
			continue;
		fprintf(f, "%s: kernel %s; %s; peak RSS %s", bench_decode_quant(o, u), u->kernel, u->fit,
			units_fmt_bytes(a, sizeof a, u->peak_rss_bytes));
		if (o->ds_bw > 0)
			fprintf(f, "; %.1f%% of the datasheet ceiling %.2f tok/s", 100 * u->ds_pct,
				u->ds_ceiling_tok_s);
		fprintf(f, "\n");
		if (u->ttft_s > 0) {
			fprintf(f, "  prefill: %.1f tok/s, %.1f G%s/s (computed FLOPs / TTFT)", u->prefill_tok_s,
				u->prefill_flop_s / 1e9, u->prefill_prec == EV_PREC_INT8 ? "OP" : "FLOP");
			if (u->prefill_peak > 0)
				fprintf(f, ", %.1f%% of the measured %s peak %.1f G/s (%s)",
					100 * u->prefill_flop_s / u->prefill_peak, ev_prec_name[u->prefill_prec],
					u->prefill_peak / 1e9, u->prefill_peak_kernel);
			fprintf(f, "\n");
		}
		if (u->phases.ok) {
			double tot = 0;
			for (int p = 0; p < DEC_PHASE__COUNT; p++)
				tot += u->phases.s[p];
			fprintf(f, "  time per token (mean of threads):");
			for (int p = 0; p < DEC_PHASE__COUNT; p++)
				fprintf(f, "%s %s %.2f ms (%.0f%%)", p ? "," : "", dec_phase_name[p],
					u->phases.s[p] * 1e3, 100 * u->phases.s[p] / tot);
			fprintf(f, "\n");
		}
		if (sensors_mem_below_max(&u->mem[0], &u->mem[1])) {
			const struct ev_mem_state *m = u->mem[0].ok ? &u->mem[0] : &u->mem[1];
			fprintf(f, "  warning: the memory controller %s ran at %.0f MHz of its %.0f MHz "
				   "(governor %s) during these tokens\n",
				m->name, m->cur_hz / 1e6, m->max_hz / 1e6, m->governor);
		}
		if (u->ntpot > 0 && u->cnt.ok) {
			const struct ev_cnt_plan *P = &r->cnt_plan;
			double by = counters_per_rep(P, &u->cnt, EV_CNT_MEM);
			fprintf(f, "  counters per token (%s):", P->source);
			counters_print_brief(f, P, &u->cnt);
			if (by >= 0)
				fprintf(f, ", counted %.1f MB vs computed %.1f MB (%.2fx)", by / 1e6,
					u->cost.total_bytes / 1e6, by / u->cost.total_bytes);
			fprintf(f, "\n");
		} else if (u->ntpot > 0 && i == 0) {
			fprintf(f, "  hardware counters: unavailable: %s\n", u->cnt.reason);
		}
		if (u->compute_status != EV_OK)
			fprintf(f, "  compute ceiling %s: %s\n",
				u->compute_status == EV_ERR_VERIFY ? "FAILED VERIFICATION" : "unavailable",
				u->compute_reason);
		for (int k = 0; k < u->nctx; k++)
			fprintf(f, "  ctx %6d: %7.2f tok/s (median of %d), ceiling %7.2f, %5.1f%%\n",
				u->ctx[k].ctx, u->ctx[k].tps.median, u->ctx[k].n, u->ctx[k].ceiling_tok_s,
				100 * u->ctx[k].tps.median / u->ctx[k].ceiling_tok_s);
	}
	if (r->interrupted)
		fprintf(f, "interrupted: what was measured is kept\n");
}
