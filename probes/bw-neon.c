/* probes/bw-neon.c: streaming kernels with 128-bit NEON (AArch64 base ISA).
 * read keeps 8 accumulators of 2 doubles; non-temporal variants store with
 * STNP (a hint: cores may still allocate), followed by a DMB to order them. */
#include <arm_neon.h>

#include "bw-kernels.h"
#include "cpu.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_bw_neon);

static double read_n(const double *a, size_t n, uint64_t iters)
{
	float64x2_t s0 = vdupq_n_f64(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
	double t = 0;
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 16 <= n; i += 16) {
			EV_MCA_BEGIN("bw-read");
			s0 = vaddq_f64(s0, vld1q_f64(a + i));
			s1 = vaddq_f64(s1, vld1q_f64(a + i + 2));
			s2 = vaddq_f64(s2, vld1q_f64(a + i + 4));
			s3 = vaddq_f64(s3, vld1q_f64(a + i + 6));
			s4 = vaddq_f64(s4, vld1q_f64(a + i + 8));
			s5 = vaddq_f64(s5, vld1q_f64(a + i + 10));
			s6 = vaddq_f64(s6, vld1q_f64(a + i + 12));
			s7 = vaddq_f64(s7, vld1q_f64(a + i + 14));
			EV_MCA_END();
		}
		for (; i < n; i++)
			t += a[i];
		BW_PASS_BARRIER(a);
	}
	s0 = vaddq_f64(vaddq_f64(s0, s1), vaddq_f64(s2, s3));
	s4 = vaddq_f64(vaddq_f64(s4, s5), vaddq_f64(s6, s7));
	s0 = vaddq_f64(s0, s4);
	return t + vgetq_lane_f64(s0, 0) + vgetq_lane_f64(s0, 1);
}

static uint64_t read_u64_n(const uint64_t *a, size_t n, uint64_t iters)
{
	uint64x2_t s0 = vdupq_n_u64(0), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
	uint64_t t = 0;
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 16 <= n; i += 16) {
			s0 = vaddq_u64(s0, vld1q_u64(a + i));
			s1 = vaddq_u64(s1, vld1q_u64(a + i + 2));
			s2 = vaddq_u64(s2, vld1q_u64(a + i + 4));
			s3 = vaddq_u64(s3, vld1q_u64(a + i + 6));
			s4 = vaddq_u64(s4, vld1q_u64(a + i + 8));
			s5 = vaddq_u64(s5, vld1q_u64(a + i + 10));
			s6 = vaddq_u64(s6, vld1q_u64(a + i + 12));
			s7 = vaddq_u64(s7, vld1q_u64(a + i + 14));
		}
		for (; i < n; i++)
			t += a[i];
		BW_PASS_BARRIER(a);
	}
	s0 = vaddq_u64(vaddq_u64(s0, s1), vaddq_u64(s2, s3));
	s4 = vaddq_u64(vaddq_u64(s4, s5), vaddq_u64(s6, s7));
	s0 = vaddq_u64(s0, s4);
	return t + vgetq_lane_u64(s0, 0) + vgetq_lane_u64(s0, 1);
}

static inline void stnp2(double *p, float64x2_t a, float64x2_t b)
{
	__asm__ volatile("stnp %q1, %q2, [%0]" : : "r"(p), "w"(a), "w"(b) : "memory");
}

static void write_n(double *a, size_t n, double v, uint64_t iters)
{
	float64x2_t x = vdupq_n_f64(v);
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 <= n; i += 8) {
			EV_MCA_BEGIN("bw-write");
			vst1q_f64(a + i, x);
			vst1q_f64(a + i + 2, x);
			vst1q_f64(a + i + 4, x);
			vst1q_f64(a + i + 6, x);
			EV_MCA_END();
		}
		for (; i < n; i++)
			a[i] = v;
		BW_PASS_BARRIER(a);
	}
}

static void write_nt_n(double *a, size_t n, double v, uint64_t iters)
{
	float64x2_t x = vdupq_n_f64(v);
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 <= n; i += 8) {
			EV_MCA_BEGIN("bw-write-nt");
			stnp2(a + i, x, x);
			stnp2(a + i + 4, x, x);
			EV_MCA_END();
		}
		for (; i < n; i++)
			a[i] = v;
		BW_PASS_BARRIER(a);
	}
	__asm__ volatile("dmb ish" ::: "memory");
}

static void copy_n(double *restrict c, const double *restrict a, size_t n, uint64_t iters)
{
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 <= n; i += 8) {
			EV_MCA_BEGIN("bw-copy");
			float64x2_t x0 = vld1q_f64(a + i), x1 = vld1q_f64(a + i + 2);
			float64x2_t x2 = vld1q_f64(a + i + 4), x3 = vld1q_f64(a + i + 6);
			vst1q_f64(c + i, x0);
			vst1q_f64(c + i + 2, x1);
			vst1q_f64(c + i + 4, x2);
			vst1q_f64(c + i + 6, x3);
			EV_MCA_END();
		}
		for (; i < n; i++)
			c[i] = a[i];
		BW_PASS_BARRIER(c);
	}
}

static void copy_nt_n(double *restrict c, const double *restrict a, size_t n, uint64_t iters)
{
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 <= n; i += 8) {
			EV_MCA_BEGIN("bw-copy-nt");
			stnp2(c + i, vld1q_f64(a + i), vld1q_f64(a + i + 2));
			stnp2(c + i + 4, vld1q_f64(a + i + 4), vld1q_f64(a + i + 6));
			EV_MCA_END();
		}
		for (; i < n; i++)
			c[i] = a[i];
		BW_PASS_BARRIER(c);
	}
	__asm__ volatile("dmb ish" ::: "memory");
}

static void triad_n(double *restrict a, const double *restrict b, const double *restrict c,
		    double s, size_t n, uint64_t iters)
{
	float64x2_t vs = vdupq_n_f64(s);
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 4 <= n; i += 4) {
			EV_MCA_BEGIN("bw-triad");
			vst1q_f64(a + i, vfmaq_f64(vld1q_f64(b + i), vld1q_f64(c + i), vs));
			vst1q_f64(a + i + 2, vfmaq_f64(vld1q_f64(b + i + 2), vld1q_f64(c + i + 2), vs));
			EV_MCA_END();
		}
		for (; i < n; i++)
			a[i] = b[i] + s * c[i];
		BW_PASS_BARRIER(a);
	}
}

static void triad_nt_n(double *restrict a, const double *restrict b, const double *restrict c,
		       double s, size_t n, uint64_t iters)
{
	float64x2_t vs = vdupq_n_f64(s);
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 4 <= n; i += 4)
			stnp2(a + i, vfmaq_f64(vld1q_f64(b + i), vld1q_f64(c + i), vs),
			      vfmaq_f64(vld1q_f64(b + i + 2), vld1q_f64(c + i + 2), vs));
		for (; i < n; i++)
			a[i] = b[i] + s * c[i];
		BW_PASS_BARRIER(a);
	}
	__asm__ volatile("dmb ish" ::: "memory");
}

const struct bw_kernel_set bw_set_neon = {
	.target = EV_TARGET_NEON,
	.file = &kf_bw_neon,
	.read = read_n,
	.read_u64 = read_u64_n,
	.write = write_n,
	.write_nt = write_nt_n,
	.copy = copy_n,
	.copy_nt = copy_nt_n,
	.triad = triad_n,
	.triad_nt = triad_nt_n,
};
