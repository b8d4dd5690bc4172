/* probes/bw-rvv.c: streaming kernels on the RISC-V Vector extension, vector-
 * length agnostic: each strip is vsetvl'd over what is left (LMUL 8: eight
 * registers per load or store), so there is no scalar tail. The read sums
 * into an accumulator group with tail-undisturbed adds. RVV 1.0 has no
 * non-temporal store (Zihintntl hints are a separate extension): the NT
 * variants are absent, as the contract allows. */
#include <riscv_vector.h>

#include "bw-kernels.h"
#include "cpu.h"
#include "kernel-file.h"

EV_KERNEL_FILE(kf_bw_rvv);

static double read_n(const double *a, size_t n, uint64_t iters)
{
	const size_t vlmax = __riscv_vsetvlmax_e64m8();
	vfloat64m8_t s = __riscv_vfmv_v_f_f64m8(0, vlmax);
	vfloat64m1_t z = __riscv_vfmv_s_f_f64m1(0, 1);
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0, vl; i < n; i += vl) {
			EV_MCA_BEGIN("bw-read-rvv");
			vl = __riscv_vsetvl_e64m8(n - i);
			s = __riscv_vfadd_vv_f64m8_tu(s, s, __riscv_vle64_v_f64m8(a + i, vl), vl);
			EV_MCA_END();
		}
		BW_PASS_BARRIER(a);
	}
	return __riscv_vfmv_f_s_f64m1_f64(__riscv_vfredusum_vs_f64m8_f64m1(s, z, vlmax));
}

static uint64_t read_u64_n(const uint64_t *a, size_t n, uint64_t iters)
{
	const size_t vlmax = __riscv_vsetvlmax_e64m8();
	vuint64m8_t s = __riscv_vmv_v_x_u64m8(0, vlmax);
	vuint64m1_t z = __riscv_vmv_s_x_u64m1(0, 1);
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0, vl; i < n; i += vl) {
			vl = __riscv_vsetvl_e64m8(n - i);
			s = __riscv_vadd_vv_u64m8_tu(s, s, __riscv_vle64_v_u64m8(a + i, vl), vl);
		}
		BW_PASS_BARRIER(a);
	}
	return __riscv_vmv_x_s_u64m1_u64(__riscv_vredsum_vs_u64m8_u64m1(s, z, vlmax));
}

static void write_n(double *a, size_t n, double v, uint64_t iters)
{
	const vfloat64m8_t x = __riscv_vfmv_v_f_f64m8(v, __riscv_vsetvlmax_e64m8());
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0, vl; i < n; i += vl) {
			EV_MCA_BEGIN("bw-write-rvv");
			vl = __riscv_vsetvl_e64m8(n - i);
			__riscv_vse64_v_f64m8(a + i, x, vl);
			EV_MCA_END();
		}
		BW_PASS_BARRIER(a);
	}
}

static void copy_n(double *restrict c, const double *restrict a, size_t n, uint64_t iters)
{
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0, vl; i < n; i += vl) {
			EV_MCA_BEGIN("bw-copy-rvv");
			vl = __riscv_vsetvl_e64m8(n - i);
			__riscv_vse64_v_f64m8(c + i, __riscv_vle64_v_f64m8(a + i, vl), vl);
			EV_MCA_END();
		}
		BW_PASS_BARRIER(c);
	}
}

static void triad_n(double *restrict a, const double *restrict b, const double *restrict c,
		    double s, size_t n, uint64_t iters)
{
	for (uint64_t it = 0; it < iters; it++) {
		for (size_t i = 0, vl; i < n; i += vl) {
			EV_MCA_BEGIN("bw-triad-rvv");
			vl = __riscv_vsetvl_e64m8(n - i);
			vfloat64m8_t vb = __riscv_vle64_v_f64m8(b + i, vl);
			vfloat64m8_t vc = __riscv_vle64_v_f64m8(c + i, vl);
			/* b + s * c, one rounding (like the FMA of the other sets) */
			__riscv_vse64_v_f64m8(a + i, __riscv_vfmacc_vf_f64m8(vb, s, vc, vl), vl);
			EV_MCA_END();
		}
		BW_PASS_BARRIER(a);
	}
}

const struct bw_kernel_set bw_set_rvv = {
	.target = EV_TARGET_RVV,
	.file = &kf_bw_rvv,
	.read = read_n,
	.read_u64 = read_u64_n,
	.write = write_n,
	.copy = copy_n,
	.triad = triad_n,
};
