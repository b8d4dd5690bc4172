/* reports/markdown.h: report.md from a saved result: readable by someone who
 * has never heard of eaves. */
#ifndef EV_MARKDOWN_H
#define EV_MARKDOWN_H
#include <cjson/cJSON.h>

#include "err.h"

/* plot_png: file name of the roofline image beside the report, or NULL when
 * it could not be rendered (the report then says how to render it). */
int md_report(const cJSON *doc, const char *plot_png, const char *plot_note, char **out,
	      struct ev_err *e);

#endif
