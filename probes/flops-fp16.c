/* probes/flops-fp16.c: native FP16 FMA chains (ARMv8.2 asimdhp: fmla .8h). */
#include <arm_neon.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_fp16);

void flops_fp16_neon_fma(uint64_t iters, const struct flops_params *p, double *out)
{
	float16x8_t m = vdupq_n_f16((float16_t)p->mul), a = vdupq_n_f16((float16_t)p->add);
	float16_t tmp[8];
	const double big = flops_acc_scale(2);
	/* x = x + add * mul (FK_FMA_ACC): one fmla, no copy */
#define DECL(k) float16x8_t x##k = vdupq_n_f16((float16_t)(p->start[k] * big));
#define STEP(k) x##k = vfmaq_f16(x##k, a, m);
#define OUT(k)                                                                               \
	vst1q_f16(tmp, x##k);                                                                \
	for (int l = 0; l < 8; l++)                                                          \
		out[k * 8 + l] = (double)tmp[l];
	FLOPS_REP12(DECL)
	for (uint64_t i = 0; i < iters; i++) {
		EV_MCA_BEGIN("flops_fp16_neon_fma");
		FLOPS_REP12(STEP)
		EV_MCA_END();
	}
	FLOPS_REP12(OUT)
}
