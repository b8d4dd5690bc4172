/* probes/flops.h: the peak-rate probe: one table row per (precision,
 * instruction, width). Rows for other architectures slot in beside these. */
#ifndef EV_PROBE_FLOPS_H
#define EV_PROBE_FLOPS_H
#include "cpu.h"
#include "flops-kernels.h"
#include "probe.h"
#include "roofs.h"


enum flops_kind {
	FK_MULADD,  /* separate multiply and add (no FMA instruction) */
	FK_FMA,     /* fused multiply-add, x = x * m + a (x86: no copy with 3-operand FMA) */
	FK_FMA_ACC, /* fused multiply-add into the chain, x = x + a * m: ARM's fmla
		     * writes its addend, so x * m + a would cost a register copy per
		     * FMA (llvm-mca: half the peak); x starts large enough (2^12 fp16,
		     * 2^26 fp32, 2^55 fp64, times 1..2) that a * m = 0.5 is under half
		     * an ulp: x stays exact, every FMA still executes */
	FK_BF16DOT, /* bf16 pair dot product into fp32 */
	FK_INT8DOT, /* u8 x s8 quad dot product into s32 */
};

struct flops_kernel {
	const char *name;     /* "fp32_avx512_fma" */
	int prec;             /* enum ev_prec */
	int kind;             /* enum flops_kind: FLOP (or int ops) per lane follow from it */
	const char *instr;    /* what is counted: "vfmadd231ps zmm" */
	int target;           /* enum ev_target: the feature set it needs */
	const struct ev_kernel_file *file;
	int lanes;            /* result lanes per accumulator; 0: ask vlanes() */
	int nacc;             /* independent chains */
	flops_fn fn;
	int (*vlanes)(void);  /* lanes of a variable-length vector (SVE, RVV), at run time */
};

extern const struct flops_kernel flops_table[];
extern const int flops_count;
/* Lanes per accumulator of kernel k on this CPU (run time for SVE/RVV). */
int flops_lanes(int k);
/* FLOP (or int ops) of one chain's step: lanes x ops per lane of the kind. */
double flops_ops_per_step(int k);
/* 0 if kernel k can run on c (its features, within the --isa cap), else -1
 * with the reason in why. */
int flops_check_supported(int k, const struct ev_cpu *c, char *why, size_t len);
/* Check out[] of kernel k after `iters` iterations from params p: 0 or -1 with
 * a message in why. Public for tests. */
int flops_check(int k, uint64_t iters, const struct flops_params *p, const double *out,
		char *why, size_t len);
void flops_default_params(struct flops_params *p);

#endif
