/* probes/quant-avx512.c: AVX-512 (F/BW/VL/DQ) float kernels: f16 rows
 * (widened with vcvtph2ps), the attention's fp16 axpy and its softmax. */
#include <immintrin.h>
#include <math.h>

#include "kernel-file.h"
#include "quant.h"
#include "gemm-tile.h"

EV_KERNEL_FILE(kf_quant_avx512);

#define ROWPTR(T, r) ((const T *)(const void *)((const char *)w + (size_t)(r) * rb))

void dot_rows_f16_avx512(int n, const void *w, size_t rb, int nr, const void *act, float *out)
{
	const float *y = act;
	for (int r = 0; r < nr; r++) {
		const ev_fp16 *x = ROWPTR(ev_fp16, r);
		__m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
		float t = 0;
		int i = 0;
		for (; i + 64 <= n; i += 64) {
			EV_PREFETCH_STREAM(x + i);
			EV_PREFETCH_STREAM(x + i + 32);
			a0 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i))),
					     _mm512_loadu_ps(y + i), a0);
			a1 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i + 16))),
					     _mm512_loadu_ps(y + i + 16), a1);
			a2 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i + 32))),
					     _mm512_loadu_ps(y + i + 32), a2);
			a3 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i + 48))),
					     _mm512_loadu_ps(y + i + 48), a3);
		}
		for (; i + 16 <= n; i += 16)
			a0 = _mm512_fmadd_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i))),
					     _mm512_loadu_ps(y + i), a0);
		for (; i < n; i++)
			t += _cvtsh_ss(x[i]) * y[i];
		out[r] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3))) + t;
	}
}

/* out[d] += sum_r s[r] v[r][d]: 64 outputs per pass (4 accumulators), so each
 * row's 16-wide conversions are shared by 4 FMAs' worth of outputs in flight. */
void ev_axpy_f16_avx512(int n, const ev_fp16 *v, size_t stride, int nr, const float *s, float *out)
{
	int d = 0;
	for (; d + 64 <= n; d += 64) {
		__m512 a0 = _mm512_loadu_ps(out + d), a1 = _mm512_loadu_ps(out + d + 16);
		__m512 a2 = _mm512_loadu_ps(out + d + 32), a3 = _mm512_loadu_ps(out + d + 48);
		for (int r = 0; r < nr; r++) {
			const ev_fp16 *row = v + (size_t)r * stride + (size_t)d;
			__m512 w = _mm512_set1_ps(s[r]);
			a0 = _mm512_fmadd_ps(w, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)row)), a0);
			a1 = _mm512_fmadd_ps(w, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(row + 16))), a1);
			a2 = _mm512_fmadd_ps(w, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(row + 32))), a2);
			a3 = _mm512_fmadd_ps(w, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(row + 48))), a3);
		}
		_mm512_storeu_ps(out + d, a0);
		_mm512_storeu_ps(out + d + 16, a1);
		_mm512_storeu_ps(out + d + 32, a2);
		_mm512_storeu_ps(out + d + 48, a3);
	}
	for (; d + 16 <= n; d += 16) {
		__m512 a = _mm512_loadu_ps(out + d);
		for (int r = 0; r < nr; r++)
			a = _mm512_fmadd_ps(_mm512_set1_ps(s[r]),
					    _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(v + (size_t)r * stride + (size_t)d))),
					    a);
		_mm512_storeu_ps(out + d, a);
	}
	if (d < n)
		ev_axpy_f16_avx2(n - d, v + d, stride, nr, s, out + d);
}

/* exp(x) for x <= 0 (softmax after subtracting the max): x = k ln2 + r with
 * |r| <= ln2/2, e^r by a degree-6 Taylor polynomial (relative error < 2e-7 on
 * that interval), 2^k by vscalefps. Underflows cleanly to 0. */
static inline __m512 exp_neg(__m512 x)
{
	const __m512 log2e = _mm512_set1_ps(1.44269504f), ln2 = _mm512_set1_ps(0.693147181f);
	__m512 k, r, p;
	x = _mm512_max_ps(x, _mm512_set1_ps(-104.0f));
	k = _mm512_roundscale_ps(_mm512_mul_ps(x, log2e), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
	r = _mm512_fnmadd_ps(k, ln2, x);
	p = _mm512_set1_ps(1.0f / 720);
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
	p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
	return _mm512_scalef_ps(p, k);
}

/* silu(g) * u with the same exponential (exp_neg's range reduction holds for
 * any x; e^x past 2^128 is inf and g / inf is 0, as silu's limit). */
void ev_silu_mul_avx512(float *g, const float *u, int n)
{
	const __m512 one = _mm512_set1_ps(1.0f);
	int i = 0;
	for (; i + 16 <= n; i += 16) {
		__m512 x = _mm512_loadu_ps(g + i);
		__m512 e = exp_neg(_mm512_min_ps(_mm512_sub_ps(_mm512_setzero_ps(), x), _mm512_set1_ps(88.0f)));
		_mm512_storeu_ps(g + i, _mm512_mul_ps(_mm512_div_ps(x, _mm512_add_ps(one, e)),
						      _mm512_loadu_ps(u + i)));
	}
	ev_silu_mul_generic(g + i, u + i, n - i);
}

void ev_softmax_avx512(float *x, int n, float scale)
{
	__m512 vmax = _mm512_set1_ps(-INFINITY), vsum = _mm512_setzero_ps(), sc = _mm512_set1_ps(scale);
	float mx, sum, inv;
	int t = 0;
	for (; t + 16 <= n; t += 16) {
		__m512 v = _mm512_mul_ps(_mm512_loadu_ps(x + t), sc);
		_mm512_storeu_ps(x + t, v);
		vmax = _mm512_max_ps(vmax, v);
	}
	mx = _mm512_reduce_max_ps(vmax);
	for (; t < n; t++) {
		x[t] *= scale;
		if (x[t] > mx)
			mx = x[t];
	}
	vmax = _mm512_set1_ps(mx);
	for (t = 0; t + 16 <= n; t += 16) {
		__m512 e = exp_neg(_mm512_sub_ps(_mm512_loadu_ps(x + t), vmax));
		_mm512_storeu_ps(x + t, e);
		vsum = _mm512_add_ps(vsum, e);
	}
	sum = _mm512_reduce_add_ps(vsum);
	for (; t < n; t++)
		sum += (x[t] = expf(x[t] - mx));
	inv = 1.0f / sum;
	for (t = 0; t + 16 <= n; t += 16)
		_mm512_storeu_ps(x + t, _mm512_mul_ps(_mm512_loadu_ps(x + t), _mm512_set1_ps(inv)));
	for (; t < n; t++)
		x[t] *= inv;
}

#define VF __m512
#define W 16
#define VZERO() _mm512_setzero_ps()
#define VSET1(x) _mm512_set1_ps(x)
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VLOAD(p) _mm512_loadu_ps(p)
#define VSTORE(p, v) _mm512_storeu_ps(p, v)
#define VLOADH(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(p)))
#define NAME(x) ev_gqa_##x##_avx512
#define GQA_TWO 1
#include "gqa-simd.h"

/* ---- prefill: 4 rows x NT tokens (ev_dot_gemm_fn, gemm-tile.h) ----
 * Each 16 weights converted once, then one FMA per token: 16 accumulators at
 * NT = 4, of the 32 registers. */
GEMM_INLINE void f16_gemm_nt(int n, size_t rb, const unsigned char *g, const void *act,
			      size_t astride, const int NT, float *out, size_t ostride)
{
	const ev_fp16 *x[4];
	__m512 a[4][EV_GEMM_TOKENS];
	const float *y[EV_GEMM_TOKENS];
	int i = 0;
	GEMM_UNROLL
	for (int r = 0; r < 4; r++) {
		x[r] = (const void *)(g + (size_t)r * rb);
		GEMM_UNROLL
		for (int t = 0; t < NT; t++)
			a[r][t] = _mm512_setzero_ps();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		y[t] = (const float *)ACT_T(t);
	for (; i + 16 <= n; i += 16) {
		EV_MCA_BEGIN_N("f16_gemm_avx512", NT);
		__m512 w[4];
		GEMM_UNROLL
		for (int r = 0; r < 4; r++) {
			EV_PREFETCH_STREAM(x[r] + i);
			w[r] = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x[r] + i)));
		}
		GEMM_UNROLL
		for (int t = 0; t < NT; t++) {
			__m512 yv = _mm512_loadu_ps(y[t] + i);
			GEMM_UNROLL
			for (int r = 0; r < 4; r++)
				a[r][t] = _mm512_fmadd_ps(w[r], yv, a[r][t]);
		}
		EV_MCA_END();
	}
	GEMM_UNROLL
	for (int t = 0; t < NT; t++)
		GEMM_UNROLL
		for (int r = 0; r < 4; r++) {
			float s = _mm512_reduce_add_ps(a[r][t]);
			for (int k = i; k < n; k++)
				s += _cvtsh_ss(x[r][k]) * y[t][k];
			out[(size_t)t * ostride + r] = s;
		}
}

GEMM_ROWS(gemm_f16_avx512, f16_gemm_nt, 4, dot_rows_f16_avx512)
