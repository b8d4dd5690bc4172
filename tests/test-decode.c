/* tests/test-decode.c: a whole decode of a tiny model against a naive
 * reference written here from the definitions (double precision, weights
 * dequantized with the traits' to_float): logits within tolerance and the same
 * greedy tokens; batched prefill against token-by-token decoding; and the
 * decode cost model and every shipped model's parameter count. */
#include "config.h"
#include "decode.h"
#include "harness.h"
#include "ref-attention.h"
#include "models.h"

static struct ev_model_shape tiny(int bias)
{
	struct ev_model_shape s = {.n_layers = 2, .hidden = 64, .n_heads = 4, .n_kv_heads = 2,
				   .head_dim = 16, .ffn = 96, .vocab = 101, .tied = 0,
				   .attn_bias = bias, .rope_theta = 10000, .norm_eps = 1e-5,
				   .max_ctx = 64};
	snprintf(s.name, sizeof s.name, "tiny");
	return s;
}

/* The k-quants' 256-weight blocks need every matrix dimension a multiple of 256. */
static struct ev_model_shape tiny_for(int type, int bias)
{
	struct ev_model_shape s = tiny(bias);
	if (ev_types[type].block_elems > QK) {
		s.hidden = 256;
		s.head_dim = 64;
		s.ffn = 512;
	}
	return s;
}

/* ---- naive reference ---- */
struct ref {
	const struct dec_model *m;
	double *kc, *vc; /* [layer][pos][kv_dim] */
};

static const struct dec_model *cur;

static void deq(const struct dec_tensor *t, int r, double *out)
{
	float tmp[4096];
	static unsigned char row[4096 * 4];
	dec_tensor_row(cur, t, r, row);
	ev_types[t->type].to_float(row, tmp, t->cols);
	for (int i = 0; i < t->cols; i++)
		out[i] = tmp[i];
}

static void ref_matvec(const struct dec_tensor *t, const double *x, double *y)
{
	double w[4096];
	for (int r = 0; r < t->rows; r++) {
		double s = 0;
		deq(t, r, w);
		for (int i = 0; i < t->cols; i++)
			s += w[i] * x[i];
		y[r] = s;
	}
}

static void ref_norm(const double *x, const float *w, int n, double eps, double *y)
{
	double ss = 0;
	for (int i = 0; i < n; i++)
		ss += x[i] * x[i];
	for (int i = 0; i < n; i++)
		y[i] = x[i] / sqrt(ss / n + eps) * w[i];
}

static void ref_rope(double *v, int nh, int hd, int pos, double theta)
{
	for (int h = 0; h < nh; h++)
		for (int i = 0; i < hd / 2; i++) {
			double ang = pos * pow(theta, -2.0 * i / hd), c = cos(ang), s = sin(ang);
			double a = v[h * hd + i], b = v[h * hd + i + hd / 2];
			v[h * hd + i] = a * c - b * s;
			v[h * hd + i + hd / 2] = a * s + b * c;
		}
}

/* One token at pos; logits out. */
static void ref_step(struct ref *R, int token, int pos, double *logits)
{
	const struct dec_model *m = R->m;
	const struct ev_model_shape *s = &m->s;
	int H = s->hidden, hd = s->head_dim, qd = m->q_dim, kvd = m->kv_dim, cap = m->ctx_cap;
	double x[256], xn[256], q[256], k[256], v[256], att[256], t[256], g[512], u[512];
	deq(&m->embd, token, x);
	for (int l = 0; l < s->n_layers; l++) {
		const struct dec_layer *L = &m->L[l];
		ref_norm(x, L->attn_norm, H, s->norm_eps, xn);
		ref_matvec(&L->wq, xn, q);
		ref_matvec(&L->wk, xn, k);
		ref_matvec(&L->wv, xn, v);
		if (L->bq) {
			for (int i = 0; i < qd; i++)
				q[i] += L->bq[i];
			for (int i = 0; i < kvd; i++) {
				k[i] += L->bk[i];
				v[i] += L->bv[i];
			}
		}
		ref_rope(q, s->n_heads, hd, pos, s->rope_theta);
		ref_rope(k, s->n_kv_heads, hd, pos, s->rope_theta);
		for (int i = 0; i < kvd; i++) {
			R->kc[((size_t)l * cap + pos) * kvd + i] = k[i];
			R->vc[((size_t)l * cap + pos) * kvd + i] = v[i];
		}
		ref_attention(q, R->kc + (size_t)l * cap * kvd, R->vc + (size_t)l * cap * kvd, pos, s->n_heads,
			      s->n_kv_heads, hd, att);
		ref_matvec(&L->wo, att, t);
		for (int i = 0; i < H; i++)
			x[i] += t[i];
		ref_norm(x, L->ffn_norm, H, s->norm_eps, xn);
		ref_matvec(&L->wg, xn, g);
		ref_matvec(&L->wu, xn, u);
		for (int i = 0; i < s->ffn; i++)
			g[i] = g[i] / (1 + exp(-g[i])) * u[i];
		ref_matvec(&L->wd, g, t);
		for (int i = 0; i < H; i++)
			x[i] += t[i];
	}
	ref_norm(x, m->out_norm, H, s->norm_eps, xn);
	ref_matvec(&m->out, xn, logits);
}

static int argmax_d(const double *v, int n, double *gap)
{
	int b = 0, b2 = -1;
	for (int i = 1; i < n; i++)
		if (v[i] > v[b])
			b = i;
	for (int i = 0; i < n; i++)
		if (i != b && (b2 < 0 || v[i] > v[b2]))
			b2 = i;
	*gap = v[b] - v[b2];
	return b;
}

static void check_type(int type, int bias, struct ev_pool *pool, const struct ev_cpu *cpu)
{
	struct ev_model_shape s = tiny_for(type, bias);
	struct dec_model m;
	struct ev_err e = {0};
	struct ref R;
	double logits[128], amax = 0, err = 0, gap, tol;
	int prompt[5] = {3, 14, 15, 92, 65}, tok, ref_tok;
	const char *tn = ev_types[type].name;
	T_CHECK(dec_model_create(&m, &s, type, 32, 8, pool, cpu, 7, &e) == 0, "%s", e.msg);
	R.m = &m;
	cur = &m;
	R.kc = calloc((size_t)2 * 32 * m.kv_dim, sizeof(double));
	R.vc = calloc((size_t)2 * 32 * m.kv_dim, sizeof(double));
	tok = dec_forward(&m, pool, prompt, 5, 0);
	for (int p = 0; p < 5; p++)
		ref_step(&R, prompt[p], p, logits);
	/* Float weights keep f32 activations (fp16 only in the KV cache); integer
	 * formats quantize activations to q8_0 as ggml does: ~1% error. */
	tol = ev_types[type].act != EV_ACT_F32 ? 0.05 : type == EV_TYPE_F32 ? 0.005 : 0.01;
	for (int step = 0; step < 4; step++) {
		amax = 0;
		err = 0;
		for (int i = 0; i < s.vocab; i++) {
			amax = fmax(amax, fabs(logits[i]));
			err = fmax(err, fabs(logits[i] - m.logits[i]));
		}
		T_CHECK(err <= tol * amax, "%s bias=%d step %d: logits differ by %g (max |logit| %g)", tn,
			bias, step, err, amax);
		if (step == 0)
			printf("  %s bias=%d: logits within %.3f%% of max |logit| %.3g (tolerance %.1f%%)\n",
			       tn, bias, 100 * err / amax, amax, 100 * tol);
		ref_tok = argmax_d(logits, s.vocab, &gap);
		if (gap > 2 * tol * amax)
			T_CHECK(tok == ref_tok, "%s step %d: greedy token %d, reference %d", tn, step, tok,
				ref_tok);
		ref_step(&R, ref_tok, 5 + step, logits);
		tok = dec_forward(&m, pool, &ref_tok, 1, 5 + step);
	}
	free(R.kc);
	free(R.vc);
	dec_model_destroy(&m);
}

static void test_against_reference(void)
{
	struct ev_topo t;
	struct ev_cpu cpu;
	struct ev_err e = {0};
	struct ev_pool *pool = NULL;
	cpu_detect(&cpu);
	T_CHECK(topo_open(&t, NULL, &e) == 0, "%s", e.msg);
	T_CHECK(pool_create(&pool, &t, 2, &e) == 0, "%s", e.msg);
	for (int type = 0; type < EV_TYPE__COUNT; type++)
		check_type(type, type == EV_TYPE_Q4_0, pool, &cpu);
	/* and with the generic kernels only */
	{
		char why[256];
		T_CHECK(cpu_cap_target(&cpu, EV_TARGET_GENERIC, why, sizeof why) == 0, "%s", why);
	}
	check_type(EV_TYPE_Q4_0, 1, pool, &cpu);
	check_type(EV_TYPE_F16, 0, pool, &cpu);
	check_type(EV_TYPE_Q4_K, 1, pool, &cpu);
	pool_destroy(pool);
	topo_close(&t);
}

/* Prefill as a GEMM against token-by-token decode: the same logits within
 * float rounding (the kernels sum in another order) and the same greedy token,
 * for each format with a multi-token kernel, on a prompt of 11 tokens (two
 * groups of EV_GEMM_TOKENS and a partial one) and a vocabulary of 101 rows
 * (a partial group of plain rows after the interleaved ones). */
static void test_batch_equals_steps(void)
{
	static const int types[] = {EV_TYPE_Q8_0, EV_TYPE_Q4_0, EV_TYPE_F16};
	struct ev_topo t;
	struct ev_cpu cpu;
	struct ev_err e = {0};
	struct ev_pool *pool = NULL;
	struct ev_model_shape s = tiny(0);
	int prompt[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
	cpu_detect(&cpu);
	topo_open(&t, NULL, &e);
	pool_create(&pool, &t, 2, &e);
	for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
		struct dec_model a, b;
		int ta, tb = -1;
		float worst = 0;
		T_CHECK(dec_model_create(&a, &s, types[k], 16, 11, pool, &cpu, 11, &e) == 0, "%s", e.msg);
		T_CHECK(dec_model_create(&b, &s, types[k], 16, 11, pool, &cpu, 11, &e) == 0, "%s", e.msg);
		ta = dec_forward(&a, pool, prompt, 11, 0);
		for (int p = 0; p < 11; p++)
			tb = dec_forward(&b, pool, &prompt[p], 1, p);
		T_CHECK(ta == tb, "%s: batched prefill token %d, step by step %d", ev_types[types[k]].name,
			ta, tb);
		for (int i = 0; i < s.vocab; i++) {
			float d = fabsf(a.logits[i] - b.logits[i]) / (fabsf(b.logits[i]) + 1);
			worst = d > worst ? d : worst;
			/* a kernel in fp16 arithmetic for one token against prefill's f32 GEMM:
			 * its own tolerance */
			T_CHECK(d <= 1e-4f + 4 * a.dot->tol, "%s: logit %d: %g vs %g", ev_types[types[k]].name, i,
				a.logits[i], b.logits[i]);
		}
		printf("  %s (%s): prefill vs steps, logits within %.2g relative\n", ev_types[types[k]].name,
		       a.dot->name, worst);
		dec_model_destroy(&a);
		dec_model_destroy(&b);
	}
	pool_destroy(pool);
	topo_close(&t);
}

static void test_cost_model(void)
{
	struct ev_model_shape s = tiny(0);
	struct ev_decode_cost c;
	struct ev_model_counts n;
	double w, kv, act;
	dm_count(&s, &n);
	/* by hand: attn 2*(64*64 + 2*64*32 + 64*64) = 24576; ffn 2*3*64*96 = 36864 */
	T_CHECK(n.attn == 24576 && n.ffn == 36864 && n.embed == 6464 && n.lm_head == 6464, "counts");
	T_CHECK(n.norms == 2 * 2 * 64 + 64 && n.total == 24576 + 36864 + 6464 * 2 + 320, "total %g",
		n.total);
	dm_decode_cost(&s, 0.5625, 2, 10, &c);
	T_NEAR(c.weight_bytes, (24576 + 36864 + 6464) * 0.5625, 1e-12, "weight bytes");
	T_NEAR(c.kv_read_bytes, 2.0 * 2 * 10 * 32 * 2, 1e-12, "kv bytes at ctx 10");
	T_NEAR(c.flops, 2.0 * (24576 + 36864 + 6464) + 4.0 * 2 * 4 * 16 * 10, 1e-12, "flops");
	T_NEAR(dm_ceiling_tok_s(1e9, 100e9), 100, 1e-12, "ceiling");
	s.tied = 1;
	dm_count(&s, &n);
	T_CHECK(n.lm_head == 0 && n.matmul == 24576 + 36864 + 6464, "tied head counted once");
	dec_memory_plan(&s, EV_TYPE_Q4_0, 128, 8, 2, &w, &kv, &act);
	T_CHECK(w >= n.total * 0.5625 && kv == 2.0 * 2 * 128 * 32 * 2 && act > 0, "memory plan");
}

static void test_shipped_models(void)
{
	struct ev_model_shape all[64];
	struct ev_err e = {0};
	int n = models_list(all, 64, &e);
	T_CHECK(n >= 11, "%d models (%s)", n, e.msg);
	for (int i = 0; i < n; i++) {
		struct ev_model_counts c;
		dm_count(&all[i], &c);
		T_CHECK(all[i].published_params > 0, "%s has a published figure", all[i].name);
		/* within half a unit of the last published digit (plus 0.5% for rounding
		 * conventions such as 1.24B vs 1.235B) */
		T_CHECK(fabs(c.total - all[i].published_params) <=
				all[i].published_precision / 2 + 0.005 * all[i].published_params,
			"%s: %.4g parameters from the shape, %.4g published", all[i].name, c.total,
			all[i].published_params);
	}
}

static void test_bad_model_files(void)
{
	struct ev_model_shape m;
	struct ev_err e = {0};
	T_CHECK(models_load_file(t_src("tests/fixtures/models/bad-heads.json"), &m, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "multiple of num_key_value_heads"),
		"%s", e.msg);
	T_CHECK(models_load_file(t_src("tests/fixtures/models/bad-type.json"), &m, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "hidden_size"),
		"%s", e.msg);
	T_CHECK(models_load("no-such-model", &m, &e) == EV_ERR_USAGE && strstr(e.msg, "TinyLlama"),
		"%s", e.msg);
	T_CHECK(models_load("tinyllama-1.1b", &m, &e) == 0 && m.n_kv_heads == 4 && m.head_dim == 64,
		"case-insensitive name: %s", e.msg);
}

int main(void)
{
	t_prog = "test-decode";
	setenv("EAVES_CONFIGS", t_src("configs"), 1);
	T_RUN(test_cost_model);
	T_RUN(test_shipped_models);
	T_RUN(test_bad_model_files);
	T_RUN(test_against_reference);
	T_RUN(test_batch_equals_steps);
	T_DONE();
}
