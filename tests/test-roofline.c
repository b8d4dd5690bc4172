/* tests/test-roofline.c: roofline math against exact values; plateau
 * detection on synthetic bandwidth curves. */
#include "harness.h"
#include "roofline.h"

static void test_ridge_attainable(void)
{
	/* Zen 4 core: 57.6 GFLOP/s FP64 over 28.8 GB/s DRAM -> ridge 2 FLOP/byte. */
	T_CHECK(roof_ridge(57.6e9, 28.8e9) == 2.0, "ridge");
	T_CHECK(roof_ridge(1, 0) == 0 && roof_ridge(0, 1) == 0, "degenerate ridge");
	T_CHECK(roof_attainable(0.5, 100e9, 20e9) == 10e9, "memory bound");
	T_CHECK(roof_attainable(10, 100e9, 20e9) == 100e9, "compute bound");
	T_CHECK(roof_attainable(5, 100e9, 20e9) == 100e9, "at the ridge");
	T_CHECK(roof_attainable(0, 100e9, 20e9) == 0, "zero intensity");
	{
		double peaks[] = {200e9, 50e9, 0};
		T_CHECK(roof_attainable_multi(1, peaks, 3, 20e9) == 20e9, "multi memory bound");
		T_CHECK(roof_attainable_multi(10, peaks, 3, 20e9) == 50e9, "lowest peak applies");
	}
}

static void test_plateaus(void)
{
	/* L1 200, L2 110, L3 75, DRAM 28 GB/s with one transition point each and noise. */
	double ws[] = {8e3, 16e3, 24e3, 64e3, 128e3, 256e3, 512e3, 1.5e6, 2e6, 4e6,
		       8e6, 16e6, 48e6, 64e6, 128e6, 256e6};
	double bw[] = {200, 205, 198, 112, 110, 108, 111, 90, 76, 74,
		       75, 73, 45, 29, 28, 28.5};
	struct roof_plateau p[8];
	int n = roof_plateaus(ws, bw, 16, 0.15, p, 8);
	int real = 0;
	double caps[] = {32768, 1048576, 33554432}, ratio;
	for (int i = 0; i < n; i++)
		real += p[i].last > p[i].first;
	T_CHECK(real == 4, "4 multi-point plateaus, got %d of %d", real, n);
	T_NEAR(p[0].bw_median, 200, 1e-12, "L1 plateau median");
	T_CHECK(p[0].first == 0 && p[0].last == 2, "L1 plateau range %d..%d", p[0].first, p[0].last);
	T_NEAR(p[n - 1].bw_median, 28.5, 1e-12, "DRAM plateau median (29, 28, 28.5)");
	T_NEAR(roof_knee(&p[0], &p[1]), sqrt(24e3 * 64e3), 1e-12, "knee");
	T_CHECK(roof_match_knee(sqrt(24e3 * 64e3), caps, 3, &ratio) == 0 && ratio > 0.5 && ratio < 2,
		"knee matches L1");
	T_CHECK(roof_match_knee(40e6, caps, 3, &ratio) == 2, "knee matches L3");
}

static void test_single_outlier_does_not_split(void)
{
	double ws[] = {1, 2, 3, 4, 5};
	double bw[] = {100, 100, 60, 100, 100};
	struct roof_plateau p[4];
	T_CHECK(roof_plateaus(ws, bw, 5, 0.15, p, 4) == 1, "outlier split the plateau");
}

static void test_noise_is_merged(void)
{
	/* DRAM noise: 32, 26 (two points), 31: one plateau, not three */
	double ws[] = {1, 2, 3, 4, 5, 6};
	double bw[] = {32.4, 32.0, 26.0, 25.9, 30.8, 31.0};
	struct roof_plateau p[4];
	int n = roof_plateaus(ws, bw, 6, 0.25, p, 4);
	T_CHECK(n == 1 && p[0].first == 0 && p[0].last == 5, "%d plateaus", n);
}

static void test_windows(void)
{
	double caps[] = {32768, 1048576, 33554432}, lo, hi;
	T_CHECK(!roof_level_window(caps, 3, 0, &lo, &hi) && lo == 0 && hi == 16384, "L1 window");
	T_CHECK(!roof_level_window(caps, 3, 1, &lo, &hi) && lo == 65536 && hi == 524288, "L2");
	T_CHECK(!roof_level_window(caps, 3, 3, &lo, &hi) && lo == 4.0 * 33554432 && isinf(hi),
		"DRAM window");
	{
		double tight[] = {32768, 65536};
		T_CHECK(roof_level_window(tight, 2, 1, &lo, &hi) == -1, "empty window");
	}
}

int main(void)
{
	t_prog = "test-roofline";
	T_RUN(test_ridge_attainable);
	T_RUN(test_plateaus);
	T_RUN(test_single_outlier_does_not_split);
	T_RUN(test_noise_is_merged);
	T_RUN(test_windows);
	T_DONE();
}
