/* tests/test-stats.c: order statistics against hand-computed values. */
#include "harness.h"
#include "stats.h"

static void test_basic(void)
{
	double v[] = {5, 1, 4, 2, 3};
	struct ev_stats s;
	T_CHECK(stats_compute(v, 5, 1, &s) == 0, "compute");
	T_CHECK(s.min == 1 && s.max == 5 && s.median == 3 && s.mean == 3, "min/max/median/mean");
	T_CHECK(s.best == 5, "best of a rate is the max");
	T_NEAR(s.stddev, sqrt(2.5), 1e-12, "sample stddev");
	T_NEAR(s.p25, 2, 1e-12, "p25");
	T_NEAR(s.p75, 4, 1e-12, "p75");
	T_NEAR(s.spread_rel, 4.0 / 3.0, 1e-12, "spread");
	T_CHECK(v[0] == 5 && v[1] == 1, "input untouched");
	T_CHECK(stats_compute(v, 5, 0, &s) == 0 && s.best == 1, "best of a duration is the min");
}

static void test_percentiles(void)
{
	double s[] = {10, 20, 30, 40};
	T_NEAR(stats_percentile(s, 4, 50), 25, 1e-12, "median of even count");
	T_NEAR(stats_percentile(s, 4, 0), 10, 1e-12, "p0");
	T_NEAR(stats_percentile(s, 4, 100), 40, 1e-12, "p100");
	T_NEAR(stats_percentile(s, 4, 95), 38.5, 1e-12, "p95 interpolated");
	T_NEAR(stats_percentile(s, 1, 95), 10, 1e-12, "single");
}

static void test_edge(void)
{
	struct ev_stats s;
	double one = 7;
	T_CHECK(stats_compute(NULL, 0, 1, &s) == -1, "empty rejected");
	T_CHECK(stats_compute(&one, 1, 1, &s) == 0 && s.median == 7 && s.stddev == 0 &&
			s.spread_rel == 0,
		"one sample");
}

int main(void)
{
	t_prog = "test-stats";
	T_RUN(test_basic);
	T_RUN(test_percentiles);
	T_RUN(test_edge);
	T_DONE();
}
