/* probes/flops-dotprod.c: INT8 dot products (ARMv8.2 dotprod: sdot .4s),
 * signed x signed: (1,2,3,4).(1,1,1,-1) = 2 per lane per instruction. */
#include <arm_neon.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_dotprod);

void flops_int8_neon_sdot(uint64_t iters, const struct flops_params *p, double *out)
{
	const int8x16_t a = vreinterpretq_s8_u32(vdupq_n_u32(0x04030201u));
	const int8x16_t b = vreinterpretq_s8_u32(vdupq_n_u32(0xff010101u));
	int32_t tmp[4];
#define DECL(k) int32x4_t x##k = vdupq_n_s32((int32_t)p->start[k]);
#define STEP(k) x##k = vdotq_s32(x##k, a, b);
#define OUT(k)                                                                               \
	vst1q_s32(tmp, x##k);                                                                \
	for (int l = 0; l < 4; l++)                                                          \
		out[k * 4 + l] = (double)tmp[l];
	FLOPS_REP12(DECL)
	for (uint64_t i = 0; i < iters; i++) {
		EV_MCA_BEGIN("flops_int8_neon_sdot");
		FLOPS_REP12(STEP)
		EV_MCA_END();
	}
	FLOPS_REP12(OUT)
}
