/* reports/plot.h: roofline plots as gnuplot data + script, rendered to PNG and
 * SVG when gnuplot is installed. The .dat and .gp are always written, so a plot
 * can be rebuilt (or restyled) on any machine from the files alone. */
#ifndef EV_PLOT_H
#define EV_PLOT_H
#include <stddef.h>

#include "err.h"
#include "result.h"

struct plot_out {
	int rendered;        /* PNG and SVG made */
	char note[600];      /* what was written, or why it was not rendered */
};

/* Write base.dat and base.gp for n results overlaid (n = 1: one board with all
 * its levels and precisions), then render base.png and base.svg. `base` is a
 * path without extension. The .gp refers to the .dat by its file name only, so
 * the folder can be moved. */
int plot_roofline(const struct rep_result *const *rs, int n, const char *base, struct plot_out *o,
		  struct ev_err *e);
/* The text of the .dat and .gp alone (tests compare them with golden files). */
int plot_roofline_text(const struct rep_result *const *rs, int n, const char *dat_name,
		       char **dat, char **gp, struct ev_err *e);
/* Write dir/<name>.dat and dir/<name>.gp (the script refers to the .dat by
 * its file name) and render dir/<name>.png and .svg when gnuplot is there;
 * o->note says what was written. */
int plot_files(const char *dir, const char *name, const char *dat, const char *gp, struct plot_out *o,
	       struct ev_err *e);
/* Is gnuplot on PATH? */
int plot_have_gnuplot(void);
/* Run gnuplot on dir/script; outputs go to temp names and are renamed to
 * base.png / base.svg when it succeeds. */
int plot_render(const char *dir, const char *script, const char *png, const char *svg,
		char *msg, size_t len);

#endif
