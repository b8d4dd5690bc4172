/* reports/decode-plot.h: the decode plots of a saved result: tokens/s against
 * context length with the bandwidth-ceiling curve, and measured against
 * ceiling tokens/s per weight format (bars). */
#ifndef EV_DECODE_PLOT_H
#define EV_DECODE_PLOT_H
#include <cjson/cJSON.h>

#include "err.h"
#include "plot.h"

/* Writes dir/<prefix>-ctx.{dat,gp,png,svg} and dir/<prefix>-bars.{...}.
 * EV_OK with o->note "no decode section" when there is nothing to draw. */
int plot_decode(const cJSON *doc, const char *dir, const char *prefix, struct plot_out *o,
		struct ev_err *e);
/* The texts alone, for tests. */
int plot_decode_text(const cJSON *doc, const char *prefix, char **ctx_dat, char **ctx_gp,
		     char **bar_dat, char **bar_gp, struct ev_err *e);

#endif
