/* tests/test-quant.c: the weight formats. Conversions against their known
 * error bounds, GGUF block sizes, the scalar reference dot against double
 * precision, and every SIMD dot implementation this CPU runs against the
 * reference over many sizes (odd tails for float types) and row counts. */
#include "harness.h"
#include "quant.h"

static uint64_t rng = 88172645463325252ull;
static float frand(void) /* uniform in [-1, 1) */
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (float)((double)(rng >> 11) / 9007199254740992.0 * 2 - 1);
}

static void test_traits(void)
{
	T_CHECK(ev_types[EV_TYPE_Q4_0].block_bytes == 18 && ev_types[EV_TYPE_Q4_0].block_elems == 32,
		"q4_0 block");
	T_CHECK(ev_type_bytes_per_weight(EV_TYPE_Q4_0) == 0.5625, "q4_0 4.5 bits/weight");
	T_CHECK(ev_type_bytes_per_weight(EV_TYPE_Q8_0) == 1.0625, "q8_0 8.5 bits/weight");
	T_CHECK(ev_type_bytes_per_weight(EV_TYPE_F16) == 2 && ev_type_bytes_per_weight(EV_TYPE_BF16) == 2,
		"16-bit");
	T_CHECK(ev_type_row_bytes(EV_TYPE_Q4_0, 2048) == 64 * 18, "row bytes");
	T_CHECK(ev_type_by_name("q8_0") == EV_TYPE_Q8_0 && ev_type_by_name("q3_K") < 0, "names");
	T_CHECK(ev_type_by_name("Q4_K") == EV_TYPE_Q4_K && ev_type_by_name("q6_k") == EV_TYPE_Q6_K,
		"GGUF's upper-case names");
	T_CHECK(ev_type_bytes_per_weight(EV_TYPE_Q4_K) == 144.0 / 256 &&
			ev_type_bytes_per_weight(EV_TYPE_Q5_K) == 176.0 / 256 &&
			ev_type_bytes_per_weight(EV_TYPE_Q6_K) == 210.0 / 256,
		"k-quants: 4.5, 5.5 and 6.5625 bits/weight");
}

/* The case-by-case conversion (ev_fp16_to_f32 is branch-free arithmetic):
 * every half, bit for bit (NaNs keep their payload). */
static uint32_t half_bits_ref(uint16_t h)
{
	uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
	if (exp == 0 && man == 0)
		return sign;
	if (exp == 0) {
		int e = -1;
		do {
			e++;
			man <<= 1;
		} while (!(man & 0x400));
		return sign | ((uint32_t)(127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
	}
	if (exp == 31)
		return sign | 0x7f800000u | (man << 13);
	return sign | ((exp + 127 - 15) << 23) | (man << 13);
}

static void test_halves(void)
{
	uint32_t bad = 0, first = 0;
	for (uint32_t h = 0; h < 65536; h++) {
		float f = ev_fp16_to_f32((ev_fp16)h);
		uint32_t u;
		memcpy(&u, &f, 4);
		if (u != half_bits_ref((uint16_t)h) && !bad++)
			first = h;
	}
	T_CHECK(!bad, "%u halves convert wrong, the first 0x%04x", bad, first);
	static const float exact[] = {0, 1, -2, 0.5f, 65504, -65504, 6.103515625e-05f,
				      5.9604644775390625e-08f};
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		T_CHECK(ev_fp16_to_f32(ev_f32_to_fp16(exact[i])) == exact[i], "fp16 %g", exact[i]);
	T_CHECK(ev_fp16_to_f32(ev_f32_to_fp16(1e6f)) == INFINITY, "overflow to inf");
	T_CHECK(ev_f32_to_fp16(1.0f + 1.0f / 2048) == 0x3c00, "ties to even (down)");
	T_CHECK(ev_f32_to_fp16(1.0f + 3.0f / 2048) == 0x3c02, "ties to even (up)");
	for (int i = 0; i < 10000; i++) {
		float v = frand() * 100;
		T_CHECK(fabsf(ev_fp16_to_f32(ev_f32_to_fp16(v)) - v) <= fabsf(v) / 2048 + 3e-8f,
			"fp16 round trip %g", v);
		T_CHECK(fabsf(ev_bf16_to_f32(ev_f32_to_bf16(v)) - v) <= fabsf(v) / 256, "bf16 %g", v);
	}
}

static void test_round_trips(void)
{
	float x[256], y[256];
	struct block_q8_0 b8[8];
	struct block_q4_0 b4[8];
	for (int i = 0; i < 256; i++)
		x[i] = frand() * (i % 32 == 5 ? 3 : 1);
	ev_types[EV_TYPE_Q8_0].from_float(x, b8, 256);
	ev_types[EV_TYPE_Q8_0].to_float(b8, y, 256);
	for (int i = 0; i < 256; i++) {
		float d = ev_fp16_to_f32(b8[i / 32].d);
		/* rounding to the grid, plus the scale's own fp16 rounding times |q| <= 127 */
		T_CHECK(fabsf(y[i] - x[i]) <= d * (0.5f + 127.0f / 2048) + 1e-6f, "q8_0 elem %d: %g vs %g (d %g)", i,
			y[i], x[i], d);
	}
	ev_types[EV_TYPE_Q4_0].from_float(x, b4, 256);
	ev_types[EV_TYPE_Q4_0].to_float(b4, y, 256);
	for (int i = 0; i < 256; i++) {
		float d = fabsf(ev_fp16_to_f32(b4[i / 32].d));
		/* the largest value maps to -8, so +max lands on 7 (error d), plus |q| <= 8 times
		 * the scale's fp16 rounding */
		T_CHECK(fabsf(y[i] - x[i]) <= d * (1.0f + 8.0f / 2048) + 1e-6f, "q4_0 elem %d: %g vs %g (d %g)", i,
			y[i], x[i], d);
	}
}

/* The k-quant layouts on hand-made blocks: the expected value of every weight
 * is written here from the format's description (GGUF / ggml), not from the
 * code under test. */
static void test_kquant_blocks(void)
{
	/* q4_K: d 1, dmin 0.5; scales {1,2,3,4,47,6,7,63}, mins {0,2,4,6,33,10,12,50},
	 * packed by hand (6-bit values over 12 bytes) */
	static const uint8_t sc[8] = {1, 2, 3, 4, 47, 6, 7, 63}, mn[8] = {0, 2, 4, 6, 33, 10, 12, 50};
	static const uint8_t packed[12] = {0x81, 0x02, 0x03, 0xc4, 0x80, 0x02, 0x04, 0xc6,
					   0x1f, 0xa6, 0xc7, 0x2f};
	struct block_q4_K b4;
	struct block_q5_K b5;
	struct block_q6_K b6;
	float y[QK_K];
	uint8_t scales[12], s1, m1;
	ev_k_pack_scales(sc, mn, scales);
	T_CHECK(!memcmp(scales, packed, 12), "q4_K scale packing");
	for (int j = 0; j < 8; j++) {
		ev_k_scale_min(j, packed, &s1, &m1);
		T_CHECK(s1 == sc[j] && m1 == mn[j], "scale/min %d: %d %d", j, s1, m1);
	}
	b4.d = ev_f32_to_fp16(1.0f);
	b4.dmin = ev_f32_to_fp16(0.5f);
	memcpy(b4.scales, packed, 12);
	for (int l = 0; l < QK_K / 2; l++)
		b4.qs[l] = (uint8_t)((l % 16) | ((15 - l % 16) << 4));
	ev_types[EV_TYPE_Q4_K].to_float(&b4, y, QK_K);
	for (int k = 0; k < QK_K; k++) {
		int j = k / 32, byte = 32 * (j / 2) + k % 32;
		int nib = j % 2 ? b4.qs[byte] >> 4 : b4.qs[byte] & 15;
		float want = (float)sc[j] * nib - 0.5f * mn[j];
		T_CHECK(y[k] == want, "q4_K weight %d: %g, want %g", k, y[k], want);
	}
	/* q5_K: d 1, dmin 1, scales 1..8, mins 0..7; every nibble byte 0x73 (3 low,
	 * 7 high); qh 0x55: the fifth bit set for even sub-blocks only */
	b5.d = b5.dmin = ev_f32_to_fp16(1.0f);
	{
		static const uint8_t p5[12] = {1, 2, 3, 4, 0, 1, 2, 3, 0x45, 0x56, 0x67, 0x78};
		memcpy(b5.scales, p5, 12);
	}
	memset(b5.qs, 0x73, sizeof b5.qs);
	memset(b5.qh, 0x55, sizeof b5.qh);
	ev_types[EV_TYPE_Q5_K].to_float(&b5, y, QK_K);
	for (int k = 0; k < QK_K; k++) {
		int j = k / 32;
		float want = (float)(j + 1) * (j % 2 ? 7 : 19) - (float)j;
		T_CHECK(y[k] == want, "q5_K weight %d: %g, want %g", k, y[k], want);
	}
	/* q6_K: d 0.25, scale of group g = g - 8; ql bytes 0x21 (low 1, high 2);
	 * qh 0xe4 (2-bit fields 0,1,2,3): quarter values 1, 17, 34, 50 minus 32 */
	b6.d = ev_f32_to_fp16(0.25f);
	for (int g = 0; g < 16; g++)
		b6.scales[g] = (int8_t)(g - 8);
	memset(b6.ql, 0x21, sizeof b6.ql);
	memset(b6.qh, 0xe4, sizeof b6.qh);
	ev_types[EV_TYPE_Q6_K].to_float(&b6, y, QK_K);
	for (int k = 0; k < QK_K; k++) {
		static const int qv[4] = {1 - 32, 17 - 32, 34 - 32, 50 - 32};
		float want = 0.25f * (float)(k / 16 - 8) * (float)qv[(k % 128) / 32];
		T_CHECK(y[k] == want, "q6_K weight %d: %g, want %g", k, y[k], want);
	}
}

/* k-quant round trips: within one step of each sub-block's grid (the
 * quantizers are min/max, not searched). */
static void test_kquant_round_trips(void)
{
	enum { N = 4 * QK_K };
	static float x[N], y[N];
	static unsigned char b[N * 2];
	for (int i = 0; i < N; i++)
		x[i] = frand() * (i % 64 == 7 ? 4 : 1);
	for (int t = EV_TYPE_Q4_K; t <= EV_TYPE_Q6_K; t++) {
		double se = 0, sx = 0;
		ev_types[t].from_float(x, b, N);
		ev_types[t].to_float(b, y, N);
		for (int i = 0; i < N; i++) {
			se += (double)(y[i] - x[i]) * (y[i] - x[i]);
			sx += (double)x[i] * x[i];
		}
		/* relative RMS error: about step/sqrt(12) over the spread of the block */
		T_CHECK(sqrt(se / sx) < (t == EV_TYPE_Q4_K ? 0.12 : t == EV_TYPE_Q5_K ? 0.06 : 0.04),
			"%s: relative RMS error %.4f", ev_types[t].name, sqrt(se / sx));
		printf("  %s round trip: relative RMS error %.4f\n", ev_types[t].name, sqrt(se / sx));
	}
}

/* q4_1, q5_0, q5_1 on hand-made blocks (values from the formats' description) */
static void test_legacy_blocks(void)
{
	struct block_q4_1 a;
	struct block_q5_0 b;
	struct block_q5_1 c;
	float y[QK];
	uint32_t qh;
	a.d = ev_f32_to_fp16(0.25f), a.m = ev_f32_to_fp16(-1.0f);
	memset(a.qs, 0x93, sizeof a.qs); /* low nibble 3 (weights 0..15), high 9 (16..31) */
	ev_types[EV_TYPE_Q4_1].to_float(&a, y, QK);
	for (int j = 0; j < QK; j++)
		T_CHECK(y[j] == (j < 16 ? -0.25f : 1.25f), "q4_1 weight %d: %g", j, y[j]);
	b.d = ev_f32_to_fp16(0.5f);
	memset(b.qs, 0x21, sizeof b.qs);
	qh = 0x0000ffffu; /* fifth bit for weights 0..15 */
	memcpy(b.qh, &qh, 4);
	ev_types[EV_TYPE_Q5_0].to_float(&b, y, QK);
	for (int j = 0; j < QK; j++)
		T_CHECK(y[j] == (j < 16 ? 0.5f : -7.0f), "q5_0 weight %d: %g", j, y[j]);
	c.d = ev_f32_to_fp16(1.0f), c.m = ev_f32_to_fp16(0.5f);
	memset(c.qs, 0x10, sizeof c.qs);
	qh = 0xffff0000u;
	memcpy(c.qh, &qh, 4);
	ev_types[EV_TYPE_Q5_1].to_float(&c, y, QK);
	for (int j = 0; j < QK; j++)
		T_CHECK(y[j] == (j < 16 ? 0.5f : 17.5f), "q5_1 weight %d: %g", j, y[j]);
}

static void test_ref_vs_double(void)
{
	enum { N = 1024 };
	static float x[N], a[N], xd[N], ad[N];
	static unsigned char w[N * 4], act[N * 4 + 4096];
	for (int i = 0; i < N; i++) {
		x[i] = frand();
		a[i] = frand();
	}
	for (int t = 0; t < EV_TYPE__COUNT; t++) {
		const struct ev_type_traits *tr = &ev_types[t];
		double want = 0, mag = 0;
		float got;
		tr->from_float(x, w, N);
		tr->to_float(w, xd, N);
		ev_act_quantize(tr->act, a, act, N);
		ev_act_to_float(tr->act, act, ad, N);
		for (int i = 0; i < N; i++) {
			want += (double)xd[i] * ad[i];
			mag += fabs((double)xd[i] * ad[i]);
		}
		got = tr->dot_ref(N, w, act);
		T_CHECK(fabs(got - want) <= 1e-5 * mag, "%s ref %g vs double %g", tr->name, got, want);
	}
}

/* One dot implementation against the scalar reference: many row lengths and
 * row counts (a last partial group of 4 included); its packed layout, if it
 * has one, must give every row of full groups back and leave the rest plain.
 * A kernel this CPU cannot run is a SKIP. */
static void test_impl(const struct ev_cpu *cpu, const struct ev_dot_impl *d)
{
	static const int qn[] = {32, 64, 96, 256, 512, 2048, 4128, 4352};
	static const int fn[] = {1, 7, 8, 33, 100, 257, 1000, 4099};
	static const int rows[] = {1, 2, 3, 4, 5, 7, 9};
	const struct ev_type_traits *tr = &ev_types[d->type];
	int isq = tr->block_elems > 1;
	const int *ns = isq ? qn : fn;
	int nn = 8;
	char why[256];
	if (cpu_target_check(cpu, d->target, why, sizeof why)) {
		T_SKIP("%s: %s", d->name, why);
		return;
	}
	{
		for (int si = 0; si < nn; si++) {
			int n = ns[si];
			if (n % tr->block_elems)
				continue;
			for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++) {
				int nr = rows[ri];
				size_t rb = ev_type_row_bytes(d->type, n);
				float *x = malloc(sizeof(float) * (size_t)n * nr), *a = malloc(sizeof(float) * (size_t)n);
				unsigned char *w = malloc(rb * (size_t)nr + 1);
				void *act = malloc(ev_act_bytes(tr->act, n));
				float out[16], mag;
				for (int i = 0; i < n * nr; i++)
					x[i] = frand();
				for (int i = 0; i < n; i++)
					a[i] = frand();
				for (int r = 0; r < nr; r++)
					tr->from_float(x + (size_t)r * n, w + (size_t)r * rb, n);
				ev_act_quantize(tr->act, a, act, n);
				{
					/* plain copy for the reference, kernel layout for the kernel */
					unsigned char *plain = malloc(rb * (size_t)nr + 1);
					memcpy(plain, w, rb * (size_t)nr);
					if (d->repack4) {
						unsigned char *scratch = malloc(4 * rb);
						int full = nr / 4 * 4;
						for (int g = 0; g + 4 <= nr; g += 4)
							d->repack4(w + (size_t)g * rb, n, scratch);
						for (int r = 0; r < full; r++) {
							d->unpack_row(w + (size_t)(r & ~3) * rb, n, r & 3, scratch);
							T_CHECK(!memcmp(scratch, plain + (size_t)r * rb, rb),
								"%s: unpack of row %d", d->name, r);
						}
						/* rows past the last full group stay plain */
						T_CHECK(!memcmp(w + (size_t)full * rb, plain + (size_t)full * rb,
								rb * (size_t)(nr - full)),
							"%s: rows %d..%d of %d must stay plain", d->name, full,
							nr - 1, nr);
						free(scratch);
					}
					d->rows(n, w, rb, nr, act, out);
					memcpy(w, plain, rb * (size_t)nr);
					free(plain);
				}
				for (int r = 0; r < nr; r++) {
					float want = tr->dot_ref(n, w + (size_t)r * rb, act);
					mag = 0;
					for (int i = 0; i < n; i++)
						mag += fabsf(x[(size_t)r * n + i] * a[i]);
					T_CHECK(fabsf(out[r] - want) <= (2e-5f + d->tol) * mag + 1e-6f,
						"%s n=%d rows=%d row %d: %g vs ref %g", d->name, n, nr, r,
						out[r], want);
				}
				free(x);
				free(a);
				free(w);
				free(act);
			}
		}
	}
}

/* q8_0's extreme: a foreign file's weights may be -128 (eaves' quantizer
 * writes -127..127, llama.cpp's too, but the format holds -128), against
 * activations at -127: a kernel that keeps more products in a 16-bit lane
 * than 32767 allows wraps around here. */
static void test_q8_extreme(const struct ev_cpu *cpu, const struct ev_dot_impl *d)
{
	enum { N = 256, NR = 5 };
	size_t rb = ev_type_row_bytes(EV_TYPE_Q8_0, N);
	unsigned char *w = malloc(rb * NR), *plain = malloc(rb * NR), *scratch = malloc(4 * rb);
	void *act = malloc(ev_act_bytes(ev_types[EV_TYPE_Q8_0].act, N));
	float a[N], out[NR];
	char why[256];
	if (cpu_target_check(cpu, d->target, why, sizeof why)) {
		T_SKIP("%s: %s", d->name, why);
		goto out;
	}
	for (int i = 0; i < N; i++)
		a[i] = -1.0f;
	ev_act_quantize(ev_types[EV_TYPE_Q8_0].act, a, act, N);
	for (int r = 0; r < NR; r++)
		for (int b = 0; b < N / 32; b++) {
			struct block_q8_0 *x = (struct block_q8_0 *)(void *)(w + (size_t)r * rb) + b;
			x->d = ev_f32_to_fp16(1.0f + r);
			memset(x->qs, 0x80, sizeof x->qs);
		}
	memcpy(plain, w, rb * NR);
	if (d->repack4)
		d->repack4(w, N, scratch);
	d->rows(N, w, rb, NR, act, out);
	for (int r = 0; r < NR; r++) {
		float want = ev_types[EV_TYPE_Q8_0].dot_ref(N, plain + (size_t)r * rb, act);
		T_CHECK(want > 0 && fabsf(out[r] - want) <= 1e-5f * want, "%s row %d: %g vs ref %g", d->name, r,
			out[r], want);
	}
out:
	free(w);
	free(plain);
	free(scratch);
	free(act);
}

/* The multi-token path (prefill): every token's outputs against the scalar
 * reference, on the kernel's own layout; odd row counts (a last partial group
 * of plain rows), token counts over EV_GEMM_TOKENS (ev_dot_gemm groups them),
 * output and activation strides that are not the row count. Kernels without a
 * gemm run through ev_dot_gemm's token loop, which is checked too. */
static void test_gemm(const struct ev_cpu *cpu, const struct ev_dot_impl *d)
{
	static const int qn[] = {32, 96, 256, 4128}, fn[] = {7, 33, 257, 1000};
	static const int rows[] = {1, 3, 4, 5, 8, 11}, nts[] = {1, 2, 3, 4, 5, 9};
	const struct ev_type_traits *tr = &ev_types[d->type];
	const int *ns = tr->block_elems > 1 ? qn : fn;
	char why[256];
	if (cpu_target_check(cpu, d->target, why, sizeof why)) {
		T_SKIP("%s: %s", d->name, why);
		return;
	}
	for (int si = 0; si < 4; si++) {
		int n = ns[si];
		size_t rb = ev_type_row_bytes(d->type, n), ab = (ev_act_bytes(tr->act, n) + 63) & ~(size_t)63;
		if (n % tr->block_elems)
			continue;
		for (size_t ri = 0; ri < sizeof rows / sizeof rows[0]; ri++)
			for (size_t ti = 0; ti < sizeof nts / sizeof nts[0]; ti++) {
				int nr = rows[ri], nt = nts[ti];
				size_t ostride = (size_t)nr + 3;
				float *x = malloc(sizeof(float) * (size_t)n * nr), *a = malloc(sizeof(float) * (size_t)n * nt);
				unsigned char *w = malloc(rb * (size_t)nr), *plain = malloc(rb * (size_t)nr);
				unsigned char *scratch = malloc(4 * rb);
				char *act = aligned_alloc(64, ab * (size_t)nt);
				float *out = calloc(ostride * (size_t)nt, sizeof(float));
				for (int i = 0; i < n * nr; i++)
					x[i] = frand();
				for (int i = 0; i < n * nt; i++)
					a[i] = frand();
				for (int r = 0; r < nr; r++)
					tr->from_float(x + (size_t)r * n, plain + (size_t)r * rb, n);
				for (int t = 0; t < nt; t++)
					ev_act_quantize(tr->act, a + (size_t)t * n, act + (size_t)t * ab, n);
				memcpy(w, plain, rb * (size_t)nr);
				if (d->repack4)
					for (int g = 0; g + 4 <= nr; g += 4)
						d->repack4(w + (size_t)g * rb, n, scratch);
				ev_dot_gemm(d, n, w, rb, nr, act, ab, nt, out, ostride);
				for (int t = 0; t < nt; t++)
					for (int r = 0; r < nr; r++) {
						float want = tr->dot_ref(n, plain + (size_t)r * rb, act + (size_t)t * ab);
						float mag = 0, got = out[(size_t)t * ostride + (size_t)r];
						for (int i = 0; i < n; i++)
							mag += fabsf(x[(size_t)r * n + i] * a[(size_t)t * n + i]);
						T_CHECK(fabsf(got - want) <= (2e-5f + d->tol) * mag + 1e-6f,
							"%s gemm n=%d rows=%d tokens=%d: token %d row %d: %g vs ref %g",
							d->name, n, nr, nt, t, r, got, want);
					}
				free(x);
				free(a);
				free(w);
				free(plain);
				free(scratch);
				free(act);
				free(out);
			}
	}
}

/* Every type has a generic implementation, the last of its rows. */
static void test_impl_table(void)
{
	int nimpl;
	const struct ev_dot_impl *impls = ev_dot_all(&nimpl);
	for (int t = 0; t < EV_TYPE__COUNT; t++) {
		int last = -1;
		for (int k = 0; k < nimpl; k++)
			if (impls[k].type == t)
				last = k;
		T_CHECK(last >= 0 && impls[last].target == EV_TARGET_GENERIC,
			"%s: the generic kernel closes its list", ev_types[t].name);
	}
}

/* Grouped-query attention: G heads sharing one K/V head, against the generic
 * kernels (and those against a plain double loop); odd position counts, head
 * sizes that are not a vector multiple, more than 8 heads (two passes). */
static void check_gqa(const struct ev_attn_impl *ai)
{
	static const int ns[] = {1, 7, 17, 100, 333}, hds[] = {64, 80}, Gs[] = {1, 3, 8, 12};
	enum { NMAX = 333, HDMAX = 80, GMAX = 12, CAP = 352 }; /* CAP: whole K blocks */
	/* K in position blocks (ev_kv_index) with a block stride wider than one
	 * head's, as the decoder's K holds every KV head of a layer */
	const size_t bs = (size_t)(HDMAX + 8) * EV_KV_BLOCK;
	static ev_fp16 kT[(HDMAX + 8) * CAP], v[CAP * HDMAX];
	static float q[GMAX * HDMAX], s1[GMAX * NMAX], s2[GMAX * NMAX], o1[GMAX * HDMAX], o2[GMAX * HDMAX];
	for (int i = 0; i < (HDMAX + 8) * CAP; i++)
		kT[i] = ev_f32_to_fp16(frand());
	for (int i = 0; i < HDMAX * CAP; i++)
		v[i] = ev_f32_to_fp16(frand());
	for (int i = 0; i < GMAX * HDMAX; i++)
		q[i] = frand();
	for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
		for (size_t b = 0; b < sizeof hds / sizeof hds[0]; b++)
			for (size_t c = 0; c < sizeof Gs / sizeof Gs[0]; c++) {
				int n = ns[a], hd = hds[b], G = Gs[c], bad = 0;
				ai->gqa_scores(n, hd, G, q, kT, bs, s1);
				ev_gqa_scores_generic(n, hd, G, q, kT, bs, s2);
				for (int g = 0; g < G; g++)
					for (int t = 0; t < n; t++) {
						double ref = 0;
						for (int d = 0; d < hd; d++)
							ref += (double)q[g * hd + d] * ev_fp16_to_f32(kT[ev_kv_index(d, t, bs)]);
						bad += fabs(s1[g * n + t] - ref) > 1e-4 * (1 + fabs(ref)) ||
						       fabsf(s1[g * n + t] - s2[g * n + t]) > 1e-4f;
					}
				T_CHECK(!bad, "%s gqa scores n=%d hd=%d G=%d: %d wrong", ai->name, n, hd, G, bad);
				ai->gqa_values(n, hd, G, s2, v, HDMAX, o1);
				ev_gqa_values_generic(n, hd, G, s2, v, HDMAX, o2);
				for (int g = 0; g < G; g++)
					for (int d = 0; d < hd; d++) {
						double ref = 0;
						for (int t = 0; t < n; t++)
							ref += (double)s2[g * n + t] * ev_fp16_to_f32(v[t * HDMAX + d]);
						bad += fabs(o1[g * hd + d] - ref) > 1e-3 * (1 + fabs(ref)) ||
						       fabsf(o1[g * hd + d] - o2[g * hd + d]) > 1e-3f * (1 + fabsf(o2[g * hd + d]));
					}
				T_CHECK(!bad, "%s gqa values n=%d hd=%d G=%d: %d wrong", ai->name, n, hd, G, bad);
			}
}

/* One attention implementation against the generic axpy and softmax. */
static void test_attn(const struct ev_cpu *cpu, const struct ev_attn_impl *ai)
{
	static float x[1000], y[1000];
	static ev_fp16 v[40 * 300];
	float s[40], o1[300], o2[300];
	ev_softmax_fn sm = ai->softmax;
	ev_axpy_f16_fn ax = ai->axpy;
	char why[256];
	if (cpu_target_check(cpu, ai->target, why, sizeof why)) {
		T_SKIP("attention %s: %s", ai->name, why);
		return;
	}
	for (int n = 1; n <= 1000; n = n * 3 + 1) {
		double sum = 0;
		for (int i = 0; i < n; i++)
			x[i] = y[i] = frand() * 40;
		sm(x, n, 0.125f);
		ev_softmax_generic(y, n, 0.125f);
		for (int i = 0; i < n; i++) {
			T_CHECK(fabsf(x[i] - y[i]) <= 1e-6f + 2e-6f * y[i], "softmax n=%d i=%d: %g vs %g", n,
				i, x[i], y[i]);
			sum += x[i];
		}
		T_CHECK(fabs(sum - 1) < 1e-5, "softmax sums to %g", sum);
	}
	/* q8_0 activations: bit for bit the generic quantizer's, on ranges of a
	 * vector, with a zero block and a block of tiny values (subnormal scale) */
	{
		enum { N = 320 };
		static float a[N];
		static unsigned char g1[4096], g2[4096];
		for (int i = 0; i < N; i++)
			a[i] = i < 32 ? 0 : i < 64 ? frand() * 1e-6f : frand() * (float)(i % 5 + 1);
		memset(g1, 0x5a, sizeof g1);
		memset(g2, 0x5a, sizeof g2);
		ai->act_q8_0(a, g1, N, 0, N);
		ev_act_q8_0_generic(a, g2, N, 0, N);
		T_CHECK(!memcmp(g1, g2, ev_act_bytes(EV_ACT_Q8_0, N)), "%s: q8_0 activations differ",
			ai->name);
		memset(g1, 0x5a, sizeof g1);
		memset(g2, 0x5a, sizeof g2);
		ai->act_q8_0(a, g1, N, 64, 160);
		ev_act_q8_0_generic(a, g2, N, 64, 160);
		T_CHECK(!memcmp(g1, g2, ev_act_bytes(EV_ACT_Q8_0, N)), "%s: a range differs", ai->name);
	}
	/* SwiGLU: against libm's expf, inputs past where e^-x overflows included */
	for (int n = 1; n <= 1000; n = n * 3 + 1) {
		for (int i = 0; i < n; i++) {
			x[i] = y[i] = frand() * (i % 7 ? 12 : 120);
			s[i % 40] = frand();
		}
		ai->silu_mul(x, x, n);
		ev_silu_mul_generic(y, y, n);
		for (int i = 0; i < n; i++)
			T_CHECK(fabsf(x[i] - y[i]) <= 1e-6f + 4e-6f * fabsf(y[i]), "silu n=%d i=%d: %g vs %g",
				n, i, x[i], y[i]);
	}
	for (int i = 0; i < 40 * 300; i++)
		v[i] = ev_f32_to_fp16(frand());
	for (int i = 0; i < 40; i++)
		s[i] = frand();
	for (int n = 1; n <= 300; n += 37) {
		for (int d = 0; d < n; d++)
			o1[d] = o2[d] = 0.5f;
		ax(n, v, 300, 40, s, o1);
		ev_axpy_f16_generic(n, v, 300, 40, s, o2);
		for (int d = 0; d < n; d++)
			T_CHECK(fabsf(o1[d] - o2[d]) <= 1e-5f, "axpy n=%d d=%d: %g vs %g", n, d, o1[d], o2[d]);
	}
	check_gqa(ai);
}

int main(void)
{
	struct ev_cpu cpu;
	int n;
	const struct ev_dot_impl *impls = ev_dot_all(&n);
	const struct ev_attn_impl *attn;
	t_prog = "test-quant";
	cpu_detect(&cpu);
	T_RUN(test_traits);
	T_RUN(test_halves);
	T_RUN(test_round_trips);
	T_RUN(test_kquant_blocks);
	T_RUN(test_kquant_round_trips);
	T_RUN(test_legacy_blocks);
	T_RUN(test_ref_vs_double);
	T_RUN(test_impl_table);
	for (int k = 0; k < n; k++) {
		char name[80];
		snprintf(name, sizeof name, "test_dot %s", impls[k].name);
		T_RUN_NAMED(name, test_impl(&cpu, &impls[k]));
		if (impls[k].type == EV_TYPE_Q8_0) {
			snprintf(name, sizeof name, "test_q8_extreme %s", impls[k].name);
			T_RUN_NAMED(name, test_q8_extreme(&cpu, &impls[k]));
		}
		if (impls[k].gemm || impls[k].target == EV_TARGET_GENERIC) {
			snprintf(name, sizeof name, "test_gemm %s", impls[k].name);
			T_RUN_NAMED(name, test_gemm(&cpu, &impls[k]));
		}
	}
	attn = ev_attn_all(&n);
	for (int k = 0; k < n; k++) {
		char name[80];
		snprintf(name, sizeof name, "test_attention %s", attn[k].name);
		T_RUN_NAMED(name, test_attn(&cpu, &attn[k]));
	}
	T_DONE();
}
