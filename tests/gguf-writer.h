/* tests/gguf-writer.h: a small GGUF writer for the tests (never part of the
 * product): metadata and tensors collected, then laid out as the format says
 * (header, metadata, tensor infos, padding to the alignment, data). Also a
 * tiny Llama-shaped model in any mix of weight formats, from seeded values. */
#ifndef EV_TEST_GGUF_WRITER_H
#define EV_TEST_GGUF_WRITER_H
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gguf.h"
#include "quant.h"

struct gw_buf {
	unsigned char *p;
	size_t n, cap;
};

static void gw_put(struct gw_buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 256;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}
static void gw_u32(struct gw_buf *b, uint32_t v) { gw_put(b, &v, 4); }
static void gw_u64(struct gw_buf *b, uint64_t v) { gw_put(b, &v, 8); }
static void gw_str(struct gw_buf *b, const char *s)
{
	gw_u64(b, strlen(s));
	gw_put(b, s, strlen(s));
}

struct gw_tensor {
	char name[96];
	uint32_t type, n_dims;
	uint64_t ne[4];
	void *data;
	size_t bytes;
};

struct gw {
	struct gw_buf kv;
	uint64_t nkv;
	struct gw_tensor t[512];
	int nt;
};

static void gw_kv_u32(struct gw *w, const char *k, uint32_t v)
{
	gw_str(&w->kv, k);
	gw_u32(&w->kv, GGUF_U32);
	gw_u32(&w->kv, v);
	w->nkv++;
}
static void gw_kv_f32(struct gw *w, const char *k, float v)
{
	gw_str(&w->kv, k);
	gw_u32(&w->kv, GGUF_F32);
	gw_put(&w->kv, &v, 4);
	w->nkv++;
}
static void gw_kv_str(struct gw *w, const char *k, const char *v)
{
	gw_str(&w->kv, k);
	gw_u32(&w->kv, GGUF_STRING);
	gw_str(&w->kv, v);
	w->nkv++;
}
/* An array of n strings "t0", "t1", ... (a vocabulary) */
static void gw_kv_tokens(struct gw *w, const char *k, int n)
{
	char s[32];
	gw_str(&w->kv, k);
	gw_u32(&w->kv, GGUF_ARRAY);
	gw_u32(&w->kv, GGUF_STRING);
	gw_u64(&w->kv, (uint64_t)n);
	for (int i = 0; i < n; i++) {
		snprintf(s, sizeof s, "t%d", i);
		gw_str(&w->kv, s);
	}
	w->nkv++;
}

/* A tensor in one of eaves' formats from float values (converted with the
 * traits table's from_float). */
static void gw_tensor_f(struct gw *w, const char *name, int ev_type, uint64_t ne0, uint64_t ne1,
			const float *vals)
{
	struct gw_tensor *t = &w->t[w->nt++];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->type = gguf_type_of_ev(ev_type);
	t->n_dims = ne1 > 1 ? 2 : 1;
	t->ne[0] = ne0;
	t->ne[1] = ne1;
	t->ne[2] = t->ne[3] = 1;
	t->bytes = ev_type_row_bytes(ev_type, (int64_t)ne0) * ne1;
	t->data = malloc(t->bytes);
	for (uint64_t r = 0; r < ne1; r++)
		ev_types[ev_type].from_float(vals + r * ne0,
					     (char *)t->data + r * ev_type_row_bytes(ev_type, (int64_t)ne0),
					     (int64_t)ne0);
}

/* The file as bytes (caller frees *out). */
static size_t gw_finish(struct gw *w, uint32_t version, uint64_t align, unsigned char **out)
{
	struct gw_buf b = {0};
	uint64_t off = 0;
	uint64_t *offs = calloc((size_t)w->nt + 1, sizeof *offs);
	gw_put(&b, "GGUF", 4);
	gw_u32(&b, version);
	gw_u64(&b, (uint64_t)w->nt);
	gw_u64(&b, w->nkv);
	gw_put(&b, w->kv.p, w->kv.n);
	for (int i = 0; i < w->nt; i++) {
		struct gw_tensor *t = &w->t[i];
		gw_str(&b, t->name);
		gw_u32(&b, t->n_dims);
		for (uint32_t d = 0; d < t->n_dims; d++)
			gw_u64(&b, t->ne[d]);
		gw_u32(&b, t->type);
		offs[i] = off;
		gw_u64(&b, off);
		off = (off + t->bytes + align - 1) / align * align;
	}
	while (b.n % align)
		gw_put(&b, "", 1);
	for (int i = 0; i < w->nt; i++) {
		size_t start = b.n;
		gw_put(&b, w->t[i].data, w->t[i].bytes);
		(void)start;
		while (i + 1 < w->nt && (b.n % align))
			gw_put(&b, "", 1);
	}
	free(offs);
	*out = b.p;
	return b.n;
}

static void gw_free(struct gw *w)
{
	for (int i = 0; i < w->nt; i++)
		free(w->t[i].data);
	free(w->kv.p);
	memset(w, 0, sizeof *w);
}

static int gw_save(const char *path, const unsigned char *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	fwrite(p, 1, n, f);
	return fclose(f);
}

/* ---- a tiny Llama-family model ---- */
struct gw_model {
	const char *arch;                  /* "llama" or "qwen2" */
	int layers, hidden, heads, kv_heads, ffn, vocab, ctx;
	int tied, rope_freqs;
	float theta, eps;
	/* format of each matrix: index 0..6 = q k v o gate up down, 7 = embedding,
	 * 8 = output; one value for all when mix is NULL */
	int type;
	const int *mix;
	uint64_t seed;
};

static double gw_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (double)(*s >> 11) / 9007199254740992.0 * 2 - 1;
}

static void gw_matrix(struct gw *w, const char *name, int type, int rows, int cols, uint64_t *s)
{
	float *v = malloc(sizeof(float) * (size_t)rows * (size_t)cols);
	double sd = 1.7320508 / sqrt((double)cols);
	for (size_t i = 0; i < (size_t)rows * (size_t)cols; i++)
		v[i] = (float)(gw_rand(s) * sd);
	gw_tensor_f(w, name, type, (uint64_t)cols, (uint64_t)rows, v);
	free(v);
}

static void gw_vector(struct gw *w, const char *name, int n, float base, float spread, uint64_t *s)
{
	float *v = malloc(sizeof(float) * (size_t)n);
	for (int i = 0; i < n; i++)
		v[i] = base + spread * (float)gw_rand(s);
	gw_tensor_f(w, name, EV_TYPE_F32, (uint64_t)n, 1, v);
	free(v);
}

static size_t gw_model_bytes(const struct gw_model *m, uint32_t version, unsigned char **out)
{
	struct gw w;
	char k[128];
	uint64_t s = m->seed | 1;
	int hd = m->hidden / m->heads, qd = m->heads * hd, kvd = m->kv_heads * hd;
	size_t n;
	memset(&w, 0, sizeof w);
	gw_kv_str(&w, "general.architecture", m->arch);
	gw_kv_str(&w, "general.name", "tiny test model");
	gw_kv_u32(&w, "general.alignment", 32);
	gw_kv_u32(&w, "general.file_type", 15);
#define KEY(suffix) (snprintf(k, sizeof k, "%s." suffix, m->arch), k)
	gw_kv_u32(&w, KEY("block_count"), (uint32_t)m->layers);
	gw_kv_u32(&w, KEY("embedding_length"), (uint32_t)m->hidden);
	gw_kv_u32(&w, KEY("attention.head_count"), (uint32_t)m->heads);
	gw_kv_u32(&w, KEY("attention.head_count_kv"), (uint32_t)m->kv_heads);
	gw_kv_u32(&w, KEY("feed_forward_length"), (uint32_t)m->ffn);
	gw_kv_u32(&w, KEY("context_length"), (uint32_t)m->ctx);
	gw_kv_f32(&w, KEY("rope.freq_base"), m->theta);
	gw_kv_f32(&w, KEY("attention.layer_norm_rms_epsilon"), m->eps);
#undef KEY
	gw_kv_tokens(&w, "tokenizer.ggml.tokens", m->vocab);
#define TY(i) (m->mix ? m->mix[i] : m->type)
	gw_matrix(&w, "token_embd.weight", TY(7), m->vocab, m->hidden, &s);
	gw_vector(&w, "output_norm.weight", m->hidden, 1.0f, 0.2f, &s);
	if (!m->tied)
		gw_matrix(&w, "output.weight", TY(8), m->vocab, m->hidden, &s);
	if (m->rope_freqs) {
		float f[512];
		for (int i = 0; i < hd / 2; i++)
			f[i] = 1.0f + (float)i / 4;
		gw_tensor_f(&w, "rope_freqs.weight", EV_TYPE_F32, (uint64_t)hd / 2, 1, f);
	}
	for (int l = 0; l < m->layers; l++) {
		char nm[96];
#define NM(x) (snprintf(nm, sizeof nm, "blk.%d." x, l), nm)
		gw_vector(&w, NM("attn_norm.weight"), m->hidden, 1.0f, 0.2f, &s);
		gw_matrix(&w, NM("attn_q.weight"), TY(0), qd, m->hidden, &s);
		gw_matrix(&w, NM("attn_k.weight"), TY(1), kvd, m->hidden, &s);
		gw_matrix(&w, NM("attn_v.weight"), TY(2), kvd, m->hidden, &s);
		if (!strcmp(m->arch, "qwen2")) {
			gw_vector(&w, NM("attn_q.bias"), qd, 0, 0.1f, &s);
			gw_vector(&w, NM("attn_k.bias"), kvd, 0, 0.1f, &s);
			gw_vector(&w, NM("attn_v.bias"), kvd, 0, 0.1f, &s);
		}
		gw_matrix(&w, NM("attn_output.weight"), TY(3), m->hidden, qd, &s);
		gw_vector(&w, NM("ffn_norm.weight"), m->hidden, 1.0f, 0.2f, &s);
		gw_matrix(&w, NM("ffn_gate.weight"), TY(4), m->ffn, m->hidden, &s);
		gw_matrix(&w, NM("ffn_up.weight"), TY(5), m->ffn, m->hidden, &s);
		gw_matrix(&w, NM("ffn_down.weight"), TY(6), m->hidden, m->ffn, &s);
#undef NM
	}
#undef TY
	n = gw_finish(&w, version, 32, out);
	gw_free(&w);
	return n;
}

#endif
