/* probes/flops.c: peak arithmetic rate per precision and instruction.
 *
 * Method: FLOPS_NACC independent chains of the instruction, each depending on
 * its own previous result (so nothing can be hoisted or dropped), enough chains
 * to cover latency x throughput. Counted: analytically from the table, FMA =
 * 2 FLOP per lane, bf16 dot = 4 FLOP per fp32 lane, int8 quad dot = 8 ops per
 * s32 lane (4 multiplies + 4 adds). Every lane of every chain is checked after
 * timing against a scalar model of the same chain (fma()/fmaf() round exactly
 * like the hardware FMA). How the generated code was checked: docs/methodology.md.
 * Pitfalls: denormals slow some cores (values stay near 1..2 here); the scalar
 * generic kernel is mul + add, two instructions, so it is no peak. */
#include "flops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel-file.h"


/* Generic C: multiply then add (no fused op without FMA hardware flags). */
#define SCALAR_KERNEL(name, ET)                                                              \
	static void name(uint64_t iters, const struct flops_params *p, double *out)          \
	{                                                                                    \
		ET m = (ET)p->mul, a = (ET)p->add;                                           \
		FLOPS_REP12A(SC_DECL, ET)                                                    \
		for (uint64_t i = 0; i < iters; i++) {                                       \
			FLOPS_REP12(SC_STEP)                                                 \
		}                                                                            \
		FLOPS_REP12(SC_OUT)                                                          \
	}
#define SC_DECL(k, ET) ET x##k = (ET)p->start[k];
#define SC_STEP(k) x##k = x##k * m + a;
#define SC_OUT(k) out[k] = (double)x##k;
SCALAR_KERNEL(fp64_scalar_c, double)
SCALAR_KERNEL(fp32_scalar_c, float)

EV_KERNEL_FILE(kf_flops_generic);

/* name, precision, kind, instruction, feature set and its file, lanes, chains,
 * function (and run-time lanes for variable-length vectors). */
#define K(nm, prec, kind, instr, set, file, lanes, nacc, fn)                                  \
	{nm, EV_PREC_##prec, kind, instr, EV_TARGET_##set, &file, lanes, nacc, fn, NULL}
const struct flops_kernel flops_table[] = {
	K("fp64_scalar", FP64, FK_MULADD, "mulsd+addsd (generic C)", GENERIC, kf_flops_generic, 1,
	  FLOPS_NACC, fp64_scalar_c),
	K("fp32_scalar", FP32, FK_MULADD, "mulss+addss (generic C)", GENERIC, kf_flops_generic, 1,
	  FLOPS_NACC, fp32_scalar_c),
#if defined(__x86_64__)
	K("fp64_scalar_fma", FP64, FK_FMA, "vfmadd231sd", AVX2, kf_flops_avx2, 1, FLOPS_NACC,
	  flops_fp64_scalar_fma),
	K("fp64_sse_fma", FP64, FK_FMA, "vfmadd231pd xmm", AVX2, kf_flops_avx2, 2, FLOPS_NACC,
	  flops_fp64_sse_fma),
	K("fp64_avx_fma", FP64, FK_FMA, "vfmadd231pd ymm", AVX2, kf_flops_avx2, 4, FLOPS_NACC,
	  flops_fp64_avx_fma),
	K("fp64_avx512_fma", FP64, FK_FMA, "vfmadd231pd zmm", AVX512, kf_flops_avx512, 8,
	  FLOPS_NACC, flops_fp64_avx512_fma),
	K("fp32_scalar_fma", FP32, FK_FMA, "vfmadd231ss", AVX2, kf_flops_avx2, 1, FLOPS_NACC,
	  flops_fp32_scalar_fma),
	K("fp32_sse_fma", FP32, FK_FMA, "vfmadd231ps xmm", AVX2, kf_flops_avx2, 4, FLOPS_NACC,
	  flops_fp32_sse_fma),
	K("fp32_avx_fma", FP32, FK_FMA, "vfmadd231ps ymm", AVX2, kf_flops_avx2, 8, FLOPS_NACC,
	  flops_fp32_avx_fma),
	K("fp32_avx512_fma", FP32, FK_FMA, "vfmadd231ps zmm", AVX512, kf_flops_avx512, 16,
	  FLOPS_NACC, flops_fp32_avx512_fma),
	K("fp16_avx512_fma", FP16, FK_FMA, "vfmadd231ph zmm (AVX512-FP16)", AVX512FP16,
	  kf_flops_avx512fp16, 32, FLOPS_NACC, flops_fp16_avx512_fma),
	K("bf16_avx512vl_dp", BF16, FK_BF16DOT, "vdpbf16ps ymm (AVX512-BF16)", AVX512BF16,
	  kf_flops_avx512bf16, 8, FLOPS_NACC, flops_bf16_avx512vl_dp),
	K("bf16_avx512_dp", BF16, FK_BF16DOT, "vdpbf16ps zmm (AVX512-BF16)", AVX512BF16,
	  kf_flops_avx512bf16, 16, FLOPS_NACC, flops_bf16_avx512_dp),
	K("int8_avx2_maddubs", INT8, FK_INT8DOT, "vpmaddubsw+vpmaddwd+vpaddd ymm", AVX2,
	  kf_flops_avx2, 8, 6, flops_int8_avx2_maddubs),
	K("int8_avxvnni", INT8, FK_INT8DOT, "vpdpbusd ymm (AVX-VNNI)", AVXVNNI, kf_flops_avxvnni, 8,
	  FLOPS_NACC, flops_int8_avxvnni),
	K("int8_avx512vl_vnni", INT8, FK_INT8DOT, "vpdpbusd ymm (AVX512-VNNI)", AVX512VNNI,
	  kf_flops_avx512vnni, 8, FLOPS_NACC, flops_int8_avx512vl_vnni),
	K("int8_avx512_vnni", INT8, FK_INT8DOT, "vpdpbusd zmm (AVX512-VNNI)", AVX512VNNI,
	  kf_flops_avx512vnni, 16, FLOPS_NACC, flops_int8_avx512_vnni),
#endif
#if defined(__aarch64__)
	K("fp64_neon_fma", FP64, FK_FMA_ACC, "fmla v.2d", NEON, kf_flops_neon, 2, FLOPS_NACC,
	  flops_fp64_neon_fma),
	K("fp32_neon_fma", FP32, FK_FMA_ACC, "fmla v.4s", NEON, kf_flops_neon, 4, FLOPS_NACC,
	  flops_fp32_neon_fma),
	K("fp16_neon_fma", FP16, FK_FMA_ACC, "fmla v.8h (asimdhp)", FP16, kf_flops_fp16, 8, FLOPS_NACC,
	  flops_fp16_neon_fma),
	K("int8_neon_sdot", INT8, FK_INT8DOT, "sdot v.4s (dotprod)", DOTPROD, kf_flops_dotprod, 4,
	  FLOPS_NACC, flops_int8_neon_sdot),
	{"fp64_sve_fma", EV_PREC_FP64, FK_FMA, "fmla z.d (SVE)", EV_TARGET_SVE, &kf_flops_sve, 0,
	 FLOPS_NACC, flops_fp64_sve_fma, flops_sve_lanes_f64},
	{"fp32_sve_fma", EV_PREC_FP32, FK_FMA, "fmla z.s (SVE)", EV_TARGET_SVE, &kf_flops_sve, 0,
	 FLOPS_NACC, flops_fp32_sve_fma, flops_sve_lanes_f32},
#endif
#if defined(__riscv)
	{"fp64_rvv_fma", EV_PREC_FP64, FK_FMA_ACC, "vfmacc.vv e64 (RVV)", EV_TARGET_RVV, &kf_flops_rvv, 0,
	 FLOPS_NACC, flops_fp64_rvv_fma, flops_rvv_lanes_f64},
	{"fp32_rvv_fma", EV_PREC_FP32, FK_FMA_ACC, "vfmacc.vv e32 (RVV)", EV_TARGET_RVV, &kf_flops_rvv, 0,
	 FLOPS_NACC, flops_fp32_rvv_fma, flops_rvv_lanes_f32},
#endif
};
#undef K
const int flops_count = (int)(sizeof flops_table / sizeof flops_table[0]);

int flops_lanes(int k)
{
	const struct flops_kernel *fk = &flops_table[k];
	return fk->vlanes ? fk->vlanes() : fk->lanes;
}

double flops_ops_per_step(int k)
{
	/* multiply + add per lane; a bf16 pair dot is 2 of those; an int8 quad dot 4 */
	static const double per_lane[] = {[FK_MULADD] = 2, [FK_FMA] = 2, [FK_FMA_ACC] = 2,
					  [FK_BF16DOT] = 4, [FK_INT8DOT] = 8};
	return per_lane[flops_table[k].kind] * flops_lanes(k);
}

int flops_check_supported(int k, const struct ev_cpu *c, char *why, size_t len)
{
	const struct flops_kernel *fk = &flops_table[k];
	char r[200];
	if (cpu_target_check(c, fk->target, r, sizeof r)) {
		snprintf(why, len, "%s", r);
		return -1;
	}
	if (flops_lanes(k) < 1 || flops_lanes(k) > FLOPS_MAX_LANES) {
		snprintf(why, len, "vector of %d lanes: eaves handles 1 to %d", flops_lanes(k),
			 FLOPS_MAX_LANES);
		return -1;
	}
	return 0;
}

void flops_default_params(struct flops_params *p)
{
	for (int k = 0; k < FLOPS_NACC; k++)
		p->start[k] = 1.0 + k / 16.0;
	p->mul = 0.5;
	p->add = 1.0;
}

static double model_fma(int prec, int fused, double x, double m, double a, uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++) {
		double nx;
		if (prec == EV_PREC_FP64)
			nx = fused ? fma(x, m, a) : x * m + a;
		else
			nx = fused ? (double)fmaf((float)x, (float)m, (float)a)
				   : (double)((float)x * (float)m + (float)a);
		if (nx == x)
			break; /* fixed point: every later step gives the same */
		x = nx;
	}
	return x;
}

int flops_check(int k, uint64_t iters, const struct flops_params *p, const double *out,
		char *why, size_t len)
{
	const struct flops_kernel *fk = &flops_table[k];
	for (int j = 0; j < fk->nacc; j++) {
		double want, tol = 0;
		switch (fk->kind) {
		case FK_INT8DOT: {
			uint32_t w = (uint32_t)(int64_t)p->start[j] + (uint32_t)(2 * iters);
			want = (double)(int32_t)w;
			break;
		}
		case FK_BF16DOT:
			want = (double)(float)p->start[j];
			break;
		case FK_FMA_ACC: {
			/* x + add * mul rounds back to x at this magnitude (flops_acc_scale) */
			unsigned eb = fk->prec == EV_PREC_FP16 ? 2 : fk->prec == EV_PREC_FP32 ? 4 : 8;
			want = p->start[j] * flops_acc_scale(eb);
			if (fk->prec == EV_PREC_FP32)
				want = (double)(float)want;
			break;
		}
		default:
			if (fk->prec == EV_PREC_FP16) {
				/* fp16 rounding differs from the fp32 model until both reach
				 * the fixed point 2. */
				want = model_fma(EV_PREC_FP32, 1, p->start[j], p->mul, p->add, iters);
				tol = iters >= 64 ? 0 : 2e-3;
			} else {
				want = model_fma(fk->prec, fk->kind == FK_FMA, p->start[j], p->mul,
						 p->add, iters);
			}
		}
		for (int l = 0, lanes = flops_lanes(k); l < lanes; l++) {
			double got = out[j * lanes + l];
			if (fabs(got - want) > tol * fabs(want)) {
				snprintf(why, len, "flops %s: chain %d lane %d is %.17g, model says %.17g",
					 fk->name, j, l, got, want);
				return -1;
			}
		}
	}
	return 0;
}

struct flops_state {
	struct flops_params p;
	double (*out)[FLOPS_NACC * FLOPS_MAX_LANES]; /* one row per thread */
	uint64_t iters[EV_MAX_THREADS];
};

static int fl_supported(const struct ev_job *j, char *why, size_t len)
{
	if (j->kernel < 0 || j->kernel >= flops_count) {
		snprintf(why, len, "no such kernel");
		return -1;
	}
	return flops_check_supported(j->kernel, j->cpu, why, len);
}

static int fl_init(struct ev_job *j, struct ev_err *e)
{
	struct flops_state *s = calloc(1, sizeof *s);
	if (s)
		s->out = calloc((size_t)j->nthreads, sizeof *s->out);
	if (!s || !s->out) {
		free(s);
		return ev_fail(e, EV_ERR_RUNTIME, "flops: out of memory");
	}
	flops_default_params(&s->p);
	j->priv = s;
	return EV_OK;
}

static void fl_run(struct ev_job *j, int tid)
{
	struct flops_state *s = j->priv;
	flops_table[j->kernel].fn(j->iters, &s->p, s->out[tid]);
	s->iters[tid] = j->iters;
}

static int fl_verify(struct ev_job *j, int tid, struct ev_err *e)
{
	struct flops_state *s = j->priv;
	char why[256];
	if (flops_check(j->kernel, s->iters[tid], &s->p, s->out[tid], why, sizeof why))
		return ev_fail(e, EV_ERR_VERIFY, "%s (thread %d)", why, tid);
	return EV_OK;
}

static void fl_fini(struct ev_job *j)
{
	struct flops_state *s = j->priv;
	if (s)
		free(s->out);
	free(s);
	j->priv = NULL;
}

static void fl_counts(const struct ev_job *j, struct ev_counts *c)
{
	c->bytes = c->bytes_wa = 0;
	c->ops = flops_ops_per_step(j->kernel) * flops_table[j->kernel].nacc * j->nthreads;
}

const struct ev_probe ev_probe_flops = {
	.name = "flops",
	.summary = "peak FLOP/s per precision and instruction",
	.supported = fl_supported,
	.init = fl_init,
	.run = fl_run,
	.verify = fl_verify,
	.fini = fl_fini,
	.counts = fl_counts,
};
