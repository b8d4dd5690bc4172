/* probes/kquant-avx2.c: k-quant dot products (q4_K, q5_K, q6_K times q8_K) on
 * AVX2 + FMA + F16C. The weights' quants are unsigned (0..15, 0..31, 0..63),
 * so vpmaddubsw takes them directly as its unsigned operand against the signed
 * activations: pairs stay below 2 * 63 * 128 = 16128 < 32767, exact. Scales
 * are applied in int16 x int16 -> int32 (vpmaddwd); a super-block's integer sum
 * fits int32 (< 2^28). The affine minimum of q4_K/q5_K and q6_K's offset of 32
 * come from the activations' 16-element sums (q8_K bsums), never per weight.
 * Two rows at a time share the activation loads. */
#include <immintrin.h>
#include <string.h>

#include "kernel-file.h"
#include "quant.h"

EV_KERNEL_FILE(kf_kquant_avx2);

static inline float hsum8(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* The 8 scales (bytes 0..7) and 8 mins (bytes 8..15) of a q4_K/q5_K block. */
static inline void scales_mins(const uint8_t *q, uint8_t out[16])
{
	uint32_t u[4];
	memcpy(u, q, 12);
	u[3] = ((u[2] >> 4) & 0x0f0f0f0f) | (((u[1] >> 6) & 0x03030303) << 4);
	{
		uint32_t m_lo = u[1] & 0x3f3f3f3f;
		u[1] = (u[2] & 0x0f0f0f0f) | (((u[0] >> 6) & 0x03030303) << 4);
		u[2] = m_lo;
	}
	u[0] &= 0x3f3f3f3f;
	memcpy(out, u, 16);
}

/* sum_j m[j] * (bsums[2j] + bsums[2j+1]) as 8 int32 lanes */
static inline __m256i mins_dot(const uint8_t *mins, const int16_t *bsums)
{
	__m256i pairs = _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)bsums), _mm256_set1_epi16(1));
	__m256i m = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)mins));
	return _mm256_mullo_epi32(pairs, m);
}

/* One q4_K super-block against its q8_K block: int32 lanes of sum sc*q*y. */
static inline __m256i q4_K_block(const struct block_q4_K *x, const struct block_q8_K *y,
				 const uint8_t *sc)
{
	const __m256i lo4 = _mm256_set1_epi8(0x0f);
	__m256i acc = _mm256_setzero_si256();
	for (int k = 0; k < 4; k++) {
		__m256i q = _mm256_loadu_si256((const __m256i *)(x->qs + 32 * k));
		__m256i y0 = _mm256_loadu_si256((const __m256i *)(y->qs + 64 * k));
		__m256i y1 = _mm256_loadu_si256((const __m256i *)(y->qs + 64 * k + 32));
		__m256i p0 = _mm256_maddubs_epi16(_mm256_and_si256(q, lo4), y0);
		__m256i p1 = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), lo4), y1);
		p0 = _mm256_madd_epi16(p0, _mm256_set1_epi16(sc[2 * k]));
		p1 = _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * k + 1]));
		acc = _mm256_add_epi32(acc, _mm256_add_epi32(p0, p1));
	}
	return acc;
}

static inline __m256i q5_K_block(const struct block_q5_K *x, const struct block_q8_K *y,
				 const uint8_t *sc)
{
	const __m256i lo4 = _mm256_set1_epi8(0x0f), one = _mm256_set1_epi8(1);
	__m256i acc = _mm256_setzero_si256(), h = _mm256_loadu_si256((const __m256i *)x->qh);
	for (int k = 0; k < 4; k++) {
		__m256i q = _mm256_loadu_si256((const __m256i *)(x->qs + 32 * k));
		__m256i y0 = _mm256_loadu_si256((const __m256i *)(y->qs + 64 * k));
		__m256i y1 = _mm256_loadu_si256((const __m256i *)(y->qs + 64 * k + 32));
		__m256i h0 = _mm256_slli_epi16(_mm256_and_si256(h, one), 4);
		__m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(h, 1), one), 4);
		__m256i p0 = _mm256_maddubs_epi16(_mm256_or_si256(_mm256_and_si256(q, lo4), h0), y0);
		__m256i p1 = _mm256_maddubs_epi16(
			_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), lo4), h1), y1);
		p0 = _mm256_madd_epi16(p0, _mm256_set1_epi16(sc[2 * k]));
		p1 = _mm256_madd_epi16(p1, _mm256_set1_epi16(sc[2 * k + 1]));
		acc = _mm256_add_epi32(acc, _mm256_add_epi32(p0, p1));
		h = _mm256_srli_epi16(h, 2);
	}
	return acc;
}

#define K_ROWS(name, BT, BLOCK)                                                              \
	void dot_rows_##name##_avx2(int n, const void *w, size_t rb, int nr, const void *act, \
				    float *out)                                              \
	{                                                                                    \
		const struct block_q8_K *y = act;                                            \
		int nb = n / QK_K;                                                           \
		for (int r = 0; r < nr; r++) {                                               \
			const BT *x = (const void *)((const char *)w + (size_t)r * rb);      \
			__m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();        \
			for (int i = 0; i < nb; i++) {                                       \
				uint8_t sm[16];                                              \
				EV_PREFETCH_STREAM(&x[i]);                                   \
				scales_mins(x[i].scales, sm);                                \
				acc = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x[i].d)), \
						      _mm256_cvtepi32_ps(BLOCK(&x[i], &y[i], sm)), acc); \
				accm = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x[i].dmin)), \
						       _mm256_cvtepi32_ps(mins_dot(sm + 8, y[i].bsums)), accm); \
			}                                                                    \
			out[r] = hsum8(acc) - hsum8(accm);                                   \
		}                                                                            \
	}
K_ROWS(q4_K, struct block_q4_K, q4_K_block)
K_ROWS(q5_K, struct block_q5_K, q5_K_block)

/* q6_K: 4 quarters of 32 per half; quarter s of half h covers weights
 * 128h + 32s .. +32, scales 8h + 2s (first 16) and 8h + 2s + 1 (next 16). */
static inline __m256i q6_K_block(const struct block_q6_K *x, const struct block_q8_K *y)
{
	const __m256i lo4 = _mm256_set1_epi8(0x0f), three = _mm256_set1_epi8(3);
	__m256i acc = _mm256_setzero_si256();
	for (int h = 0; h < 2; h++) {
		__m256i l0 = _mm256_loadu_si256((const __m256i *)(x->ql + 64 * h));
		__m256i l1 = _mm256_loadu_si256((const __m256i *)(x->ql + 64 * h + 32));
		__m256i hb = _mm256_loadu_si256((const __m256i *)(x->qh + 32 * h));
		__m256i q[4];
		q[0] = _mm256_or_si256(_mm256_and_si256(l0, lo4), _mm256_slli_epi16(_mm256_and_si256(hb, three), 4));
		q[1] = _mm256_or_si256(_mm256_and_si256(l1, lo4),
				       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), three), 4));
		q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), lo4),
				       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), three), 4));
		q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), lo4),
				       _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), three), 4));
		for (int s = 0; s < 4; s++) {
			const int8_t *sc = x->scales + 8 * h + 2 * s;
			__m256i yv = _mm256_loadu_si256((const __m256i *)(y->qs + 128 * h + 32 * s));
			__m256i p = _mm256_maddubs_epi16(q[s], yv);
			p = _mm256_madd_epi16(p, _mm256_set_m128i(_mm_set1_epi16(sc[1]), _mm_set1_epi16(sc[0])));
			acc = _mm256_add_epi32(acc, p);
		}
	}
	/* the offset of 32: sum_g sc[g] * 32 * bsums[g] */
	{
		__m256i s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x->scales));
		__m256i off = _mm256_madd_epi16(s16, _mm256_loadu_si256((const __m256i *)y->bsums));
		acc = _mm256_sub_epi32(acc, _mm256_slli_epi32(off, 5));
	}
	return acc;
}

void dot_rows_q6_K_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	int nb = n / QK_K;
	for (int r = 0; r < nr; r++) {
		const struct block_q6_K *x = (const void *)((const char *)w + (size_t)r * rb);
		__m256 acc = _mm256_setzero_ps();
		for (int i = 0; i < nb; i++) {
			EV_PREFETCH_STREAM(&x[i]);
			acc = _mm256_fmadd_ps(_mm256_set1_ps(y[i].d * _cvtsh_ss(x[i].d)),
					      _mm256_cvtepi32_ps(q6_K_block(&x[i], y + i)), acc);
		}
		out[r] = hsum8(acc);
	}
}
