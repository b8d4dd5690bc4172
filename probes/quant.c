/* probes/quant.c: format conversions, scalar reference dot products and the
 * table of SIMD implementations. The reference kernels are deliberately plain:
 * tests hold every SIMD kernel to them, and them to double precision. */
#include "quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kernel-file.h"

EV_KERNEL_FILE(kf_quant_generic);

/* ev_h2f (quant.h): without a branch (the generic decode loops run it twice
 * a block, and on a core without fp16 hardware, a RISC-V board without V
 * say, branches are what a compiler makes of the cases): exponent and mantissa moved up 13
 * bits, as float bits, times 2^112 are the half's magnitude exactly, normal
 * or subnormal (a subnormal half becomes a subnormal float bit pattern, and
 * eaves never sets flush-to-zero); infinities and NaNs (exponent 31) come out
 * with float exponent 143 and get 112 more, all ones, through
 * (em + 0x400) >> 15, which is 1 exactly for them. test-quant checks all
 * 65536 halves against the case-by-case conversion. */
float ev_fp16_to_f32(ev_fp16 h)
{
	return ev_h2f(h);
}

ev_fp16 ev_f32_to_fp16(float f)
{
	/* Round to nearest even, with overflow to inf and gradual underflow. */
	uint32_t u, sign, man;
	int exp;
	memcpy(&u, &f, 4);
	sign = (u >> 16) & 0x8000;
	exp = (int)((u >> 23) & 0xff) - 127 + 15;
	man = u & 0x7fffff;
	if (((u >> 23) & 0xff) == 0xff)
		return (ev_fp16)(sign | 0x7c00 | (man ? 0x200 : 0));
	if (exp >= 31)
		return (ev_fp16)(sign | 0x7c00);
	if (exp <= 0) {
		uint32_t m, r, half;
		int shift;
		if (exp < -10)
			return (ev_fp16)sign;
		m = man | 0x800000;
		shift = 14 - exp;
		r = m >> shift;
		half = 1u << (shift - 1);
		if ((m & ((half << 1) - 1)) > half || ((m & ((half << 1) - 1)) == half && (r & 1)))
			r++;
		return (ev_fp16)(sign | r);
	}
	{
		uint32_t r = ((uint32_t)exp << 10) | (man >> 13), rest = man & 0x1fff;
		if (rest > 0x1000 || (rest == 0x1000 && (r & 1)))
			r++; /* may carry into the exponent: that is the right result */
		return (ev_fp16)(sign | r);
	}
}

float ev_bf16_to_f32(ev_bf16 h)
{
	uint32_t u = (uint32_t)h << 16;
	float f;
	memcpy(&f, &u, 4);
	return f;
}

ev_bf16 ev_f32_to_bf16(float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	if ((u & 0x7fffffff) > 0x7f800000)
		return (ev_bf16)((u >> 16) | 64); /* quiet NaN */
	u += 0x7fff + ((u >> 16) & 1);
	return (ev_bf16)(u >> 16);
}

/* ---- conversions ---- */
static void f32_to_float(const void *s, float *d, int64_t n)
{
	memcpy(d, s, (size_t)n * sizeof(float));
}
static void f32_from_float(const float *s, void *d, int64_t n)
{
	memcpy(d, s, (size_t)n * sizeof(float));
}
static void f16_to_float(const void *s, float *d, int64_t n)
{
	const ev_fp16 *h = s;
	for (int64_t i = 0; i < n; i++)
		d[i] = ev_fp16_to_f32(h[i]);
}
static void f16_from_float(const float *s, void *d, int64_t n)
{
	ev_fp16 *h = d;
	for (int64_t i = 0; i < n; i++)
		h[i] = ev_f32_to_fp16(s[i]);
}
static void bf16_to_float(const void *s, float *d, int64_t n)
{
	const ev_bf16 *h = s;
	for (int64_t i = 0; i < n; i++)
		d[i] = ev_bf16_to_f32(h[i]);
}
static void bf16_from_float(const float *s, void *d, int64_t n)
{
	ev_bf16 *h = d;
	for (int64_t i = 0; i < n; i++)
		h[i] = ev_f32_to_bf16(s[i]);
}

static void q8_0_to_float(const void *s, float *d, int64_t n)
{
	const struct block_q8_0 *b = s;
	for (int64_t i = 0; i < n / QK; i++) {
		float sc = ev_fp16_to_f32(b[i].d);
		for (int j = 0; j < QK; j++)
			d[i * QK + j] = sc * (float)b[i].qs[j];
	}
}

static void q8_0_from_float(const float *s, void *d, int64_t n)
{
	struct block_q8_0 *b = d;
	for (int64_t i = 0; i < n / QK; i++) {
		float amax = 0, sc, inv;
		for (int j = 0; j < QK; j++)
			amax = fmaxf(amax, fabsf(s[i * QK + j]));
		sc = amax / 127.0f;
		inv = sc != 0 ? 1.0f / sc : 0;
		b[i].d = ev_f32_to_fp16(sc);
		for (int j = 0; j < QK; j++)
			b[i].qs[j] = (int8_t)lrintf(s[i * QK + j] * inv);
	}
}

static void q4_0_to_float(const void *s, float *d, int64_t n)
{
	const struct block_q4_0 *b = s;
	for (int64_t i = 0; i < n / QK; i++) {
		float sc = ev_fp16_to_f32(b[i].d);
		for (int j = 0; j < QK / 2; j++) {
			d[i * QK + j] = sc * (float)((b[i].qs[j] & 0x0f) - 8);
			d[i * QK + j + QK / 2] = sc * (float)((b[i].qs[j] >> 4) - 8);
		}
	}
}

static void q4_0_from_float(const float *s, void *d, int64_t n)
{
	/* As ggml: the value of largest magnitude maps to -8, so d = max / -8. */
	struct block_q4_0 *b = d;
	for (int64_t i = 0; i < n / QK; i++) {
		float amax = 0, max = 0, sc, inv;
		for (int j = 0; j < QK; j++) {
			float v = s[i * QK + j];
			if (fabsf(v) > amax) {
				amax = fabsf(v);
				max = v;
			}
		}
		sc = max / -8.0f;
		inv = sc != 0 ? 1.0f / sc : 0;
		b[i].d = ev_f32_to_fp16(sc);
		for (int j = 0; j < QK / 2; j++) {
			int lo = (int)fminf(15.0f, floorf(s[i * QK + j] * inv + 8.5f));
			int hi = (int)fminf(15.0f, floorf(s[i * QK + j + QK / 2] * inv + 8.5f));
			lo = lo < 0 ? 0 : lo;
			hi = hi < 0 ? 0 : hi;
			b[i].qs[j] = (uint8_t)(lo | (hi << 4));
		}
	}
}

/* ---- scalar reference dot products ---- */
static float dot_f32_ref(int n, const void *w, const void *a)
{
	const float *x = w, *y = a;
	double s = 0;
	for (int i = 0; i < n; i++)
		s += (double)x[i] * y[i];
	return (float)s;
}
static float dot_f16_ref(int n, const void *w, const void *a)
{
	const ev_fp16 *x = w;
	const float *y = a;
	double s = 0;
	for (int i = 0; i < n; i++)
		s += (double)ev_fp16_to_f32(x[i]) * y[i];
	return (float)s;
}
static float dot_bf16_ref(int n, const void *w, const void *a)
{
	const ev_bf16 *x = w;
	const float *y = a;
	double s = 0;
	for (int i = 0; i < n; i++)
		s += (double)ev_bf16_to_f32(x[i]) * y[i];
	return (float)s;
}
static float dot_q8_0_ref(int n, const void *w, const void *a)
{
	const struct block_q8_0 *x = w, *y = a;
	float s = 0;
	for (int i = 0; i < n / QK; i++) {
		int32_t acc = 0;
		EV_MCA_BEGIN("q8_0-generic");
		for (int j = 0; j < QK; j++)
			acc += (int32_t)x[i].qs[j] * (int32_t)y[i].qs[j];
		s += ev_fp16_to_f32(x[i].d) * ev_fp16_to_f32(y[i].d) * (float)acc;
		EV_MCA_END();
	}
	return s;
}
static float dot_q4_0_ref(int n, const void *w, const void *a)
{
	const struct block_q4_0 *x = w;
	const struct block_q8_0 *y = a;
	float s = 0;
	for (int i = 0; i < n / QK; i++) {
		int32_t acc = 0;
		EV_MCA_BEGIN("q4_0-generic");
		for (int j = 0; j < QK / 2; j++) {
			acc += ((x[i].qs[j] & 0x0f) - 8) * (int32_t)y[i].qs[j];
			acc += ((x[i].qs[j] >> 4) - 8) * (int32_t)y[i].qs[j + QK / 2];
		}
		s += ev_fp16_to_f32(x[i].d) * ev_fp16_to_f32(y[i].d) * (float)acc;
		EV_MCA_END();
	}
	return s;
}

const struct ev_type_traits ev_types[EV_TYPE__COUNT] = {
	[EV_TYPE_F32] = {"f32", 1, 4, 32, EV_ACT_F32, f32_to_float, f32_from_float, dot_f32_ref},
	[EV_TYPE_F16] = {"f16", 1, 2, 16, EV_ACT_F32, f16_to_float, f16_from_float, dot_f16_ref},
	[EV_TYPE_BF16] = {"bf16", 1, 2, 16, EV_ACT_F32, bf16_to_float, bf16_from_float, dot_bf16_ref},
	[EV_TYPE_Q8_0] = {"q8_0", QK, sizeof(struct block_q8_0), 8, EV_ACT_Q8_0, q8_0_to_float,
			  q8_0_from_float, dot_q8_0_ref},
	[EV_TYPE_Q4_0] = {"q4_0", QK, sizeof(struct block_q4_0), 4, EV_ACT_Q8_0, q4_0_to_float,
			  q4_0_from_float, dot_q4_0_ref},
	[EV_TYPE_Q4_K] = {"q4_K", QK_K, sizeof(struct block_q4_K), 4, EV_ACT_Q8_K, ev_q4_K_to_float,
			  ev_q4_K_from_float, ev_dot_q4_K_ref},
	[EV_TYPE_Q5_K] = {"q5_K", QK_K, sizeof(struct block_q5_K), 5, EV_ACT_Q8_K, ev_q5_K_to_float,
			  ev_q5_K_from_float, ev_dot_q5_K_ref},
	[EV_TYPE_Q6_K] = {"q6_K", QK_K, sizeof(struct block_q6_K), 6, EV_ACT_Q8_K, ev_q6_K_to_float,
			  ev_q6_K_from_float, ev_dot_q6_K_ref},
	[EV_TYPE_Q4_1] = {"q4_1", QK, sizeof(struct block_q4_1), 4, EV_ACT_Q8_0, ev_q4_1_to_float,
			  ev_q4_1_from_float, ev_dot_q4_1_ref},
	[EV_TYPE_Q5_0] = {"q5_0", QK, sizeof(struct block_q5_0), 5, EV_ACT_Q8_0, ev_q5_0_to_float,
			  ev_q5_0_from_float, ev_dot_q5_0_ref},
	[EV_TYPE_Q5_1] = {"q5_1", QK, sizeof(struct block_q5_1), 5, EV_ACT_Q8_0, ev_q5_1_to_float,
			  ev_q5_1_from_float, ev_dot_q5_1_ref},
};

int ev_type_by_name(const char *name)
{
	for (int t = 0; t < EV_TYPE__COUNT; t++)
		if (!strcmp(ev_types[t].name, name))
			return t;
	for (int t = 0; t < EV_TYPE__COUNT; t++)
		if (!strcasecmp(ev_types[t].name, name))
			return t;
	return -1;
}

int ev_type_list_parse(const char *list, int *types, int max, char *why, size_t len)
{
	char buf[256], *tok, *save = NULL, known[128] = "";
	int n = 0;
	size_t k = 0;
	for (int t = 0; t < EV_TYPE__COUNT && k < sizeof known; t++)
		k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", t ? ", " : "", ev_types[t].name);
	if (strlen(list) >= sizeof buf) {
		snprintf(why, len, "the list is longer than %zu characters", sizeof buf - 1);
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int t = ev_type_by_name(tok);
		if (t < 0) {
			snprintf(why, len, "unknown format '%.40s' (known: %s)", tok, known);
			return -1;
		}
		for (int i = 0; i < n; i++)
			if (types[i] == t) {
				snprintf(why, len, "'%s' is listed twice", tok);
				return -1;
			}
		if (n >= max) {
			snprintf(why, len, "more than %d formats", max);
			return -1;
		}
		types[n++] = t;
	}
	if (n == 0) {
		snprintf(why, len, "no format given (known: %s)", known);
		return -1;
	}
	return n;
}

double ev_type_bytes_per_weight(int t)
{
	return (double)ev_types[t].block_bytes / ev_types[t].block_elems;
}

size_t ev_type_row_bytes(int t, int64_t n)
{
	return (size_t)(n / ev_types[t].block_elems) * ev_types[t].block_bytes;
}

/* Byte i (0..15) of row r's nibbles within a group of the two q4_0 4-row
 * layouts: q4_0x4 keeps each row's 16 bytes together, q4_0x4i (quant.h) puts
 * bytes 4c..4c+3 of the 4 rows in vector c and XORs each with 0x88. */
static size_t q4x4_at(int il, int r, int i)
{
	return il ? 8 + 16 * (size_t)(i / 4) + 4 * (size_t)r + (size_t)(i % 4) : 8 + 16 * (size_t)r + (size_t)i;
}

static void q4x4_repack(void *rows, int n, void *scratch, int il)
{
	int nb = n / QK;
	size_t rb = (size_t)nb * sizeof(struct block_q4_0);
	unsigned char *tmp = scratch, *dst = rows;
	memcpy(tmp, rows, 4 * rb);
	for (int b = 0; b < nb; b++) {
		unsigned char *g = dst + (size_t)b * EV_Q4_0X4_GROUP_BYTES;
		for (int r = 0; r < 4; r++) {
			const struct block_q4_0 *src = (const void *)(tmp + (size_t)r * rb);
			memcpy(g + 2 * r, &src[b].d, 2);
			for (int i = 0; i < 16; i++)
				g[q4x4_at(il, r, i)] = src[b].qs[i] ^ (il ? 0x88 : 0);
		}
	}
}

static void q4x4_unpack_row(const void *group, int n, int r, void *row, int il)
{
	const unsigned char *g = group;
	struct block_q4_0 *out = row;
	for (int b = 0; b < n / QK; b++, g += EV_Q4_0X4_GROUP_BYTES) {
		memcpy(&out[b].d, g + 2 * r, 2);
		for (int i = 0; i < 16; i++)
			out[b].qs[i] = g[q4x4_at(il, r, i)] ^ (il ? 0x88 : 0);
	}
}

void ev_q4_0x4_repack(void *rows, int n, void *scratch)
{
	q4x4_repack(rows, n, scratch, 0);
}

void ev_q4_0x4_unpack_row(const void *group, int n, int r, void *row)
{
	q4x4_unpack_row(group, n, r, row, 0);
}

void ev_q4_0x4i_repack(void *rows, int n, void *scratch)
{
	q4x4_repack(rows, n, scratch, 1);
}

void ev_q4_0x4i_unpack_row(const void *group, int n, int r, void *row)
{
	q4x4_unpack_row(group, n, r, row, 1);
}

void ev_q8_0x4_repack(void *rows, int n, void *scratch)
{
	int nb = n / QK;
	size_t rb = (size_t)nb * sizeof(struct block_q8_0);
	unsigned char *tmp = scratch, *dst = rows;
	memcpy(tmp, rows, 4 * rb);
	for (int b = 0; b < nb; b++) {
		unsigned char *g = dst + (size_t)b * EV_Q8_0X4_GROUP_BYTES;
		for (int r = 0; r < 4; r++) {
			const struct block_q8_0 *src = (const void *)(tmp + (size_t)r * rb);
			memcpy(g + 2 * r, &src[b].d, 2);
			memcpy(g + 8 + 32 * r, src[b].qs, 32);
		}
	}
}

void ev_q8_0x4_unpack_row(const void *group, int n, int r, void *row)
{
	const unsigned char *g = group;
	struct block_q8_0 *out = row;
	for (int b = 0; b < n / QK; b++) {
		memcpy(&out[b].d, g + (size_t)b * EV_Q8_0X4_GROUP_BYTES + 2 * r, 2);
		memcpy(out[b].qs, g + (size_t)b * EV_Q8_0X4_GROUP_BYTES + 8 + 32 * r, 32);
	}
}

static const char *const act_names[EV_ACT__COUNT] = {
#define X(id, nm) [EV_ACT_##id] = nm,
	EV_ACTS(X)
#undef X
};

const char *ev_act_name(int act)
{
	return act >= 0 && act < EV_ACT__COUNT ? act_names[act] : "?";
}

void ev_act_to_float(int act, const void *a, float *x, int64_t n)
{
	if (act == EV_ACT_Q8_0)
		q8_0_to_float(a, x, n);
	else if (act == EV_ACT_Q8_K)
		ev_q8_K_to_float(a, x, n);
	else
		memcpy(x, a, (size_t)n * sizeof(float));
}

size_t ev_act_bytes(int vdt, int64_t n)
{
	if (vdt == EV_ACT_Q8_0)
		return (((size_t)(n / QK) * sizeof(struct block_q8_0) + 63) & ~(size_t)63) +
		       (((size_t)(n / QK) * sizeof(float) + 63) & ~(size_t)63) +
		       (size_t)(n / QK) * sizeof(float);
	if (vdt == EV_ACT_Q8_K)
		return (size_t)(n / QK_K) * sizeof(struct block_q8_K);
	return (size_t)n * sizeof(float);
}

int ev_act_block(int act)
{
	return act == EV_ACT_Q8_0 ? QK : act == EV_ACT_Q8_K ? QK_K : 1;
}

void ev_act_quantize_range(int vdt, const float *x, void *act, int64_t n, int64_t i0, int64_t i1)
{
	if (vdt == EV_ACT_Q8_0) {
		struct block_q8_0 *b = act;
		float *sums = (float *)ev_act_q8_sums(act, n), *ds = (float *)ev_act_q8_scales(act, n);
		q8_0_from_float(x + i0, b + i0 / QK, i1 - i0);
		for (int64_t i = i0 / QK; i < i1 / QK; i++) {
			int s = 0;
			for (int j = 0; j < QK; j++)
				s += b[i].qs[j];
			ds[i] = ev_fp16_to_f32(b[i].d);
			sums[i] = ds[i] * (float)s;
		}
	} else if (vdt == EV_ACT_Q8_K) {
		ev_q8_K_from_float(x + i0, (struct block_q8_K *)act + i0 / QK_K, i1 - i0);
	} else {
		memcpy((float *)act + i0, x + i0, (size_t)(i1 - i0) * sizeof(float));
	}
}

void ev_act_q8_0_generic(const float *x, void *act, int64_t n, int64_t i0, int64_t i1)
{
	ev_act_quantize_range(EV_ACT_Q8_0, x, act, n, i0, i1);
}

void ev_act_quantize(int vdt, const float *x, void *act, int64_t n)
{
	ev_act_quantize_range(vdt, x, act, n, 0, n);
}

void ev_dot_gemm(const struct ev_dot_impl *d, int n, const void *w, size_t rb, int nr,
		 const void *act, size_t astride, int nt, float *out, size_t ostride)
{
	for (int t = 0; t < nt; t += EV_GEMM_TOKENS) {
		int k = nt - t < EV_GEMM_TOKENS ? nt - t : EV_GEMM_TOKENS;
		const char *a = (const char *)act + (size_t)t * astride;
		float *o = out + (size_t)t * ostride;
		if (d->gemm) {
			d->gemm(n, w, rb, nr, a, astride, k, o, ostride);
			continue;
		}
		for (int j = 0; j < k; j++)
			d->rows(n, w, rb, nr, a + (size_t)j * astride, o + (size_t)j * ostride);
	}
}

void dot_rows_generic(int type, int n, const void *w, size_t rb, int nr, const void *act,
		      float *out)
{
	ev_dot_fn f = ev_types[type].dot_ref;
	for (int r = 0; r < nr; r++)
		out[r] = f(n, (const char *)w + (size_t)r * rb, act);
}

#define GENERIC_ROWS(t, T)                                                                   \
	static void rows_generic_##t(int n, const void *w, size_t rb, int nr, const void *act, \
				     float *out)                                             \
	{                                                                                    \
		dot_rows_generic(T, n, w, rb, nr, act, out);                                 \
	}
GENERIC_ROWS(f32, EV_TYPE_F32)
GENERIC_ROWS(f16, EV_TYPE_F16)
GENERIC_ROWS(bf16, EV_TYPE_BF16)
GENERIC_ROWS(q8_0, EV_TYPE_Q8_0)
GENERIC_ROWS(q4_0, EV_TYPE_Q4_0)
GENERIC_ROWS(q4_K, EV_TYPE_Q4_K)
GENERIC_ROWS(q5_K, EV_TYPE_Q5_K)
GENERIC_ROWS(q6_K, EV_TYPE_Q6_K)
GENERIC_ROWS(q4_1, EV_TYPE_Q4_1)
GENERIC_ROWS(q5_0, EV_TYPE_Q5_0)
GENERIC_ROWS(q5_1, EV_TYPE_Q5_1)

/* Best first within each type. */
#define D(t, set, kf, nm, fn) {.type = EV_TYPE_##t, .target = EV_TARGET_##set, .file = &kf, .name = nm, .rows = fn}
#define DX4(t, set, kf, nm, fn, rp, up, gm)                                                  \
	{.type = EV_TYPE_##t, .target = EV_TARGET_##set, .file = &kf, .name = nm, .rows = fn,   \
	 .repack4 = rp, .unpack_row = up, .gemm = gm}
#define DX4IO(t, set, kf, nm, fn, rp, up)                                                     \
	{.type = EV_TYPE_##t, .target = EV_TARGET_##set, .file = &kf, .name = nm, .rows = fn,   \
	 .repack4 = rp, .unpack_row = up, .in_order = 1}
#define DG(t, set, kf, nm, fn, gm)                                                           \
	{.type = EV_TYPE_##t, .target = EV_TARGET_##set, .file = &kf, .name = nm, .rows = fn, .gemm = gm}
static const struct ev_dot_impl dot_impls[] = {
#if defined(__x86_64__)
	DX4(Q4_0, AVX512VNNI, kf_quant_avx512vnni, "q4_0x4 avx512-vnni", dot_rows_q4_0x4_avx512vnni, ev_q4_0x4_repack, ev_q4_0x4_unpack_row, gemm_q4_0x4_avx512vnni),
	D(Q4_0, AVX512VNNI, kf_quant_avx512vnni, "q4_0 avx512-vnni", dot_rows_q4_0_avx512vnni),
	DX4(Q4_0, AVX2, kf_quant_avx2, "q4_0x4 avx2", dot_rows_q4_0x4_avx2, ev_q4_0x4_repack, ev_q4_0x4_unpack_row, gemm_q4_0x4_avx2),
	D(Q4_0, AVX2, kf_quant_avx2, "q4_0 avx2", dot_rows_q4_0_avx2),
	DX4(Q8_0, AVX512VNNI, kf_quant_avx512vnni, "q8_0x4 avx512-vnni", dot_rows_q8_0x4_avx512vnni, ev_q8_0x4_repack, ev_q8_0x4_unpack_row, gemm_q8_0x4_avx512vnni),
	D(Q8_0, AVX512VNNI, kf_quant_avx512vnni, "q8_0 avx512-vnni", dot_rows_q8_0_avx512vnni),
	DX4(Q8_0, AVX2, kf_quant_avx2, "q8_0x4 avx2", dot_rows_q8_0x4_avx2, ev_q8_0x4_repack, ev_q8_0x4_unpack_row, gemm_q8_0x4_avx2),
	D(Q8_0, AVX2, kf_quant_avx2, "q8_0 avx2", dot_rows_q8_0_avx2),
	DG(F16, AVX512, kf_quant_avx512, "f16 avx512", dot_rows_f16_avx512, gemm_f16_avx512),
	DG(F16, AVX2, kf_quant_avx2, "f16 avx2+f16c", dot_rows_f16_avx2, gemm_f16_avx2),
	D(BF16, AVX2, kf_quant_avx2, "bf16 avx2", dot_rows_bf16_avx2),
	D(F32, AVX2, kf_quant_avx2, "f32 avx2", dot_rows_f32_avx2),
	D(Q4_K, AVX512VNNI, kf_kquant_avx512vnni, "q4_K avx512-vnni", dot_rows_q4_K_avx512vnni),
	D(Q5_K, AVX512VNNI, kf_kquant_avx512vnni, "q5_K avx512-vnni", dot_rows_q5_K_avx512vnni),
	D(Q6_K, AVX512VNNI, kf_kquant_avx512vnni, "q6_K avx512-vnni", dot_rows_q6_K_avx512vnni),
	D(Q4_K, AVX2, kf_kquant_avx2, "q4_K avx2", dot_rows_q4_K_avx2),
	D(Q5_K, AVX2, kf_kquant_avx2, "q5_K avx2", dot_rows_q5_K_avx2),
	D(Q6_K, AVX2, kf_kquant_avx2, "q6_K avx2", dot_rows_q6_K_avx2),
#endif
#if defined(__aarch64__)
	/* i8mm: the same layout and one-token kernel as dotprod, smmla for prefill */
	DX4(Q4_0, I8MM, kf_quant_i8mm, "q4_0x4i neon-dotprod/i8mm", dot_rows_q4_0x4_dotprod, ev_q4_0x4i_repack, ev_q4_0x4i_unpack_row, gemm_q4_0x4_i8mm),
	DX4(Q8_0, I8MM, kf_quant_i8mm, "q8_0x4 neon-dotprod/i8mm", dot_rows_q8_0x4_dotprod, ev_q8_0x4_repack, ev_q8_0x4_unpack_row, gemm_q8_0x4_i8mm),
	DX4(Q4_0, DOTPROD, kf_quant_dotprod, "q4_0x4i neon-dotprod", dot_rows_q4_0x4_dotprod, ev_q4_0x4i_repack, ev_q4_0x4i_unpack_row, gemm_q4_0x4_dotprod),
	D(Q4_0, DOTPROD, kf_quant_dotprod, "q4_0 neon-dotprod", dot_rows_q4_0_dotprod),
	DX4(Q8_0, DOTPROD, kf_quant_dotprod, "q8_0x4 neon-dotprod", dot_rows_q8_0x4_dotprod, ev_q8_0x4_repack, ev_q8_0x4_unpack_row, gemm_q8_0x4_dotprod),
	D(Q8_0, DOTPROD, kf_quant_dotprod, "q8_0 neon-dotprod", dot_rows_q8_0_dotprod),
	DX4(Q4_0, NEON, kf_quant_neon, "q4_0x4 neon", dot_rows_q4_0x4_neon, ev_q4_0x4_repack, ev_q4_0x4_unpack_row, NULL),
	D(Q4_0, NEON, kf_quant_neon, "q4_0 neon", dot_rows_q4_0_neon),
	DX4(Q8_0, NEON, kf_quant_neon, "q8_0x4 neon", dot_rows_q8_0x4_neon, ev_q8_0x4_repack, ev_q8_0x4_unpack_row, NULL),
	D(Q8_0, NEON, kf_quant_neon, "q8_0 neon", dot_rows_q8_0_neon),
	/* fp16 arithmetic for one token; prefill keeps the f32 GEMM (same plain rows) */
	{.type = EV_TYPE_F16, .target = EV_TARGET_FP16, .file = &kf_quant_fp16, .name = "f16 neon-fp16",
	 .rows = dot_rows_f16_fp16, .gemm = gemm_f16_neon, .tol = 2e-3f},
	DG(F16, NEON, kf_quant_neon, "f16 neon", dot_rows_f16_neon, gemm_f16_neon),
	DX4(Q4_K, DOTPROD, kf_kquant_dotprod, "q4_Kx4i neon-dotprod", dot_rows_q4_Kx4i_dotprod, ev_q4_Kx4i_repack, ev_q4_Kx4i_unpack_row, NULL),
	D(Q4_K, DOTPROD, kf_kquant_dotprod, "q4_K neon-dotprod", dot_rows_q4_K_dotprod),
	DX4IO(Q5_K, DOTPROD, kf_kquant_dotprod, "q5_Kx4i neon-dotprod in-order", dot_rows_q5_Kx4i_io_dotprod, ev_q5_Kx4i_repack, ev_q5_Kx4i_unpack_row),
	DX4(Q5_K, DOTPROD, kf_kquant_dotprod, "q5_Kx4i neon-dotprod", dot_rows_q5_Kx4i_dotprod, ev_q5_Kx4i_repack, ev_q5_Kx4i_unpack_row, NULL),
	D(Q5_K, DOTPROD, kf_kquant_dotprod, "q5_K neon-dotprod", dot_rows_q5_K_dotprod),
	DX4IO(Q6_K, DOTPROD, kf_kquant_dotprod, "q6_Kx4i neon-dotprod in-order", dot_rows_q6_Kx4i_io_dotprod, ev_q6_Kx4i_repack, ev_q6_Kx4i_unpack_row),
	DX4(Q6_K, DOTPROD, kf_kquant_dotprod, "q6_Kx4i neon-dotprod", dot_rows_q6_Kx4i_dotprod, ev_q6_Kx4i_repack, ev_q6_Kx4i_unpack_row, NULL),
	D(Q6_K, DOTPROD, kf_kquant_dotprod, "q6_K neon-dotprod", dot_rows_q6_K_dotprod),
	D(Q4_K, NEON, kf_kquant_neon, "q4_K neon", dot_rows_q4_K_neon),
	D(Q5_K, NEON, kf_kquant_neon, "q5_K neon", dot_rows_q5_K_neon),
	D(Q6_K, NEON, kf_kquant_neon, "q6_K neon", dot_rows_q6_K_neon),
#endif
#if defined(__riscv)
	D(Q4_0, RVV, kf_quant_rvv, "q4_0 rvv", dot_rows_q4_0_rvv),
	D(Q8_0, RVV, kf_quant_rvv, "q8_0 rvv", dot_rows_q8_0_rvv),
	D(F16, RVV, kf_quant_rvv, "f16 rvv", dot_rows_f16_rvv),
	D(Q4_K, RVV, kf_kquant_rvv, "q4_K rvv", dot_rows_q4_K_rvv),
	D(Q5_K, RVV, kf_kquant_rvv, "q5_K rvv", dot_rows_q5_K_rvv),
	D(Q6_K, RVV, kf_kquant_rvv, "q6_K rvv", dot_rows_q6_K_rvv),
#endif
	D(Q4_0, GENERIC, kf_quant_generic, "q4_0 generic", rows_generic_q4_0),
	D(Q8_0, GENERIC, kf_quant_generic, "q8_0 generic", rows_generic_q8_0),
	D(F16, GENERIC, kf_quant_generic, "f16 generic", rows_generic_f16),
	D(BF16, GENERIC, kf_quant_generic, "bf16 generic", rows_generic_bf16),
	D(F32, GENERIC, kf_quant_generic, "f32 generic", rows_generic_f32),
	D(Q4_K, GENERIC, kf_quant_generic, "q4_K generic", rows_generic_q4_K),
	D(Q5_K, GENERIC, kf_quant_generic, "q5_K generic", rows_generic_q5_K),
	D(Q6_K, GENERIC, kf_quant_generic, "q6_K generic", rows_generic_q6_K),
	D(Q4_1, GENERIC, kf_quant_generic, "q4_1 generic", rows_generic_q4_1),
	D(Q5_0, GENERIC, kf_quant_generic, "q5_0 generic", rows_generic_q5_0),
	D(Q5_1, GENERIC, kf_quant_generic, "q5_1 generic", rows_generic_q5_1),
};
#undef D
#undef DX4
#undef DX4IO
#undef DG

const struct ev_dot_impl *ev_dot_pick(int type, const struct ev_cpu *c)
{
	for (size_t i = 0; i < sizeof dot_impls / sizeof dot_impls[0]; i++) {
		const struct ev_dot_impl *d = &dot_impls[i];
		if (d->type == type && cpu_target_usable(c, d->target) && (!d->in_order || cpu_in_order(c)))
			return d;
	}
	return NULL; /* unreachable: every type has a generic row */
}

const struct ev_dot_impl *ev_dot_all(int *n)
{
	*n = (int)(sizeof dot_impls / sizeof dot_impls[0]);
	return dot_impls;
}

void ev_axpy_f16_generic(int n, const ev_fp16 *v, size_t stride, int nr, const float *s, float *out)
{
	for (int r = 0; r < nr; r++)
		for (int d = 0; d < n; d++)
			out[d] += s[r] * ev_fp16_to_f32(v[(size_t)r * stride + (size_t)d]);
}

void ev_softmax_generic(float *x, int n, float scale)
{
	float mx = -INFINITY, sum = 0;
	for (int t = 0; t < n; t++) {
		x[t] *= scale;
		if (x[t] > mx)
			mx = x[t];
	}
	for (int t = 0; t < n; t++)
		sum += (x[t] = expf(x[t] - mx));
	for (int t = 0; t < n; t++)
		x[t] /= sum;
}

void ev_gqa_scores_generic(int n, int hd, int G, const float *q, const ev_fp16 *kT, size_t bstride,
			   float *s)
{
	for (int g = 0; g < G; g++)
		for (int t = 0; t < n; t++)
			s[(size_t)g * n + t] = 0;
	for (int t0 = 0; t0 < n; t0 += EV_KV_BLOCK) /* one block: hd x 16 contiguous halves */
		for (int d = 0; d < hd; d++) {
			const ev_fp16 *k = kT + ev_kv_index(d, t0, bstride);
			for (int t = t0; t < n && t < t0 + EV_KV_BLOCK; t++) {
				float kv = ev_fp16_to_f32(k[t - t0]);
				for (int g = 0; g < G; g++)
					s[(size_t)g * n + t] += q[(size_t)g * hd + d] * kv;
			}
		}
}

void ev_silu_mul_generic(float *g, const float *u, int n)
{
	for (int i = 0; i < n; i++)
		g[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

void ev_gqa_values_generic(int n, int hd, int G, const float *s, const ev_fp16 *v, size_t vstride,
			   float *o)
{
	for (int g = 0; g < G; g++)
		for (int d = 0; d < hd; d++)
			o[(size_t)g * hd + d] = 0;
	for (int t = 0; t < n; t++)
		for (int d = 0; d < hd; d++) {
			float x = ev_fp16_to_f32(v[(size_t)t * vstride + d]);
			for (int g = 0; g < G; g++)
				o[(size_t)g * hd + d] += s[(size_t)g * n + t] * x;
		}
}

static const struct ev_attn_impl attn_impls[] = {
#if defined(__x86_64__)
	{EV_TARGET_AVX512, &kf_quant_avx512, "avx512", ev_axpy_f16_avx512, ev_softmax_avx512,
	 ev_gqa_scores_avx512, ev_gqa_values_avx512, ev_silu_mul_avx512, ev_act_q8_0_avx2},
	{EV_TARGET_AVX2, &kf_quant_avx2, "avx2+f16c", ev_axpy_f16_avx2, ev_softmax_generic,
	 ev_gqa_scores_avx2, ev_gqa_values_avx2, ev_silu_mul_avx2, ev_act_q8_0_avx2},
#endif
#if defined(__aarch64__)
	{EV_TARGET_NEON, &kf_quant_neon, "neon", ev_axpy_f16_generic, ev_softmax_generic,
	 ev_gqa_scores_neon, ev_gqa_values_neon, ev_silu_mul_generic, ev_act_q8_0_generic},
#endif
	{EV_TARGET_GENERIC, &kf_quant_generic, "generic", ev_axpy_f16_generic, ev_softmax_generic,
	 ev_gqa_scores_generic, ev_gqa_values_generic, ev_silu_mul_generic, ev_act_q8_0_generic},
};

const struct ev_attn_impl *ev_attn_pick(const struct ev_cpu *c)
{
	for (size_t i = 0; i < sizeof attn_impls / sizeof attn_impls[0]; i++)
		if (cpu_target_usable(c, attn_impls[i].target))
			return &attn_impls[i];
	return &attn_impls[sizeof attn_impls / sizeof attn_impls[0] - 1];
}

const struct ev_attn_impl *ev_attn_all(int *n)
{
	*n = (int)(sizeof attn_impls / sizeof attn_impls[0]);
	return attn_impls;
}
