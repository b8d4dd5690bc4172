/* probes/flops-rvv.c: FP64 and FP32 FMA chains on the RISC-V Vector extension
 * (vfmacc.vv, LMUL 1). vfmacc adds into its destination, so the chains are in
 * the accumulator form x = x + a * m (FK_FMA_ACC, as on NEON). The vector
 * length is the core's (VLEN >= 128 bits), known at run time: lanes per chain
 * come from vsetvlmax (flops_table's vlanes). */
#include <riscv_vector.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_rvv);

int flops_rvv_lanes_f64(void)
{
	return (int)__riscv_vsetvlmax_e64m1();
}

int flops_rvv_lanes_f32(void)
{
	return (int)__riscv_vsetvlmax_e32m1();
}

#define RVV_FMA_KERNEL(name, VT, ET, SFX, VLMAX)                                             \
	void name(uint64_t iters, const struct flops_params *p, double *out)                 \
	{                                                                                    \
		const size_t vl = VLMAX();                                                   \
		const VT m = __riscv_vfmv_v_f_##SFX((ET)p->mul, vl);                         \
		const VT a = __riscv_vfmv_v_f_##SFX((ET)p->add, vl);                         \
		const double big = flops_acc_scale(sizeof(ET));                              \
		ET tmp[FLOPS_MAX_LANES];                                                     \
		FLOPS_REP12A(RVV_DECL_, VT, ET, SFX)                                         \
		for (uint64_t i = 0; i < iters; i++) {                                       \
			EV_MCA_BEGIN(#name);                                                 \
			FLOPS_REP12A(RVV_STEP_, SFX)                                         \
			EV_MCA_END();                                                        \
		}                                                                            \
		FLOPS_REP12A(RVV_OUT_, SFX)                                                  \
	}
#define RVV_DECL_(k, VT, ET, SFX) VT x##k = __riscv_vfmv_v_f_##SFX((ET)(p->start[k] * big), vl);
#define RVV_STEP_(k, SFX) x##k = __riscv_vfmacc_vv_##SFX(x##k, a, m, vl);
#define RVV_OUT_(k, SFX)                                                                     \
	__riscv_vse##SFX##_store(tmp, x##k, vl);                                             \
	for (size_t l = 0; l < vl; l++)                                                      \
		out[k * vl + l] = (double)tmp[l];
#define __riscv_vsef64m1_store(p, v, vl) __riscv_vse64_v_f64m1(p, v, vl)
#define __riscv_vsef32m1_store(p, v, vl) __riscv_vse32_v_f32m1(p, v, vl)

RVV_FMA_KERNEL(flops_fp64_rvv_fma, vfloat64m1_t, double, f64m1, __riscv_vsetvlmax_e64m1)
RVV_FMA_KERNEL(flops_fp32_rvv_fma, vfloat32m1_t, float, f32m1, __riscv_vsetvlmax_e32m1)
