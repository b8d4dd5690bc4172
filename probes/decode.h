/* probes/decode.h: a reference transformer decoder (Llama family: RMSNorm,
 * GQA attention with RoPE over an fp16 KV cache, SwiGLU FFN, LM head, greedy
 * sampling) over synthetic weights stored in real formats. Real math on real
 * shapes: the speed it reaches is a measured fact about this machine. */
#ifndef EV_DECODE_H
#define EV_DECODE_H
#include <stdatomic.h>
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
	const struct ev_dot_impl *dot; /* its kernel (a file mixes formats) */
	int act;                       /* enum ev_act: the activations it multiplies */
};

struct dec_layer {
	float *attn_norm, *ffn_norm, *bq, *bk, *bv;
	struct dec_tensor wq, wk, wv, wo, wg, wu, wd;
};

/* Where a token's time goes, per thread (decode's phase profile): matrix
 * products, attention (scores, softmax, weighted V), everything else between
 * them (norms, RoPE and the KV write, activation quantization, SwiGLU,
 * residuals), and waiting at barriers for the other threads. */
#define DEC_PHASES(X)                                                                        \
	X(MATMUL, "matmul")                                                                  \
	X(ATTENTION, "attention")                                                            \
	X(OTHER, "norms_rope_quantize")                                                      \
	X(BARRIER, "barrier_wait")
enum dec_phase {
#define X(id, nm) DEC_PHASE_##id,
	DEC_PHASES(X)
#undef X
	DEC_PHASE__COUNT
};
extern const char *const dec_phase_name[DEC_PHASE__COUNT];
struct dec_prof {
	_Alignas(64) double s[DEC_PHASE__COUNT]; /* seconds since dec_prof_reset */
};

struct dec_model {
	struct ev_model_shape s;
	int type, vdt, q_dim, kv_dim, ctx_cap, batch_cap, nthreads;
	struct dec_tensor embd, out;  /* out.data == embd.data when tied */
	float *out_norm;
	struct dec_layer *L;
	int kv_cap;                   /* positions the KV cache holds: ctx_cap in whole K blocks */
	ev_fp16 *kc, *vc;             /* per layer and KV head: K [pos / EV_KV_BLOCK][hd][EV_KV_BLOCK],
				       * V [pos][hd] (k_at, v_at) */
	void *wmem, *kvmem, *amem, *vmem;
	size_t wmem_bytes, kv_bytes, act_bytes, vmem_bytes;
	int wmem_mapped;              /* wmem is a model file's mapping, not ours to free */
	const struct ev_dot_impl *dot; /* the kernel of the main format (m->type) */
	const struct ev_attn_impl *attn;
	const float *rope_factors;    /* per frequency divisor (llama 3 rope_freqs), or NULL */
	/* activations, batch_cap rows each */
	float *x, *xn, *q, *k, *v, *att, *hb, *hb2, *tmp, *logits, *scores, *rope, *rowbuf;
	unsigned act_mask;            /* activation formats some matrix takes */
	struct dec_prof prof[EV_MAX_THREADS]; /* per thread, every dec_forward adds to it */
	int run_threads;              /* threads of the last dec_forward (<= nthreads) */
	/* One-token matmuls hand out row chunks from a counter (decode.c
	 * matmul_dyn): two, alternating by matmul phase, sched_seq the next phase. */
	_Alignas(64) atomic_int sched[2];
	unsigned sched_seq;
	void *act[EV_ACT__COUNT];
	size_t act_stride[EV_ACT__COUNT];
};

/* The KV cache is head-major: in each layer, each KV head's K and V are one
 * contiguous run, so a head's attention streams them at the hardware
 * prefetcher's pace (interleaved heads made every position a separate strided
 * access: 3-4x the time of the bytes). K of a head in position blocks
 * (ev_kv_index, block stride hd x 16), V of a head [position][dim]. The
 * offsets into kc and vc: */
static inline size_t dec_kv_head(const struct dec_model *m, int l, int kvh)
{
	return ((size_t)l * m->s.n_kv_heads + (size_t)kvh) * m->kv_cap * m->s.head_dim;
}

/* K and V element (dimension i of the layer's kv_dim, position p) of layer l. */
static inline size_t dec_k_index(const struct dec_model *m, int l, int i, int p)
{
	int hd = m->s.head_dim;
	return dec_kv_head(m, l, i / hd) + ev_kv_index(i % hd, p, (size_t)hd * EV_KV_BLOCK);
}

static inline size_t dec_v_index(const struct dec_model *m, int l, int i, int p)
{
	int hd = m->s.head_dim;
	return dec_kv_head(m, l, i / hd) + (size_t)p * hd + (size_t)(i % hd);
}

/* Memory the model will take (weights, KV cache, activations), before allocating. */
void dec_memory_plan(const struct ev_model_shape *s, int type, int ctx_cap, int batch_cap,
		     int nthreads, double *weights, double *kv, double *act);
/* Allocate and fill with seeded synthetic weights, each thread first-touching
 * the rows it will multiply. */
int dec_model_create(struct dec_model *m, const struct ev_model_shape *s, int type, int ctx_cap,
		     int batch_cap, struct ev_pool *pool, const struct ev_cpu *cpu, uint64_t seed,
		     struct ev_err *e);
struct gguf_file;
struct gguf_llama;
/* The model of a GGUF file (gguf_llama_read has checked its shape): matrices
 * used in place in the file's private mapping (g opened with private_rw; it
 * must outlive m), each with its own format's kernel; the pages are read (or
 * repacked) by the threads that will multiply them. A matrix of a format
 * without a kernel, or rows that are not whole blocks, is an error naming it. */
int dec_model_from_gguf(struct dec_model *m, const struct gguf_file *g, const struct gguf_llama *gl,
			int ctx_cap, int batch_cap, struct ev_pool *pool, const struct ev_cpu *cpu,
			struct ev_err *e);
void dec_model_destroy(struct dec_model *m);
/* The format whose matrices hold most bytes (what a mixed file "is"). */
int dec_main_type(const struct dec_model *m);
/* B tokens at positions pos..pos+B-1 (B <= batch_cap, pos+B <= ctx_cap).
 * Fills m->logits for the last token; returns the greedy next token. The pool
 * may be smaller than the one the model was made with (its per-thread scratch
 * is sized for that one), never larger: then nothing is done and -1 returned. */
int dec_forward(struct dec_model *m, struct ev_pool *pool, const int *tokens, int B, int pos);
/* Zero the phase profile; read it as seconds per phase, mean over the threads
 * of the last dec_forward, and the longest barrier wait of any thread. */
void dec_prof_reset(struct dec_model *m);
void dec_prof_read(const struct dec_model *m, double mean[DEC_PHASE__COUNT], double *wait_max);
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
