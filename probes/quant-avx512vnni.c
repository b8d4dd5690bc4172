/* probes/quant-avx512vnni.c: q4_0 and q8_0 dot products with vpdpbusd
 * (AVX512-VNNI, on AVX-512 F/BW/VL/DQ). vpdpbusd multiplies unsigned by signed
 * bytes, so the weights go in unsigned (q4_0 nibbles 0..15; q8_0 shifted by
 * +128) and the shift is taken back with the activation block sums precomputed
 * once per vector: sum((q - 8) y) = sum(q y) - 8 sum(y). Four rows share each
 * activation load; the x4 kernels read 4 rows interleaved block by block. */
#include <immintrin.h>
#include <math.h>

#include "kernel-file.h"
#include "quant.h"
#include "quant-x86.h"
#include "gemm-tile.h"

EV_KERNEL_FILE(kf_quant_avx512vnni);

static inline __m256i q4_u8(const uint8_t *qs)
{
	__m128i t = _mm_loadu_si128((const __m128i *)qs);
	return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0x0f));
}

#define ROWPTR(T, r) ((const T *)(const void *)((const char *)w + (size_t)(r) * rb))

void dot_rows_q4_0_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n);
	const __m256i z = _mm256_setzero_si256();
	int nb = n / QK, r = 0;
	for (; r + 4 <= nr; r += 4) {
		const struct block_q4_0 *x0 = ROWPTR(struct block_q4_0, r), *x1 = ROWPTR(struct block_q4_0, r + 1);
		const struct block_q4_0 *x2 = ROWPTR(struct block_q4_0, r + 2), *x3 = ROWPTR(struct block_q4_0, r + 3);
		__m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
		__m128 c = _mm_setzero_ps();
		for (int i = 0; i < nb; i++) {
			__m256i yv = _mm256_loadu_si256((const __m256i *)y[i].qs);
			float dy = _cvtsh_ss(y[i].d);
			__m128 dx = _mm_cvtph_ps(_mm_setr_epi16((short)x0[i].d, (short)x1[i].d,
								(short)x2[i].d, (short)x3[i].d, 0, 0, 0, 0));
			__m128 dxy = _mm_mul_ps(dx, _mm_set1_ps(dy));
			c = _mm_fmadd_ps(dx, _mm_set1_ps(ys[i]), c);
			a0 = _mm256_fmadd_ps(_mm256_broadcastss_ps(dxy),
					     _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(z, q4_u8(x0[i].qs), yv)), a0);
			a1 = _mm256_fmadd_ps(_mm256_set1_ps(_mm_cvtss_f32(_mm_shuffle_ps(dxy, dxy, 1))),
					     _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(z, q4_u8(x1[i].qs), yv)), a1);
			a2 = _mm256_fmadd_ps(_mm256_set1_ps(_mm_cvtss_f32(_mm_shuffle_ps(dxy, dxy, 2))),
					     _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(z, q4_u8(x2[i].qs), yv)), a2);
			a3 = _mm256_fmadd_ps(_mm256_set1_ps(_mm_cvtss_f32(_mm_shuffle_ps(dxy, dxy, 3))),
					     _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(z, q4_u8(x3[i].qs), yv)), a3);
		}
		{
			float cc[4];
			_mm_storeu_ps(cc, c);
			out[r] = hsum8(a0) - 8 * cc[0];
			out[r + 1] = hsum8(a1) - 8 * cc[1];
			out[r + 2] = hsum8(a2) - 8 * cc[2];
			out[r + 3] = hsum8(a3) - 8 * cc[3];
		}
	}
	for (; r < nr; r++) {
		const struct block_q4_0 *x = ROWPTR(struct block_q4_0, r);
		__m256 a = _mm256_setzero_ps();
		float c = 0;
		for (int i = 0; i < nb; i++) {
			float dx = _cvtsh_ss(x[i].d);
			__m256i yv = _mm256_loadu_si256((const __m256i *)y[i].qs);
			c += dx * ys[i];
			a = _mm256_fmadd_ps(_mm256_set1_ps(dx * _cvtsh_ss(y[i].d)),
					    _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(z, q4_u8(x[i].qs), yv)), a);
		}
		out[r] = hsum8(a) - 8 * c;
	}
}

void dot_rows_q8_0_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n);
	const __m256i z = _mm256_setzero_si256(), off = _mm256_set1_epi8((char)0x80);
	int nb = n / QK;
	for (int r = 0; r < nr; r++) {
		const struct block_q8_0 *x = ROWPTR(struct block_q8_0, r);
		__m256 a = _mm256_setzero_ps();
		float c = 0;
		for (int i = 0; i < nb; i++) {
			float dx = _cvtsh_ss(x[i].d);
			__m256i xu = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)x[i].qs), off);
			__m256i yv = _mm256_loadu_si256((const __m256i *)y[i].qs);
			c += dx * ys[i];
			a = _mm256_fmadd_ps(_mm256_set1_ps(dx * _cvtsh_ss(y[i].d)),
					    _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(z, xu, yv)), a);
		}
		out[r] = hsum8(a) - 128 * c;
	}
}

/* q4_0x4: per block index, one 64-byte load brings the nibbles of 4 rows;
 * the activation block's low and high halves are broadcast to the four
 * 128-bit lanes; two vpdpbusd give 4 partial sums per row; the row scales are
 * spread to their lanes with one permute. Rows past the last group of 4 are
 * plain q4_0 rows (dot_rows_q4_0_avx512vnni). */
void dot_rows_q4_0x4_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n);
	const __m512i m4 = _mm512_set1_epi8(0x0f);
	const __m512i spread = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
	int nb = n / QK, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		__m512 acc = _mm512_setzero_ps();
		__m128 corr = _mm_setzero_ps();
		for (int b = 0; b < nb; b++, p += EV_Q4_0X4_GROUP_BYTES) {
			EV_PREFETCH_STREAM(p);
			__m512i q = _mm512_loadu_si512((const void *)(p + 8));
			__m512i lo = _mm512_and_si512(q, m4);
			__m512i hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
			__m512i ylo = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)y[b].qs));
			__m512i yhi = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(y[b].qs + 16)));
			__m512i dot = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, ylo),
							  hi, yhi);
			__m128 dx = _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)p));
			__m512 sc = _mm512_permutexvar_ps(spread, _mm512_castps128_ps512(
									  _mm_mul_ps(dx, _mm_set1_ps(_cvtsh_ss(y[b].d)))));
			acc = _mm512_fmadd_ps(sc, _mm512_cvtepi32_ps(dot), acc);
			corr = _mm_fmadd_ps(dx, _mm_set1_ps(ys[b]), corr);
		}
		{
			/* sum each group of 4 lanes: row r's lanes are 4r..4r+3 */
			float l[16], c[4];
			_mm512_storeu_ps(l, acc);
			_mm_storeu_ps(c, corr);
			for (int r = 0; r < 4; r++)
				out[g + r] = (l[4 * r] + l[4 * r + 1]) + (l[4 * r + 2] + l[4 * r + 3]) - 8 * c[r];
		}
	}
	if (g < nr)
		dot_rows_q4_0_avx512vnni(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* q8_0x4: per block index two 64-byte loads bring rows 0-1 and 2-3; the
 * activation block (32 bytes) is broadcast to both halves; weights are made
 * unsigned by +128 (xor 0x80) and 128 x sum(y) is taken back at the end. */
void dot_rows_q8_0x4_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n);
	const __m512i off = _mm512_set1_epi8((char)0x80);
	const __m512i lo2 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
	const __m512i hi2 = _mm512_setr_epi32(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
	int nb = n / QK, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		__m512 a01 = _mm512_setzero_ps(), a23 = _mm512_setzero_ps();
		__m128 corr = _mm_setzero_ps();
		for (int b = 0; b < nb; b++, p += EV_Q8_0X4_GROUP_BYTES) {
			EV_PREFETCH_STREAM(p);
			EV_PREFETCH_STREAM(p + 64);
			__m512i x01 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(p + 8)), off);
			__m512i x23 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(p + 8 + 2 * QK)), off);
			__m512i yy = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)y[b].qs));
			__m128 dx = _mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)p));
			__m512 dxy = _mm512_castps128_ps512(_mm_mul_ps(dx, _mm_set1_ps(_cvtsh_ss(y[b].d))));
			a01 = _mm512_fmadd_ps(_mm512_permutexvar_ps(lo2, dxy),
					      _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), x01, yy)), a01);
			a23 = _mm512_fmadd_ps(_mm512_permutexvar_ps(hi2, dxy),
					      _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), x23, yy)), a23);
			corr = _mm_fmadd_ps(dx, _mm_set1_ps(ys[b]), corr);
		}
		{
			float c[4];
			_mm_storeu_ps(c, corr);
			out[g] = hsum8(_mm512_castps512_ps256(a01)) - 128 * c[0];
			out[g + 1] = hsum8(_mm512_extractf32x8_ps(a01, 1)) - 128 * c[1];
			out[g + 2] = hsum8(_mm512_castps512_ps256(a23)) - 128 * c[2];
			out[g + 3] = hsum8(_mm512_extractf32x8_ps(a23, 1)) - 128 * c[3];
		}
	}
	if (g < nr)
		dot_rows_q8_0_avx512vnni(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* ---- prefill: several tokens per weight load (ev_dot_gemm_fn, gemm-tile.h) ---- */

/* Sum each group of 4 lanes (row r's lanes are 4r..4r+3). */
static inline __m128 sum4x4(__m512 v)
{
	__m128 r0 = _mm512_castps512_ps128(v), r1 = _mm512_extractf32x4_ps(v, 1);
	__m128 r2 = _mm512_extractf32x4_ps(v, 2), r3 = _mm512_extractf32x4_ps(v, 3);
	return _mm_hadd_ps(_mm_hadd_ps(r0, r1), _mm_hadd_ps(r2, r3));
}

GEMM_INLINE void q4_0x4_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
				 size_t astride, const int NT, float *out, size_t ostride)
{
	const __m512i m4 = _mm512_set1_epi8(0x0f);
	const __m512i spread = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
	int nb = n / QK;
	__m512 acc[EV_GEMM_TOKENS];
	const unsigned char *p = g;
	GEMM_Q8_ACTS(NT)
	(void)rb;
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		acc[t] = _mm512_setzero_ps();
	for (int b = 0; b < nb; b++, p += EV_Q4_0X4_GROUP_BYTES) {
		EV_MCA_BEGIN_N("q4_0x4_gemm_avx512vnni", NT);
		__m512i q = _mm512_loadu_si512((const void *)(p + 8));
		__m512i lo = _mm512_and_si512(q, m4), hi = _mm512_and_si512(_mm512_srli_epi16(q, 4), m4);
		__m512 dsp = _mm512_permutexvar_ps(
			spread, _mm512_castps128_ps512(_mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)p))));
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			const int8_t *yq = y[t][b].qs;
			__m512i ylo = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)yq));
			__m512i yhi = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)(yq + 16)));
			__m512i dot = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, ylo),
							  hi, yhi);
			acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dsp, _mm512_set1_ps(ds[t][b])),
						 _mm512_cvtepi32_ps(dot), acc[t]);
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++) {
		__m128 c = ev_x4_corr(g, EV_Q4_0X4_GROUP_BYTES, nb, ev_act_q8_sums(y[t], n));
		_mm_storeu_ps(out + (size_t)t * ostride, _mm_fnmadd_ps(_mm_set1_ps(8), c, sum4x4(acc[t])));
	}
}

GEMM_ROWS(gemm_q4_0x4_avx512vnni, q4_0x4_gemm_nt, 4, dot_rows_q4_0_avx512vnni)

/* q8_0x4: rows 0-1 and 2-3 in two 64-byte vectors (+128 to make them
 * unsigned, once per block), the token's 32 bytes broadcast to both halves. */
GEMM_INLINE void q8_0x4_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
				 size_t astride, const int NT, float *out, size_t ostride)
{
	const __m512i off = _mm512_set1_epi8((char)0x80);
	const __m512i lo2 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
	const __m512i hi2 = _mm512_setr_epi32(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
	int nb = n / QK;
	__m512 a01[EV_GEMM_TOKENS], a23[EV_GEMM_TOKENS];
	const unsigned char *p = g;
	GEMM_Q8_ACTS(NT)
	(void)rb;
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		a01[t] = a23[t] = _mm512_setzero_ps();
	for (int b = 0; b < nb; b++, p += EV_Q8_0X4_GROUP_BYTES) {
		EV_MCA_BEGIN_N("q8_0x4_gemm_avx512vnni", NT);
		__m512i x01 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(p + 8)), off);
		__m512i x23 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(p + 8 + 2 * QK)), off);
		__m512 dx = _mm512_castps128_ps512(_mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)p)));
		__m512 d01 = _mm512_permutexvar_ps(lo2, dx), d23 = _mm512_permutexvar_ps(hi2, dx);
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			__m512i yy = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)y[t][b].qs));
			__m512 dy = _mm512_set1_ps(ds[t][b]);
			a01[t] = _mm512_fmadd_ps(_mm512_mul_ps(d01, dy),
						 _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), x01, yy)),
						 a01[t]);
			a23[t] = _mm512_fmadd_ps(_mm512_mul_ps(d23, dy),
						 _mm512_cvtepi32_ps(_mm512_dpbusd_epi32(_mm512_setzero_si512(), x23, yy)),
						 a23[t]);
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++) {
		__m128 c = ev_x4_corr(g, EV_Q8_0X4_GROUP_BYTES, nb, ev_act_q8_sums(y[t], n));
		/* lanes 0-7 row 0, 8-15 row 1 (a01); the same for rows 2, 3 (a23) */
		__m256 l01 = _mm256_hadd_ps(_mm512_castps512_ps256(a01[t]), _mm512_extractf32x8_ps(a01[t], 1));
		__m256 l23 = _mm256_hadd_ps(_mm512_castps512_ps256(a23[t]), _mm512_extractf32x8_ps(a23[t], 1));
		__m256 h = _mm256_hadd_ps(l01, l23); /* r0 r1 r2 r3 partials, per 128-bit lane */
		__m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
		_mm_storeu_ps(out + (size_t)t * ostride, _mm_fnmadd_ps(_mm_set1_ps(128), c, s));
	}
}

GEMM_ROWS(gemm_q8_0x4_avx512vnni, q8_0x4_gemm_nt, 4, dot_rows_q8_0_avx512vnni)
