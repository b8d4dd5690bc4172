/* probes/kquant-neon.h: k-quant rows (q4_K, q5_K, q6_K) times q8_K
 * activations on AArch64, for the NEON and dot-product kernel files: the
 * includer defines EV_KDOT1(a, b) (the products of 16 signed bytes a and b,
 * as 4 int32 lanes) and EV_KDOT2(a, b, c, d) (a.b + c.d over 32 bytes): sdot,
 * or widening multiplies. The quants are small enough to be signed bytes as
 * they are (q4_K 0..15, q5_K 0..31; q6_K is centred to -32..31 before the
 * dot, so it needs no offset term); only a sub-block's total matters, so how
 * the lanes group its products does not. The 8 sub-block sums of a q4_K/q5_K
 * super-block are folded into lanes with pairwise adds and scaled by the
 * unpacked scales with one multiply and one multiply-add; q4_K/q5_K's
 * minimum comes from the activations' 16-element sums. Two rows at a time
 * share the activation loads. */
#ifndef EV_KQUANT_NEON_H
#define EV_KQUANT_NEON_H
#include <arm_neon.h>
#include <string.h>

#include "quant-neon-rows.h"
#include "quant.h"

/* Every loop inside a super-block is unrolled: gcc -O2 keeps the 4-pass
 * loops as loops, and a loop inside the marked body is scheduled once by
 * llvm-mca (scripts/mca.sh prints such a loop's figures as bounds, and
 * test-mca fails on a kernel with one). The blocks are always inlined for the
 * same reason: a call is not followed. */
#define EV_K_UNROLL _Pragma("GCC unroll 4")

/* The 8 scales and 8 mins of a q4_K/q5_K block (the 6-bit fields of
 * scales[12], probes/kquant.c) unpacked in vector lanes, scales as int32 in
 * *s0 (sub-blocks 0-3) and *s1 (4-7), mins as int16 in *mn: no trip through
 * general registers and the stack. Bytes b0..b11: scale j < 4 is b[j] & 63,
 * min j < 4 b[4+j] & 63; scale 4+j is (b[8+j] & 15) | (b[j] >> 6) << 4, min
 * 4+j (b[8+j] >> 4) | (b[4+j] >> 6) << 4. */
static inline void k_scales_v(const uint8_t *q, int32x4_t *s0, int32x4_t *s1, int16x8_t *mn)
{
	uint32_t h32;
	memcpy(&h32, q + 8, 4);
	uint8x8_t a = vld1_u8(q), h = vreinterpret_u8_u32(vdup_n_u32(h32));
	uint8x8_t hh = vreinterpret_u8_u32(vzip1_u32(vreinterpret_u32_u8(vand_u8(h, vdup_n_u8(15))),
						     vreinterpret_u32_u8(vshr_n_u8(h, 4))));
	uint32x2_t x = vreinterpret_u32_u8(vand_u8(a, vdup_n_u8(63)));                 /* sc0-3, mn0-3 */
	uint32x2_t y = vreinterpret_u32_u8(vorr_u8(hh, vshl_n_u8(vshr_n_u8(a, 6), 4))); /* sc4-7, mn4-7 */
	uint16x8_t sc = vmovl_u8(vreinterpret_u8_u32(vzip1_u32(x, y)));
	*s0 = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(sc)));
	*s1 = vreinterpretq_s32_u32(vmovl_high_u16(sc));
	*mn = vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vzip2_u32(x, y))));
}

/* m[j] * (bsums[2j] + bsums[2j+1]) as 4 int32 lanes (pairs: the 8 sub-block
 * sums, computed once for both rows) */
static inline int32x4_t mins_dot(int16x8_t m, int16x8_t pairs)
{
	int32x4_t p = vmull_s16(vget_low_s16(pairs), vget_low_s16(m));
	return vmlal_high_s16(p, pairs, m);
}

/* 32 bytes of 4-bit quants at qs against 64 activations at y: the partial
 * sums of sub-blocks 2k and 2k+1 as one vector [2k, 2k, 2k+1, 2k+1] */
#define Q4K_PASS(qs, yk, out)                                                                \
	do {                                                                                 \
		uint8x16_t q0_ = vld1q_u8(qs), q1_ = vld1q_u8((qs) + 16);                     \
		int32x4_t lo_ = EV_KDOT2(vreinterpretq_s8_u8(vandq_u8(q0_, m4)), vld1q_s8(yk),   \
					 vreinterpretq_s8_u8(vandq_u8(q1_, m4)), vld1q_s8((yk) + 16)); \
		int32x4_t hi_ = EV_KDOT2(vreinterpretq_s8_u8(vshrq_n_u8(q0_, 4)), vld1q_s8((yk) + 32), \
					 vreinterpretq_s8_u8(vshrq_n_u8(q1_, 4)), vld1q_s8((yk) + 48)); \
		out = vpaddq_s32(lo_, hi_);                                                   \
	} while (0)

/* The 4 passes' [lo, lo, hi, hi] vectors folded to the 8 sub-block sums (two
 * more pairwise adds: lanes = sub-blocks 0-3 and 4-7), times the scales: one
 * multiply and one multiply-add instead of 8 multiply-adds by lane. */
static inline int32x4_t k_scale_sums(int32x4_t p0, int32x4_t p1, int32x4_t p2, int32x4_t p3,
				     int32x4_t s0, int32x4_t s1)
{
	return vmlaq_s32(vmulq_s32(vpaddq_s32(p0, p1), s0), vpaddq_s32(p2, p3), s1);
}

/* one q4_K super-block: int32 lanes of sum sc * q * y */
static inline __attribute__((always_inline)) int32x4_t q4_K_block(const struct block_q4_K *x, const int8_t *y, int32x4_t s0,
				   int32x4_t s1)
{
	const uint8x16_t m4 = vdupq_n_u8(0x0f);
	int32x4_t p0, p1, p2, p3;
	Q4K_PASS(x->qs, y, p0);
	Q4K_PASS(x->qs + 32, y + 64, p1);
	Q4K_PASS(x->qs + 64, y + 128, p2);
	Q4K_PASS(x->qs + 96, y + 192, p3);
	return k_scale_sums(p0, p1, p2, p3, s0, s1);
}

/* q5_K: the fifth bit of pass k's low (high) nibbles is bit 2k (2k+1) of qh;
 * h0/h1 shift right by 2 a pass, so the pass's bits are 0 and 1. The high
 * element: its bit moved to bit 4 and isolated, sri puts the high nibble
 * under it; then the low one: its bit isolated at 0, sli puts it over the
 * low nibble, in place (sri has read the quants): 5 operations for the two,
 * against 9 with masks, shifts and ors (A53 model: 589 -> 460 cycles per 2
 * super-blocks). */
#define Q5K_HL(q, h, u, l)                                                                   \
	do {                                                                                 \
		u = vsriq_n_u8(vandq_u8(vshlq_n_u8(h, 3), m10), q, 4);                        \
		l = vsliq_n_u8(q, vandq_u8(h, one), 4);                                       \
	} while (0)

#define Q5K_PASS(qs, h0, h1, yk, out)                                                        \
	do {                                                                                 \
		uint8x16_t l0_, l1_, u0_, u1_;                                                \
		Q5K_HL(vld1q_u8(qs), h0, u0_, l0_);                                           \
		Q5K_HL(vld1q_u8((qs) + 16), h1, u1_, l1_);                                    \
		int32x4_t lo_ = EV_KDOT2(vreinterpretq_s8_u8(l0_), vld1q_s8(yk),                 \
					 vreinterpretq_s8_u8(l1_), vld1q_s8((yk) + 16));          \
		int32x4_t hi_ = EV_KDOT2(vreinterpretq_s8_u8(u0_), vld1q_s8((yk) + 32),          \
					 vreinterpretq_s8_u8(u1_), vld1q_s8((yk) + 48));          \
		out = vpaddq_s32(lo_, hi_);                                                   \
		h0 = vshrq_n_u8(h0, 2);                                                       \
		h1 = vshrq_n_u8(h1, 2);                                                       \
	} while (0)

static inline __attribute__((always_inline)) int32x4_t q5_K_block(const struct block_q5_K *x, const int8_t *y, int32x4_t s0,
				   int32x4_t s1)
{
	const uint8x16_t m10 = vdupq_n_u8(0x10), one = vdupq_n_u8(1);
	uint8x16_t h0 = vld1q_u8(x->qh), h1 = vld1q_u8(x->qh + 16);
	int32x4_t p0, p1, p2, p3;
	Q5K_PASS(x->qs, h0, h1, y, p0);
	Q5K_PASS(x->qs + 32, h0, h1, y + 64, p1);
	Q5K_PASS(x->qs + 64, h0, h1, y + 128, p2);
	Q5K_PASS(x->qs + 96, h0, h1, y + 192, p3);
	return k_scale_sums(p0, p1, p2, p3, s0, s1);
}

/* Two rows at a time: the activation loads and the sub-block sums of the
 * minimums serve both; each row's minimum term stays a vector (one
 * horizontal add per row, after the loop). */
#define K_AFFINE_ROWS(name, BT, BLOCK, region)                                                \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)       \
	{                                                                                     \
		const struct block_q8_K *y = act;                                              \
		int nb = n / QK_K, r = 0;                                                      \
		for (; r + 2 <= nr; r += 2) {                                                  \
			const BT *x0 = (const void *)((const char *)w + (size_t)r * rb);       \
			const BT *x1 = (const void *)((const char *)w + (size_t)(r + 1) * rb); \
			float32x4_t a0 = vdupq_n_f32(0), a1 = a0, m0 = a0, m1 = a0;            \
			for (int i = 0; i < nb; i++) {                                         \
				int32x4_t s00, s01, s10, s11;                                  \
				int16x8_t mn0, mn1;                                            \
				EV_MCA_BEGIN(region);                                          \
				EV_PREFETCH_BLOCK(&x0[i], sizeof x0[i]);                       \
				EV_PREFETCH_BLOCK(&x1[i], sizeof x1[i]);                       \
				k_scales_v(x0[i].scales, &s00, &s01, &mn0);                    \
				k_scales_v(x1[i].scales, &s10, &s11, &mn1);                    \
				int16x8_t pairs = vpaddq_s16(vld1q_s16(y[i].bsums),            \
							     vld1q_s16(y[i].bsums + 8));       \
				a0 = vfmaq_n_f32(a0, vcvtq_f32_s32(BLOCK(&x0[i], y[i].qs, s00, s01)), \
						 y[i].d * ev_h2f_neon(x0[i].d));               \
				a1 = vfmaq_n_f32(a1, vcvtq_f32_s32(BLOCK(&x1[i], y[i].qs, s10, s11)), \
						 y[i].d * ev_h2f_neon(x1[i].d));               \
				m0 = vfmaq_n_f32(m0, vcvtq_f32_s32(mins_dot(mn0, pairs)),      \
						 y[i].d * ev_h2f_neon(x0[i].dmin));            \
				m1 = vfmaq_n_f32(m1, vcvtq_f32_s32(mins_dot(mn1, pairs)),      \
						 y[i].d * ev_h2f_neon(x1[i].dmin));            \
				EV_MCA_END();                                                  \
			}                                                                      \
			out[r] = vaddvq_f32(a0) - vaddvq_f32(m0);                              \
			out[r + 1] = vaddvq_f32(a1) - vaddvq_f32(m1);                          \
		}                                                                              \
		for (; r < nr; r++) {                                                          \
			const BT *x = (const void *)((const char *)w + (size_t)r * rb);        \
			float32x4_t a = vdupq_n_f32(0), m = a;                                 \
			for (int i = 0; i < nb; i++) {                                         \
				int32x4_t s0, s1;                                              \
				int16x8_t mn;                                                  \
				k_scales_v(x[i].scales, &s0, &s1, &mn);                        \
				int16x8_t pairs = vpaddq_s16(vld1q_s16(y[i].bsums),            \
							     vld1q_s16(y[i].bsums + 8));       \
				a = vfmaq_n_f32(a, vcvtq_f32_s32(BLOCK(&x[i], y[i].qs, s0, s1)), \
						y[i].d * ev_h2f_neon(x[i].d));                 \
				m = vfmaq_n_f32(m, vcvtq_f32_s32(mins_dot(mn, pairs)),         \
						y[i].d * ev_h2f_neon(x[i].dmin));              \
			}                                                                      \
			out[r] = vaddvq_f32(a) - vaddvq_f32(m);                                \
		}                                                                              \
	}

/* q6_K: per half, 4 quarters of 32 weights from ql (4 low bits) and qh (2
 * high bits, fields 0-1, 2-3, 4-5, 6-7 for the quarters); each 16 weights is
 * one scale group. The quants stay unsigned (0..63): the high pair of
 * quarters 2 and 3 isolated where it stands (and with 0x30) and sri puts the
 * low bits' nibble under it, quarters 0 and 1's pair isolated at bits 0-1
 * and sli puts it over the low nibble in place (after sri has read it): 9
 * operations for 4 vectors, against 19 with masks, shifts, ors and a - 32 on
 * each. The - 32 comes back once: 32 x sum of scale x the activations'
 * 16-sums. A group's 4 partial lanes are folded with pairwise adds, 4 groups
 * a vector, and scaled by the widened scales: one multiply-add per 4 groups
 * instead of a scalar scale load, move and multiply-add each (A53 model:
 * 489 -> N cycles per 2 super-blocks). */
static inline __attribute__((always_inline)) int32x4_t q6_K_block(const struct block_q6_K *x,
								const struct block_q8_K *yb)
{
	const uint8x16_t m3 = vdupq_n_u8(3), m30 = vdupq_n_u8(0x30);
	int8x16_t sc8 = vld1q_s8(x->scales);
	int16x8_t sw0 = vmovl_s8(vget_low_s8(sc8)), sw1 = vmovl_high_s8(sc8);
	int32x4_t corr = vmull_s16(vget_low_s16(sw0), vget_low_s16(vld1q_s16(yb->bsums)));
	corr = vmlal_high_s16(corr, sw0, vld1q_s16(yb->bsums));
	corr = vmlal_s16(corr, vget_low_s16(sw1), vget_low_s16(vld1q_s16(yb->bsums + 8)));
	corr = vmlal_high_s16(corr, sw1, vld1q_s16(yb->bsums + 8));
	int32x4_t acc = vmulq_n_s32(corr, -32);
	EV_K_UNROLL
	for (int h = 0; h < 2; h++) {
		const uint8_t *ql = x->ql + 64 * h, *qh = x->qh + 32 * h;
		const int8_t *yy = yb->qs + 128 * h;
		int32x4_t d[8]; /* group k = 2s + p of the half */
		EV_K_UNROLL
		for (int p = 0; p < 2; p++) { /* weights 16p..16p+15 of each quarter */
			uint8x16_t l0 = vld1q_u8(ql + 16 * p), l1 = vld1q_u8(ql + 32 + 16 * p);
			uint8x16_t hb = vld1q_u8(qh + 16 * p), h2 = vshrq_n_u8(hb, 2);
			uint8x16_t q2 = vsriq_n_u8(vandq_u8(hb, m30), l0, 4);
			uint8x16_t q0 = vsliq_n_u8(l0, vandq_u8(hb, m3), 4);
			uint8x16_t q3 = vsriq_n_u8(vandq_u8(h2, m30), l1, 4);
			uint8x16_t q1 = vsliq_n_u8(l1, vandq_u8(h2, m3), 4);
			d[0 + p] = EV_KDOT1(vreinterpretq_s8_u8(q0), vld1q_s8(yy + 16 * p));
			d[2 + p] = EV_KDOT1(vreinterpretq_s8_u8(q1), vld1q_s8(yy + 32 + 16 * p));
			d[4 + p] = EV_KDOT1(vreinterpretq_s8_u8(q2), vld1q_s8(yy + 64 + 16 * p));
			d[6 + p] = EV_KDOT1(vreinterpretq_s8_u8(q3), vld1q_s8(yy + 96 + 16 * p));
		}
		int16x8_t sw = h ? sw1 : sw0;
		int32x4_t g03 = vpaddq_s32(vpaddq_s32(d[0], d[1]), vpaddq_s32(d[2], d[3]));
		int32x4_t g47 = vpaddq_s32(vpaddq_s32(d[4], d[5]), vpaddq_s32(d[6], d[7]));
		acc = vmlaq_s32(acc, g03, vmovl_s16(vget_low_s16(sw)));
		acc = vmlaq_s32(acc, g47, vmovl_high_s16(sw));
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
				a0 = vmlaq_n_f32(a0, vcvtq_f32_s32(q6_K_block(&x0[i], &y[i])), y[i].d * ev_h2f_neon(x0[i].d));\
				a1 = vmlaq_n_f32(a1, vcvtq_f32_s32(q6_K_block(&x1[i], &y[i])), y[i].d * ev_h2f_neon(x1[i].d));\
				EV_MCA_END();                                                                       \
			}                                                                                    \
			out[r] = vaddvq_f32(a0);                                                             \
			out[r + 1] = vaddvq_f32(a1);                                                         \
		}                                                                                     \
		for (; r < nr; r++) {                                                                 \
			const struct block_q6_K *x = (const void *)((const char *)w + (size_t)r * rb);       \
			float32x4_t a = vdupq_n_f32(0);                                                      \
			for (int i = 0; i < nb; i++)                                                         \
				a = vmlaq_n_f32(a, vcvtq_f32_s32(q6_K_block(&x[i], &y[i])), y[i].d * ev_h2f_neon(x[i].d));\
			out[r] = vaddvq_f32(a);                                                              \
		}                                                                                     \
	}

#endif
