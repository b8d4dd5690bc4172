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

/* gcc: build a function as written, for in-order cores (docs/methodology.md,
 * "In-order cores"): no scheduling passes, no expression reordering at
 * expansion, no load-pair peephole (the A55 model charges ldp q 6 cycles);
 * EV_NO_LDP: the last only. clang has no such attribute. Used by the
 * in-order k-quant kernels of kquant-dotprod.c. */
#if defined(__clang__)
#define EV_AS_WRITTEN
#define EV_NO_LDP
#else
#define EV_AS_WRITTEN __attribute__((optimize("no-schedule-insns", "no-schedule-insns2", "no-tree-ter", "no-peephole2")))
#define EV_NO_LDP __attribute__((optimize("no-peephole2")))
#endif

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

/* 4 rows interleaved at load (a group: the 4 rows' fp16 scales, then their
 * quants), two blocks per iteration, each block's conversion and FMA done in
 * the next iteration beside the next blocks' products: on an in-order core
 * (A53, A55) nothing waits for a result of its own iteration. SUMS(group,
 * y0, y1): the 4 rows' int32 sums of a block as one vector; CVT: those sums
 * to float (a plain conversion, or one with fraction bits); rows past the
 * last group of 4 go to TAIL (the one-row kernel of the same format). The
 * activations' scales as floats (ev_act_q8_scales): no conversion per block. */
#define EV_X4_ROWS2(name, GB, region, SUMS, CVT, TAIL)                                        \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)       \
	{                                                                                     \
		const struct block_q8_0 *y = act;                                              \
		const float *yd = ev_act_q8_scales(act, n);                                    \
		int nb = n / QK, g = 0;                                                        \
		for (; g + 4 <= nr; g += 4) {                                                  \
			const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;    \
			float32x4_t acc = vdupq_n_f32(0), d0 = acc, d1 = acc;                  \
			int32x4_t s0 = vdupq_n_s32(0), s1 = s0;                                \
			int b = 0;                                                             \
			for (; b + 2 <= nb; b += 2, p += 2 * (GB)) {                           \
				EV_MCA_BEGIN(region);                                          \
				EV_PREFETCH_STREAM(p);                                         \
				EV_PREFETCH_STREAM(p + (GB));                                  \
				int8x16_t y0 = vld1q_s8(y[b].qs), y1 = vld1q_s8(y[b].qs + 16); \
				int8x16_t u0 = vld1q_s8(y[b + 1].qs), u1 = vld1q_s8(y[b + 1].qs + 16); \
				float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p)); \
				float32x4_t ex = vcvt_f32_f16(                                 \
					vld1_f16((const float16_t *)(const void *)(p + (GB)))); \
				acc = vfmaq_f32(acc, CVT(s0), d0);                             \
				acc = vfmaq_f32(acc, CVT(s1), d1);                             \
				s0 = SUMS(p, y0, y1);                                          \
				s1 = SUMS(p + (GB), u0, u1);                                   \
				d0 = vmulq_n_f32(dx, yd[b]);                                   \
				d1 = vmulq_n_f32(ex, yd[b + 1]);                               \
				EV_MCA_END();                                                  \
			}                                                                      \
			acc = vfmaq_f32(acc, CVT(s0), d0);                                     \
			acc = vfmaq_f32(acc, CVT(s1), d1);                                     \
			if (b < nb) { /* an odd last block */                                  \
				float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p)); \
				s0 = SUMS(p, vld1q_s8(y[b].qs), vld1q_s8(y[b].qs + 16));       \
				acc = vfmaq_f32(acc, CVT(s0), vmulq_n_f32(dx, yd[b]));         \
			}                                                                      \
			vst1q_f32(out + g, acc);                                               \
		}                                                                              \
		if (g < nr)                                                                    \
			TAIL(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);   \
	}

#endif
