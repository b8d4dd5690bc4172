/* probes/quant-neon.c: base AArch64 NEON (no dot product, no FP16
 * arithmetic): f16 rows times f32 activations (fcvtl widens 4 halves to
 * floats), and q4_0/q8_0 rows times q8_0 activations (below). */
#include <arm_neon.h>

#include "gemm-tile.h"
#include "quant-neon-rows.h"
#include "quant.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_neon);

/* Two rows at a time: each activation load serves both; 8 halves per load,
 * widened with fcvtl/fcvtl2; four accumulators per row. */
void dot_rows_f16_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const float *y = act;
	int r = 0;
	for (; r + 2 <= nr; r += 2) {
		const float16_t *x0 = (const void *)((const char *)w + (size_t)r * rb);
		const float16_t *x1 = (const void *)((const char *)w + (size_t)(r + 1) * rb);
		float32x4_t a0 = vdupq_n_f32(0), a1 = a0, a2 = a0, a3 = a0;
		float32x4_t b0 = a0, b1 = a0, b2 = a0, b3 = a0;
		float t0 = 0, t1 = 0;
		int i = 0;
		for (; i + 16 <= n; i += 16) {
			EV_MCA_BEGIN("f16-neon");
			float32x4_t y0 = vld1q_f32(y + i), y1 = vld1q_f32(y + i + 4);
			float32x4_t y2 = vld1q_f32(y + i + 8), y3 = vld1q_f32(y + i + 12);
			float16x8_t p0 = vld1q_f16(x0 + i), p1 = vld1q_f16(x0 + i + 8);
			float16x8_t q0 = vld1q_f16(x1 + i), q1 = vld1q_f16(x1 + i + 8);
			EV_PREFETCH_STREAM(x0 + i);
			EV_PREFETCH_STREAM(x1 + i);
			a0 = vfmaq_f32(a0, vcvt_f32_f16(vget_low_f16(p0)), y0);
			a1 = vfmaq_f32(a1, vcvt_high_f32_f16(p0), y1);
			a2 = vfmaq_f32(a2, vcvt_f32_f16(vget_low_f16(p1)), y2);
			a3 = vfmaq_f32(a3, vcvt_high_f32_f16(p1), y3);
			b0 = vfmaq_f32(b0, vcvt_f32_f16(vget_low_f16(q0)), y0);
			b1 = vfmaq_f32(b1, vcvt_high_f32_f16(q0), y1);
			b2 = vfmaq_f32(b2, vcvt_f32_f16(vget_low_f16(q1)), y2);
			b3 = vfmaq_f32(b3, vcvt_high_f32_f16(q1), y3);
			EV_MCA_END();
		}
		for (; i < n; i++) {
			t0 += (float)x0[i] * y[i];
			t1 += (float)x1[i] * y[i];
		}
		out[r] = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3))) + t0;
		out[r + 1] = vaddvq_f32(vaddq_f32(vaddq_f32(b0, b1), vaddq_f32(b2, b3))) + t1;
	}
	for (; r < nr; r++) {
		const float16_t *x = (const void *)((const char *)w + (size_t)r * rb);
		float32x4_t a0 = vdupq_n_f32(0), a1 = a0, a2 = a0, a3 = a0;
		float t = 0;
		int i = 0;
		for (; i + 16 <= n; i += 16) {
			a0 = vfmaq_f32(a0, vcvt_f32_f16(vld1_f16(x + i)), vld1q_f32(y + i));
			a1 = vfmaq_f32(a1, vcvt_f32_f16(vld1_f16(x + i + 4)), vld1q_f32(y + i + 4));
			a2 = vfmaq_f32(a2, vcvt_f32_f16(vld1_f16(x + i + 8)), vld1q_f32(y + i + 8));
			a3 = vfmaq_f32(a3, vcvt_f32_f16(vld1_f16(x + i + 12)), vld1q_f32(y + i + 12));
		}
		for (; i < n; i++)
			t += (float)x[i] * y[i];
		out[r] = vaddvq_f32(vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3))) + t;
	}
}

/* q4_0 and q8_0 rows times q8_0 activations without the dot-product
 * extension (Cortex-A53/A57/A72: Pi 3, Pi 4, Pi Zero 2, Jetson Nano): widening
 * byte multiplies (smull/smlal into int16, then sadalp into int32). q4_0
 * weights are in [-8, 7], so four products per int16 lane stay below 4100;
 * q8_0 takes two products per lane: a foreign file's weight may be -128, but
 * the activations are eaves' own (ev_act_quantize: |q| <= 127), so a lane
 * holds at most 2 x 128 x 127 = 32512 < 32767. Two rows share each
 * activation load. */
static inline int32x4_t q4_dot_neon(const uint8_t *qs, int8x16_t y0, int8x16_t y1)
{
	int8x16_t lo, hi;
	ev_q4_unpack_neon(qs, &lo, &hi);
	int16x8_t p = vmull_s8(vget_low_s8(lo), vget_low_s8(y0));
	p = vmlal_s8(p, vget_high_s8(lo), vget_high_s8(y0));
	p = vmlal_s8(p, vget_low_s8(hi), vget_low_s8(y1));
	p = vmlal_s8(p, vget_high_s8(hi), vget_high_s8(y1));
	return vpaddlq_s16(p);
}

static inline int32x4_t q8_dot_neon(const int8_t *xs, int8x16_t y0, int8x16_t y1)
{
	int8x16_t x0 = vld1q_s8(xs), x1 = vld1q_s8(xs + 16);
	int16x8_t p0 = vmlal_high_s8(vmull_s8(vget_low_s8(x0), vget_low_s8(y0)), x0, y0);
	int16x8_t p1 = vmlal_high_s8(vmull_s8(vget_low_s8(x1), vget_low_s8(y1)), x1, y1);
	return vpadalq_s16(vpaddlq_s16(p0), p1);
}

EV_NEON_ROWS2(dot_rows_q4_0_neon, struct block_q4_0, q4_dot_neon, "q4_0-neon")
EV_NEON_ROWS2(dot_rows_q8_0_neon, struct block_q8_0, q8_dot_neon, "q8_0-neon")

/* q4_0x4 (4 rows interleaved at load, the x86 layout: unsigned nibbles, the
 * -8 taken back once per block from the activation block sums): the 4 rows'
 * products stay in int16 until the last pairwise add. A row's 32 products go
 * 4 to a lane (smull/smlal), two pairwise adds fold the 4 rows into
 * [row 0 x2, row 1 x2, row 2 x2, row 3 x2], 16 products a lane: at most
 * 16 x 15 x 127 = 30480 < 32767 (activations are quantized to [-127, 127]);
 * a widening pairwise add gives the 4 rows' int32 sums. */
static inline int16x8_t q4x4_row16(uint8x16_t q, int8x16_t y0, int8x16_t y1)
{
	int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f)));
	int8x16_t hi = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));
	int16x8_t s = vmull_s8(vget_low_s8(lo), vget_low_s8(y0));
	s = vmlal_high_s8(s, lo, y0);
	s = vmlal_s8(s, vget_low_s8(hi), vget_low_s8(y1));
	return vmlal_high_s8(s, hi, y1);
}

static inline int16x8_t q4x4_block16(const unsigned char *q, int8x16_t y0, int8x16_t y1)
{
	int16x8_t p0 = q4x4_row16(vld1q_u8(q), y0, y1), p1 = q4x4_row16(vld1q_u8(q + 16), y0, y1);
	int16x8_t p2 = q4x4_row16(vld1q_u8(q + 32), y0, y1), p3 = q4x4_row16(vld1q_u8(q + 48), y0, y1);
	return vpaddq_s16(vpaddq_s16(p0, p1), vpaddq_s16(p2, p3));
}

/* Two blocks per iteration, each block's conversion and FMA in the next
 * iteration: on the in-order A53 (Pi Zero 2, Pi 3) nothing waits on a result
 * of its own iteration; the activations' scales as floats (ev_act_q8_scales),
 * no fp16 conversion per block (llvm-mca: A53 107 cycles per 2 blocks = 1.35
 * B/cycle, A57/A72 38.1 = 3.78 B/cycle, against 0.45 and 2.09 for the
 * two-row kernel). The A57 model's floor: the 32 widening multiplies run on
 * one of its two 64-bit pipes only, and the masks, shifts, pairwise adds and
 * the two-cycle Q-form FP (conversions, scale products, FMAs) are 44 cycles
 * of work more: (32 + 44) / 2 = 38 cycles, where the Jetson Nano's DRAM
 * share asks for 32. */
void dot_rows_q4_0x4_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n), *yd = ev_act_q8_scales(act, n);
	int nb = n / QK, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0), corr = acc, d0 = acc, d1 = acc;
		int16x8_t s0 = vdupq_n_s16(0), s1 = s0;
		int b = 0;
		for (; b + 2 <= nb; b += 2, p += 2 * EV_Q4_0X4_GROUP_BYTES) {
			EV_MCA_BEGIN("q4_0x4-neon");
			EV_PREFETCH_STREAM(p);
			EV_PREFETCH_STREAM(p + EV_Q4_0X4_GROUP_BYTES);
			int8x16_t y0 = vld1q_s8(y[b].qs), y1 = vld1q_s8(y[b].qs + 16);
			int8x16_t u0 = vld1q_s8(y[b + 1].qs), u1 = vld1q_s8(y[b + 1].qs + 16);
			float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
			float32x4_t ex = vcvt_f32_f16(vld1_f16(
				(const float16_t *)(const void *)(p + EV_Q4_0X4_GROUP_BYTES)));
			acc = vfmaq_f32(acc, vcvtq_f32_s32(vpaddlq_s16(s0)), d0);
			acc = vfmaq_f32(acc, vcvtq_f32_s32(vpaddlq_s16(s1)), d1);
			s0 = q4x4_block16(p + 8, y0, y1);
			s1 = q4x4_block16(p + EV_Q4_0X4_GROUP_BYTES + 8, u0, u1);
			d0 = vmulq_n_f32(dx, yd[b]);
			d1 = vmulq_n_f32(ex, yd[b + 1]);
			corr = vfmaq_n_f32(corr, dx, ys[b]);
			corr = vfmaq_n_f32(corr, ex, ys[b + 1]);
			EV_MCA_END();
		}
		acc = vfmaq_f32(acc, vcvtq_f32_s32(vpaddlq_s16(s0)), d0);
		acc = vfmaq_f32(acc, vcvtq_f32_s32(vpaddlq_s16(s1)), d1);
		if (b < nb) { /* an odd last block */
			float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
			s0 = q4x4_block16(p + 8, vld1q_s8(y[b].qs), vld1q_s8(y[b].qs + 16));
			acc = vfmaq_f32(acc, vcvtq_f32_s32(vpaddlq_s16(s0)),
					vmulq_n_f32(dx, ev_h2f_neon(y[b].d)));
			corr = vfmaq_n_f32(corr, dx, ys[b]);
		}
		vst1q_f32(out + g, vmlsq_n_f32(acc, corr, 8.0f));
	}
	if (g < nr)
		dot_rows_q4_0_neon(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* q8_0x4 (quant.h: a block index's 4 scales, then the 4 rows' 32 quants):
 * one load and one conversion of the 4 scales, each row's 32 products two to
 * an int16 lane (q8_dot_neon), the 4 rows' int32 sums folded into one vector
 * (two pairwise adds), one conversion and one FMA for all 4; two blocks per
 * iteration, each block's conversion and FMA in the next (the in-order A53).
 * Against the two-row kernel on the llvm-mca models, cycles per 4 rows' 2
 * blocks (272 bytes): see docs/performance.md (q8_0x4-neon, q8_0-neon). */
static inline int32x4_t q8x4_block(const unsigned char *p, int8x16_t y0, int8x16_t y1)
{
	int32x4_t s0 = q8_dot_neon((const int8_t *)(p + 8), y0, y1);
	int32x4_t s1 = q8_dot_neon((const int8_t *)(p + 40), y0, y1);
	int32x4_t s2 = q8_dot_neon((const int8_t *)(p + 72), y0, y1);
	int32x4_t s3 = q8_dot_neon((const int8_t *)(p + 104), y0, y1);
	return vpaddq_s32(vpaddq_s32(s0, s1), vpaddq_s32(s2, s3));
}

EV_X4_ROWS2(dot_rows_q8_0x4_neon, EV_Q8_0X4_GROUP_BYTES, "q8_0x4-neon", q8x4_block, vcvtq_f32_s32,
	    dot_rows_q8_0_neon)

/* ---- prefill: 4 rows x NT tokens (ev_dot_gemm_fn, gemm-tile.h) ----
 * Each 8 halves of a row widened once (fcvtl, fcvtl2), then 2 FMAs per token:
 * 16 accumulators at NT = 4 (32 vector registers). */
GEMM_INLINE void f16_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
			      size_t astride, const int NT, float *out, size_t ostride)
{
	const float16_t *x[4];
	float32x4_t a[4][EV_GEMM_TOKENS];
	const float *y[EV_GEMM_TOKENS];
	int i = 0;
	GEMM_UNROLL
	for (int r = 0; r < 4; r++) {
		x[r] = (const void *)(g + (size_t)r * rb);
		GEMM_UNROLL
		for (int t = 0; t < NT; t++)
			a[r][t] = vdupq_n_f32(0);
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		y[t] = (const float *)ACT_T(t);
	for (; i + 8 <= n; i += 8) {
		EV_MCA_BEGIN_N("f16-gemm-neon", NT);
		float32x4_t wl[4], wh[4];
		GEMM_UNROLL
		for (int r = 0; r < 4; r++) {
			float16x8_t h = vld1q_f16(x[r] + i);
			EV_PREFETCH_STREAM(x[r] + i);
			wl[r] = vcvt_f32_f16(vget_low_f16(h));
			wh[r] = vcvt_high_f32_f16(h);
		}
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			float32x4_t y0 = vld1q_f32(y[t] + i), y1 = vld1q_f32(y[t] + i + 4);
			GEMM_UNROLL
			for (int r = 0; r < 4; r++)
				a[r][t] = vfmaq_f32(vfmaq_f32(a[r][t], wl[r], y0), wh[r], y1);
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		GEMM_UNROLL
		for (int r = 0; r < 4; r++) {
			float s = vaddvq_f32(a[r][t]);
			for (int k = i; k < n; k++)
				s += (float)x[r][k] * y[t][k];
			out[(size_t)t * ostride + r] = s;
		}
}

GEMM_ROWS(gemm_f16_neon, f16_gemm_nt, 4, dot_rows_f16_neon)

/* The attention's grouped-query kernels (gqa-simd.h) on 4-float NEON vectors:
 * fcvtl widens 4 halves; 32 registers hold two vectors' accumulators for 8
 * heads. */
#define VF float32x4_t
#define W 4
#define VZERO() vdupq_n_f32(0)
#define VSET1(x) vdupq_n_f32(x)
#define VFMA(a, b, c) vfmaq_f32(c, a, b)
#define VSTORE(p, v) vst1q_f32(p, v)
#define VLOADH(p) vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)(p)))
#define NAME(x) ev_gqa_##x##_neon
#define GQA_TWO 1
#include "gqa-simd.h"
