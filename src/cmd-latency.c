/* src/cmd-latency.c: `eaves latency`: load-to-use latency per memory level,
 * loaded latency, misses in flight and the bandwidth bound they imply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-lat.h"
#include "cmds.h"
#include "json.h"
#include "opt.h"
#include "units.h"

enum { O_JSON, O_QUICK, O_SIZE, O_MIN, O_MAX, O_PPO, O_TIME, O_PAGES, O_LOADS, O_NOLOADED,
       O_NOMLP, O_NOREAD, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the result as JSON to FILE ('-' = stdout)"},
	[O_QUICK] = {"quick", EV_OPT_FLAG, NULL, "one working set per level, 3 load levels: a few seconds"},
	[O_SIZE] = {"size", EV_OPT_SIZE, "SIZE", "measure one working set only"},
	[O_MIN] = {"min-size", EV_OPT_SIZE, "SIZE", "smallest working set (default: L1/4)"},
	[O_MAX] = {"max-size", EV_OPT_SIZE, "SIZE", "largest working set, also the DRAM runs' (default: 8x last-level cache, >= 64 MiB)"},
	[O_PPO] = {"points-per-octave", EV_OPT_INT, "N", "sweep density (default 2; --quick: one point per level)", NULL, 1, 16},
	[O_TIME] = {"time", EV_OPT_TIME, "T", "time to aim for in the sweep (default 40s, --quick 6s)", NULL, 1, 86400},
	[O_PAGES] = {"pages", EV_OPT_STR, "KIND", "both, huge (THP via madvise) or 4k", "both"},
	[O_LOADS] = {"loads", EV_OPT_STR, "LIST", "loaded latency: delay loop iterations per 64 lines the other cores read, e.g. 0,400,3200"},
	[O_NOLOADED] = {"no-loaded", EV_OPT_FLAG, NULL, "skip the loaded-latency runs"},
	[O_NOMLP] = {"no-mlp", EV_OPT_FLAG, NULL, "skip the misses-in-flight runs (and so the bound)"},
	[O_NOREAD] = {"no-read", EV_OPT_FLAG, NULL, "do not measure DRAM read bandwidth to set beside the bound"},
};

static const char details[] =
	"A dependent-load chase over one random cycle of 64-byte lines, from inside L1\n"
	"to 8x the last-level cache, with 4 KiB and with huge pages (the difference is\n"
	"the cost of TLB misses). Then, at the DRAM working set: 1 to 32 independent\n"
	"chases (the point where their bandwidth stops growing = misses in flight per\n"
	"core), and one chase while the other cores stream reads at set rates (loaded\n"
	"latency). Little's law turns them into a computed bandwidth bound, shown next\n"
	"to the measured DRAM read bandwidth. Figures: median of repeated samples in ns\n"
	"and in cycles at the measured clock; spread = (max-min)/median.\n";

static int parse(struct ev_ctx *c, struct ev_optval *v, struct ev_lat_opts *o)
{
	int rc;
	bench_lat_defaults(c, v[O_QUICK].set, o);
	if ((rc = cmd_size_range(c, &v[O_SIZE], &v[O_MIN], &v[O_MAX], &o->single_ws, &o->min_ws,
				 &o->max_ws)))
		return rc;
	if (v[O_PPO].set)
		o->points_per_octave = (int)v[O_PPO].i;
	if (v[O_TIME].set)
		o->budget_s = v[O_TIME].d;
	if (!strcmp(v[O_PAGES].s, "huge"))
		o->pages_mask = 1u << EV_PAGES_HUGE;
	else if (!strcmp(v[O_PAGES].s, "4k"))
		o->pages_mask = 1u << EV_PAGES_DEFAULT;
	else if (strcmp(v[O_PAGES].s, "both"))
		return ev_fail(&c->err, EV_ERR_USAGE, "--pages: '%s' is not 'both', 'huge' or '4k'",
			       v[O_PAGES].s);
	if (v[O_LOADS].set) {
		int d[EV_LAT_MAX_LOADS];
		char why[256];
		int n = units_parse_int_list(v[O_LOADS].s, d, EV_LAT_MAX_LOADS, why, sizeof why);
		if (n <= 0)
			return ev_fail(&c->err, EV_ERR_USAGE, "--loads: %s", why);
		for (int i = 0; i < n; i++) {
			if (d[i] < 0 || d[i] > 10000000)
				return ev_fail(&c->err, EV_ERR_USAGE,
					       "--loads: %d is out of range [0, 10000000]", d[i]);
			o->load_delay[i] = (uint32_t)d[i];
		}
		o->nload = c->topo.cores > 1 ? n : 0;
	}
	if (v[O_NOLOADED].set)
		o->nload = 0;
	if (v[O_NOMLP].set)
		o->mlp = 0;
	if (v[O_NOREAD].set)
		o->bound_read = 0;
	return EV_OK;
}

int cmd_latency(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc;
	struct ev_lat_opts o;
	struct ev_lat_result *r;
	if ((rc = opt_parse("latency", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "latency", "[options]",
			       "Measure memory latency per level, loaded latency and misses in flight.",
			       details, opts, O__N);
		return EV_OK;
	}
	if ((rc = ctx_machine(c)) || (rc = parse(c, v, &o)))
		return rc;
	r = calloc(1, sizeof *r);
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	rc = bench_lat(c, &o, r);
	if (rc == EV_OK || r->npoints > 0) {
		int wrc = EV_OK;
		if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-"))
			bench_lat_print(c->out, r);
		if (v[O_JSON].set) {
			cJSON *doc = json_result_new(c, "latency");
			cJSON_AddItemToObject(doc, "latency", bench_lat_json(r));
			wrc = cmd_write_json(c, doc, v[O_JSON].s);
			cJSON_Delete(doc);
		}
		if (rc == EV_OK)
			rc = wrc;
		if (rc == EV_OK && r->interrupted)
			rc = EV_ERR_INTERRUPTED;
		rc = cmd_verify_status(c, rc, bench_lat_failed(r));
	}
	bench_lat_free(r);
	free(r);
	return rc;
}
