/* probes/bw-avx512.c: streaming kernels with 8-double vectors (AVX512 level); the
 * kernels themselves are in bw-simd.h, shared with the other x86 widths. */
#define VEC __m512d
#define VP(op) _mm512_##op
#define VL 8
#define ISA_ID EV_ISA_AVX512
#define SET_NAME bw_set_avx512
#include "bw-simd.h"
