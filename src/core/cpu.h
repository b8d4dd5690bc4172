/* src/core/cpu.h: CPU identity and ISA features detected at run time (cpuid on x86,
 * HWCAP and MIDR on aarch64, HWCAP on riscv64), and the feature sets kernels
 * are built for.
 * Kernels are chosen from these at run time, never by #ifdef alone. */
#ifndef EV_CPU_H
#define EV_CPU_H
#include <stddef.h>
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

/* Feature sets. A kernel file probes/<family>-<set>.c is compiled with exactly
 * that set's flags (Makefile FLAGS_<set>) and runs only where the CPU has every
 * feature of the set. Sets are not ordered: real CPUs have SVE without dotprod,
 * AVX-VNNI without AVX-512. Name, architecture, features. */
#define EV_SET_AVX2_ (EV_F(AVX) | EV_F(AVX2) | EV_F(FMA) | EV_F(F16C))
#define EV_SET_AVX512_                                                                       \
	(EV_SET_AVX2_ | EV_F(AVX512F) | EV_F(AVX512BW) | EV_F(AVX512VL) | EV_F(AVX512DQ))
#define EV_TARGETS(X)                                                                        \
	X(GENERIC, "generic", "any", 0)                                                      \
	X(AVX2, "avx2", "x86_64", EV_SET_AVX2_)                                              \
	X(AVXVNNI, "avxvnni", "x86_64", EV_SET_AVX2_ | EV_F(AVXVNNI))                        \
	X(AVX512, "avx512", "x86_64", EV_SET_AVX512_)                                        \
	X(AVX512VNNI, "avx512vnni", "x86_64", EV_SET_AVX512_ | EV_F(AVX512VNNI))             \
	X(AVX512BF16, "avx512bf16", "x86_64", EV_SET_AVX512_ | EV_F(AVX512BF16))             \
	X(AVX512FP16, "avx512fp16", "x86_64", EV_SET_AVX512_ | EV_F(AVX512FP16))             \
	X(NEON, "neon", "aarch64", EV_F(ASIMD))                                              \
	X(FP16, "fp16", "aarch64", EV_F(ASIMD) | EV_F(ASIMDHP))                              \
	X(DOTPROD, "dotprod", "aarch64", EV_F(ASIMD) | EV_F(ASIMDDP))                        \
	X(I8MM, "i8mm", "aarch64", EV_F(ASIMD) | EV_F(ASIMDDP) | EV_F(I8MM))                 \
	X(SVE, "sve", "aarch64", EV_F(ASIMD) | EV_F(ASIMDHP) | EV_F(SVE)) /* SVE implies FP16 */ \
	X(RVV, "rvv", "riscv64", EV_F(RVV))

enum ev_target {
#define X(id, name, arch, feats) EV_TARGET_##id,
	EV_TARGETS(X)
#undef X
	EV_TARGET__COUNT
};

struct ev_target_info {
	const char *name;
	const char *arch;
	uint64_t features;
};
extern const struct ev_target_info ev_targets[EV_TARGET__COUNT];

/* Features every CPU of the architecture eaves runs on has (x86-64: SSE2;
 * aarch64 Linux: ASIMD): a compiler may always use them. */
#if defined(__x86_64__)
#define EV_BASELINE EV_F(SSE2)
#elif defined(__aarch64__)
#define EV_BASELINE EV_F(ASIMD)
#else
#define EV_BASELINE 0ULL
#endif

/* Where a kernel's code lives: each kernel file defines one of these with
 * EV_KERNEL_FILE (probes/kernel-file.h), recording the feature set its name
 * declares and the features its compile flags enabled (from the compiler's
 * predefined macros), so a test can prove that no file may emit an
 * instruction outside the set its kernels are dispatched on. */
struct ev_kernel_file {
	const char *path;
	const char *set;      /* the set named by the file's suffix ("generic" for none) */
	uint64_t compiled;    /* features the compiler was allowed to use */
};

struct ev_cpu {
	char arch[16];        /* "x86_64", "aarch64", "riscv64" */
	char vendor[32];
	char model_name[128];
	int family, model, stepping;   /* x86 */
	int implementer, part;         /* aarch64 MIDR of the fastest kind */
	int nparts;
	int parts[8];                  /* distinct MIDR parts (big.LITTLE) */
	char uarch[32];       /* "zen4", "cortex-a76", "unknown" */
	uint64_t features;    /* detected */
	uint64_t cap;         /* features kernels may use: all, or a --isa set's */
	int cap_set;          /* the --isa set, or -1 for none */
};

void cpu_detect(struct ev_cpu *c);
/* Parse a /proc/cpuinfo-style file (under the sysfs root) for aarch64 identity;
 * public for tests on fixture files. Returns 0 if any CPU part was found. */
int cpu_parse_arm_cpuinfo(struct ev_cpu *c, const char *path);
const char *cpu_arm_part_name(int implementer, int part);
/* 1 if the core kind eaves runs on (part: the fastest kind) issues in order
 * (Arm Cortex-A53, A35, A55, A510, A520): kernels scheduled for it differ. */
int cpu_in_order(const struct ev_cpu *c);
/* Microarchitecture from cpuid's vendor, family and model ("unknown" if not
 * in eaves' table); public for tests. */
const char *cpu_x86_uarch(const char *vendor, int family, int model);
int cpu_has(const struct ev_cpu *c, uint64_t mask);
const char *cpu_feature_name(int feat);
/* Find a feature set by name; -1 if unknown. */
int cpu_target_by_name(const char *name);
/* 0 if kernels of set t may run here (architecture, detected features, and the
 * --isa cap); else -1 and why (missing features, or the cap) in buf. */
int cpu_target_check(const struct ev_cpu *c, int t, char *why, size_t len);
static inline int cpu_target_usable(const struct ev_cpu *c, int t)
{
	return cpu_target_check(c, t, NULL, 0) == 0;
}
/* Cap kernels at set t (--isa): 0, or -1 and why in buf if t is not usable. */
int cpu_cap_target(struct ev_cpu *c, int t, char *why, size_t len);
/* Names of the features in mask, space separated, into buf. */
const char *cpu_feature_list(uint64_t mask, char *buf, size_t len);

#endif
