/* probes/quant-x86.h: helpers shared by the x86 dot-product files; each file
 * compiles them with its own feature set's flags (AVX2 at least). */
#ifndef EV_QUANT_X86_H
#define EV_QUANT_X86_H
#include <immintrin.h>

/* The sum of a vector's 8 floats. */
static inline float hsum8(__m256 v)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* sum_b dx[r][b] ys[b] for the 4 rows of an x4 group (gbytes a block index):
 * the offset a GEMM takes back from each token when the weights went in
 * unsigned (x 8 for q4_0 nibbles, x 128 for q8_0 + 128), one pass over the
 * 4 rows' scales only (L1-resident by then). */
static inline __m128 ev_x4_corr(const unsigned char *g, size_t gbytes, int nb, const float *ys)
{
	__m128 c = _mm_setzero_ps();
	for (int b = 0; b < nb; b++)
		c = _mm_fmadd_ps(_mm_cvtph_ps(_mm_loadl_epi64((const __m128i *)(g + (size_t)b * gbytes))),
				 _mm_set1_ps(ys[b]), c);
	return c;
}

#endif
