/* roofline/sustain.c: the burst/sustained/drop arithmetic of eaves sustain. */
#include "sustain.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int roof_sustain(const double *t, const double *v, int n, double frac, int persist,
		 struct roof_sustain *out)
{
	int first = n - (n + 2) / 3, k = 0, run = 0, start = 0;
	double *tail;
	memset(out, 0, sizeof *out);
	out->drop = -1;
	out->drop_t = NAN;
	out->n = n;
	if (n < 1)
		return -1;
	out->burst = v[0];
	tail = malloc(sizeof(double) * (size_t)n);
	if (!tail)
		return -1;
	for (int i = first; i < n; i++)
		if (v[i] > 0)
			tail[k++] = v[i];
	qsort(tail, (size_t)k, sizeof *tail, cmp);
	out->sustained = k == 0 ? NAN : k % 2 ? tail[k / 2] : (tail[k / 2 - 1] + tail[k / 2]) / 2;
	free(tail);
	out->ratio = out->burst > 0 ? out->sustained / out->burst : NAN;
	if (persist < 1)
		persist = 1;
	for (int i = 1; i < n; i++) {
		if (!(v[i] > 0))
			continue;
		if (out->drop < 0) {
			if (v[i] < frac * out->burst) {
				if (run++ == 0)
					start = i;
			} else {
				run = 0;
			}
			if (run == persist) {
				out->drop = start;
				out->drop_t = t[start];
			}
		} else if (v[i] >= frac * out->burst) {
			out->recovered = 1;
		}
	}
	return 0;
}
