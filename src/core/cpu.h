/* src/core/cpu.h: CPU identity and ISA features detected at run time (cpuid on x86,
 * HWCAP and MIDR on aarch64), and the ISA levels kernels are built for.
 * Kernels are chosen from these at run time, never by #ifdef alone. */
#ifndef EV_CPU_H
#define EV_CPU_H
#include <stdint.h>

/* Every feature eaves can use. Add one here and in cpu.c's detection. */
#define EV_FEATURES(X)                                                                       \
	X(SSE2, "sse2")                                                                      \
	X(AVX, "avx")                                                                        \
	X(AVX2, "avx2")                                                                      \
	X(FMA, "fma")                                                                        \
	X(F16C, "f16c")                                                                      \
	X(AVX512F, "avx512f")                                                                \
	X(AVX512BW, "avx512bw")                                                              \
	X(AVX512VL, "avx512vl")                                                              \
	X(AVX512DQ, "avx512dq")                                                              \
	X(AVX512VNNI, "avx512_vnni")                                                         \
	X(AVX512BF16, "avx512_bf16")                                                         \
	X(AVX512FP16, "avx512_fp16")                                                         \
	X(AVXVNNI, "avx_vnni")                                                               \
	X(ASIMD, "asimd")                                                                    \
	X(ASIMDHP, "asimdhp")                                                                \
	X(ASIMDDP, "asimddp")                                                                \
	X(I8MM, "i8mm")                                                                      \
	X(BF16, "bf16")                                                                      \
	X(SVE, "sve")                                                                        \
	X(RVV, "rvv")

enum ev_feature {
#define X(id, name) EV_FEAT_##id,
	EV_FEATURES(X)
#undef X
	EV_FEAT__COUNT
};
#define EV_F(id) (1ULL << EV_FEAT_##id)

/* ISA levels, best last within an architecture. A kernel file probes/x-<isa>.c
 * is compiled with that level's flags (Makefile FLAGS_<isa>). */
#define EV_ISAS(X)                                                                           \
	X(GENERIC, "generic", "any", 0)                                                      \
	X(AVX2, "avx2", "x86_64", EV_F(AVX2) | EV_F(FMA) | EV_F(F16C))                       \
	X(AVX512, "avx512", "x86_64",                                                        \
	  EV_F(AVX2) | EV_F(FMA) | EV_F(F16C) | EV_F(AVX512F) | EV_F(AVX512BW) |             \
		  EV_F(AVX512VL) | EV_F(AVX512DQ))                                           \
	X(NEON, "neon", "aarch64", EV_F(ASIMD))                                              \
	X(DOTPROD, "dotprod", "aarch64", EV_F(ASIMD) | EV_F(ASIMDDP) | EV_F(ASIMDHP))

enum ev_isa {
#define X(id, name, arch, req) EV_ISA_##id,
	EV_ISAS(X)
#undef X
	EV_ISA__COUNT
};

struct ev_isa_info {
	const char *name;
	const char *arch;
	uint64_t required;
};
extern const struct ev_isa_info ev_isa_table[EV_ISA__COUNT];

struct ev_cpu {
	char arch[16];        /* "x86_64", "aarch64", "riscv64" */
	char vendor[32];
	char model_name[128];
	int family, model, stepping;   /* x86 */
	int implementer, part;         /* aarch64 MIDR of the fastest kind */
	int nparts;
	int parts[8];                  /* distinct MIDR parts (big.LITTLE) */
	char uarch[32];       /* "zen4", "cortex-a76", "unknown" */
	uint64_t features;
	int isa_max;          /* best ISA level usable here (or forced by --isa) */
};

void cpu_detect(struct ev_cpu *c);
/* Parse a /proc/cpuinfo-style file (under the sysfs root) for aarch64 identity;
 * public for tests on fixture files. Returns 0 if any CPU part was found. */
int cpu_parse_arm_cpuinfo(struct ev_cpu *c, const char *path);
const char *cpu_arm_part_name(int implementer, int part);
int cpu_has(const struct ev_cpu *c, uint64_t mask);
const char *cpu_feature_name(int feat);
/* Find an ISA by name; -1 if unknown. */
int cpu_isa_by_name(const char *name);
/* Is this ISA level usable on this CPU (features present, right arch, built in)? */
int cpu_isa_usable(const struct ev_cpu *c, int isa);
/* Lower the usable level to `isa` (for --isa); error text if it is not usable. */
const char *cpu_force_isa(struct ev_cpu *c, int isa);

#endif
