/* probes/flops-avx2.c: FP64/FP32 FMA chains at scalar, 128- and 256-bit width,
 * and the INT8 dot product without VNNI (vpmaddubsw + vpmaddwd + vpaddd, the
 * sequence ggml uses on AVX2 cores): 3 instructions per 32 multiply-adds. */
#include <immintrin.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_avx2);

FLOPS_FMA_KERNEL(flops_fp64_scalar_fma, __m128d, double, 1, _mm_set_sd, _mm_fmadd_sd, _mm_store_sd)
FLOPS_FMA_KERNEL(flops_fp64_sse_fma, __m128d, double, 2, _mm_set1_pd, _mm_fmadd_pd, _mm_storeu_pd)
FLOPS_FMA_KERNEL(flops_fp64_avx_fma, __m256d, double, 4, _mm256_set1_pd, _mm256_fmadd_pd, _mm256_storeu_pd)
FLOPS_FMA_KERNEL(flops_fp32_scalar_fma, __m128, float, 1, _mm_set_ss, _mm_fmadd_ss, _mm_store_ss)
FLOPS_FMA_KERNEL(flops_fp32_sse_fma, __m128, float, 4, _mm_set1_ps, _mm_fmadd_ps, _mm_storeu_ps)
FLOPS_FMA_KERNEL(flops_fp32_avx_fma, __m256, float, 8, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_storeu_ps)

/* u8 (1,2,3,4) . s8 (1,1,1,-1): pmaddubsw gives s16 pairs (3, -1), pmaddwd with
 * ones sums them to s32 2, added to the accumulator. The multiplies do not
 * depend on the accumulator, so each chain gets its own input register, made
 * opaque every iteration (an empty asm), or the compiler would hoist them out
 * of the loop. 6 chains: 6 inputs + 6 sums + 2 constants fill 14 of the 16
 * ymm registers; latency is not the limit here, the multiply ports are. */
void flops_int8_avx2_maddubs(uint64_t iters, const struct flops_params *p, double *out)
{
	const __m256i b = _mm256_set1_epi32((int)0xff010101), ones = _mm256_set1_epi16(1);
	int32_t tmp[8];
#define DECL(k)                                                                              \
	__m256i x##k = _mm256_set1_epi32((int)p->start[k]);                                  \
	__m256i a##k = _mm256_set1_epi32(0x04030201);
#define STEP(k) x##k = _mm256_add_epi32(x##k, _mm256_madd_epi16(_mm256_maddubs_epi16(a##k, b), ones));
#define OUT(k)                                                                               \
	_mm256_storeu_si256((__m256i *)tmp, x##k);                                           \
	for (int l = 0; l < 8; l++)                                                          \
		out[k * 8 + l] = (double)tmp[l];
#define REP6(M) M(0) M(1) M(2) M(3) M(4) M(5)
	REP6(DECL)
	for (uint64_t i = 0; i < iters; i++) {
		__asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5));
		REP6(STEP)
	}
	REP6(OUT)
#undef REP6
#undef DECL
#undef STEP
#undef OUT
}
