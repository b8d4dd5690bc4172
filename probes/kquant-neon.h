/* probes/kquant-neon.h: k-quant rows (q4_K, q5_K, q6_K) times q8_K
 * activations on AArch64, for the NEON and dot-product kernel files: the
 * includer defines EV_KDOT(acc, a, b) (acc + products of 16 signed bytes a
 * and b, as 4 int32 lanes: sdot, or widening multiplies), then instantiates
 * the rows functions. The quants are small enough to be signed bytes as they
 * are (q4_K 0..15, q5_K 0..31; q6_K is centred to -32..31 before the dot, so
 * it needs no offset term); a sub-block's int32 lanes are scaled by its
 * 6-bit (or int8) scale with one multiply-accumulate (only the lanes' total
 * matters, so how EV_KDOT groups its products does not), and q4_K/q5_K's
 * minimum comes from the activations' 16-element sums. Two rows at a time
 * share the activation loads. */
#ifndef EV_KQUANT_NEON_H
#define EV_KQUANT_NEON_H
#include <arm_neon.h>
#include <string.h>

#include "quant-neon-rows.h"
#include "quant.h"

/* The 8 scales and 8 mins of a q4_K/q5_K block (the 6-bit fields of
 * scales[12], probes/kquant.c). */
static inline void k_scales(const uint8_t *q, uint8_t sc[8], uint8_t mn[8])
{
	uint32_t u[3], s[2], m[2];
	memcpy(u, q, 12);
	s[0] = u[0] & 0x3f3f3f3f;
	s[1] = (u[2] & 0x0f0f0f0f) | (((u[0] >> 6) & 0x03030303) << 4);
	m[0] = u[1] & 0x3f3f3f3f;
	m[1] = ((u[2] >> 4) & 0x0f0f0f0f) | (((u[1] >> 6) & 0x03030303) << 4);
	memcpy(sc, s, 8);
	memcpy(mn, m, 8);
}

/* sum_j m[j] * (bsums[2j] + bsums[2j+1]) */
static inline int32_t mins_dot(const uint8_t mn[8], const int16_t *bsums)
{
	int16x8_t pairs = vpaddq_s16(vld1q_s16(bsums), vld1q_s16(bsums + 8));
	int16x8_t m = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(mn)));
	int32x4_t p = vmull_s16(vget_low_s16(pairs), vget_low_s16(m));
	p = vmlal_s16(p, vget_high_s16(pairs), vget_high_s16(m));
	return vaddvq_s32(p);
}

/* one q4_K super-block: int32 lanes of sum sc * q * y */
static inline int32x4_t q4_K_block(const struct block_q4_K *x, const int8_t *y, const uint8_t sc[8])
{
	const uint8x16_t m4 = vdupq_n_u8(0x0f);
	int32x4_t acc = vdupq_n_s32(0);
	for (int k = 0; k < 4; k++) {
		uint8x16_t q0 = vld1q_u8(x->qs + 32 * k), q1 = vld1q_u8(x->qs + 32 * k + 16);
		int32x4_t lo = EV_KDOT(vdupq_n_s32(0), vreinterpretq_s8_u8(vandq_u8(q0, m4)), vld1q_s8(y + 64 * k));
		int32x4_t hi = EV_KDOT(vdupq_n_s32(0), vreinterpretq_s8_u8(vshrq_n_u8(q0, 4)), vld1q_s8(y + 64 * k + 32));
		lo = EV_KDOT(lo, vreinterpretq_s8_u8(vandq_u8(q1, m4)), vld1q_s8(y + 64 * k + 16));
		hi = EV_KDOT(hi, vreinterpretq_s8_u8(vshrq_n_u8(q1, 4)), vld1q_s8(y + 64 * k + 48));
		acc = vmlaq_n_s32(acc, lo, sc[2 * k]);
		acc = vmlaq_n_s32(acc, hi, sc[2 * k + 1]);
	}
	return acc;
}

static inline int32x4_t q5_K_block(const struct block_q5_K *x, const int8_t *y, const uint8_t sc[8])
{
	const uint8x16_t m4 = vdupq_n_u8(0x0f), one = vdupq_n_u8(1);
	uint8x16_t h0 = vld1q_u8(x->qh), h1 = vld1q_u8(x->qh + 16);
	int32x4_t acc = vdupq_n_s32(0);
	for (int k = 0; k < 4; k++) {
		uint8x16_t q0 = vld1q_u8(x->qs + 32 * k), q1 = vld1q_u8(x->qs + 32 * k + 16);
		uint8x16_t l0 = vorrq_u8(vandq_u8(q0, m4), vshlq_n_u8(vandq_u8(h0, one), 4));
		uint8x16_t l1 = vorrq_u8(vandq_u8(q1, m4), vshlq_n_u8(vandq_u8(h1, one), 4));
		uint8x16_t u0 = vorrq_u8(vshrq_n_u8(q0, 4), vshlq_n_u8(vandq_u8(vshrq_n_u8(h0, 1), one), 4));
		uint8x16_t u1 = vorrq_u8(vshrq_n_u8(q1, 4), vshlq_n_u8(vandq_u8(vshrq_n_u8(h1, 1), one), 4));
		int32x4_t lo = EV_KDOT(vdupq_n_s32(0), vreinterpretq_s8_u8(l0), vld1q_s8(y + 64 * k));
		int32x4_t hi = EV_KDOT(vdupq_n_s32(0), vreinterpretq_s8_u8(u0), vld1q_s8(y + 64 * k + 32));
		lo = EV_KDOT(lo, vreinterpretq_s8_u8(l1), vld1q_s8(y + 64 * k + 16));
		hi = EV_KDOT(hi, vreinterpretq_s8_u8(u1), vld1q_s8(y + 64 * k + 48));
		acc = vmlaq_n_s32(acc, lo, sc[2 * k]);
		acc = vmlaq_n_s32(acc, hi, sc[2 * k + 1]);
		h0 = vshrq_n_u8(h0, 2);
		h1 = vshrq_n_u8(h1, 2);
	}
	return acc;
}

#define K_AFFINE_ROWS(name, BT, BLOCK, region)                                                \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)       \
	{                                                                                     \
		const struct block_q8_K *y = act;                                              \
		int nb = n / QK_K, r = 0;                                                      \
		for (; r + 2 <= nr; r += 2) {                                                  \
			const BT *x0 = (const void *)((const char *)w + (size_t)r * rb);       \
			const BT *x1 = (const void *)((const char *)w + (size_t)(r + 1) * rb); \
			float32x4_t a0 = vdupq_n_f32(0), a1 = a0;                              \
			float m0 = 0, m1 = 0;                                                  \
			for (int i = 0; i < nb; i++) {                                         \
				uint8_t sc0[8], mn0[8], sc1[8], mn1[8];                        \
				EV_MCA_BEGIN(region);                                          \
				EV_PREFETCH_BLOCK(&x0[i], sizeof x0[i]);                                    \
				EV_PREFETCH_BLOCK(&x1[i], sizeof x1[i]);                                    \
				k_scales(x0[i].scales, sc0, mn0);                              \
				k_scales(x1[i].scales, sc1, mn1);                              \
				a0 = vmlaq_n_f32(a0, vcvtq_f32_s32(BLOCK(&x0[i], y[i].qs, sc0)), \
						 y[i].d * ev_h2f_neon(x0[i].d));               \
				a1 = vmlaq_n_f32(a1, vcvtq_f32_s32(BLOCK(&x1[i], y[i].qs, sc1)), \
						 y[i].d * ev_h2f_neon(x1[i].d));               \
				m0 += y[i].d * ev_h2f_neon(x0[i].dmin) * (float)mins_dot(mn0, y[i].bsums); \
				m1 += y[i].d * ev_h2f_neon(x1[i].dmin) * (float)mins_dot(mn1, y[i].bsums); \
				EV_MCA_END();                                                  \
			}                                                                      \
			out[r] = vaddvq_f32(a0) - m0;                                          \
			out[r + 1] = vaddvq_f32(a1) - m1;                                      \
		}                                                                              \
		for (; r < nr; r++) {                                                          \
			const BT *x = (const void *)((const char *)w + (size_t)r * rb);        \
			float32x4_t a = vdupq_n_f32(0);                                        \
			float m = 0;                                                           \
			for (int i = 0; i < nb; i++) {                                         \
				uint8_t sc[8], mn[8];                                          \
				k_scales(x[i].scales, sc, mn);                                 \
				a = vmlaq_n_f32(a, vcvtq_f32_s32(BLOCK(&x[i], y[i].qs, sc)),   \
						y[i].d * ev_h2f_neon(x[i].d));                 \
				m += y[i].d * ev_h2f_neon(x[i].dmin) * (float)mins_dot(mn, y[i].bsums); \
			}                                                                      \
			out[r] = vaddvq_f32(a) - m;                                            \
		}                                                                              \
	}

/* q6_K: per half, 4 quarters of 32 weights from ql (4 low bits) and qh (2
 * high bits, fields 0-1, 2-3, 4-5, 6-7 for the quarters), centred by -32;
 * each 16 weights is one scale group. */
static inline int32x4_t q6_K_block(const struct block_q6_K *x, const int8_t *y)
{
	const uint8x16_t m4 = vdupq_n_u8(0x0f), m3 = vdupq_n_u8(0x30);
	const int8x16_t c32 = vdupq_n_s8(32);
	int32x4_t acc = vdupq_n_s32(0);
	for (int h = 0; h < 2; h++) {
		const uint8_t *ql = x->ql + 64 * h, *qh = x->qh + 32 * h;
		const int8_t *sc = x->scales + 8 * h, *yy = y + 128 * h;
		for (int p = 0; p < 2; p++) { /* weights 16p..16p+15 of each quarter */
			uint8x16_t l0 = vld1q_u8(ql + 16 * p), l1 = vld1q_u8(ql + 32 + 16 * p);
			uint8x16_t hb = vld1q_u8(qh + 16 * p);
			int8x16_t q[4];
			q[0] = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vandq_u8(l0, m4), vandq_u8(vshlq_n_u8(hb, 4), m3))), c32);
			q[1] = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vandq_u8(l1, m4), vandq_u8(vshlq_n_u8(hb, 2), m3))), c32);
			q[2] = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(l0, 4), vandq_u8(hb, m3))), c32);
			q[3] = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(l1, 4), vandq_u8(vshrq_n_u8(hb, 2), m3))), c32);
			for (int s = 0; s < 4; s++)
				acc = vmlaq_n_s32(acc, EV_KDOT(vdupq_n_s32(0), q[s], vld1q_s8(yy + 32 * s + 16 * p)),
						  sc[2 * s + p]);
		}
	}
	return acc;
}

#define EV_Q6_K_ROWS(name, region)                                                      \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)        \
	{                                                                                      \
		const struct block_q8_K *y = act;                                                     \
		int nb = n / QK_K, r = 0;                                                             \
		for (; r + 2 <= nr; r += 2) {                                                         \
			const struct block_q6_K *x0 = (const void *)((const char *)w + (size_t)r * rb);      \
			const struct block_q6_K *x1 = (const void *)((const char *)w + (size_t)(r + 1) * rb);\
			float32x4_t a0 = vdupq_n_f32(0), a1 = a0;                                            \
			for (int i = 0; i < nb; i++) {                                                       \
				EV_MCA_BEGIN(region);                                                               \
				EV_PREFETCH_BLOCK(&x0[i], sizeof x0[i]);                                                         \
				EV_PREFETCH_BLOCK(&x1[i], sizeof x1[i]);                                                         \
				a0 = vmlaq_n_f32(a0, vcvtq_f32_s32(q6_K_block(&x0[i], y[i].qs)), y[i].d * ev_h2f_neon(x0[i].d));\
				a1 = vmlaq_n_f32(a1, vcvtq_f32_s32(q6_K_block(&x1[i], y[i].qs)), y[i].d * ev_h2f_neon(x1[i].d));\
				EV_MCA_END();                                                                       \
			}                                                                                    \
			out[r] = vaddvq_f32(a0);                                                             \
			out[r + 1] = vaddvq_f32(a1);                                                         \
		}                                                                                     \
		for (; r < nr; r++) {                                                                 \
			const struct block_q6_K *x = (const void *)((const char *)w + (size_t)r * rb);       \
			float32x4_t a = vdupq_n_f32(0);                                                      \
			for (int i = 0; i < nb; i++)                                                         \
				a = vmlaq_n_f32(a, vcvtq_f32_s32(q6_K_block(&x[i], y[i].qs)), y[i].d * ev_h2f_neon(x[i].d));\
			out[r] = vaddvq_f32(a);                                                              \
		}                                                                                     \
	}

#endif
