/* probes/kquant-dotprod.c: k-quant rows times q8_K activations with the
 * ARMv8.2 dot product (sdot: 16 signed byte products into 4 int32 lanes);
 * the loops are probes/kquant-neon.h's. */
#include <arm_neon.h>

#include "kernel-file.h"

#define EV_KDOT(acc, a, b) vdotq_s32((acc), (a), (b))
#include "kquant-neon.h"

EV_KERNEL_FILE(kf_kquant_dotprod);

K_AFFINE_ROWS(dot_rows_q4_K_dotprod, struct block_q4_K, q4_K_block, "q4_K-dotprod")
K_AFFINE_ROWS(dot_rows_q5_K_dotprod, struct block_q5_K, q5_K_block, "q5_K-dotprod")
EV_Q6_K_ROWS(dot_rows_q6_K_dotprod, "q6_K-dotprod")
