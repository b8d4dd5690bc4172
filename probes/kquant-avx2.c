/* probes/kquant-avx2.c: k-quant dot products (q4_K, q5_K, q6_K times q8_K) on
 * AVX2 + FMA + F16C. The weights' quants are unsigned (0..15, 0..31, 0..63),
 * so vpmaddubsw takes them directly as its unsigned operand against the signed
 * activations: pairs stay below 2 * 63 * 128 = 16128 < 32767, exact. Scales
 * are applied in int16 x int16 -> int32 (vpmaddwd), broadcast from one vector
 * of a block's scales by vpshufb (no scalar-to-vector moves in the loop); a
 * super-block's integer sum fits int32 (< 2^28). The affine minimum of
 * q4_K/q5_K and q6_K's offset of 32 come from the activations' 16-element sums
 * (q8_K bsums), never per weight. Two rows at a time share the activation
 * loads. */
#include <immintrin.h>
#include <string.h>

#include "kernel-file.h"
#include "quant.h"
#include "quant-x86.h"

EV_KERNEL_FILE(kf_kquant_avx2);

/* vpshufb masks: int16 element j of each 128-bit lane, in all 8 slots */
static inline __m256i bcast16(int j)
{
	return _mm256_set1_epi16((short)(2 * j | (2 * j + 1) << 8));
}

/* A q4_K/q5_K block's scales and mins as int16: sc (sc0..7 in both lanes) and
 * mins paired for the bsums (m0 m0 m1 m1 ... m7 m7). The 6-bit fields are
 * unpacked in vector registers from 32-bit words w0..w2 of scales[12]:
 * sc0..3 = w0 & 63, sc4..7 = (w2 & 15) | (w0 >> 6) << 4,
 * m0..3 = w1 & 63,  m4..7 = (w2 >> 4 & 15) | (w1 >> 6) << 4 (bytewise). The
 * 16-byte load reads 4 bytes past scales: the block's next field. */
static inline void k_scales(const uint8_t *q, __m256i *sc, __m256i *mn)
{
	__m128i v = _mm_loadu_si128((const __m128i *)q);
	__m128i a = _mm_shuffle_epi32(v, 0x98);  /* w0 w2 w1 w2 */
	__m128i b = _mm_shuffle_epi32(v, 0x50);  /* w0 w0 w1 w1 */
	__m128i t = _mm_and_si128(a, _mm_setr_epi32(0x3f3f3f3f, 0, 0x3f3f3f3f, 0));
	t = _mm_or_si128(t, _mm_and_si128(_mm_srlv_epi32(a, _mm_setr_epi32(0, 0, 0, 4)),
					  _mm_setr_epi32(0, 0x0f0f0f0f, 0, 0x0f0f0f0f)));
	t = _mm_or_si128(t, _mm_and_si128(_mm_srli_epi32(b, 2), _mm_setr_epi32(0, 0x30303030, 0, 0x30303030)));
	/* t: sc0..7 then m0..7 as bytes */
	*sc = _mm256_cvtepu8_epi16(_mm_unpacklo_epi64(t, t));
	*mn = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(t, t));
}

/* sum_j q[j] * y[j] * sc for 32 unsigned q and 32 signed y, as 8 int32 */
static inline __m256i qdot(__m256i q, __m256i y, __m256i sc)
{
	return _mm256_madd_epi16(_mm256_maddubs_epi16(q, y), sc);
}

#define ROW(w, rb, r) ((const void *)((const char *)(w) + (size_t)(r) * (rb)))

/* ---- q4_K and q5_K ----
 * One pair of sub-blocks (32 bytes of qs: 2k in the low nibbles, 2k+1 in the
 * high ones) against its 64 activations; q5_K adds the fifth bits, bits 2k
 * and 2k+1 of qh[l], which the caller shifts down by 2 per pair. */
static inline __m256i q4_K_pair(const uint8_t *qs, __m256i h, __m256i y0, __m256i y1, __m256i sc, int k)
{
	const __m256i lo4 = _mm256_set1_epi8(0x0f);
	__m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * k));
	__m256i p0 = qdot(_mm256_and_si256(q, lo4), y0, _mm256_shuffle_epi8(sc, bcast16(2 * k)));
	__m256i p1 = qdot(_mm256_and_si256(_mm256_srli_epi16(q, 4), lo4), y1,
			  _mm256_shuffle_epi8(sc, bcast16(2 * k + 1)));
	(void)h;
	return _mm256_add_epi32(p0, p1);
}

static inline __m256i q5_K_pair(const uint8_t *qs, __m256i h, __m256i y0, __m256i y1, __m256i sc, int k)
{
	const __m256i lo4 = _mm256_set1_epi8(0x0f), b0 = _mm256_set1_epi8(1);
	__m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * k));
	__m256i h0 = _mm256_slli_epi16(_mm256_and_si256(h, b0), 4);
	__m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 1), b0), 4);
	__m256i p0 = qdot(_mm256_or_si256(_mm256_and_si256(q, lo4), h0), y0,
			  _mm256_shuffle_epi8(sc, bcast16(2 * k)));
	__m256i p1 = qdot(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), lo4), h1), y1,
			  _mm256_shuffle_epi8(sc, bcast16(2 * k + 1)));
	return _mm256_add_epi32(p0, p1);
}

/* the fifth bits of a block (none for q4_K) */
static inline __m256i q4_K_high(const struct block_q4_K *x)
{
	(void)x;
	return _mm256_setzero_si256();
}

static inline __m256i q5_K_high(const struct block_q5_K *x)
{
	return _mm256_loadu_si256((const __m256i *)x->qh);
}

#define K_AFFINE_ROWS(name, BT, PAIR, HIGH, region)                                           \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)       \
	{                                                                                     \
		const struct block_q8_K *y = act;                                              \
		int nb = n / QK_K, r = 0;                                                      \
		for (; r + 2 <= nr; r += 2) {                                                  \
			const BT *x0 = ROW(w, rb, r), *x1 = ROW(w, rb, r + 1);                 \
			__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();             \
			for (int i = 0; i < nb; i++) {                                         \
				__m256i sc0, mn0, sc1, mn1, s0 = _mm256_setzero_si256(), s1 = s0; \
				__m256i h0 = HIGH(&x0[i]), h1 = HIGH(&x1[i]);                  \
				__m256i bs = _mm256_loadu_si256((const __m256i *)y[i].bsums);  \
				EV_PREFETCH_BLOCK(&x0[i], sizeof x0[i]);                       \
				EV_PREFETCH_BLOCK(&x1[i], sizeof x1[i]);                       \
				EV_MCA_BEGIN(region);                                          \
				k_scales(x0[i].scales, &sc0, &mn0);                            \
				k_scales(x1[i].scales, &sc1, &mn1);                            \
				for (int k = 0; k < 4; k++) {                                  \
					__m256i y0 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * k)); \
					__m256i y1 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * k + 32)); \
					s0 = _mm256_add_epi32(s0, PAIR(x0[i].qs, h0, y0, y1, sc0, k)); \
					s1 = _mm256_add_epi32(s1, PAIR(x1[i].qs, h1, y0, y1, sc1, k)); \
					h0 = _mm256_srli_epi16(h0, 2);                         \
					h1 = _mm256_srli_epi16(h1, 2);                         \
				}                                                              \
				a0 = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x0[i].d)), \
						     _mm256_cvtepi32_ps(s0), a0);              \
				a1 = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x1[i].d)), \
						     _mm256_cvtepi32_ps(s1), a1);              \
				a0 = _mm256_fnmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x0[i].dmin)), \
						      _mm256_cvtepi32_ps(_mm256_madd_epi16(bs, mn0)), a0); \
				a1 = _mm256_fnmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x1[i].dmin)), \
						      _mm256_cvtepi32_ps(_mm256_madd_epi16(bs, mn1)), a1); \
				EV_MCA_END();                                                  \
			}                                                                      \
			out[r] = hsum8(a0);                                                    \
			out[r + 1] = hsum8(a1);                                                \
		}                                                                              \
		for (; r < nr; r++) {                                                          \
			const BT *x = ROW(w, rb, r);                                           \
			__m256 a = _mm256_setzero_ps();                                        \
			for (int i = 0; i < nb; i++) {                                         \
				__m256i sc, mn, s = _mm256_setzero_si256(), h = HIGH(&x[i]);   \
				k_scales(x[i].scales, &sc, &mn);                               \
				for (int k = 0; k < 4; k++, h = _mm256_srli_epi16(h, 2))       \
					s = _mm256_add_epi32(                                  \
					    s, PAIR(x[i].qs, h, _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * k)), \
						    _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * k + 32)), sc, k)); \
				a = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x[i].d)), \
						    _mm256_cvtepi32_ps(s), a);                 \
				a = _mm256_fnmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x[i].dmin)), \
						     _mm256_cvtepi32_ps(_mm256_madd_epi16(        \
							 _mm256_loadu_si256((const __m256i *)y[i].bsums), mn)), a); \
			}                                                                      \
			out[r] = hsum8(a);                                                     \
		}                                                                              \
	}
K_AFFINE_ROWS(dot_rows_q4_K_avx2, struct block_q4_K, q4_K_pair, q4_K_high, "q4_K-avx2")
K_AFFINE_ROWS(dot_rows_q5_K_avx2, struct block_q5_K, q5_K_pair, q5_K_high, "q5_K-avx2")

/* ---- q6_K ----
 * Quarter s of half h covers weights 128h + 32s .. +32 with scales 8h + 2s
 * (first 16) and 8h + 2s + 1 (next 16): vpshufb picks them from the half's 8
 * scales held as int16 in both lanes (low lane element 2s, high lane 2s+1). */
static inline __m256i q6_K_half(const struct block_q6_K *x, int h, const int8_t *yq, __m256i sc)
{
	const __m256i lo4 = _mm256_set1_epi8(0x0f), three = _mm256_set1_epi8(3);
	__m256i l0 = _mm256_loadu_si256((const __m256i *)(x->ql + 64 * h));
	__m256i l1 = _mm256_loadu_si256((const __m256i *)(x->ql + 64 * h + 32));
	__m256i hb = _mm256_loadu_si256((const __m256i *)(x->qh + 32 * h)), acc;
	__m256i q0 = _mm256_or_si256(_mm256_and_si256(l0, lo4), _mm256_slli_epi16(_mm256_and_si256(hb, three), 4));
	__m256i q1 = _mm256_or_si256(_mm256_and_si256(l1, lo4), _mm256_slli_epi16(_mm256_and_si256(hb, _mm256_set1_epi8(12)), 2));
	__m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), lo4), _mm256_and_si256(hb, _mm256_set1_epi8(0x30)));
	__m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), lo4),
				     _mm256_and_si256(_mm256_srli_epi16(hb, 2), _mm256_set1_epi8(0x30)));
	const __m256i m0 = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
					    2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
	const __m256i step = _mm256_set1_epi8(4);
	__m256i m1 = _mm256_add_epi8(m0, step), m2 = _mm256_add_epi8(m1, step), m3 = _mm256_add_epi8(m2, step);
	acc = qdot(q0, _mm256_loadu_si256((const __m256i *)yq), _mm256_shuffle_epi8(sc, m0));
	acc = _mm256_add_epi32(acc, qdot(q1, _mm256_loadu_si256((const __m256i *)(yq + 32)), _mm256_shuffle_epi8(sc, m1)));
	acc = _mm256_add_epi32(acc, qdot(q2, _mm256_loadu_si256((const __m256i *)(yq + 64)), _mm256_shuffle_epi8(sc, m2)));
	return _mm256_add_epi32(acc, qdot(q3, _mm256_loadu_si256((const __m256i *)(yq + 96)), _mm256_shuffle_epi8(sc, m3)));
}

/* The two halves' scales as int16 (half h's 8 in both lanes), and the offset
 * term sum_g sc[g] * 32 * bsums[g] as int32 lanes. */
static inline __m256i q6_K_block(const struct block_q6_K *x, const struct block_q8_K *y)
{
	__m128i s8 = _mm_loadu_si128((const __m128i *)x->scales);
	__m256i s16 = _mm256_cvtepi8_epi16(s8);
	__m256i sc0 = _mm256_permute2x128_si256(s16, s16, 0x00), sc1 = _mm256_permute2x128_si256(s16, s16, 0x11);
	__m256i acc = _mm256_add_epi32(q6_K_half(x, 0, y->qs, sc0), q6_K_half(x, 1, y->qs + 128, sc1));
	__m256i off = _mm256_madd_epi16(s16, _mm256_loadu_si256((const __m256i *)y->bsums));
	return _mm256_sub_epi32(acc, _mm256_slli_epi32(off, 5));
}

void dot_rows_q6_K_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	int nb = n / QK_K, r = 0;
	for (; r + 2 <= nr; r += 2) {
		const struct block_q6_K *x0 = ROW(w, rb, r), *x1 = ROW(w, rb, r + 1);
		__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
		for (int i = 0; i < nb; i++) {
			EV_PREFETCH_BLOCK(&x0[i], sizeof x0[i]);
			EV_PREFETCH_BLOCK(&x1[i], sizeof x1[i]);
			a0 = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x0[i].d)),
					     _mm256_cvtepi32_ps(q6_K_block(&x0[i], y + i)), a0);
			a1 = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x1[i].d)),
					     _mm256_cvtepi32_ps(q6_K_block(&x1[i], y + i)), a1);
		}
		out[r] = hsum8(a0);
		out[r + 1] = hsum8(a1);
	}
	for (; r < nr; r++) {
		const struct block_q6_K *x = ROW(w, rb, r);
		__m256 a = _mm256_setzero_ps();
		for (int i = 0; i < nb; i++)
			a = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x[i].d)),
					    _mm256_cvtepi32_ps(q6_K_block(&x[i], y + i)), a);
		out[r] = hsum8(a);
	}
}
