/* roofline/roofline.h: pure roofline math. No I/O, no globals, libc + libm only.
 * Units: bytes, seconds, FLOP; bandwidth in bytes/s, compute in FLOP/s,
 * arithmetic intensity in FLOP/byte. */
#ifndef EV_ROOFLINE_H
#define EV_ROOFLINE_H
#include <stddef.h>

/* Ridge point: the intensity at which a memory roof meets a compute roof. */
double roof_ridge(double peak_flop_per_s, double bw_bytes_per_s);
/* Attainable performance at intensity I: min(peak, I x bw). */
double roof_attainable(double intensity, double peak_flop_per_s, double bw_bytes_per_s);
/* Attainable under several roofs: the lowest memory roof that applies (the
 * caller passes the one for the level the data lives in) and the lowest peak. */
double roof_attainable_multi(double intensity, const double *peaks, int npeaks,
			     double bw_bytes_per_s);

/* A plateau of a bandwidth-vs-working-set curve. */
struct roof_plateau {
	int first, last;        /* indices into the sweep (inclusive) */
	double ws_lo, ws_hi;    /* working sets covered */
	double bw_median;       /* median of the points' bandwidths */
};

/* Split a sweep (ws ascending, bw > 0) into plateaus: a new plateau starts where
 * a point and the one after it both differ from the current plateau's median by
 * more than tol (relative; 0.15 is a good start). Single noisy points do not
 * split, and neighbours whose medians are within tol are merged again.
 * Returns the count (<= max). */
int roof_plateaus(const double *ws, const double *bw, int n, double tol,
		  struct roof_plateau *out, int max);

/* Knee between two adjacent plateaus: geometric mean of the last working set of
 * the first and the first of the second. */
double roof_knee(const struct roof_plateau *a, const struct roof_plateau *b);

/* Working-set window that belongs to memory level `lvl` (0-based cache levels,
 * lvl == ncaps means DRAM), given the aggregate capacities of the cache levels
 * in ascending order: (2 x cap[lvl-1], cap[lvl] / 2]; DRAM: [4 x cap[last], inf).
 * Returns 0, or -1 if the window is empty. */
int roof_level_window(const double *caps, int ncaps, int lvl, double *lo, double *hi);

/* Index of the capacity closest (in log distance) to a knee, and the ratio
 * knee / capacity through *ratio. */
int roof_match_knee(double knee, const double *caps, int ncaps, double *ratio);

/* ---- memory latency and Little's law ----
 * A core keeps at most M line misses in flight; each takes the latency L, so
 * its bandwidth cannot exceed M x line / L. */

/* Bandwidth `misses` lines of line_bytes in flight sustain at latency_s. */
double roof_little_bw(double misses, double line_bytes, double latency_s);
/* Lines in flight that a bandwidth implies at a latency: bw x latency / line. */
double roof_misses_in_flight(double bw_bytes_per_s, double latency_s, double line_bytes);
/* The memory-level parallelism of a sweep over independent chases (counts
 * ascending, bandwidth of each): the index of the smallest count whose
 * bandwidth reaches frac (e.g. 0.9) of the best, the best being the median of
 * the three highest (one lucky point cannot move it); -1 when none is > 0. */
int roof_mlp_knee(const double *bw, int n, double frac);

#endif
