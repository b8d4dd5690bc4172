/* probes/bw-avx512.c: streaming kernels with 8-double vectors (AVX512 set); the
 * kernels themselves are in bw-simd.h, shared with the other x86 widths. */
#define VEC __m512d
#define VP(op) _mm512_##op
#define VL 8
#define ISA_ID EV_TARGET_AVX512
#define KFILE kf_bw_avx512
#define VECI __m512i
#define VIZERO() _mm512_setzero_si512()
#define VIADD(a, b) _mm512_add_epi64(a, b)
#define VILOAD(p) _mm512_loadu_si512((const void *)(p))
#define VISTORE(p, v) _mm512_storeu_si512((void *)(p), v)
#define SET_NAME bw_set_avx512
#include "bw-simd.h"
