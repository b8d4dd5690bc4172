/* src/core/timer.c: monotonic clock and its measured resolution. */
#include "timer.h"

#include <time.h>

#ifndef CLOCK_MONOTONIC_RAW
#define CLOCK_MONOTONIC_RAW CLOCK_MONOTONIC
#endif

double timer_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double timer_resolution(void)
{
	/* Like STREAM's checktick: the minimum of many distinct successive deltas.
	 * clock_getres() reports 1 ns on Linux whatever the real step is. */
	double best = 1.0;
	for (int i = 0; i < 64; i++) {
		double t0 = timer_now(), t1;
		do {
			t1 = timer_now();
		} while (t1 <= t0);
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	return best;
}

double timer_min_sample(double min_s)
{
	double r = 1000.0 * timer_resolution();
	return r > min_s ? r : min_s;
}
