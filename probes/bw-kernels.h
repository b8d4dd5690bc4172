/* probes/bw-kernels.h: streaming kernels, one set per ISA level.
 * Contract for every set: `iters` full passes over n doubles; a compiler
 * barrier between passes so no pass can be merged or dropped; pointers are
 * 64-byte aligned (the probe allocates them so), n may be any value (tails are
 * done with scalar code). NT variants use non-temporal stores and end with a
 * store fence; they are NULL where the ISA has none. */
#ifndef EV_BW_KERNELS_H
#define EV_BW_KERNELS_H
#include <stddef.h>
#include <stdint.h>

#include "cpu.h"

typedef double (*bw_read_fn)(const double *a, size_t n, uint64_t iters);
/* The read kernel with integer adds, for memory that holds other data than
 * doubles (a model's weights: random bits would be NaNs and denormals, whose
 * FP assists would time the adder, not the memory). Wraps mod 2^64. */
typedef uint64_t (*bw_read_u64_fn)(const uint64_t *a, size_t n, uint64_t iters);
typedef void (*bw_write_fn)(double *a, size_t n, double v, uint64_t iters);
typedef void (*bw_copy_fn)(double *restrict c, const double *restrict a, size_t n, uint64_t iters);
typedef void (*bw_triad_fn)(double *restrict a, const double *restrict b,
			    const double *restrict c, double s, size_t n, uint64_t iters);

struct bw_kernel_set {
	int target;                        /* enum ev_target: the features it needs */
	const struct ev_kernel_file *file; /* where it is compiled, and how */
	bw_read_fn read;
	bw_read_u64_fn read_u64;
	bw_write_fn write, write_nt;
	bw_copy_fn copy, copy_nt;
	bw_triad_fn triad, triad_nt;
};

extern const struct bw_kernel_set bw_set_generic;
extern const struct ev_kernel_file kf_bw_generic;
#if defined(__x86_64__)
extern const struct bw_kernel_set bw_set_avx2;
extern const struct bw_kernel_set bw_set_avx512;
extern const struct ev_kernel_file kf_bw_avx2, kf_bw_avx512;
#endif
#if defined(__riscv)
extern const struct bw_kernel_set bw_set_rvv;
extern const struct ev_kernel_file kf_bw_rvv;
#endif
#if defined(__aarch64__)
extern const struct bw_kernel_set bw_set_neon;
extern const struct ev_kernel_file kf_bw_neon;
#endif

#define BW_PASS_BARRIER(p) __asm__ volatile("" : : "r"(p) : "memory")

#endif
