/* roofline/decode-model.c: decode cost model. */
#include "decode-model.h"

void dm_count(const struct ev_model_shape *m, struct ev_model_counts *c)
{
	double h = m->hidden, qd = (double)m->n_heads * m->head_dim,
	       kvd = (double)m->n_kv_heads * m->head_dim, L = m->n_layers;
	c->embed = (double)m->vocab * h;
	c->lm_head = m->tied ? 0 : (double)m->vocab * h;
	c->attn = L * (h * qd + 2 * h * kvd + qd * h);
	c->ffn = L * 3 * h * m->ffn;
	c->norms = L * 2 * h + h;
	c->biases = m->attn_bias ? L * (qd + 2 * kvd) : 0;
	c->total = c->embed + c->lm_head + c->attn + c->ffn + c->norms + c->biases;
	c->matmul = c->attn + c->ffn + (double)m->vocab * h;
}

void dm_weight_bytes(const struct ev_model_shape *m, double bpw, struct ev_weight_bytes *w)
{
	struct ev_model_counts n;
	dm_count(m, &n);
	w->matmul = n.matmul * bpw;
	w->embed_row = m->hidden * bpw;
	w->stored = (n.embed + n.lm_head + n.attn + n.ffn) * bpw;
}

void dm_decode_cost(const struct ev_model_shape *m, double bpw, double kv_elem, int ctx,
		    struct ev_decode_cost *c)
{
	struct ev_weight_bytes w;
	dm_weight_bytes(m, bpw, &w);
	dm_decode_cost_w(m, &w, kv_elem, ctx, c);
}

void dm_decode_cost_w(const struct ev_model_shape *m, const struct ev_weight_bytes *w,
		      double kv_elem, int ctx, struct ev_decode_cost *c)
{
	struct ev_model_counts n;
	dm_count(m, &n);
	if (ctx < 1)
		ctx = 1;
	c->weight_bytes = w->matmul;
	c->embed_bytes = w->embed_row;
	c->vec_bytes = (n.norms + n.biases) * 4;
	c->kv_read_bytes = ev_shape_kv_bytes(m, kv_elem, ctx);
	c->kv_write_bytes = ev_shape_kv_bytes(m, kv_elem, 1);
	c->total_bytes = c->weight_bytes + c->embed_bytes + c->vec_bytes + c->kv_read_bytes +
			 c->kv_write_bytes;
	c->flops = 2 * n.matmul + 4.0 * m->n_layers * m->n_heads * m->head_dim * ctx;
	c->intensity = c->flops / c->total_bytes;
}

double dm_prefill_flops(const struct ev_model_shape *m, int prompt)
{
	struct ev_model_counts n;
	double head, f = 0;
	dm_count(m, &n);
	head = (double)m->vocab * m->hidden;
	for (int p = 1; p <= prompt; p++)
		f += 2 * (n.matmul - head) + 4.0 * m->n_layers * m->n_heads * m->head_dim * p;
	return prompt > 0 ? f + 2 * head : 0;
}

double dm_weights_bytes(const struct ev_model_shape *m, double bpw)
{
	struct ev_model_counts n;
	struct ev_weight_bytes w;
	dm_count(m, &n);
	dm_weight_bytes(m, bpw, &w);
	return w.stored + (n.norms + n.biases) * 4;
}

double dm_kv_bytes(const struct ev_model_shape *m, double kv_elem, int ctx_cap)
{
	return ev_shape_kv_bytes(m, kv_elem, ctx_cap);
}

double dm_ceiling_tok_s(double bytes_per_token, double bw)
{
	return bytes_per_token > 0 ? bw / bytes_per_token : 0;
}

const char *dm_validate(const struct ev_model_shape *m)
{
	if (m->n_layers < 1 || m->hidden < 1 || m->n_heads < 1 || m->n_kv_heads < 1 ||
	    m->head_dim < 1 || m->ffn < 1 || m->vocab < 1)
		return "sizes must be positive";
	if (m->n_heads % m->n_kv_heads)
		return "num_attention_heads must be a multiple of num_key_value_heads";
	if (m->head_dim % 2)
		return "head_dim must be even (RoPE rotates pairs)";
	if (m->hidden % 32 || m->ffn % 32 || (m->n_heads * m->head_dim) % 32)
		return "hidden, ffn and heads x head_dim must be multiples of 32 (quant blocks)";
	if (!(m->rope_theta > 0) || !(m->norm_eps > 0))
		return "rope_theta and norm_eps must be positive";
	return 0;
}
