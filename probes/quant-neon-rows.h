/* probes/quant-neon-rows.h: q4_0/q8_0 rows times q8_0 activations, two rows
 * at a time so they share each activation load and scale conversion; the
 * per-block dot product is the kernel file's own (sdot, or widening
 * multiplies). Included by quant-neon.c and quant-dotprod.c, each compiled
 * with its own feature flags. */
#ifndef EV_QUANT_NEON_ROWS_H
#define EV_QUANT_NEON_ROWS_H
#include <arm_neon.h>

#include "quant.h"

/* 32 q4_0 nibbles as signed bytes in [-8, 7]: low nibbles (elements 0..15)
 * and high nibbles (16..31). */
static inline void ev_q4_unpack_neon(const uint8_t *qs, int8x16_t *lo, int8x16_t *hi)
{
	uint8x16_t q = vld1q_u8(qs);
	*lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f))), vdupq_n_s8(8));
	*hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), vdupq_n_s8(8));
}

static inline float ev_h2f_neon(ev_fp16 h)
{
	__fp16 v;
	__builtin_memcpy(&v, &h, 2);
	return (float)v;
}

/* Two rows at a time share each activation load and scale conversion. */
#define EV_NEON_ROWS2(name, T, dotfn, region)                                                 \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)       \
	{                                                                                     \
		const struct block_q8_0 *y = act;                                              \
		int nb = n / QK, r = 0;                                                        \
		for (; r + 2 <= nr; r += 2) {                                                  \
			const T *x0 = (const void *)((const char *)w + (size_t)r * rb);        \
			const T *x1 = (const void *)((const char *)w + (size_t)(r + 1) * rb);  \
			float32x4_t a0 = vdupq_n_f32(0), a1 = a0;                              \
			for (int i = 0; i < nb; i++) {                                         \
				EV_MCA_BEGIN(region);                                          \
				int8x16_t y0 = vld1q_s8(y[i].qs), y1 = vld1q_s8(y[i].qs + 16); \
				float dy = ev_h2f_neon(y[i].d);                                        \
				EV_PREFETCH_STREAM(&x0[i]);                                    \
				EV_PREFETCH_STREAM(&x1[i]);                                    \
				a0 = vmlaq_n_f32(a0, vcvtq_f32_s32(dotfn(x0[i].qs, y0, y1)),   \
						 ev_h2f_neon(x0[i].d) * dy);                           \
				a1 = vmlaq_n_f32(a1, vcvtq_f32_s32(dotfn(x1[i].qs, y0, y1)),   \
						 ev_h2f_neon(x1[i].d) * dy);                           \
				EV_MCA_END();                                                  \
			}                                                                      \
			out[r] = vaddvq_f32(a0);                                               \
			out[r + 1] = vaddvq_f32(a1);                                           \
		}                                                                              \
		for (; r < nr; r++) {                                                          \
			const T *x = (const void *)((const char *)w + (size_t)r * rb);         \
			float32x4_t a = vdupq_n_f32(0);                                        \
			for (int i = 0; i < nb; i++)                                           \
				a = vmlaq_n_f32(a,                                             \
						vcvtq_f32_s32(dotfn(x[i].qs, vld1q_s8(y[i].qs), \
								    vld1q_s8(y[i].qs + 16))),   \
						ev_h2f_neon(x[i].d) * ev_h2f_neon(y[i].d));                    \
			out[r] = vaddvq_f32(a);                                                \
		}                                                                              \
	}

#endif
