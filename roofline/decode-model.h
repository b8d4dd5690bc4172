/* roofline/decode-model.h: the paper calculation of single-stream decoding.
 * Pure math on a model's shape: parameter counts, bytes read and FLOP per
 * token at a context length, memory needed, and the bandwidth ceiling.
 * Byte convention (docs/methodology.md): every matrix is read once per token
 * (including the LM head: tied or not, it is one full read), plus one
 * embedding row, the norm and bias vectors, and the KV cache of every earlier
 * position for every layer (K and V); the new token's K and V are written. */
#ifndef EV_DECODE_MODEL_H
#define EV_DECODE_MODEL_H
#include <stdint.h>

#include "model-shape.h"

struct ev_model_counts {
	double embed;      /* vocab x hidden */
	double lm_head;    /* vocab x hidden, 0 when tied */
	double attn;       /* Q K V O matrices, all layers */
	double ffn;        /* gate up down, all layers */
	double norms;      /* RMSNorm weights, all layers + final */
	double biases;     /* attention biases */
	double total;      /* parameters as stored (tied matrix once) */
	double matmul;     /* weights a token multiplies by (incl. LM head) */
};

void dm_count(const struct ev_model_shape *m, struct ev_model_counts *c);

struct ev_decode_cost {
	double weight_bytes;   /* matrices incl. LM head, read once */
	double embed_bytes;    /* one embedding row */
	double vec_bytes;      /* norms and biases (f32) */
	double kv_read_bytes;  /* K and V of `ctx` positions, all layers */
	double kv_write_bytes; /* the new token's K and V */
	double total_bytes;    /* all of the above */
	double flops;          /* 2 per weight multiplied + attention 4 x heads x head_dim x ctx */
	double intensity;      /* flops / total_bytes */
};

/* FLOPs of a prefill of `prompt` tokens as one batch: every token through
 * every layer's matrices and attention over its own position, the LM head
 * once (only the last token's logits are taken). */
double dm_prefill_flops(const struct ev_model_shape *m, int prompt);

/* bpw: bytes per weight of the matrices (from the type traits table), kv_elem:
 * bytes per KV element (2 for fp16). ctx: positions attended (>= 1). */
void dm_decode_cost(const struct ev_model_shape *m, double bpw, double kv_elem, int ctx,
		    struct ev_decode_cost *c);
/* The same for weights in any mix of formats: w gives their bytes by role. */
void dm_decode_cost_w(const struct ev_model_shape *m, const struct ev_weight_bytes *w,
		      double kv_elem, int ctx, struct ev_decode_cost *c);
/* The weight bytes of a model stored in one format of bpw bytes per weight. */
void dm_weight_bytes(const struct ev_model_shape *m, double bpw, struct ev_weight_bytes *w);

/* Memory to hold the model: weights (as stored), KV cache for ctx_cap
 * positions, and activations for a batch of `batch` tokens. */
double dm_weights_bytes(const struct ev_model_shape *m, double bpw);
double dm_kv_bytes(const struct ev_model_shape *m, double kv_elem, int ctx_cap);

/* tokens/s ceiling and s/token floor from bytes/token and bandwidth. */
double dm_ceiling_tok_s(double bytes_per_token, double bw_bytes_per_s);

/* Check a shape for consistency; returns NULL or the problem. */
const char *dm_validate(const struct ev_model_shape *m);

#endif
