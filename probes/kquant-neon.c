/* probes/kquant-neon.c: k-quant rows times q8_K activations on base AArch64
 * NEON (Cortex-A53/A72: no dot product): 16 byte products as two widening
 * multiplies (smull, smlal2: pairs stay below 2 * 63 * 128 < 32767) and a
 * pairwise add into int32 (sadalp); the loops are probes/kquant-neon.h's. */
#include <arm_neon.h>

#include "kernel-file.h"

static inline int32x4_t kdot_neon(int32x4_t acc, int8x16_t a, int8x16_t b)
{
	int16x8_t p = vmull_s8(vget_low_s8(a), vget_low_s8(b));
	p = vmlal_high_s8(p, a, b);
	return vpadalq_s16(acc, p);
}
#define EV_KDOT(acc, a, b) kdot_neon((acc), (a), (b))
#include "kquant-neon.h"

EV_KERNEL_FILE(kf_kquant_neon);

K_AFFINE_ROWS(dot_rows_q4_K_neon, struct block_q4_K, q4_K_block, "q4_K-neon")
K_AFFINE_ROWS(dot_rows_q5_K_neon, struct block_q5_K, q5_K_block, "q5_K-neon")
EV_Q6_K_ROWS(dot_rows_q6_K_neon, "q6_K-neon")
