/* probes/kernel-file.h: EV_KERNEL_FILE(sym) defines the struct ev_kernel_file of
 * the file it is used in: its path, the feature set its name declares (the
 * Makefile passes -DEV_FILE_SET="<set>" with that set's flags) and the features
 * the compiler was allowed to use there, read from the compiler's own
 * predefined macros. Kernel tables point at it; tests/test-dispatch.c checks
 * that compiled features never exceed the declared set, so a flag added to a
 * file's build cannot emit an instruction the dispatcher does not check for. */
#ifndef EV_KERNEL_FILE_H
#define EV_KERNEL_FILE_H
#include "cpu.h"
#include "mca.h"

#ifndef EV_FILE_SET
#define EV_FILE_SET "generic"
#endif

#if defined(__SSE2__)
#define EVC_SSE2 EV_F(SSE2)
#else
#define EVC_SSE2 0
#endif
#if defined(__AVX__)
#define EVC_AVX EV_F(AVX)
#else
#define EVC_AVX 0
#endif
#if defined(__AVX2__)
#define EVC_AVX2 EV_F(AVX2)
#else
#define EVC_AVX2 0
#endif
#if defined(__FMA__)
#define EVC_FMA EV_F(FMA)
#else
#define EVC_FMA 0
#endif
#if defined(__F16C__)
#define EVC_F16C EV_F(F16C)
#else
#define EVC_F16C 0
#endif
#if defined(__AVX512F__)
#define EVC_AVX512F EV_F(AVX512F)
#else
#define EVC_AVX512F 0
#endif
#if defined(__AVX512BW__)
#define EVC_AVX512BW EV_F(AVX512BW)
#else
#define EVC_AVX512BW 0
#endif
#if defined(__AVX512VL__)
#define EVC_AVX512VL EV_F(AVX512VL)
#else
#define EVC_AVX512VL 0
#endif
#if defined(__AVX512DQ__)
#define EVC_AVX512DQ EV_F(AVX512DQ)
#else
#define EVC_AVX512DQ 0
#endif
#if defined(__AVX512VNNI__)
#define EVC_AVX512VNNI EV_F(AVX512VNNI)
#else
#define EVC_AVX512VNNI 0
#endif
#if defined(__AVX512BF16__)
#define EVC_AVX512BF16 EV_F(AVX512BF16)
#else
#define EVC_AVX512BF16 0
#endif
#if defined(__AVX512FP16__)
#define EVC_AVX512FP16 EV_F(AVX512FP16)
#else
#define EVC_AVX512FP16 0
#endif
#if defined(__AVXVNNI__)
#define EVC_AVXVNNI EV_F(AVXVNNI)
#else
#define EVC_AVXVNNI 0
#endif
#if defined(__ARM_NEON)
#define EVC_ASIMD EV_F(ASIMD)
#else
#define EVC_ASIMD 0
#endif
#if defined(__ARM_FEATURE_FP16_VECTOR_ARITHMETIC)
#define EVC_ASIMDHP EV_F(ASIMDHP)
#else
#define EVC_ASIMDHP 0
#endif
#if defined(__ARM_FEATURE_DOTPROD)
#define EVC_ASIMDDP EV_F(ASIMDDP)
#else
#define EVC_ASIMDDP 0
#endif
#if defined(__ARM_FEATURE_MATMUL_INT8)
#define EVC_I8MM EV_F(I8MM)
#else
#define EVC_I8MM 0
#endif
#if defined(__ARM_FEATURE_BF16) || defined(__ARM_FEATURE_BF16_VECTOR_ARITHMETIC)
#define EVC_BF16 EV_F(BF16)
#else
#define EVC_BF16 0
#endif
#if defined(__ARM_FEATURE_SVE)
#define EVC_SVE EV_F(SVE)
#else
#define EVC_SVE 0
#endif
#if defined(__riscv_vector)
#define EVC_RVV EV_F(RVV)
#else
#define EVC_RVV 0
#endif

/* Every feature of EV_FEATURES must appear here: a feature the compiler can
 * enable but this mask ignores would hide the very mistake the check is for. */
#define EV_COMPILED_FEATURES                                                                 \
	(EVC_SSE2 | EVC_AVX | EVC_AVX2 | EVC_FMA | EVC_F16C | EVC_AVX512F | EVC_AVX512BW |   \
	 EVC_AVX512VL | EVC_AVX512DQ | EVC_AVX512VNNI | EVC_AVX512BF16 | EVC_AVX512FP16 |    \
	 EVC_AVXVNNI | EVC_ASIMD | EVC_ASIMDHP | EVC_ASIMDDP | EVC_I8MM | EVC_BF16 | EVC_SVE | \
	 EVC_RVV)
_Static_assert(EV_FEAT__COUNT == 20, "a feature was added to EV_FEATURES: add its macro here");

#define EV_KERNEL_FILE(sym)                                                                  \
	const struct ev_kernel_file sym = {                                                  \
		.path = __FILE__, .set = EV_FILE_SET, .compiled = EV_COMPILED_FEATURES}

#endif
