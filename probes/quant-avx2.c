/* probes/quant-avx2.c: dot products of weight rows with activations on AVX2 +
 * FMA + F16C. Integer paths use the sign trick (|x| as unsigned times y with x's
 * sign, vpmaddubsw + vpmaddwd): exact in int32 for q4_0 (|x| <= 8) and q8_0
 * (|x| <= 128, pairs <= 32512 < 32767). Two rows at a time share the
 * activation loads. */
#include <immintrin.h>
#include <string.h>

#include "quant.h"
#include "quant-x86.h"
#include "gemm-tile.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_avx2);

static inline float h2f(ev_fp16 h)
{
	return _cvtsh_ss(h);
}

/* 32 nibbles -> 32 signed bytes in [-8, 7], in q4_0 order (low nibbles first). */
static inline __m256i q4_bytes(const uint8_t *qs)
{
	__m128i t = _mm_loadu_si128((const __m128i *)qs);
	__m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
	return _mm256_sub_epi8(_mm256_and_si256(b, _mm256_set1_epi8(0x0f)), _mm256_set1_epi8(8));
}

static inline __m256 dot_i8(__m256i x, __m256i y)
{
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
	return _mm256_cvtepi32_ps(_mm256_madd_epi16(p, ones));
}

void dot_rows_q4_0_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	int nb = n / QK, r = 0;
	for (; r + 2 <= nr; r += 2) {
		const struct block_q4_0 *x0 = (const void *)((const char *)w + (size_t)r * rb);
		const struct block_q4_0 *x1 = (const void *)((const char *)w + (size_t)(r + 1) * rb);
		__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
		for (int i = 0; i < nb; i++) {
			__m256i yv = _mm256_loadu_si256((const __m256i *)y[i].qs);
			float dy = h2f(y[i].d);
			a0 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x0[i].d) * dy), dot_i8(q4_bytes(x0[i].qs), yv), a0);
			a1 = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x1[i].d) * dy), dot_i8(q4_bytes(x1[i].qs), yv), a1);
		}
		out[r] = hsum8(a0);
		out[r + 1] = hsum8(a1);
	}
	for (; r < nr; r++) {
		const struct block_q4_0 *x = (const void *)((const char *)w + (size_t)r * rb);
		__m256 a = _mm256_setzero_ps();
		for (int i = 0; i < nb; i++)
			a = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x[i].d) * h2f(y[i].d)),
					    dot_i8(q4_bytes(x[i].qs),
						   _mm256_loadu_si256((const __m256i *)y[i].qs)),
					    a);
		out[r] = hsum8(a);
	}
}

void dot_rows_q8_0_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	int nb = n / QK;
	for (int r = 0; r < nr; r++) {
		const struct block_q8_0 *x = (const void *)((const char *)w + (size_t)r * rb);
		__m256 a = _mm256_setzero_ps();
		for (int i = 0; i < nb; i++)
			a = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x[i].d) * h2f(y[i].d)),
					    dot_i8(_mm256_loadu_si256((const __m256i *)x[i].qs),
						   _mm256_loadu_si256((const __m256i *)y[i].qs)),
					    a);
		out[r] = hsum8(a);
	}
}

#define FLOAT_ROWS(name, ET, LOAD8)                                                          \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)     \
	{                                                                                    \
		const float *y = act;                                                        \
		for (int r = 0; r < nr; r++) {                                               \
			const ET *x = (const void *)((const char *)w + (size_t)r * rb);      \
			__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;          \
			float t = 0;                                                         \
			int i = 0;                                                           \
			for (; i + 32 <= n; i += 32) {                                       \
				EV_PREFETCH_STREAM(x + i);                                   \
				a0 = _mm256_fmadd_ps(LOAD8(x + i), _mm256_loadu_ps(y + i), a0); \
				a1 = _mm256_fmadd_ps(LOAD8(x + i + 8), _mm256_loadu_ps(y + i + 8), a1); \
				a2 = _mm256_fmadd_ps(LOAD8(x + i + 16), _mm256_loadu_ps(y + i + 16), a2); \
				a3 = _mm256_fmadd_ps(LOAD8(x + i + 24), _mm256_loadu_ps(y + i + 24), a3); \
			}                                                                    \
			for (; i + 8 <= n; i += 8)                                           \
				a0 = _mm256_fmadd_ps(LOAD8(x + i), _mm256_loadu_ps(y + i), a0); \
			for (; i < n; i++) {                                                 \
				float xv;                                                    \
				xv = SCALAR(x[i]);                                           \
				t += xv * y[i];                                              \
			}                                                                    \
			out[r] = hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3))) + t; \
		}                                                                            \
	}

#define LOAD_F16(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
#define LOAD_BF16(p)                                                                         \
	_mm256_castsi256_ps(_mm256_slli_epi32(                                               \
		_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(p))), 16))
#define LOAD_F32(p) _mm256_loadu_ps(p)

#define SCALAR(v) ev_fp16_to_f32(v)
FLOAT_ROWS(dot_rows_f16_avx2, ev_fp16, LOAD_F16)
#undef SCALAR
#define SCALAR(v) ev_bf16_to_f32(v)
FLOAT_ROWS(dot_rows_bf16_avx2, ev_bf16, LOAD_BF16)
#undef SCALAR
#define SCALAR(v) (v)
FLOAT_ROWS(dot_rows_f32_avx2, float, LOAD_F32)
#undef SCALAR

void ev_axpy_f16_avx2(int n, const ev_fp16 *v, size_t stride, int nr, const float *s, float *out)
{
	int d = 0;
	for (; d + 8 <= n; d += 8) {
		__m256 acc = _mm256_loadu_ps(out + d);
		for (int r = 0; r < nr; r++)
			acc = _mm256_fmadd_ps(_mm256_set1_ps(s[r]),
					      _mm256_cvtph_ps(_mm_loadu_si128(
						      (const __m128i *)(v + (size_t)r * stride + (size_t)d))),
					      acc);
		_mm256_storeu_ps(out + d, acc);
	}
	for (; d < n; d++)
		for (int r = 0; r < nr; r++)
			out[d] += s[r] * _cvtsh_ss(v[(size_t)r * stride + (size_t)d]);
}

/* e^x for x in [-88, 88]: x = k ln2 + r, |r| <= ln2/2, e^r by a degree-6
 * Taylor polynomial (relative error < 2e-7), 2^k built in the exponent bits. */
static inline __m256 exp_avx2(__m256 x)
{
	const __m256 log2e = _mm256_set1_ps(1.44269504f), ln2 = _mm256_set1_ps(0.693147181f);
	__m256 k, r, p;
	x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
	k = _mm256_round_ps(_mm256_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	r = _mm256_fnmadd_ps(k, ln2, x);
	p = _mm256_set1_ps(1.0f / 720);
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
	return _mm256_mul_ps(p, _mm256_castsi256_ps(_mm256_slli_epi32(
					_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23)));
}

void ev_silu_mul_avx2(float *g, const float *u, int n)
{
	const __m256 one = _mm256_set1_ps(1.0f);
	int i = 0;
	for (; i + 8 <= n; i += 8) {
		__m256 x = _mm256_loadu_ps(g + i);
		__m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x));
		_mm256_storeu_ps(g + i, _mm256_mul_ps(_mm256_div_ps(x, _mm256_add_ps(one, e)),
						      _mm256_loadu_ps(u + i)));
	}
	ev_silu_mul_generic(g + i, u + i, n - i);
}

/* q8_0 activations a block at a time: |x| max by and-not of the sign, the
 * scale's fp16 by vcvtps2ph (round to nearest even, as ev_f32_to_fp16), the
 * quants by vcvtps2dq (the current rounding mode, nearest even: lrintf's), then
 * packed to bytes; the block sum and the float scale as the generic one. */
void ev_act_q8_0_avx2(const float *x, void *act, int64_t n, int64_t i0, int64_t i1)
{
	struct block_q8_0 *b = act;
	float *sums = (float *)ev_act_q8_sums(act, n), *ds = (float *)ev_act_q8_scales(act, n);
	const __m256 sign = _mm256_set1_ps(-0.0f);
	const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
	for (int64_t i = i0 / QK; i < i1 / QK; i++) {
		const float *s = x + i * QK;
		__m256 v0 = _mm256_loadu_ps(s), v1 = _mm256_loadu_ps(s + 8);
		__m256 v2 = _mm256_loadu_ps(s + 16), v3 = _mm256_loadu_ps(s + 24);
		__m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
					 _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
		__m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
		float amax, sc, inv;
		h = _mm_max_ps(h, _mm_movehl_ps(h, h));
		h = _mm_max_ss(h, _mm_movehdup_ps(h));
		amax = _mm_cvtss_f32(h);
		sc = amax / 127.0f;
		inv = sc != 0 ? 1.0f / sc : 0;
		b[i].d = (ev_fp16)_cvtss_sh(sc, _MM_FROUND_TO_NEAREST_INT);
		{
			__m256 iv = _mm256_set1_ps(inv);
			__m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, iv));
			__m256i q1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, iv));
			__m256i q2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, iv));
			__m256i q3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, iv));
			/* packs work per 128-bit lane: the permute puts the 8 groups of 4 back in order */
			__m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q0, q1), _mm256_packs_epi32(q2, q3));
			__m256i qv = _mm256_permutevar8x32_epi32(p, order);
			__m256i s16 = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), qv),
							_mm256_set1_epi16(1));
			__m128i t = _mm_add_epi32(_mm256_castsi256_si128(s16), _mm256_extracti128_si256(s16, 1));
			_mm256_storeu_si256((__m256i *)b[i].qs, qv);
			t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(1, 0, 3, 2)));
			t = _mm_add_epi32(t, _mm_shuffle_epi32(t, _MM_SHUFFLE(2, 3, 0, 1)));
			ds[i] = _cvtsh_ss(b[i].d);
			sums[i] = ds[i] * (float)_mm_cvtsi128_si32(t);
		}
	}
}

/* ---- 4 rows interleaved (q4_0x4, q8_0x4: the layouts of quant.c) ----
 * One block index of 4 rows is read as one sequential stream. q4_0 weights go
 * in unsigned (nibbles 0..15) so vpmaddubsw needs no sign trick: products are
 * at most 15 x 127 x 2 = 3810 per pair, and a block's two halves add to 7620,
 * within int16. The -8 offset is taken back at the end with the activation
 * block sums (ev_act_q8_sums): sum((q - 8) y d) = sum(q y) d - 8 d sum(y).
 * The 4 scales are converted together (vcvtph2ps) and spread to their rows'
 * lanes with one permute: no per-block scalar conversion. */
static inline __m256 scales4(const void *p, float dy, __m256i spread)
{
	__m128 dx = _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)p));
	return _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_mul_ps(dx, _mm_set1_ps(dy))), spread);
}

/* Sum the 4 rows' lanes: acc01 holds rows 0 (low half) and 1 (high half),
 * acc23 rows 2 and 3. */
static inline __m128 sum4(__m256 acc01, __m256 acc23)
{
	__m256 h = _mm256_hadd_ps(acc01, acc23);  /* r0 r0 r2 r2 | r1 r1 r3 r3 */
	h = _mm256_hadd_ps(h, h);                 /* r0 r2 r0 r2 | r1 r3 r1 r3 */
	__m128 lo = _mm256_castps256_ps128(h), hi = _mm256_extractf128_ps(h, 1);
	return _mm_unpacklo_ps(lo, hi);           /* r0 r1 r2 r3 */
}

void dot_rows_q4_0x4_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n);
	const __m256i m4 = _mm256_set1_epi8(0x0f), ones = _mm256_set1_epi16(1);
	const __m256i lo2 = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
	const __m256i hi2 = _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3);
	int nb = n / QK, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		__m256 a01 = _mm256_setzero_ps(), a23 = _mm256_setzero_ps();
		__m128 corr = _mm_setzero_ps();
		for (int b = 0; b < nb; b++, p += EV_Q4_0X4_GROUP_BYTES) {
			EV_PREFETCH_STREAM(p);
			__m256i q01 = _mm256_loadu_si256((const __m256i *)(p + 8));
			__m256i q23 = _mm256_loadu_si256((const __m256i *)(p + 8 + 32));
			__m256i ylo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)y[b].qs));
			__m256i yhi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(y[b].qs + 16)));
			__m256i s01 = _mm256_add_epi16(
				_mm256_maddubs_epi16(_mm256_and_si256(q01, m4), ylo),
				_mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q01, 4), m4), yhi));
			__m256i s23 = _mm256_add_epi16(
				_mm256_maddubs_epi16(_mm256_and_si256(q23, m4), ylo),
				_mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q23, 4), m4), yhi));
			__m128 dx = _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)p));
			__m256 d = _mm256_castps128_ps256(_mm_mul_ps(dx, _mm_set1_ps(_cvtsh_ss(y[b].d))));
			corr = _mm_fmadd_ps(dx, _mm_set1_ps(ys[b]), corr);
			a01 = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(d, lo2),
					      _mm256_cvtepi32_ps(_mm256_madd_epi16(s01, ones)), a01);
			a23 = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(d, hi2),
					      _mm256_cvtepi32_ps(_mm256_madd_epi16(s23, ones)), a23);
		}
		_mm_storeu_ps(out + g, _mm_fnmadd_ps(_mm_set1_ps(8), corr, sum4(a01, a23)));
	}
	if (g < nr)
		dot_rows_q4_0_avx2(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* q8_0x4: weights are signed, so the sign trick (|x| as unsigned, y with x's
 * sign); a pair of products is at most 2 x 127 x 127 = 32258 < 32767. The 4
 * rows' int32 partial sums are folded into one vector (r0 r0 r1 r1 | r2 r2 r3
 * r3) so each block costs one conversion and one FMA for all 4 rows. */
static inline __m256i dot_q8(__m256i x, __m256i y, __m256i ones)
{
	return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x)), ones);
}

void dot_rows_q8_0x4_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const __m256i ones = _mm256_set1_epi16(1);
	const __m256i spread = _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
	int nb = n / QK, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		__m256 acc = _mm256_setzero_ps();
		__m128 lo, hi;
		for (int b = 0; b < nb; b++, p += EV_Q8_0X4_GROUP_BYTES) {
			EV_PREFETCH_STREAM(p);
			EV_PREFETCH_STREAM(p + 64);
			__m256i yv = _mm256_loadu_si256((const __m256i *)y[b].qs);
			__m256i m0 = dot_q8(_mm256_loadu_si256((const __m256i *)(p + 8)), yv, ones);
			__m256i m1 = dot_q8(_mm256_loadu_si256((const __m256i *)(p + 8 + QK)), yv, ones);
			__m256i m2 = dot_q8(_mm256_loadu_si256((const __m256i *)(p + 8 + 2 * QK)), yv, ones);
			__m256i m3 = dot_q8(_mm256_loadu_si256((const __m256i *)(p + 8 + 3 * QK)), yv, ones);
			__m256i h01 = _mm256_hadd_epi32(m0, m1), h23 = _mm256_hadd_epi32(m2, m3);
			__m256i f = _mm256_add_epi32(_mm256_permute2x128_si256(h01, h23, 0x20),
						     _mm256_permute2x128_si256(h01, h23, 0x31));
			acc = _mm256_fmadd_ps(scales4(p, _cvtsh_ss(y[b].d), spread), _mm256_cvtepi32_ps(f), acc);
		}
		lo = _mm256_castps256_ps128(acc);
		hi = _mm256_extractf128_ps(acc, 1);
		_mm_storeu_ps(out + g, _mm_hadd_ps(lo, hi)); /* r0 r1 r2 r3 */
	}
	if (g < nr)
		dot_rows_q8_0_avx2(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

#define VF __m256
#define W 8
#define VZERO() _mm256_setzero_ps()
#define VSET1(x) _mm256_set1_ps(x)
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VLOAD(p) _mm256_loadu_ps(p)
#define VSTORE(p, v) _mm256_storeu_ps(p, v)
#define VLOADH(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(p)))
#define NAME(x) ev_gqa_##x##_avx2
#define GQA_TWO 0
#include "gqa-simd.h"

/* ---- prefill: several tokens per weight load (ev_dot_gemm_fn) ----
 * The weights of one block index are loaded and unpacked, and their scales
 * converted, once; each of up to EV_GEMM_TOKENS tokens then costs only its
 * multiplies. NT is a compile-time constant in each instance, so the per-token
 * accumulators stay in registers. */

GEMM_INLINE void q4_0x4_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act, size_t astride,
				 const int NT, float *out, size_t ostride)
{
	(void)rb;
	const __m256i m4 = _mm256_set1_epi8(0x0f), ones = _mm256_set1_epi16(1);
	const __m256i spread = _mm256_setr_epi32(0, 0, 2, 2, 1, 1, 3, 3);
	int nb = n / QK;
	__m256 acc[EV_GEMM_TOKENS];
	const unsigned char *p = g;
	GEMM_Q8_ACTS(NT)
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		acc[t] = _mm256_setzero_ps();
	for (int b = 0; b < nb; b++, p += EV_Q4_0X4_GROUP_BYTES) {
		EV_MCA_BEGIN_N("q4_0x4_gemm_avx2", NT);
		__m256i q01 = _mm256_loadu_si256((const __m256i *)(p + 8));
		__m256i q23 = _mm256_loadu_si256((const __m256i *)(p + 8 + 32));
		__m256i l01 = _mm256_and_si256(q01, m4), h01 = _mm256_and_si256(_mm256_srli_epi16(q01, 4), m4);
		__m256i l23 = _mm256_and_si256(q23, m4), h23 = _mm256_and_si256(_mm256_srli_epi16(q23, 4), m4);
		/* lanes r0 r0 r2 r2 | r1 r1 r3 r3, as the hadd below leaves the sums */
		__m256 dsp = _mm256_permutevar8x32_ps(
			_mm256_castps128_ps256(_mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)p))), spread);
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			const int8_t *yq = y[t][b].qs;
			__m256i ylo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)yq));
			__m256i yhi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(yq + 16)));
			__m256i s01 = _mm256_add_epi16(_mm256_maddubs_epi16(l01, ylo), _mm256_maddubs_epi16(h01, yhi));
			__m256i s23 = _mm256_add_epi16(_mm256_maddubs_epi16(l23, ylo), _mm256_maddubs_epi16(h23, yhi));
			__m256i f = _mm256_hadd_epi32(_mm256_madd_epi16(s01, ones), _mm256_madd_epi16(s23, ones));
			acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dsp, _mm256_broadcast_ss(ds[t] + b)),
						 _mm256_cvtepi32_ps(f), acc[t]);
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++) {
		__m128 h = _mm_hadd_ps(_mm256_castps256_ps128(acc[t]), _mm256_extractf128_ps(acc[t], 1));
		h = _mm_shuffle_ps(h, h, _MM_SHUFFLE(3, 1, 2, 0)); /* r0 r2 r1 r3 -> r0 r1 r2 r3 */
		__m128 c = ev_x4_corr(g, EV_Q4_0X4_GROUP_BYTES, nb, ev_act_q8_sums(y[t], n));
		_mm_storeu_ps(out + (size_t)t * ostride, _mm_fnmadd_ps(_mm_set1_ps(8), c, h));
	}
}


GEMM_ROWS(gemm_q4_0x4_avx2, q4_0x4_gemm_nt, 4, dot_rows_q4_0_avx2)

/* q8_0x4: the sign trick per token (weights are signed), |x| once per block.
 * hadd(hadd(m0, m1), hadd(m2, m3)) leaves r0 r1 r2 r3 | r0 r1 r2 r3 (each half
 * a partial sum), so one conversion and one FMA per token serve 4 rows. */
GEMM_INLINE void q8_0x4_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act, size_t astride,
				 const int NT, float *out, size_t ostride)
{
	(void)rb;
	const __m256i ones = _mm256_set1_epi16(1);
	int nb = n / QK;
	__m256 acc[EV_GEMM_TOKENS];
	const unsigned char *p = g;
	GEMM_Q8_ACTS(NT)
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		acc[t] = _mm256_setzero_ps();
	for (int b = 0; b < nb; b++, p += EV_Q8_0X4_GROUP_BYTES) {
		EV_MCA_BEGIN_N("q8_0x4_gemm_avx2", NT);
		const __m256i *x = (const __m256i *)(p + 8);
		__m256i x0 = _mm256_loadu_si256(x), x1 = _mm256_loadu_si256(x + 1);
		__m256i x2 = _mm256_loadu_si256(x + 2), x3 = _mm256_loadu_si256(x + 3);
		__m256i a0 = _mm256_abs_epi8(x0), a1 = _mm256_abs_epi8(x1);
		__m256i a2 = _mm256_abs_epi8(x2), a3 = _mm256_abs_epi8(x3);
		__m128 dx = _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)p));
		__m256 d2 = _mm256_set_m128(dx, dx);
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			__m256i yv = _mm256_loadu_si256((const __m256i *)y[t][b].qs);
			__m256i m0 = _mm256_madd_epi16(_mm256_maddubs_epi16(a0, _mm256_sign_epi8(yv, x0)), ones);
			__m256i m1 = _mm256_madd_epi16(_mm256_maddubs_epi16(a1, _mm256_sign_epi8(yv, x1)), ones);
			__m256i m2 = _mm256_madd_epi16(_mm256_maddubs_epi16(a2, _mm256_sign_epi8(yv, x2)), ones);
			__m256i m3 = _mm256_madd_epi16(_mm256_maddubs_epi16(a3, _mm256_sign_epi8(yv, x3)), ones);
			__m256i f = _mm256_hadd_epi32(_mm256_hadd_epi32(m0, m1), _mm256_hadd_epi32(m2, m3));
			acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d2, _mm256_broadcast_ss(ds[t] + b)),
						 _mm256_cvtepi32_ps(f), acc[t]);
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		_mm_storeu_ps(out + (size_t)t * ostride,
			      _mm_add_ps(_mm256_castps256_ps128(acc[t]), _mm256_extractf128_ps(acc[t], 1)));
}

GEMM_ROWS(gemm_q8_0x4_avx2, q8_0x4_gemm_nt, 4, dot_rows_q8_0_avx2)

/* f16: 2 rows x NT tokens; each 8 weights converted once, then one FMA per
 * token (8 accumulators at NT = 4 cover the FMA latency). */
GEMM_INLINE void f16_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
			      size_t astride, const int NT, float *out, size_t ostride)
{
	const ev_fp16 *x0 = (const void *)g, *x1 = (const void *)(g + rb);
	__m256 a0[EV_GEMM_TOKENS], a1[EV_GEMM_TOKENS];
	const float *y[EV_GEMM_TOKENS];
	int i = 0;
	GEMM_UNROLL
	for (int t = 0; t < NT; t++) {
		a0[t] = a1[t] = _mm256_setzero_ps();
		y[t] = (const float *)ACT_T(t);
	}
	for (; i + 8 <= n; i += 8) {
		EV_MCA_BEGIN_N("f16_gemm_avx2", NT);
		EV_PREFETCH_STREAM(x0 + i);
		EV_PREFETCH_STREAM(x1 + i);
		__m256 w0 = LOAD_F16(x0 + i), w1 = LOAD_F16(x1 + i);
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			__m256 yv = _mm256_loadu_ps(y[t] + i);
			a0[t] = _mm256_fmadd_ps(w0, yv, a0[t]);
			a1[t] = _mm256_fmadd_ps(w1, yv, a1[t]);
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++) {
		float s0 = hsum8(a0[t]), s1 = hsum8(a1[t]);
		for (int k = i; k < n; k++) {
			s0 += _cvtsh_ss(x0[k]) * y[t][k];
			s1 += _cvtsh_ss(x1[k]) * y[t][k];
		}
		out[(size_t)t * ostride] = s0;
		out[(size_t)t * ostride + 1] = s1;
	}
}

GEMM_ROWS(gemm_f16_avx2, f16_gemm_nt, 2, dot_rows_f16_avx2)
