/* probes/flops-avx512bf16.c: BF16 dot products (vdpbf16ps, AVX512-BF16) at 512
 * and 256 bits. */
#include <immintrin.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_avx512bf16);

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
