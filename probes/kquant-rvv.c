/* probes/kquant-rvv.c: RISC-V Vector 1.0 k-quant rows (q4_K, q5_K, q6_K)
 * times q8_K activations, vector-length agnostic as quant-rvv.c: a register
 * group holds the 32 (q4_K, q5_K) or 16 (q6_K) quants of one scale, sized
 * to the core's VLEN (three instances each, vlenb picks). Per scale group:
 * the quants unpacked in vector lanes, widening multiplies into int16
 * (unsigned quants x signed activations), the products widened to floats and
 * added into float lanes scaled by the block's and the group's scales; the
 * minimums (q4_K, q5_K) and q6_K's -32 from the activations' 16-sums in
 * scalar integers; one reduction per row. Speed: `make mca` (LLVM 19's SiFive
 * models, docs/methodology.md). */
#include <riscv_vector.h>
#include <string.h>

#include "kernel-file.h"
#include "quant.h"

EV_KERNEL_FILE(kf_kquant_rvv);

/* q4_K and q5_K share their scales, minimums and the nibbles; q5_K adds the
 * fifth bits (bit 2j of qh[l] for sub-block 2j's element l, bit 2j+1 for
 * 2j+1's). As quant-rvv.c's q4_0/q8_0: no reduction per sub-block (the X280
 * model's vwredsum holds issue 41-49 cycles, and a super-block had 8): each
 * sub-block's int16 products (unsigned quants x signed activations,
 * vwmulsu) are widened to floats and added into float lanes scaled by
 * d x scale x the activations' d (vfmacc.vf); the minimums stay scalar
 * integers from the activations' 16-sums; one reduction per row. The
 * register groups are sized to a sub-block's 32 quants at the core's VLEN
 * (three instances, vlenb picks). */
#define KA_HALF(M8, M16, M32, J, V)                                                          \
	do {                                                                                 \
		uint8_t sc_, mn_;                                                            \
		ev_k_scale_min_inl(J, x[b].scales, &sc_, &mn_);                              \
		iacc = __riscv_vwmacc_vx_i32##M32(                                           \
			iacc, (int16_t)sc_,                                                  \
			__riscv_vwmulsu_vv_i16##M16(__riscv_vle8_v_i8##M8(y[b].qs + 32 * (J), vl), V, vl), vl); \
		mins += mn_ * (y[b].bsums[2 * (J)] + y[b].bsums[2 * (J) + 1]);              \
	} while (0)
/* the fifth bit of sub-block J's element l: bit J of qh[l], moved to bit 4 */
#define KA_BIT5(M8, J) __riscv_vsll_vx_u8##M8(__riscv_vand_vx_u8##M8(__riscv_vsrl_vx_u8##M8(h, J, vl), 1, vl), 4, vl)
#define KA_PAIR(M8, M16, M32, J, Q5)                                                         \
	do {                                                                                 \
		vuint8##M8##_t q_ = __riscv_vle8_v_u8##M8(x[b].qs + 16 * (J), vl);            \
		vuint8##M8##_t lo_ = __riscv_vand_vx_u8##M8(q_, 0x0f, vl);                    \
		vuint8##M8##_t hi_ = __riscv_vsrl_vx_u8##M8(q_, 4, vl);                       \
		if (Q5) {                                                                    \
			lo_ = __riscv_vor_vv_u8##M8(lo_, KA_BIT5(M8, J), vl);                 \
			hi_ = __riscv_vor_vv_u8##M8(hi_, KA_BIT5(M8, (J) + 1), vl);           \
		}                                                                            \
		KA_HALF(M8, M16, M32, J, lo_);                                               \
		KA_HALF(M8, M16, M32, (J) + 1, hi_);                                         \
	} while (0)

/* Rows of k-quant blocks (BT) against q8_K activations: per super-block,
 * BODY(M8, M16, M32) adds the integer products times the groups' integer
 * scales into iacc and its scalar terms into corr; iacc, times d and the
 * activations' d, into the float lanes. VLQ: quants a register group holds
 * (a scale's group). */
#define K_ROWS_RVV(NAME, BT, VLQ, M8, M16, M32, REGION, BODY)                                 \
	static void NAME(int n, const void *w, size_t rb, int nr, const void *act, float *out) \
	{                                                                                      \
		const struct block_q8_K *y = act;                                              \
		const size_t vl = __riscv_vsetvl_e8##M8(VLQ);                                  \
		for (int r = 0; r < nr; r++) {                                                 \
			const BT *x = (const void *)((const char *)w + (size_t)r * rb);        \
			vfloat32##M32##_t acc = __riscv_vfmv_v_f_f32##M32(0, vl);              \
			vfloat32m1_t z = __riscv_vfmv_s_f_f32m1(0, 1);                         \
			float corr = 0;                                                        \
			for (int b = 0; b < n / QK_K; b++) {                                   \
				EV_MCA_BEGIN(REGION);                                          \
				const float dd = ev_h2f(x[b].d) * y[b].d;                      \
				vint32##M32##_t iacc = __riscv_vmv_v_x_i32##M32(0, vl);        \
				BODY(M8, M16, M32);                                            \
				acc = __riscv_vfmacc_vf_f32##M32(acc, dd, __riscv_vfcvt_f_x_v_f32##M32(iacc, vl), vl); \
				EV_MCA_END();                                                  \
			}                                                                      \
			out[r] = __riscv_vfmv_f_s_f32m1_f32(                                   \
					 __riscv_vfredusum_vs_f32##M32##_f32m1(acc, z, vl)) -    \
				 corr;                                                         \
		}                                                                              \
	}

/* q4_K (Q5 0) or q5_K (Q5 1): 4 pairs of sub-blocks, the minimums' term */
#define KA_BODY(M8, M16, M32, Q5)                                                            \
	do {                                                                                 \
		int32_t mins = 0;                                                            \
		vuint8##M8##_t h = Q5 ? __riscv_vle8_v_u8##M8(KA_QH(x[b]), vl) : __riscv_vmv_v_x_u8##M8(0, vl); \
		(void)h;                                                                     \
		KA_PAIR(M8, M16, M32, 0, Q5);                                                \
		KA_PAIR(M8, M16, M32, 2, Q5);                                                \
		KA_PAIR(M8, M16, M32, 4, Q5);                                                \
		KA_PAIR(M8, M16, M32, 6, Q5);                                                \
		corr += ev_h2f(x[b].dmin) * y[b].d * (float)mins;                            \
	} while (0)
#define KA_BODY4(M8, M16, M32) KA_BODY(M8, M16, M32, 0)
#define KA_BODY5(M8, M16, M32) KA_BODY(M8, M16, M32, 1)
/* q4_K has no qh: the load is never made (Q5 0), the expression only typed */
#define KA_QH(blk) ((const uint8_t *)(blk).qs)
K_ROWS_RVV(q4_K_v128, struct block_q4_K, 32, m2, m4, m8, "q4_K-rvv", KA_BODY4)
K_ROWS_RVV(q4_K_v256, struct block_q4_K, 32, m1, m2, m4, "q4_K-rvv-256", KA_BODY4)
K_ROWS_RVV(q4_K_v512, struct block_q4_K, 32, mf2, m1, m2, "q4_K-rvv-512", KA_BODY4)
#undef KA_QH
#define KA_QH(blk) ((blk).qh)
K_ROWS_RVV(q5_K_v128, struct block_q5_K, 32, m2, m4, m8, "q5_K-rvv", KA_BODY5)
K_ROWS_RVV(q5_K_v256, struct block_q5_K, 32, m1, m2, m4, "q5_K-rvv-256", KA_BODY5)
K_ROWS_RVV(q5_K_v512, struct block_q5_K, 32, mf2, m1, m2, "q5_K-rvv-512", KA_BODY5)

EV_RVV_BY_VLEN(dot_rows_q4_K_rvv, q4_K_v128, q4_K_v256, q4_K_v512)

EV_RVV_BY_VLEN(dot_rows_q5_K_rvv, q5_K_v128, q5_K_v256, q5_K_v512)

/* q6_K: per half (128 weights) and per 16 elements l of its 32: ql[l] low and
 * high nibbles are weights l and l+64, ql[l+32]'s l+32 and l+96, qh[l] bits
 * 0-1, 2-3, 4-5, 6-7 their high bits; a scale per 16. As the others: each
 * group of 16's products (the 6-bit quants unsigned, vwmulsu) widened to
 * floats and added into float lanes scaled by d x scale x the activations'
 * d; the quants' -32 taken back per super-block from the activations'
 * 16-sums (group g of 16 is scale g's: sum of scale x bsum, in integers). */
#define Q6_GROUP(M8, M16, M32, H, P, K)                                                      \
	do {                                                                                 \
		vuint8##M8##_t nib_ = (K) & 1 ? c_ : a_;                                      \
		nib_ = (K) >= 2 ? __riscv_vsrl_vx_u8##M8(nib_, 4, vl) : __riscv_vand_vx_u8##M8(nib_, 0x0f, vl); \
		nib_ = __riscv_vor_vv_u8##M8(                                                 \
			nib_,                                                                \
			__riscv_vsll_vx_u8##M8(__riscv_vand_vx_u8##M8(__riscv_vsrl_vx_u8##M8(hb_, 2 * (K), vl), 3, vl), 4, \
					       vl),                                          \
			vl);                                                                 \
		iacc = __riscv_vwmacc_vx_i32##M32(                                           \
			iacc, (int16_t)x[b].scales[8 * (H) + (P) + 2 * (K)],                 \
			__riscv_vwmulsu_vv_i16##M16(                                         \
				__riscv_vle8_v_i8##M8(y[b].qs + 128 * (H) + 16 * (P) + 32 * (K), vl), nib_, vl), \
			vl);                                                                 \
	} while (0)
#define Q6_QUARTERS(M8, M16, M32, H, P)                                                      \
	do {                                                                                 \
		vuint8##M8##_t a_ = __riscv_vle8_v_u8##M8(x[b].ql + 64 * (H) + 16 * (P), vl);  \
		vuint8##M8##_t c_ = __riscv_vle8_v_u8##M8(x[b].ql + 64 * (H) + 16 * (P) + 32, vl); \
		vuint8##M8##_t hb_ = __riscv_vle8_v_u8##M8(x[b].qh + 32 * (H) + 16 * (P), vl); \
		Q6_GROUP(M8, M16, M32, H, P, 0);                                             \
		Q6_GROUP(M8, M16, M32, H, P, 1);                                             \
		Q6_GROUP(M8, M16, M32, H, P, 2);                                             \
		Q6_GROUP(M8, M16, M32, H, P, 3);                                             \
	} while (0)
/* sum of scale x activation 16-sum over groups G..G+3 (written out: a loop
 * would split the body llvm-mca schedules) */
#define Q6_OFF1(G) (x[b].scales[G] * y[b].bsums[G])
#define Q6_OFF4(G) (Q6_OFF1(G) + Q6_OFF1((G) + 1) + Q6_OFF1((G) + 2) + Q6_OFF1((G) + 3))
#define Q6_BODY(M8, M16, M32)                                                                \
	do {                                                                                 \
		Q6_QUARTERS(M8, M16, M32, 0, 0);                                             \
		Q6_QUARTERS(M8, M16, M32, 0, 1);                                             \
		Q6_QUARTERS(M8, M16, M32, 1, 0);                                             \
		Q6_QUARTERS(M8, M16, M32, 1, 1);                                             \
		corr += dd * (float)(32 * (Q6_OFF4(0) + Q6_OFF4(4) + Q6_OFF4(8) + Q6_OFF4(12))); \
	} while (0)
K_ROWS_RVV(q6_K_v128, struct block_q6_K, 16, m1, m2, m4, "q6_K-rvv", Q6_BODY)
K_ROWS_RVV(q6_K_v256, struct block_q6_K, 16, mf2, m1, m2, "q6_K-rvv-256", Q6_BODY)
K_ROWS_RVV(q6_K_v512, struct block_q6_K, 16, mf4, mf2, m1, "q6_K-rvv-512", Q6_BODY)

EV_RVV_BY_VLEN(dot_rows_q6_K_rvv, q6_K_v128, q6_K_v256, q6_K_v512)
