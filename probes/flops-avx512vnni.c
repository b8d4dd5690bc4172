/* probes/flops-avx512vnni.c: INT8 dot products (vpdpbusd, AVX512-VNNI) at 512
 * and 256 bits. */
#include <immintrin.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_avx512vnni);

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
