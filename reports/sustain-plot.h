/* reports/sustain-plot.h: the plot of a sustained run (eaves sustain) over
 * time: the rate and the CPU clock (two y axes), temperature and power (two
 * y axes), from a result's sustain section, every value range-checked. */
#ifndef EV_SUSTAIN_PLOT_H
#define EV_SUSTAIN_PLOT_H
#include <cjson/cJSON.h>

#include "err.h"
#include "plot.h"

#define REP_MAX_WINDOWS 100000

/* Writes dir/<prefix>.{dat,gp} and renders .png/.svg; EV_OK with o->note
 * "no sustain section" when there is nothing to draw. */
int plot_sustain(const cJSON *doc, const char *dir, const char *prefix, struct plot_out *o,
		 struct ev_err *e);
/* The texts alone, for tests. */
int plot_sustain_text(const cJSON *doc, const char *prefix, char **dat, char **gp, struct ev_err *e);

#endif
