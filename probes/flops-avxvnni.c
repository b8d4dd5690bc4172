/* probes/flops-avxvnni.c: INT8 dot products with the VEX-encoded AVX-VNNI
 * vpdpbusd (Alder Lake and later, Zen 5): for cores without AVX-512. */
#include <immintrin.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_avxvnni);

void flops_int8_avxvnni(uint64_t iters, const struct flops_params *p, double *out)
{
	const __m256i a = _mm256_set1_epi32(0x04030201), b = _mm256_set1_epi32((int)0xff010101);
	int32_t tmp[8];
#define DECL(k) __m256i x##k = _mm256_set1_epi32((int)p->start[k]);
#define STEP(k) x##k = _mm256_dpbusd_avx_epi32(x##k, a, b);
#define OUT(k)                                                                               \
	_mm256_storeu_si256((__m256i *)tmp, x##k);                                           \
	for (int l = 0; l < 8; l++)                                                          \
		out[k * 8 + l] = (double)tmp[l];
	FLOPS_REP12(DECL)
	for (uint64_t i = 0; i < iters; i++) {
		FLOPS_REP12(STEP)
	}
	FLOPS_REP12(OUT)
}
