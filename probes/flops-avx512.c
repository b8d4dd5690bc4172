/* probes/flops-avx512.c: 512-bit FP64/FP32 FMA chains, BF16 dot products
 * (vdpbf16ps, AVX512-BF16) and INT8 dot products (vpdpbusd, AVX512-VNNI) at
 * 512 and 256 bits. Each is listed in flops.c with the features it needs and
 * is called only when cpuid reports them. */
#include <immintrin.h>

#include "flops-kernels.h"

FLOPS_FMA_KERNEL(flops_fp64_avx512_fma, __m512d, double, 8, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_storeu_pd)
FLOPS_FMA_KERNEL(flops_fp32_avx512_fma, __m512, float, 16, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_storeu_ps)

/* bf16 pairs (1, 1) . (0.5, -0.5) = 0: the accumulators keep their start. */
#define BF16_KERNEL(name, VT, VH, LANES, SET1PS, SET1I, DP, STORE)                           \
	void name(uint64_t iters, const struct flops_params *p, double *out)                 \
	{                                                                                    \
		/* bf16 1.0 = 0x3f80, 0.5 = 0x3f00, -0.5 = 0xbf00; low half first */         \
		const VH a = (VH)SET1I(0x3f803f80), b = (VH)SET1I((int)0xbf003f00);          \
		float tmp[LANES];                                                            \
		FLOPS_REP12A(DECL, VT, SET1PS)                                             \
		for (uint64_t i = 0; i < iters; i++) {                                       \
			FLOPS_REP12A(STEP, DP)                                            \
		}                                                                            \
		FLOPS_REP12A(OUT, STORE, LANES)                                              \
	}
#define DECL(k, VT, SET1PS) VT x##k = SET1PS((float)p->start[k]);
#define STEP(k, DP) x##k = DP(x##k, a, b);
#define OUT(k, STORE, LANES)                                                                 \
	STORE(tmp, x##k);                                                                    \
	for (int l = 0; l < LANES; l++)                                                      \
		out[k * LANES + l] = (double)tmp[l];
BF16_KERNEL(flops_bf16_avx512_dp, __m512, __m512bh, 16, _mm512_set1_ps, _mm512_set1_epi32,
	    _mm512_dpbf16_ps, _mm512_storeu_ps)
BF16_KERNEL(flops_bf16_avx512vl_dp, __m256, __m256bh, 8, _mm256_set1_ps, _mm256_set1_epi32,
	    _mm256_dpbf16_ps, _mm256_storeu_ps)
#undef DECL
#undef STEP
#undef OUT

/* u8 (1,2,3,4) . s8 (1,1,1,-1) = 2 added to every 32-bit lane per instruction. */
#define I8_KERNEL(name, VT, LANES, SET1I, DP, STORE)                                         \
	void name(uint64_t iters, const struct flops_params *p, double *out)                 \
	{                                                                                    \
		const VT a = SET1I(0x04030201), b = SET1I((int)0xff010101);                  \
		int32_t tmp[LANES];                                                          \
		FLOPS_REP12A(DECL, VT, SET1I)                                             \
		for (uint64_t i = 0; i < iters; i++) {                                       \
			FLOPS_REP12A(STEP, DP)                                            \
		}                                                                            \
		FLOPS_REP12A(OUT, STORE, LANES)                                              \
	}
#define DECL(k, VT, SET1I) VT x##k = SET1I((int)p->start[k]);
#define STEP(k, DP) x##k = DP(x##k, a, b);
#define OUT(k, STORE, LANES)                                                                 \
	STORE((void *)tmp, x##k);                                                            \
	for (int l = 0; l < LANES; l++)                                                      \
		out[k * LANES + l] = (double)tmp[l];
I8_KERNEL(flops_int8_avx512_vnni, __m512i, 16, _mm512_set1_epi32, _mm512_dpbusd_epi32,
	  _mm512_storeu_si512)
#define STORE256(p, v) _mm256_storeu_si256((__m256i *)(p), v)
I8_KERNEL(flops_int8_avx512vl_vnni, __m256i, 8, _mm256_set1_epi32, _mm256_dpbusd_epi32, STORE256)
