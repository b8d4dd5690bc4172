/* probes/bw-generic.c: portable C streaming kernels (any CPU). Built with
 * -fno-tree-loop-distribute-patterns so gcc cannot turn write and copy into
 * libc memset/memcpy calls, which switch to non-temporal stores above a size
 * threshold and would silently change what is measured (this-machine.md).
 * read keeps 8 partial sums: without them the loop is bound by add latency. */
#include "bw-kernels.h"
#include "cpu.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_bw_generic);

static double read_c(const double *a, size_t n, uint64_t iters)
{
	double s[8] = {0};
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 <= n; i += 8)
			for (int k = 0; k < 8; k++)
				s[k] += a[i + (size_t)k];
		for (; i < n; i++)
			s[0] += a[i];
		BW_PASS_BARRIER(a);
	}
	return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static uint64_t read_u64_c(const uint64_t *a, size_t n, uint64_t iters)
{
	uint64_t s[8] = {0};
	for (uint64_t it = 0; it < iters; it++) {
		size_t i = 0;
		for (; i + 8 <= n; i += 8)
			for (int k = 0; k < 8; k++)
				s[k] += a[i + (size_t)k];
		for (; i < n; i++)
			s[0] += a[i];
		BW_PASS_BARRIER(a);
	}
	return s[0] + s[1] + s[2] + s[3] + s[4] + s[5] + s[6] + s[7];
}

static void write_c(double *a, size_t n, double v, uint64_t iters)
{
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < n; i++)
			a[i] = v;
		BW_PASS_BARRIER(a);
	}
}

static void copy_c(double *restrict c, const double *restrict a, size_t n, uint64_t iters)
{
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < n; i++)
			c[i] = a[i];
		BW_PASS_BARRIER(c);
	}
}

static void triad_c(double *restrict a, const double *restrict b, const double *restrict c,
		    double s, size_t n, uint64_t iters)
{
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0; i < n; i++)
			a[i] = b[i] + s * c[i];
		BW_PASS_BARRIER(a);
	}
}

const struct bw_kernel_set bw_set_generic = {
	.target = EV_TARGET_GENERIC,
	.file = &kf_bw_generic,
	.read = read_c,
	.read_u64 = read_u64_c,
	.write = write_c,
	.copy = copy_c,
	.triad = triad_c,
};
