/* probes/flops-avx512fp16.c: native FP16 FMA chains (AVX512-FP16, Sapphire
 * Rapids and later). F16C is conversion only and is not counted as FP16. */
#include <immintrin.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_avx512fp16);

void flops_fp16_avx512_fma(uint64_t iters, const struct flops_params *p, double *out)
{
	__m512h m = _mm512_set1_ph((_Float16)p->mul), a = _mm512_set1_ph((_Float16)p->add);
	_Float16 tmp[32];
#define DECL(k) __m512h x##k = _mm512_set1_ph((_Float16)p->start[k]);
#define STEP(k) x##k = _mm512_fmadd_ph(x##k, m, a);
#define OUT(k)                                                                               \
	_mm512_storeu_ph(tmp, x##k);                                                         \
	for (int l = 0; l < 32; l++)                                                         \
		out[k * 32 + l] = (double)tmp[l];
	FLOPS_REP12(DECL)
	for (uint64_t i = 0; i < iters; i++) {
		FLOPS_REP12(STEP)
	}
	FLOPS_REP12(OUT)
}
