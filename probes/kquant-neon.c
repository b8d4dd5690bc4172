/* probes/kquant-neon.c: k-quant rows times q8_K activations on base AArch64
 * NEON (Cortex-A53/A72: no dot product): widening byte multiplies into int16
 * (smull, smlal2), then one widening pairwise add into int32 (saddlp). The
 * loops are probes/kquant-neon.h's. An int16 lane takes at most 4 products
 * of a quant (q4_K 0..15, q5_K 0..31, q6_K -32..31) and an activation
 * (q8_K: -127..127): 4 x 32 x 127 = 16256 < 32767. */
#include <arm_neon.h>

#include "kernel-file.h"

static inline int32x4_t kdot1_neon(int8x16_t a, int8x16_t b)
{
	return vpaddlq_s16(vmlal_high_s8(vmull_s8(vget_low_s8(a), vget_low_s8(b)), a, b));
}

static inline int32x4_t kdot2_neon(int8x16_t a, int8x16_t b, int8x16_t c, int8x16_t d)
{
	int16x8_t p = vmull_s8(vget_low_s8(a), vget_low_s8(b));
	p = vmlal_high_s8(p, a, b);
	p = vmlal_s8(p, vget_low_s8(c), vget_low_s8(d));
	return vpaddlq_s16(vmlal_high_s8(p, c, d));
}
#define EV_KDOT1(a, b) kdot1_neon((a), (b))
#define EV_KDOT2(a, b, c, d) kdot2_neon((a), (b), (c), (d))
#include "kquant-neon.h"

EV_KERNEL_FILE(kf_kquant_neon);

/* Schedules chosen on the in-order A53 model (the Pi Zero 2 W's and Pi 3's
 * core, where these loops decide the verdict), per 2 super-blocks: q4_K 353
 * cycles with gcc's default (A53) tuning, 323 with the A76's, 299 with the
 * ThunderX3's (27 tunings swept; the A57/A72 model: 101, 102, 103); q6_K 562
 * -> 489 with the A76's; q5_K keeps the default (every other tuning tried
 * loses, but the ThunderX3's: 589 -> 577 on the A53 model, 157 -> 159 on the
 * A72's, not worth a second oddity). */
__attribute__((target("tune=thunderx3t110"))) K_AFFINE_ROWS(dot_rows_q4_K_neon, struct block_q4_K, q4_K_block, "q4_K-neon")
__attribute__((target("tune=cortex-a57"))) K_AFFINE_ROWS(dot_rows_q5_K_neon, struct block_q5_K, q5_K_block, "q5_K-neon")
__attribute__((target("tune=cortex-a76"))) EV_Q6_K_ROWS(dot_rows_q6_K_neon, "q6_K-neon")
