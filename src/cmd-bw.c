/* src/cmd-bw.c: `eaves bw`: the memory half of the roofline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-lat.h"
#include "bench-storage.h"
#include "bench.h"
#include "bw.h"
#include "cmds.h"
#include "gpu.h"
#include "json.h"
#include "opt.h"
#include "units.h"

enum { O_JSON, O_QUICK, O_THREADS, O_KERNELS, O_SIZE, O_MIN, O_MAX, O_PPO, O_TIME, O_ISA,
       O_PAGES, O_NOBOUND, O_STORAGE, O_STORAGE_MAX, O_COUNTERS, O_GPU, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the result as JSON to FILE ('-' = stdout)"},
	[O_QUICK] = {"quick", EV_OPT_FLAG, NULL, "coarse sweep, about 20 s on a 2-core machine"},
	[O_THREADS] = {"threads", EV_OPT_STR, "LIST", "thread counts, e.g. 1,2,4 or 1-4 (default: 1 and all cores)"},
	[O_KERNELS] = {"kernels", EV_OPT_STR, "LIST",
		       "read,write,copy,triad,write_nt,copy_nt,triad_nt (default: all)"},
	[O_SIZE] = {"size", EV_OPT_SIZE, "SIZE", "measure one working set only (all arrays, all threads)"},
	[O_MIN] = {"min-size", EV_OPT_SIZE, "SIZE", "smallest working set (default: L1/4 per thread)"},
	[O_MAX] = {"max-size", EV_OPT_SIZE, "SIZE", "largest working set (default: 8x last-level cache)"},
	[O_PPO] = {"points-per-octave", EV_OPT_INT, "N", "sweep density (default 3, --quick 1)", NULL, 1, 16},
	[O_TIME] = {"time", EV_OPT_TIME, "T", "time budget for the sweep (default 100s, --quick 16s)",
		    NULL, 1, 86400},
	[O_ISA] = {"isa", EV_OPT_STR, "NAME", "use only kernels within this feature set: generic, avx2, avx512, avx512vnni, neon, dotprod... (eaves info lists them)"},
	[O_PAGES] = {"pages", EV_OPT_STR, "KIND", "huge (THP via madvise) or default", "huge"},
	[O_NOBOUND] = {"no-bound", EV_OPT_FLAG, NULL, "skip the Little's-law bound (DRAM latency and misses in flight, a few seconds)"},
	[O_STORAGE] = {"storage", EV_OPT_STR, "FILE",
		       "instead: the storage read bandwidth of FILE (a model too big for memory streams from there), O_DIRECT where allowed"},
	[O_STORAGE_MAX] = {"storage-max", EV_OPT_SIZE, "SIZE", "with --storage: read at most this much (default 4 GiB, or 20 s)"},
	[O_COUNTERS] = EV_OPT_COUNTERS,
	[O_GPU] = EV_OPT_GPU,
};

/* eaves bw --storage FILE */
static int storage(struct ev_ctx *c, struct ev_optval *v)
{
	struct ev_storage_result r;
	int rc = bench_storage_read(c, v[O_STORAGE].s,
				    v[O_STORAGE_MAX].set ? (double)v[O_STORAGE_MAX].u : 4.0 * (1u << 30), 20, &r);
	if (rc)
		return rc;
	if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-")) {
		fprintf(c->out, "Storage read of %s: %.2f GB/s (measured: %s, %.2f s)\n", r.path, r.bw / 1e9,
			r.how, r.seconds);
		if (r.nseg)
			fprintf(c->out, "per 64 MiB segment: median %.2f GB/s, range %.2f-%.2f (%d segments)\n",
				r.seg.median / 1e9, r.seg.min / 1e9, r.seg.max / 1e9, r.nseg);
		if (!r.direct)
			fprintf(c->out, "note: not O_DIRECT; pages of the file that another process keeps "
					"cached or mapped can still be served from memory\n");
	}
	if (v[O_JSON].set) {
		cJSON *doc = json_result_new(c, "bw");
		cJSON_AddItemToObject(doc, "storage", bench_storage_json(&r));
		rc = cmd_write_json(c, doc, v[O_JSON].s);
		cJSON_Delete(doc);
	}
	return rc == EV_OK && r.interrupted ? EV_ERR_INTERRUPTED : rc;
}

static const char details[] =
	"Sweeps working sets from inside L1 to 8x the last-level cache with read\n"
	"(load-only reduction), write, copy, triad (a = b + s*c) and non-temporal\n"
	"write/copy/triad, each thread pinned and first-touching its own slice.\n"
	"Figures: best and median of repeated samples, spread = (max-min)/median;\n"
	"bytes counted as STREAM does, and with write-allocate traffic (+WA).\n"
	"When the sweep reaches DRAM, the DRAM read figure is set beside the bound\n"
	"Little's law computes from DRAM latency and misses in flight (eaves latency).\n";

int cmd_bw_parse(struct ev_ctx *c, struct ev_optval *v, struct ev_bw_opts *o);
int cmd_bw_parse(struct ev_ctx *c, struct ev_optval *v, struct ev_bw_opts *o)
{
	int rc;
	bench_bw_defaults(c, v[O_QUICK].set, o);
	if ((rc = cmd_apply_isa(c, v[O_ISA].set ? v[O_ISA].s : NULL)) ||
	    (rc = cmd_apply_counters(c, v[O_COUNTERS].set ? v[O_COUNTERS].s : NULL)))
		return rc;
	if (v[O_THREADS].set) {
		int n = cmd_parse_threads(c, v[O_THREADS].s, o->threads, EV_BW_MAX_THREAD_COUNTS);
		if (n < 0)
			return -n;
		o->nthr = n;
	}
	if (v[O_KERNELS].set) {
		char buf[256], *tok, *save = NULL;
		snprintf(buf, sizeof buf, "%s", v[O_KERNELS].s);
		o->kernel_mask = 0;
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			int k = bw_kernel_by_name(tok);
			if (k < 0)
				return ev_fail(&c->err, EV_ERR_USAGE,
					       "--kernels: unknown kernel '%s' (known: read, write, copy, "
					       "triad, write_nt, copy_nt, triad_nt)",
					       tok);
			o->kernel_mask |= 1u << k;
		}
	}
	if ((rc = cmd_size_range(c, &v[O_SIZE], &v[O_MIN], &v[O_MAX], &o->single_ws, &o->min_ws,
				 &o->max_ws)))
		return rc;
	if (v[O_PPO].set)
		o->points_per_octave = (int)v[O_PPO].i;
	if (v[O_TIME].set)
		o->budget_s = v[O_TIME].d;
	if (!strcmp(v[O_PAGES].s, "huge"))
		o->pages = EV_PAGES_HUGE;
	else if (!strcmp(v[O_PAGES].s, "default"))
		o->pages = EV_PAGES_DEFAULT;
	else
		return ev_fail(&c->err, EV_ERR_USAGE, "--pages: '%s' is not 'huge' or 'default'",
			       v[O_PAGES].s);
	return EV_OK;
}

int cmd_bw(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc;
	struct ev_bw_opts o;
	struct ev_bw_result *r;
	struct ev_lat_result *lat = NULL;
	cJSON *doc;
	if ((rc = opt_parse("bw", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "bw", "[options]",
			       "Measure memory bandwidth per cache level and DRAM.", details, opts, O__N);
		return EV_OK;
	}
	if ((rc = ctx_machine(c)))
		return rc;
	if (v[O_STORAGE].set)
		return storage(c, v);
	if (v[O_GPU].set)
		return cmd_gpu_run(c, "bw", (int)v[O_GPU].i,
				   1u << EV_GPU_READ | 1u << EV_GPU_WRITE | 1u << EV_GPU_COPY | 1u << EV_GPU_SHARED |
					   1u << EV_GPU_H2D | 1u << EV_GPU_D2H,
				   v[O_SIZE].set ? v[O_SIZE].u : 0, v[O_QUICK].set,
				   v[O_JSON].set ? v[O_JSON].s : NULL);
	if (v[O_STORAGE_MAX].set)
		return ev_fail(&c->err, EV_ERR_USAGE, "--storage-max goes with --storage FILE");
	if ((rc = cmd_bw_parse(c, v, &o)))
		return rc;
	r = calloc(1, sizeof *r);
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	rc = bench_bw(c, &o, r);
	/* the bound beside the DRAM read figure */
	if (rc == EV_OK && !r->interrupted && !v[O_NOBOUND].set && bench_bw_dram_read(r, o.threads[0]) > 0) {
		struct ev_lat_opts lo;
		int cores = c->topo.cores > 0 ? c->topo.cores : 1;
		if ((lat = calloc(1, sizeof *lat)) == NULL) {
			bench_bw_free(r);
			free(r);
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		}
		bench_lat_bound_opts(c, &lo);
		rc = bench_lat(c, &lo, lat);
		bench_lat_bound(lat, cores, bench_bw_dram_read(r, 1), bench_bw_dram_read(r, cores),
				"measured by this command: read kernel, DRAM level");
		r->interrupted |= lat->interrupted;
	}
	if (rc == EV_OK || r->npoints > 0) {
		int wrc = EV_OK;
		if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-")) {
			bench_bw_print(c->out, r);
			if (lat) {
				fprintf(c->out, "\n");
				bench_lat_bound_print(c->out, &lat->bound);
			}
		}
		if (v[O_JSON].set) {
			doc = json_result_new(c, "bw");
			cJSON_AddItemToObject(doc, "bw", bench_bw_json(r));
			if (lat)
				cJSON_AddItemToObject(doc, "latency", bench_lat_json(lat));
			wrc = cmd_write_json(c, doc, v[O_JSON].s);
			cJSON_Delete(doc);
		}
		if (rc == EV_OK)
			rc = wrc;
		if (rc == EV_OK && r->interrupted)
			rc = EV_ERR_INTERRUPTED;
		rc = cmd_verify_status(c, rc, bench_bw_failed(r) + (lat ? bench_lat_failed(lat) : 0));
	}
	bench_bw_free(r);
	free(r);
	if (lat)
		bench_lat_free(lat);
	free(lat);
	return rc;
}
