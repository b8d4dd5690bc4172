/* reports/compare.h: side-by-side table of several saved results: ceilings,
 * ridge points, decode speeds, and each board's ratio to the first. */
#ifndef EV_COMPARE_H
#define EV_COMPARE_H
#include <cjson/cJSON.h>

#include "result.h"

/* Text table (markdown = 0) or Markdown table (markdown = 1); caller frees. */
char *cmp_table(const struct rep_result *const *rs, int n, int markdown);
cJSON *cmp_json(const struct rep_result *const *rs, int n);

#endif
