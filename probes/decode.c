/* probes/decode.c: the reference decoder and the cache-resident matmul probe.
 *
 * Method: one forward pass per token through every layer, all threads of a
 * pinned pool working on it: matrix rows are split between threads (the rows a
 * thread first-touched when the weights were made), attention heads are split
 * between threads, the small per-token vector work is done by the thread that
 * owns the token. A barrier separates steps; no thread is created per token.
 * Activations feeding q4_0/q8_0 weights are quantized to q8_0 (as ggml does),
 * f16/bf16/f32 weights take f32 activations. The KV cache is fp16.
 * Counted: bytes and FLOP per token come from roofline/decode-model.c (the
 * traits table gives bytes/weight); the kernel itself counts nothing.
 * Pitfalls: weights fit in cache for small models, which then run faster
 * than the DRAM ceiling; the report says which memory level the model fits in. */
#include "decode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf.h"
#include "mem.h"
#include "timer.h"

_Static_assert(sizeof(ev_fp16) == 2, "the KV cache is stored as ev_fp16 (DEC_KV_TYPE)");

#define ALIGN64(x) (((x) + 63) & ~(size_t)63)
/* Prefill's row tiles: the weights of one tile (a multiple of 4 rows, about
 * this many bytes) stay in the core's L2 while every token of the prompt
 * passes over them, EV_GEMM_TOKENS at a time (their activations in L1). */
#define ROW_TILE_BYTES (128 * 1024)

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rows_of(int rows, int tid, int nth, int *r0, int *r1)
{
	int per = (rows + nth - 1) / nth;
	per = (per + 3) & ~3;
	*r0 = tid * per < rows ? tid * per : rows;
	*r1 = *r0 + per < rows ? *r0 + per : rows;
}

/* Matrices streamed as one for a token (Q, K, V; gate, up): their rows form
 * one row space split between the threads, so each thread streams one
 * contiguous range instead of a piece of each matrix (fewer, longer streams:
 * one prefetch ramp instead of three). Needs every matrix's rows to be a
 * multiple of 4 (the interleaved groups stay whole); otherwise each matrix is
 * split on its own. The weights are made (first-touched) with the same split. */
static int fusable(const struct dec_tensor *const *W, int nw)
{
	for (int i = 0; i < nw; i++)
		if (W[i]->rows % 4 || W[i]->cols != W[0]->cols)
			return 0;
	return 1;
}

/* Rows [*a, *b) of matrix i that thread tid owns in a group of nw. */
static void piece(const struct dec_tensor *const *W, int nw, int i, int tid, int nth, int *a, int *b)
{
	int total = 0, base = 0, r0, r1;
	if (!fusable(W, nw)) {
		rows_of(W[i]->rows, tid, nth, a, b);
		return;
	}
	for (int k = 0; k < nw; k++) {
		if (k < i)
			base += W[k]->rows;
		total += W[k]->rows;
	}
	rows_of(total, tid, nth, &r0, &r1);
	*a = r0 > base ? r0 - base : 0;
	*b = r1 - base < W[i]->rows ? r1 - base : W[i]->rows;
	if (*a > *b)
		*a = *b;
}

/* One token's matrices (a group streamed as one: Q, K, V; gate, up; or one
 * matrix) with the rows handed out in chunks of about 64 KiB from a shared
 * counter, not split in equal halves: a thread that streams faster takes more
 * chunks, so the threads reach the barrier together (with a static split the
 * mean barrier wait was 6-9% of a token on a noisy 2-core VM; on a hybrid CPU
 * run on all cores the little cores take fewer chunks instead of holding
 * everyone up). Chunks start at multiples of 4 rows of each matrix (the
 * interleaved groups stay whole). Phase ph uses counter ph & 1; thread 0
 * zeroes the other one, last used one phase ago (a barrier lies between). */
#define SCHED_BYTES (64 * 1024)
static void matmul_dyn(struct dec_model *m, const struct dec_tensor *const *W, float *const *out,
		       int nw, unsigned ph, int tid)
{
	atomic_int *ctr = &m->sched[ph & 1];
	int base[4], total = 0, chunk = (int)(SCHED_BYTES / W[0]->row_bytes) & ~3;
	if (tid == 0)
		atomic_store_explicit(&m->sched[(ph + 1) & 1], 0, memory_order_relaxed);
	if (chunk < 4)
		chunk = 4;
	for (int i = 0; i < nw; i++) {
		base[i] = total;
		total += (W[i]->rows + 3) & ~3;
	}
	for (;;) {
		int c0 = atomic_fetch_add_explicit(ctr, chunk, memory_order_relaxed), c1 = c0 + chunk;
		if (c0 >= total)
			break;
		for (int i = 0; i < nw; i++) {
			int a = c0 - base[i], b = c1 - base[i];
			if (a < 0)
				a = 0;
			if (b > W[i]->rows)
				b = W[i]->rows;
			if (a < b)
				W[i]->dot->rows(W[i]->cols, (const char *)W[i]->data + (size_t)a * W[i]->row_bytes,
						W[i]->row_bytes, b - a, m->act[W[i]->act], out[i] + a);
		}
	}
}

/* ---- synthetic weights ---- */

/* Values with standard deviation ~1/sqrt(cols), so activations stay O(1)
 * through the layers (RMSNorm keeps them so too). */
static void fill_rows(const struct dec_tensor *t, int r0, int r1, uint64_t seed)
{
	double sd = 1.0 / sqrt((double)t->cols);
	for (int r = r0; r < r1; r++) {
		uint64_t s = seed * 1000003u + (uint64_t)r;
		unsigned char *row = (unsigned char *)t->data + (size_t)r * t->row_bytes;
		switch (t->type) {
		case EV_TYPE_Q4_0: {
			struct block_q4_0 *b = (void *)row;
			ev_fp16 d = ev_f32_to_fp16((float)(sd / 4.6));
			for (int i = 0; i < t->cols / QK; i++) {
				uint64_t a = splitmix(&s), c = splitmix(&s);
				b[i].d = d;
				memcpy(b[i].qs, &a, 8);
				memcpy(b[i].qs + 8, &c, 8);
			}
			break;
		}
		case EV_TYPE_Q8_0: {
			struct block_q8_0 *b = (void *)row;
			ev_fp16 d = ev_f32_to_fp16((float)(sd / 73.3));
			for (int i = 0; i < t->cols / QK; i++) {
				b[i].d = d;
				for (int j = 0; j < QK; j += 8) {
					uint64_t a = splitmix(&s);
					for (int k = 0; k < 8; k++) {
						int v = (int)((a >> (8 * k)) & 0xff) - 128;
						b[i].qs[j + k] = (int8_t)(v < -127 ? -127 : v);
					}
				}
			}
			break;
		}
		default: {
			float tmp[QK_K];
			for (int c = 0; c < t->cols; c += QK_K) {
				int n = t->cols - c < QK_K ? t->cols - c : QK_K;
				for (int k = 0; k < n; k++)
					tmp[k] = (float)(((double)(splitmix(&s) >> 11) / 9007199254740992.0 * 2 - 1) *
							 sd * 1.7320508);
				ev_types[t->type].from_float(tmp, row + ev_type_row_bytes(t->type, c), n);
			}
		}
		}
	}
}

/* Put rows [r0, r1) (r0 a multiple of 4) in the kernel's own layout, if it
 * has one; scratch holds 4 rows. */
static void repack_rows(const struct dec_tensor *t, int r0, int r1, void *scratch)
{
	const struct ev_dot_impl *d = t->dot;
	if (!d->repack4)
		return;
	for (int g = r0; g + 4 <= r1; g += 4)
		d->repack4((char *)t->data + (size_t)g * t->row_bytes, t->cols, scratch);
}

void dec_tensor_row(const struct dec_model *m, const struct dec_tensor *t, int r, void *row)
{
	int g = r & ~3;
	(void)m;
	if (t->dot->unpack_row && g + 4 <= t->rows)
		t->dot->unpack_row((const char *)t->data + (size_t)g * t->row_bytes, t->cols, r - g, row);
	else
		memcpy(row, (const char *)t->data + (size_t)r * t->row_bytes, t->row_bytes);
}

struct gen_ctx {
	struct dec_model *m;
	uint64_t seed;
	unsigned char *scratch;   /* 4 of the longest rows per thread, for repacking */
	size_t scratch_stride;
};

static void gen_all(void *a, int tid, int nth)
{
	struct gen_ctx *g = a;
	struct dec_model *m = g->m;
	int r0, r1;
	uint64_t id = g->seed * 7919;
#define GEN(t)                                                                               \
	do {                                                                                 \
		rows_of((t).rows, tid, nth, &r0, &r1);                                       \
		fill_rows(&(t), r0, r1, ++id);                                               \
		repack_rows(&(t), r0, r1, g->scratch + (size_t)tid * g->scratch_stride);     \
	} while (0)
/* a group streamed as one: each thread makes (first-touches) an equal share */
#define GEN_GROUP(n, ...)                                                                    \
	do {                                                                                 \
		const struct dec_tensor *const w_[] = {__VA_ARGS__};                         \
		for (int i_ = 0; i_ < (n); i_++) {                                           \
			piece(w_, (n), i_, tid, nth, &r0, &r1);                              \
			fill_rows(w_[i_], r0, r1, ++id);                                     \
			repack_rows(w_[i_], r0, r1, g->scratch + (size_t)tid * g->scratch_stride); \
		}                                                                            \
	} while (0)
	GEN(m->embd);
	if (m->out.data != m->embd.data)
		GEN(m->out);
	for (int l = 0; l < m->s.n_layers; l++) {
		struct dec_layer *L = &m->L[l];
		GEN_GROUP(3, &L->wq, &L->wk, &L->wv);
		GEN(L->wo);
		GEN_GROUP(2, &L->wg, &L->wu);
		GEN(L->wd);
		if (tid == 0) {
			uint64_t s = id;
			for (int i = 0; i < m->s.hidden; i++)
				L->attn_norm[i] = L->ffn_norm[i] = 1.0f;
			if (L->bq)
				for (int i = 0; i < m->q_dim; i++)
					L->bq[i] = (float)((double)(splitmix(&s) >> 40) / 16777216.0 - 0.5) * 0.02f;
			if (L->bk)
				for (int i = 0; i < m->kv_dim; i++) {
					L->bk[i] = (float)((double)(splitmix(&s) >> 40) / 16777216.0 - 0.5) * 0.02f;
					L->bv[i] = (float)((double)(splitmix(&s) >> 40) / 16777216.0 - 0.5) * 0.02f;
				}
		}
	}
	if (tid == 0)
		for (int i = 0; i < m->s.hidden; i++)
			m->out_norm[i] = 1.0f;
#undef GEN
#undef GEN_GROUP
}

/* ---- layout ---- */

static size_t tensor_bytes(int type, int rows, int cols)
{
	return ALIGN64(ev_type_row_bytes(type, cols) * (size_t)rows);
}

static size_t weights_layout(struct dec_model *m, unsigned char *base)
{
	size_t off = 0;
	const struct ev_model_shape *s = &m->s;
#define T(t, r, c)                                                                           \
	do {                                                                                 \
		(t).type = m->type;                                                          \
		(t).rows = (r);                                                              \
		(t).cols = (c);                                                              \
		(t).row_bytes = ev_type_row_bytes(m->type, (c));                             \
		(t).data = base ? base + off : NULL;                                         \
		(t).dot = m->dot;                                                            \
		(t).act = ev_types[m->type].act;                                             \
		off += tensor_bytes(m->type, (r), (c));                                      \
	} while (0)
#define V(p, n)                                                                              \
	do {                                                                                 \
		(p) = base ? (float *)(void *)(base + off) : NULL;                           \
		off += ALIGN64((size_t)(n) * sizeof(float));                                 \
	} while (0)
	T(m->embd, s->vocab, s->hidden);
	if (s->tied)
		m->out = m->embd;
	else
		T(m->out, s->vocab, s->hidden);
	V(m->out_norm, s->hidden);
	for (int l = 0; l < s->n_layers; l++) {
		struct dec_layer *L = &m->L[l];
		T(L->wq, m->q_dim, s->hidden);
		T(L->wk, m->kv_dim, s->hidden);
		T(L->wv, m->kv_dim, s->hidden);
		T(L->wo, s->hidden, m->q_dim);
		T(L->wg, s->ffn, s->hidden);
		T(L->wu, s->ffn, s->hidden);
		T(L->wd, s->hidden, s->ffn);
		V(L->attn_norm, s->hidden);
		V(L->ffn_norm, s->hidden);
		if (s->attn_bias) {
			V(L->bq, m->q_dim);
			V(L->bk, m->kv_dim);
			V(L->bv, m->kv_dim);
		} else {
			L->bq = L->bk = L->bv = NULL;
		}
	}
#undef T
#undef V
	return off;
}

/* The longest row any matrix has (the input width of the widest matmul). */
static int dec_max_cols(const struct dec_model *m)
{
	int c = m->s.ffn > m->s.hidden ? m->s.ffn : m->s.hidden;
	return m->q_dim > c ? m->q_dim : c;
}

static size_t acts_layout(struct dec_model *m, unsigned char *base, int nthreads)
{
	size_t off = 0, B = (size_t)m->batch_cap;
	int maxin = dec_max_cols(m);
#define V(p, n)                                                                              \
	do {                                                                                 \
		(p) = base ? (float *)(void *)(base + off) : NULL;                           \
		off += ALIGN64((size_t)(n) * sizeof(float));                                 \
	} while (0)
	V(m->x, B * m->s.hidden);
	V(m->xn, B * m->s.hidden);
	V(m->q, B * m->q_dim);
	V(m->k, B * m->kv_dim);
	V(m->v, B * m->kv_dim);
	V(m->att, B * m->q_dim);
	V(m->hb, B * m->s.ffn);
	V(m->hb2, B * m->s.ffn);
	V(m->tmp, B * m->s.hidden);
	V(m->logits, m->s.vocab);
	/* scores of the query heads sharing one KV head, per thread */
	V(m->scores, (size_t)nthreads * (m->s.n_heads / m->s.n_kv_heads) * m->ctx_cap);
	V(m->rope, B * m->s.head_dim);
	V(m->rowbuf, B * m->s.hidden); /* one embedding row per token, any format <= f32 */
#undef V
	for (int a = 0; a < EV_ACT__COUNT; a++) {
		m->act_stride[a] = m->act_mask & (1u << a) ? ALIGN64(ev_act_bytes(a, maxin)) : 0;
		m->act[a] = base && m->act_stride[a] ? base + off : NULL;
		off += m->act_stride[a] * B;
	}
	return off;
}

/* Positions the KV cache holds: ctx_cap rounded up to whole K blocks. */
static int kv_cap(int ctx_cap)
{
	return (ctx_cap + EV_KV_BLOCK - 1) / EV_KV_BLOCK * EV_KV_BLOCK;
}

void dec_memory_plan(const struct ev_model_shape *s, int type, int ctx_cap, int batch_cap,
		     int nthreads, double *weights, double *kv, double *act)
{
	struct dec_model m;
	memset(&m, 0, sizeof m);
	m.s = *s;
	m.type = type;
	m.vdt = ev_types[type].act;
	m.act_mask = 1u << m.vdt;
	m.q_dim = s->n_heads * s->head_dim;
	m.kv_dim = s->n_kv_heads * s->head_dim;
	m.ctx_cap = ctx_cap;
	m.batch_cap = batch_cap;
	m.L = calloc((size_t)s->n_layers, sizeof *m.L);
	*weights = m.L ? (double)weights_layout(&m, NULL) : 0;
	*kv = ev_shape_kv_bytes(s, ev_type_bytes_per_weight(DEC_KV_TYPE), kv_cap(ctx_cap));
	*act = (double)acts_layout(&m, NULL, nthreads);
	free(m.L);
}

/* The KV cache and the activations (m's shape, act_mask, ctx_cap, batch_cap
 * and nthreads set). On failure m is destroyed. */
static int alloc_runtime(struct dec_model *m, struct ev_err *e)
{
	const struct ev_model_shape *s = &m->s;
	m->kv_cap = kv_cap(m->ctx_cap);
	m->kv_bytes = (size_t)ev_shape_kv_bytes(s, ev_type_bytes_per_weight(DEC_KV_TYPE), m->kv_cap);
	m->kvmem = mem_alloc(m->kv_bytes, EV_PAGES_HUGE);
	m->act_bytes = acts_layout(m, NULL, m->nthreads);
	m->amem = mem_alloc(m->act_bytes, EV_PAGES_DEFAULT);
	if (!m->kvmem || !m->amem) {
		double mb = (double)(m->kv_bytes + m->act_bytes) / 1e6;
		dec_model_destroy(m);
		return ev_fail(e, EV_ERR_RUNTIME, "decode: cannot allocate %.0f MB for the KV cache and activations", mb);
	}
	acts_layout(m, m->amem, m->nthreads);
	m->kc = m->kvmem;
	m->vc = m->kc + (size_t)s->n_layers * (size_t)m->kv_cap * (size_t)m->kv_dim;
	return EV_OK;
}

int dec_model_create(struct dec_model *m, const struct ev_model_shape *s, int type, int ctx_cap,
		     int batch_cap, struct ev_pool *pool, const struct ev_cpu *cpu, uint64_t seed,
		     struct ev_err *e)
{
	struct gen_ctx g;
	memset(m, 0, sizeof *m);
	m->s = *s;
	m->type = type;
	m->vdt = ev_types[type].act;
	m->act_mask = 1u << m->vdt;
	m->q_dim = s->n_heads * s->head_dim;
	m->kv_dim = s->n_kv_heads * s->head_dim;
	m->ctx_cap = ctx_cap;
	m->batch_cap = batch_cap;
	m->nthreads = pool_size(pool);
	m->dot = ev_dot_pick(type, cpu);
	m->attn = ev_attn_pick(cpu);
	m->L = calloc((size_t)s->n_layers, sizeof *m->L);
	if (!m->L)
		return ev_fail(e, EV_ERR_RUNTIME, "decode: out of memory");
	m->wmem_bytes = weights_layout(m, NULL);
	m->wmem = mem_alloc(m->wmem_bytes, EV_PAGES_HUGE);
	if (!m->wmem) {
		dec_model_destroy(m);
		return ev_fail(e, EV_ERR_RUNTIME, "decode: cannot allocate %.0f MB for the weights",
			       (double)m->wmem_bytes / 1e6);
	}
	if (alloc_runtime(m, e))
		return e->code;
	weights_layout(m, m->wmem);
	g.m = m;
	g.seed = seed;
	g.scratch_stride = 4 * ev_type_row_bytes(type, dec_max_cols(m));
	g.scratch = malloc(g.scratch_stride * (size_t)m->nthreads);
	if (!g.scratch) {
		dec_model_destroy(m);
		return ev_fail(e, EV_ERR_RUNTIME, "decode: out of memory");
	}
	pool_run(pool, gen_all, &g);
	free(g.scratch);
	return EV_OK;
}

void dec_model_destroy(struct dec_model *m)
{
	if (!m->wmem_mapped)
		mem_free(m->wmem, m->wmem_bytes);
	free(m->vmem);
	mem_free(m->kvmem, m->kv_bytes);
	mem_free(m->amem, m->act_bytes);
	free(m->L);
	memset(m, 0, sizeof *m);
}

/* ---- a model file's weights ---- */

int dec_main_type(const struct dec_model *m)
{
	double bytes[EV_TYPE__COUNT] = {0};
	int best = m->type;
#define ADD(t) (bytes[(t).type] += (double)(t).row_bytes * (t).rows)
	if (m->out.data != m->embd.data)
		ADD(m->out);
	else
		ADD(m->embd);
	for (int l = 0; l < m->s.n_layers; l++) {
		const struct dec_layer *L = &m->L[l];
		ADD(L->wq), ADD(L->wk), ADD(L->wv), ADD(L->wo), ADD(L->wg), ADD(L->wu), ADD(L->wd);
	}
#undef ADD
	for (int t = 0; t < EV_TYPE__COUNT; t++)
		if (bytes[t] > bytes[best])
			best = t;
	return best;
}

/* One matrix of the file: its format must have a kernel here. */
static int file_matrix(struct dec_model *m, const struct gguf_file *g, const char *name,
		       struct dec_tensor *t, const struct ev_cpu *cpu, struct ev_err *e)
{
	const struct gguf_tensor *gt = gguf_tensor(g, name);
	const struct gguf_type_info *ti = gguf_type(gt->type);
	if (ti->ev_type < 0)
		return ev_fail(e, EV_ERR_USAGE,
			       "%s: tensor '%s' is %s, a format eaves' decoder has no kernel for "
			       "(eaves predict --gguf still counts its bytes)", g->path, name, ti->name);
	t->type = ti->ev_type;
	t->cols = (int)gt->ne[0];
	t->rows = (int)gt->ne[1];
	if (t->cols % QK && ev_types[t->type].act != EV_ACT_F32)
		return ev_fail(e, EV_ERR_USAGE, "%s: tensor '%s': rows of %d are not whole blocks of %d",
			       g->path, name, t->cols, QK);
	t->row_bytes = ev_type_row_bytes(t->type, t->cols);
	t->data = (void *)(uintptr_t)gt->data; /* the private mapping: writable, never the file */
	t->dot = ev_dot_pick(t->type, cpu);
	t->act = ev_types[t->type].act;
	m->act_mask |= 1u << t->act;
	return EV_OK;
}

/* A vector of the file (norm weights, biases) as floats, into vmem at *off. */
static int file_vector(const struct gguf_file *g, const char *name, int n, float **out,
		       unsigned char *base, size_t *off, struct ev_err *e)
{
	const struct gguf_tensor *gt = gguf_tensor(g, name);
	const struct gguf_type_info *ti = gguf_type(gt->type);
	if (ti->ev_type < 0 || ev_types[ti->ev_type].block_elems != 1)
		return ev_fail(e, EV_ERR_USAGE, "%s: tensor '%s' is %s: a vector must be F32, F16 or BF16",
			       g->path, name, ti->name);
	if (base) {
		*out = (float *)(void *)(base + *off);
		ev_types[ti->ev_type].to_float(gt->data, *out, n);
	}
	*off += ALIGN64((size_t)n * sizeof(float));
	return EV_OK;
}

static int file_vectors(struct dec_model *m, const struct gguf_file *g, const struct gguf_llama *gl,
			unsigned char *base, size_t *off, struct ev_err *e)
{
	char nm[96];
	int rc, H = m->s.hidden;
	float *f = NULL;
	*off = 0;
	if ((rc = file_vector(g, "output_norm.weight", H, &m->out_norm, base, off, e)))
		return rc;
	if (gl->rope_factors) {
		if ((rc = file_vector(g, "rope_freqs.weight", m->s.head_dim / 2, &f, base, off, e)))
			return rc;
		m->rope_factors = f;
		for (int i = 0; base && i < m->s.head_dim / 2; i++)
			if (!(f[i] > 0))
				return ev_fail(e, EV_ERR_USAGE, "%s: rope_freqs.weight[%d] = %g is not positive",
					       g->path, i, f[i]);
	}
	for (int l = 0; l < m->s.n_layers; l++) {
		struct dec_layer *L = &m->L[l];
#define VEC(field, suffix, n)                                                                \
	do {                                                                                 \
		snprintf(nm, sizeof nm, "blk.%d." suffix, l);                                \
		if ((rc = file_vector(g, nm, (n), &L->field, base, off, e)))                 \
			return rc;                                                           \
	} while (0)
		VEC(attn_norm, "attn_norm.weight", H);
		VEC(ffn_norm, "ffn_norm.weight", H);
		if (m->s.attn_bias) {
			VEC(bq, "attn_q.bias", m->q_dim);
			VEC(bk, "attn_k.bias", m->kv_dim);
			VEC(bv, "attn_v.bias", m->kv_dim);
		}
#undef VEC
	}
	return EV_OK;
}

struct touch_ctx {
	struct dec_model *m;
	unsigned char *scratch;
	size_t scratch_stride;
	volatile unsigned sink;
};

/* Bring in (read) each page of the rows this thread will multiply, repacking
 * groups for kernels with their own layout: the same split as matmul. */
static void touch_rows(const struct dec_tensor *t, int r0, int r1, unsigned char *scratch,
		       unsigned *acc)
{
	const unsigned char *p = (const unsigned char *)t->data + (size_t)r0 * t->row_bytes,
			    *end = (const unsigned char *)t->data + (size_t)r1 * t->row_bytes;
	for (; p < end; p += 4096)
		*acc += *p;
	repack_rows(t, r0, r1, scratch);
}

static void touch_all(void *a, int tid, int nth)
{
	struct touch_ctx *c = a;
	struct dec_model *m = c->m;
	unsigned char *scr = c->scratch + (size_t)tid * c->scratch_stride;
	unsigned acc = 0;
	int r0, r1;
	rows_of(m->embd.rows, tid, nth, &r0, &r1);
	touch_rows(&m->embd, r0, r1, scr, &acc);
	if (m->out.data != m->embd.data) {
		rows_of(m->out.rows, tid, nth, &r0, &r1);
		touch_rows(&m->out, r0, r1, scr, &acc);
	}
	for (int l = 0; l < m->s.n_layers; l++) {
		struct dec_layer *L = &m->L[l];
		const struct dec_tensor *const g3[] = {&L->wq, &L->wk, &L->wv}, *const g2[] = {&L->wg, &L->wu};
		for (int i = 0; i < 3; i++) {
			piece(g3, 3, i, tid, nth, &r0, &r1);
			touch_rows(g3[i], r0, r1, scr, &acc);
		}
		for (int i = 0; i < 2; i++) {
			piece(g2, 2, i, tid, nth, &r0, &r1);
			touch_rows(g2[i], r0, r1, scr, &acc);
		}
		rows_of(L->wo.rows, tid, nth, &r0, &r1);
		touch_rows(&L->wo, r0, r1, scr, &acc);
		rows_of(L->wd.rows, tid, nth, &r0, &r1);
		touch_rows(&L->wd, r0, r1, scr, &acc);
	}
	c->sink += acc;
}

int dec_model_from_gguf(struct dec_model *m, const struct gguf_file *g, const struct gguf_llama *gl,
			int ctx_cap, int batch_cap, struct ev_pool *pool, const struct ev_cpu *cpu,
			struct ev_err *e)
{
	const struct ev_model_shape *s = &gl->shape;
	struct touch_ctx tc;
	size_t maxrow = 0, off;
	int rc;
	char nm[96];
	memset(m, 0, sizeof *m);
	m->s = *s;
	m->q_dim = s->n_heads * s->head_dim;
	m->kv_dim = s->n_kv_heads * s->head_dim;
	m->ctx_cap = ctx_cap;
	m->batch_cap = batch_cap;
	m->nthreads = pool_size(pool);
	m->attn = ev_attn_pick(cpu);
	m->wmem_mapped = 1;
	m->wmem = (void *)(uintptr_t)(g->base + g->data_off);
	m->wmem_bytes = (size_t)(g->size - g->data_off);
	m->L = calloc((size_t)s->n_layers, sizeof *m->L);
	if (!m->L)
		return ev_fail(e, EV_ERR_RUNTIME, "decode: out of memory");
#define MAT(t, name)                                                                         \
	do {                                                                                 \
		if ((rc = file_matrix(m, g, (name), &(t), cpu, e)))                          \
			goto fail;                                                           \
		if ((t).row_bytes > maxrow)                                                  \
			maxrow = (t).row_bytes;                                              \
	} while (0)
	MAT(m->embd, "token_embd.weight");
	if (s->tied)
		m->out = m->embd;
	else
		MAT(m->out, "output.weight");
	for (int l = 0; l < s->n_layers; l++) {
		struct dec_layer *L = &m->L[l];
		static const char *const names[] = {"attn_q", "attn_k", "attn_v", "attn_output",
						    "ffn_gate", "ffn_up", "ffn_down"};
		struct dec_tensor *const ts[] = {&L->wq, &L->wk, &L->wv, &L->wo, &L->wg, &L->wu, &L->wd};
		for (int k = 0; k < 7; k++) {
			snprintf(nm, sizeof nm, "blk.%d.%s.weight", l, names[k]);
			MAT(*ts[k], nm);
		}
		if (L->wd.cols % ev_act_block(L->wd.act)) {
			rc = ev_fail(e, EV_ERR_USAGE, "%s: %s: %d columns are not whole blocks", g->path, nm, L->wd.cols);
			goto fail;
		}
	}
#undef MAT
	/* the embedding row is converted on its own: it needs no activations */
	m->type = dec_main_type(m);
	m->vdt = ev_types[m->type].act;
	m->dot = ev_dot_pick(m->type, cpu);
	if ((rc = file_vectors(m, g, gl, NULL, &off, e)))
		goto fail;
	m->vmem_bytes = off;
	if (!(m->vmem = aligned_alloc(64, off ? off : 64))) {
		rc = ev_fail(e, EV_ERR_RUNTIME, "decode: out of memory");
		goto fail;
	}
	if ((rc = file_vectors(m, g, gl, m->vmem, &off, e)))
		goto fail;
	if ((rc = alloc_runtime(m, e)))
		return rc;
	tc.m = m;
	tc.sink = 0;
	tc.scratch_stride = 4 * maxrow;
	if (!(tc.scratch = malloc(tc.scratch_stride * (size_t)m->nthreads))) {
		rc = ev_fail(e, EV_ERR_RUNTIME, "decode: out of memory");
		goto fail;
	}
	pool_run(pool, touch_all, &tc);
	free(tc.scratch);
	return EV_OK;
fail:
	dec_model_destroy(m);
	return rc;
}

struct kv_ctx {
	struct dec_model *m;
	int upto;
	uint64_t seed;
};

static void kv_fill(void *a, int tid, int nth)
{
	struct kv_ctx *k = a;
	struct dec_model *m = k->m;
	for (int l = tid; l < m->s.n_layers; l += nth) {
		uint64_t s = k->seed + (uint64_t)l;
		for (size_t p = 0; p < (size_t)k->upto; p++)
			for (size_t i = 0; i < (size_t)m->kv_dim; i++) {
				uint64_t r = splitmix(&s);
				m->kc[dec_k_index(m, l, (int)i, (int)p)] =
					ev_f32_to_fp16((float)((r & 0xffff) / 32768.0 - 1.0));
				m->vc[dec_v_index(m, l, (int)i, (int)p)] =
					ev_f32_to_fp16((float)(((r >> 16) & 0xffff) / 32768.0 - 1.0));
			}
	}
}

void dec_fill_kv(struct dec_model *m, struct ev_pool *pool, int upto, uint64_t seed)
{
	struct kv_ctx k = {m, upto < m->ctx_cap ? upto : m->ctx_cap, seed};
	pool_run(pool, kv_fill, &k);
}

/* ---- forward ---- */

struct fwd_ctx {
	struct dec_model *m;
	struct ev_pool *pool;
	const int *tokens;
	int B, pos;
	int next;
	unsigned ph_end;
};

static void rmsnorm(float *y, const float *x, const float *w, int n, double eps)
{
	double ss = 0;
	float sc;
	for (int i = 0; i < n; i++)
		ss += (double)x[i] * x[i];
	sc = (float)(1.0 / sqrt(ss / n + eps));
	for (int i = 0; i < n; i++)
		y[i] = x[i] * sc * w[i];
}

/* out[b][r] = W[r] . act[b] for this thread's rows. B > 1 (prefill) is a GEMM:
 * each tile of rows is read from memory once for the whole prompt, and the
 * kernel unpacks each weight block once for EV_GEMM_TOKENS tokens. */
static void matmul(struct dec_model *m, const struct dec_tensor *W, float *out, size_t ostride,
		   int B, unsigned ph, int tid, int nth)
{
	int r0, r1, tile = (int)(ROW_TILE_BYTES / W->row_bytes) & ~3;
	if (B == 1) {
		matmul_dyn(m, &W, &out, 1, ph, tid);
		return;
	}
	rows_of(W->rows, tid, nth, &r0, &r1);
	if (r0 >= r1)
		return;
	if (tile < 4)
		tile = 4;
	for (int rt = r0; rt < r1; rt += tile)
		ev_dot_gemm(W->dot, W->cols, (const char *)W->data + (size_t)rt * W->row_bytes, W->row_bytes,
			    r1 - rt < tile ? r1 - rt : tile, m->act[W->act], m->act_stride[W->act], B,
			    out + rt, ostride);
}

#define AM(t) (1u << (t).act)

/* Elements [i0, i1) of x (n elements) in activation format a: q8_0 through
 * the vector kernel, the others through the generic quantizer. */
static void act_quantize(const struct dec_model *m, int a, const float *x, void *dst, int n, int i0,
			 int i1)
{
	if (a == EV_ACT_Q8_0)
		m->attn->act_q8_0(x, dst, n, i0, i1);
	else
		ev_act_quantize_range(a, x, dst, n, i0, i1);
}

/* Token b's activations x (n elements) in every format of mask. */
static void quantize_one(struct dec_model *m, unsigned mask, const float *x, int n, int b)
{
	for (int a = 0; a < EV_ACT__COUNT; a++)
		if (mask & (1u << a))
			act_quantize(m, a, x, (char *)m->act[a] + (size_t)b * m->act_stride[a], n, 0, n);
}

static void quantize_acts(struct dec_model *m, unsigned mask, const float *src, size_t stride, int n,
			  int B, int tid, int nth)
{
	for (int b = tid; b < B; b += nth)
		quantize_one(m, mask, src + (size_t)b * stride, n, b);
}

/* RoPE with cs = cos of each frequency, then sin: on the halves of each head
 * (pair i with i + hd/2), or on adjacent pairs (2i, 2i+1). */
static void rope(float *v, int nheads, int hd, const float *cs, int pairs)
{
	int half = hd / 2;
	for (int h = 0; h < nheads; h++) {
		float *x = v + (size_t)h * hd;
		for (int i = 0; i < half; i++) {
			int i0 = pairs ? 2 * i : i, i1 = pairs ? 2 * i + 1 : i + half;
			float c = cs[i], s = cs[half + i], a = x[i0], b = x[i1];
			x[i0] = a * c - b * s;
			x[i1] = a * s + b * c;
		}
	}
}

static void attention(struct dec_model *m, int l, int B, int pos, int tid, int nth)
{
	int hd = m->s.head_dim, H = m->s.n_heads, KVH = m->s.n_kv_heads, group = H / KVH;
	float *scores = m->scores + (size_t)tid * group * m->ctx_cap;
	float scale = 1.0f / sqrtf((float)hd);
	size_t bstride = (size_t)hd * EV_KV_BLOCK;
	if (B * KVH >= nth) {
		/* One item per (token, KV head): each K and V element is read once for
		 * all the query heads that share it (grouped-query attention). */
		for (int item = tid; item < B * KVH; item += nth) {
			int b = item / KVH, kvh = item % KVH, n = pos + b + 1;
			const float *q = m->q + (size_t)b * m->q_dim + (size_t)kvh * group * hd;
			float *o = m->att + (size_t)b * m->q_dim + (size_t)kvh * group * hd;
			m->attn->gqa_scores(n, hd, group, q, m->kc + dec_kv_head(m, l, kvh), bstride, scores);
			for (int g = 0; g < group; g++)
				m->attn->softmax(scores + (size_t)g * n, n, scale);
			m->attn->gqa_values(n, hd, group, scores, m->vc + dec_kv_head(m, l, kvh), (size_t)hd, o);
		}
		return;
	}
	/* Fewer KV heads than threads: one item per query head, so all threads work. */
	for (int item = tid; item < B * H; item += nth) {
		int b = item / H, h = item % H, kvh = h / group, n = pos + b + 1;
		const float *q = m->q + (size_t)b * m->q_dim + (size_t)h * hd;
		float *o = m->att + (size_t)b * m->q_dim + (size_t)h * hd;
		m->attn->gqa_scores(n, hd, 1, q, m->kc + dec_kv_head(m, l, kvh), bstride, scores);
		m->attn->softmax(scores, n, scale);
		memset(o, 0, sizeof(float) * (size_t)hd);
		m->attn->axpy(hd, m->vc + dec_kv_head(m, l, kvh), (size_t)hd, n, scores, o);
	}
}

const char *const dec_phase_name[DEC_PHASE__COUNT] = {
#define X(id, nm) [DEC_PHASE_##id] = nm,
	DEC_PHASES(X)
#undef X
};

void dec_prof_reset(struct dec_model *m)
{
	memset(m->prof, 0, sizeof m->prof);
}

void dec_prof_read(const struct dec_model *m, double mean[DEC_PHASE__COUNT], double *wait_max)
{
	int n = m->run_threads > 0 && m->run_threads <= EV_MAX_THREADS ? m->run_threads : 1;
	*wait_max = 0;
	for (int p = 0; p < DEC_PHASE__COUNT; p++) {
		mean[p] = 0;
		for (int t = 0; t < n; t++)
			mean[p] += m->prof[t].s[p] / n;
	}
	for (int t = 0; t < n; t++)
		if (m->prof[t].s[DEC_PHASE_BARRIER] > *wait_max)
			*wait_max = m->prof[t].s[DEC_PHASE_BARRIER];
}

/* The work since the last mark goes to phase ph (a clock read: ~25 ns, some
 * 300 a token, against tens of ms a token). */
#define PH(ph)                                                                               \
	do {                                                                                 \
		double n_ = timer_now();                                                     \
		P->s[ph] += n_ - t_ph;                                                       \
		t_ph = n_;                                                                   \
	} while (0)
#define BARRIER_AFTER(ph)                                                                    \
	do {                                                                                 \
		PH(DEC_PHASE_##ph);                                                          \
		pool_barrier(f->pool);                                                       \
		PH(DEC_PHASE_BARRIER);                                                       \
	} while (0)

static void forward_fn(void *a, int tid, int nth)
{
	struct fwd_ctx *f = a;
	struct dec_model *m = f->m;
	const struct ev_model_shape *s = &m->s;
	int B = f->B, H = s->hidden, hd = s->head_dim;
	struct dec_prof *P = &m->prof[tid];
	double t_ph = timer_now();
	unsigned ph = m->sched_seq; /* every thread counts the matmul phases alike */
	for (int b = tid; b < B; b += nth) {
		float *row = m->rowbuf + (size_t)b * H, *cs = m->rope + (size_t)b * hd;
		dec_tensor_row(m, &m->embd, f->tokens[b], row);
		ev_types[m->embd.type].to_float(row, m->x + (size_t)b * H, H);
		/* RoPE's cos and sin of token b's position: the same in every layer, so
		 * once a token (the same thread uses them: the split is by b throughout) */
		for (int i = 0; i < hd / 2; i++) {
			double ang = (f->pos + b) * (s->rope_freq_scale > 0 ? s->rope_freq_scale : 1) *
				     pow(s->rope_theta, -2.0 * i / hd);
			if (m->rope_factors)
				ang /= m->rope_factors[i];
			cs[i] = (float)cos(ang);
			cs[hd / 2 + i] = (float)sin(ang);
		}
	}
	for (int l = 0; l < s->n_layers; l++) {
		struct dec_layer *L = &m->L[l];
		for (int b = tid; b < B; b += nth) {
			rmsnorm(m->xn + (size_t)b * H, m->x + (size_t)b * H, L->attn_norm, H, s->norm_eps);
			quantize_one(m, AM(L->wq) | AM(L->wk) | AM(L->wv), m->xn + (size_t)b * H, H, b);
		}
		BARRIER_AFTER(OTHER);
		if (B == 1) {
			const struct dec_tensor *const w3[] = {&L->wq, &L->wk, &L->wv};
			float *const o3[] = {m->q, m->k, m->v};
			matmul_dyn(m, w3, o3, 3, ph, tid);
		} else {
			matmul(m, &L->wq, m->q, (size_t)m->q_dim, B, ph, tid, nth);
			matmul(m, &L->wk, m->k, (size_t)m->kv_dim, B, ph, tid, nth);
			matmul(m, &L->wv, m->v, (size_t)m->kv_dim, B, ph, tid, nth);
		}
		ph++;
		BARRIER_AFTER(MATMUL);
		for (int b = tid; b < B; b += nth) {
			float *q = m->q + (size_t)b * m->q_dim, *k = m->k + (size_t)b * m->kv_dim,
			      *v = m->v + (size_t)b * m->kv_dim, *cs = m->rope + (size_t)b * hd;
			int p = f->pos + b;
			if (L->bq) {
				for (int i = 0; i < m->q_dim; i++)
					q[i] += L->bq[i];
				for (int i = 0; i < m->kv_dim; i++) {
					k[i] += L->bk[i];
					v[i] += L->bv[i];
				}
			}
			rope(q, s->n_heads, hd, cs, s->rope_pairs);
			rope(k, s->n_kv_heads, hd, cs, s->rope_pairs);
			for (int i = 0; i < m->kv_dim; i++) {
				m->kc[dec_k_index(m, l, i, p)] = ev_f32_to_fp16(k[i]);
				m->vc[dec_v_index(m, l, i, p)] = ev_f32_to_fp16(v[i]);
			}
		}
		BARRIER_AFTER(OTHER);
		attention(m, l, B, f->pos, tid, nth);
		BARRIER_AFTER(ATTENTION);
		quantize_acts(m, AM(L->wo), m->att, (size_t)m->q_dim, m->q_dim, B, tid, nth);
		BARRIER_AFTER(OTHER);
		matmul(m, &L->wo, m->tmp, (size_t)H, B, ph++, tid, nth);
		BARRIER_AFTER(MATMUL);
		for (int b = tid; b < B; b += nth) {
			float *x = m->x + (size_t)b * H, *t = m->tmp + (size_t)b * H;
			for (int i = 0; i < H; i++)
				x[i] += t[i];
			rmsnorm(m->xn + (size_t)b * H, x, L->ffn_norm, H, s->norm_eps);
			quantize_one(m, AM(L->wg) | AM(L->wu), m->xn + (size_t)b * H, H, b);
		}
		BARRIER_AFTER(OTHER);
		if (B == 1) {
			const struct dec_tensor *const w2[] = {&L->wg, &L->wu};
			float *const o2[] = {m->hb, m->hb2};
			matmul_dyn(m, w2, o2, 2, ph, tid);
		} else {
			matmul(m, &L->wg, m->hb, (size_t)s->ffn, B, ph, tid, nth);
			matmul(m, &L->wu, m->hb2, (size_t)s->ffn, B, ph, tid, nth);
		}
		ph++;
		BARRIER_AFTER(MATMUL);
		if (B == 1) {
			/* one token: every thread does its own blocks of the down matrix's
			 * activation format */
			int blk = ev_act_block(L->wd.act), nb = s->ffn / blk, per = (nb + nth - 1) / nth;
			int i0 = tid * per * blk, i1 = (tid + 1) * per * blk;
			if (i1 > s->ffn)
				i1 = s->ffn;
			if (i0 > i1)
				i0 = i1;
			if (i0 < i1)
				m->attn->silu_mul(m->hb + i0, m->hb2 + i0, i1 - i0);
			if (i0 < i1)
				act_quantize(m, L->wd.act, m->hb, m->act[L->wd.act], s->ffn, i0, i1);
		} else {
			for (int b = tid; b < B; b += nth) {
				float *g = m->hb + (size_t)b * s->ffn, *u = m->hb2 + (size_t)b * s->ffn;
				m->attn->silu_mul(g, u, s->ffn);
				quantize_one(m, AM(L->wd), g, s->ffn, b);
			}
		}
		BARRIER_AFTER(OTHER);
		matmul(m, &L->wd, m->tmp, (size_t)H, B, ph++, tid, nth);
		BARRIER_AFTER(MATMUL);
		for (int b = tid; b < B; b += nth) {
			float *x = m->x + (size_t)b * H, *t = m->tmp + (size_t)b * H;
			for (int i = 0; i < H; i++)
				x[i] += t[i];
		}
	}
	/* Only the last token's logits are needed (greedy next token). */
	if (tid == (B - 1) % nth) {
		rmsnorm(m->xn, m->x + (size_t)(B - 1) * H, m->out_norm, H, s->norm_eps);
		quantize_one(m, AM(m->out), m->xn, H, 0);
	}
	BARRIER_AFTER(OTHER);
	matmul(m, &m->out, m->logits, 0, 1, ph++, tid, nth);
	BARRIER_AFTER(MATMUL);
	if (tid == 0) {
		int best = 0;
		for (int i = 1; i < s->vocab; i++)
			if (m->logits[i] > m->logits[best])
				best = i;
		f->next = best;
		f->ph_end = ph;
	}
	PH(DEC_PHASE_OTHER);
}
#undef PH
#undef BARRIER_AFTER

int dec_forward(struct dec_model *m, struct ev_pool *pool, const int *tokens, int B, int pos)
{
	struct fwd_ctx f = {m, pool, tokens, B, pos, -1, m->sched_seq};
	if (pool_size(pool) > m->nthreads)
		return -1;
	m->run_threads = pool_size(pool);
	pool_run(pool, forward_fn, &f);
	m->sched_seq = f.ph_end;
	return f.next;
}

/* ---- the cache-resident matmul probe ---- */

static const struct dec_probe_params mm_defaults = {.cols = 2048};

static int mm_cols(const struct ev_job *j)
{
	const struct dec_probe_params *p = j->params ? j->params : &mm_defaults;
	return p->cols;
}

struct mm_state {
	struct dec_tensor w[EV_MAX_THREADS];
	void *act;
	float *out[EV_MAX_THREADS];
	void *plain[EV_MAX_THREADS];
	const struct ev_dot_impl *dot;
	int rows, cols;
};

static int mm_supported(const struct ev_job *j, char *why, size_t len)
{
	if (j->kernel < 0 || j->kernel >= EV_TYPE__COUNT) {
		snprintf(why, len, "no such weight type");
		return -1;
	}
	if (mm_cols(j) < ev_types[j->kernel].block_elems || mm_cols(j) % QK ||
	    mm_cols(j) % ev_types[j->kernel].block_elems) {
		snprintf(why, len, "%d columns: %s needs a positive multiple of %d", mm_cols(j),
			 ev_types[j->kernel].name, ev_types[j->kernel].block_elems > QK ? ev_types[j->kernel].block_elems : QK);
		return -1;
	}
	return 0;
}

static int mm_init(struct ev_job *j, struct ev_err *e)
{
	struct mm_state *s = calloc(1, sizeof *s);
	float *x;
	int cols = mm_cols(j);
	size_t rb = ev_type_row_bytes(j->kernel, cols);
	if (!s)
		return ev_fail(e, EV_ERR_RUNTIME, "decode probe: out of memory");
	s->dot = ev_dot_pick(j->kernel, j->cpu);
	s->cols = cols;
	s->rows = (int)(j->ws_bytes / rb);
	if (s->rows < 4)
		s->rows = 4;
	s->act = aligned_alloc(64, (ev_act_bytes(ev_types[j->kernel].act, cols) + 63) & ~(size_t)63);
	x = malloc(sizeof(float) * (size_t)cols);
	if (!s->act || !x) {
		free(x);
		free(s->act);
		free(s);
		return ev_fail(e, EV_ERR_RUNTIME, "decode probe: out of memory");
	}
	for (int i = 0; i < cols; i++)
		x[i] = (float)((i % 19) - 9) / 9.0f;
	ev_act_quantize(ev_types[j->kernel].act, x, s->act, cols);
	free(x);
	j->priv = s;
	return EV_OK;
}

static int mm_setup(struct ev_job *j, int tid, struct ev_err *e)
{
	struct mm_state *s = j->priv;
	struct dec_tensor *w = &s->w[tid];
	w->type = j->kernel;
	w->rows = s->rows;
	w->cols = s->cols;
	w->row_bytes = ev_type_row_bytes(j->kernel, s->cols);
	w->dot = s->dot;
	w->act = ev_types[j->kernel].act;
	w->data = mem_alloc(w->row_bytes * (size_t)w->rows, EV_PAGES_DEFAULT);
	s->out[tid] = calloc((size_t)s->rows, sizeof(float));
	if (!w->data || !s->out[tid])
		return ev_fail(e, EV_ERR_RUNTIME, "decode probe: out of memory");
	fill_rows(w, 0, w->rows, 42 + (uint64_t)tid);
	s->plain[tid] = malloc(4 * w->row_bytes); /* repack scratch, then one plain row */
	if (!s->plain[tid])
		return ev_fail(e, EV_ERR_RUNTIME, "decode probe: out of memory");
	repack_rows(w, 0, w->rows, s->plain[tid]);
	return EV_OK;
}

static void mm_run(struct ev_job *j, int tid)
{
	struct mm_state *s = j->priv;
	struct dec_tensor *w = &s->w[tid];
	for (uint64_t it = 0; it < j->iters; it++) {
		s->dot->rows(w->cols, w->data, w->row_bytes, w->rows, s->act, s->out[tid]);
		__asm__ volatile("" : : "r"(s->out[tid]) : "memory");
	}
}

static int mm_verify(struct ev_job *j, int tid, struct ev_err *e)
{
	struct mm_state *s = j->priv;
	struct dec_tensor *w = &s->w[tid];
	struct dec_model view = {.type = j->kernel};
	for (int r = 0; r < w->rows; r += 7) {
		float want;
		dec_tensor_row(&view, w, r, s->plain[tid]);
		want = ev_types[j->kernel].dot_ref(w->cols, s->plain[tid], s->act);
		if (fabsf(s->out[tid][r] - want) > 1e-3f * (fabsf(want) + 1))
			return ev_fail(e, EV_ERR_VERIFY, "decode probe %s: row %d gives %g, reference %g",
				       s->dot->name, r, s->out[tid][r], want);
	}
	return EV_OK;
}

static void mm_teardown(struct ev_job *j, int tid)
{
	struct mm_state *s = j->priv;
	if (!s)
		return;
	mem_free(s->w[tid].data, s->w[tid].row_bytes * (size_t)s->w[tid].rows);
	s->w[tid].data = NULL;
	free(s->out[tid]);
	s->out[tid] = NULL;
	free(s->plain[tid]);
	s->plain[tid] = NULL;
}

static void mm_fini(struct ev_job *j)
{
	struct mm_state *s = j->priv;
	if (s)
		free(s->act);
	free(s);
	j->priv = NULL;
}

static void mm_counts(const struct ev_job *j, struct ev_counts *c)
{
	int cols = mm_cols(j), rows = (int)(j->ws_bytes / ev_type_row_bytes(j->kernel, cols));
	double weights = (double)(rows < 4 ? 4 : rows) * cols * j->nthreads;
	c->bytes = c->bytes_wa = weights * ev_type_bytes_per_weight(j->kernel);
	c->ops = 2 * weights;
}

const struct ev_probe ev_probe_decode = {
	.name = "decode",
	.summary = "matrix-vector products with cache-resident weights (the kernel's compute ceiling)",
	.supported = mm_supported,
	.init = mm_init,
	.setup = mm_setup,
	.run = mm_run,
	.verify = mm_verify,
	.teardown = mm_teardown,
	.fini = mm_fini,
	.counts = mm_counts,
};
