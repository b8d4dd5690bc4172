/* probes/flops-sve.c: FP64 and FP32 FMA chains on SVE (fmla/fmad z.d, z.s).
 * The vector length is a property of the core (128 to 2048 bits), known only
 * at run time: the lanes per chain, and so the FLOP per step, come from
 * svcntd()/svcntw() (flops_table's vlanes), never from a constant. */
#include <arm_sve.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_sve);

int flops_sve_lanes_f64(void)
{
	return (int)svcntd();
}

int flops_sve_lanes_f32(void)
{
	return (int)svcntw();
}

#define SVE_FMA_KERNEL(name, VT, ET, DUP, CNT, PTRUE)                                        \
	void name(uint64_t iters, const struct flops_params *p, double *out)                 \
	{                                                                                    \
		const svbool_t pg = PTRUE();                                                 \
		const VT m = DUP((ET)p->mul), a = DUP((ET)p->add);                           \
		const int lanes = (int)CNT();                                                \
		ET tmp[FLOPS_MAX_LANES];                                                     \
		FLOPS_REP12A(SVE_DECL_, VT, ET, DUP)                                         \
		for (uint64_t i = 0; i < iters; i++) {                                       \
			FLOPS_REP12(SVE_STEP_)                                               \
		}                                                                            \
		FLOPS_REP12(SVE_OUT_)                                                        \
	}
#define SVE_DECL_(k, VT, ET, DUP) VT x##k = DUP((ET)p->start[k]);
#define SVE_STEP_(k) x##k = svmad_x(pg, x##k, m, a);
#define SVE_OUT_(k)                                                                          \
	svst1(pg, tmp, x##k);                                                                \
	for (int l = 0; l < lanes; l++)                                                      \
		out[k * lanes + l] = (double)tmp[l];

SVE_FMA_KERNEL(flops_fp64_sve_fma, svfloat64_t, double, svdup_f64, svcntd, svptrue_b64)
SVE_FMA_KERNEL(flops_fp32_sve_fma, svfloat32_t, float, svdup_f32, svcntw, svptrue_b32)
