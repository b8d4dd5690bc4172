/* probes/flops.h: the peak-rate probe: one table row per (precision,
 * instruction, width). Rows for other architectures slot in beside these. */
#ifndef EV_PROBE_FLOPS_H
#define EV_PROBE_FLOPS_H
#include "cpu.h"
#include "flops-kernels.h"
#include "probe.h"

/* Precisions, in roofline order. */
#define EV_PRECISIONS(X) X(FP64, "fp64") X(FP32, "fp32") X(FP16, "fp16") X(BF16, "bf16") X(INT8, "int8")
enum ev_prec {
#define X(id, nm) EV_PREC_##id,
	EV_PRECISIONS(X)
#undef X
	EV_PREC__COUNT
};
extern const char *const ev_prec_name[EV_PREC__COUNT];
int ev_prec_by_name(const char *name);

enum flops_kind {
	FK_MULADD,  /* separate multiply and add (no FMA instruction) */
	FK_FMA,     /* fused multiply-add */
	FK_BF16DOT, /* bf16 pair dot product into fp32 */
	FK_INT8DOT, /* u8 x s8 quad dot product into s32 */
};

struct flops_kernel {
	const char *name;     /* "fp32_avx512_fma" */
	int prec;             /* enum ev_prec */
	int kind;             /* enum flops_kind */
	const char *instr;    /* what is counted: "vfmadd231ps zmm" */
	int isa;              /* ISA level whose flags build it (for --isa) */
	uint64_t features;    /* cpuid/HWCAP features it needs */
	int lanes;            /* result lanes per accumulator */
	int nacc;             /* independent chains */
	double ops_per_step;  /* FLOP (or int ops) per chain per iteration */
	flops_fn fn;
};

extern const struct flops_kernel flops_table[];
extern const int flops_count;
/* NULL if kernel k can run on c (respecting c->isa_max), else why not. */
const char *flops_unsupported(int k, const struct ev_cpu *c);
/* Check out[] of kernel k after `iters` iterations from params p: 0 or -1 with
 * a message in why. Public for tests. */
int flops_check(int k, uint64_t iters, const struct flops_params *p, const double *out,
		char *why, size_t len);
void flops_default_params(struct flops_params *p);

#endif
