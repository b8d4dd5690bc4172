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

const char *const ev_prec_name[EV_PREC__COUNT] = {
#define X(id, nm) [EV_PREC_##id] = nm,
	EV_PRECISIONS(X)
#undef X
};

int ev_prec_by_name(const char *name)
{
	for (int i = 0; i < EV_PREC__COUNT; i++)
		if (!strcmp(ev_prec_name[i], name))
			return i;
	return -1;
}

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

#define AVX2F (EV_F(AVX2) | EV_F(FMA))
#define AVX512F_ (EV_F(AVX512F))
const struct flops_kernel flops_table[] = {
	{"fp64_scalar", EV_PREC_FP64, FK_MULADD, "mulsd+addsd (generic C)", EV_ISA_GENERIC, 0, 1,
	 FLOPS_NACC, 2, fp64_scalar_c},
	{"fp32_scalar", EV_PREC_FP32, FK_MULADD, "mulss+addss (generic C)", EV_ISA_GENERIC, 0, 1,
	 FLOPS_NACC, 2, fp32_scalar_c},
#if defined(__x86_64__)
	{"fp64_scalar_fma", EV_PREC_FP64, FK_FMA, "vfmadd231sd", EV_ISA_AVX2, AVX2F, 1, FLOPS_NACC,
	 2, flops_fp64_scalar_fma},
	{"fp64_sse_fma", EV_PREC_FP64, FK_FMA, "vfmadd231pd xmm", EV_ISA_AVX2, AVX2F, 2, FLOPS_NACC,
	 4, flops_fp64_sse_fma},
	{"fp64_avx_fma", EV_PREC_FP64, FK_FMA, "vfmadd231pd ymm", EV_ISA_AVX2, AVX2F, 4, FLOPS_NACC,
	 8, flops_fp64_avx_fma},
	{"fp64_avx512_fma", EV_PREC_FP64, FK_FMA, "vfmadd231pd zmm", EV_ISA_AVX512, AVX512F_, 8,
	 FLOPS_NACC, 16, flops_fp64_avx512_fma},
	{"fp32_scalar_fma", EV_PREC_FP32, FK_FMA, "vfmadd231ss", EV_ISA_AVX2, AVX2F, 1, FLOPS_NACC,
	 2, flops_fp32_scalar_fma},
	{"fp32_sse_fma", EV_PREC_FP32, FK_FMA, "vfmadd231ps xmm", EV_ISA_AVX2, AVX2F, 4, FLOPS_NACC,
	 8, flops_fp32_sse_fma},
	{"fp32_avx_fma", EV_PREC_FP32, FK_FMA, "vfmadd231ps ymm", EV_ISA_AVX2, AVX2F, 8, FLOPS_NACC,
	 16, flops_fp32_avx_fma},
	{"fp32_avx512_fma", EV_PREC_FP32, FK_FMA, "vfmadd231ps zmm", EV_ISA_AVX512, AVX512F_, 16,
	 FLOPS_NACC, 32, flops_fp32_avx512_fma},
	{"fp16_avx512_fma", EV_PREC_FP16, FK_FMA, "vfmadd231ph zmm (AVX512-FP16)", EV_ISA_AVX512,
	 AVX512F_ | EV_F(AVX512FP16), 32, FLOPS_NACC, 64, flops_fp16_avx512_fma},
	{"bf16_avx512vl_dp", EV_PREC_BF16, FK_BF16DOT, "vdpbf16ps ymm (AVX512-BF16)", EV_ISA_AVX512,
	 AVX512F_ | EV_F(AVX512VL) | EV_F(AVX512BF16), 8, FLOPS_NACC, 32, flops_bf16_avx512vl_dp},
	{"bf16_avx512_dp", EV_PREC_BF16, FK_BF16DOT, "vdpbf16ps zmm (AVX512-BF16)", EV_ISA_AVX512,
	 AVX512F_ | EV_F(AVX512BF16), 16, FLOPS_NACC, 64, flops_bf16_avx512_dp},
	{"int8_avx2_maddubs", EV_PREC_INT8, FK_INT8DOT, "vpmaddubsw+vpmaddwd+vpaddd ymm",
	 EV_ISA_AVX2, AVX2F, 8, 6, 64, flops_int8_avx2_maddubs},
	{"int8_avxvnni", EV_PREC_INT8, FK_INT8DOT, "vpdpbusd ymm (AVX-VNNI)", EV_ISA_AVX2,
	 AVX2F | EV_F(AVXVNNI), 8, FLOPS_NACC, 64, flops_int8_avxvnni},
	{"int8_avx512vl_vnni", EV_PREC_INT8, FK_INT8DOT, "vpdpbusd ymm (AVX512-VNNI)",
	 EV_ISA_AVX512, AVX512F_ | EV_F(AVX512VL) | EV_F(AVX512VNNI), 8, FLOPS_NACC, 64,
	 flops_int8_avx512vl_vnni},
	{"int8_avx512_vnni", EV_PREC_INT8, FK_INT8DOT, "vpdpbusd zmm (AVX512-VNNI)", EV_ISA_AVX512,
	 AVX512F_ | EV_F(AVX512VNNI), 16, FLOPS_NACC, 128, flops_int8_avx512_vnni},
#endif
#if defined(__aarch64__)
	{"fp64_neon_fma", EV_PREC_FP64, FK_FMA, "fmla v.2d", EV_ISA_NEON, EV_F(ASIMD), 2, FLOPS_NACC, 4,
	 flops_fp64_neon_fma},
	{"fp32_neon_fma", EV_PREC_FP32, FK_FMA, "fmla v.4s", EV_ISA_NEON, EV_F(ASIMD), 4, FLOPS_NACC, 8,
	 flops_fp32_neon_fma},
	{"fp16_neon_fma", EV_PREC_FP16, FK_FMA, "fmla v.8h (asimdhp)", EV_ISA_DOTPROD,
	 EV_F(ASIMD) | EV_F(ASIMDHP), 8, FLOPS_NACC, 16, flops_fp16_neon_fma},
	{"int8_neon_sdot", EV_PREC_INT8, FK_INT8DOT, "sdot v.4s (dotprod)", EV_ISA_DOTPROD,
	 EV_F(ASIMD) | EV_F(ASIMDDP), 4, FLOPS_NACC, 32, flops_int8_neon_sdot},
#endif
};
const int flops_count = (int)(sizeof flops_table / sizeof flops_table[0]);

const char *flops_unsupported(int k, const struct ev_cpu *c)
{
	static char why[160];
	const struct flops_kernel *fk = &flops_table[k];
	if (fk->isa > c->isa_max) {
		snprintf(why, sizeof why, "above the ISA level in use (%s)", ev_isa_table[c->isa_max].name);
		return why;
	}
	if (!cpu_isa_usable(c, fk->isa) || !cpu_has(c, fk->features)) {
		size_t n = (size_t)snprintf(why, sizeof why, "CPU lacks");
		for (int f = 0; f < EV_FEAT__COUNT; f++)
			if ((fk->features & (1ULL << f)) && !(c->features & (1ULL << f)))
				n += (size_t)snprintf(why + n, sizeof why - n, " %s", cpu_feature_name(f));
		if (n == strlen("CPU lacks"))
			snprintf(why, sizeof why, "ISA %s not usable", ev_isa_table[fk->isa].name);
		return why;
	}
	return NULL;
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
		for (int l = 0; l < fk->lanes; l++) {
			double got = out[j * fk->lanes + l];
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
	double out[EV_MAX_THREADS][FLOPS_NACC * FLOPS_MAX_LANES];
	uint64_t iters[EV_MAX_THREADS];
};

static const char *fl_supported(const struct ev_job *j, const struct ev_cpu *c)
{
	if (j->kernel < 0 || j->kernel >= flops_count)
		return "no such kernel";
	return flops_unsupported(j->kernel, c);
}

static int fl_init(struct ev_job *j, struct ev_err *e)
{
	struct flops_state *s = calloc(1, sizeof *s);
	if (!s)
		return ev_fail(e, EV_ERR_RUNTIME, "flops: out of memory");
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
	free(j->priv);
	j->priv = NULL;
}

static void fl_counts(const struct ev_job *j, struct ev_counts *c)
{
	const struct flops_kernel *fk = &flops_table[j->kernel];
	c->bytes = c->bytes_wa = 0;
	c->ops = fk->ops_per_step * fk->nacc * j->nthreads;
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
