/* probes/bw-avx2.c: streaming kernels with 4-double vectors (AVX2 level).
 * read uses 8 independent accumulators (add latency x 2 load ports on current
 * cores); stores are plain or non-temporal (stream) and NT ends with sfence.
 * Loads are unaligned-tolerant; NT stores need 64-byte aligned pointers, which
 * the probe guarantees. */
#include <immintrin.h>

#include "bw-kernels.h"
#include "cpu.h"

#define VL 4

static double read_v(const double *a, size_t n, uint64_t iters)
{
	__m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
	double t = 0, out[VL];
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 * VL <= n; i += 8 * VL) {
			s0 = _mm256_add_pd(s0, _mm256_loadu_pd(a + i));
			s1 = _mm256_add_pd(s1, _mm256_loadu_pd(a + i + VL));
			s2 = _mm256_add_pd(s2, _mm256_loadu_pd(a + i + 2 * VL));
			s3 = _mm256_add_pd(s3, _mm256_loadu_pd(a + i + 3 * VL));
			s4 = _mm256_add_pd(s4, _mm256_loadu_pd(a + i + 4 * VL));
			s5 = _mm256_add_pd(s5, _mm256_loadu_pd(a + i + 5 * VL));
			s6 = _mm256_add_pd(s6, _mm256_loadu_pd(a + i + 6 * VL));
			s7 = _mm256_add_pd(s7, _mm256_loadu_pd(a + i + 7 * VL));
		}
		for (; i < n; i++)
			t += a[i];
		BW_PASS_BARRIER(a);
	}
	s0 = _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3));
	s4 = _mm256_add_pd(_mm256_add_pd(s4, s5), _mm256_add_pd(s6, s7));
	_mm256_storeu_pd(out, _mm256_add_pd(s0, s4));
	for (int k = 0; k < VL; k++)
		t += out[k];
	return t;
}

#define STORE_LOOP(name, store)                                                              \
	static void name(double *a, size_t n, double v, uint64_t iters)                      \
	{                                                                                    \
		__m256d x = _mm256_set1_pd(v);                                                      \
		for (uint64_t it = 0; it < iters; it++) {                                    \
			size_t i = 0;                                                        \
			for (; i + 4 * VL <= n; i += 4 * VL) {                               \
				store(a + i, x);                                             \
				store(a + i + VL, x);                                        \
				store(a + i + 2 * VL, x);                                    \
				store(a + i + 3 * VL, x);                                    \
			}                                                                    \
			for (; i < n; i++)                                                   \
				a[i] = v;                                                    \
			BW_PASS_BARRIER(a);                                                  \
		}                                                                            \
		_mm_sfence();                                                                \
	}
STORE_LOOP(write_v, _mm256_storeu_pd)
STORE_LOOP(write_nt_v, _mm256_stream_pd)

#define COPY_LOOP(name, store)                                                               \
	static void name(double *restrict c, const double *restrict a, size_t n,              \
			 uint64_t iters)                                                     \
	{                                                                                    \
		for (uint64_t it = 0; it < iters; it++) {                                    \
			size_t i = 0;                                                        \
			for (; i + 4 * VL <= n; i += 4 * VL) {                               \
				__m256d x0 = _mm256_loadu_pd(a + i);                                \
				__m256d x1 = _mm256_loadu_pd(a + i + VL);                           \
				__m256d x2 = _mm256_loadu_pd(a + i + 2 * VL);                       \
				__m256d x3 = _mm256_loadu_pd(a + i + 3 * VL);                       \
				store(c + i, x0);                                            \
				store(c + i + VL, x1);                                       \
				store(c + i + 2 * VL, x2);                                   \
				store(c + i + 3 * VL, x3);                                   \
			}                                                                    \
			for (; i < n; i++)                                                   \
				c[i] = a[i];                                                 \
			BW_PASS_BARRIER(c);                                                  \
		}                                                                            \
		_mm_sfence();                                                                \
	}
COPY_LOOP(copy_v, _mm256_storeu_pd)
COPY_LOOP(copy_nt_v, _mm256_stream_pd)

#define TRIAD_LOOP(name, store)                                                              \
	static void name(double *restrict a, const double *restrict b,                       \
			 const double *restrict c, double s, size_t n, uint64_t iters)      \
	{                                                                                    \
		__m256d vs = _mm256_set1_pd(s);                                                     \
		for (uint64_t it = 0; it < iters; it++) {                                    \
			size_t i = 0;                                                        \
			for (; i + 2 * VL <= n; i += 2 * VL) {                               \
				__m256d x0 = _mm256_fmadd_pd(vs, _mm256_loadu_pd(c + i),              \
						      _mm256_loadu_pd(b + i));                 \
				__m256d x1 = _mm256_fmadd_pd(vs, _mm256_loadu_pd(c + i + VL),         \
						      _mm256_loadu_pd(b + i + VL));            \
				store(a + i, x0);                                            \
				store(a + i + VL, x1);                                       \
			}                                                                    \
			for (; i < n; i++)                                                   \
				a[i] = b[i] + s * c[i];                                      \
			BW_PASS_BARRIER(a);                                                  \
		}                                                                            \
		_mm_sfence();                                                                \
	}
TRIAD_LOOP(triad_v, _mm256_storeu_pd)
TRIAD_LOOP(triad_nt_v, _mm256_stream_pd)

const struct bw_kernel_set bw_set_avx2 = {
	.isa = EV_ISA_AVX2,
	.read = read_v,
	.write = write_v,
	.write_nt = write_nt_v,
	.copy = copy_v,
	.copy_nt = copy_nt_v,
	.triad = triad_v,
	.triad_nt = triad_nt_v,
};
