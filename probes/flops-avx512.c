/* probes/flops-avx512.c: 512-bit FP64/FP32 FMA chains (AVX512F). */
#include <immintrin.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_avx512);

FLOPS_FMA_KERNEL(flops_fp64_avx512_fma, __m512d, double, 8, _mm512_set1_pd, _mm512_fmadd_pd, _mm512_storeu_pd)
FLOPS_FMA_KERNEL(flops_fp32_avx512_fma, __m512, float, 16, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_storeu_ps)
