/* tests/test-dispatch.c: kernels are gated by the exact feature sets they use.
 * 1. Every kernel of every table (bw, flops, dot, attention) lives in a file
 *    whose compile flags enabled no feature outside the set the kernel is
 *    dispatched on (the compiler's own predefined macros, recorded in the
 *    file's struct ev_kernel_file), and the file's name declares that set.
 *    This is what keeps a flag added to a build from emitting an instruction
 *    the dispatcher does not check for (SIGILL on a CPU without it).
 * 2. Sets are not ordered: CPUs described feature by feature (AVX-VNNI without
 *    AVX-512, AVX-512 without VNNI, SVE without dotprod) get exactly the
 *    kernels their features allow, and --isa caps them. */
#include <string.h>

#include "bw.h"
#include "cpu.h"
#include "flops.h"
#include "harness.h"
#include "quant.h"

static void check_file(const char *kernel, int target, const struct ev_kernel_file *f)
{
	uint64_t allowed, extra, missing;
	char a[256], b[256];
	T_CHECK(f != NULL, "%s: no kernel file recorded", kernel);
	if (!f)
		return;
	T_CHECK(cpu_target_by_name(f->set) == target, "%s: declared set %s, but its file %s is built as %s",
		kernel, ev_targets[target].name, f->path, f->set);
	allowed = ev_targets[target].features | EV_BASELINE;
	extra = f->compiled & ~allowed;
	T_CHECK(extra == 0, "%s (%s): its flags enable %s, outside its set %s", kernel, f->path,
		cpu_feature_list(extra, a, sizeof a), ev_targets[target].name);
	missing = ev_targets[target].features & ~f->compiled;
	T_CHECK(missing == 0, "%s (%s): built without %s although its set %s needs them", kernel,
		f->path, cpu_feature_list(missing, b, sizeof b), ev_targets[target].name);
}

static void test_kernel_files(void)
{
	int n, checked = 0;
	const struct bw_kernel_set *const *bs = bw_all_sets(&n);
	for (int i = 0; i < n; i++, checked++)
		check_file(ev_targets[bs[i]->target].name, bs[i]->target, bs[i]->file);
	for (int k = 0; k < flops_count; k++, checked++)
		check_file(flops_table[k].name, flops_table[k].target, flops_table[k].file);
	{
		const struct ev_dot_impl *d = ev_dot_all(&n);
		for (int i = 0; i < n; i++, checked++)
			check_file(d[i].name, d[i].target, d[i].file);
	}
	{
		const struct ev_attn_impl *a = ev_attn_all(&n);
		for (int i = 0; i < n; i++, checked++)
			check_file(a[i].name, a[i].target, a[i].file);
	}
	printf("  %d kernels checked against their files' compile flags\n", checked);
	T_CHECK(checked >= 10, "the tables are not empty");
}

/* A CPU described by hand: architecture and features. */
static struct ev_cpu fake(const char *arch, uint64_t features)
{
	struct ev_cpu c;
	memset(&c, 0, sizeof c);
	snprintf(c.arch, sizeof c.arch, "%s", arch);
	c.features = features;
	c.cap = ~0ULL;
	c.cap_set = -1;
	return c;
}

static void test_unordered_sets(void)
{
	struct ev_cpu alder = fake("x86_64", EV_F(SSE2) | EV_SET_AVX2_ | EV_F(AVXVNNI));
	struct ev_cpu skx = fake("x86_64", EV_F(SSE2) | EV_SET_AVX512_);
	struct ev_cpu sve = fake("aarch64", EV_F(ASIMD) | EV_F(ASIMDHP) | EV_F(SVE));
	char why[256];
	T_CHECK(cpu_target_usable(&alder, EV_TARGET_AVXVNNI), "AVX-VNNI without AVX-512");
	T_CHECK(!cpu_target_usable(&alder, EV_TARGET_AVX512), "no AVX-512 on Alder Lake");
	T_CHECK(cpu_target_usable(&skx, EV_TARGET_AVX512), "Skylake-X has AVX-512");
	T_CHECK(cpu_target_check(&skx, EV_TARGET_AVX512VNNI, why, sizeof why) &&
			strstr(why, "lacks avx512_vnni"),
		"Skylake-X has no VNNI: %s", why);
	T_CHECK(cpu_target_check(&skx, EV_TARGET_AVX512BF16, why, sizeof why) &&
			strstr(why, "lacks avx512_bf16"),
		"Skylake-X has no BF16: %s", why);
	T_CHECK(cpu_target_usable(&sve, EV_TARGET_SVE), "SVE without dotprod");
	T_CHECK(!cpu_target_usable(&sve, EV_TARGET_DOTPROD), "no dotprod");
	T_CHECK(cpu_target_check(&sve, EV_TARGET_AVX2, why, sizeof why) && strstr(why, "x86_64"),
		"x86 kernels refused on aarch64: %s", why);
	T_CHECK(cpu_target_usable(&sve, EV_TARGET_GENERIC), "generic runs anywhere");
}

/* The picks on hand-described CPUs: what would run there (x86 builds only:
 * other architectures' kernels are not linked into this binary). */
static void test_picks(void)
{
#if defined(__x86_64__)
	struct ev_cpu zen3 = fake("x86_64", EV_F(SSE2) | EV_SET_AVX2_);
	struct ev_cpu skx = fake("x86_64", EV_F(SSE2) | EV_SET_AVX512_);
	struct ev_cpu icx = fake("x86_64", EV_F(SSE2) | EV_SET_AVX512_ | EV_F(AVX512VNNI));
	char why[256];
	int nbf16 = 0;
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &zen3)->name, "q4_0x4 avx2"), "zen3 q4_0");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &skx)->name, "q4_0x4 avx2"),
		"Skylake-X: no VNNI kernel (%s)", ev_dot_pick(EV_TYPE_Q4_0, &skx)->name);
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_F16, &skx)->name, "f16 avx512"), "Skylake-X f16");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &icx)->name, "q4_0x4 avx512-vnni"), "Ice Lake q4_0");
	T_CHECK(bw_pick_set(&skx)->target == EV_TARGET_AVX512, "Skylake-X bw");
	T_CHECK(ev_attn_pick(&zen3)->target == EV_TARGET_AVX2, "zen3 attention");
	for (int k = 0; k < flops_count; k++)
		if (flops_table[k].prec == EV_PREC_BF16)
			nbf16 += !flops_check_supported(k, &icx, why, sizeof why);
	T_CHECK(nbf16 == 0, "Ice Lake has no BF16 kernel");
	/* --isa caps: avx2 on an Ice Lake gives the AVX2 kernels everywhere. */
	T_CHECK(cpu_cap_target(&icx, EV_TARGET_AVX2, why, sizeof why) == 0, "%s", why);
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &icx)->name, "q4_0x4 avx2") &&
			bw_pick_set(&icx)->target == EV_TARGET_AVX2 &&
			ev_attn_pick(&icx)->target == EV_TARGET_AVX2,
		"--isa avx2 caps every pick");
	T_CHECK(cpu_cap_target(&zen3, EV_TARGET_AVX512, why, sizeof why) != 0 &&
			strstr(why, "lacks avx512f"),
		"a cap the CPU lacks is refused: %s", why);
#elif defined(__aarch64__)
	struct ev_cpu a53 = fake("aarch64", EV_F(ASIMD));
	struct ev_cpu a55 = fake("aarch64", EV_F(ASIMD) | EV_F(ASIMDHP) | EV_F(ASIMDDP));
	struct ev_cpu a76 = a55, unknown = a55;
	struct ev_cpu sve_nodp = fake("aarch64", EV_F(ASIMD) | EV_F(ASIMDHP) | EV_F(SVE));
	struct ev_cpu n2 = fake("aarch64", EV_F(ASIMD) | EV_F(ASIMDHP) | EV_F(ASIMDDP) | EV_F(I8MM) |
						   EV_F(BF16) | EV_F(SVE));
	char why[256];
	a55.implementer = a76.implementer = 0x41;
	a55.part = 0xd05;
	a76.part = 0xd0b;
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &a53)->name, "q4_0x4 neon"), "A53 q4_0: widening multiplies, 4 rows");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q8_0, &a53)->name, "q8_0x4 neon"), "A53 q8_0");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_F16, &a53)->name, "f16 neon"), "A53 f16");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &a55)->name, "q4_0x4i neon-dotprod"), "A55 q4_0: 4 rows interleaved");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_K, &a55)->name, "q4_Kx4i neon-dotprod") &&
			!strcmp(ev_dot_pick(EV_TYPE_Q4_K, &a53)->name, "q4_K neon"),
		"q4_K: 4 rows interleaved with sdot, two rows without");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q6_K, &a76)->name, "q6_Kx4i neon-dotprod") &&
			!strcmp(ev_dot_pick(EV_TYPE_Q6_K, &a53)->name, "q6_K neon"),
		"q6_K: 4 rows interleaved with sdot, two rows without");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q5_K, &a76)->name, "q5_Kx4i neon-dotprod"), "q5_K with sdot");
	/* the in-order A55 gets the k-quant kernels scheduled for it; an A76 or
	 * a core eaves does not know, the out-of-order ones (same layouts) */
	T_CHECK(cpu_in_order(&a55) && !cpu_in_order(&a76) && !cpu_in_order(&unknown), "in-order parts");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q5_K, &a55)->name, "q5_Kx4i neon-dotprod in-order") &&
			!strcmp(ev_dot_pick(EV_TYPE_Q6_K, &a55)->name, "q6_Kx4i neon-dotprod in-order") &&
			!strcmp(ev_dot_pick(EV_TYPE_Q4_K, &a55)->name, "q4_Kx4i neon-dotprod"),
		"A55 k-quants: %s, %s", ev_dot_pick(EV_TYPE_Q5_K, &a55)->name,
		ev_dot_pick(EV_TYPE_Q6_K, &a55)->name);
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q5_K, &unknown)->name, "q5_Kx4i neon-dotprod") &&
			ev_dot_pick(EV_TYPE_Q5_K, &a55)->repack4 == ev_dot_pick(EV_TYPE_Q5_K, &a76)->repack4,
		"an unknown core: out-of-order; one layout for both");
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &sve_nodp)->name, "q4_0x4 neon"),
		"SVE without dotprod gets no sdot kernel");
	for (int k = 0; k < flops_count; k++)
		if (flops_table[k].target == EV_TARGET_SVE)
			T_CHECK(flops_check_supported(k, &a55, why, sizeof why) && strstr(why, "lacks sve"),
				"%s on an A55: %s", flops_table[k].name, why);
	/* Neoverse N2 / Cortex-A710: i8mm wins for q4_0 and q8_0 (smmla, prefill's
	 * GEMM); --isa dotprod takes it away again. */
	T_CHECK(!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &n2)->name, "q4_0x4i neon-dotprod/i8mm") &&
			!strcmp(ev_dot_pick(EV_TYPE_Q8_0, &n2)->name, "q8_0x4 neon-dotprod/i8mm"),
		"N2 q4_0: %s", ev_dot_pick(EV_TYPE_Q4_0, &n2)->name);
	T_CHECK(cpu_cap_target(&n2, EV_TARGET_DOTPROD, why, sizeof why) == 0 &&
			!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &n2)->name, "q4_0x4i neon-dotprod"),
		"--isa dotprod hides i8mm");
	T_CHECK(cpu_cap_target(&a55, EV_TARGET_NEON, why, sizeof why) == 0 &&
			!strcmp(ev_dot_pick(EV_TYPE_Q4_0, &a55)->name, "q4_0x4 neon"),
		"--isa neon hides dotprod");
#else
	T_SKIP("no hand-described CPUs for this architecture");
#endif
}

/* What detection found on this machine is consistent with itself. */
static void test_this_cpu(void)
{
	struct ev_cpu c;
	char list[512];
	cpu_detect(&c);
	printf("  %s: %s\n", c.arch, cpu_feature_list(c.features, list, sizeof list));
	T_CHECK((c.features & EV_BASELINE) == EV_BASELINE, "baseline features present");
	T_CHECK(c.cap == ~0ULL && c.cap_set == -1, "no cap until --isa");
	if (cpu_has(&c, EV_F(AVX512F)))
		T_CHECK(cpu_has(&c, EV_F(AVX2)), "AVX-512 CPUs report AVX2");
}

int main(void)
{
	t_prog = "test-dispatch";
	T_RUN(test_kernel_files);
	T_RUN(test_unordered_sets);
	T_RUN(test_picks);
	T_RUN(test_this_cpu);
	T_DONE();
}
