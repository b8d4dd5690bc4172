/* src/core/stats.h: summary statistics of repeated samples. Rates use "best" = max,
 * times use "best" = min: the caller says which. */
#ifndef EV_STATS_H
#define EV_STATS_H
#include <stddef.h>

struct ev_stats {
	size_t n;
	double min, max, mean, stddev;
	double median, p5, p25, p75, p95;
	double best;       /* max for rates, min for durations */
	double spread_rel; /* (max - min) / median: the whole range, relative */
	double iqr_rel;    /* (p75 - p25) / median */
};

/* Percentile p in [0,100] of sorted values, linear interpolation between ranks. */
double stats_percentile(const double *sorted, size_t n, double p);
/* higher_is_better: 1 for rates (best = max), 0 for durations (best = min).
 * Returns -1 when n == 0. Does not modify v. */
int stats_compute(const double *v, size_t n, int higher_is_better, struct ev_stats *out);
double stats_median(const double *v, size_t n);

#endif
