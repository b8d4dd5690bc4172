/* probes/qlegacy.c: the older 32-weight formats GGUF files still carry where
 * a k-quant does not fit (llama.cpp falls back to them when a row is not a
 * multiple of 256, e.g. every matrix of Qwen2.5-0.5B): q4_1, q5_0 and q5_1.
 * Conversions and scalar reference dots against q8_0 activations (their block
 * sums carry the minimum term). Only the generic kernel runs them: a file with
 * them decodes correctly, and its compute ceiling says how fast that is.
 *   q4_1: fp16 d, fp16 m, 16 bytes of nibbles; weight = d*q + m      (5 bits/weight)
 *   q5_0: fp16 d, 32 fifth bits (u32 qh), 16 bytes; weight = d*(q - 16) (5.5)
 *   q5_1: fp16 d, fp16 m, qh, 16 bytes; weight = d*q + m              (6)
 * Nibble j (low) is weight j, nibble j (high) weight j + 16; bit j of qh is the
 * fifth bit of weight j. */
#include <math.h>
#include <string.h>

#include "quant.h"

static int nib(const uint8_t *qs, int j)
{
	return j < 16 ? qs[j] & 0x0f : qs[j - 16] >> 4;
}

static int q5(const uint8_t *qs, uint32_t qh, int j)
{
	return nib(qs, j) | (int)(((qh >> j) & 1) << 4);
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Affine quantization of one block: d and m as fp16, q[j] in 0..qmax with
 * weight = d*q + m (m the block's minimum). */
static void affine(const float *x, int qmax, ev_fp16 *dh, ev_fp16 *mh, int q[QK])
{
	float lo = x[0], hi = x[0], d, m, inv;
	for (int j = 1; j < QK; j++) {
		lo = fminf(lo, x[j]);
		hi = fmaxf(hi, x[j]);
	}
	*dh = ev_f32_to_fp16((hi - lo) / (float)qmax);
	*mh = ev_f32_to_fp16(lo);
	d = ev_fp16_to_f32(*dh);
	m = ev_fp16_to_f32(*mh);
	inv = d > 0 ? 1 / d : 0;
	for (int j = 0; j < QK; j++)
		q[j] = clampi((int)lrintf((x[j] - m) * inv), 0, qmax);
}

/* q[j] into nibbles (weight j low, j + 16 high) and, for 5-bit formats, the
 * fifth bits into qh (bit j for weight j). */
static void pack(const int q[QK], uint8_t *qs, uint8_t *qh)
{
	uint32_t h = 0;
	memset(qs, 0, QK / 2);
	for (int j = 0; j < QK; j++) {
		qs[j & 15] |= (uint8_t)(j < 16 ? (q[j] & 15) : (q[j] & 15) << 4);
		h |= (uint32_t)(q[j] >> 4) << j;
	}
	if (qh)
		memcpy(qh, &h, 4);
}


void ev_q4_1_to_float(const void *src, float *y, int64_t n)
{
	const struct block_q4_1 *b = src;
	for (int64_t i = 0; i < n / QK; i++)
		for (int j = 0; j < QK; j++)
			*y++ = ev_fp16_to_f32(b[i].d) * (float)nib(b[i].qs, j) + ev_fp16_to_f32(b[i].m);
}

void ev_q4_1_from_float(const float *x, void *dst, int64_t n)
{
	struct block_q4_1 *b = dst;
	int q[QK];
	for (int64_t i = 0; i < n / QK; i++, x += QK) {
		affine(x, 15, &b[i].d, &b[i].m, q);
		pack(q, b[i].qs, NULL);
	}
}

float ev_dot_q4_1_ref(int n, const void *w, const void *act)
{
	const struct block_q4_1 *x = w;
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n);
	float s = 0;
	for (int i = 0; i < n / QK; i++) {
		int32_t acc = 0;
		for (int j = 0; j < QK; j++)
			acc += nib(x[i].qs, j) * y[i].qs[j];
		s += ev_fp16_to_f32(x[i].d) * ev_fp16_to_f32(y[i].d) * (float)acc + ev_fp16_to_f32(x[i].m) * ys[i];
	}
	return s;
}

void ev_q5_0_to_float(const void *src, float *y, int64_t n)
{
	const struct block_q5_0 *b = src;
	for (int64_t i = 0; i < n / QK; i++) {
		uint32_t qh;
		memcpy(&qh, b[i].qh, 4);
		for (int j = 0; j < QK; j++)
			*y++ = ev_fp16_to_f32(b[i].d) * (float)(q5(b[i].qs, qh, j) - 16);
	}
}

void ev_q5_0_from_float(const float *x, void *dst, int64_t n)
{
	/* as q4_0: the value of largest magnitude maps to -16 */
	struct block_q5_0 *b = dst;
	int q[QK];
	for (int64_t i = 0; i < n / QK; i++, x += QK) {
		float amax = 0, mx = 0, d, inv;
		for (int j = 0; j < QK; j++)
			if (fabsf(x[j]) > amax)
				amax = fabsf(x[j]), mx = x[j];
		b[i].d = ev_f32_to_fp16(mx / -16);
		d = ev_fp16_to_f32(b[i].d);
		inv = d != 0 ? 1 / d : 0;
		for (int j = 0; j < QK; j++)
			q[j] = clampi((int)lrintf(x[j] * inv) + 16, 0, 31);
		pack(q, b[i].qs, b[i].qh);
	}
}

float ev_dot_q5_0_ref(int n, const void *w, const void *act)
{
	const struct block_q5_0 *x = w;
	const struct block_q8_0 *y = act;
	float s = 0;
	for (int i = 0; i < n / QK; i++) {
		uint32_t qh;
		int32_t acc = 0;
		memcpy(&qh, x[i].qh, 4);
		for (int j = 0; j < QK; j++)
			acc += (q5(x[i].qs, qh, j) - 16) * y[i].qs[j];
		s += ev_fp16_to_f32(x[i].d) * ev_fp16_to_f32(y[i].d) * (float)acc;
	}
	return s;
}

void ev_q5_1_to_float(const void *src, float *y, int64_t n)
{
	const struct block_q5_1 *b = src;
	for (int64_t i = 0; i < n / QK; i++) {
		uint32_t qh;
		memcpy(&qh, b[i].qh, 4);
		for (int j = 0; j < QK; j++)
			*y++ = ev_fp16_to_f32(b[i].d) * (float)q5(b[i].qs, qh, j) + ev_fp16_to_f32(b[i].m);
	}
}

void ev_q5_1_from_float(const float *x, void *dst, int64_t n)
{
	struct block_q5_1 *b = dst;
	int q[QK];
	for (int64_t i = 0; i < n / QK; i++, x += QK) {
		affine(x, 31, &b[i].d, &b[i].m, q);
		pack(q, b[i].qs, b[i].qh);
	}
}

float ev_dot_q5_1_ref(int n, const void *w, const void *act)
{
	const struct block_q5_1 *x = w;
	const struct block_q8_0 *y = act;
	const float *ys = ev_act_q8_sums(act, n);
	float s = 0;
	for (int i = 0; i < n / QK; i++) {
		uint32_t qh;
		int32_t acc = 0;
		memcpy(&qh, x[i].qh, 4);
		for (int j = 0; j < QK; j++)
			acc += q5(x[i].qs, qh, j) * y[i].qs[j];
		s += ev_fp16_to_f32(x[i].d) * ev_fp16_to_f32(y[i].d) * (float)acc + ev_fp16_to_f32(x[i].m) * ys[i];
	}
	return s;
}
