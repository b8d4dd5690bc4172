/* src/core/model-shape.h: the shape of a Llama-family transformer as read from
 * configs/models (or a model file): a plain description shared by the decoder
 * (probes/), the paper calculation (roofline/) and the reports. Facts only: no
 * formulas here, those live in roofline/decode-model.c. */
#ifndef EV_MODEL_SHAPE_H
#define EV_MODEL_SHAPE_H

struct ev_model_shape {
	char name[64];
	char hf_id[96];
	char source[200];
	int n_layers, hidden, n_heads, n_kv_heads, head_dim, ffn, vocab;
	int tied;          /* LM head shares the embedding matrix */
	int attn_bias;     /* biases on Q, K, V (Qwen2) */
	double rope_theta, norm_eps;
	int rope_pairs;          /* RoPE rotates adjacent pairs (GGUF llama: Q/K permuted
				  * for it); 0: the halves of each head (HF layout, qwen2) */
	double rope_freq_scale;  /* linear RoPE scaling: positions times this (0 or 1: none) */
	int max_ctx;
	double published_params; /* from the model card, for the check; 0 unknown */
	double published_precision; /* unit of its last published digit */
};

/* Bytes of a model's weights by role, where its matrices may mix formats (a
 * GGUF file): what a token reads of them, and what is stored. */
struct ev_weight_bytes {
	double matmul;     /* every matrix a token multiplies by, LM head included, once */
	double embed_row;  /* one row of the embedding matrix */
	double stored;     /* every weight tensor as stored (tied matrix once) */
};

/* Bytes of the KV cache for `positions` positions: K and V, every layer, every
 * KV head; elem_bytes per element. The one formula the decoder's allocation,
 * the paper ceiling and predict all use. */
static inline double ev_shape_kv_bytes(const struct ev_model_shape *s, double elem_bytes,
				       double positions)
{
	return 2.0 * s->n_layers * positions * s->n_kv_heads * s->head_dim * elem_bytes;
}

#endif
