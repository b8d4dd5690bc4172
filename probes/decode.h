/* probes/decode.h: a reference transformer decoder (Llama family: RMSNorm,
 * GQA attention with RoPE over an fp16 KV cache, SwiGLU FFN, LM head, greedy
 * sampling) over synthetic weights stored in real formats. Real math on real
 * shapes: the speed it reaches is a measured fact about this machine. */
#ifndef EV_DECODE_H
#define EV_DECODE_H
#include <stddef.h>
#include <stdint.h>

#include "cpu.h"
#include "model-shape.h"
#include "err.h"
#include "probe.h"
#include "quant.h"
#include "threads.h"

/* The KV cache's element type (fp16): its bytes come from the traits table. */
#define DEC_KV_TYPE EV_TYPE_F16

struct dec_tensor {
	int type, rows, cols;
	size_t row_bytes;
	void *data;
};

struct dec_layer {
	float *attn_norm, *ffn_norm, *bq, *bk, *bv;
	struct dec_tensor wq, wk, wv, wo, wg, wu, wd;
};

struct dec_model {
	struct ev_model_shape s;
	int type, vdt, q_dim, kv_dim, ctx_cap, batch_cap, nthreads;
	struct dec_tensor embd, out;  /* out.data == embd.data when tied */
	float *out_norm;
	struct dec_layer *L;
	ev_fp16 *kc, *vc;             /* K: [layer][kv_dim][pos] (transposed), V: [layer][pos][kv_dim] */
	void *wmem, *kvmem, *amem;
	size_t wmem_bytes, kv_bytes, act_bytes;
	const struct ev_dot_impl *dot;
	const struct ev_attn_impl *attn;
	/* activations, batch_cap rows each */
	float *x, *xn, *q, *k, *v, *att, *hb, *hb2, *tmp, *logits, *scores, *rope, *rowbuf;
	void *act;
	size_t act_stride;
};

/* Memory the model will take (weights, KV cache, activations), before allocating. */
void dec_memory_plan(const struct ev_model_shape *s, int type, int ctx_cap, int batch_cap,
		     int nthreads, double *weights, double *kv, double *act);
/* Allocate and fill with seeded synthetic weights, each thread first-touching
 * the rows it will multiply. */
int dec_model_create(struct dec_model *m, const struct ev_model_shape *s, int type, int ctx_cap,
		     int batch_cap, struct ev_pool *pool, const struct ev_cpu *cpu, uint64_t seed,
		     struct ev_err *e);
void dec_model_destroy(struct dec_model *m);
/* B tokens at positions pos..pos+B-1 (B <= batch_cap, pos+B <= ctx_cap).
 * Fills m->logits for the last token; returns the greedy next token. */
int dec_forward(struct dec_model *m, struct ev_pool *pool, const int *tokens, int B, int pos);
/* Row r of a tensor in plain GGUF layout (the kernel may keep it packed). */
void dec_tensor_row(const struct dec_model *m, const struct dec_tensor *t, int r, void *row);
/* Synthetic K and V for positions [0, upto): to decode at long context
 * without prefilling thousands of tokens first. */
void dec_fill_kv(struct dec_model *m, struct ev_pool *pool, int upto, uint64_t seed);

/* The decode probe (driver interface): matrix-vector products with weights
 * resident in cache, i.e. the kernel's speed if memory were free. job->kernel
 * is the weight type, job->ws_bytes the slice per thread, job->params a
 * struct dec_probe_params (NULL: 2048 columns). */
extern const struct ev_probe ev_probe_decode;
struct dec_probe_params {
	int cols; /* row length of the slices: the model's hidden size */
};

#endif
