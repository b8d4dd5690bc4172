/* reports/ridges.h: ridge-point tables (peak / bandwidth per precision and
 * memory level), from roofs read back from results. */
#ifndef EV_RIDGES_H
#define EV_RIDGES_H
#include <cjson/cJSON.h>
#include <stdio.h>

#include "result.h"
#include "roofs.h"


/* One ridge point: a precision's best peak over a level's best read
 * bandwidth. */
struct rep_ridge {
	int prec, level;        /* enum ev_prec, enum ev_level */
	int threads, bw_threads;
	double peak_flop_per_s, bw_bytes_per_s, ridge_flop_per_byte;
};
#define REP_MAX_RIDGES (EV_PREC__COUNT * EV_LEVEL__COUNT)
/* The ridge table, the one computation every report uses: peaks from `pk` at
 * its most threads, bandwidths from `mem` at the same thread count when
 * measured, else its most threads. Returns the count (<= REP_MAX_RIDGES). */
int rep_ridges(const struct rep_result *pk, const struct rep_result *mem, struct rep_ridge *out);
/* Is there a ridge for this level (a column of the table)? */
int rep_ridges_have_level(const struct rep_ridge *rd, int n, int level);
cJSON *rep_ridges_json(const struct rep_result *pk, const struct rep_result *mem,
		       const char *bw_source);
void rep_ridges_print(FILE *f, const struct rep_result *pk, const struct rep_result *mem);

#endif
