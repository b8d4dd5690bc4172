/* probes/quant-fp16.c: f16 rows with ARMv8.2 half-precision arithmetic
 * (FEAT_FP16: Cortex-A55, A75 and later, Neoverse, Apple): fmla on 8 halves
 * does twice the multiply-adds of the f32 kernel's fmla on 4 floats, and the
 * weights need no widening. The activations are rounded to fp16 once per 32
 * for 4 rows; each row's 4 products per lane are summed in fp16 and then
 * widened into f32 accumulators, so fp16 rounding touches only a sum of 4
 * (about 1e-3 of sum |w x| at worst: the impl's declared tolerance). An
 * activation beyond fp16's range (65504) would overflow: RMS-normalised
 * activations are far inside it. Prefill keeps the f32 GEMM of quant-neon.c. */
#include <arm_neon.h>

#include "quant.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_fp16);

/* 32 activations as 4 x 8 halves. */
static inline void act32(const float *y, float16x8_t h[4])
{
#pragma GCC unroll 4
	for (int k = 0; k < 4; k++)
		h[k] = vcvt_high_f16_f32(vcvt_f16_f32(vld1q_f32(y + 8 * k)), vld1q_f32(y + 8 * k + 4));
}

/* One row's 32 weights against h: 4 products per lane in fp16, widened. */
static inline float32x4_t row32(const float16_t *x, const float16x8_t h[4], float32x4_t acc)
{
	float16x8_t s = vmulq_f16(vld1q_f16(x), h[0]);
	s = vfmaq_f16(s, vld1q_f16(x + 8), h[1]);
	s = vfmaq_f16(s, vld1q_f16(x + 16), h[2]);
	s = vfmaq_f16(s, vld1q_f16(x + 24), h[3]);
	return vaddq_f32(vaddq_f32(acc, vcvt_f32_f16(vget_low_f16(s))), vcvt_high_f32_f16(s));
}

static inline float tail(const float16_t *x, const float *y, int i, int n)
{
	float t = 0;
	for (; i < n; i++)
		t += (float)x[i] * y[i];
	return t;
}

void dot_rows_f16_fp16(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const float *y = act;
	int r = 0;
	for (; r + 4 <= nr; r += 4) {
		const float16_t *x[4];
		float32x4_t acc[4];
		float16x8_t h[4];
		int i = 0;
		for (int k = 0; k < 4; k++) {
			x[k] = (const void *)((const char *)w + (size_t)(r + k) * rb);
			acc[k] = vdupq_n_f32(0);
		}
		for (; i + 32 <= n; i += 32) {
			EV_MCA_BEGIN("f16-fp16");
			act32(y + i, h);
#pragma GCC unroll 4
			for (int k = 0; k < 4; k++) {
				EV_PREFETCH_STREAM(x[k] + i);
				acc[k] = row32(x[k] + i, h, acc[k]);
			}
			EV_MCA_END();
		}
		for (int k = 0; k < 4; k++)
			out[r + k] = vaddvq_f32(acc[k]) + tail(x[k], y, i, n);
	}
	for (; r < nr; r++) {
		const float16_t *x = (const void *)((const char *)w + (size_t)r * rb);
		float32x4_t acc = vdupq_n_f32(0);
		float16x8_t h[4];
		int i = 0;
		for (; i + 32 <= n; i += 32) {
			act32(y + i, h);
			acc = row32(x + i, h, acc);
		}
		out[r] = vaddvq_f32(acc) + tail(x, y, i, n);
	}
}
