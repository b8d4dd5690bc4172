/* probes/kquant-dotprod.c: k-quant rows times q8_K activations with the
 * ARMv8.2 dot product (sdot: 16 signed byte products into 4 int32 lanes);
 * the loops are probes/kquant-neon.h's. */
#include <arm_neon.h>

#include "kernel-file.h"

#define EV_KDOT1(a, b) vdotq_s32(vdupq_n_s32(0), (a), (b))
#define EV_KDOT2(a, b, c, d) vdotq_s32(vdotq_s32(vdupq_n_s32(0), (a), (b)), (c), (d))
#include "kquant-neon.h"

EV_KERNEL_FILE(kf_kquant_dotprod);

/* The A76 tuning's schedule (docs/methodology.md, AArch64): A55 model 287 ->
 * 252 cycles (q4_K) and 427 -> 365 (q5_K) per 2 super-blocks; q6_K loses 5%
 * on the A76 model with it and keeps the default. */
__attribute__((target("tune=cortex-a76"))) K_AFFINE_ROWS(dot_rows_q4_K_dotprod, struct block_q4_K, q4_K_block, "q4_K-dotprod")
__attribute__((target("tune=cortex-a76"))) K_AFFINE_ROWS(dot_rows_q5_K_dotprod, struct block_q5_K, q5_K_block, "q5_K-dotprod")
EV_Q6_K_ROWS(dot_rows_q6_K_dotprod, "q6_K-dotprod")

/* ---- q4_Kx4i: 4 rows interleaved at load (quant.h) ----
 * Vector c of pass k holds bytes 4c..4c+3 of the 4 rows: its low nibbles
 * are quants 4c..4c+3 of sub-block 2k of each row, its high nibbles those of
 * sub-block 2k+1; sdot by activation lane c % 4 (of the sub-block's 16
 * activations c / 4) adds them into the row's lane. After 8 such sdot a
 * vector holds the 4 rows' sums of a sub-block, and one multiply-add by the
 * 4 rows' scales of that sub-block (int32 lanes) scales them all: no
 * horizontal adds, no per-row scale broadcast. */
#define Q4KX4_STEP(slo, shi, v, ylo, yhi, l)                                                 \
	do {                                                                                 \
		slo = vdotq_laneq_s32(slo, vreinterpretq_s8_u8(vandq_u8(v, m4)), ylo, l);     \
		shi = vdotq_laneq_s32(shi, vreinterpretq_s8_u8(vshrq_n_u8(v, 4)), yhi, l);    \
	} while (0)

#define Q4KX4_PASS(q, yk, slo, shi)                                                          \
	do {                                                                                 \
		int8x16_t ylo0_ = vld1q_s8(yk), ylo1_ = vld1q_s8((yk) + 16);                  \
		int8x16_t yhi0_ = vld1q_s8((yk) + 32), yhi1_ = vld1q_s8((yk) + 48);           \
		slo = vdupq_n_s32(0);                                                         \
		shi = vdupq_n_s32(0);                                                         \
		Q4KX4_STEP(slo, shi, vld1q_u8(q), ylo0_, yhi0_, 0);                           \
		Q4KX4_STEP(slo, shi, vld1q_u8((q) + 16), ylo0_, yhi0_, 1);                    \
		Q4KX4_STEP(slo, shi, vld1q_u8((q) + 32), ylo0_, yhi0_, 2);                    \
		Q4KX4_STEP(slo, shi, vld1q_u8((q) + 48), ylo0_, yhi0_, 3);                    \
		Q4KX4_STEP(slo, shi, vld1q_u8((q) + 64), ylo1_, yhi1_, 0);                    \
		Q4KX4_STEP(slo, shi, vld1q_u8((q) + 80), ylo1_, yhi1_, 1);                    \
		Q4KX4_STEP(slo, shi, vld1q_u8((q) + 96), ylo1_, yhi1_, 2);                    \
		Q4KX4_STEP(slo, shi, vld1q_u8((q) + 112), ylo1_, yhi1_, 3);                   \
	} while (0)

/* 16 bytes of 4-rows-a-sub-block scales (4 sub-blocks) as 4 int32 vectors */
static inline void widen4(uint8x16_t f, int32x4_t s[4])
{
	uint16x8_t a = vmovl_u8(vget_low_u8(f)), b = vmovl_high_u8(f);
	s[0] = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(a)));
	s[1] = vreinterpretq_s32_u32(vmovl_high_u16(a));
	s[2] = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(b)));
	s[3] = vreinterpretq_s32_u32(vmovl_high_u16(b));
}

/* sum_j mins[j] x pairs[j] over 4 sub-blocks (mins: 4 rows a sub-block) */
#define Q4KX4_MINS(acc, f, pr, j0)                                                           \
	do {                                                                                 \
		int16x8_t a_ = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(f)));               \
		int16x8_t b_ = vreinterpretq_s16_u16(vmovl_high_u8(f));                       \
		acc = vmlal_laneq_s16(acc, vget_low_s16(a_), pr, (j0));                       \
		acc = vmlal_high_laneq_s16(acc, a_, pr, (j0) + 1);                            \
		acc = vmlal_laneq_s16(acc, vget_low_s16(b_), pr, (j0) + 2);                   \
		acc = vmlal_high_laneq_s16(acc, b_, pr, (j0) + 3);                            \
	} while (0)

__attribute__((target("tune=cortex-a76"))) void
dot_rows_q4_Kx4i_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	const uint8x16_t m4 = vdupq_n_u8(0x0f), three = vdupq_n_u8(3);
	int nb = n / QK_K, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0), macc = acc;
		for (int b = 0; b < nb; b++, p += EV_Q4_KX4_GROUP_BYTES) {
			EV_MCA_BEGIN("q4_Kx4i-dotprod");
			EV_PREFETCH_BLOCK(p, EV_Q4_KX4_GROUP_BYTES);
			const int8_t *yq = y[b].qs;
			/* the 64 scales and mins: fields of 16 lanes (quant.h) */
			uint8x16_t l1 = vld1q_u8(p + 16), l2 = vld1q_u8(p + 32), h = vld1q_u8(p + 48);
			int32x4_t sc[8], slo, shi, si, mi;
			widen4(vsliq_n_u8(l1, vandq_u8(h, three), 4), sc);
			widen4(vsliq_n_u8(vshrq_n_u8(l1, 4), vandq_u8(vshrq_n_u8(h, 2), three), 4), sc + 4);
			Q4KX4_PASS(p + 64, yq, slo, shi);
			si = vmlaq_s32(vmulq_s32(slo, sc[0]), shi, sc[1]);
			Q4KX4_PASS(p + 192, yq + 64, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[2]), shi, sc[3]);
			Q4KX4_PASS(p + 320, yq + 128, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[4]), shi, sc[5]);
			Q4KX4_PASS(p + 448, yq + 192, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[6]), shi, sc[7]);
			int16x8_t pairs = vpaddq_s16(vld1q_s16(y[b].bsums), vld1q_s16(y[b].bsums + 8));
			mi = vdupq_n_s32(0);
			Q4KX4_MINS(mi, vsliq_n_u8(l2, vandq_u8(vshrq_n_u8(h, 4), three), 4), pairs, 0);
			Q4KX4_MINS(mi, vsliq_n_u8(vshrq_n_u8(l2, 4), vshrq_n_u8(h, 6), 4), pairs, 4);
			float32x4_t d = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
			float32x4_t dm = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)(p + 8)));
			acc = vfmaq_f32(acc, vcvtq_f32_s32(si), vmulq_n_f32(d, y[b].d));
			macc = vfmaq_f32(macc, vcvtq_f32_s32(mi), vmulq_n_f32(dm, y[b].d));
			EV_MCA_END();
		}
		vst1q_f32(out + g, vsubq_f32(acc, macc));
	}
	if (g < nr)
		dot_rows_q4_K_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}
