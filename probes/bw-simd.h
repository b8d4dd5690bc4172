/* probes/bw-simd.h: the x86 streaming kernels, written once for any vector
 * width. Included by bw-avx2.c and bw-avx512.c after they define:
 *   VEC      the vector type (__m256d, __m512d)
 *   VP(op)   the intrinsic prefix (_mm256_op, _mm512_op)
 *   VL       doubles per vector
 *   VECI, VIZERO(), VIADD(a, b), VILOAD(p), VISTORE(p, v): the integer
 *            vector of the same width and its ops (read_u64)
 *   ISA_ID   the feature set (enum ev_target), SET_NAME the kernel set's
 *            name, KFILE the file's struct ev_kernel_file
 * read uses 8 independent accumulators (add latency x 2 load ports on current
 * cores); stores are plain or non-temporal (stream) and NT ends with sfence.
 * Loads are unaligned-tolerant; NT stores need aligned pointers, which the
 * probe guarantees. Not a header to include anywhere else. */
#include <immintrin.h>

#include "bw-kernels.h"
#include "cpu.h"
#include "kernel-file.h"

EV_KERNEL_FILE(KFILE);

static double read_v(const double *a, size_t n, uint64_t iters)
{
	VEC s0 = VP(setzero_pd)(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
	double t = 0, out[VL];
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 * VL <= n; i += 8 * VL) {
			s0 = VP(add_pd)(s0, VP(loadu_pd)(a + i));
			s1 = VP(add_pd)(s1, VP(loadu_pd)(a + i + VL));
			s2 = VP(add_pd)(s2, VP(loadu_pd)(a + i + 2 * VL));
			s3 = VP(add_pd)(s3, VP(loadu_pd)(a + i + 3 * VL));
			s4 = VP(add_pd)(s4, VP(loadu_pd)(a + i + 4 * VL));
			s5 = VP(add_pd)(s5, VP(loadu_pd)(a + i + 5 * VL));
			s6 = VP(add_pd)(s6, VP(loadu_pd)(a + i + 6 * VL));
			s7 = VP(add_pd)(s7, VP(loadu_pd)(a + i + 7 * VL));
		}
		for (; i < n; i++)
			t += a[i];
		BW_PASS_BARRIER(a);
	}
	s0 = VP(add_pd)(VP(add_pd)(s0, s1), VP(add_pd)(s2, s3));
	s4 = VP(add_pd)(VP(add_pd)(s4, s5), VP(add_pd)(s6, s7));
	VP(storeu_pd)(out, VP(add_pd)(s0, s4));
	for (int k = 0; k < VL; k++)
		t += out[k];
	return t;
}

static uint64_t read_u64_v(const uint64_t *a, size_t n, uint64_t iters)
{
	VECI s0 = VIZERO(), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
	uint64_t t = 0, out[VL];
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 * VL <= n; i += 8 * VL) {
			s0 = VIADD(s0, VILOAD(a + i));
			s1 = VIADD(s1, VILOAD(a + i + VL));
			s2 = VIADD(s2, VILOAD(a + i + 2 * VL));
			s3 = VIADD(s3, VILOAD(a + i + 3 * VL));
			s4 = VIADD(s4, VILOAD(a + i + 4 * VL));
			s5 = VIADD(s5, VILOAD(a + i + 5 * VL));
			s6 = VIADD(s6, VILOAD(a + i + 6 * VL));
			s7 = VIADD(s7, VILOAD(a + i + 7 * VL));
		}
		for (; i < n; i++)
			t += a[i];
		BW_PASS_BARRIER(a);
	}
	s0 = VIADD(VIADD(s0, s1), VIADD(s2, s3));
	s4 = VIADD(VIADD(s4, s5), VIADD(s6, s7));
	VISTORE(out, VIADD(s0, s4));
	for (int k = 0; k < VL; k++)
		t += out[k];
	return t;
}

#define STORE_LOOP(name, store)                                                              \
	static void name(double *a, size_t n, double v, uint64_t iters)                      \
	{                                                                                    \
		VEC x = VP(set1_pd)(v);                                                      \
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
STORE_LOOP(write_v, VP(storeu_pd))
STORE_LOOP(write_nt_v, VP(stream_pd))

#define COPY_LOOP(name, store)                                                               \
	static void name(double *restrict c, const double *restrict a, size_t n,              \
			 uint64_t iters)                                                     \
	{                                                                                    \
		for (uint64_t it = 0; it < iters; it++) {                                    \
			size_t i = 0;                                                        \
			for (; i + 4 * VL <= n; i += 4 * VL) {                               \
				VEC x0 = VP(loadu_pd)(a + i);                                \
				VEC x1 = VP(loadu_pd)(a + i + VL);                           \
				VEC x2 = VP(loadu_pd)(a + i + 2 * VL);                       \
				VEC x3 = VP(loadu_pd)(a + i + 3 * VL);                       \
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
COPY_LOOP(copy_v, VP(storeu_pd))
COPY_LOOP(copy_nt_v, VP(stream_pd))

#define TRIAD_LOOP(name, store)                                                              \
	static void name(double *restrict a, const double *restrict b,                       \
			 const double *restrict c, double s, size_t n, uint64_t iters)      \
	{                                                                                    \
		VEC vs = VP(set1_pd)(s);                                                     \
		for (uint64_t it = 0; it < iters; it++) {                                    \
			size_t i = 0;                                                        \
			for (; i + 2 * VL <= n; i += 2 * VL) {                               \
				VEC x0 = VP(fmadd_pd)(vs, VP(loadu_pd)(c + i),              \
						      VP(loadu_pd)(b + i));                 \
				VEC x1 = VP(fmadd_pd)(vs, VP(loadu_pd)(c + i + VL),         \
						      VP(loadu_pd)(b + i + VL));            \
				store(a + i, x0);                                            \
				store(a + i + VL, x1);                                       \
			}                                                                    \
			for (; i < n; i++)                                                   \
				a[i] = b[i] + s * c[i];                                      \
			BW_PASS_BARRIER(a);                                                  \
		}                                                                            \
		_mm_sfence();                                                                \
	}
TRIAD_LOOP(triad_v, VP(storeu_pd))
TRIAD_LOOP(triad_nt_v, VP(stream_pd))

const struct bw_kernel_set SET_NAME = {
	.target = ISA_ID,
	.file = &KFILE,
	.read = read_v,
	.read_u64 = read_u64_v,
	.write = write_v,
	.write_nt = write_nt_v,
	.copy = copy_v,
	.copy_nt = copy_nt_v,
	.triad = triad_v,
	.triad_nt = triad_nt_v,
};
