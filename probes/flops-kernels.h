/* probes/flops-kernels.h: peak-rate kernels. Each runs NACC independent
 * accumulator chains for `iters` iterations, one instruction per chain per
 * iteration, then stores every lane of every accumulator to out (as double) so
 * the probe can check them against a scalar model of the same chain.
 *   FMA kinds:  x = x * mul + add     (converges to 2 with mul 0.5, add 1)
 *   BF16 dot:   x += a0*b0 + a1*b1    (a = 1,1; b = 0.5,-0.5: adds exactly 0)
 *   INT8 dot:   x += sum of 4 u8*s8   (1,2,3,4 . 1,1,1,-1 = 2 per iteration)
 * NACC = 12 covers latency x throughput (4-5 cycles x 2 pipes) on the cores we
 * target; a core with more pipes shows as measured < theoretical. */
#ifndef EV_FLOPS_KERNELS_H
#define EV_FLOPS_KERNELS_H
#include <stdint.h>

#define FLOPS_NACC 12
/* Lanes of the widest vector any kernel may have: SVE allows 2048 bits, 128
 * fp16 lanes; a wider run-time length is refused, not overrun. */
#define FLOPS_MAX_LANES 128

struct flops_params {
	double start[FLOPS_NACC];
	double mul, add;
};

typedef void (*flops_fn)(uint64_t iters, const struct flops_params *p, double *out);

/* FK_FMA_ACC chains start at start[k] times this, by element size: 2^12 (fp16),
 * 2^26 (fp32), 2^55 (fp64), where an ulp is 4, 8 and 8, so adding
 * add * mul = 0.5 leaves them exact. */
static inline double flops_acc_scale(unsigned elem_bytes)
{
	return elem_bytes == 2 ? 4096.0 : elem_bytes == 4 ? 67108864.0 : 36028797018963968.0;
}

#define FLOPS_REP12(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)
/* The same with extra arguments passed to every M(k, ...). */
#define FLOPS_REP12A(M, ...)                                                                 \
	M(0, __VA_ARGS__) M(1, __VA_ARGS__) M(2, __VA_ARGS__) M(3, __VA_ARGS__)              \
	M(4, __VA_ARGS__) M(5, __VA_ARGS__) M(6, __VA_ARGS__) M(7, __VA_ARGS__)              \
	M(8, __VA_ARGS__) M(9, __VA_ARGS__) M(10, __VA_ARGS__) M(11, __VA_ARGS__)

/* An FMA chain kernel for any vector type: SET1 broadcasts, FMADD(x, m, a) is
 * x * m + a, STORE writes LANES elements. Used by the x86 kernel files. */
#define FLOPS_FMA_KERNEL(name, VT, ET, LANES, SET1, FMADD, STORE)                            \
	void name(uint64_t iters, const struct flops_params *p, double *out)                 \
	{                                                                                    \
		VT m = SET1((ET)p->mul), a = SET1((ET)p->add);                               \
		ET tmp[LANES];                                                               \
		FLOPS_REP12A(FLOPS_DECL_, VT, ET, SET1)                                      \
		for (uint64_t i = 0; i < iters; i++) {                                       \
			FLOPS_REP12A(FLOPS_STEP_, FMADD)                                     \
		}                                                                            \
		FLOPS_REP12A(FLOPS_OUT_, STORE, LANES)                                       \
	}
#define FLOPS_DECL_(k, VT, ET, SET1) VT x##k = SET1((ET)p->start[k]);
#define FLOPS_STEP_(k, FMADD) x##k = FMADD(x##k, m, a);
#define FLOPS_OUT_(k, STORE, LANES)                                                          \
	STORE(tmp, x##k);                                                                    \
	for (int l = 0; l < LANES; l++)                                                      \
		out[k * LANES + l] = (double)tmp[l];

#if defined(__x86_64__)
struct ev_kernel_file;
extern const struct ev_kernel_file kf_flops_avx2, kf_flops_avx512, kf_flops_avx512bf16,
	kf_flops_avx512vnni, kf_flops_avx512fp16, kf_flops_avxvnni;
/* flops-avx2.c (AVX2 + FMA) */
void flops_fp64_sse_fma(uint64_t, const struct flops_params *, double *);
void flops_fp64_scalar_fma(uint64_t, const struct flops_params *, double *);
void flops_fp64_avx_fma(uint64_t, const struct flops_params *, double *);
void flops_fp32_scalar_fma(uint64_t, const struct flops_params *, double *);
void flops_fp32_sse_fma(uint64_t, const struct flops_params *, double *);
void flops_fp32_avx_fma(uint64_t, const struct flops_params *, double *);
void flops_int8_avx2_maddubs(uint64_t, const struct flops_params *, double *);
/* flops-avx512.c */
void flops_fp64_avx512_fma(uint64_t, const struct flops_params *, double *);
void flops_fp32_avx512_fma(uint64_t, const struct flops_params *, double *);
/* flops-avx512bf16.c */
void flops_bf16_avx512_dp(uint64_t, const struct flops_params *, double *);
void flops_bf16_avx512vl_dp(uint64_t, const struct flops_params *, double *);
/* flops-avx512vnni.c */
void flops_int8_avx512_vnni(uint64_t, const struct flops_params *, double *);
void flops_int8_avx512vl_vnni(uint64_t, const struct flops_params *, double *);
/* flops-avx512fp16.c */
void flops_fp16_avx512_fma(uint64_t, const struct flops_params *, double *);
/* flops-avxvnni.c */
void flops_int8_avxvnni(uint64_t, const struct flops_params *, double *);
#endif
#if defined(__riscv)
struct ev_kernel_file;
extern const struct ev_kernel_file kf_flops_rvv;
void flops_fp64_rvv_fma(uint64_t, const struct flops_params *, double *);
void flops_fp32_rvv_fma(uint64_t, const struct flops_params *, double *);
int flops_rvv_lanes_f64(void);
int flops_rvv_lanes_f32(void);
#endif
#if defined(__aarch64__)
struct ev_kernel_file;
extern const struct ev_kernel_file kf_flops_neon, kf_flops_fp16, kf_flops_dotprod, kf_flops_sve;
void flops_fp64_neon_fma(uint64_t, const struct flops_params *, double *);
void flops_fp32_neon_fma(uint64_t, const struct flops_params *, double *);
void flops_fp16_neon_fma(uint64_t, const struct flops_params *, double *);   /* flops-fp16.c */
void flops_int8_neon_sdot(uint64_t, const struct flops_params *, double *);  /* flops-dotprod.c */
/* flops-sve.c: vector length known at run time only */
void flops_fp64_sve_fma(uint64_t, const struct flops_params *, double *);
void flops_fp32_sve_fma(uint64_t, const struct flops_params *, double *);
int flops_sve_lanes_f64(void);
int flops_sve_lanes_f32(void);
#endif

#endif
