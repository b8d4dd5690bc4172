/* probes/quant-rvv.c: RISC-V Vector 1.0 decode kernels (q4_0, q8_0 and f16
 * rows), vector-length agnostic: a q4_0/q8_0 block is 32 quants, which one
 * register group holds at every VLEN the V extension allows (>= 128 bits: e8
 * with LMUL 2). Per block: widening multiplies into int16 (vwmul/vwmacc), one
 * widening reduction into int32 (vwredsum), the two scales in scalar float.
 * f16 halves are widened to f32 with integer operations (the fp16 vector
 * extensions Zvfh/Zvfhmin are not in V 1.0, and qemu 7.2 runs neither), then
 * vfmacc into an f32 accumulator group. Speed: `make mca` on LLVM 19's
 * SiFive X280 and P670 models (scripts/mca.sh; LLVM 16 has no RVV model). */
#include <riscv_vector.h>
#include <string.h>

#include "quant.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_rvv);

/* q8_0 and q4_0 blocks without a reduction per block. A widening reduction
 * (vwredsum) is what a block sum would cost, and on an in-order core it is
 * the whole loop: 41-49 cycles of issue on LLVM 19's SiFive X280 model, at
 * any LMUL (scripts/mca.sh). Instead each block's int16 products are widened
 * to floats (vfwcvt) and added into float lanes, scaled by the block's two
 * scales (vfmacc.vf); one reduction per row. 4 blocks per iteration, in 4
 * accumulators (an in-order core waits on nothing of its own block). The
 * register groups are sized to the 32 quants of a block at this VLEN (e8:
 * LMUL 2 at 128 bits, 1 at 256, 1/2 from 512), so a wide core does not run
 * a group 4 times larger than the block: three instances, picked by vlenb.
 * q4_0's -8 is taken back per block from the activation sums (d x sum(q)),
 * and its nibbles multiply unsigned (vwmulsu). */
/* One block in phases (quants in, products, floats, accumulate), so the 4
 * blocks of an iteration can go phase by phase: the source order is the
 * schedule an in-order core gets (every phase's latency, 8 cycles on the
 * X280 model, covered by the other 3 blocks' instructions of that phase). */
#define Q8_LOAD(M8, M16, K, B)                                                               \
	vint16##M16##_t p##K = __riscv_vwmul_vv_i16##M16(__riscv_vle8_v_i8##M8(x[B].qs, vl),  \
							   __riscv_vle8_v_i8##M8(y[B].qs, vl), vl); \
	float d##K = ev_h2f(x[B].d) * ys[B];
#define Q4_LOAD(M8, M16, K, B)                                                               \
	vuint8##M8##_t q##K = __riscv_vle8_v_u8##M8(x[B].qs, vl);                             \
	vint16##M16##_t p##K = __riscv_vwmulsu_vv_i16##M16(__riscv_vle8_v_i8##M8(y[B].qs, vl),  \
							     __riscv_vand_vx_u8##M8(q##K, 0x0f, vl), vl); \
	float h##K = ev_h2f(x[B].d), d##K = h##K * ys[B];                                        \
	p##K = __riscv_vwmaccsu_vv_i16##M16(p##K, __riscv_vle8_v_i8##M8(y[B].qs + QK / 2, vl),  \
					    __riscv_vsrl_vx_u8##M8(q##K, 4, vl), vl);           \
	corr += h##K * sums[B];
#define Q_ACC(M32, A, K) A = __riscv_vfmacc_vf_f32##M32(A, d##K, __riscv_vfwcvt_f_x_v_f32##M32(p##K, vl), vl);

#define Q_ROWS_RVV(NAME, BT, LOAD, ELEMS, M8, M16, M32, NBLK, REGION, RESULT)                  \
	static void NAME(int n, const void *w, size_t rb, int nr, const void *act, float *out) \
	{                                                                                      \
		const struct block_q8_0 *y = act;                                              \
		const float *ys = ev_act_q8_scales(act, n), *sums = ev_act_q8_sums(act, n);    \
		const size_t vl = __riscv_vsetvl_e8##M8(ELEMS);                                \
		const int nb = n / QK;                                                         \
		(void)sums;                                                                    \
		for (int r = 0; r < nr; r++) {                                                 \
			const BT *x = (const void *)((const char *)w + (size_t)r * rb);        \
			vfloat32##M32##_t a0 = __riscv_vfmv_v_f_f32##M32(0, vl), a1 = a0, a2 = a0, a3 = a0; \
			vfloat32m1_t z = __riscv_vfmv_s_f_f32m1(0, 1);                         \
			float corr = 0;                                                        \
			int b = 0;                                                             \
			for (; b + NBLK <= nb; b += NBLK) {                                    \
				EV_MCA_BEGIN(REGION);                                          \
				LOAD(M8, M16, 0, b)                                            \
				LOAD(M8, M16, 1, b + 1)                                        \
				if (NBLK == 4) {                                               \
					LOAD(M8, M16, 2, b + 2)                                \
					LOAD(M8, M16, 3, b + 3)                                \
					Q_ACC(M32, a2, 2)                                      \
					Q_ACC(M32, a3, 3)                                      \
				}                                                              \
				Q_ACC(M32, a0, 0)                                              \
				Q_ACC(M32, a1, 1)                                              \
				EV_MCA_END();                                                  \
			}                                                                      \
			for (; b < nb; b++) {                                                  \
				LOAD(M8, M16, 0, b)                                            \
				Q_ACC(M32, a0, 0)                                              \
			}                                                                      \
			a0 = __riscv_vfadd_vv_f32##M32(__riscv_vfadd_vv_f32##M32(a0, a1, vl),  \
						       __riscv_vfadd_vv_f32##M32(a2, a3, vl), vl); \
			(void)corr;                                                            \
			out[r] = RESULT;                                                       \
		}                                                                              \
	}
#define Q_SUM(M32) __riscv_vfmv_f_s_f32m1_f32(__riscv_vfredusum_vs_f32##M32##_f32m1(a0, z, vl))

Q_ROWS_RVV(q8_0_v128, struct block_q8_0, Q8_LOAD, QK, m2, m4, m8, 2, "q8_0-rvv", Q_SUM(m8))
Q_ROWS_RVV(q8_0_v256, struct block_q8_0, Q8_LOAD, QK, m1, m2, m4, 4, "q8_0-rvv-256", Q_SUM(m4))
Q_ROWS_RVV(q8_0_v512, struct block_q8_0, Q8_LOAD, QK, mf2, m1, m2, 4, "q8_0-rvv-512", Q_SUM(m2))
Q_ROWS_RVV(q4_0_v128, struct block_q4_0, Q4_LOAD, QK / 2, m1, m2, m4, 2, "q4_0-rvv", Q_SUM(m4) - 8 * corr)
Q_ROWS_RVV(q4_0_v256, struct block_q4_0, Q4_LOAD, QK / 2, mf2, m1, m2, 4, "q4_0-rvv-256", Q_SUM(m2) - 8 * corr)
Q_ROWS_RVV(q4_0_v512, struct block_q4_0, Q4_LOAD, QK / 2, mf4, mf2, m1, 4, "q4_0-rvv-512", Q_SUM(m1) - 8 * corr)

EV_RVV_BY_VLEN(dot_rows_q8_0_rvv, q8_0_v128, q8_0_v256, q8_0_v512)

EV_RVV_BY_VLEN(dot_rows_q4_0_rvv, q4_0_v128, q4_0_v256, q4_0_v512)

/* IEEE half bits (zero-extended to 32) to float bits: normal numbers move
 * their exponent bias, infinities and NaNs keep an all-ones exponent,
 * zeros and subnormals are exact as mantissa x 2^-24. */
static inline vfloat32m4_t half_to_f32(vuint16m2_t h, size_t vl)
{
	vuint32m4_t u = __riscv_vzext_vf2_u32m4(h, vl);
	vuint32m4_t sign = __riscv_vsll_vx_u32m4(__riscv_vand_vx_u32m4(u, 0x8000, vl), 16, vl);
	vuint32m4_t em = __riscv_vand_vx_u32m4(u, 0x7fff, vl);
	vuint32m4_t normal = __riscv_vadd_vx_u32m4(__riscv_vsll_vx_u32m4(em, 13, vl), 0x38000000u, vl);
	vuint32m4_t special = __riscv_vor_vx_u32m4(__riscv_vsll_vx_u32m4(em, 13, vl), 0x7f800000u, vl);
	vfloat32m4_t sub = __riscv_vfmul_vf_f32m4(__riscv_vfcvt_f_xu_v_f32m4(em, vl), 0x1p-24f, vl);
	vbool8_t is_sub = __riscv_vmsltu_vx_u32m4_b8(em, 0x400, vl);
	vbool8_t is_special = __riscv_vmsgeu_vx_u32m4_b8(em, 0x7c00, vl);
	vuint32m4_t bits = __riscv_vmerge_vvm_u32m4(normal, special, is_special, vl);
	bits = __riscv_vmerge_vvm_u32m4(bits, __riscv_vreinterpret_v_f32m4_u32m4(sub), is_sub, vl);
	return __riscv_vreinterpret_v_u32m4_f32m4(__riscv_vor_vv_u32m4(bits, sign, vl));
}

void dot_rows_f16_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const float *y = act;
	for (int r = 0; r < nr; r++) {
		const uint16_t *x = (const void *)((const char *)w + (size_t)r * rb);
		size_t vlmax = __riscv_vsetvlmax_e32m4();
		vfloat32m4_t acc = __riscv_vfmv_v_f_f32m4(0, vlmax);
		vfloat32m1_t z = __riscv_vfmv_s_f_f32m1(0, 1);
		for (int i = 0; i < n;) {
			EV_MCA_BEGIN("f16-rvv");
			size_t vl = __riscv_vsetvl_e32m4((size_t)(n - i));
			vfloat32m4_t xf = half_to_f32(__riscv_vle16_v_u16m2(x + i, vl), vl);
			/* tail-undisturbed: lanes past vl keep their sums */
			acc = __riscv_vfmacc_vv_f32m4_tu(acc, xf, __riscv_vle32_v_f32m4(y + i, vl), vl);
			i += (int)vl;
			EV_MCA_END();
		}
		out[r] = __riscv_vfmv_f_s_f32m1_f32(__riscv_vfredusum_vs_f32m4_f32m1(acc, z, vlmax));
	}
}
