/* probes/bw-avx2.c: streaming kernels with 4-double vectors (AVX2 set); the
 * kernels themselves are in bw-simd.h, shared with the other x86 widths. */
#define VEC __m256d
#define VP(op) _mm256_##op
#define VL 4
#define ISA_ID EV_TARGET_AVX2
#define KFILE kf_bw_avx2
#define VECI __m256i
#define VIZERO() _mm256_setzero_si256()
#define VIADD(a, b) _mm256_add_epi64(a, b)
#define VILOAD(p) _mm256_loadu_si256((const void *)(p))
#define VISTORE(p, v) _mm256_storeu_si256((void *)(p), v)
#define SET_NAME bw_set_avx2
#include "bw-simd.h"
