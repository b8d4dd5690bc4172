/* probes/quant-dotprod.c: q4_0 and q8_0 rows times q8_0 activations with the
 * ARMv8.2 dot product (sdot: 16 signed byte products into 4 int32 lanes). */
#include <arm_neon.h>

#include "quant.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_dotprod);

static inline float h2f(ev_fp16 h)
{
	__fp16 v;
	__builtin_memcpy(&v, &h, 2);
	return (float)v;
}

void dot_rows_q4_0_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const uint8x16_t m4 = vdupq_n_u8(0x0f);
	const int8x16_t s8 = vdupq_n_s8(8);
	int nb = n / QK;
	for (int r = 0; r < nr; r++) {
		const struct block_q4_0 *x = (const void *)((const char *)w + (size_t)r * rb);
		float32x4_t acc = vdupq_n_f32(0);
		for (int i = 0; i < nb; i++) {
			EV_MCA_BEGIN("q4_0-dotprod");
			uint8x16_t q = vld1q_u8(x[i].qs);
			int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, m4)), s8);
			int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), s8);
			int32x4_t d = vdotq_s32(vdotq_s32(vdupq_n_s32(0), lo, vld1q_s8(y[i].qs)), hi,
						vld1q_s8(y[i].qs + 16));
			acc = vmlaq_n_f32(acc, vcvtq_f32_s32(d), h2f(x[i].d) * h2f(y[i].d));
			EV_MCA_END();
		}
		out[r] = vaddvq_f32(acc);
	}
}

void dot_rows_q8_0_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	int nb = n / QK;
	for (int r = 0; r < nr; r++) {
		const struct block_q8_0 *x = (const void *)((const char *)w + (size_t)r * rb);
		float32x4_t acc = vdupq_n_f32(0);
		for (int i = 0; i < nb; i++) {
			EV_MCA_BEGIN("q8_0-dotprod");
			int32x4_t d = vdotq_s32(vdotq_s32(vdupq_n_s32(0), vld1q_s8(x[i].qs), vld1q_s8(y[i].qs)),
						vld1q_s8(x[i].qs + 16), vld1q_s8(y[i].qs + 16));
			acc = vmlaq_n_f32(acc, vcvtq_f32_s32(d), h2f(x[i].d) * h2f(y[i].d));
			EV_MCA_END();
		}
		out[r] = vaddvq_f32(acc);
	}
}
