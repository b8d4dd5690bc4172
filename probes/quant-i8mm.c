/* probes/quant-i8mm.c: prefill's q4_0 and q8_0 GEMM with the int8 matrix
 * multiply (smmla, ARMv8.6 I8MM: a 2x8 by 8x2 int8 product into 2x2 int32, 32
 * multiply-adds per instruction, twice sdot's 16). It pays only where there
 * are two tokens to multiply: decode (one token) keeps the sdot kernel on the
 * same 4-row layout (q4_0x4i, q8_0x4), and this file adds the multi-token
 * kernel. Two rows' 8-quant chunks are zipped side by side once per block
 * (the 2x8 operand), two tokens' chunks likewise once per block and token
 * pair; each (row pair, token pair) then costs 4 smmla, one conversion and
 * one FMA. */
#include <arm_neon.h>

#include "gemm-tile.h"
#include "quant-neon-rows.h"
#include "quant.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_i8mm);

/* [a k..k+7, b k..k+7] from the low (zip1) or high (zip2) halves of a and b. */
static inline int8x16_t zip_lo(int8x16_t a, int8x16_t b)
{
	return vreinterpretq_s8_s64(vzip1q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}
static inline int8x16_t zip_hi(int8x16_t a, int8x16_t b)
{
	return vreinterpretq_s8_s64(vzip2q_s64(vreinterpretq_s64_s8(a), vreinterpretq_s64_s8(b)));
}

/* The body for both formats: LOADW fills w[rp][k], row pair rp's k-th 8-quant
 * chunk (k = 0..3) of the block at p. acc[rp][tp] lanes: row 2rp x token 2tp,
 * row 2rp x token 2tp+1, row 2rp+1 x token 2tp, row 2rp+1 x token 2tp+1. An
 * odd last token is paired with itself (its twin's lanes are dropped). */
#define X4_SMMLA_BODY(GB, LOADW, CVT, REGION)                                                \
	const int NP = (NT + 1) / 2;                                                         \
	int nb = n / QK;                                                                     \
	float32x4_t acc[2][EV_GEMM_TOKENS / 2];                                              \
	const struct block_q8_0 *y[EV_GEMM_TOKENS];                                          \
	const float *ds[EV_GEMM_TOKENS];                                                     \
	const unsigned char *p = g;                                                          \
	(void)rb;                                                                            \
	GEMM_UNROLL                                                                          \
	for (int t = 0; t < 2 * NP; t++) {                                                   \
		y[t] = (const void *)ACT_T(t < NT ? t : NT - 1);                              \
		ds[t] = ev_act_q8_scales(y[t], n);                                            \
	}                                                                                    \
	GEMM_UNROLL                                                                          \
	for (int tp = 0; tp < NP; tp++)                                                      \
		acc[0][tp] = acc[1][tp] = vdupq_n_f32(0);                                     \
	for (int b = 0; b < nb; b++, p += (GB)) {                                            \
		EV_MCA_BEGIN_N(REGION, NT);                                                  \
		EV_PREFETCH_STREAM(p);                                                       \
		int8x16_t w[2][4];                                                           \
		LOADW;                                                                       \
		float32x4_t dx = vcvt_f32_f16(vld1_f16((const float16_t *)(const void *)p));  \
		float32x4_t dxp[2] = {vzip1q_f32(dx, dx), vzip2q_f32(dx, dx)};                \
		GEMM_UNROLL                                                                  \
		for (int tp = 0; tp < NP; tp++) {                                            \
			const int8_t *ya = y[2 * tp][b].qs, *yb = y[2 * tp + 1][b].qs;        \
			int8x16_t a0 = vld1q_s8(ya), a1 = vld1q_s8(ya + 16);                  \
			int8x16_t b0 = vld1q_s8(yb), b1 = vld1q_s8(yb + 16);                  \
			int8x16_t c[4] = {zip_lo(a0, b0), zip_hi(a0, b0), zip_lo(a1, b1),       \
					  zip_hi(a1, b1)};                                      \
			float32x2_t d2 = {ds[2 * tp][b], ds[2 * tp + 1][b]};                  \
			float32x4_t dyp = vcombine_f32(d2, d2);                               \
			GEMM_UNROLL                                                          \
			for (int rp = 0; rp < 2; rp++) {                                     \
				int32x4_t s = vmmlaq_s32(vdupq_n_s32(0), w[rp][0], c[0]);     \
				s = vmmlaq_s32(s, w[rp][1], c[1]);                            \
				s = vmmlaq_s32(s, w[rp][2], c[2]);                            \
				s = vmmlaq_s32(s, w[rp][3], c[3]);                            \
				acc[rp][tp] = vfmaq_f32(acc[rp][tp], CVT(s),                  \
							vmulq_f32(dxp[rp], dyp));             \
			}                                                                    \
		}                                                                            \
		EV_MCA_END();                                                                \
	}

/* Token t's 4 results (rows 0..3) from the pair accumulators. */
static inline void store_token(float32x4_t acc[2][EV_GEMM_TOKENS / 2], int t, float *o)
{
	float l0[4], l1[4];
	int k = t & 1;
	vst1q_f32(l0, acc[0][t / 2]);
	vst1q_f32(l1, acc[1][t / 2]);
	o[0] = l0[k];
	o[1] = l0[2 + k];
	o[2] = l1[k];
	o[3] = l1[2 + k];
}

/* q4_0x4i (quant.h): vector c holds bytes 4c..4c+3 of rows 0-3. A 32-bit
 * zip of vectors 0 and 1 gives bytes 0..7 of rows 0 and 1 (zip1) or 2 and 3
 * (zip2), of vectors 2 and 3 bytes 8..15; shl 4 then gives 16 x quants 0-7 /
 * 8-15 of the pair, and 0xf0 16 x quants 16-23 / 24-31 (signed: the 1/16 is
 * the conversion's 4 fraction bits, and nothing is taken back). */
static inline int8x16_t zip32_lo(int8x16_t a, int8x16_t b)
{
	return vreinterpretq_s8_s32(vzip1q_s32(vreinterpretq_s32_s8(a), vreinterpretq_s32_s8(b)));
}
static inline int8x16_t zip32_hi(int8x16_t a, int8x16_t b)
{
	return vreinterpretq_s8_s32(vzip2q_s32(vreinterpretq_s32_s8(a), vreinterpretq_s32_s8(b)));
}
#define NIB_LO(v) vshlq_n_s8(v, 4)
#define NIB_HI(v) vreinterpretq_s8_u8(vandq_u8(vreinterpretq_u8_s8(v), vdupq_n_u8(0xf0)))
#define LOAD_Q4I                                                                             \
	{                                                                                    \
		const int8_t *q_ = (const int8_t *)(p + 8);                                   \
		int8x16_t v0 = vld1q_s8(q_), v1 = vld1q_s8(q_ + 16);                          \
		int8x16_t v2 = vld1q_s8(q_ + 32), v3 = vld1q_s8(q_ + 48);                     \
		int8x16_t z[2][2] = {{zip32_lo(v0, v1), zip32_lo(v2, v3)},                    \
				     {zip32_hi(v0, v1), zip32_hi(v2, v3)}};                   \
		GEMM_UNROLL                                                                  \
		for (int rp = 0; rp < 2; rp++) {                                             \
			w[rp][0] = NIB_LO(z[rp][0]);                                          \
			w[rp][1] = NIB_LO(z[rp][1]);                                          \
			w[rp][2] = NIB_HI(z[rp][0]);                                          \
			w[rp][3] = NIB_HI(z[rp][1]);                                          \
		}                                                                            \
	}
#define CVT_Q4I(s) vcvtq_n_f32_s32(s, 4)
#define CVT_Q8(s) vcvtq_f32_s32(s)

GEMM_INLINE void q4_0x4_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
				 size_t astride, const int NT, float *out, size_t ostride)
{
	X4_SMMLA_BODY(EV_Q4_0X4_GROUP_BYTES, LOAD_Q4I, CVT_Q4I, "q4_0x4i-gemm-i8mm")
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		store_token(acc, t, out + (size_t)t * ostride);
}

/* q8_0x4: each row's 32 quants in two loads; 4 zips per row pair. */
#define LOAD_Q8                                                                              \
	GEMM_UNROLL                                                                          \
	for (int rp = 0; rp < 2; rp++) {                                                     \
		const int8_t *x0 = (const int8_t *)(p + 8 + 2 * QK * rp), *x1 = x0 + QK;      \
		int8x16_t a0 = vld1q_s8(x0), a1 = vld1q_s8(x0 + 16);                          \
		int8x16_t b0 = vld1q_s8(x1), b1 = vld1q_s8(x1 + 16);                          \
		w[rp][0] = zip_lo(a0, b0);                                                    \
		w[rp][1] = zip_hi(a0, b0);                                                    \
		w[rp][2] = zip_lo(a1, b1);                                                    \
		w[rp][3] = zip_hi(a1, b1);                                                    \
	}

GEMM_INLINE void q8_0x4_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
				 size_t astride, const int NT, float *out, size_t ostride)
{
	X4_SMMLA_BODY(EV_Q8_0X4_GROUP_BYTES, LOAD_Q8, CVT_Q8, "q8_0x4-gemm-i8mm")
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		store_token(acc, t, out + (size_t)t * ostride);
}

static GEMM_ROWS(smmla_q4_0x4, q4_0x4_gemm_nt, 4, dot_rows_q4_0_dotprod)
static GEMM_ROWS(smmla_q8_0x4, q8_0x4_gemm_nt, 4, dot_rows_q8_0_dotprod)

/* A lone token (a prompt's last, when its length is 1 more than a multiple of
 * EV_GEMM_TOKENS) goes to the sdot kernel: paired with itself, smmla would
 * throw half its products away (llvm-mca: 20.6 against 15.6 cycles a block on
 * the A710/N2/V1 model). */
void gemm_q4_0x4_i8mm(int n, const void *w, size_t rb, int nr, const void *act, size_t astride,
		      int nt, float *out, size_t ostride)
{
	if (nt == 1)
		dot_rows_q4_0x4_dotprod(n, w, rb, nr, act, out);
	else
		smmla_q4_0x4(n, w, rb, nr, act, astride, nt, out, ostride);
}

void gemm_q8_0x4_i8mm(int n, const void *w, size_t rb, int nr, const void *act, size_t astride,
		      int nt, float *out, size_t ostride)
{
	if (nt == 1)
		dot_rows_q8_0x4_dotprod(n, w, rb, nr, act, out);
	else
		smmla_q8_0x4(n, w, rb, nr, act, astride, nt, out, ostride);
}
