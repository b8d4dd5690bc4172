/* roofline/sustain.h: burst against sustained rate, and when a rate (or a
 * clock) dropped, from a series of windows. Pure math on measured series. */
#ifndef EV_SUSTAIN_H
#define EV_SUSTAIN_H

struct roof_sustain {
	int n;
	double burst;          /* the first window's value */
	double sustained;      /* median of the last third of the windows */
	double ratio;          /* sustained / burst */
	int drop;              /* index of the first window of the first run of `persist`
				* windows below frac x burst; -1: none */
	double drop_t;         /* its start time (t[drop]) */
	int recovered;         /* a later window is back at or above frac x burst */
};

/* t[i]: start time of window i, v[i]: its value (> 0; NaN or <= 0 windows
 * are skipped by the drop test and the median). frac 0.95, persist 3 in the
 * issue's terms. Returns 0, or -1 when n < 1. */
int roof_sustain(const double *t, const double *v, int n, double frac, int persist,
		 struct roof_sustain *out);

#endif
