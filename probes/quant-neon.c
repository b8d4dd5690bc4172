/* probes/quant-neon.c: f16 rows times f32 activations on base AArch64 NEON
 * (fcvtl widens 4 halves to floats; no FP16 arithmetic needed). */
#include <arm_neon.h>

#include "quant.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_neon);

void dot_rows_f16_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const float *y = act;
	for (int r = 0; r < nr; r++) {
		const float16_t *x = (const void *)((const char *)w + (size_t)r * rb);
		float32x4_t a0 = vdupq_n_f32(0), a1 = a0, a2 = a0, a3 = a0;
		float t = 0;
		int i = 0;
		for (; i + 16 <= n; i += 16) {
			EV_MCA_BEGIN("f16-neon");
			a0 = vfmaq_f32(a0, vcvt_f32_f16(vld1_f16(x + i)), vld1q_f32(y + i));
			a1 = vfmaq_f32(a1, vcvt_f32_f16(vld1_f16(x + i + 4)), vld1q_f32(y + i + 4));
			a2 = vfmaq_f32(a2, vcvt_f32_f16(vld1_f16(x + i + 8)), vld1q_f32(y + i + 8));
			a3 = vfmaq_f32(a3, vcvt_f32_f16(vld1_f16(x + i + 12)), vld1q_f32(y + i + 12));
			EV_MCA_END();
		}
		for (; i < n; i++)
			t += (float)x[i] * y[i];
		out[r] = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3))) + t;
	}
}
