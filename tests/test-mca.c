/* tests/test-mca.c: `make mca` end to end where its tools are installed
 * (llvm-mca-16, the aarch64 cross compiler, jq): the markers of the decode
 * loops survive compilation, every loop gets cycles on the core models, and
 * the boards table has its rows. A model, so only its shape is checked, and
 * issue 11's targets for the loops eaves picks on the A53, A55, A72 and A76
 * models (the A55 and A76 ones for every format, from the picks table), and that every kernel loop is straight-line code.
 * A skip elsewhere. Native suite only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static char *mca_out; /* scripts/mca.sh's output, for test_mca_rvv */

static double cell(const char *out, const char *row, int col)
{
	const char *p = strstr(out, row);
	for (int i = 0; p && i < col; i++)
		p = strchr(p + 1, '|');
	return p ? atof(p + 1) : -1;
}

static void test_mca(void)
{
	const char *bin = getenv("EAVES_BIN"), *run = getenv("EAVES_RUN");
	char cmd[1024], *out;
	FILE *f;
	size_t n = 0, cap = 1 << 16;
	if (!bin || (run && *run) || strstr(bin, "build-san") || strstr(bin, "aarch64")) {
		T_SKIP("runs once, in the native suite");
		return;
	}
	if (system("command -v llvm-mca-16 >/dev/null && command -v aarch64-linux-gnu-gcc >/dev/null && "
		   "command -v jq >/dev/null")) {
		T_SKIP("llvm-mca-16, aarch64-linux-gnu-gcc or jq is not installed (make mca installs them)");
		return;
	}
	snprintf(cmd, sizeof cmd, "cd %s && MCA_ITER=30 sh scripts/mca.sh 2>&1", t_src("."));
	out = calloc(1, cap);
	f = popen(cmd, "r");
	if (f && out) {
		size_t k;
		while ((k = fread(out + n, 1, cap - n - 1, f)) > 0)
			n += k;
	}
	T_CHECK(f && pclose(f) == 0 && out, "scripts/mca.sh ran");
	if (!out)
		return;
	/* columns: 1 loop, 2 a53, 3 a55, 4 a57, 5 a72, 6 a76 */
	T_CHECK(strstr(out, "| q4_0x4i-dotprod (144 B) | n/a |"), "no dotprod on the A53 model:\n%s", out);
	{
		/* 8 blocks per iteration (two of each of 4 rows): issue 11's targets, >= 2 B of
		 * weights per cycle on the A55 model and >= 4 on the A76 */
		double a55 = cell(out, "| q4_0x4i-dotprod (144 B) |", 2), a76 = cell(out, "| q4_0x4i-dotprod (144 B) |", 5);
		T_CHECK(a55 > 0 && 144 / a55 >= 2, "A55 q4_0x4i dotprod: %g cycles per 8 blocks", a55);
		T_CHECK(a76 > 0 && 144 / a76 >= 4, "A76 q4_0x4i dotprod: %g cycles per 8 blocks", a76);
		/* base NEON (no sdot): at least the Pi Zero 2's and Pi 4's DRAM share per core */
		double a53 = cell(out, "| q4_0x4-neon (144 B) |", 1), a72 = cell(out, "| q4_0x4-neon (144 B) |", 4);
		T_CHECK(a53 > 0 && 144 / a53 >= 0.9 && a72 > 0 && 144 / a72 >= 2.2,
			"q4_0x4 neon: %g cycles on the A53 model, %g on the A72", a53, a72);
	}
	T_CHECK(strstr(out, "| f16-neon (64 B) |") && strstr(out, "| q8_0-generic (34 B) |"), "every loop");
	/* prefill: columns 1 a53 .. 5 a76, 6 a78, 7 a710, 8 n2; i8mm only where the core has it,
	 * and there ahead of sdot (issue 11's target) */
	{
		double dp = cell(out, "| q4_0x4i-gemm-dotprod-t4 (512) |", 8),
		       mm = cell(out, "| q4_0x4i-gemm-i8mm-t4 (512) |", 8);
		T_CHECK(strstr(out, "| q4_0x4i-gemm-i8mm-t4 (512) | n/a |") && dp > 0 && mm > 0 && mm < dp,
			"N2 model: smmla %g vs sdot %g cycles per 4 tokens x 4 rows:\n%s", mm, dp, out);
	}
	/* the k-quants: 2 super-blocks (2 rows) per iteration; base NEON on the A53 */
	/* every kernel's loop body is straight-line code (an inner loop or a call would be
	 * scheduled once: a lower bound); only the scalar references may keep one */
	{
		const char *l = strstr(out, "Such loops: ");
		char line[512] = "";
		if (l)
			snprintf(line, sizeof line, "%.*s", (int)strcspn(l, "\n"), l);
		T_CHECK(!strstr(line, "-dotprod") && !strstr(line, "-neon") && !strstr(line, "-fp16"),
			"a kernel loop with a branch or call inside: %s", line);
	}
	{
		/* q4_K with sdot: 4 rows interleaved, a super-block of each per iteration;
		 * >= 4 B/cycle on the A76 model (issue 11) */
		double a76 = cell(out, "| q4_Kx4i-dotprod (576 B) |", 5);
		double q6 = cell(out, "| q6_Kx4i-dotprod (840 B) |", 5);
		double q5 = cell(out, "| q5_Kx4i-dotprod (704 B) |", 5);
		T_CHECK(a76 > 0 && 576 / a76 >= 4, "A76 q4_Kx4i: %g cycles per 4 super-blocks", a76);
		T_CHECK(q6 > 0 && 840 / q6 >= 4, "A76 q6_Kx4i: %g cycles per 4 super-blocks", q6);
		/* the fifth bits reordered at load (sli/sri, no bit-selects) */
		T_CHECK(q5 > 0 && 704 / q5 >= 4, "A76 q5_Kx4i: %g cycles per 4 super-blocks", q5);
	}
	{
		/* issue 11 on the A55 model (the in-order little core of RK3566/RK3588
		 * boards and phones): every format eaves picks there >= 2 B/cycle, from
		 * the picks table (q5_K and q6_K: the kernels scheduled for in-order
		 * cores, picked by cpu_in_order); on the A76 model >= 4 */
		static const char *const fmts[] = {"| q4_0 |", "| q8_0 |", "| f16 |",
						   "| q4_K |", "| q5_K |", "| q6_K |"};
		const char *picks = strstr(out, "### The loop eaves runs per format and core");
		T_CHECK(picks != NULL, "the picks table");
		for (size_t i = 0; picks && i < sizeof fmts / sizeof fmts[0]; i++) {
			double a55 = cell(picks, fmts[i], 2), a76 = cell(picks, fmts[i], 5);
			T_CHECK(a55 >= 2 && a76 >= 4, "%s A55 model %g, A76 model %g B/cycle", fmts[i], a55, a76);
		}
		T_CHECK(picks && strstr(picks, "(q5_Kx4i-io-dotprod)") && strstr(picks, "(q6_Kx4i-io-dotprod)"),
			"the in-order kernels on the A55");
	}
	{
		/* base NEON on the Pi Zero 2 W's A53 (1 GHz, 0.90 GB/s of DRAM per core): q8_0 on
		 * the 4-row layout and q4_K at or above that share */
		double q8 = cell(out, "| q8_0x4-neon (272 B) |", 1), q4k = cell(out, "| q4_K-neon (288 B) |", 1);
		double q6k = cell(out, "| q6_K-neon (420 B) |", 1);
		T_CHECK(q8 > 0 && 272 / q8 >= 2, "A53 q8_0x4 neon: %g cycles per 2 blocks of 4 rows", q8);
		T_CHECK(q4k > 0 && 288 / q4k >= 0.9, "A53 q4_K neon: %g cycles per 2 super-blocks", q4k);
		/* q6_K unsigned with sri/sli and its scales as vectors (kquant-neon.h) */
		T_CHECK(q6k > 0 && 420 / q6k >= 0.9, "A53 q6_K neon: %g cycles per 2 super-blocks", q6k);
	}
	T_CHECK(strstr(out, "| bw-read (128 B) |") && strstr(out, "| bw-triad (96 B) |") &&
			strstr(out, "| bw GB/s | verdict |"),
		"the bandwidth loops and their board column");
	T_CHECK(strstr(out, "| q4_K-dotprod (288 B) | n/a |") && strstr(out, "| q6_K-dotprod (420 B) |") &&
			strstr(out, "| q5_K-neon (352 B) |"),
		"k-quant loops:\n%s", out);
	{
		double a53 = cell(out, "| q4_K-neon (288 B) |", 1), a76 = cell(out, "| q4_K-dotprod (288 B) |", 5);
		T_CHECK(a53 > 50 && a53 < 1000, "A53 q4_K neon: %g cycles per 2 super-blocks", a53);
		T_CHECK(a76 > 10 && a76 < 200, "A76 q4_K dotprod: %g cycles per 2 super-blocks", a76);
	}
	/* fp16 arithmetic for f16 weights: issue 11's >= 4 B of weights per cycle on the A76
	 * model (256 B per iteration) and >= 2 on the A55 */
	{
		double a55 = cell(out, "| f16-fp16 (256 B) |", 2), a76 = cell(out, "| f16-fp16 (256 B) |", 5);
		T_CHECK(a76 > 0 && 256 / a76 >= 4 && a55 > 0 && 256 / a55 >= 2,
			"f16-fp16: %g B/cycle on the A76 model, %g on the A55", a76 > 0 ? 256 / a76 : 0,
			a55 > 0 ? 256 / a55 : 0);
	}
	/* the FMA peak loops need no register copy (FK_FMA_ACC): on the A710/N2/V1 model
	 * (column 7) 2 fmla per cycle, configs/uarch.json's 16 FP32 ops per cycle */
	{
		double fp32 = cell(out, "| flops_fp32_neon_fma (96) |", 7);
		T_CHECK(fp32 >= 14.4 && strstr(out, "uarch.json against the models:"),
			"A710 model: fp32 fmla loop %g ops per cycle:\n%s", fp32, out);
	}
	T_CHECK(strstr(out, "| rpi5 | cortex-a76 | 2.4 |") && strstr(out, "| rpizero2w | cortex-a53 |"),
		"the boards table");
	mca_out = out;
}

/* The RISC-V section (LLVM 19's models; its own tools): the RVV decode loops
 * have no reduction per block (the X280 model's vwredsum costs 41-49 cycles
 * of issue), every RVV loop is straight-line, the VisionFive 2 has its row. */
static void test_mca_rvv(void)
{
	const char *sec = mca_out ? strstr(mca_out, "### RISC-V loops") : NULL;
	if (!mca_out) {
		T_SKIP("scripts/mca.sh did not run here (test_mca says why)");
		return;
	}
	T_CHECK(sec != NULL, "a RISC-V section");
	if (!sec)
		return;
	if (strstr(sec, "skipped: ")) {
		T_SKIP("%.*s", (int)strcspn(strstr(sec, "skipped: "), "\n"), strstr(sec, "skipped: "));
		return;
	}
	{
		/* columns: 1 x280 (VLEN 512), 2 p670 (VLEN 128), 3 u74; the bold cell is the
		 * instance the core runs: "**cycles / rate**" */
		const char *r512 = strstr(sec, "| q8_0-rvv-512 (136 B) |"), *r128 = strstr(sec, "| q8_0-rvv (68 B) |");
		double x280 = r512 ? atof(strchr(r512 + 2, '|') + 4) : -1;
		double p670 = r128 ? atof(strchr(strchr(r128 + 2, '|') + 1, '|') + 4) : -1;
		T_CHECK(x280 > 0 && 136 / x280 >= 0.5, "X280 q8_0 (VLEN 512 instance): %g cycles per 4 blocks", x280);
		T_CHECK(p670 > 0 && 68 / p670 >= 4, "P670 q8_0 (VLEN 128 instance): %g cycles per 2 blocks", p670);
		T_CHECK(strstr(sec, "| visionfive2_jh7110 | sifive-u74 |"), "the VisionFive 2's row");
		/* the k-quants: integer scales into int32 lanes, no reduction per sub-block
		 * (X280 model, q4_K: 761 cycles per super-block before) */
		const char *k4 = strstr(sec, "| q4_K-rvv-512 (144 B) |");
		double q4k = k4 ? atof(strchr(k4 + 2, '|') + 4) : -1;
		T_CHECK(q4k > 0 && 144 / q4k >= 0.5, "X280 q4_K (VLEN 512 instance): %g cycles per super-block", q4k);
	}
	{
		const char *l = strstr(sec, "Such loops: ");
		char line[512] = "";
		if (l)
			snprintf(line, sizeof line, "%.*s", (int)strcspn(l, "\n"), l);
		T_CHECK(!strstr(line, "-rvv"), "an RVV loop with a branch or call inside: %s", line);
	}
}

int main(void)
{
	t_prog = "test-mca";
	T_RUN(test_mca);
	T_RUN(test_mca_rvv);
	free(mca_out);
	T_DONE();
}
