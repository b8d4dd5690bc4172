/* probes/quant-rvv.c: RISC-V Vector 1.0 decode kernels (q4_0, q8_0 and f16
 * rows), vector-length agnostic: a q4_0/q8_0 block is 32 quants, which one
 * register group holds at every VLEN the V extension allows (>= 128 bits: e8
 * with LMUL 2). Per block: widening multiplies into int16 (vwmul/vwmacc), one
 * widening reduction into int32 (vwredsum), the two scales in scalar float.
 * f16 halves are widened to f32 with integer operations (the fp16 vector
 * extensions Zvfh/Zvfhmin are not in V 1.0, and qemu 7.2 runs neither), then
 * vfmacc into an f32 accumulator group. No llvm-mca model: LLVM 16 has no
 * RVV scheduling model (docs/methodology.md). */
#include <riscv_vector.h>

#include "quant.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_rvv);

void dot_rows_q8_0_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const size_t vl = __riscv_vsetvl_e8m2(QK);
	for (int r = 0; r < nr; r++) {
		const struct block_q8_0 *x = (const void *)((const char *)w + (size_t)r * rb);
		float s = 0;
		for (int b = 0; b < n / QK; b++) {
			vint8m2_t vx = __riscv_vle8_v_i8m2(x[b].qs, vl);
			vint8m2_t vy = __riscv_vle8_v_i8m2(y[b].qs, vl);
			vint16m4_t p = __riscv_vwmul_vv_i16m4(vx, vy, vl);
			vint32m1_t z = __riscv_vmv_s_x_i32m1(0, 1);
			int32_t acc = __riscv_vmv_x_s_i32m1_i32(__riscv_vwredsum_vs_i16m4_i32m1(p, z, vl));
			s += ev_fp16_to_f32(x[b].d) * ev_fp16_to_f32(y[b].d) * (float)acc;
		}
		out[r] = s;
	}
}

void dot_rows_q4_0_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const size_t vl = __riscv_vsetvl_e8m1(QK / 2);
	for (int r = 0; r < nr; r++) {
		const struct block_q4_0 *x = (const void *)((const char *)w + (size_t)r * rb);
		float s = 0;
		for (int b = 0; b < n / QK; b++) {
			vuint8m1_t q = __riscv_vle8_v_u8m1(x[b].qs, vl);
			/* low nibbles are quants 0..15, high 16..31; both less 8 */
			vint8m1_t lo = __riscv_vsub_vx_i8m1(
				__riscv_vreinterpret_v_u8m1_i8m1(__riscv_vand_vx_u8m1(q, 0x0f, vl)), 8, vl);
			vint8m1_t hi = __riscv_vsub_vx_i8m1(
				__riscv_vreinterpret_v_u8m1_i8m1(__riscv_vsrl_vx_u8m1(q, 4, vl)), 8, vl);
			vint8m1_t y0 = __riscv_vle8_v_i8m1(y[b].qs, vl);
			vint8m1_t y1 = __riscv_vle8_v_i8m1(y[b].qs + QK / 2, vl);
			/* |8 x 128| twice per lane: within int16 */
			vint16m2_t p = __riscv_vwmul_vv_i16m2(lo, y0, vl);
			vint32m1_t z = __riscv_vmv_s_x_i32m1(0, 1);
			int32_t acc;
			p = __riscv_vwmacc_vv_i16m2(p, hi, y1, vl);
			acc = __riscv_vmv_x_s_i32m1_i32(__riscv_vwredsum_vs_i16m2_i32m1(p, z, vl));
			s += ev_fp16_to_f32(x[b].d) * ev_fp16_to_f32(y[b].d) * (float)acc;
		}
		out[r] = s;
	}
}

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
			size_t vl = __riscv_vsetvl_e32m4((size_t)(n - i));
			vfloat32m4_t xf = half_to_f32(__riscv_vle16_v_u16m2(x + i, vl), vl);
			/* tail-undisturbed: lanes past vl keep their sums */
			acc = __riscv_vfmacc_vv_f32m4_tu(acc, xf, __riscv_vle32_v_f32m4(y + i, vl), vl);
			i += (int)vl;
		}
		out[r] = __riscv_vfmv_f_s_f32m1_f32(__riscv_vfredusum_vs_f32m4_f32m1(acc, z, vlmax));
	}
}
