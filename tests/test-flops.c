/* tests/test-flops.c: every peak kernel built in, one test each, checked lane
 * by lane against the scalar model of its chain; a kernel the CPU lacks is a
 * SKIP with the features it lacks. */
#ifndef EV_KERNELS_ONLY
#include "config.h"
#endif
#include "flops.h"
#include <math.h>

#include "harness.h"

/* One kernel through its own chain model, at several lengths; the check must
 * also catch a wrong lane. A kernel this CPU cannot run is a SKIP. */
static void test_kernel(const struct ev_cpu *cpu, int k)
{
	static const uint64_t iters[] = {0, 1, 3, 17, 100, 5000};
	struct flops_params p;
	char why[256];
	int lanes;
	if (flops_check_supported(k, cpu, why, sizeof why)) {
		T_SKIP("%s: %s", flops_table[k].name, why);
		return;
	}
	lanes = flops_lanes(k); /* after the check: SVE reads its lanes with an SVE instruction */
	flops_default_params(&p);
	for (size_t i = 0; i < sizeof iters / sizeof iters[0]; i++) {
		static double out[FLOPS_NACC * FLOPS_MAX_LANES];
		char msg[256];
		flops_table[k].fn(iters[i], &p, out);
		T_CHECK(flops_check(k, iters[i], &p, out, msg, sizeof msg) == 0, "%s", msg);
		/* a wrong lane, also at FK_FMA_ACC's magnitudes (2^55: an ulp is 8) */
		out[lanes * flops_table[k].nacc - 1] += 1 + fabs(out[lanes * flops_table[k].nacc - 1]) / 1024;
		T_CHECK(flops_check(k, iters[i], &p, out, msg, sizeof msg) != 0,
			"%s: corrupted output passed", flops_table[k].name);
	}
}

static void test_table(void)
{
	struct ev_cpu cpu;
	char why[256];
	cpu_detect(&cpu);
	for (int k = 0; k < flops_count; k++) {
		const struct flops_kernel *f = &flops_table[k];
		double per_lane;
		/* run-time lanes (SVE) are read with the set's own instruction: only
		 * where the CPU has it (qemu -cpu cortex-a53 found this) */
		if (f->vlanes && flops_check_supported(k, &cpu, why, sizeof why)) {
			T_CHECK(f->lanes == 0 && f->nacc >= 1 && f->fn, "%s: table row malformed", f->name);
			continue;
		}
		per_lane = flops_ops_per_step(k) / flops_lanes(k);
		T_CHECK((f->lanes >= 1 && f->lanes <= FLOPS_MAX_LANES && !f->vlanes) ||
				(f->lanes == 0 && f->vlanes),
			"%s: lanes must be a constant or a run-time function", f->name);
		T_CHECK(f->nacc >= 1 && f->nacc <= FLOPS_NACC && f->fn && f->file,
			"%s: table row malformed", f->name);
		/* FMA and mul+add: 2 per lane; bf16 pair dot: 4; int8 quad dot: 8. */
		T_CHECK(per_lane == (f->kind == FK_BF16DOT ? 4 : f->kind == FK_INT8DOT ? 8 : 2),
			"%s: %g ops per lane", f->name, per_lane);
	}
}

/* --isa caps the kernels: AVX-512 VNNI is hidden below its set. */
static void test_cap_vnni(void)
{
	struct ev_cpu cpu;
	char why[256];
	cpu_detect(&cpu);
	if (!cpu_has(&cpu, EV_F(AVX512VNNI))) {
		T_SKIP("no AVX512-VNNI on this CPU");
		return;
	}
	for (int k = 0; k < flops_count; k++)
		if (!strcmp(flops_table[k].name, "int8_avx512_vnni"))
			T_CHECK(!flops_check_supported(k, &cpu, why, sizeof why), "VNNI kernel usable");
	T_CHECK(cpu_cap_target(&cpu, EV_TARGET_AVX512, why, sizeof why) == 0, "cap avx512: %s", why);
	for (int k = 0; k < flops_count; k++)
		if (!strcmp(flops_table[k].name, "int8_avx512_vnni"))
			T_CHECK(flops_check_supported(k, &cpu, why, sizeof why) &&
					strstr(why, "excluded by --isa avx512"),
				"--isa avx512 hides VNNI: %s", why);
}

static void test_uarch_table(void)
{
#ifdef EV_KERNELS_ONLY
	T_SKIP("a kernels-only build (riscv64: Debian 12 has no riscv64 cJSON to read configs)");
#else
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
#endif
}

int main(void)
{
	struct ev_cpu cpu;
	t_prog = "test-flops";
	T_RUN(test_uarch_table);
	T_RUN(test_table);
	cpu_detect(&cpu);
	for (int k = 0; k < flops_count; k++) {
		char name[80];
		snprintf(name, sizeof name, "test_kernel_%s", flops_table[k].name);
		T_RUN_NAMED(name, test_kernel(&cpu, k));
	}
	T_RUN(test_cap_vnni);
	T_DONE();
}
