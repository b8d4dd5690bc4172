/* tests/test-gguf.c: the GGUF reader and the decoder on real files. Files are
 * written here (tests/gguf-writer.h, no downloads): tiny Llama and Qwen2
 * models in every format the decoder runs and in K_M-style mixes, decoded and
 * checked against a naive double-precision reference written from the
 * definitions over the file's dequantized tensors (logits within a tolerance
 * per format, greedy tokens equal where the reference's margin is clear); the
 * reader's getters on every value type; and malformed files (truncated at
 * every length, offsets past the end, counts that overflow, bad strings,
 * unknown types, bad alignment, duplicates, wrong shapes) each with its own
 * error. */
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "decode.h"
#include "gguf-writer.h"
#include "gguf.h"
#include "harness.h"
#include "ref-attention.h"
#include "topo.h"

static char tmpdir[64];
static int greedy_total, steps_total;

static const char *tpath(const char *name)
{
	static char p[2][160];
	static int i;
	i ^= 1;
	snprintf(p[i], sizeof p[i], "%s/%s", tmpdir, name);
	return p[i];
}

static struct gw_model tiny(const char *arch, int type)
{
	struct gw_model m = {.arch = arch, .layers = 2, .hidden = 256, .heads = 4, .kv_heads = 2,
			     .ffn = 512, .vocab = 300, .ctx = 64, .theta = 10000, .eps = 1e-5f,
			     .type = type, .seed = 12345};
	return m;
}

/* ---- the reference: double precision over the file's dequantized tensors ---- */
struct ref {
	const struct gguf_file *g;
	struct ev_model_shape s;
	int pairs;
	const float *factors;
	double *kc, *vc; /* [layer][pos][kv_dim] */
};

/* A tensor of the file as doubles (any format the traits table knows),
 * dequantized once per file and kept (deq_clear drops them). */
static struct {
	const struct gguf_tensor *t;
	double *d;
} cache[128];
static int ncache;

static void deq_clear(void)
{
	for (int i = 0; i < ncache; i++)
		free(cache[i].d);
	ncache = 0;
}

static const double *deq(const struct gguf_file *g, const char *name, int *rows, int *cols)
{
	const struct gguf_tensor *t = gguf_tensor(g, name);
	int ev = gguf_type(t->type)->ev_type;
	size_t n = (size_t)t->elems;
	float *f;
	double *d;
	if (rows)
		*rows = (int)t->ne[1];
	if (cols)
		*cols = (int)t->ne[0];
	for (int i = 0; i < ncache; i++)
		if (cache[i].t == t)
			return cache[i].d;
	f = malloc(sizeof(float) * n);
	d = malloc(sizeof(double) * n);
	ev_types[ev].to_float(t->data, f, (int64_t)n);
	for (size_t i = 0; i < n; i++)
		d[i] = f[i];
	free(f);
	cache[ncache].t = t;
	cache[ncache++].d = d;
	return d;
}

static void matvec(const struct gguf_file *g, const char *name, const double *x, double *y)
{
	int rows, cols;
	const double *w = deq(g, name, &rows, &cols);
	for (int r = 0; r < rows; r++) {
		double s = 0;
		for (int c = 0; c < cols; c++)
			s += w[(size_t)r * cols + c] * x[c];
		y[r] = s;
	}
}

static void norm(const double *x, const double *w, int n, double eps, double *y)
{
	double ss = 0;
	for (int i = 0; i < n; i++)
		ss += x[i] * x[i];
	for (int i = 0; i < n; i++)
		y[i] = x[i] / sqrt(ss / n + eps) * w[i];
}

/* RoPE as the architectures define it: llama's GGUF rotates adjacent pairs
 * (its converter permuted Q and K), qwen2 the two halves of a head. */
static void rope(const struct ref *R, double *v, int nh, int pos)
{
	int hd = R->s.head_dim;
	for (int h = 0; h < nh; h++)
		for (int i = 0; i < hd / 2; i++) {
			double ang = pos * pow(R->s.rope_theta, -2.0 * i / hd), c, s, a, b;
			int i0 = R->pairs ? h * hd + 2 * i : h * hd + i;
			int i1 = R->pairs ? h * hd + 2 * i + 1 : h * hd + i + hd / 2;
			if (R->factors)
				ang /= R->factors[i];
			c = cos(ang), s = sin(ang), a = v[i0], b = v[i1];
			v[i0] = a * c - b * s;
			v[i1] = a * s + b * c;
		}
}

static void ref_step(struct ref *R, int token, int pos, double *logits)
{
	const struct gguf_file *g = R->g;
	const struct ev_model_shape *s = &R->s;
	int H = s->hidden, hd = s->head_dim, qd = s->n_heads * hd, kvd = s->n_kv_heads * hd, cap = 64;
	double x[256], xn[256], q[256], k[256], v[256], att[256], t[256], gt[512], u[512];
	const double *w;
	char nm[96];
	int cols;
	w = deq(g, "token_embd.weight", NULL, &cols);
	for (int i = 0; i < H; i++)
		x[i] = w[(size_t)token * cols + i];
	for (int l = 0; l < s->n_layers; l++) {
#define NM(f) (snprintf(nm, sizeof nm, "blk.%d." f, l), nm)
		w = deq(g, NM("attn_norm.weight"), NULL, NULL);
		norm(x, w, H, s->norm_eps, xn);
		matvec(g, NM("attn_q.weight"), xn, q);
		matvec(g, NM("attn_k.weight"), xn, k);
		matvec(g, NM("attn_v.weight"), xn, v);
		if (s->attn_bias) {
			const double *bq = deq(g, NM("attn_q.bias"), NULL, NULL);
			const double *bk = deq(g, NM("attn_k.bias"), NULL, NULL), *bv = deq(g, NM("attn_v.bias"), NULL, NULL);
			for (int i = 0; i < qd; i++)
				q[i] += bq[i];
			for (int i = 0; i < kvd; i++)
				k[i] += bk[i], v[i] += bv[i];
		}
		rope(R, q, s->n_heads, pos);
		rope(R, k, s->n_kv_heads, pos);
		for (int i = 0; i < kvd; i++) {
			R->kc[((size_t)l * cap + pos) * kvd + i] = k[i];
			R->vc[((size_t)l * cap + pos) * kvd + i] = v[i];
		}
		ref_attention(q, R->kc + (size_t)l * cap * kvd, R->vc + (size_t)l * cap * kvd, pos, s->n_heads,
			      s->n_kv_heads, hd, att);
		matvec(g, NM("attn_output.weight"), att, t);
		for (int i = 0; i < H; i++)
			x[i] += t[i];
		w = deq(g, NM("ffn_norm.weight"), NULL, NULL);
		norm(x, w, H, s->norm_eps, xn);
		matvec(g, NM("ffn_gate.weight"), xn, gt);
		matvec(g, NM("ffn_up.weight"), xn, u);
		for (int i = 0; i < s->ffn; i++)
			gt[i] = gt[i] / (1 + exp(-gt[i])) * u[i];
		matvec(g, NM("ffn_down.weight"), gt, t);
		for (int i = 0; i < H; i++)
			x[i] += t[i];
#undef NM
	}
	w = deq(g, "output_norm.weight", NULL, NULL);
	norm(x, w, H, s->norm_eps, xn);
	matvec(g, s->tied ? "token_embd.weight" : "output.weight", xn, logits);
}

static int argmax(const double *v, int n, double *gap)
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

/* Write the model, decode a 3-token prompt and 4 more greedy tokens with
 * eaves' decoder, and hold every step's logits to the reference. */
static void check_model(const char *label, const struct gw_model *gm, double tol, struct ev_pool *pool,
			const struct ev_cpu *cpu)
{
	unsigned char *bytes;
	size_t n = gw_model_bytes(gm, 3, &bytes);
	const char *path = tpath("model.gguf");
	struct gguf_file g, ro;
	struct gguf_llama gl;
	struct dec_model m;
	struct ev_err e = {0};
	struct ref R;
	double logits[300], err, amax, gap;
	int prompt[3] = {1, 2, 3}, tok, ref_tok, greedy_checked = 0;
	T_CHECK(gw_save(path, bytes, n) == 0, "write %s", path);
	free(bytes);
	if (gguf_open(&g, path, 1, &e) || gguf_llama_read(&g, &gl, &e) || gguf_llama_runnable(&g, &gl, &e)) {
		T_CHECK(0, "%s: %s", label, e.msg);
		gguf_close(&g);
		return;
	}
	if (dec_model_from_gguf(&m, &g, &gl, 16, 4, pool, cpu, &e)) {
		T_CHECK(0, "%s: %s", label, e.msg);
		gguf_close(&g);
		return;
	}
	/* the reference reads its own read-only mapping: the decoder may have
	 * repacked rows in place in its private one */
	if (gguf_open(&ro, path, 0, &e)) {
		T_CHECK(0, "%s: %s", label, e.msg);
		dec_model_destroy(&m);
		gguf_close(&g);
		return;
	}
	memset(&R, 0, sizeof R);
	R.g = &ro;
	R.s = gl.shape;
	R.pairs = gl.shape.rope_pairs;
	R.factors = gl.rope_factors ? (const float *)(const void *)gguf_tensor(&ro, "rope_freqs.weight")->data : NULL;
	R.kc = calloc((size_t)2 * 64 * 256, sizeof(double));
	R.vc = calloc((size_t)2 * 64 * 256, sizeof(double));
	tok = dec_forward(&m, pool, prompt, 3, 0);
	for (int p = 0; p < 3; p++)
		ref_step(&R, prompt[p], p, logits);
	for (int step = 0; step < 5; step++) {
		err = amax = 0;
		for (int i = 0; i < gl.shape.vocab; i++) {
			amax = fmax(amax, fabs(logits[i]));
			err = fmax(err, fabs(logits[i] - m.logits[i]));
		}
		T_CHECK(err <= tol * amax, "%s step %d: logits differ by %g (max |logit| %g)", label, step,
			err, amax);
		if (step == 0)
			printf("  %-28s logits within %.3f%% of max |logit| %.3g (tolerance %.1f%%), kernel %s\n",
			       label, 100 * err / amax, amax, 100 * tol, m.dot->name);
		ref_tok = argmax(logits, gl.shape.vocab, &gap);
		/* no logit is off by more than err: a margin over 2 err decides the token */
		if (gap > 2 * err) {
			T_CHECK(tok == ref_tok, "%s step %d: greedy token %d, reference %d", label, step, tok,
				ref_tok);
			greedy_checked++;
		}
		if (step == 4)
			break;
		ref_step(&R, ref_tok, 3 + step, logits);
		tok = dec_forward(&m, pool, &ref_tok, 1, 3 + step);
	}
	T_CHECK(greedy_checked >= 1, "%s: no greedy step had a margin over twice the logit error", label);
	greedy_total += greedy_checked;
	steps_total += 5;
	free(R.kc);
	free(R.vc);
	deq_clear();
	dec_model_destroy(&m);
	gguf_close(&g);
	gguf_close(&ro);
}

static void test_models(void)
{
	struct ev_topo t;
	struct ev_cpu cpu;
	struct ev_err e = {0};
	struct ev_pool *pool = NULL;
	/* q k v o gate up down, embedding, output */
	static const int k_m[9] = {EV_TYPE_Q4_K, EV_TYPE_Q4_K, EV_TYPE_Q6_K, EV_TYPE_Q4_K, EV_TYPE_Q4_K,
				   EV_TYPE_Q4_K, EV_TYPE_Q6_K, EV_TYPE_Q4_K, EV_TYPE_Q6_K};
	static const int odd[9] = {EV_TYPE_Q8_0, EV_TYPE_Q5_K, EV_TYPE_F16, EV_TYPE_Q4_0, EV_TYPE_Q5_K,
				   EV_TYPE_Q6_K, EV_TYPE_Q8_0, EV_TYPE_BF16, EV_TYPE_F16};
	cpu_detect(&cpu);
	T_CHECK(topo_open(&t, NULL, &e) == 0, "%s", e.msg);
	T_CHECK(pool_create(&pool, &t, 2, &e) == 0, "%s", e.msg);
	for (int type = 0; type < EV_TYPE__COUNT; type++) {
		struct gw_model gm = tiny("llama", type);
		char label[64];
		snprintf(label, sizeof label, "llama %s", ev_types[type].name);
		check_model(label, &gm, ev_types[type].act != EV_ACT_F32 ? 0.05 : 0.01, pool, &cpu);
	}
	{
		struct gw_model gm = tiny("llama", 0);
		gm.mix = k_m;
		check_model("llama Q4_K_M-style mix", &gm, 0.05, pool, &cpu);
		gm.mix = odd;
		gm.tied = 1;
		check_model("llama mixed act formats, tied", &gm, 0.05, pool, &cpu);
		gm = tiny("qwen2", EV_TYPE_Q8_0);
		check_model("qwen2 q8_0 (biases, halves)", &gm, 0.05, pool, &cpu);
		gm.mix = k_m;
		gm.rope_freqs = 1;
		check_model("qwen2 K_M mix, rope_freqs", &gm, 0.05, pool, &cpu);
	}
	{
		/* the generic kernels too */
		char why[256];
		struct gw_model gm = tiny("llama", 0);
		T_CHECK(cpu_cap_target(&cpu, EV_TARGET_GENERIC, why, sizeof why) == 0, "%s", why);
		gm.mix = k_m;
		check_model("llama K_M mix, generic", &gm, 0.05, pool, &cpu);
	}
	/* random weights give close logits: a step is checked where the reference's
	 * margin exceeds twice the measured logit error; most must be */
	printf("  greedy token checked (decisive margin) at %d of %d steps, all equal\n", greedy_total,
	       steps_total);
	T_CHECK(2 * greedy_total >= steps_total, "only %d of %d steps decisive", greedy_total, steps_total);
	pool_destroy(pool);
	topo_close(&t);
}

/* Metadata of every value type, arrays, both versions, the type table. */
static void test_reader(void)
{
	struct gw w;
	unsigned char *b;
	size_t n;
	struct gguf_file g;
	struct ev_err e = {0};
	uint64_t u;
	double f;
	char s[64];
	float vals[64];
	for (int i = 0; i < 64; i++)
		vals[i] = (float)i;
	for (uint32_t version = 2; version <= 3; version++) {
		memset(&w, 0, sizeof w);
		gw_kv_str(&w, "general.architecture", "llama");
		gw_kv_u32(&w, "x.u32", 7);
		gw_kv_f32(&w, "x.f32", 2.5f);
		gw_kv_tokens(&w, "x.tokens", 5);
		gw_tensor_f(&w, "a", EV_TYPE_F32, 64, 1, vals);
		gw_tensor_f(&w, "b", EV_TYPE_Q8_0, 32, 2, vals);
		n = gw_finish(&w, version, 32, &b);
		gw_free(&w);
		memset(&g, 0, sizeof g);
		T_CHECK(gguf_parse(&g, b, n, "mem", &e) == 0, "v%u: %s", version, e.msg);
		T_CHECK(g.version == version && g.n_kv == 4 && g.n_tensors == 2 && g.alignment == 32, "header");
		T_CHECK(gguf_get_uint(&g, "x.u32", &u, &e) == 0 && u == 7, "u32");
		T_CHECK(gguf_get_float(&g, "x.f32", &f, &e) == 0 && f == 2.5, "f32");
		T_CHECK(gguf_get_float(&g, "x.u32", &f, &e) == 0 && f == 7, "u32 as float");
		T_CHECK(gguf_get_str(&g, "general.architecture", s, sizeof s, &e) == 0 && !strcmp(s, "llama"), "str");
		T_CHECK(gguf_get_uint(&g, "general.architecture", &u, &e) == EV_ERR_USAGE &&
				strstr(e.msg, "not an integer"), "%s", e.msg);
		T_CHECK(gguf_get_uint(&g, "no.such", &u, &e) == EV_ERR_UNSUPPORTED, "absent key");
		T_CHECK(gguf_find(&g, "x.tokens")->arr_n == 5 && gguf_find(&g, "x.tokens")->arr_type == GGUF_STRING,
			"string array");
		T_CHECK(gguf_tensor(&g, "b") && gguf_tensor(&g, "b")->bytes == 2 * 34 &&
				gguf_tensor(&g, "b")->offset == 256 && gguf_tensor(&g, "b")->ne[1] == 2,
			"tensor b");
		T_CHECK(((const float *)(const void *)gguf_tensor(&g, "a")->data)[63] == 63.0f, "tensor a data");
		gguf_close(&g);
		free(b);
	}
	T_CHECK(gguf_type(12) && gguf_type(12)->block_bytes == 144 && gguf_type(14)->block_bytes == 210 &&
			gguf_type(10)->block_bytes == 84 && gguf_type(23)->block_bytes == 136 &&
			gguf_type(4) == NULL && gguf_type(40) == NULL,
		"type table");
	for (int t = 0; t < EV_TYPE__COUNT; t++) {
		const struct gguf_type_info *ti = gguf_type(gguf_type_of_ev(t));
		T_CHECK(ti && ti->ev_type == t && (size_t)ti->block_bytes == ev_types[t].block_bytes &&
				ti->block_elems == ev_types[t].block_elems,
			"%s: GGUF's block and the traits table agree", ev_types[t].name);
	}
	T_CHECK(!strcmp(gguf_ftype_name(15), "Q4_K_M") && gguf_ftype_name(99) == NULL, "ftype names");
}

/* ---- malformed files ---- */
/* A small file built field by field, with one field replaced. */
struct fault {
	uint32_t version, key_type, tensor_type, n_dims, alignment, arr_type;
	uint64_t n_tensors, n_kv, key_len, ne0, ne1, offset_b;
	int dup_tensor, dup_key;
};

static size_t mini(const struct fault *f, unsigned char **out)
{
	struct gw_buf b = {0};
	unsigned char data[512];
	memset(data, 0x3c, sizeof data);
	gw_put(&b, "GGUF", 4);
	gw_u32(&b, f->version ? f->version : 3);
	gw_u64(&b, f->n_tensors ? f->n_tensors : 2);
	gw_u64(&b, f->n_kv ? f->n_kv : 3);
	/* kv 0: general.architecture = "llama" (or a bad key length / type) */
	gw_u64(&b, f->key_len ? f->key_len : 20);
	gw_put(&b, "general.architecture", 20);
	gw_u32(&b, f->key_type ? f->key_type : GGUF_STRING);
	gw_str(&b, "llama");
	/* kv 1: general.alignment */
	gw_str(&b, f->dup_key ? "general.architecture" : "general.alignment");
	gw_u32(&b, GGUF_U32);
	gw_u32(&b, f->alignment ? f->alignment : 32);
	/* kv 2: an array of 3 u32 */
	gw_str(&b, "x.arr");
	gw_u32(&b, GGUF_ARRAY);
	gw_u32(&b, f->arr_type ? f->arr_type : GGUF_U32);
	gw_u64(&b, 3);
	gw_u32(&b, 1), gw_u32(&b, 2), gw_u32(&b, 3);
	/* tensor a: 32 f32 at 0; tensor b: ne0 x ne1 f16 at 128 */
	gw_str(&b, "a");
	gw_u32(&b, 1);
	gw_u64(&b, 32);
	gw_u32(&b, 0);
	gw_u64(&b, 0);
	gw_str(&b, f->dup_tensor ? "a" : "b");
	gw_u32(&b, f->n_dims ? f->n_dims : 2);
	gw_u64(&b, f->ne0 ? f->ne0 : 32);
	gw_u64(&b, f->ne1 ? f->ne1 : 2);
	if (f->n_dims > 2)
		for (uint32_t d = 2; d < f->n_dims && d < 8; d++)
			gw_u64(&b, 1);
	gw_u32(&b, f->tensor_type ? f->tensor_type : 1);
	gw_u64(&b, f->offset_b ? f->offset_b : 128);
	while (b.n % 32)
		gw_put(&b, "", 1);
	gw_put(&b, data, 128 + 128);
	*out = b.p;
	return b.n;
}

static int parse_mini(const struct fault *f, struct ev_err *e)
{
	unsigned char *b;
	size_t n = mini(f, &b);
	struct gguf_file g;
	int rc;
	memset(&g, 0, sizeof g);
	rc = gguf_parse(&g, b, n, "bad.gguf", e);
	gguf_close(&g);
	free(b);
	return rc;
}

static void test_malformed(void)
{
	static const struct {
		struct fault f;
		const char *want;
	} cases[] = {
		{{.version = 1}, "version 1"},
		{{.version = 0x03000000}, "big-endian"},
		{{.version = 9}, "version 9"},
		{{.n_tensors = UINT64_MAX}, "tensor count"},
		{{.n_kv = (uint64_t)1 << 40}, "metadata count"},
		{{.key_len = (uint64_t)1 << 62}, "a string of"},
		{{.key_len = 300}, "general.alignment"}, /* the key swallows what follows: garbage after */
		{{.key_type = 77}, "unknown value type 77"},
		{{.arr_type = GGUF_ARRAY}, "arrays"},
		{{.tensor_type = 99}, "unknown tensor type 99"},
		{{.tensor_type = 4}, "unknown tensor type 4"},
		{{.n_dims = 5}, "5 dimensions"},
		{{.ne0 = (uint64_t)1 << 40, .ne1 = (uint64_t)1 << 40}, "overflows"},
		{{.ne0 = (uint64_t)1 << 30}, "runs past the end"},
		{{.offset_b = (uint64_t)1 << 60}, "runs past the end"},
		{{.offset_b = 100}, "not a multiple of the alignment"},
		{{.alignment = 3}, "power of two"},
		{{.dup_tensor = 1}, "appears twice"},
		{{.dup_key = 1}, "appears twice"},
		{{.tensor_type = 12}, "not whole Q4_K blocks"},
	};
	struct ev_err e = {0};
	struct fault ok = {0};
	unsigned char *b;
	size_t n;
	T_CHECK(parse_mini(&ok, &e) == 0, "the unbroken file parses: %s", e.msg);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = parse_mini(&cases[i].f, &e);
		T_CHECK(rc == EV_ERR_USAGE && strstr(e.msg, cases[i].want) && strstr(e.msg, "bad.gguf"),
			"case %zu: rc %d, '%s' (want '%s')", i, rc, e.msg, cases[i].want);
	}
	/* every truncation: an error, never a read past the end (ASan watches) */
	n = mini(&ok, &b);
	for (size_t len = 0; len < n; len++) {
		struct gguf_file g;
		unsigned char *cut = malloc(len + 1);
		memcpy(cut, b, len);
		memset(&g, 0, sizeof g);
		T_CHECK(gguf_parse(&g, cut, len, "cut.gguf", &e) == EV_ERR_USAGE &&
				(strstr(e.msg, "truncated") || strstr(e.msg, "past the end") ||
				 strstr(e.msg, "more than the file can hold") || strstr(e.msg, "not a GGUF")),
			"cut at %zu: %s", len, e.msg);
		gguf_close(&g);
		free(cut);
	}
	free(b);
}

/* Model-level errors: the architecture, missing or misshapen tensors, a
 * format without a kernel, a file that is not there. */
static void test_model_errors(void)
{
	struct gguf_file g;
	struct gguf_llama gl;
	struct ev_err e = {0};
	unsigned char *b;
	size_t n;
	struct gw_model gm = tiny("llama", EV_TYPE_Q4_0);
	const char *path = tpath("m.gguf");
	T_CHECK(gguf_open(&g, tpath("absent.gguf"), 0, &e) == EV_ERR_USAGE && strstr(e.msg, "absent.gguf"),
		"%s", e.msg);
	gm.layers = 1;
	gm.arch = "gpt2";
	n = gw_model_bytes(&gm, 3, &b);
	gw_save(path, b, n);
	free(b);
	T_CHECK(gguf_open(&g, path, 0, &e) == 0, "%s", e.msg);
	T_CHECK(gguf_llama_read(&g, &gl, &e) == EV_ERR_USAGE && strstr(e.msg, "'gpt2' is not supported"),
		"%s", e.msg);
	gguf_close(&g);
	/* a file whose metadata promises more layers than it has */
	gm.arch = "llama";
	n = gw_model_bytes(&gm, 3, &b);
	{
		/* block_count 1 -> 2: patch the u32 right after the key */
		unsigned char *k = memmem(b, n, "llama.block_count", 17);
		uint32_t two = 2;
		T_CHECK(k != NULL, "key in file");
		if (k)
			memcpy(k + 17 + 4, &two, 4);
	}
	gw_save(path, b, n);
	free(b);
	T_CHECK(gguf_open(&g, path, 0, &e) == 0, "%s", e.msg);
	T_CHECK(gguf_llama_read(&g, &gl, &e) == EV_ERR_USAGE && strstr(e.msg, "'blk.1.attn_norm.weight' is missing"),
		"%s", e.msg);
	gguf_close(&g);
	/* a misshapen tensor: ffn 512 in the metadata, 256 in the file */
	n = gw_model_bytes(&gm, 3, &b);
	{
		unsigned char *k = memmem(b, n, "llama.feed_forward_length", 25);
		uint32_t v = 256;
		if (k)
			memcpy(k + 25 + 4, &v, 4);
	}
	gw_save(path, b, n);
	free(b);
	T_CHECK(gguf_open(&g, path, 0, &e) == 0, "%s", e.msg);
	T_CHECK(gguf_llama_read(&g, &gl, &e) == EV_ERR_USAGE && strstr(e.msg, "the metadata says 256x"),
		"%s", e.msg);
	gguf_close(&g);
	/* a tensor type the decoder has no kernel for: predict reads it, decode names it */
	n = gw_model_bytes(&gm, 3, &b);
	{
		const struct gguf_tensor *t;
		memset(&g, 0, sizeof g);
		T_CHECK(gguf_parse(&g, b, n, "mem", &e) == 0, "%s", e.msg);
		t = gguf_tensor(&g, "blk.0.ffn_up.weight");
		/* the type field follows the last extent: Q4_0 (2) -> IQ4_NL (20), same block bytes */
		if (t) {
			unsigned char *p = (unsigned char *)(uintptr_t)t->name.p + t->name.n + 4 + 8 * t->n_dims;
			uint32_t v = 20;
			memcpy(p, &v, 4);
		}
		gguf_close(&g);
	}
	gw_save(path, b, n);
	free(b);
	T_CHECK(gguf_open(&g, path, 0, &e) == 0 && gguf_llama_read(&g, &gl, &e) == 0, "%s", e.msg);
	T_CHECK(gguf_llama_runnable(&g, &gl, &e) == EV_ERR_USAGE && strstr(e.msg, "blk.0.ffn_up.weight") &&
			strstr(e.msg, "IQ4_NL"),
		"%s", e.msg);
	{
		struct gguf_type_total tt[8];
		int nt = gguf_type_totals(&g, tt, 8);
		T_CHECK(nt == 3 && tt[0].type == 2, "totals: %d types, first %u", nt, nt ? tt[0].type : 0);
		T_CHECK(gl.wb.matmul > 0 && gl.mm_weights[EV_TYPE_Q4_0] > 0 &&
				gl.mm_weights[EV_TYPE_Q4_0] < gl.mm_total,
			"bytes by role counted with the IQ4_NL tensor");
	}
	gguf_close(&g);
}

/* ---- the command line on a written file ---- */
static int run_eaves_env(const char *env, const char *args, char *out, size_t len)
{
	char cmd[2048];
	const char *bin = getenv("EAVES_BIN");
	FILE *p;
	size_t n;
	int st;
	snprintf(cmd, sizeof cmd, "%s %s %s %s 2>&1 </dev/null", env, getenv("EAVES_RUN") ? getenv("EAVES_RUN") : "",
		 bin ? bin : "build/eaves", args);
	if (!(p = popen(cmd, "r")))
		return -1;
	n = fread(out, 1, len - 1, p);
	out[n] = 0;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int run_eaves(const char *args, char *out, size_t len)
{
	return run_eaves_env("", args, out, len);
}

static void test_cli(void)
{
	static char out[1 << 18];
	char args[1024], *doc;
	unsigned char *b;
	struct gw_model gm = tiny("llama", 0);
	static const int k_m[9] = {EV_TYPE_Q4_K, EV_TYPE_Q4_K, EV_TYPE_Q6_K, EV_TYPE_Q4_K, EV_TYPE_Q4_K,
				   EV_TYPE_Q4_K, EV_TYPE_Q6_K, EV_TYPE_Q4_K, EV_TYPE_Q6_K};
	char f[160];
	struct gguf_file g;
	struct gguf_llama gl;
	struct ev_err e = {0};
	size_t n;
	int rc, tok1[16], tok2[16], n1 = 0, n2 = 0, npass;
	snprintf(f, sizeof f, "%s", tpath("cli.gguf"));
	gm.mix = k_m;
	n = gw_model_bytes(&gm, 3, &b);
	gw_save(f, b, n);
	free(b);
	T_CHECK(gguf_open(&g, f, 0, &e) == 0 && gguf_llama_read(&g, &gl, &e) == 0, "%s", e.msg);
	gguf_close(&g);
	/* predict: exact bytes from the tensors, the type table */
	snprintf(args, sizeof args, "predict --gguf %s --bandwidth 10GB/s --ctx 1 --json -", f);
	rc = run_eaves(args, out, sizeof out);
	T_CHECK(rc == 0 && strstr(out, "\"file_type\":\t\"Q4_K_M\"") && strstr(out, "\"type\":\t\"Q6_K\""),
		"predict --gguf: rc %d:\n%.1500s", rc, out);
	{
		/* by hand: per layer q, k, o, gate, up in q4_K (144 bytes per 256), v and
		 * down in q6_K (210), and the q6_K LM head */
		int H = gm.hidden, kvd = gm.kv_heads * (gm.hidden / gm.heads), F = gm.ffn;
		double q4 = 144.0 / 256, q6 = 210.0 / 256;
		double want_mm = gm.layers * ((double)H * H * 2 * q4 + (double)kvd * H * (q4 + q6) +
					      2.0 * F * H * q4 + (double)F * H * q6) +
				 (double)gm.vocab * H * q6;
		cJSON *j = cJSON_Parse(out), *mf = cJSON_GetObjectItem(j, "model_file");
		cJSON *mm = cJSON_GetObjectItem(mf, "matmul_bytes_per_token");
		T_CHECK(gl.wb.matmul == want_mm && gl.wb.embed_row == H * q4, "reader: %g, by hand %g", gl.wb.matmul, want_mm);
		T_CHECK(cJSON_IsNumber(mm) && mm->valuedouble == want_mm, "predict JSON matmul bytes %g, by hand %g",
			cJSON_IsNumber(mm) ? mm->valuedouble : -1, want_mm);
		cJSON_Delete(j);
	}
	snprintf(args, sizeof args, "predict --gguf %s --bandwidth 10GB/s --ctx 1", f);
	rc = run_eaves(args, out, sizeof out);
	T_CHECK(rc == 0 && strstr(out, "Q4_K ") && strstr(out, "6.562") && strstr(out, "Q4_K_M "),
		"predict table: rc %d:\n%.1500s", rc, out);
	/* decode twice from the same prompt ids (on 1 and 2 threads): the same
	 * greedy tokens; once under an emulator (slow there; checked natively) */
	npass = getenv("EAVES_RUN") && *getenv("EAVES_RUN") ? 1 : 2;
	for (int pass = 0; pass < npass; pass++) {
		snprintf(args, sizeof args,
			 "decode --gguf %s --prompt-ids 1,2,3 --tokens 6 --ctx 16 --ctx-tokens 2 --quick --threads %d "
			 "--json %s", f, pass + 1, tpath(pass ? "d2.json" : "d1.json"));
		rc = run_eaves(args, out, sizeof out);
		T_CHECK(rc == 0 && strstr(out, "Q4_K_M") && strstr(out, "sha256"), "decode --gguf: rc %d:\n%.2000s", rc, out);
		doc = t_slurp(tpath(pass ? "d2.json" : "d1.json"));
		T_CHECK(doc && strstr(doc, "\"weights\":\t\"real: the tensors of the model file") &&
				strstr(doc, "\"sha256\":\t\"") && strstr(doc, "\"prompt_ids\":\t[1, 2, 3]") &&
				strstr(doc, "\"compute_ceiling_by_format\""),
			"decode JSON:\n%.1500s", doc ? doc : "(none)");
		if (doc) {
			char *gt = strstr(doc, "\"greedy_tokens\":\t[");
			int *tk = pass ? tok2 : tok1, *nn = pass ? &n2 : &n1;
			for (char *p = gt ? strchr(gt, '[') + 1 : NULL; p && *nn < 16 && *p != ']';) {
				tk[(*nn)++] = (int)strtol(p, &p, 10);
				while (*p == ',' || *p == ' ')
					p++;
			}
		}
		free(doc);
	}
	T_CHECK(n1 == 7 && (npass == 1 || (n1 == n2 && !memcmp(tok1, tok2, sizeof(int) * (size_t)n1))),
		"greedy tokens equal on 1 and 2 threads (%d and %d tokens)", n1, n2);
	snprintf(args, sizeof args, "decode --gguf %s --prompt-ids 1,2,300", f);
	T_CHECK(run_eaves(args, out, sizeof out) == 2 && strstr(out, "token 300 is outside 0..299"), "%s", out);
	snprintf(args, sizeof args, "decode --gguf %s --quant q4_0", f);
	T_CHECK(run_eaves(args, out, sizeof out) == 2 && strstr(out, "leave out --model and --quant"), "%s", out);
	/* larger than memory (MemAvailable faked): not decoded, the storage ceiling given */
	snprintf(args, sizeof args, "decode --gguf %s --prompt-ids 1 --tokens 2 --ctx 8 --quick", f);
	rc = run_eaves_env("EAVES_FAULT=memavail:100000", args, out, sizeof out);
	T_CHECK(rc == 2 && strstr(out, "does not fit") && strstr(out, "stream from storage each token") &&
			strstr(out, "GB/s (measured: ") && strstr(out, "tokens/s"),
		"too big: rc %d: %s", rc, out);
	snprintf(args, sizeof args, "bw --storage %s --json -", f);
	T_CHECK(run_eaves(args, out, sizeof out) == 0 && strstr(out, "\"read_bytes_per_s\""), "%s", out);
	unlink(tpath("d1.json"));
	unlink(tpath("d2.json"));
	unlink(f);
}

/* test-gguf --write FILE [tiny|micro|tinyllama] [FORMAT|q4_k_m] [LAYERS]: write a
 * model file for the CLI tests and make bench (TinyLlama-1.1B's shape:
 * hidden 2048, 32 heads, 4 KV heads, ffn 5632, vocab 32000, 22 layers). */
static int write_model(int argc, char **argv)
{
	static const int k_m[9] = {EV_TYPE_Q4_K, EV_TYPE_Q4_K, EV_TYPE_Q6_K, EV_TYPE_Q4_K, EV_TYPE_Q4_K,
				   EV_TYPE_Q4_K, EV_TYPE_Q6_K, EV_TYPE_Q4_K, EV_TYPE_Q6_K};
	struct gw_model gm = tiny("llama", EV_TYPE_Q4_K);
	const char *fmt = argc > 4 ? argv[4] : "q4_k_m";
	unsigned char *b;
	size_t n;
	if (argc > 3 && !strcmp(argv[3], "micro")) { /* the fuzzer's seed */
		gm.layers = 1, gm.hidden = 32, gm.heads = 2, gm.kv_heads = 1, gm.ffn = 32, gm.vocab = 8;
	}
	if (argc > 3 && !strcmp(argv[3], "tinyllama")) {
		gm.layers = 22, gm.hidden = 2048, gm.heads = 32, gm.kv_heads = 4, gm.ffn = 5632;
		gm.vocab = 32000, gm.ctx = 2048;
	}
	if (argc > 5)
		gm.layers = atoi(argv[5]);
	if (!strcmp(fmt, "q4_k_m"))
		gm.mix = k_m;
	else if ((gm.type = ev_type_by_name(fmt)) < 0) {
		fprintf(stderr, "test-gguf --write: unknown format %s\n", fmt);
		return 2;
	}
	n = gw_model_bytes(&gm, 3, &b);
	if (gw_save(argv[2], b, n)) {
		fprintf(stderr, "test-gguf --write: cannot write %s\n", argv[2]);
		return 1;
	}
	free(b);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "--write"))
		return write_model(argc, argv);
	t_prog = "test-gguf";
	snprintf(tmpdir, sizeof tmpdir, "/tmp/eaves-gguf-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("mkdtemp failed\n");
		return 1;
	}
	T_RUN(test_reader);
	T_RUN(test_malformed);
	T_RUN(test_model_errors);
	T_RUN(test_models);
	T_RUN(test_cli);
	unlink(tpath("model.gguf"));
	unlink(tpath("m.gguf"));
	rmdir(tmpdir);
	T_DONE();
}
