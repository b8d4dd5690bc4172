/* src/cmd-characterize.c: `eaves characterize`: measure everything once and
 * write one results folder (result.json, roofline.{dat,gp,png,svg}, report.md)
 * that any later command can re-read on another machine. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench-decode.h"
#include "bench-lat.h"
#include "flops.h"
#include "bench-sustain.h"
#include "bench.h"
#include "bench-gpu.h"
#include "cmds.h"
#include "config.h"
#include "decode-plot.h"
#include "latency-plot.h"
#include "devices.h"
#include "json.h"
#include "markdown.h"
#include "models.h"
#include "opt.h"
#include "plot.h"
#include "result.h"
#include "ridges.h"
#include "sustain-plot.h"
#include "timer.h"
#include "units.h"

enum { O_QUICK, O_FULL, O_PROFILE, O_DEVICE, O_OUT, O_ISA, O_NODECODE, O_JSON, O_COUNTERS,
       O_GPUSW, O_NOGPU, O__N };
static const struct ev_opt opts[O__N] = {
	[O_QUICK] = {"quick", EV_OPT_FLAG, NULL, "the quick profile: about a minute"},
	[O_FULL] = {"full", EV_OPT_FLAG, NULL, "the full profile: dense sweep, every weight format"},
	[O_PROFILE] = {"profile", EV_OPT_STR, "NAME|FILE", "a run profile (configs/profiles)", "default"},
	[O_DEVICE] = {"device", EV_OPT_STR, "NAME|FILE", "compare every ceiling with this datasheet"},
	[O_OUT] = {"out", EV_OPT_STR, "DIR", "parent folder of the results folder", "results"},
	[O_ISA] = {"isa", EV_OPT_STR, "NAME", "use only kernels within this feature set: generic, avx2, avx512, avx512vnni, neon, dotprod... (eaves info lists them)"},
	[O_NODECODE] = {"no-decode", EV_OPT_FLAG, NULL, "skip the decode runs"},
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "also write result.json to FILE ('-' = stdout)"},
	[O_COUNTERS] = EV_OPT_COUNTERS,
	[O_GPUSW] = {"gpu-software", EV_OPT_FLAG, NULL,
		     "also measure software Vulkan devices (lavapipe: the CPU again)"},
	[O_NOGPU] = {"no-gpu", EV_OPT_FLAG, NULL, "skip the GPUs"},
};

struct profile {
	char name[32];
	int bw_quick, bw_ppo, fl_quick, has_decode;
	double bw_budget, bw_max;
	int lat_skip, lat_quick;
	double lat_budget, lat_max;
	char model[1024], quant[96], ctx[96];
	int prompt, tokens, ctx_tokens;
	int has_sustain, sus_kernel;
	double sus_duration, sus_interval;
};

/* A whole number field of a profile within [lo, hi] (absent: left as is). */
static int get_int(const cJSON *o, const char *key, int *out, int required, int lo, int hi,
		   const char *path, const char *sect, struct ev_err *e)
{
	double v = NAN;
	char where[1200];
	snprintf(where, sizeof where, "%s: %s", path, sect);
	if (json_get_num(o, key, &v, required, where, e))
		return EV_ERR_USAGE;
	if (isnan(v))
		return EV_OK;
	if (!(v >= lo && v <= hi) || v != floor(v))
		return ev_fail(e, EV_ERR_USAGE, "%s: field '%s.%s': %g is not a whole number in %d..%d",
			       path, sect, key, v, lo, hi);
	*out = (int)v;
	return EV_OK;
}

static int load_profile(const char *name, struct profile *p, struct ev_err *e)
{
	char path[1200];
	cJSON *d = NULL;
	const cJSON *bw, *fl, *dec;
	const char *s;
	double v;
	int rc;
	memset(p, 0, sizeof *p);
	if (strchr(name, '/') || strstr(name, ".json"))
		snprintf(path, sizeof path, "%s", name);
	else
		snprintf(path, sizeof path, "%s/profiles/%s.json", config_dir(), name);
	if ((rc = json_read_file(path, &d, e)))
		return rc;
	rc = EV_ERR_USAGE;
	s = NULL;
	if (json_get_str(d, "schema", &s, 1, path, e))
		goto out;
	if (strcmp(s, "eaves.profile")) {
		ev_fail(e, EV_ERR_USAGE, "%s: field 'schema': '%s' is not 'eaves.profile'", path, s);
		goto out;
	}
	if (json_get_str(d, "name", &s, 1, path, e))
		goto out;
	snprintf(p->name, sizeof p->name, "%s", s);
	bw = cJSON_GetObjectItemCaseSensitive(d, "bw");
	fl = cJSON_GetObjectItemCaseSensitive(d, "flops");
	dec = cJSON_GetObjectItemCaseSensitive(d, "decode");
	p->bw_quick = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(bw, "quick"));
	p->fl_quick = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fl, "quick"));
	if (get_int(bw, "points_per_octave", &p->bw_ppo, 0, 1, 64, path, "bw", e))
		goto out;
	v = 0;
	if (json_get_num(bw, "budget_s", &v, 0, path, e))
		goto out;
	if (!(v >= 0 && v <= 86400)) {
		ev_fail(e, EV_ERR_USAGE, "%s: field 'bw.budget_s': %g is not 0 to 86400 seconds", path, v);
		goto out;
	}
	p->bw_budget = v;
	v = 0;
	if (json_get_range(bw, "max_size_bytes", &v, 0, 0, 1e15, path, e))
		goto out;
	if (v > 0 && v < 65536) {
		ev_fail(e, EV_ERR_USAGE, "%s: field 'bw.max_size_bytes': %g is below 65536", path, v);
		goto out;
	}
	p->bw_max = v;
	{
		/* latency: absent = the quick sweep; "skip": true leaves it out */
		const cJSON *lat = cJSON_GetObjectItemCaseSensitive(d, "latency");
		double b = 0, mx = 0;
		p->lat_quick = !cJSON_IsObject(lat) || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lat, "quick"));
		p->lat_skip = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lat, "skip"));
		if (json_get_range(lat, "budget_s", &b, 0, 0, 86400, path, e) ||
		    json_get_range(lat, "max_size_bytes", &mx, 0, 0, 1e15, path, e))
			goto out;
		if (mx > 0 && mx < 4096) {
			ev_fail(e, EV_ERR_USAGE, "%s: field 'latency.max_size_bytes': %g is below 4096", path, mx);
			goto out;
		}
		p->lat_budget = b;
		p->lat_max = mx;
	}
	if (cJSON_IsObject(dec)) {
		const char *mo = NULL, *qu = NULL, *cx = NULL;
		if (json_get_str(dec, "model", &mo, 1, path, e) || json_get_str(dec, "quant", &qu, 1, path, e) ||
		    json_get_str(dec, "ctx", &cx, 1, path, e) ||
		    get_int(dec, "prompt", &p->prompt, 1, 1, EV_DEC_MAX_PROMPT, path, "decode", e) ||
		    get_int(dec, "tokens", &p->tokens, 1, 1, EV_DEC_MAX_TOKENS, path, "decode", e) ||
		    get_int(dec, "ctx_tokens", &p->ctx_tokens, 1, 1, EV_DEC_MAX_CTX_TOKENS, path, "decode", e))
			goto out;
		if (strlen(mo) >= 512 || strlen(qu) >= sizeof p->quant || strlen(cx) >= sizeof p->ctx) {
			ev_fail(e, EV_ERR_USAGE, "%s: decode.model, .quant or .ctx is too long", path);
			goto out;
		}
		p->has_decode = 1;
		/* a model file named by a relative path sits next to the profile */
		if (mo[0] != '/' && (strchr(mo, '/') || strstr(mo, ".json")) && strrchr(path, '/'))
			snprintf(p->model, sizeof p->model, "%.*s/%s", (int)(strrchr(path, '/') - path), path, mo);
		else
			snprintf(p->model, sizeof p->model, "%s", mo);
		snprintf(p->quant, sizeof p->quant, "%s", qu);
		snprintf(p->ctx, sizeof p->ctx, "%s", cx);
	}
	{
		/* sustain: absent = no sustained run */
		const cJSON *su = cJSON_GetObjectItemCaseSensitive(d, "sustain");
		const char *k = "decode";
		if (cJSON_IsObject(su) && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(su, "skip"))) {
			p->sus_duration = 60;
			p->sus_interval = 1;
			if (json_get_str(su, "kernel", &k, 0, path, e) ||
			    json_get_range(su, "duration_s", &p->sus_duration, 0, 1, 86400, path, e) ||
			    json_get_range(su, "interval_s", &p->sus_interval, 0, 0.05, 3600, path, e))
				goto out;
			p->sus_kernel = !strcmp(k, "decode") ? EV_SUS_DECODE : !strcmp(k, "read") ? EV_SUS_READ
				       : !strcmp(k, "fp32") ? EV_SUS_FP32 : -1;
			if (p->sus_kernel < 0) {
				ev_fail(e, EV_ERR_USAGE, "%s: field 'sustain.kernel': '%.40s' is not decode, read or fp32",
					path, k);
				goto out;
			}
			if (p->sus_interval * 2 > p->sus_duration) {
				ev_fail(e, EV_ERR_USAGE, "%s: field 'sustain.interval_s': two windows must fit in duration_s",
					path);
				goto out;
			}
			if (p->sus_kernel == EV_SUS_DECODE && !p->has_decode) {
				ev_fail(e, EV_ERR_USAGE, "%s: field 'sustain.kernel': decode needs a 'decode' section", path);
				goto out;
			}
			p->has_sustain = 1;
		}
	}
	rc = EV_OK;
out:
	cJSON_Delete(d);
	return rc;
}

int cmd_check_profile(const char *path, struct ev_err *e)
{
	struct profile p;
	return load_profile(path, &p, e);
}

/* results/<host>-<UTC time>[-N]: never an existing folder. */
static int make_folder(const char *parent, const char *host, char *out, size_t len, struct ev_err *e)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
	if (mkdir(parent, 0755) && errno != EEXIST)
		return ev_fail(e, EV_ERR_RUNTIME, "cannot create '%s': %s", parent, strerror(errno));
	for (int n = 1; n < 100; n++) {
		int w = n == 1 ? snprintf(out, len, "%s/%s-%s", parent, host, ts)
			       : snprintf(out, len, "%s/%s-%s-%d", parent, host, ts, n);
		if (w < 0 || (size_t)w + 16 >= len) /* room for "/result.json" */
			return ev_fail(e, EV_ERR_USAGE, "--out '%.60s...': the path is longer than %zu bytes",
				       parent, len - 40);
		if (!mkdir(out, 0755))
			return EV_OK;
		if (errno != EEXIST)
			return ev_fail(e, EV_ERR_RUNTIME, "cannot create '%s': %s", out, strerror(errno));
	}
	return ev_fail(e, EV_ERR_RUNTIME, "cannot find a free folder name under '%s'", parent);
}

/* The profile's decode settings, checked (with the options' own checks)
 * before anything is measured. */
static int decode_opts(struct ev_ctx *c, const struct profile *p, struct ev_decode_opts *o)
{
	struct ev_decode_text t = {.model = p->model, .quant = p->quant, .ctx = p->ctx, .prompt = p->prompt,
				   .tokens = p->tokens, .ctx_tokens = p->ctx_tokens};
	char src[64];
	memset(o, 0, sizeof *o);
	snprintf(src, sizeof src, "profile %s: decode.", p->name);
	o->threads = topo_fast_cores(&c->topo); /* hybrid: the fastest kind, then a check on all */
	if (o->threads < c->topo.cores)
		o->all_cores = c->topo.cores;
	o->seed = 1;
	o->quick = !strcmp(p->name, "quick");
	return bench_decode_opts_parse(c, &t, src, o);
}

static int run_decode(struct ev_ctx *c, const struct ev_decode_opts *dopt,
		      const struct ev_device *dev, const struct ev_flops_result *fl, cJSON *doc,
		      struct ev_decode_result *dr)
{
	struct ev_decode_opts o = *dopt;
	struct rep_result *r = calloc(1, sizeof *r);
	int rc;
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	/* The peaks the prefill is compared with: the flops step's, on the same threads. */
	for (int i = 0; fl && i < fl->npeaks; i++) {
		const struct ev_flops_peak *pk = &fl->peaks[i];
		if (pk->threads == o.threads && pk->entry >= 0 && pk->entry < fl->nentries) {
			o.peak_given[pk->prec] = fl->e[pk->entry].rate.median;
			snprintf(o.peak_given_kernel[pk->prec], sizeof o.peak_given_kernel[pk->prec], "%s",
				 flops_table[fl->e[pk->entry].kernel].name);
		}
	}
	/* The ceiling: the DRAM read bandwidth measured a moment ago in this run. */
	if (rep_load(doc, "(this run)", r, &c->err) == EV_OK) {
		const struct rep_mem *m = rep_mem_find(r, "DRAM", o.threads);
		if (m) {
			o.bw_best = m->best;
			o.bw_median = m->median;
			snprintf(o.bw_source, sizeof o.bw_source,
				 "measured in this run: bw sweep, read kernel, %d threads", m->threads);
		}
	}
	if (dev && dev->peak_bw_bytes_per_s > 0) {
		o.ds_bw = dev->peak_bw_bytes_per_s;
		snprintf(o.ds_name, sizeof o.ds_name, "%s", dev->name);
		snprintf(o.ds_basis, sizeof o.ds_basis, "%s", dev->bw_basis);
	}
	rc = bench_decode(c, &o, dr);
	if (rc == EV_OK || dr->nruns > 0)
		cJSON_AddItemToObject(doc, "decode", bench_decode_json(dr));
	free(r);
	return rc;
}

/* One characterize run: what the steps share. */
struct run {
	struct profile p;
	struct ev_device *dev;
	struct ev_decode_opts dopt;
	struct ev_clock_result clk;
	struct ev_bw_result *bwr;
	struct ev_flops_result *flr;
	struct ev_lat_result *latr;
	struct ev_decode_result *dr;
	cJSON *doc;
	char folder[1200];
	double t0;
	int gpu_software, no_gpu;
};

/* Each step adds its section to run->doc. A step returns an error only for a
 * failure of eaves itself; what was measured before is still written. It sets
 * *stop when later steps must not run (interrupted, or nothing to build on). */
static int step_clock(struct ev_ctx *c, struct run *R, int *stop)
{
	int rc = bench_clock(c, R->p.bw_quick, &R->clk);
	if (rc == EV_OK)
		cJSON_AddItemToObject(R->doc, "clock", bench_clock_json(&R->clk));
	*stop = rc != EV_OK;
	return rc;
}

static int step_bw(struct ev_ctx *c, struct run *R, int *stop)
{
	struct ev_bw_opts bo;
	int rc;
	bench_bw_defaults(c, R->p.bw_quick, &bo);
	if (R->p.bw_ppo > 0)
		bo.points_per_octave = R->p.bw_ppo;
	if (R->p.bw_budget > 0)
		bo.budget_s = R->p.bw_budget;
	if (R->p.bw_max > 0)
		bo.max_ws = (uint64_t)R->p.bw_max;
	rc = bench_bw(c, &bo, R->bwr);
	if (R->bwr->npoints > 0)
		cJSON_AddItemToObject(R->doc, "bw", bench_bw_json(R->bwr));
	*stop = rc != EV_OK || R->bwr->interrupted;
	if (rc == EV_OK && !*stop && c->topo.nkinds > 1 && R->bwr->npoints > 0) {
		/* hybrid CPU: each kind's own read bandwidth (per-cluster rooflines) */
		struct ev_bw_kind k[EV_MAX_KINDS];
		int nk = 0;
		rc = bench_bw_kinds(c, R->p.bw_quick, 0, k, &nk);
		if (nk > 0)
			cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(R->doc, "bw"), "per_core_kind",
					      bench_bw_kinds_json(k, nk));
		*stop = rc != EV_OK || (c->stop && *c->stop);
	}
	return rc;
}

static int step_latency(struct ev_ctx *c, struct run *R, int *stop)
{
	struct ev_lat_opts lo;
	int rc, cores = c->topo.cores > 0 ? c->topo.cores : 1;
	bench_lat_defaults(c, R->p.lat_quick, &lo);
	lo.clock = &R->clk;
	lo.bound_read = 0; /* the sweep just measured it */
	if (R->p.lat_budget > 0)
		lo.budget_s = R->p.lat_budget;
	if (R->p.lat_max > 0)
		lo.max_ws = (uint64_t)R->p.lat_max;
	rc = bench_lat(c, &lo, R->latr);
	bench_lat_bound(R->latr, cores, bench_bw_dram_read(R->bwr, 1),
			bench_bw_dram_read(R->bwr, cores),
			"measured in this run: bw sweep, read kernel, DRAM level");
	if (R->latr->npoints > 0)
		cJSON_AddItemToObject(R->doc, "latency", bench_lat_json(R->latr));
	*stop = rc != EV_OK || R->latr->interrupted;
	return rc;
}

static int want_latency(const struct run *R)
{
	return !R->p.lat_skip;
}

static int step_flops(struct ev_ctx *c, struct run *R, int *stop)
{
	struct ev_flops_opts fo;
	struct rep_result *r;
	cJSON *fl;
	int rc;
	bench_flops_defaults(c, R->p.fl_quick, &fo);
	fo.clock = &R->clk;
	rc = bench_flops(c, &fo, R->flr);
	*stop = rc != EV_OK || R->flr->interrupted;
	if (R->flr->nentries == 0)
		return rc;
	fl = bench_flops_json(R->flr);
	cJSON_AddItemToObject(R->doc, "flops", fl);
	r = calloc(1, sizeof *r);
	if (r && rep_load(R->doc, "(this run)", r, &c->err) == EV_OK)
		cJSON_AddItemToObject(fl, "ridges", rep_ridges_json(r, r, "measured in this run"));
	free(r);
	return rc;
}

static int step_decode(struct ev_ctx *c, struct run *R, int *stop)
{
	int rc = run_decode(c, &R->dopt, R->dev, R->flr, R->doc, R->dr);
	*stop = 0;
	if (rc == EV_ERR_USAGE) {
		/* e.g. the model does not fit: keep the roofline, say why */
		fprintf(c->log, "eaves characterize: decode skipped: %s\n", c->err.msg);
		json_str(R->doc, "decode_skipped", c->err.msg);
		rc = EV_OK;
	}
	return rc;
}

static int want_decode(const struct run *R)
{
	return R->p.has_decode;
}

/* A short sustained run (the full profile): the decode model's first format,
 * or a bandwidth or FLOP kernel. */
static int step_sustain(struct ev_ctx *c, struct run *R, int *stop)
{
	struct ev_sustain_opts o;
	struct ev_sustain_result *r = calloc(1, sizeof *r);
	int rc;
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	memset(&o, 0, sizeof o);
	o.workload = R->p.sus_kernel;
	o.duration_s = R->p.sus_duration;
	o.interval_s = R->p.sus_interval;
	o.idle_s = o.duration_s >= 8 ? 2 : o.duration_s / 4;
	o.threads = c->topo.cores > 0 ? c->topo.cores : 1;
	if (o.workload == EV_SUS_DECODE) {
		o.dec = R->dopt;
		o.dec.ntypes = 1;
		o.dec.all_cores = 0;
		o.threads = R->dopt.threads;
	}
	rc = bench_sustain(c, &o, r);
	if (r->nwin > 0)
		cJSON_AddItemToObject(R->doc, "sustain", bench_sustain_json(r));
	*stop = rc != EV_OK || r->interrupted;
	if (rc == EV_ERR_USAGE) {
		fprintf(c->log, "eaves characterize: sustained run skipped: %s\n", c->err.msg);
		json_str(R->doc, "sustain_skipped", c->err.msg);
		rc = EV_OK;
		*stop = 0;
	}
	bench_sustain_free(r);
	free(r);
	return rc;
}

static int want_sustain(const struct run *R)
{
	return R->p.has_sustain;
}

/* The decode step of the profile's model (or file) on GPU i, as the GPU
 * result's `decode`: its matrices against the GPU's own read bandwidth. */
static int gpu_decode_into(struct ev_ctx *c, struct run *R, int i, cJSON *gj)
{
	struct ev_gpu_decode_result *d = calloc(1, sizeof *d);
	int rc;
	if (!d)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	rc = bench_gpu_decode(c, i, &R->dopt.shape, R->dopt.types, R->dopt.ntypes,
			      R->dopt.gguf ? R->dopt.file.path : NULL, R->dopt.gguf ? R->dopt.file.label : NULL,
			      R->p.bw_quick, d);
	if (rc == EV_OK)
		cJSON_AddItemToObject(gj, "decode", bench_gpu_decode_json(d));
	else if (rc == EV_ERR_UNSUPPORTED || rc == EV_ERR_USAGE) { /* e.g. a format the GPU step lacks */
		cJSON *o = cJSON_AddObjectToObject(gj, "decode");
		json_str(o, "status", "skipped");
		json_str(o, "reason", c->err.msg);
		rc = EV_OK;
	}
	free(d);
	return rc;
}

/* Every usable Vulkan device (software renderers only with --gpu-software):
 * bandwidth and FMA peaks, and with a decode profile the decode step on it,
 * in `gpus` (the list, with what was skipped) and `gpu_results[]`. */
static int step_gpus(struct ev_ctx *c, struct run *R, int *stop)
{
	struct ev_gpu_list l;
	cJSON *arr = NULL;
	int rc = EV_OK;
	*stop = 0;
	gpu_list(&l);
	cJSON_AddItemToObject(R->doc, "gpus", bench_gpu_list_json(&l));
	for (int i = 0; i < l.n && rc == EV_OK && !(c->stop && *c->stop); i++) {
		struct ev_gpu_result *g;
		if (!strcmp(l.dev[i].type, "cpu") && !R->gpu_software)
			continue;
		if (!(g = calloc(1, sizeof *g)))
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		rc = bench_gpu(c, i, (1u << EV_GPU__KERNELS) - 1, 0, R->p.bw_quick, g);
		if (rc == EV_OK) {
			cJSON *gj = bench_gpu_json(g);
			if (!arr)
				arr = cJSON_AddArrayToObject(R->doc, "gpu_results");
			cJSON_AddItemToArray(arr, gj);
			if (g->status == EV_OK && !g->interrupted && want_decode(R) && !(c->stop && *c->stop))
				rc = gpu_decode_into(c, R, i, gj);
		}
		*stop = g->interrupted;
		free(g);
	}
	if (rc != EV_OK) { /* a GPU that fails is no reason to lose the CPU's figures */
		fprintf(c->log, "eaves characterize: GPU step: %s\n", c->err.msg);
		json_str(R->doc, "gpu_error", c->err.msg);
		rc = EV_OK;
	}
	return rc;
}

static int want_gpus(const struct run *R)
{
	return !R->no_gpu;
}

static const struct {
	const char *what;
	int (*run)(struct ev_ctx *c, struct run *R, int *stop);
	int (*wanted)(const struct run *R); /* NULL: always */
} steps[] = {
	{"clock", step_clock, NULL},
	{"memory bandwidth", step_bw, NULL},
	{"memory latency", step_latency, want_latency},
	{"peak FLOP/s", step_flops, NULL},
	{"LLM decode", step_decode, want_decode},
	{"sustained run", step_sustain, want_sustain},
	{"GPUs", step_gpus, want_gpus},
};
#define NSTEPS (sizeof steps / sizeof steps[0])

/* result.json first (atomically), then the plots and the report made from it:
 * whatever the later files meet, the measurements are on disk. */
static int write_folder(struct ev_ctx *c, struct run *R, const char *json_opt, int rc)
{
	char path[1400], *md = NULL;
	struct rep_result *r = calloc(1, sizeof *r);
	struct plot_out po = {0};
	const struct rep_result *one[1];
	struct ev_err pe = {0};
	int wrc;
	ctx_progress_done(c);
	json_num(R->doc, "elapsed_s", timer_now() - R->t0);
	json_result_state_after(R->doc);
	if (c->stop && *c->stop)
		json_str(R->doc, "status", "interrupted");
	snprintf(path, sizeof path, "%s/result.json", R->folder);
	if ((wrc = json_write_file(R->doc, path, &c->err))) {
		free(r);
		return rc ? rc : wrc;
	}
	if (r && rep_load(R->doc, path, r, &pe) == EV_OK) {
		struct plot_out lp;
		one[0] = r;
		snprintf(path, sizeof path, "%s/roofline", R->folder);
		if (plot_roofline(one, 1, path, &po, &pe) != EV_OK)
			snprintf(po.note, sizeof po.note, "%s", pe.msg);
		if (plot_latency(r, R->folder, "latency", &lp, &pe) != EV_OK)
			fprintf(c->log, "eaves characterize: latency plot: %s\n", pe.msg);
	}
	if (cJSON_GetObjectItemCaseSensitive(R->doc, "decode")) {
		struct plot_out dp;
		if (plot_decode(R->doc, R->folder, "decode", &dp, &pe) != EV_OK)
			fprintf(c->log, "eaves characterize: decode plots: %s\n", pe.msg);
	}
	if (cJSON_GetObjectItemCaseSensitive(R->doc, "sustain")) {
		struct plot_out sp;
		if (plot_sustain(R->doc, R->folder, "sustain", &sp, &pe) != EV_OK)
			fprintf(c->log, "eaves characterize: sustain plot: %s\n", pe.msg);
	}
	if (md_report(R->doc, po.rendered ? "roofline.png" : NULL, po.note, &md, &pe) == EV_OK) {
		snprintf(path, sizeof path, "%s/report.md", R->folder);
		if (file_write_atomic(path, md, strlen(md), &pe))
			fprintf(c->log, "eaves characterize: %s\n", pe.msg);
	}
	free(md);
	free(r);
	if (json_opt && (wrc = cmd_write_json(c, R->doc, json_opt)) && !rc)
		rc = wrc;
	if (!json_opt || strcmp(json_opt, "-")) {
		fprintf(c->out, "results: %s/ (result.json, report.md, roofline.*) in %.0f s\n", R->folder,
			timer_now() - R->t0);
		fprintf(c->out, "plot: %s\n", po.note);
		if (R->bwr->nlevels)
			bench_bw_print(c->out, R->bwr);
		if (R->latr->npoints)
			bench_lat_print(c->out, R->latr);
		if (R->flr->npeaks)
			bench_flops_print(c->out, R->flr);
		if (R->dr->nruns)
			bench_decode_print(c->out, R->dr);
	}
	return rc;
}

static void add_device(cJSON *doc, const struct ev_device *dev)
{
	cJSON *d = cJSON_AddObjectToObject(doc, "device");
	json_str(d, "id", dev->id);
	json_str(d, "name", dev->name);
	json_num(d, "peak_bw_bytes_per_s", dev->peak_bw_bytes_per_s > 0 ? dev->peak_bw_bytes_per_s : NAN);
	json_str(d, "bw_basis", dev->bw_basis);
	json_num(d, "peak_fp32_flop_per_s",
		 dev->peak_fp32_flop_per_s > 0 ? dev->peak_fp32_flop_per_s : NAN);
	json_str(d, "peak_fp32_basis", "derived: cores x FLOP/cycle x max clock");
	json_str(d, "source", "datasheet (configs/devices)");
}

/* Everything that can be refused is refused here, before a folder exists. */
static int prepare(struct ev_ctx *c, struct ev_optval *v, struct run *R)
{
	const char *pname = v[O_QUICK].set ? "quick" : v[O_FULL].set ? "full" : v[O_PROFILE].s;
	int rc;
	if (v[O_QUICK].set && v[O_FULL].set)
		return ev_fail(&c->err, EV_ERR_USAGE, "characterize: --quick and --full exclude each other");
	if ((rc = load_profile(pname, &R->p, &c->err)))
		return rc;
	if (v[O_NODECODE].set)
		R->p.has_decode = 0;
	R->gpu_software = v[O_GPUSW].set;
	R->no_gpu = v[O_NOGPU].set;
	if ((rc = ctx_machine(c)) || (rc = cmd_apply_isa(c, v[O_ISA].set ? v[O_ISA].s : NULL)) ||
	    (rc = cmd_apply_counters(c, v[O_COUNTERS].set ? v[O_COUNTERS].s : NULL)))
		return rc;
	if (v[O_DEVICE].set) {
		if (!(R->dev = calloc(1, sizeof *R->dev)))
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		if ((rc = devices_load(v[O_DEVICE].s, R->dev, &c->err)))
			return rc;
	}
	if (R->p.has_decode && (rc = decode_opts(c, &R->p, &R->dopt)))
		return rc;
	R->bwr = calloc(1, sizeof *R->bwr);
	R->flr = calloc(1, sizeof *R->flr);
	R->dr = calloc(1, sizeof *R->dr);
	R->latr = calloc(1, sizeof *R->latr);
	if (!R->bwr || !R->flr || !R->dr || !R->latr)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	return EV_OK;
}

static int failed_checks(const struct run *R)
{
	return (R->clk.status == EV_ERR_VERIFY) + bench_bw_failed(R->bwr) + bench_lat_failed(R->latr) +
	       bench_flops_failed(R->flr) -
	       (R->flr->clock.status == EV_ERR_VERIFY) + bench_decode_failed(R->dr);
}

int cmd_characterize(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1], host[128] = "host";
	int npos, help, rc, n = 0, k = 0;
	struct run *R = calloc(1, sizeof *R);
	if (!R)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	R->t0 = timer_now();
	if ((rc = opt_parse("characterize", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		goto out;
	if (help) {
		opt_print_help(stdout, "characterize", "[--quick|--full] [--device NAME|FILE] [--out DIR]",
			       "Measure this machine's roofline (clock, bandwidth per level, peaks per\n"
			       "precision, ridge points) and its LLM decode speed, then write\n"
			       "results/<host>-<UTC time>/ with result.json, roofline.png/.svg (and the\n"
			       ".dat/.gp they come from) and report.md. Never overwrites a folder.",
			       NULL, opts, O__N);
		goto out;
	}
	if ((rc = prepare(c, v, R)))
		goto out;
	gethostname(host, sizeof host - 1);
	for (char *h = host; *h; h++)
		if (*h == '/' || *h == ' ')
			*h = '_';
	if ((rc = make_folder(v[O_OUT].s, host, R->folder, sizeof R->folder, &c->err)))
		goto out;
	fprintf(c->log, "eaves characterize: profile %s, results in %s\n", R->p.name, R->folder);
	R->doc = json_result_new(c, "characterize");
	json_str(R->doc, "profile", R->p.name);
	if (R->dev)
		add_device(R->doc, R->dev);
	for (size_t i = 0; i < NSTEPS; i++)
		n += !steps[i].wanted || steps[i].wanted(R);
	for (size_t i = 0; i < NSTEPS; i++) {
		int stop = 0;
		if (steps[i].wanted && !steps[i].wanted(R))
			continue;
		ctx_progress_done(c);
		fprintf(c->log, "[%d/%d] %s (%.0f s elapsed)\n", ++k, n, steps[i].what,
			timer_now() - R->t0);
		rc = steps[i].run(c, R, &stop);
		if (rc || stop)
			break;
	}
	rc = write_folder(c, R, v[O_JSON].set ? v[O_JSON].s : NULL, rc);
	if (rc == EV_OK && c->stop && *c->stop)
		rc = EV_ERR_INTERRUPTED;
	rc = cmd_verify_status(c, rc, failed_checks(R));
out:
	cJSON_Delete(R->doc);
	free(R->dev);
	if (R->bwr)
		bench_bw_free(R->bwr);
	free(R->bwr);
	free(R->flr);
	free(R->dr);
	if (R->latr)
		bench_lat_free(R->latr);
	free(R->latr);
	free(R);
	return rc;
}
