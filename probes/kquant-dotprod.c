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

/* The 8 sub-blocks' scales of a q4_Kx4i/q5_Kx4i group (4 rows each, int32):
 * fields 0 and 1 of the scale bytes (quant.h). */
static inline void kx4_scales(const unsigned char *p, int32x4_t sc[8])
{
	const uint8x16_t three = vdupq_n_u8(3);
	uint8x16_t l1 = vld1q_u8(p + 16), h = vld1q_u8(p + 48);
	widen4(vsliq_n_u8(l1, vandq_u8(h, three), 4), sc);
	widen4(vsliq_n_u8(vshrq_n_u8(l1, 4), vandq_u8(vshrq_n_u8(h, 2), three), 4), sc + 4);
}

/* A group's end: the minimum term (fields 2 and 3 times the activations'
 * sub-block sums) and both FMAs, d and dmin times the activations' scale. */
static inline void kx4_finish(const unsigned char *p, const struct block_q8_K *yb, int32x4_t si,
			      float32x4_t *acc, float32x4_t *macc)
{
	const uint8x16_t three = vdupq_n_u8(3);
	uint8x16_t l2 = vld1q_u8(p + 32), h = vld1q_u8(p + 48);
	int16x8_t pairs = vpaddq_s16(vld1q_s16(yb->bsums), vld1q_s16(yb->bsums + 8));
	int32x4_t mi = vdupq_n_s32(0);
	Q4KX4_MINS(mi, vsliq_n_u8(l2, vandq_u8(vshrq_n_u8(h, 4), three), 4), pairs, 0);
	Q4KX4_MINS(mi, vsliq_n_u8(vshrq_n_u8(l2, 4), vshrq_n_u8(h, 6), 4), pairs, 4);
	float32x4_t d = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
	float32x4_t dm = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)(p + 8)));
	*acc = vfmaq_f32(*acc, vcvtq_f32_s32(si), vmulq_n_f32(d, yb->d));
	*macc = vfmaq_f32(*macc, vcvtq_f32_s32(mi), vmulq_n_f32(dm, yb->d));
}

__attribute__((target("tune=cortex-a76"))) void
dot_rows_q4_Kx4i_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	const uint8x16_t m4 = vdupq_n_u8(0x0f);
	int nb = n / QK_K, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0), macc = acc;
		for (int b = 0; b < nb; b++, p += EV_Q4_KX4_GROUP_BYTES) {
			EV_MCA_BEGIN("q4_Kx4i-dotprod");
			EV_PREFETCH_BLOCK(p, EV_Q4_KX4_GROUP_BYTES);
			const int8_t *yq = y[b].qs;
			int32x4_t sc[8], slo, shi, si;
			kx4_scales(p, sc);
			Q4KX4_PASS(p + 64, yq, slo, shi);
			si = vmlaq_s32(vmulq_s32(slo, sc[0]), shi, sc[1]);
			Q4KX4_PASS(p + 192, yq + 64, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[2]), shi, sc[3]);
			Q4KX4_PASS(p + 320, yq + 128, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[4]), shi, sc[5]);
			Q4KX4_PASS(p + 448, yq + 192, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[6]), shi, sc[7]);
			kx4_finish(p, &y[b], si, &acc, &macc);
			EV_MCA_END();
		}
		vst1q_f32(out + g, vsubq_f32(acc, macc));
	}
	if (g < nr)
		dot_rows_q4_K_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* ---- q5_Kx4i: q4_Kx4i plus the fifth bits (quant.h) ----
 * qh vector c holds bytes 4c..4c+3 of the 4 rows, each byte's bits
 * reordered at load: bit k is the fifth bit of its element in pass k's low
 * nibbles, bit 4 + k in the high ones. Shifted right by k (pass 0: not at
 * all), a byte has the low nibble's bit at 0 and the high nibble's at 4, and
 * in pass 3 nothing above it: one AND isolates each (pass 3's high bit
 * needs none), sli puts the low bit over the low nibble and sri the high
 * nibble under the high bit. sli overwrites the loaded quants in place, so
 * sri reads them first; no register copies, no bit-selects (two operations
 * each on the A76 model). Against the bit-selects of GGUF's bit order,
 * per 4 rows' super-block: A76 model 187 -> 163 cycles (3.77 -> 4.31 bytes
 * a cycle), A710 168 -> 161, M1 108 -> 102; the A55 model loses 3% (541 ->
 * 557: gcc copies the quants before each sli, 44 copies a group, and the
 * A55 issues one 128-bit operation a cycle). */
#define KX4_SHR(h, k) ((k) > 0 ? vshrq_n_u8(h, (k) > 0 ? (k) : 1) : (h))
#define Q5KX4_STEP(slo, shi, q, hq, k, ylo, yhi, l)                                          \
	do {                                                                                 \
		uint8x16_t v_ = vld1q_u8(q), h_ = KX4_SHR(vld1q_u8(hq), k);                   \
		uint8x16_t hi_ = vsriq_n_u8((k) == 3 ? h_ : vandq_u8(h_, m10), v_, 4);        \
		uint8x16_t lo_ = vsliq_n_u8(v_, vandq_u8(h_, one), 4);                        \
		slo = vdotq_laneq_s32(slo, vreinterpretq_s8_u8(lo_), ylo, l);                 \
		shi = vdotq_laneq_s32(shi, vreinterpretq_s8_u8(hi_), yhi, l);                 \
	} while (0)

#define Q5KX4_PASS(p, k, yk, slo, shi)                                                       \
	do {                                                                                 \
		const unsigned char *q_ = (p) + 64 + 128 * (k), *hq_ = (p) + 576;             \
		int8x16_t ylo0_ = vld1q_s8(yk), ylo1_ = vld1q_s8((yk) + 16);                  \
		int8x16_t yhi0_ = vld1q_s8((yk) + 32), yhi1_ = vld1q_s8((yk) + 48);           \
		slo = vdupq_n_s32(0);                                                         \
		shi = vdupq_n_s32(0);                                                         \
		Q5KX4_STEP(slo, shi, q_, hq_, k, ylo0_, yhi0_, 0);                            \
		Q5KX4_STEP(slo, shi, q_ + 16, hq_ + 16, k, ylo0_, yhi0_, 1);                  \
		Q5KX4_STEP(slo, shi, q_ + 32, hq_ + 32, k, ylo0_, yhi0_, 2);                  \
		Q5KX4_STEP(slo, shi, q_ + 48, hq_ + 48, k, ylo0_, yhi0_, 3);                  \
		Q5KX4_STEP(slo, shi, q_ + 64, hq_ + 64, k, ylo1_, yhi1_, 0);                  \
		Q5KX4_STEP(slo, shi, q_ + 80, hq_ + 80, k, ylo1_, yhi1_, 1);                  \
		Q5KX4_STEP(slo, shi, q_ + 96, hq_ + 96, k, ylo1_, yhi1_, 2);                  \
		Q5KX4_STEP(slo, shi, q_ + 112, hq_ + 112, k, ylo1_, yhi1_, 3);                \
	} while (0)

/* The A76 tuning: A55 model 666 -> 557 cycles, A76 model 176 -> 163. */
__attribute__((target("tune=cortex-a76"))) void
dot_rows_q5_Kx4i_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	const uint8x16_t m10 = vdupq_n_u8(0x10), one = vdupq_n_u8(1);
	int nb = n / QK_K, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0), macc = acc;
		for (int b = 0; b < nb; b++, p += EV_Q5_KX4_GROUP_BYTES) {
			EV_MCA_BEGIN("q5_Kx4i-dotprod");
			EV_PREFETCH_BLOCK(p, EV_Q5_KX4_GROUP_BYTES);
			const int8_t *yq = y[b].qs;
			int32x4_t sc[8], slo, shi, si;
			kx4_scales(p, sc);
			Q5KX4_PASS(p, 0, yq, slo, shi);
			si = vmlaq_s32(vmulq_s32(slo, sc[0]), shi, sc[1]);
			Q5KX4_PASS(p, 1, yq + 64, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[2]), shi, sc[3]);
			Q5KX4_PASS(p, 2, yq + 128, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[4]), shi, sc[5]);
			Q5KX4_PASS(p, 3, yq + 192, slo, shi);
			si = vmlaq_s32(vmlaq_s32(si, slo, sc[6]), shi, sc[7]);
			kx4_finish(p, &y[b], si, &acc, &macc);
			EV_MCA_END();
		}
		vst1q_f32(out + g, vsubq_f32(acc, macc));
	}
	if (g < nr)
		dot_rows_q5_K_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* ---- q6_Kx4i: q6_K with 4 rows interleaved at load (quant.h) ----
 * Chunk c (0..7) of a half: ql bytes l = 4c..4c+3 (A: quarters 0 and 2) and
 * l + 32 (B: quarters 1 and 3) and qh bytes l (H: 2 high bits for each
 * quarter), of rows 0-3. The 6-bit quants stay unsigned (0..63) and the -32
 * is taken back once per super-block from the activations' 16-element sums
 * and the scales; sdot by activation lane c % 4 sums each row in its lane.
 * Group (16 weights) 8h + 2q + c / 4 collects quarter q of chunks c. */
#define Q6X4_CHUNK(ql, qh, c, y0, y1, y2, y3, S)                                            \
	do {                                                                                 \
		uint8x16_t a_ = vld1q_u8((ql) + 16 * (c)), b_ = vld1q_u8((ql) + 16 * ((c) + 8)); \
		uint8x16_t h_ = vld1q_u8((qh) + 16 * (c)), h2_ = vshrq_n_u8(h_, 2);           \
		uint8x16_t q0_ = vsliq_n_u8(a_, vandq_u8(h_, three), 4);                      \
		uint8x16_t q1_ = vsliq_n_u8(b_, vandq_u8(h2_, three), 4);                     \
		uint8x16_t q2_ = vorrq_u8(vshrq_n_u8(a_, 4), vandq_u8(h_, m30));              \
		uint8x16_t q3_ = vorrq_u8(vshrq_n_u8(b_, 4), vandq_u8(h2_, m30));             \
		S[0 + (c) / 4] = vdotq_laneq_s32(S[0 + (c) / 4], vreinterpretq_s8_u8(q0_), y0, (c) % 4); \
		S[2 + (c) / 4] = vdotq_laneq_s32(S[2 + (c) / 4], vreinterpretq_s8_u8(q1_), y1, (c) % 4); \
		S[4 + (c) / 4] = vdotq_laneq_s32(S[4 + (c) / 4], vreinterpretq_s8_u8(q2_), y2, (c) % 4); \
		S[6 + (c) / 4] = vdotq_laneq_s32(S[6 + (c) / 4], vreinterpretq_s8_u8(q3_), y3, (c) % 4); \
	} while (0)

/* One half (128 weights of each row): 8 groups' sums, scaled into si by
 * their 4 rows' scales sc[8] (int32 lanes). */
#define Q6X4_HALF(p, h, yq, sc, si)                                                          \
	do {                                                                                 \
		const unsigned char *ql_ = (p) + 72 + 256 * (h), *qh_ = (p) + 584 + 128 * (h); \
		const int8_t *yh_ = (yq) + 128 * (h);                                         \
		int8x16_t ya_ = vld1q_s8(yh_), yb_ = vld1q_s8(yh_ + 16);                      \
		int8x16_t yc_ = vld1q_s8(yh_ + 32), yd_ = vld1q_s8(yh_ + 48);                 \
		int8x16_t ye_ = vld1q_s8(yh_ + 64), yf_ = vld1q_s8(yh_ + 80);                 \
		int8x16_t yg_ = vld1q_s8(yh_ + 96), yi_ = vld1q_s8(yh_ + 112);                \
		int32x4_t S_[8];                                                              \
		_Pragma("GCC unroll 8")                                                       \
		for (int k_ = 0; k_ < 8; k_++)                                                \
			S_[k_] = vdupq_n_s32(0);                                              \
		Q6X4_CHUNK(ql_, qh_, 0, ya_, yc_, ye_, yg_, S_);                              \
		Q6X4_CHUNK(ql_, qh_, 1, ya_, yc_, ye_, yg_, S_);                              \
		Q6X4_CHUNK(ql_, qh_, 2, ya_, yc_, ye_, yg_, S_);                              \
		Q6X4_CHUNK(ql_, qh_, 3, ya_, yc_, ye_, yg_, S_);                              \
		Q6X4_CHUNK(ql_, qh_, 4, yb_, yd_, yf_, yi_, S_);                              \
		Q6X4_CHUNK(ql_, qh_, 5, yb_, yd_, yf_, yi_, S_);                              \
		Q6X4_CHUNK(ql_, qh_, 6, yb_, yd_, yf_, yi_, S_);                              \
		Q6X4_CHUNK(ql_, qh_, 7, yb_, yd_, yf_, yi_, S_);                              \
		/* S_[2q + i] is group 8h + 2q + i */                                        \
		_Pragma("GCC unroll 8")                                                       \
		for (int k_ = 0; k_ < 8; k_++)                                                \
			si = vmlaq_s32(si, S_[k_], sc[k_]);                                   \
	} while (0)

/* 16 int8 scales (4 groups x 4 rows) as int32 (s[4]) and int16 (w[2]) */
static inline void widen4_s8(int8x16_t f, int32x4_t s[4], int16x8_t w[2])
{
	w[0] = vmovl_s8(vget_low_s8(f));
	w[1] = vmovl_high_s8(f);
	s[0] = vmovl_s16(vget_low_s16(w[0]));
	s[1] = vmovl_high_s16(w[0]);
	s[2] = vmovl_s16(vget_low_s16(w[1]));
	s[3] = vmovl_high_s16(w[1]);
}

/* sum_g scale[g] x bsums[g] over 4 groups (j0..j0+3 of bs) */
#define Q6X4_CORR(acc, w, bs, j0)                                                            \
	do {                                                                                 \
		acc = vmlal_laneq_s16(acc, vget_low_s16(w[0]), bs, (j0));                     \
		acc = vmlal_high_laneq_s16(acc, w[0], bs, (j0) + 1);                          \
		acc = vmlal_laneq_s16(acc, vget_low_s16(w[1]), bs, (j0) + 2);                 \
		acc = vmlal_high_laneq_s16(acc, w[1], bs, (j0) + 3);                          \
	} while (0)

/* No A76 tuning here: with it the A55 model gains 12% (679 -> 597 cycles) and
 * the A76 model loses 6% (193 -> 205), close to issue 11's 4 B/cycle. */
void dot_rows_q6_Kx4i_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	const uint8x16_t three = vdupq_n_u8(3), m30 = vdupq_n_u8(0x30);
	int nb = n / QK_K, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0);
		for (int b = 0; b < nb; b++, p += EV_Q6_KX4_GROUP_BYTES) {
			EV_MCA_BEGIN("q6_Kx4i-dotprod");
			EV_PREFETCH_BLOCK(p, EV_Q6_KX4_GROUP_BYTES);
			int32x4_t sc[8], si = vdupq_n_s32(0), corr = si;
			int16x8_t sw[4];
			int16x8_t bs0 = vld1q_s16(y[b].bsums), bs1 = vld1q_s16(y[b].bsums + 8);
			/* half 0: groups 0-7 (scale vectors 0 and 1) */
			widen4_s8(vld1q_s8((const int8_t *)p + 8), sc, sw);
			widen4_s8(vld1q_s8((const int8_t *)p + 24), sc + 4, sw + 2);
			Q6X4_CORR(corr, sw, bs0, 0);
			Q6X4_CORR(corr, (sw + 2), bs0, 4);
			Q6X4_HALF(p, 0, y[b].qs, sc, si);
			/* half 1: groups 8-15 */
			widen4_s8(vld1q_s8((const int8_t *)p + 40), sc, sw);
			widen4_s8(vld1q_s8((const int8_t *)p + 56), sc + 4, sw + 2);
			Q6X4_CORR(corr, sw, bs1, 0);
			Q6X4_CORR(corr, (sw + 2), bs1, 4);
			Q6X4_HALF(p, 1, y[b].qs, sc, si);
			si = vsubq_s32(si, vshlq_n_s32(corr, 5));
			float32x4_t d = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
			acc = vfmaq_f32(acc, vcvtq_f32_s32(si), vmulq_n_f32(d, y[b].d));
			EV_MCA_END();
		}
		vst1q_f32(out + g, acc);
	}
	if (g < nr)
		dot_rows_q6_K_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}
