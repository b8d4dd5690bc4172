/* src/core/stats.c: order statistics on a sorted copy. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double stats_percentile(const double *s, size_t n, double p)
{
	double rank, frac;
	size_t lo;
	if (n == 0)
		return 0;
	if (p <= 0)
		return s[0];
	if (p >= 100)
		return s[n - 1];
	rank = p / 100.0 * (double)(n - 1);
	lo = (size_t)rank;
	frac = rank - (double)lo;
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

int stats_compute(const double *v, size_t n, int higher_is_better, struct ev_stats *o)
{
	double *s, sum = 0, sq = 0;
	memset(o, 0, sizeof *o);
	if (n == 0)
		return -1;
	s = malloc(n * sizeof *s);
	if (!s)
		return -1;
	memcpy(s, v, n * sizeof *s);
	qsort(s, n, sizeof *s, cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	o->n = n;
	o->min = s[0];
	o->max = s[n - 1];
	o->mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		sq += (s[i] - o->mean) * (s[i] - o->mean);
	o->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	o->median = stats_percentile(s, n, 50);
	o->p5 = stats_percentile(s, n, 5);
	o->p25 = stats_percentile(s, n, 25);
	o->p75 = stats_percentile(s, n, 75);
	o->p95 = stats_percentile(s, n, 95);
	o->best = higher_is_better ? o->max : o->min;
	o->spread_rel = o->median != 0 ? (o->max - o->min) / fabs(o->median) : 0;
	o->iqr_rel = o->median != 0 ? (o->p75 - o->p25) / fabs(o->median) : 0;
	free(s);
	return 0;
}

double stats_median(const double *v, size_t n)
{
	struct ev_stats st;
	if (stats_compute(v, n, 1, &st))
		return 0;
	return st.median;
}
