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

#endif
