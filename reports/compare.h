/* reports/compare.h: side-by-side table of several saved results: ceilings,
 * ridge points, decode speeds, and each board's ratio to the first; and for
 * fleets, one row per board sorted by a chosen figure. */
#ifndef EV_COMPARE_H
#define EV_COMPARE_H
#include <cjson/cJSON.h>

#include "result.h"

/* Text table (markdown = 0) or Markdown table (markdown = 1); caller frees. */
char *cmp_table(const struct rep_result *const *rs, int n, int markdown);
cJSON *cmp_json(const struct rep_result *const *rs, int n);
/* Fleets: one row per board, sorted by the figure sort_col (cmp_fleet_key),
 * highest first (latency: lowest first); boards without it come last. */
char *cmp_fleet_table(const struct rep_result *const *rs, int n, int sort_col, int markdown);
/* The figure a sort key names (-1: unknown), and the list of keys. */
int cmp_fleet_key(const char *key);
const char *cmp_fleet_keys(void);

#endif
