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
 * are quants 4c..4c+3 of sub-block 2k of each row (stored XOR 8, so a
 * signed nibble q - 8), its high nibbles those of sub-block 2k+1; sdot by
 * activation lane c % 4 (of the sub-block's 16 activations c / 4) adds them
 * into the row's lane. The nibbles come out by shifts alone: shl 4 gives
 * 16 (q - 8) of the low one as a signed byte, ushr 4 the high one; no
 * masks, which the in-order Cortex-A55 issues as whole 128-bit operations
 * beside nothing else where its shifts pair with a load. After 8 such sdot
 * a vector holds the 4 rows' sums of a sub-block, and one multiply-add by
 * the 4 rows' scales of that sub-block (int32 lanes; the high nibbles'
 * scales times 16, so both sums are 16 x) scales them all: no horizontal
 * adds, no per-row scale broadcast. The - 8 comes back once a super-block,
 * 8 x scale x the activations' 32-sum of each even sub-block. */
/* A zeroed accumulator, written where this statement stands: a constant
 * zero would be one register copied just before its first sdot, which an
 * in-order core then waits for. */
static inline int32x4_t kx4_zero(void)
{
	int32x4_t z;
	__asm__ volatile("movi %0.4s, #0" : "=w"(z));
	return z;
}

/* Passes P and Q (of one group) side by side, written in the order an
 * in-order core should issue it (dot_rows_q4_Kx4i_dotprod keeps gcc's A76
 * schedule, which holds this order within a step within a cycle or two, 266
 * cycles a group on the A55 model against 274 built as written): each step
 * shifts this step's vectors, each shift beside a load of the next step's
 * (a shift and a load issue together on the Cortex-A55; steps 0-3 also load
 * the activations of steps 4-7), then 4 sdot into 4 accumulators (an
 * accumulator's next sdot comes 7 cycles later, past sdot's latency). */
#define Q4KX4_J(j, slP, shP, slQ, shQ)                                                      \
	do {                                                                                 \
		int8x16_t nP_ = wP_, nQ_ = wQ_;                                               \
		if ((j) < 7)                                                                  \
			nP_ = vld1q_s8(qP_ + 16 * ((j) + 1));                                 \
		int8x16_t lP_ = vshlq_n_s8(wP_, 4);                                           \
		if ((j) < 7)                                                                  \
			nQ_ = vld1q_s8(qQ_ + 16 * ((j) + 1));                                 \
		int8x16_t hP_ = vreinterpretq_s8_u8(vshrq_n_u8(vreinterpretq_u8_s8(wP_), 4)); \
		if ((j) < 4)                                                                  \
			y1_[j] = vld1q_s8(y1p_[j]);                                           \
		int8x16_t lQ_ = vshlq_n_s8(wQ_, 4);                                           \
		int8x16_t hQ_ = vreinterpretq_s8_u8(vshrq_n_u8(vreinterpretq_u8_s8(wQ_), 4)); \
		slP = vdotq_laneq_s32(slP, lP_, (j) < 4 ? yPl0_ : y1_[0], (j) % 4);          \
		shP = vdotq_laneq_s32(shP, hP_, (j) < 4 ? yPh0_ : y1_[1], (j) % 4);          \
		slQ = vdotq_laneq_s32(slQ, lQ_, (j) < 4 ? yQl0_ : y1_[2], (j) % 4);          \
		shQ = vdotq_laneq_s32(shQ, hQ_, (j) < 4 ? yQh0_ : y1_[3], (j) % 4);          \
		wP_ = nP_;                                                                    \
		wQ_ = nQ_;                                                                    \
	} while (0)

/* Passes kP and kP + 1 of the group at p (activations yq): the 4 sums */
#define Q4KX4_PASS2(p, yq, kP, slP, shP, slQ, shQ)                                          \
	do {                                                                                 \
		const int8_t *qP_ = (const int8_t *)(p) + 64 + 128 * (kP), *qQ_ = qP_ + 128;  \
		const int8_t *yP_ = (yq) + 64 * (kP), *yQ_ = yP_ + 64;                        \
		const int8_t *y1p_[4] = {yP_ + 16, yP_ + 48, yQ_ + 16, yQ_ + 48};             \
		int8x16_t y1_[4];                                                             \
		slP = kx4_zero();                                                             \
		shP = kx4_zero();                                                             \
		slQ = kx4_zero();                                                             \
		shQ = kx4_zero();                                                             \
		int8x16_t wP_ = vld1q_s8(qP_), wQ_ = vld1q_s8(qQ_);                           \
		int8x16_t yPl0_ = vld1q_s8(yP_), yPh0_ = vld1q_s8(yP_ + 32);                  \
		int8x16_t yQl0_ = vld1q_s8(yQ_), yQh0_ = vld1q_s8(yQ_ + 32);                  \
		Q4KX4_J(0, slP, shP, slQ, shQ);                                               \
		Q4KX4_J(1, slP, shP, slQ, shQ);                                               \
		Q4KX4_J(2, slP, shP, slQ, shQ);                                               \
		Q4KX4_J(3, slP, shP, slQ, shQ);                                               \
		Q4KX4_J(4, slP, shP, slQ, shQ);                                               \
		Q4KX4_J(5, slP, shP, slQ, shQ);                                               \
		Q4KX4_J(6, slP, shP, slQ, shQ);                                               \
		Q4KX4_J(7, slP, shP, slQ, shQ);                                               \
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

/* Fields 0 and 1 of a q4_Kx4i/q5_Kx4i group's scale bytes (quant.h): the 6-bit
 * scales of sub-blocks 0-3 (*f0) and 4-7 (*f1), 4 rows each; the top 2 bits
 * isolated by shift pairs (no mask register; a shift pairs with a load on
 * the A55), in issue order for an in-order core. */
static inline void kx4_fields01(const unsigned char *p, uint8x16_t *f0, uint8x16_t *f1)
{
	uint8x16_t l1 = vld1q_u8(p + 16), h = vld1q_u8(p + 48);
	uint8x16_t e0 = vshlq_n_u8(h, 6), e1 = vshlq_n_u8(h, 4);
	uint8x16_t l1h = vshrq_n_u8(l1, 4);
	e0 = vshrq_n_u8(e0, 6);
	e1 = vshrq_n_u8(e1, 6);
	*f0 = vsliq_n_u8(l1, e0, 4);
	*f1 = vsliq_n_u8(l1h, e1, 4);
}

/* The activations' 32-sums of the 8 sub-blocks */
static inline int16x8_t kx4_pairs(const struct block_q8_K *yb)
{
	return vpaddq_s16(vld1q_s16(yb->bsums), vld1q_s16(yb->bsums + 8));
}

/* A q4_Kx4i/q5_Kx4i group's end, in issue order for an in-order core: the
 * last pass pair's sums (s0-s3) times their scales (sc) into the two partial
 * sums t0, t1; the mins (fields 2 and 3) times the activations' 32-sums pr,
 * two chains; both FMAs, d and dmin times the activations' scale. */
static inline void kx4_end(const unsigned char *p, const struct block_q8_K *yb, int16x8_t pr,
			   int32x4_t t0, int32x4_t t1, int32x4_t s0, int32x4_t s1, int32x4_t s2,
			   int32x4_t s3, const int32x4_t sc[4], float32x4_t *acc, float32x4_t *macc)
{
	uint8x16_t l2 = vld1q_u8(p + 32), h = vld1q_u8(p + 48);
	float16x4_t dh = vld1_f16((const float16_t *)(const void *)p);
	float16x4_t dmh = vld1_f16((const float16_t *)(const void *)(p + 8));
	float32x4_t yd = vld1q_dup_f32(&yb->d);
	t0 = vmlaq_s32(t0, s0, sc[0]);
	t1 = vmlaq_s32(t1, s2, sc[2]);
	uint8x16_t m0 = vsliq_n_u8(l2, vshrq_n_u8(vshlq_n_u8(h, 2), 6), 4);
	uint8x16_t m1 = vsliq_n_u8(vshrq_n_u8(l2, 4), vshrq_n_u8(h, 6), 4);
	t0 = vmlaq_s32(t0, s1, sc[1]);
	t1 = vmlaq_s32(t1, s3, sc[3]);
	float32x4_t d = vcvt_f32_f16(dh), dm = vcvt_f32_f16(dmh);
	int16x8_t ma = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(m0)));
	int16x8_t mc = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(m1)));
	int32x4_t mi0 = vmull_laneq_s16(vget_low_s16(ma), pr, 0);
	int32x4_t mi1 = vmull_laneq_s16(vget_low_s16(mc), pr, 4);
	int16x8_t mb = vreinterpretq_s16_u16(vmovl_high_u8(m0));
	int16x8_t md = vreinterpretq_s16_u16(vmovl_high_u8(m1));
	mi0 = vmlal_high_laneq_s16(mi0, ma, pr, 1);
	mi1 = vmlal_high_laneq_s16(mi1, mc, pr, 5);
	d = vmulq_f32(d, yd);
	dm = vmulq_f32(dm, yd);
	mi0 = vmlal_laneq_s16(mi0, vget_low_s16(mb), pr, 2);
	mi1 = vmlal_laneq_s16(mi1, vget_low_s16(md), pr, 6);
	int32x4_t si = vaddq_s32(t0, t1);
	mi0 = vmlal_high_laneq_s16(mi0, mb, pr, 3);
	mi1 = vmlal_high_laneq_s16(mi1, md, pr, 7);
	*acc = vfmaq_f32(*acc, vcvtq_f32_s32(si), d);
	*macc = vfmaq_f32(*macc, vcvtq_f32_s32(vaddq_s32(mi0, mi1)), dm);
}

__attribute__((target("tune=cortex-a76"))) EV_NO_LDP void
dot_rows_q4_Kx4i_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	int nb = n / QK_K, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0), macc = acc;
		for (int b = 0; b < nb; b++, p += EV_Q4_KX4_GROUP_BYTES) {
			EV_MCA_BEGIN("q4_Kx4i-dotprod");
			EV_PREFETCH_BLOCK(p, EV_Q4_KX4_GROUP_BYTES);
			const int8_t *yq = y[b].qs;
			int32x4_t sc[4], s0, s1, s2, s3, t0, t1, cx;
			/* scales, fields 0 and 1 (the top 2 bits isolated by shifts:
			 * no mask register, and shifts pair with loads on the A55);
			 * the high nibbles' times 16; cx: the even sub-blocks' scales
			 * times the activations' 32-sums (the low nibbles' - 8) */
			uint8x16_t f0, f1;
			int16x8_t pr = kx4_pairs(&y[b]);
			kx4_fields01(p, &f0, &f1);
			uint16x8_t a_ = vmovl_u8(vget_low_u8(f0)), b_ = vmovl_high_u8(f0);
			cx = vmull_laneq_s16(vreinterpret_s16_u16(vget_low_u16(a_)), pr, 0);
			sc[0] = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(a_)));
			sc[1] = vreinterpretq_s32_u32(vshll_high_n_u16(a_, 4));
			sc[2] = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(b_)));
			sc[3] = vreinterpretq_s32_u32(vshll_high_n_u16(b_, 4));
			cx = vmlal_laneq_s16(cx, vreinterpret_s16_u16(vget_low_u16(b_)), pr, 2);
			Q4KX4_PASS2(p, yq, 0, s0, s1, s2, s3);
			t0 = vmulq_s32(s0, sc[0]);
			t1 = vmulq_s32(s2, sc[2]);
			a_ = vmovl_u8(vget_low_u8(f1));
			b_ = vmovl_high_u8(f1);
			t0 = vmlaq_s32(t0, s1, sc[1]);
			t1 = vmlaq_s32(t1, s3, sc[3]);
			cx = vmlal_laneq_s16(cx, vreinterpret_s16_u16(vget_low_u16(a_)), pr, 4);
			sc[0] = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(a_)));
			sc[1] = vreinterpretq_s32_u32(vshll_high_n_u16(a_, 4));
			sc[2] = vreinterpretq_s32_u32(vmovl_u16(vget_low_u16(b_)));
			sc[3] = vreinterpretq_s32_u32(vshll_high_n_u16(b_, 4));
			cx = vmlal_laneq_s16(cx, vreinterpret_s16_u16(vget_low_u16(b_)), pr, 6);
			t0 = vmlaq_n_s32(t0, cx, 128);
			Q4KX4_PASS2(p, yq, 2, s0, s1, s2, s3);
			kx4_end(p, &y[b], pr, t0, t1, s0, s1, s2, s3, sc, &acc, &macc);
			EV_MCA_END();
		}
		/* si carries 16 x the sums (the low nibbles' shl 4) */
		vst1q_f32(out + g, vsubq_f32(vmulq_n_f32(acc, 1.0f / 16), macc));
	}
	if (g < nr)
		dot_rows_q4_K_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* ---- q5_Kx4i on in-order cores (Cortex-A53/A55/A510) ----
 * The layout of the out-of-order kernel below. Passes P and Q side by side
 * as in Q4KX4_PASS2, each fifth bit isolated by a shift pair (shl puts it
 * at bit 7, ushr where sli or sri wants it with zeros around it): on the
 * A55 a shift issues beside a load where a mask (and) takes a whole cycle
 * alone; the sdot come 4 instructions after the sli/sri they read (4
 * cycles on that core). The out-of-order cores' schedules differ: the
 * Neoverse N2/Cortex-A710 model runs shifts on one pipe only (this kernel:
 * 215 cycles a group there, the masks of the other 161). */
#define Q5KX4IO_J(j, kP, slP, shP, slQ, shQ)                                                  \
	do {                                                                                 \
		uint8x16_t vP_ = vld1q_u8(qP_ + 16 * (j)), nh_ = h_;                          \
		uint8x16_t ilP_ = vshlq_n_u8(h_, 7 - (kP));                                   \
		uint8x16_t vQ_ = vld1q_u8(qQ_ + 16 * (j));                                    \
		uint8x16_t ilQ_ = vshlq_n_u8(h_, 6 - (kP));                                   \
		if ((j) < 7)                                                                  \
			nh_ = vld1q_u8(hq_ + 16 * ((j) + 1));                                 \
		uint8x16_t ihP_ = vshlq_n_u8(h_, 3 - (kP));                                   \
		if ((j) < 4)                                                                  \
			y1_[j] = vld1q_s8(y1p_[j]);                                           \
		uint8x16_t ihQ_ = (kP) == 2 ? h_ : vshlq_n_u8(h_, 2 - (kP));                  \
		if (4 * (kP) + (j) < EV_Q5_KX4_GROUP_BYTES / 64)                              \
			EV_PREFETCH_STREAM(pf_ + 64 * (4 * (kP) + (j)));                      \
		ihP_ = vshrq_n_u8(ihP_, 3);                                                   \
		ihQ_ = vshrq_n_u8(ihQ_, 3);                                                   \
		ilP_ = vshrq_n_u8(ilP_, 7);                                                   \
		ilQ_ = vshrq_n_u8(ilQ_, 7);                                                   \
		ihP_ = vsriq_n_u8(ihP_, vP_, 4);                                              \
		ihQ_ = vsriq_n_u8(ihQ_, vQ_, 4);                                              \
		vP_ = vsliq_n_u8(vP_, ilP_, 4);                                               \
		vQ_ = vsliq_n_u8(vQ_, ilQ_, 4);                                               \
		shP = vdotq_laneq_s32(shP, vreinterpretq_s8_u8(ihP_), (j) < 4 ? yPh0_ : y1_[1], (j) % 4); \
		shQ = vdotq_laneq_s32(shQ, vreinterpretq_s8_u8(ihQ_), (j) < 4 ? yQh0_ : y1_[3], (j) % 4); \
		slP = vdotq_laneq_s32(slP, vreinterpretq_s8_u8(vP_), (j) < 4 ? yPl0_ : y1_[0], (j) % 4); \
		slQ = vdotq_laneq_s32(slQ, vreinterpretq_s8_u8(vQ_), (j) < 4 ? yQl0_ : y1_[2], (j) % 4); \
		h_ = nh_;                                                                     \
	} while (0)

/* Passes kP and kP + 1 (kP 0 or 2) of the q5_Kx4i group at p: the 4 sums */
#define Q5KX4IO_PASS2(p, yq, kP, slP, shP, slQ, shQ)                                          \
	do {                                                                                 \
		const unsigned char *qP_ = (p) + 64 + 128 * (kP), *qQ_ = qP_ + 128;           \
		const unsigned char *hq_ = (p) + 576, *pf_ = (p);                             \
		const int8_t *yP_ = (yq) + 64 * (kP), *yQ_ = yP_ + 64;                        \
		const int8_t *y1p_[4] = {yP_ + 16, yP_ + 48, yQ_ + 16, yQ_ + 48};             \
		int8x16_t y1_[4];                                                             \
		slP = kx4_zero();                                                             \
		shP = kx4_zero();                                                             \
		slQ = kx4_zero();                                                             \
		shQ = kx4_zero();                                                             \
		uint8x16_t h_ = vld1q_u8(hq_);                                                \
		int8x16_t yPl0_ = vld1q_s8(yP_), yPh0_ = vld1q_s8(yP_ + 32);                  \
		int8x16_t yQl0_ = vld1q_s8(yQ_), yQh0_ = vld1q_s8(yQ_ + 32);                  \
		Q5KX4IO_J(0, kP, slP, shP, slQ, shQ);                                           \
		Q5KX4IO_J(1, kP, slP, shP, slQ, shQ);                                           \
		Q5KX4IO_J(2, kP, slP, shP, slQ, shQ);                                           \
		Q5KX4IO_J(3, kP, slP, shP, slQ, shQ);                                           \
		Q5KX4IO_J(4, kP, slP, shP, slQ, shQ);                                           \
		Q5KX4IO_J(5, kP, slP, shP, slQ, shQ);                                           \
		Q5KX4IO_J(6, kP, slP, shP, slQ, shQ);                                           \
		Q5KX4IO_J(7, kP, slP, shP, slQ, shQ);                                           \
	} while (0)

__attribute__((target("tune=cortex-a76"))) EV_AS_WRITTEN void
dot_rows_q5_Kx4i_io_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	int nb = n / QK_K, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0), macc = acc;
		for (int b = 0; b < nb; b++, p += EV_Q5_KX4_GROUP_BYTES) {
			EV_MCA_BEGIN("q5_Kx4i-io-dotprod");
			const int8_t *yq = y[b].qs;
			int32x4_t sc[4], s0, s1, s2, s3, t0, t1;
			/* scales, fields 0 and 1, 4 sub-blocks at a time */
			uint8x16_t f0, f1;
			kx4_fields01(p, &f0, &f1);
			int16x8_t pr = kx4_pairs(&y[b]);
			widen4(f0, sc);
			Q5KX4IO_PASS2(p, yq, 0, s0, s1, s2, s3);
			t0 = vmulq_s32(s0, sc[0]);
			t1 = vmulq_s32(s2, sc[2]);
			t0 = vmlaq_s32(t0, s1, sc[1]);
			t1 = vmlaq_s32(t1, s3, sc[3]);
			widen4(f1, sc);
			Q5KX4IO_PASS2(p, yq, 2, s0, s1, s2, s3);
			kx4_end(p, &y[b], pr, t0, t1, s0, s1, s2, s3, sc, &acc, &macc);
			EV_MCA_END();
		}
		vst1q_f32(out + g, vsubq_f32(acc, macc));
	}
	if (g < nr)
		dot_rows_q5_K_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* ---- q6_Kx4i on in-order cores ----
 * The layout of the out-of-order kernel below (Q6X4_CHUNK). The high bits
 * are isolated by shifts alone (shl then ushr leaves a pair where sli or
 * sri wants it, zeros around it): no masks, and on the in-order Cortex-A55
 * a shift issues beside a load. Each chunk is written in the order such a
 * core should issue it (the function is built without instruction
 * scheduling): shifts of H beside the loads of A, B, the next H and an
 * activation vector of chunks 4-7, then sri before sli (sli overwrites A
 * and B in place), then 4 sdot, each 4 instructions after the result it
 * reads (sli and sri take 4 cycles on that core). */
#define Q6X4IO_J(c, hf, S)                                                                     \
	do {                                                                                 \
		uint8x16_t t0_ = vshlq_n_u8(h_, 6);                                           \
		uint8x16_t a_ = vld1q_u8(ql_ + 16 * (c));                                     \
		uint8x16_t t1_ = vshlq_n_u8(h_, 4);                                           \
		uint8x16_t b_ = vld1q_u8(ql_ + 16 * ((c) + 8));                               \
		uint8x16_t t2_ = vshlq_n_u8(h_, 2), nh_ = h_;                                 \
		if ((c) < 7)                                                                  \
			nh_ = vld1q_u8(qh_ + 16 * ((c) + 1));                                 \
		uint8x16_t t3_ = vshrq_n_u8(h_, 2);                                           \
		if ((c) < 4)                                                                  \
			y2_[c] = vld1q_s8(y2p_[c]);                                           \
		t2_ = vshrq_n_u8(t2_, 2);                                                     \
		if (8 * (hf) + (c) < (EV_Q6_KX4_GROUP_BYTES + 63) / 64)                       \
			EV_PREFETCH_STREAM(pf_ + 64 * (8 * (hf) + (c)));                      \
		t0_ = vshrq_n_u8(t0_, 6);                                                     \
		t1_ = vshrq_n_u8(t1_, 6);                                                     \
		t2_ = vsriq_n_u8(t2_, a_, 4);                                                 \
		a_ = vsliq_n_u8(a_, t0_, 4);                                                  \
		t3_ = vsriq_n_u8(t3_, b_, 4);                                                 \
		b_ = vsliq_n_u8(b_, t1_, 4);                                                  \
		S[4 + (c) / 4] = vdotq_laneq_s32(S[4 + (c) / 4], vreinterpretq_s8_u8(t2_),    \
						 (c) < 4 ? ye_ : y2_[2], (c) % 4);            \
		S[0 + (c) / 4] = vdotq_laneq_s32(S[0 + (c) / 4], vreinterpretq_s8_u8(a_),     \
						 (c) < 4 ? ya_ : y2_[0], (c) % 4);            \
		S[6 + (c) / 4] = vdotq_laneq_s32(S[6 + (c) / 4], vreinterpretq_s8_u8(t3_),    \
						 (c) < 4 ? yg_ : y2_[3], (c) % 4);            \
		S[2 + (c) / 4] = vdotq_laneq_s32(S[2 + (c) / 4], vreinterpretq_s8_u8(b_),     \
						 (c) < 4 ? yc_ : y2_[1], (c) % 4);            \
		h_ = nh_;                                                                     \
	} while (0)

/* One half (128 weights of each row): its 8 groups' sums into S[8] */
#define Q6X4IO_HALF(p, hf, yq, S)                                                              \
	do {                                                                                 \
		const unsigned char *ql_ = (p) + 72 + 256 * (hf), *qh_ = (p) + 584 + 128 * (hf); \
		const unsigned char *pf_ = (p);                                               \
		const int8_t *yh_ = (yq) + 128 * (hf);                                        \
		const int8_t *y2p_[4] = {yh_ + 16, yh_ + 48, yh_ + 80, yh_ + 112};            \
		int8x16_t y2_[4];                                                             \
		_Pragma("GCC unroll 8")                                                       \
		for (int k_ = 0; k_ < 8; k_++)                                                \
			S[k_] = kx4_zero();                                                   \
		uint8x16_t h_ = vld1q_u8(qh_);                                                \
		int8x16_t ya_ = vld1q_s8(yh_), yc_ = vld1q_s8(yh_ + 32);                      \
		int8x16_t ye_ = vld1q_s8(yh_ + 64), yg_ = vld1q_s8(yh_ + 96);                 \
		Q6X4IO_J(0, hf, S);                                                             \
		Q6X4IO_J(1, hf, S);                                                             \
		Q6X4IO_J(2, hf, S);                                                             \
		Q6X4IO_J(3, hf, S);                                                             \
		Q6X4IO_J(4, hf, S);                                                             \
		Q6X4IO_J(5, hf, S);                                                             \
		Q6X4IO_J(6, hf, S);                                                             \
		Q6X4IO_J(7, hf, S);                                                             \
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

/* A half's 8 group sums S times their scales (16 int8 at sp, 4 groups x 4
 * rows, twice) into si0/si1, and the scales times the activations' 16-sums
 * (bs) into corr0/corr1: two chains each. */
static inline void q6x4_scale(const int8_t *sp, const int32x4_t S[8], int16x8_t bs,
			      int32x4_t *si0, int32x4_t *si1, int32x4_t *corr0, int32x4_t *corr1)
{
	int32x4_t sc[8];
	int16x8_t sw[4];
	widen4_s8(vld1q_s8(sp), sc, sw);
	widen4_s8(vld1q_s8(sp + 16), sc + 4, sw + 2);
	*si0 = vmlaq_s32(*si0, S[0], sc[0]);
	*si1 = vmlaq_s32(*si1, S[1], sc[1]);
	*corr0 = vmlal_laneq_s16(*corr0, vget_low_s16(sw[0]), bs, 0);
	*corr1 = vmlal_laneq_s16(*corr1, vget_low_s16(sw[2]), bs, 4);
	*si0 = vmlaq_s32(*si0, S[2], sc[2]);
	*si1 = vmlaq_s32(*si1, S[3], sc[3]);
	*corr0 = vmlal_high_laneq_s16(*corr0, sw[0], bs, 1);
	*corr1 = vmlal_high_laneq_s16(*corr1, sw[2], bs, 5);
	*si0 = vmlaq_s32(*si0, S[4], sc[4]);
	*si1 = vmlaq_s32(*si1, S[5], sc[5]);
	*corr0 = vmlal_laneq_s16(*corr0, vget_low_s16(sw[1]), bs, 2);
	*corr1 = vmlal_laneq_s16(*corr1, vget_low_s16(sw[3]), bs, 6);
	*si0 = vmlaq_s32(*si0, S[6], sc[6]);
	*si1 = vmlaq_s32(*si1, S[7], sc[7]);
	*corr0 = vmlal_high_laneq_s16(*corr0, sw[1], bs, 3);
	*corr1 = vmlal_high_laneq_s16(*corr1, sw[3], bs, 7);
}

__attribute__((target("tune=cortex-a76"))) EV_AS_WRITTEN void
dot_rows_q6_Kx4i_io_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const struct block_q8_K *y = act;
	int nb = n / QK_K, g = 0;
	for (; g + 4 <= nr; g += 4) {
		const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;
		float32x4_t acc = vdupq_n_f32(0);
		for (int b = 0; b < nb; b++, p += EV_Q6_KX4_GROUP_BYTES) {
			EV_MCA_BEGIN("q6_Kx4i-io-dotprod");
			int32x4_t S[8], si0 = vdupq_n_s32(0), si1 = si0, corr0 = si0, corr1 = si0;
			Q6X4IO_HALF(p, 0, y[b].qs, S);
			q6x4_scale((const int8_t *)p + 8, S, vld1q_s16(y[b].bsums), &si0, &si1, &corr0, &corr1);
			Q6X4IO_HALF(p, 1, y[b].qs, S);
			q6x4_scale((const int8_t *)p + 40, S, vld1q_s16(y[b].bsums + 8), &si0, &si1, &corr0, &corr1);
			int32x4_t si = vsubq_s32(vaddq_s32(si0, si1), vshlq_n_s32(vaddq_s32(corr0, corr1), 5));
			float32x4_t d = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));
			acc = vfmaq_f32(acc, vcvtq_f32_s32(si), vmulq_n_f32(d, y[b].d));
			EV_MCA_END();
		}
		vst1q_f32(out + g, acc);
	}
	if (g < nr)
		dot_rows_q6_K_dotprod(n, (const char *)w + (size_t)g * rb, rb, nr - g, act, out + g);
}

/* ==== The out-of-order cores' q5_Kx4i and q6_Kx4i (Cortex-A57 and later
 * big cores, Neoverse, Apple): masks rather than shift pairs, passes one at
 * a time, gcc's schedule. ==== */

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
