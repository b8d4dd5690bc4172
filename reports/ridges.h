/* reports/ridges.h: ridge-point tables (peak / bandwidth per precision and
 * memory level), from roofs read back from results. */
#ifndef EV_RIDGES_H
#define EV_RIDGES_H
#include <cjson/cJSON.h>
#include <stdio.h>

#include "result.h"
#include "roofs.h"


/* Peaks from `pk` at its most threads, bandwidths from `mem` at the same thread
 * count when measured, else its most threads. */
cJSON *rep_ridges_json(const struct rep_result *pk, const struct rep_result *mem,
		       const char *bw_source);
void rep_ridges_print(FILE *f, const struct rep_result *pk, const struct rep_result *mem);

#endif
