/* probes/kquant.c: the k-quants (q4_K, q5_K, q6_K and their q8_K activations):
 * conversions to and from float and the scalar reference dot products. Block
 * layouts are GGUF's (probes/quant.h), so a row read from a file is used as is.
 * The quantizers are plain (min/max per sub-block, no error search like
 * ggml's): they make valid blocks for synthetic weights and tests, which is all
 * the tool needs; the decoder runs whatever blocks a file holds. */
#include <math.h>
#include <string.h>

#include "quant.h"

/* ---- 6-bit scales and mins of q4_K and q5_K (the layout: quant.h) ---- */
void ev_k_scale_min(int j, const uint8_t *q, uint8_t *sc, uint8_t *m)
{
	ev_k_scale_min_inl(j, q, sc, m);
}

void ev_k_pack_scales(const uint8_t sc[8], const uint8_t m[8], uint8_t *q)
{
	for (int j = 0; j < 4; j++) {
		q[j] = (uint8_t)((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
		q[j + 4] = (uint8_t)((m[j] & 63) | ((m[j + 4] >> 4) << 6));
		q[j + 8] = (uint8_t)((sc[j + 4] & 0x0f) | ((m[j + 4] & 0x0f) << 4));
	}
}

/* q4_Kx4i and q5_Kx4i (quant.h): value v of field f (0: scales 0-3, 1:
 * scales 4-7, 2: mins 0-3, 3: mins 4-7) at lane i = 4 * (sub-block % 4) +
 * row; q5_K's qh after the quants, interleaved the same way, each byte's
 * bits reordered: GGUF's bit 2k (pass k's low nibbles) to bit k, bit 2k + 1
 * (its high nibbles) to bit 4 + k. */
static uint8_t qh_to_x4(uint8_t b)
{
	uint8_t o = 0;
	for (int k = 0; k < 4; k++)
		o |= (uint8_t)(((b >> (2 * k)) & 1) << k | ((b >> (2 * k + 1)) & 1) << (4 + k));
	return o;
}

static uint8_t qh_from_x4(uint8_t b)
{
	uint8_t o = 0;
	for (int k = 0; k < 4; k++)
		o |= (uint8_t)(((b >> k) & 1) << (2 * k) | ((b >> (4 + k)) & 1) << (2 * k + 1));
	return o;
}

static size_t kx4_group_bytes(int q5)
{
	return q5 ? EV_Q5_KX4_GROUP_BYTES : EV_Q4_KX4_GROUP_BYTES;
}

static void kx4_repack(void *rows, int n, void *scratch, int q5)
{
	int nb = n / QK_K;
	size_t bb = q5 ? sizeof(struct block_q5_K) : sizeof(struct block_q4_K);
	size_t rb = (size_t)nb * bb;
	unsigned char *tmp = scratch, *dst = rows;
	memcpy(tmp, rows, 4 * rb);
	for (int b = 0; b < nb; b++) {
		unsigned char *g = dst + (size_t)b * kx4_group_bytes(q5);
		uint8_t v[4][16];
		for (int r = 0; r < 4; r++) {
			const unsigned char *blk = tmp + (size_t)r * rb + (size_t)b * bb;
			const struct block_q4_K *x4 = (const void *)blk;
			const struct block_q5_K *x5 = (const void *)blk;
			const uint8_t *scales = q5 ? x5->scales : x4->scales, *qs = q5 ? x5->qs : x4->qs;
			memcpy(g + 2 * r, blk, 2);         /* d */
			memcpy(g + 8 + 2 * r, blk + 2, 2); /* dmin */
			for (int j = 0; j < 8; j++)
				ev_k_scale_min(j, scales, &v[j / 4][4 * (j % 4) + r],
					       &v[2 + j / 4][4 * (j % 4) + r]);
			for (int k = 0; k < 4; k++)
				for (int c = 0; c < 8; c++)
					for (int i = 0; i < 4; i++) /* q4_K: low nibble as q - 8 */
						g[64 + 128 * k + 16 * c + 4 * r + i] =
							(uint8_t)(qs[32 * k + 4 * c + i] ^ (q5 ? 0 : 8));
			if (q5)
				for (int c = 0; c < 8; c++)
					for (int i = 0; i < 4; i++)
						g[576 + 16 * c + 4 * r + i] = qh_to_x4(x5->qh[4 * c + i]);
		}
		for (int i = 0; i < 16; i++) {
			g[16 + i] = (uint8_t)((v[0][i] & 15) | (v[1][i] & 15) << 4);
			g[32 + i] = (uint8_t)((v[2][i] & 15) | (v[3][i] & 15) << 4);
			g[48 + i] = (uint8_t)(v[0][i] >> 4 | (v[1][i] >> 4) << 2 | (v[2][i] >> 4) << 4 |
					      (v[3][i] >> 4) << 6);
		}
	}
}

static void kx4_unpack_row(const void *group, int n, int r, void *row, int q5)
{
	const unsigned char *g = group;
	size_t bb = q5 ? sizeof(struct block_q5_K) : sizeof(struct block_q4_K);
	for (int b = 0; b < n / QK_K; b++, g += kx4_group_bytes(q5)) {
		unsigned char *blk = (unsigned char *)row + (size_t)b * bb;
		struct block_q4_K *x4 = (void *)blk;
		struct block_q5_K *x5 = (void *)blk;
		uint8_t sc[8], m[8], *qs = q5 ? x5->qs : x4->qs;
		memcpy(blk, g + 2 * r, 2);
		memcpy(blk + 2, g + 8 + 2 * r, 2);
		for (int j = 0; j < 8; j++) {
			int i = 4 * (j % 4) + r, f = j / 4;
			sc[j] = (uint8_t)(((g[16 + i] >> (4 * f)) & 15) | ((g[48 + i] >> (2 * f)) & 3) << 4);
			m[j] = (uint8_t)(((g[32 + i] >> (4 * f)) & 15) | ((g[48 + i] >> (2 * f + 4)) & 3) << 4);
		}
		ev_k_pack_scales(sc, m, q5 ? x5->scales : x4->scales);
		for (int k = 0; k < 4; k++)
			for (int c = 0; c < 8; c++)
				for (int i = 0; i < 4; i++)
					qs[32 * k + 4 * c + i] =
						(uint8_t)(g[64 + 128 * k + 16 * c + 4 * r + i] ^ (q5 ? 0 : 8));
		if (q5)
			for (int c = 0; c < 8; c++)
				for (int i = 0; i < 4; i++)
					x5->qh[4 * c + i] = qh_from_x4(g[576 + 16 * c + 4 * r + i]);
	}
}

void ev_q4_Kx4i_repack(void *rows, int n, void *scratch)
{
	kx4_repack(rows, n, scratch, 0);
}

void ev_q4_Kx4i_unpack_row(const void *group, int n, int r, void *row)
{
	kx4_unpack_row(group, n, r, row, 0);
}

void ev_q5_Kx4i_repack(void *rows, int n, void *scratch)
{
	kx4_repack(rows, n, scratch, 1);
}

void ev_q5_Kx4i_unpack_row(const void *group, int n, int r, void *row)
{
	kx4_unpack_row(group, n, r, row, 1);
}

/* q6_Kx4i (quant.h): byte offsets of row r's pieces in a group */
#define Q6X4_SC(g, r) (8 + 16 * ((g) / 4) + 4 * ((g) % 4) + (r))
#define Q6X4_QL(i, r) (72 + 16 * ((i) / 4) + 4 * (r) + (i) % 4)
#define Q6X4_QH(i, r) (584 + 16 * ((i) / 4) + 4 * (r) + (i) % 4)

void ev_q6_Kx4i_repack(void *rows, int n, void *scratch)
{
	int nb = n / QK_K;
	size_t rb = (size_t)nb * sizeof(struct block_q6_K);
	unsigned char *tmp = scratch, *dst = rows;
	memcpy(tmp, rows, 4 * rb);
	for (int b = 0; b < nb; b++) {
		unsigned char *g = dst + (size_t)b * EV_Q6_KX4_GROUP_BYTES;
		for (int r = 0; r < 4; r++) {
			const struct block_q6_K *x = (const void *)(tmp + (size_t)r * rb);
			memcpy(g + 2 * r, &x[b].d, 2);
			for (int k = 0; k < 16; k++)
				g[Q6X4_SC(k, r)] = (uint8_t)x[b].scales[k];
			for (int i = 0; i < QK_K / 2; i++)
				g[Q6X4_QL(i, r)] = x[b].ql[i];
			for (int i = 0; i < QK_K / 4; i++)
				g[Q6X4_QH(i, r)] = x[b].qh[i];
		}
	}
}

void ev_q6_Kx4i_unpack_row(const void *group, int n, int r, void *row)
{
	const unsigned char *g = group;
	struct block_q6_K *out = row;
	for (int b = 0; b < n / QK_K; b++, g += EV_Q6_KX4_GROUP_BYTES) {
		memcpy(&out[b].d, g + 2 * r, 2);
		for (int k = 0; k < 16; k++)
			out[b].scales[k] = (int8_t)g[Q6X4_SC(k, r)];
		for (int i = 0; i < QK_K / 2; i++)
			out[b].ql[i] = g[Q6X4_QL(i, r)];
		for (int i = 0; i < QK_K / 4; i++)
			out[b].qh[i] = g[Q6X4_QH(i, r)];
	}
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Weights of one sub-block as d*sc*q - dmin*m: the 6-bit sc and m of each of
 * the 8 sub-blocks of x[256], and q (0..qmax) of every weight. */
static void k_affine(const float *x, int qmax, ev_fp16 *dh, ev_fp16 *dminh, uint8_t *scales,
		     uint8_t *q)
{
	float scale[8], minv[8], maxs = 0, maxm = 0, d, dmin;
	uint8_t sc[8], m[8];
	for (int j = 0; j < 8; j++) {
		float lo = x[32 * j], hi = x[32 * j];
		for (int l = 1; l < 32; l++) {
			lo = fminf(lo, x[32 * j + l]);
			hi = fmaxf(hi, x[32 * j + l]);
		}
		if (lo > 0)
			lo = 0;
		scale[j] = (hi - lo) / (float)qmax;
		minv[j] = -lo;
		maxs = fmaxf(maxs, scale[j]);
		maxm = fmaxf(maxm, minv[j]);
	}
	*dh = ev_f32_to_fp16(maxs / 63.0f);
	*dminh = ev_f32_to_fp16(maxm / 63.0f);
	d = ev_h2f(*dh);
	dmin = ev_h2f(*dminh);
	for (int j = 0; j < 8; j++) {
		sc[j] = (uint8_t)(d > 0 ? clampi((int)lrintf(scale[j] / d), 0, 63) : 0);
		m[j] = (uint8_t)(dmin > 0 ? clampi((int)lrintf(minv[j] / dmin), 0, 63) : 0);
	}
	ev_k_pack_scales(sc, m, scales);
	for (int j = 0; j < 8; j++) {
		float step = d * sc[j], off = dmin * m[j];
		for (int l = 0; l < 32; l++)
			q[32 * j + l] = (uint8_t)(step > 0 ? clampi((int)lrintf((x[32 * j + l] + off) / step), 0, qmax) : 0);
	}
}

/* ---- q4_K ---- */
void ev_q4_K_to_float(const void *src, float *y, int64_t n)
{
	const struct block_q4_K *b = src;
	for (int64_t i = 0; i < n / QK_K; i++) {
		float d = ev_h2f(b[i].d), dmin = ev_h2f(b[i].dmin);
		const uint8_t *q = b[i].qs;
		for (int j = 0; j < 8; j += 2, q += 32) {
			uint8_t s0, m0, s1, m1;
			ev_k_scale_min(j, b[i].scales, &s0, &m0);
			ev_k_scale_min(j + 1, b[i].scales, &s1, &m1);
			for (int l = 0; l < 32; l++) {
				*y++ = d * s0 * (float)(q[l] & 0x0f) - dmin * m0;
			}
			for (int l = 0; l < 32; l++)
				*y++ = d * s1 * (float)(q[l] >> 4) - dmin * m1;
		}
	}
}

void ev_q4_K_from_float(const float *x, void *dst, int64_t n)
{
	struct block_q4_K *b = dst;
	uint8_t q[QK_K];
	for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
		k_affine(x, 15, &b[i].d, &b[i].dmin, b[i].scales, q);
		for (int j = 0; j < 4; j++)
			for (int l = 0; l < 32; l++)
				b[i].qs[32 * j + l] = (uint8_t)(q[64 * j + l] | (q[64 * j + 32 + l] << 4));
	}
}

/* sum over sub-block j of y as integers (the reference does not trust bsums) */
static int32_t ysum(const int8_t *y)
{
	int32_t s = 0;
	for (int l = 0; l < 32; l++)
		s += y[l];
	return s;
}

float ev_dot_q4_K_ref(int n, const void *w, const void *act)
{
	const struct block_q4_K *x = w;
	const struct block_q8_K *y = act;
	float s = 0;
	for (int i = 0; i < n / QK_K; i++) {
		int32_t acc = 0, mins = 0;
		const uint8_t *q = x[i].qs;
		const int8_t *a = y[i].qs;
		EV_MCA_BEGIN("q4_K-generic");
		for (int j = 0; j < 8; j += 2, q += 32, a += 64) {
			uint8_t s0, m0, s1, m1;
			int32_t p0 = 0, p1 = 0;
			ev_k_scale_min(j, x[i].scales, &s0, &m0);
			ev_k_scale_min(j + 1, x[i].scales, &s1, &m1);
			for (int l = 0; l < 32; l++) {
				p0 += (q[l] & 0x0f) * a[l];
				p1 += (q[l] >> 4) * a[32 + l];
			}
			acc += s0 * p0 + s1 * p1;
			mins += m0 * ysum(a) + m1 * ysum(a + 32);
		}
		s += y[i].d * (ev_h2f(x[i].d) * (float)acc - ev_h2f(x[i].dmin) * (float)mins);
		EV_MCA_END();
	}
	return s;
}

/* ---- q5_K ---- */
void ev_q5_K_to_float(const void *src, float *y, int64_t n)
{
	const struct block_q5_K *b = src;
	for (int64_t i = 0; i < n / QK_K; i++) {
		float d = ev_h2f(b[i].d), dmin = ev_h2f(b[i].dmin);
		const uint8_t *q = b[i].qs;
		for (int j = 0; j < 8; j += 2, q += 32) {
			uint8_t s0, m0, s1, m1;
			ev_k_scale_min(j, b[i].scales, &s0, &m0);
			ev_k_scale_min(j + 1, b[i].scales, &s1, &m1);
			for (int l = 0; l < 32; l++)
				*y++ = d * s0 * (float)((q[l] & 0x0f) | (((b[i].qh[l] >> j) & 1) << 4)) - dmin * m0;
			for (int l = 0; l < 32; l++)
				*y++ = d * s1 * (float)((q[l] >> 4) | (((b[i].qh[l] >> (j + 1)) & 1) << 4)) - dmin * m1;
		}
	}
}

void ev_q5_K_from_float(const float *x, void *dst, int64_t n)
{
	struct block_q5_K *b = dst;
	uint8_t q[QK_K];
	for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
		k_affine(x, 31, &b[i].d, &b[i].dmin, b[i].scales, q);
		memset(b[i].qh, 0, sizeof b[i].qh);
		for (int j = 0; j < 4; j++)
			for (int l = 0; l < 32; l++) {
				int lo = q[64 * j + l], hi = q[64 * j + 32 + l];
				b[i].qs[32 * j + l] = (uint8_t)((lo & 0x0f) | ((hi & 0x0f) << 4));
				b[i].qh[l] |= (uint8_t)(((lo >> 4) << (2 * j)) | ((hi >> 4) << (2 * j + 1)));
			}
	}
}

float ev_dot_q5_K_ref(int n, const void *w, const void *act)
{
	const struct block_q5_K *x = w;
	const struct block_q8_K *y = act;
	float s = 0;
	for (int i = 0; i < n / QK_K; i++) {
		int32_t acc = 0, mins = 0;
		const uint8_t *q = x[i].qs;
		const int8_t *a = y[i].qs;
		for (int j = 0; j < 8; j += 2, q += 32, a += 64) {
			uint8_t s0, m0, s1, m1;
			int32_t p0 = 0, p1 = 0;
			ev_k_scale_min(j, x[i].scales, &s0, &m0);
			ev_k_scale_min(j + 1, x[i].scales, &s1, &m1);
			for (int l = 0; l < 32; l++) {
				p0 += ((q[l] & 0x0f) | (((x[i].qh[l] >> j) & 1) << 4)) * a[l];
				p1 += ((q[l] >> 4) | (((x[i].qh[l] >> (j + 1)) & 1) << 4)) * a[32 + l];
			}
			acc += s0 * p0 + s1 * p1;
			mins += m0 * ysum(a) + m1 * ysum(a + 32);
		}
		s += y[i].d * (ev_h2f(x[i].d) * (float)acc - ev_h2f(x[i].dmin) * (float)mins);
	}
	return s;
}

/* ---- q6_K ----
 * Per half (128 weights): for l < 32, ql[l] low/high nibbles are weights l and
 * l+64, ql[l+32] low/high are l+32 and l+96; qh[l] bits 0-1, 2-3, 4-5, 6-7 are
 * the high bits of l, l+32, l+64, l+96. Scale of weight k: scales[k / 16]. */
static int q6_at(const struct block_q6_K *b, int k)
{
	int h = k / 128, r = k % 128, l = r % 32, quarter = r / 32;
	const uint8_t *ql = b->ql + 64 * h, *qh = b->qh + 32 * h;
	int lo = quarter & 1 ? ql[l + 32] : ql[l];
	lo = quarter >= 2 ? lo >> 4 : lo & 0x0f;
	return (lo | (((qh[l] >> (2 * quarter)) & 3) << 4)) - 32;
}

void ev_q6_K_to_float(const void *src, float *y, int64_t n)
{
	const struct block_q6_K *b = src;
	for (int64_t i = 0; i < n / QK_K; i++) {
		float d = ev_h2f(b[i].d);
		for (int k = 0; k < QK_K; k++)
			*y++ = d * b[i].scales[k / 16] * (float)q6_at(&b[i], k);
	}
}

void ev_q6_K_from_float(const float *x, void *dst, int64_t n)
{
	struct block_q6_K *b = dst;
	for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
		float sc[16], amax = 0, d;
		uint8_t q[QK_K];
		for (int g = 0; g < 16; g++) {
			float a = 0;
			for (int l = 0; l < 16; l++)
				a = fmaxf(a, fabsf(x[16 * g + l]));
			sc[g] = a / 31.0f;
			amax = fmaxf(amax, sc[g]);
		}
		b[i].d = ev_f32_to_fp16(amax / 127.0f);
		d = ev_h2f(b[i].d);
		for (int g = 0; g < 16; g++) {
			float step;
			b[i].scales[g] = (int8_t)(d > 0 ? clampi((int)lrintf(sc[g] / d), -127, 127) : 0);
			step = d * b[i].scales[g];
			for (int l = 0; l < 16; l++)
				q[16 * g + l] = (uint8_t)(step != 0 ? clampi((int)lrintf(x[16 * g + l] / step), -32, 31) + 32 : 32);
		}
		memset(b[i].qh, 0, sizeof b[i].qh);
		for (int h = 0; h < 2; h++)
			for (int l = 0; l < 32; l++) {
				const uint8_t *v = q + 128 * h;
				b[i].ql[64 * h + l] = (uint8_t)((v[l] & 0x0f) | ((v[l + 64] & 0x0f) << 4));
				b[i].ql[64 * h + l + 32] = (uint8_t)((v[l + 32] & 0x0f) | ((v[l + 96] & 0x0f) << 4));
				b[i].qh[32 * h + l] = (uint8_t)((v[l] >> 4) | ((v[l + 32] >> 4) << 2) |
								((v[l + 64] >> 4) << 4) | ((v[l + 96] >> 4) << 6));
			}
	}
}

float ev_dot_q6_K_ref(int n, const void *w, const void *act)
{
	const struct block_q6_K *x = w;
	const struct block_q8_K *y = act;
	float s = 0;
	for (int i = 0; i < n / QK_K; i++) {
		int32_t acc = 0;
		for (int g = 0; g < 16; g++) {
			int32_t p = 0;
			for (int l = 0; l < 16; l++)
				p += q6_at(&x[i], 16 * g + l) * y[i].qs[16 * g + l];
			acc += x[i].scales[g] * p;
		}
		s += y[i].d * ev_h2f(x[i].d) * (float)acc;
	}
	return s;
}

/* ---- q8_K ---- */
void ev_q8_K_to_float(const void *src, float *y, int64_t n)
{
	const struct block_q8_K *b = src;
	for (int64_t i = 0; i < n / QK_K; i++)
		for (int k = 0; k < QK_K; k++)
			*y++ = b[i].d * (float)b[i].qs[k];
}

void ev_q8_K_from_float(const float *x, void *dst, int64_t n)
{
	struct block_q8_K *b = dst;
	for (int64_t i = 0; i < n / QK_K; i++, x += QK_K) {
		float amax = 0, inv;
		for (int k = 0; k < QK_K; k++)
			amax = fmaxf(amax, fabsf(x[k]));
		b[i].d = amax / 127.0f;
		inv = amax > 0 ? 127.0f / amax : 0;
		for (int g = 0; g < QK_K / 16; g++) {
			int s = 0;
			for (int l = 0; l < 16; l++) {
				int v = clampi((int)lrintf(x[16 * g + l] * inv), -127, 127);
				b[i].qs[16 * g + l] = (int8_t)v;
				s += v;
			}
			b[i].bsums[g] = (int16_t)s;
		}
	}
}
