/* probes/flops-neon.c: FP64 and FP32 FMA chains on 128-bit NEON (fmla), in
 * the accumulator form x += a * m (FK_FMA_ACC): fmla overwrites its addend,
 * so each chain must be the addend to need no register copy. */
#include <arm_neon.h>

#include "flops-kernels.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_flops_neon);

#define FMA_KERNEL(name, VT, ET, LANES, DUP, FMA, STORE)                                     \
	void name(uint64_t iters, const struct flops_params *p, double *out)                 \
	{                                                                                    \
		VT m = DUP((ET)p->mul), a = DUP((ET)p->add);                                 \
		ET tmp[LANES];                                                               \
		const double big = flops_acc_scale(sizeof(ET));                              \
		FLOPS_REP12A(DECL, VT, ET, DUP)                                              \
		for (uint64_t i = 0; i < iters; i++) {                                       \
			EV_MCA_BEGIN(#name);                                                 \
			FLOPS_REP12A(STEP, FMA)                                              \
			EV_MCA_END();                                                        \
		}                                                                            \
		FLOPS_REP12A(OUT, STORE, LANES)                                              \
	}
#define DECL(k, VT, ET, DUP) VT x##k = DUP((ET)(p->start[k] * big));
/* vfmaq(a, b, c) = a + b * c: the chain x = x + add * mul, one fmla */
#define STEP(k, FMA) x##k = FMA(x##k, a, m);
#define OUT(k, STORE, LANES)                                                                 \
	STORE(tmp, x##k);                                                                    \
	for (int l = 0; l < LANES; l++)                                                      \
		out[k * LANES + l] = (double)tmp[l];

FMA_KERNEL(flops_fp64_neon_fma, float64x2_t, double, 2, vdupq_n_f64, vfmaq_f64, vst1q_f64)
FMA_KERNEL(flops_fp32_neon_fma, float32x4_t, float, 4, vdupq_n_f32, vfmaq_f32, vst1q_f32)
