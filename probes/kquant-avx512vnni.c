/* probes/kquant-avx512vnni.c: k-quant dot products (q4_K, q5_K, q6_K times
 * q8_K) with AVX-512 VNNI. vpdpbusd multiplies the unsigned quants by the
 * signed activations 4 bytes per int32 lane (a lane stays below 4 * 63 * 128
 * = 32256, so it fits int16); vpdpwssd then adds lane * scale, with the scale
 * in the low 16 bits of an int32 lane and zero above, so the lane's high half
 * is multiplied by 0. A 512-bit vector holds 64 quants:
 *   q4_K/q5_K: 64 bytes of qs = sub-blocks (2k, 2k+2) in the low nibbles and
 *     (2k+1, 2k+3) in the high ones, against activations gathered to match;
 *   q6_K: one half's ql = weights 0..63 (low nibbles) and 64..127 (high), in
 *     order, with qh's 2-bit fields shifted per 256-bit half by vpsrlvw.
 * Minimums and q6_K's offset of 32 come from the q8_K bsums (vpmaddwd). Two
 * rows at a time share the activation loads. */
#include <immintrin.h>
#include <string.h>

#include "kernel-file.h"
#include "quant.h"
#include "quant-x86.h"

EV_KERNEL_FILE(kf_kquant_avx512vnni);

#define ROW(w, rb, r) ((const void *)((const char *)(w) + (size_t)(r) * (rb)))

/* 32 bytes at a and 32 at b as one vector */
static inline __m512i load2(const int8_t *a, const int8_t *b)
{
	return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)a)),
				  _mm256_loadu_si256((const __m256i *)b), 1);
}

/* The 6-bit scales and mins of q4_K/q5_K: sc as int32 lanes 0..7 (zero above
 * bit 15), mins paired for the bsums as int16 (m0 m0 m1 m1 ...). */
static inline void k_scales(const uint8_t *q, __m512i *sc, __m256i *mn)
{
	__m128i v = _mm_loadu_si128((const __m128i *)q);
	__m128i a = _mm_shuffle_epi32(v, 0x98);
	__m128i b = _mm_shuffle_epi32(v, 0x50);
	__m128i t = _mm_and_si128(a, _mm_setr_epi32(0x3f3f3f3f, 0, 0x3f3f3f3f, 0));
	t = _mm_or_si128(t, _mm_and_si128(_mm_srlv_epi32(a, _mm_setr_epi32(0, 0, 0, 4)),
					  _mm_setr_epi32(0, 0x0f0f0f0f, 0, 0x0f0f0f0f)));
	t = _mm_or_si128(t, _mm_and_si128(_mm_srli_epi32(b, 2), _mm_setr_epi32(0, 0x30303030, 0, 0x30303030)));
	*sc = _mm512_cvtepu8_epi32(t);
	*mn = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(t, t));
}

/* Sub-block scales for the 4 vectors of a q4_K/q5_K block: (0,2) (1,3) (4,6) (5,7). */
static inline void k_scale_vecs(__m512i sc, __m512i s[4])
{
	const __m512i i0 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2);
	const __m512i one = _mm512_set1_epi32(1), four = _mm512_set1_epi32(4);
	s[0] = _mm512_permutexvar_epi32(i0, sc);
	s[1] = _mm512_permutexvar_epi32(_mm512_add_epi32(i0, one), sc);
	s[2] = _mm512_permutexvar_epi32(_mm512_add_epi32(i0, four), sc);
	s[3] = _mm512_permutexvar_epi32(_mm512_add_epi32(i0, _mm512_add_epi32(four, one)), sc);
}

/* A block's activations in the order of the 4 vectors above. */
static inline void k_acts(const int8_t *y, __m512i a[4])
{
	a[0] = load2(y, y + 64);
	a[1] = load2(y + 32, y + 96);
	a[2] = load2(y + 128, y + 192);
	a[3] = load2(y + 160, y + 224);
}

static inline __m512i dot_scaled(__m512i acc, __m512i q, __m512i y, __m512i sc)
{
	return _mm512_dpwssd_epi32(acc, _mm512_dpbusd_epi32(_mm512_setzero_si512(), q, y), sc);
}

static inline __m512i q4_K_block(const struct block_q4_K *x, const __m512i a[4], const __m512i s[4])
{
	const __m512i m4 = _mm512_set1_epi8(0x0f);
	__m512i z0 = _mm512_loadu_si512(x->qs), z1 = _mm512_loadu_si512(x->qs + 64);
	__m512i acc = dot_scaled(_mm512_setzero_si512(), _mm512_and_si512(z0, m4), a[0], s[0]);
	acc = dot_scaled(acc, _mm512_and_si512(_mm512_srli_epi16(z0, 4), m4), a[1], s[1]);
	acc = dot_scaled(acc, _mm512_and_si512(z1, m4), a[2], s[2]);
	return dot_scaled(acc, _mm512_and_si512(_mm512_srli_epi16(z1, 4), m4), a[3], s[3]);
}

/* q5_K's fifth bits: bit j of qh[l] for sub-block j; qh broadcast to both
 * halves and shifted by (j_low, j_high) per vector. */
static inline __m512i q5_K_block(const struct block_q5_K *x, const __m512i a[4], const __m512i s[4])
{
	const __m512i m4 = _mm512_set1_epi8(0x0f), b1 = _mm512_set1_epi8(1);
	__m512i h = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)x->qh));
	__m512i z0 = _mm512_loadu_si512(x->qs), z1 = _mm512_loadu_si512(x->qs + 64);
	/* per 256-bit half: shift counts for sub-blocks (0,2) (1,3) (4,6) (5,7) */
	const __m512i c0 = _mm512_inserti64x4(_mm512_set1_epi16(0), _mm256_set1_epi16(2), 1);
	const __m512i one16 = _mm512_set1_epi16(1), four16 = _mm512_set1_epi16(4);
#define HB(c) _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(h, (c)), b1), 4)
	__m512i acc = dot_scaled(_mm512_setzero_si512(), _mm512_or_si512(_mm512_and_si512(z0, m4), HB(c0)), a[0], s[0]);
	acc = dot_scaled(acc, _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(z0, 4), m4), HB(_mm512_add_epi16(c0, one16))),
			 a[1], s[1]);
	acc = dot_scaled(acc, _mm512_or_si512(_mm512_and_si512(z1, m4), HB(_mm512_add_epi16(c0, four16))), a[2], s[2]);
	acc = dot_scaled(acc, _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(z1, 4), m4),
					      HB(_mm512_add_epi16(c0, _mm512_add_epi16(four16, one16)))),
			 a[3], s[3]);
#undef HB
	return acc;
}

#define K_AFFINE_ROWS(name, BT, BLOCK)                                                        \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)       \
	{                                                                                     \
		const struct block_q8_K *y = act;                                              \
		int nb = n / QK_K, r = 0;                                                      \
		for (; r + 2 <= nr; r += 2) {                                                  \
			const BT *x0 = ROW(w, rb, r), *x1 = ROW(w, rb, r + 1);                 \
			__m512 a0 = _mm512_setzero_ps(), a1 = a0;                              \
			__m256 m0 = _mm256_setzero_ps(), m1 = m0;                              \
			for (int i = 0; i < nb; i++) {                                         \
				__m512i ya[4], sc0, sc1, s0[4], s1[4];                         \
				__m256i mn0, mn1, bs = _mm256_loadu_si256((const __m256i *)y[i].bsums); \
				EV_PREFETCH_BLOCK(&x0[i], sizeof x0[i]);                                    \
				EV_PREFETCH_BLOCK(&x1[i], sizeof x1[i]);                                    \
				k_acts(y[i].qs, ya);                                           \
				k_scales(x0[i].scales, &sc0, &mn0);                            \
				k_scales(x1[i].scales, &sc1, &mn1);                            \
				k_scale_vecs(sc0, s0);                                         \
				k_scale_vecs(sc1, s1);                                         \
				a0 = _mm512_fmadd_ps(_mm512_set1_ps(y[i].d * _cvtsh_ss(x0[i].d)), \
						     _mm512_cvtepi32_ps(BLOCK(&x0[i], ya, s0)), a0); \
				a1 = _mm512_fmadd_ps(_mm512_set1_ps(y[i].d * _cvtsh_ss(x1[i].d)), \
						     _mm512_cvtepi32_ps(BLOCK(&x1[i], ya, s1)), a1); \
				m0 = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x0[i].dmin)), \
						     _mm256_cvtepi32_ps(_mm256_madd_epi16(bs, mn0)), m0); \
				m1 = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x1[i].dmin)), \
						     _mm256_cvtepi32_ps(_mm256_madd_epi16(bs, mn1)), m1); \
			}                                                                      \
			out[r] = _mm512_reduce_add_ps(a0) - hsum8(m0);                         \
			out[r + 1] = _mm512_reduce_add_ps(a1) - hsum8(m1);                     \
		}                                                                              \
		for (; r < nr; r++) {                                                          \
			const BT *x = ROW(w, rb, r);                                           \
			__m512 a = _mm512_setzero_ps();                                        \
			__m256 m = _mm256_setzero_ps();                                        \
			for (int i = 0; i < nb; i++) {                                         \
				__m512i ya[4], sc, s[4];                                       \
				__m256i mn;                                                    \
				k_acts(y[i].qs, ya);                                           \
				k_scales(x[i].scales, &sc, &mn);                               \
				k_scale_vecs(sc, s);                                           \
				a = _mm512_fmadd_ps(_mm512_set1_ps(y[i].d * _cvtsh_ss(x[i].d)), \
						    _mm512_cvtepi32_ps(BLOCK(&x[i], ya, s)), a); \
				m = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x[i].dmin)), \
						    _mm256_cvtepi32_ps(_mm256_madd_epi16(         \
							_mm256_loadu_si256((const __m256i *)y[i].bsums), mn)), m); \
			}                                                                      \
			out[r] = _mm512_reduce_add_ps(a) - hsum8(m);                           \
		}                                                                              \
	}
K_AFFINE_ROWS(dot_rows_q4_K_avx512vnni, struct block_q4_K, q4_K_block)
K_AFFINE_ROWS(dot_rows_q5_K_avx512vnni, struct block_q5_K, q5_K_block)

/* q6_K: scales as int32 lanes (int8 sign-extended, masked to 16 bits) */
static inline __m512i q6_K_block(const struct block_q6_K *x, const __m512i ya[4])
{
	const __m512i m4 = _mm512_set1_epi8(0x0f), m3 = _mm512_set1_epi8(3), lo16 = _mm512_set1_epi32(0xffff);
	const __m512i cl = _mm512_inserti64x4(_mm512_set1_epi16(0), _mm256_set1_epi16(2), 1);
	const __m512i ch = _mm512_inserti64x4(_mm512_set1_epi16(4), _mm256_set1_epi16(6), 1);
	__m512i sc = _mm512_and_si512(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)x->scales)), lo16);
	const __m512i g = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
	const __m512i four = _mm512_set1_epi32(4);
	__m512i acc = _mm512_setzero_si512();
	for (int h = 0; h < 2; h++) {
		__m512i l = _mm512_loadu_si512(x->ql + 64 * h);
		__m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(x->qh + 32 * h)));
		__m512i qlo = _mm512_or_si512(_mm512_and_si512(l, m4),
					      _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, cl), m3), 4));
		__m512i qhi = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(l, 4), m4),
					      _mm512_slli_epi16(_mm512_and_si512(_mm512_srlv_epi16(qh, ch), m3), 4));
		__m512i gl = _mm512_add_epi32(g, _mm512_set1_epi32(8 * h));
		acc = dot_scaled(acc, qlo, ya[2 * h], _mm512_permutexvar_epi32(gl, sc));
		acc = dot_scaled(acc, qhi, ya[2 * h + 1], _mm512_permutexvar_epi32(_mm512_add_epi32(gl, four), sc));
	}
	return acc;
}

/* sum_g sc[g] * 32 * bsums[g] as 8 int32 lanes */
static inline __m256i q6_K_offset(const struct block_q6_K *x, const struct block_q8_K *y)
{
	__m256i s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x->scales));
	return _mm256_slli_epi32(_mm256_madd_epi16(s16, _mm256_loadu_si256((const __m256i *)y->bsums)), 5);
}

void dot_rows_q6_K_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	int nb = n / QK_K, r = 0;
	for (; r + 2 <= nr; r += 2) {
		const struct block_q6_K *x0 = ROW(w, rb, r), *x1 = ROW(w, rb, r + 1);
		__m512 a0 = _mm512_setzero_ps(), a1 = a0;
		__m256 o0 = _mm256_setzero_ps(), o1 = o0;
		for (int i = 0; i < nb; i++) {
			__m512i ya[4];
			EV_PREFETCH_BLOCK(&x0[i], sizeof x0[i]);
			EV_PREFETCH_BLOCK(&x1[i], sizeof x1[i]);
			ya[0] = _mm512_loadu_si512(y[i].qs);
			ya[1] = _mm512_loadu_si512(y[i].qs + 64);
			ya[2] = _mm512_loadu_si512(y[i].qs + 128);
			ya[3] = _mm512_loadu_si512(y[i].qs + 192);
			a0 = _mm512_fmadd_ps(_mm512_set1_ps(y[i].d * _cvtsh_ss(x0[i].d)),
					     _mm512_cvtepi32_ps(q6_K_block(&x0[i], ya)), a0);
			a1 = _mm512_fmadd_ps(_mm512_set1_ps(y[i].d * _cvtsh_ss(x1[i].d)),
					     _mm512_cvtepi32_ps(q6_K_block(&x1[i], ya)), a1);
			o0 = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x0[i].d)),
					     _mm256_cvtepi32_ps(q6_K_offset(&x0[i], &y[i])), o0);
			o1 = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x1[i].d)),
					     _mm256_cvtepi32_ps(q6_K_offset(&x1[i], &y[i])), o1);
		}
		out[r] = _mm512_reduce_add_ps(a0) - hsum8(o0);
		out[r + 1] = _mm512_reduce_add_ps(a1) - hsum8(o1);
	}
	for (; r < nr; r++) {
		const struct block_q6_K *x = ROW(w, rb, r);
		__m512 a = _mm512_setzero_ps();
		__m256 o = _mm256_setzero_ps();
		for (int i = 0; i < nb; i++) {
			__m512i ya[4] = {_mm512_loadu_si512(y[i].qs), _mm512_loadu_si512(y[i].qs + 64),
					 _mm512_loadu_si512(y[i].qs + 128), _mm512_loadu_si512(y[i].qs + 192)};
			a = _mm512_fmadd_ps(_mm512_set1_ps(y[i].d * _cvtsh_ss(x[i].d)),
					    _mm512_cvtepi32_ps(q6_K_block(&x[i], ya)), a);
			o = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x[i].d)),
					    _mm256_cvtepi32_ps(q6_K_offset(&x[i], &y[i])), o);
		}
		out[r] = _mm512_reduce_add_ps(a) - hsum8(o);
	}
}
