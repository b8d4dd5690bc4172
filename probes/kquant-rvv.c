/* probes/kquant-rvv.c: RISC-V Vector 1.0 k-quant rows (q4_K, q5_K, q6_K)
 * times q8_K activations, vector-length agnostic as quant-rvv.c: every
 * register group holds the 32 (q4_K, q5_K) or 16 (q6_K) quants of one scale
 * at every VLEN the V extension allows (>= 128 bits: e8 with LMUL 2, or 1).
 * Per sub-block: the quants unpacked in vector lanes, widening multiplies
 * into int16 (|31 x 128| and |32 x 128| fit twice over), one widening
 * reduction into int32, the 6- or 8-bit scale applied in scalar integers;
 * the k-quants' minimum term from the activations' 16-sums (bsums), as the
 * scalar reference does. No llvm-mca model: LLVM 16 has no RVV scheduling
 * model (docs/methodology.md). */
#include <riscv_vector.h>
#include <string.h>

#include "kernel-file.h"
#include "quant.h"

EV_KERNEL_FILE(kf_kquant_rvv);

/* sum over 32 lanes of a x b (int8, int8): a widening multiply, a widening
 * reduction */
static inline int32_t dot32(vint8m2_t a, vint8m2_t b, size_t vl)
{
	vint32m1_t z = __riscv_vmv_s_x_i32m1(0, 1);
	return __riscv_vmv_x_s_i32m1_i32(
		__riscv_vwredsum_vs_i16m4_i32m1(__riscv_vwmul_vv_i16m4(a, b, vl), z, vl));
}

/* q4_K and q5_K share their scales, minimums and the nibbles; q5_K adds the
 * fifth bits (bit 2j of qh[l] for sub-block 2j's element l, bit 2j+1 for
 * 2j+1's). */
static inline float k_affine_block(const uint8_t *dd, const uint8_t *scales, const uint8_t *qs,
				   const uint8_t *qh, const struct block_q8_K *y)
{
	const size_t vl = __riscv_vsetvl_e8m2(32);
	vuint8m2_t h = qh ? __riscv_vle8_v_u8m2(qh, vl) : __riscv_vmv_v_x_u8m2(0, vl);
	int32_t acc = 0, mins = 0;
	ev_fp16 d, dmin;
	for (int j = 0; j < 8; j += 2) {
		vuint8m2_t q = __riscv_vle8_v_u8m2(qs + 16 * j, vl);
		vuint8m2_t lo = __riscv_vand_vx_u8m2(q, 0x0f, vl), hi = __riscv_vsrl_vx_u8m2(q, 4, vl);
		uint8_t s0, m0, s1, m1;
		if (qh) {
			lo = __riscv_vor_vv_u8m2(
				lo, __riscv_vsll_vx_u8m2(__riscv_vand_vx_u8m2(__riscv_vsrl_vx_u8m2(h, j, vl), 1, vl), 4, vl),
				vl);
			hi = __riscv_vor_vv_u8m2(
				hi,
				__riscv_vsll_vx_u8m2(__riscv_vand_vx_u8m2(__riscv_vsrl_vx_u8m2(h, j + 1, vl), 1, vl), 4, vl),
				vl);
		}
		ev_k_scale_min(j, scales, &s0, &m0);
		ev_k_scale_min(j + 1, scales, &s1, &m1);
		acc += s0 * dot32(__riscv_vreinterpret_v_u8m2_i8m2(lo), __riscv_vle8_v_i8m2(y->qs + 32 * j, vl), vl);
		acc += s1 * dot32(__riscv_vreinterpret_v_u8m2_i8m2(hi), __riscv_vle8_v_i8m2(y->qs + 32 * j + 32, vl),
				  vl);
		mins += m0 * (y->bsums[2 * j] + y->bsums[2 * j + 1]) + m1 * (y->bsums[2 * j + 2] + y->bsums[2 * j + 3]);
	}
	memcpy(&d, dd, 2);
	memcpy(&dmin, dd + 2, 2);
	return y->d * (ev_h2f(d) * (float)acc - ev_h2f(dmin) * (float)mins);
}

/* rows of q4_K or q5_K blocks (BT; QH: the block's qh, or NULL) */
#define K_AFFINE_RVV_ROWS(name, BT, QH)                                                          \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)          \
	{                                                                                        \
		const struct block_q8_K *y = act;                                                 \
		for (int r = 0; r < nr; r++) {                                                    \
			const BT *x = (const void *)((const char *)w + (size_t)r * rb);           \
			float s = 0;                                                              \
			for (int b = 0; b < n / QK_K; b++)                                        \
				s += k_affine_block((const uint8_t *)&x[b].d, x[b].scales, x[b].qs, \
						    QH, &y[b]);                                   \
			out[r] = s;                                                               \
		}                                                                                 \
	}

K_AFFINE_RVV_ROWS(dot_rows_q4_K_rvv, struct block_q4_K, NULL)
K_AFFINE_RVV_ROWS(dot_rows_q5_K_rvv, struct block_q5_K, x[b].qh)

/* q6_K: per half (128 weights) and per 16 elements l of its 32: ql[l] low and
 * high nibbles are weights l and l+64, ql[l+32]'s l+32 and l+96, qh[l] bits
 * 0-1, 2-3, 4-5, 6-7 their high bits; quants less 32; a scale per 16. */
void dot_rows_q6_K_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	const size_t vl = __riscv_vsetvl_e8m1(16);
	for (int r = 0; r < nr; r++) {
		const struct block_q6_K *x = (const void *)((const char *)w + (size_t)r * rb);
		float s = 0;
		for (int b = 0; b < n / QK_K; b++) {
			int32_t acc = 0;
			for (int h = 0; h < 2; h++)
				for (int p = 0; p < 2; p++) { /* elements 16p..16p+15 of the half's 32 */
					const uint8_t *ql = x[b].ql + 64 * h + 16 * p, *qh = x[b].qh + 32 * h + 16 * p;
					const int8_t *sc = x[b].scales + 8 * h + p, *yy = y[b].qs + 128 * h + 16 * p;
					vuint8m1_t a = __riscv_vle8_v_u8m1(ql, vl), c = __riscv_vle8_v_u8m1(ql + 32, vl);
					vuint8m1_t hb = __riscv_vle8_v_u8m1(qh, vl);
					for (int k = 0; k < 4; k++) { /* quarter k: weights 32k + 16p + i */
						vuint8m1_t nib = k & 1 ? c : a;
						vuint8m1_t v;
						vint32m1_t z = __riscv_vmv_s_x_i32m1(0, 1);
						vint16m2_t prod;
						nib = k >= 2 ? __riscv_vsrl_vx_u8m1(nib, 4, vl) : __riscv_vand_vx_u8m1(nib, 0x0f, vl);
						v = __riscv_vor_vv_u8m1(
							nib,
							__riscv_vsll_vx_u8m1(__riscv_vand_vx_u8m1(__riscv_vsrl_vx_u8m1(hb, 2 * k, vl), 3, vl),
									     4, vl),
							vl);
						prod = __riscv_vwmul_vv_i16m2(
							__riscv_vsub_vx_i8m1(__riscv_vreinterpret_v_u8m1_i8m1(v), 32, vl),
							__riscv_vle8_v_i8m1(yy + 32 * k, vl), vl);
						acc += sc[2 * k] * __riscv_vmv_x_s_i32m1_i32(
									   __riscv_vwredsum_vs_i16m2_i32m1(prod, z, vl));
					}
				}
			s += y[b].d * ev_h2f(x[b].d) * (float)acc;
		}
		out[r] = s;
	}
}
