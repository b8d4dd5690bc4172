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

/* q4_0x4 / q8_0x4 (4 rows interleaved block by block at load, the layout the
 * x86 kernels use): the 4 rows' scales come in one load and one conversion,
 * the 4 rows' int32 sums fold into one vector with pairwise adds, and one
 * conversion and one FMA serve all 4 rows. q4_0 nibbles stay unsigned (0..15):
 * the -8 is taken back once per block with the activation block sum. */
static inline int32x4_t fold4(int32x4_t s0, int32x4_t s1, int32x4_t s2, int32x4_t s3)
{
	return vpaddq_s32(vpaddq_s32(s0, s1), vpaddq_s32(s2, s3));
}

static inline int32x4_t q4u_dot(const unsigned char *qs, int8x16_t y0, int8x16_t y1)
{
	uint8x16_t q = vld1q_u8(qs);
	int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f)));
	int8x16_t hi = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));
	return vdotq_s32(vdotq_s32(vdupq_n_s32(0), lo, y0), hi, y1);
}

void dot_rows_q4_0x4_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n);
	int nb = n / QK, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0), corr = vdupq_n_f32(0);
		for (int b = 0; b < nb; b++, p += EV_Q4_0X4_GROUP_BYTES) {
			EV_MCA_BEGIN("q4_0x4-dotprod");
			EV_PREFETCH_STREAM(p);
			int8x16_t y0 = vld1q_s8(y[b].qs), y1 = vld1q_s8(y[b].qs + 16);
			float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
			int32x4_t s = fold4(q4u_dot(p + 8, y0, y1), q4u_dot(p + 24, y0, y1),
					    q4u_dot(p + 40, y0, y1), q4u_dot(p + 56, y0, y1));
			acc = vfmaq_f32(acc, vcvtq_f32_s32(s), vmulq_n_f32(dx, ev_h2f_neon(y[b].d)));
			corr = vfmaq_n_f32(corr, dx, ys[b]);
			EV_MCA_END();
		}
		vst1q_f32(out + g, vmlsq_n_f32(acc, corr, 8.0f));
	}
	if (g < nr)
		dot_rows_q4_0_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

void dot_rows_q8_0x4_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
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
			acc = vfmaq_f32(acc, vcvtq_f32_s32(s), vmulq_n_f32(dx, ev_h2f_neon(y[b].d)));
			EV_MCA_END();
		}
		vst1q_f32(out + g, acc);
	}
	if (g < nr)
		dot_rows_q8_0_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* ---- prefill: several tokens per weight load (ev_dot_gemm_fn, gemm-tile.h) ----
 * The 4 rows' nibbles are unpacked and their scales converted once per block;
 * each token then costs 8 sdot, the fold, one conversion and one FMA. The -8
 * (q4_0) is taken back after the loop, from the scales and the token's block
 * sums. */
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
		EV_MCA_BEGIN_N("q4_0x4-gemm-dotprod", NT);
		EV_PREFETCH_STREAM(p);
		int8x16_t lo[4], hi[4];
		GEMM_UNROLL
		for (int r = 0; r < 4; r++) {
			uint8x16_t q = vld1q_u8(p + 8 + 16 * r);
			lo[r] = vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f)));
			hi[r] = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));
		}
		float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			int8x16_t y0 = vld1q_s8(y[t][b].qs), y1 = vld1q_s8(y[t][b].qs + 16);
			int32x4_t s[4];
			GEMM_UNROLL
			for (int r = 0; r < 4; r++)
				s[r] = vdotq_s32(vdotq_s32(vdupq_n_s32(0), lo[r], y0), hi[r], y1);
			acc[t] = vfmaq_f32(acc[t], vcvtq_f32_s32(fold4(s[0], s[1], s[2], s[3])),
					   vmulq_n_f32(dx, ds[t][b]));
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++) {
		float32x4_t corr = ev_q4x4_corr_neon(g, nb, ev_act_q8_sums(y[t], n));
		vst1q_f32(out + (size_t)t * ostride, vmlsq_n_f32(acc[t], corr, 8.0f));
	}
}

GEMM_ROWS(gemm_q4_0x4_dotprod, q4_0x4_gemm_nt, 4, dot_rows_q4_0_dotprod)

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

GEMM_ROWS(gemm_q8_0x4_dotprod, q8_0x4_gemm_nt, 4, dot_rows_q8_0_dotprod)
