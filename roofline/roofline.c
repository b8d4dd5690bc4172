/* roofline/roofline.c: ceilings, ridge points, attainable performance, and the
 * plateau/level detection used on bandwidth sweeps. */
#include "roofline.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double roof_ridge(double peak, double bw)
{
	if (!(peak > 0) || !(bw > 0))
		return 0;
	return peak / bw;
}

double roof_attainable(double intensity, double peak, double bw)
{
	double mem = intensity * bw;
	if (!(intensity > 0) || !(bw > 0))
		return 0;
	return mem < peak ? mem : peak;
}

double roof_attainable_multi(double intensity, const double *peaks, int npeaks, double bw)
{
	double best = INFINITY;
	for (int i = 0; i < npeaks; i++)
		if (peaks[i] > 0 && peaks[i] < best)
			best = peaks[i];
	if (!isfinite(best))
		return intensity * bw;
	return roof_attainable(intensity, best, bw);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(const double *v, int first, int last)
{
	int n = last - first + 1;
	double tmp[512], m;
	if (n > 512)
		n = 512;
	memcpy(tmp, v + first, (size_t)n * sizeof *tmp);
	qsort(tmp, (size_t)n, sizeof *tmp, cmp_d);
	m = n % 2 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
	return m;
}

int roof_plateaus(const double *ws, const double *bw, int n, double tol,
		  struct roof_plateau *out, int max)
{
	int np = 0, start = 0;
	if (n <= 0 || max <= 0)
		return 0;
	for (int i = 1; i <= n; i++) {
		int split = 0;
		if (i < n) {
			double m = median_of(bw, start, i - 1);
			int off_here = fabs(bw[i] - m) > tol * m;
			int off_next = i + 1 >= n || fabs(bw[i + 1] - m) > tol * m;
			split = off_here && off_next;
		}
		if (i == n || split) {
			if (np < max) {
				out[np].first = start;
				out[np].last = i - 1;
				out[np].ws_lo = ws[start];
				out[np].ws_hi = ws[i - 1];
				out[np].bw_median = median_of(bw, start, i - 1);
				np++;
			}
			start = i;
		}
	}
	/* Noise can split one level in two: merge neighbours whose medians are
	 * within tol of each other. */
	for (int i = 0; i + 1 < np;) {
		double a = out[i].bw_median, b = out[i + 1].bw_median;
		if (fabs(a - b) <= tol * (a > b ? a : b)) {
			out[i].last = out[i + 1].last;
			out[i].ws_hi = out[i + 1].ws_hi;
			out[i].bw_median = median_of(bw, out[i].first, out[i].last);
			for (int k = i + 1; k + 1 < np; k++)
				out[k] = out[k + 1];
			np--;
		} else {
			i++;
		}
	}
	return np;
}

double roof_knee(const struct roof_plateau *a, const struct roof_plateau *b)
{
	return sqrt(a->ws_hi * b->ws_lo);
}

int roof_level_window(const double *caps, int ncaps, int lvl, double *lo, double *hi)
{
	if (lvl < 0 || lvl > ncaps)
		return -1;
	if (lvl == ncaps) {
		*lo = ncaps > 0 ? 4.0 * caps[ncaps - 1] : 0;
		*hi = INFINITY;
		return 0;
	}
	*lo = lvl > 0 ? 2.0 * caps[lvl - 1] : 0;
	*hi = caps[lvl] / 2.0;
	return *lo < *hi ? 0 : -1;
}

int roof_match_knee(double knee, const double *caps, int ncaps, double *ratio)
{
	int best = -1;
	double bestd = INFINITY;
	for (int i = 0; i < ncaps; i++) {
		double d = fabs(log(knee / caps[i]));
		if (d < bestd) {
			bestd = d;
			best = i;
		}
	}
	if (best >= 0 && ratio)
		*ratio = knee / caps[best];
	return best;
}

double roof_little_bw(double misses, double line_bytes, double latency_s)
{
	if (!(latency_s > 0) || !(misses > 0) || !(line_bytes > 0))
		return 0;
	return misses * line_bytes / latency_s;
}

double roof_misses_in_flight(double bw_bytes_per_s, double latency_s, double line_bytes)
{
	if (!(line_bytes > 0) || !(bw_bytes_per_s > 0) || !(latency_s > 0))
		return 0;
	return bw_bytes_per_s * latency_s / line_bytes;
}

int roof_mlp_knee(const double *bw, int n, double frac)
{
	/* the best as the median of the three highest: one lucky sample cannot
	 * move the knee (a shared host's noise is +-10% per point) */
	double top[3] = {0, 0, 0}, best;
	int m = 0;
	for (int i = 0; i < n; i++) {
		double v = bw[i] > 0 ? bw[i] : 0;
		if (v > 0)
			m++;
		for (int k = 0; k < 3; k++)
			if (v > top[k]) {
				double t = top[k];
				top[k] = v;
				v = t;
			}
	}
	best = m >= 3 ? top[1] : top[0];
	if (!(best > 0))
		return -1;
	for (int i = 0; i < n; i++)
		if (bw[i] >= frac * best)
			return i;
	return -1;
}
