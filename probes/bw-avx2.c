/* probes/bw-avx2.c: streaming kernels with 4-double vectors (AVX2 level); the
 * kernels themselves are in bw-simd.h, shared with the other x86 widths. */
#define VEC __m256d
#define VP(op) _mm256_##op
#define VL 4
#define ISA_ID EV_ISA_AVX2
#define SET_NAME bw_set_avx2
#include "bw-simd.h"
