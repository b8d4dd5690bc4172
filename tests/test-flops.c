/* tests/test-flops.c: every peak kernel this CPU can run, checked lane by lane
 * against the scalar model of its chain; a kernel the CPU lacks is a SKIP. */
#include "config.h"
#include "flops.h"
#include "harness.h"

static void test_kernels(void)
{
	struct ev_cpu cpu;
	static const uint64_t iters[] = {0, 1, 3, 17, 100, 5000};
	int ran = 0;
	cpu_detect(&cpu);
	for (int k = 0; k < flops_count; k++) {
		const char *why = flops_unsupported(k, &cpu);
		struct flops_params p;
		if (why) {
			printf("  %s: skipped: %s\n", flops_table[k].name, why);
			continue;
		}
		flops_default_params(&p);
		for (size_t i = 0; i < sizeof iters / sizeof iters[0]; i++) {
			double out[FLOPS_NACC * FLOPS_MAX_LANES];
			char msg[256];
			flops_table[k].fn(iters[i], &p, out);
			T_CHECK(flops_check(k, iters[i], &p, out, msg, sizeof msg) == 0, "%s", msg);
			/* The check must catch a wrong lane. */
			out[flops_table[k].lanes * flops_table[k].nacc - 1] += 1;
			T_CHECK(flops_check(k, iters[i], &p, out, msg, sizeof msg) != 0,
				"%s: corrupted output passed", flops_table[k].name);
		}
		ran++;
	}
	T_CHECK(ran >= 2, "at least the generic kernels run");
}

static void test_table(void)
{
	for (int k = 0; k < flops_count; k++) {
		const struct flops_kernel *f = &flops_table[k];
		double per_lane = f->ops_per_step / f->lanes;
		T_CHECK(f->lanes >= 1 && f->lanes <= FLOPS_MAX_LANES && f->nacc >= 1 &&
				f->nacc <= FLOPS_NACC && f->fn,
			"%s: table row malformed", f->name);
		/* FMA and mul+add: 2 per lane; bf16 pair dot: 4; int8 quad dot: 8. */
		T_CHECK(per_lane == (f->kind == FK_BF16DOT ? 4 : f->kind == FK_INT8DOT ? 8 : 2),
			"%s: %g ops per lane", f->name, per_lane);
	}
}

static void test_vnni_or_skip(void)
{
	struct ev_cpu cpu;
	cpu_detect(&cpu);
	if (!cpu_has(&cpu, EV_F(AVX512VNNI))) {
		T_SKIP("no AVX512-VNNI on this CPU");
		return;
	}
	for (int k = 0; k < flops_count; k++)
		if (!strcmp(flops_table[k].name, "int8_avx512_vnni"))
			T_CHECK(flops_unsupported(k, &cpu) == NULL, "VNNI kernel usable");
	T_CHECK(cpu_force_isa(&cpu, EV_ISA_AVX2) == NULL, "force avx2");
	for (int k = 0; k < flops_count; k++)
		if (!strcmp(flops_table[k].name, "int8_avx512_vnni"))
			T_CHECK(flops_unsupported(k, &cpu) != NULL, "--isa avx2 hides VNNI");
}

static void test_fp16_or_skip(void)
{
	struct ev_cpu cpu;
	cpu_detect(&cpu);
	if (!cpu_has(&cpu, EV_F(AVX512FP16) | EV_F(AVX512F))) {
		T_SKIP("no AVX512-FP16 on this CPU (native FP16 arithmetic)");
		return;
	}
}

static void test_uarch_table(void)
{
	struct ev_uarch u;
	struct ev_err e = {0};
	int found = 0;
	T_CHECK(uarch_lookup(t_src("configs/uarch.json"), "zen4", &u, &found, &e) == 0 && found &&
			u.ops_per_cycle[EV_PREC_FP32] == 32 && u.ops_per_cycle[EV_PREC_FP16] < 0,
		"zen4: %s", e.msg);
	T_CHECK(uarch_lookup(t_src("configs/uarch.json"), "cortex-a76", &u, &found, &e) == 0 && found &&
			u.ops_per_cycle[EV_PREC_FP32] == 16 && u.ops_per_cycle[EV_PREC_INT8] == 64,
		"cortex-a76");
	T_CHECK(uarch_lookup(t_src("configs/uarch.json"), "no-such-core", &u, &found, &e) == 0 && !found,
		"unknown core is not an error");
	T_CHECK(uarch_lookup(t_src("tests/fixtures/uarch/bad-value.json"), "good", &u, &found, &e) ==
				EV_ERR_USAGE &&
			strstr(e.msg, "uarchs[1] (broken): field 'fp32'"),
		"%s", e.msg);
	T_CHECK(uarch_lookup(t_src("tests/fixtures/uarch/missing-prec.json"), "short", &u, &found, &e) ==
				EV_ERR_USAGE &&
			strstr(e.msg, "field 'int8': missing"),
		"%s", e.msg);
	T_CHECK(uarch_lookup(t_src("tests/fixtures/uarch/unknown-prec.json"), "extra", &u, &found, &e) ==
				EV_ERR_USAGE &&
			strstr(e.msg, "'fp4': unknown precision"),
		"%s", e.msg);
}

int main(void)
{
	t_prog = "test-flops";
	T_RUN(test_uarch_table);
	T_RUN(test_table);
	T_RUN(test_kernels);
	T_RUN(test_vnni_or_skip);
	T_RUN(test_fp16_or_skip);
	T_DONE();
}
