/* probes/quant-dotprod.c: q4_0 and q8_0 rows times q8_0 activations with the
 * ARMv8.2 dot product (sdot: 16 signed byte products into 4 int32 lanes). */
#include <arm_neon.h>

#include "gemm-tile.h"
#include "quant-neon-rows.h"
#include "quant.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_dotprod);

static inline int32x4_t q4_dot_dp(const uint8_t *qs, int8x16_t y0, int8x16_t y1)
{
	int8x16_t lo, hi;
	ev_q4_unpack_neon(qs, &lo, &hi);
	return vdotq_s32(vdotq_s32(vdupq_n_s32(0), lo, y0), hi, y1);
}

static inline int32x4_t q8_dot_dp(const int8_t *xs, int8x16_t y0, int8x16_t y1)
{
	return vdotq_s32(vdotq_s32(vdupq_n_s32(0), vld1q_s8(xs), y0), vld1q_s8(xs + 16), y1);
}

EV_NEON_ROWS2(dot_rows_q4_0_dotprod, struct block_q4_0, q4_dot_dp, "q4_0-dotprod")
EV_NEON_ROWS2(dot_rows_q8_0_dotprod, struct block_q8_0, q8_dot_dp, "q8_0-dotprod")

/* q8_0x4 (4 rows interleaved block by block at load, the layout the x86
 * kernels use): the 4 rows' scales come in one load and one conversion, the 4
 * rows' int32 sums fold into one vector with pairwise adds, and one
 * conversion and one FMA serve all 4 rows. */
static inline int32x4_t fold4(int32x4_t s0, int32x4_t s1, int32x4_t s2, int32x4_t s3)
{
	return vpaddq_s32(vpaddq_s32(s0, s1), vpaddq_s32(s2, s3));
}

/* q4_0x4i (quant.h): vector c holds bytes 4c..4c+3 of the 4 rows, nibbles in
 * two's complement. shl 4 gives 16 x quants 4c..4c+3 of each row, and 0xf0
 * 16 x quants 16+4c..; sdot by activation lane c (4 bytes) puts each row's
 * partial sum in its own lane. Two chains (low and high nibbles) of 4 sdot
 * each; their sum is 16 x the block's 4 row sums. */
#define Q4I_LO(v) vshlq_n_s8(v, 4)
#define Q4I_HI(v) vreinterpretq_s8_u8(vandq_u8(vreinterpretq_u8_s8(v), vdupq_n_u8(0xf0)))
static inline int32x4_t q4i_sums(const unsigned char *q, int8x16_t y0, int8x16_t y1)
{
	int8x16_t v0 = vld1q_s8((const int8_t *)q), v1 = vld1q_s8((const int8_t *)q + 16);
	int8x16_t v2 = vld1q_s8((const int8_t *)q + 32), v3 = vld1q_s8((const int8_t *)q + 48);
	int32x4_t a = vdotq_laneq_s32(vdupq_n_s32(0), Q4I_LO(v0), y0, 0);
	int32x4_t b = vdotq_laneq_s32(vdupq_n_s32(0), Q4I_HI(v0), y1, 0);
	a = vdotq_laneq_s32(a, Q4I_LO(v1), y0, 1);
	b = vdotq_laneq_s32(b, Q4I_HI(v1), y1, 1);
	a = vdotq_laneq_s32(a, Q4I_LO(v2), y0, 2);
	b = vdotq_laneq_s32(b, Q4I_HI(v2), y1, 2);
	a = vdotq_laneq_s32(a, Q4I_LO(v3), y0, 3);
	b = vdotq_laneq_s32(b, Q4I_HI(v3), y1, 3);
	return vaddq_s32(a, b);
}
/* 16 x int -> float in the conversion itself (4 fraction bits). */
#define Q4I_F32(s) vcvtq_n_f32_s32(s, 4)

/* Two blocks per iteration, and each block's conversion and FMA done in the
 * next iteration, beside the next blocks' sdot: on an in-order core (A55)
 * nothing waits for a result of the same iteration (llvm-mca A55: 66 cycles
 * per 8 row-blocks, 2.18 B/cycle; the unsigned 4-block loop before it: 52
 * per 4). gcc's default schedule is the A53's, which here leaves the loads
 * next to their uses (93 cycles); the A76 tuning issues them earlier. */
/* the q4_0x4i group's sums: its quants follow the 4 scales */
#define Q4I_GROUP(p, y0, y1) q4i_sums((p) + 8, y0, y1)
__attribute__((target("tune=cortex-a76")))
EV_X4_ROWS2(dot_rows_q4_0x4_dotprod, EV_Q4_0X4_GROUP_BYTES, "q4_0x4i-dotprod", Q4I_GROUP, Q4I_F32,
	    dot_rows_q4_0_dotprod)

__attribute__((target("tune=cortex-a76"))) void
dot_rows_q8_0x4_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const float *yd = ev_act_q8_scales(act, n);
	int nb = n / QK, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0);
		for (int b = 0; b < nb; b++, p += EV_Q8_0X4_GROUP_BYTES) {
			EV_MCA_BEGIN("q8_0x4-dotprod");
			EV_PREFETCH_STREAM(p);
			int8x16_t y0 = vld1q_s8(y[b].qs), y1 = vld1q_s8(y[b].qs + 16);
			float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
			int32x4_t s = fold4(q8_dot_dp((const int8_t *)(p + 8), y0, y1),
					    q8_dot_dp((const int8_t *)(p + 40), y0, y1),
					    q8_dot_dp((const int8_t *)(p + 72), y0, y1),
					    q8_dot_dp((const int8_t *)(p + 104), y0, y1));
			acc = vfmaq_f32(acc, vcvtq_f32_s32(s), vmulq_n_f32(dx, yd[b]));
			EV_MCA_END();
		}
		vst1q_f32(out + g, acc);
	}
	if (g < nr)
		dot_rows_q8_0_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* ---- prefill: several tokens per weight load (ev_dot_gemm_fn, gemm-tile.h) ----
 * q4_0x4i: the 4 rows' nibbles are unpacked and their scales converted once
 * per block; each token then costs 8 sdot (the rows' sums land in lanes, no
 * fold), one conversion and one FMA. */
GEMM_INLINE void q4_0x4_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
				 size_t astride, const int NT, float *out, size_t ostride)
{
	int nb = n / QK;
	float32x4_t acc[EV_GEMM_TOKENS];
	const unsigned char *p = g;
	GEMM_Q8_ACTS(NT)
	(void)rb;
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		acc[t] = vdupq_n_f32(0);
	for (int b = 0; b < nb; b++, p += EV_Q4_0X4_GROUP_BYTES) {
		EV_MCA_BEGIN_N("q4_0x4i-gemm-dotprod", NT);
		EV_PREFETCH_STREAM(p);
		int8x16_t lo[4], hi[4];
		GEMM_UNROLL
		for (int c = 0; c < 4; c++) {
			int8x16_t v = vld1q_s8((const int8_t *)(p + 8 + 16 * c));
			lo[c] = Q4I_LO(v);
			hi[c] = Q4I_HI(v);
		}
		float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			int8x16_t y0 = vld1q_s8(y[t][b].qs), y1 = vld1q_s8(y[t][b].qs + 16);
			int32x4_t a = vdotq_laneq_s32(vdupq_n_s32(0), lo[0], y0, 0);
			int32x4_t h = vdotq_laneq_s32(vdupq_n_s32(0), hi[0], y1, 0);
			a = vdotq_laneq_s32(a, lo[1], y0, 1);
			h = vdotq_laneq_s32(h, hi[1], y1, 1);
			a = vdotq_laneq_s32(a, lo[2], y0, 2);
			h = vdotq_laneq_s32(h, hi[2], y1, 2);
			a = vdotq_laneq_s32(a, lo[3], y0, 3);
			h = vdotq_laneq_s32(h, hi[3], y1, 3);
			acc[t] = vfmaq_f32(acc[t], Q4I_F32(vaddq_s32(a, h)), vmulq_n_f32(dx, ds[t][b]));
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		vst1q_f32(out + (size_t)t * ostride, acc[t]);
}

__attribute__((target("tune=cortex-a76"))) GEMM_ROWS(gemm_q4_0x4_dotprod, q4_0x4_gemm_nt, 4, dot_rows_q4_0_dotprod)

GEMM_INLINE void q8_0x4_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
				 size_t astride, const int NT, float *out, size_t ostride)
{
	int nb = n / QK;
	float32x4_t acc[EV_GEMM_TOKENS];
	const unsigned char *p = g;
	GEMM_Q8_ACTS(NT)
	(void)rb;
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		acc[t] = vdupq_n_f32(0);
	for (int b = 0; b < nb; b++, p += EV_Q8_0X4_GROUP_BYTES) {
		EV_MCA_BEGIN_N("q8_0x4-gemm-dotprod", NT);
		EV_PREFETCH_STREAM(p);
		EV_PREFETCH_STREAM(p + 64);
		int8x16_t x0[4], x1[4];
		GEMM_UNROLL
		for (int r = 0; r < 4; r++) {
			x0[r] = vld1q_s8((const int8_t *)(p + 8 + QK * r));
			x1[r] = vld1q_s8((const int8_t *)(p + 8 + QK * r + 16));
		}
		float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			int8x16_t y0 = vld1q_s8(y[t][b].qs), y1 = vld1q_s8(y[t][b].qs + 16);
			int32x4_t s[4];
			GEMM_UNROLL
			for (int r = 0; r < 4; r++)
				s[r] = vdotq_s32(vdotq_s32(vdupq_n_s32(0), x0[r], y0), x1[r], y1);
			acc[t] = vfmaq_f32(acc[t], vcvtq_f32_s32(fold4(s[0], s[1], s[2], s[3])),
					   vmulq_n_f32(dx, ds[t][b]));
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		vst1q_f32(out + (size_t)t * ostride, acc[t]);
}

__attribute__((target("tune=cortex-a76"))) GEMM_ROWS(gemm_q8_0x4_dotprod, q8_0x4_gemm_nt, 4, dot_rows_q8_0_dotprod)
