/* reports/latency-plot.h: the latency plot of a saved result: latency against
 * working set (4 KiB and huge pages, hwloc's cache sizes marked) and loaded
 * latency against the bandwidth the other cores read. */
#ifndef EV_LATENCY_PLOT_H
#define EV_LATENCY_PLOT_H
#include "plot.h"
#include "result.h"

/* Writes dir/<prefix>.{dat,gp} and renders .png/.svg; EV_OK with o->note
 * "no latency section" when there is nothing to draw. */
int plot_latency(const struct rep_result *r, const char *dir, const char *prefix,
		 struct plot_out *o, struct ev_err *e);
/* The texts alone, for tests. */
int plot_latency_text(const struct rep_result *r, const char *prefix, char **dat, char **gp,
		      struct ev_err *e);

#endif
