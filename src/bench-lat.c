/* src/bench-lat.c: the latency sweep, loaded latency, memory-level parallelism
 * and the Little's-law bound (docs/methodology.md, "Memory latency").
 * Working sets are placed like bw's (a point in every level's window, to 8x the
 * last-level cache); at each size the page kinds run one after the other, so
 * slow drift of a shared host touches both alike. The DRAM runs (MLP, loaded)
 * use the largest working set of the sweep with huge pages, so that they show
 * misses, not page walks. */
#include "bench-lat.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lat.h"
#include "probes.h"
#include "roofline.h"
#include "sysfs.h"
#include "timer.h"
#include "units.h"

static const int mlp_chains[EV_LAT_MAX_MLP] = {1, 2, 4, 8, 12, 16, 24, 32};
/* Spin iterations per 64 lines read: from full rate to a trickle. */
static const uint32_t delays_full[] = {0, 100, 200, 400, 800, 1600, 3200, 6400, 25600};
static const uint32_t delays_quick[] = {0, 400, 3200};

void bench_lat_defaults(struct ev_ctx *c, int quick, struct ev_lat_opts *o)
{
	const uint32_t *d = quick ? delays_quick : delays_full;
	int nd = quick ? (int)(sizeof delays_quick / sizeof *d) : (int)(sizeof delays_full / sizeof *d);
	memset(o, 0, sizeof *o);
	o->quick = quick;
	o->points_per_octave = quick ? 0 : 2;
	o->budget_s = quick ? 6 : 40;
	o->pages_mask = (1u << EV_PAGES_DEFAULT) | (1u << EV_PAGES_HUGE);
	o->mlp = 1;
	if (c->topo.cores > 1) {
		o->nload = nd;
		memcpy(o->load_delay, d, sizeof *d * (size_t)nd);
	}
	o->bound_read = 1;
}

void bench_lat_bound_opts(struct ev_ctx *c, struct ev_lat_opts *o)
{
	bench_lat_defaults(c, 1, o);
	o->pages_mask = 1u << EV_PAGES_HUGE;
	o->nload = c->topo.cores > 1;
	o->load_delay[0] = 0;
	o->bound_read = 0;
	o->dram_only = 1;
}

static double caps1(const struct ev_topo *t, double *caps)
{
	for (int i = 0; i < t->ncaches; i++)
		caps[i] = (double)topo_cache_capacity(t, &t->caches[i], 1);
	return t->ncaches ? caps[t->ncaches - 1] : 0;
}

/* The DRAM working set: 8x the last-level cache, at least 64 MiB. */
static uint64_t dram_ws(const struct ev_ctx *c, const struct ev_lat_opts *o)
{
	double caps[EV_MAX_CACHES], llc = caps1(&c->topo, caps);
	uint64_t ws = o->max_ws ? o->max_ws : (uint64_t)(8 * llc);
	if (!o->max_ws && ws < (64ull << 20))
		ws = 64ull << 20;
	return ws;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Sizes of the sweep, ascending: one per level's window (its top end, least
 * touched by the level below), plus a grid of points_per_octave. */
static int plan_sizes(const struct ev_ctx *c, const struct ev_lat_opts *o, uint64_t *ws, int max)
{
	double caps[EV_MAX_CACHES], lo, hi;
	const struct ev_topo *t = &c->topo;
	uint64_t mn, mx = dram_ws(c, o);
	int n = 0, m = 0;
	caps1(t, caps);
	if (o->single_ws || o->dram_only) {
		ws[0] = o->single_ws ? o->single_ws : mx;
		return 1;
	}
	mn = o->min_ws ? o->min_ws : (t->ncaches ? (uint64_t)(caps[0] / 4) : 16384);
	if (mn < 4096)
		mn = 4096;
	for (int l = 0; l < t->ncaches && n < max; l++)
		if (!roof_level_window(caps, t->ncaches, l, &lo, &hi) && hi >= (double)mn &&
		    hi <= (double)mx)
			ws[n++] = (uint64_t)hi;
	if (n < max)
		ws[n++] = mx;
	if (o->points_per_octave > 0)
		for (double s = (double)mn; s < (double)mx && n < max;
		     s *= pow(2.0, 1.0 / o->points_per_octave))
			ws[n++] = (uint64_t)s;
	qsort(ws, (size_t)n, sizeof *ws, cmp_u64);
	for (int i = 0; i < n; i++)
		if (m == 0 || (double)ws[i] > (double)ws[m - 1] * 1.04)
			ws[m++] = ws[i];
	return m;
}

/* One job: chains chases on thread 0 of the pool, the others loading. */
static int run_job(struct ev_ctx *c, struct ev_pool *pool, int nthreads, uint64_t ws,
		   enum ev_pages pages, int chains, uint32_t delay, double max_time,
		   struct ev_measurement *m, struct lat_out *out, uint64_t *ws_used, struct lat_cycle *keep)
{
	struct lat_params lp = {.chains = chains, .delay = delay, .load_ws = ws, .seed = 0x5eed + ws,
				.out = out, .keep = keep};
	struct ev_job j = {.probe = &ev_probe_lat, .cpu = &c->cpu, .params = &lp,
			   .nthreads = nthreads, .ws_bytes = ws, .pages = pages};
	struct ev_measure_opts mo = {
		.min_sample_s = 0.002,
		.max_time_s = max_time < 0.02 ? 0.02 : max_time,
		.min_reps = 5,
		.max_reps = EV_LAT_MAX_SAMPLES,
		.stable_rel = 0.01,
		.stop = c->stop,
	};
	int rc;
	memset(out, 0, sizeof *out);
	out->huge_fraction = -1;
	rc = driver_measure(pool, &j, &mo, m, &c->err);
	*ws_used = j.ws_bytes;
	return rc;
}

/* Seconds per link of one chase, per sample. */
static int link_times(const struct ev_measurement *m, int chains, double *v)
{
	double links = m->per_rep.ops / chains;
	int n = 0;
	for (int i = 0; i < m->nsamples && n < EV_LAT_MAX_SAMPLES; i++)
		if (links > 0)
			v[n++] = m->t_s[i] / links;
	return n;
}

static void note_status(const struct ev_measurement *m, int *status, char *reason, size_t len,
			int *interrupted)
{
	*status = m->status == EV_ERR_INTERRUPTED && m->nsamples ? EV_OK : m->status;
	snprintf(reason, len, "%s", m->reason);
	if (m->status == EV_ERR_INTERRUPTED)
		*interrupted = 1;
}

static void thp_mode(char *buf, size_t len)
{
	char raw[128], *a, *b;
	snprintf(buf, len, "unknown");
	if (sysfs_read("/sys/kernel/mm/transparent_hugepage/enabled", raw, sizeof raw))
		return;
	a = strchr(raw, '[');
	b = a ? strchr(a, ']') : NULL;
	if (a && b)
		snprintf(buf, len, "%.*s", (int)(b - a - 1), a + 1);
}

static void summarize(struct ev_ctx *c, struct ev_lat_result *r)
{
	const struct ev_topo *t = &c->topo;
	double caps[EV_MAX_CACHES], ws[EV_LAT_MAX_POINTS], y[EV_LAT_MAX_POINTS], lo, hi;
	int n = 0;
	enum ev_pages curve = r->opts.pages_mask & (1u << EV_PAGES_HUGE) ? EV_PAGES_HUGE
									  : EV_PAGES_DEFAULT;
	caps1(t, caps);
	r->nlevels = 0;
	for (int l = 0; l <= t->ncaches; l++) {
		struct ev_lat_level *L = &r->levels[r->nlevels];
		int any = 0;
		if (roof_level_window(caps, t->ncaches, l, &lo, &hi))
			continue;
		memset(L, 0, sizeof *L);
		for (int pg = 0; pg < 2; pg++) {
			L->point[pg] = -1;
			for (int i = 0; i < r->npoints; i++) {
				const struct ev_lat_point *p = &r->pts[i];
				if ((int)p->pages != pg || p->status != EV_OK || !p->nsamples ||
				    (double)p->ws_bytes <= lo || (double)p->ws_bytes > hi)
					continue;
				if (L->point[pg] < 0 || p->ws_bytes > r->pts[L->point[pg]].ws_bytes)
					L->point[pg] = i;
			}
			any |= L->point[pg] >= 0;
		}
		if (!any)
			continue;
		if (l < t->ncaches)
			snprintf(L->name, sizeof L->name, "L%d", t->caches[l].level);
		else
			snprintf(L->name, sizeof L->name, "DRAM");
		L->capacity_bytes = l < t->ncaches ? caps[l] : 0;
		L->ws_lo = lo;
		L->ws_hi = hi;
		r->nlevels++;
	}
	for (int i = 0; i < r->npoints; i++)
		if (r->pts[i].pages == curve && r->pts[i].status == EV_OK && r->pts[i].nsamples) {
			ws[n] = (double)r->pts[i].ws_bytes;
			y[n++] = r->pts[i].lat.median;
		}
	/* latency steps are large (x2-x10 per level): a coarser tolerance than bw's */
	if (n > 2)
		bench_curve_plateaus(c, 1, ws, y, n, 0.3, &r->plateaus, &r->nplateaus);
}

void bench_lat_bound(struct ev_lat_result *r, int cores, double read_one, double read_all,
		     const char *read_source)
{
	struct ev_lat_bound *b = &r->bound;
	double bw[EV_LAT_MAX_MLP];
	int k, idle = -1;
	memset(b, 0, sizeof *b);
	b->cores = cores > 0 ? cores : 1;
	b->read_one = read_one;
	b->read_all = read_all;
	snprintf(b->read_source, sizeof b->read_source, "%s", read_source ? read_source : "");
	for (int i = 0; i < r->nmlp; i++) {
		bw[i] = r->mlp[i].status == EV_OK ? r->mlp[i].bw : 0;
		if (r->mlp[i].chains == 1 && r->mlp[i].status == EV_OK)
			idle = i;
	}
	k = roof_mlp_knee(bw, r->nmlp, 0.9);
	if (k < 0 || idle < 0) {
		snprintf(b->reason, sizeof b->reason,
			 "needs the chase-count sweep at the DRAM working set (one chase and more)");
		return;
	}
	b->mlp = r->mlp[k].chains;
	for (int i = 0; i < r->nmlp; i++)
		if (bw[i] > b->best_chase_bw)
			b->best_chase_bw = bw[i];
	b->lat_idle_s = r->mlp[idle].lat.median;
	b->lat_loaded_s = b->lat_idle_s;
	for (int i = 0; i < r->nloads; i++)
		if (r->loads[i].delay == 0 && r->loads[i].status == EV_OK) {
			b->lat_loaded_s = r->loads[i].lat.median;
			b->loaded = 1;
		}
	b->one_core = roof_little_bw(b->mlp, LAT_LINE, b->lat_idle_s);
	b->all_cores = b->cores * roof_little_bw(b->mlp, LAT_LINE, b->lat_loaded_s);
	b->valid = b->one_core > 0;
}

static int fits(struct ev_ctx *c, uint64_t bytes, const char *what)
{
	char a[32], b[32];
	if (bytes <= c->topo.mem_avail_bytes / 10 * 8)
		return EV_OK;
	units_fmt_bytes(a, sizeof a, (double)bytes);
	return ev_fail(&c->err, EV_ERR_USAGE,
		       "%s does not fit: it needs %s, %s available (MemAvailable), eaves uses at most 80%%",
		       what, a, units_fmt_bytes(b, sizeof b, (double)c->topo.mem_avail_bytes));
}

/* The DRAM read bandwidth the bound is compared with, 1 and all threads. */
static int measure_read(struct ev_ctx *c, struct ev_lat_result *r)
{
	double one = 0, all = 0;
	int rc = EV_OK;
	for (int pass = 0; pass < 2 && rc == EV_OK && !r->interrupted; pass++) {
		int T = pass ? c->topo.cores : 1;
		struct ev_bw_result *br = calloc(1, sizeof *br);
		if (!br)
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		if (pass && T <= 1) {
			free(br);
			break;
		}
		rc = bench_bw_read(c, T, 1, 1, br);
		if (rc == EV_OK && br->npoints && br->pts[0].status == EV_OK && br->pts[0].nsamples)
			*(pass ? &all : &one) = br->pts[0].bw.median;
		r->interrupted |= br->interrupted;
		bench_bw_free(br);
		free(br);
	}
	bench_lat_bound(r, c->topo.cores, one, c->topo.cores > 1 ? all : one,
			"measured by this command: bw read kernel, DRAM working set");
	return rc;
}

int bench_lat(struct ev_ctx *c, const struct ev_lat_opts *o, struct ev_lat_result *r)
{
	double t_start = timer_now();
	uint64_t ws[EV_LAT_MAX_POINTS], used;
	int nws, rc = EV_OK, total, done = 0, cores = c->topo.cores > 0 ? c->topo.cores : 1;
	struct ev_pool *pool = NULL;
	struct ev_measurement *m = calloc(1, sizeof *m);
	struct lat_out out;
	struct lat_cycle keep;
	struct ev_lat_opts oo = *o;
	if (!m)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	memset(r, 0, sizeof *r);
	memset(&keep, 0, sizeof keep);
	r->opts = oo;
	r->kernel = lat_kernel_name();
	thp_mode(r->thp, sizeof r->thp);
	nws = plan_sizes(c, &oo, ws, EV_LAT_MAX_POINTS / 2);
	r->dram_ws = oo.single_ws ? oo.single_ws : dram_ws(c, &oo);
	/* the kept DRAM cycle and one more chase (lines + their order, 1/16) at once */
	if ((rc = fits(c, (ws[nws - 1] + r->dram_ws) / 16 * 17, "the largest chase"))) {
		free(m);
		return rc;
	}
	/* loaded latency: the kept cycle and one DRAM-sized buffer per loader; on a
	 * small board that does not fit, it is skipped with the reason, the rest runs */
	if (oo.nload && r->dram_ws / 16 * 17 + r->dram_ws * (uint64_t)(cores - 1) >
			       c->topo.mem_avail_bytes / 10 * 8) {
		char a[32];
		snprintf(r->load_note, sizeof r->load_note,
			 "loaded latency skipped: %d buffers of %s do not fit in 80%% of MemAvailable",
			 cores, units_fmt_bytes(a, sizeof a, (double)r->dram_ws));
		oo.nload = 0;
	}
	/* the clock, for cycles */
	if (oo.clock && oo.clock->status == EV_OK && oo.clock->n1 > 0) {
		r->clock_hz = oo.clock->one.median;
		snprintf(r->clock_source, sizeof r->clock_source, "measured in this run (dependent adds)");
	} else {
		struct ev_clock_result *clk = calloc(1, sizeof *clk);
		if (clk && bench_clock(c, 1, clk) == EV_OK && clk->status == EV_OK && clk->n1 > 0) {
			r->clock_hz = clk->one.median;
			snprintf(r->clock_source, sizeof r->clock_source,
				 "measured by this command (dependent adds)");
		}
		free(clk);
	}
	total = nws * __builtin_popcount(oo.pages_mask & 3u) + (oo.mlp ? EV_LAT_MAX_MLP : 0) + oo.nload;

	if ((rc = pool_create(&pool, &c->topo, 1, &c->err)))
		goto out;
	for (int s = 0; s < nws && !r->interrupted; s++)
		for (int pg = 0; pg < 2 && !r->interrupted; pg++) {
			struct ev_lat_point *p;
			double left = oo.budget_s - (timer_now() - t_start);
			char a[32];
			if (!(oo.pages_mask & (1u << pg)))
				continue;
			ctx_progress(c, "latency: %d/%d %10s, %s pages", ++done, total,
				     units_fmt_bytes(a, sizeof a, (double)ws[s]), pg ? "huge" : "4 KiB");
			/* the DRAM cycle with huge pages is kept for the MLP and loaded runs */
			if ((rc = run_job(c, pool, 1, ws[s], (enum ev_pages)pg, 1, 0,
					  left / (total - done + 1) * 0.5, m, &out, &used,
					  ws[s] == r->dram_ws && pg == EV_PAGES_HUGE ? &keep : NULL)))
				goto out;
			p = &r->pts[r->npoints];
			memset(p, 0, sizeof *p);
			p->pages = (enum ev_pages)pg;
			p->ws_bytes = used;
			p->iters = m->iters;
			p->links_per_rep = m->per_rep.ops;
			p->huge_fraction = out.huge_fraction;
			note_status(m, &p->status, p->reason, sizeof p->reason, &r->interrupted);
			p->nsamples = link_times(m, 1, p->t_s);
			if (p->nsamples)
				stats_compute(p->t_s, (size_t)p->nsamples, 0, &p->lat);
			if (p->status != EV_ERR_INTERRUPTED)
				r->npoints++;
		}
	/* memory-level parallelism: k chases at the DRAM working set */
	for (int i = 0; i < EV_LAT_MAX_MLP && oo.mlp && !r->interrupted; i++) {
		struct ev_lat_mlp *q = &r->mlp[r->nmlp];
		ctx_progress(c, "latency: %d/%d memory-level parallelism, %d chases", ++done, total,
			     mlp_chains[i]);
		if ((rc = run_job(c, pool, 1, r->dram_ws, EV_PAGES_HUGE, mlp_chains[i], 0, 0.5, m,
				  &out, &used, &keep)))
			goto out;
		memset(q, 0, sizeof *q);
		q->chains = mlp_chains[i];
		note_status(m, &q->status, q->reason, sizeof q->reason, &r->interrupted);
		if (m->nsamples) {
			double v[EV_LAT_MAX_SAMPLES];
			int n = link_times(m, q->chains, v);
			stats_compute(v, (size_t)n, 0, &q->lat);
			q->bw = q->chains * LAT_LINE / q->lat.median;
		}
		if (q->status != EV_ERR_INTERRUPTED)
			r->nmlp++;
	}
	pool_destroy(pool);
	pool = NULL;
	/* loaded latency: thread 0 chases, the other cores read */
	if (oo.nload && cores > 1 && !r->interrupted) {
		if ((rc = pool_create(&pool, &c->topo, cores, &c->err)))
			goto out;
		for (int i = 0; i < oo.nload && !r->interrupted; i++) {
			struct ev_lat_load *q = &r->loads[r->nloads];
			ctx_progress(c, "latency: %d/%d loaded, delay %u", ++done, total, oo.load_delay[i]);
			if ((rc = run_job(c, pool, cores, r->dram_ws, EV_PAGES_HUGE, 1, oo.load_delay[i],
					  0.3, m, &out, &used, &keep)))
				goto out;
			memset(q, 0, sizeof *q);
			q->delay = oo.load_delay[i];
			q->loaders = cores - 1;
			note_status(m, &q->status, q->reason, sizeof q->reason, &r->interrupted);
			if (m->nsamples) {
				double v[EV_LAT_MAX_SAMPLES];
				int n = link_times(m, 1, v);
				stats_compute(v, (size_t)n, 0, &q->lat);
				/* each loader's own rate, summed */
				q->load_bw = out.seconds > 0 ? out.bytes / (out.seconds / out.loaders) : 0;
			}
			if (q->status != EV_ERR_INTERRUPTED)
				r->nloads++;
		}
	}
out:
	pool_destroy(pool);
	lat_cycle_free(&keep);
	ctx_progress_done(c);
	free(m);
	summarize(c, r);
	if (rc == EV_OK && oo.bound_read && !r->interrupted && !(c->stop && *c->stop))
		rc = measure_read(c, r);
	else
		bench_lat_bound(r, cores, 0, 0, NULL);
	if (c->stop && *c->stop)
		r->interrupted = 1;
	r->elapsed_s = timer_now() - t_start;
	return rc;
}

int bench_lat_failed(const struct ev_lat_result *r)
{
	int n = 0;
	for (int i = 0; i < r->npoints; i++)
		n += r->pts[i].status == EV_ERR_VERIFY;
	for (int i = 0; i < r->nmlp; i++)
		n += r->mlp[i].status == EV_ERR_VERIFY;
	for (int i = 0; i < r->nloads; i++)
		n += r->loads[i].status == EV_ERR_VERIFY;
	return n;
}

void bench_lat_free(struct ev_lat_result *r)
{
	free(r->plateaus);
	r->plateaus = NULL;
	r->nplateaus = 0;
}

static const char *pages_name(int pg)
{
	return pg == EV_PAGES_HUGE ? "huge" : "4k";
}

static void lat_stats_json(cJSON *q, const struct ev_stats *s, double clock_hz)
{
	json_num(q, "latency_best_s", s->best);
	json_num(q, "latency_median_s", s->median);
	json_num(q, "latency_p95_s", s->p95);
	json_num(q, "spread_rel", s->spread_rel);
	if (clock_hz > 0)
		json_num(q, "latency_median_cycles", s->median * clock_hz);
}

cJSON *bench_lat_bound_json(const struct ev_lat_bound *b)
{
	cJSON *q = cJSON_CreateObject();
	json_str(q, "source", "computed (Little's law) from the measured figures named here");
	json_str(q, "status", b->valid ? "ok" : "unavailable");
	if (!b->valid) {
		json_str(q, "reason", b->reason);
		return q;
	}
	json_str(q, "rule", "bandwidth <= lines in flight x 64 B / latency");
	json_num(q, "mlp_lines", b->mlp);
	json_str(q, "mlp_source", "measured: the fewest independent chases reaching 90% of the best "
				  "chase bandwidth (median of the three highest) at the DRAM working set");
	json_num(q, "best_chase_bytes_per_s", b->best_chase_bw);
	json_num(q, "latency_idle_s", b->lat_idle_s);
	json_num(q, "latency_loaded_s", b->lat_loaded_s);
	json_str(q, "latency_loaded_source", b->loaded ? "measured: one chase while every other core reads at full rate"
						       : "the idle latency (one core: nothing to load it with)");
	json_num(q, "cores", b->cores);
	json_num(q, "bound_one_core_bytes_per_s", b->one_core);
	json_num(q, "bound_all_cores_bytes_per_s", b->all_cores);
	if (b->read_one > 0) {
		json_num(q, "measured_read_one_core_bytes_per_s", b->read_one);
		json_num(q, "measured_read_all_cores_bytes_per_s", b->read_all);
		json_str(q, "measured_read_source", b->read_source);
		json_num(q, "measured_over_bound_one_core", b->read_one / b->one_core);
		json_num(q, "measured_over_bound_all_cores", b->read_all / b->all_cores);
	}
	return q;
}

cJSON *bench_lat_json(const struct ev_lat_result *r)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	json_str(o, "status", r->interrupted ? "interrupted" : "ok");
	if (r->interrupted)
		json_str(o, "reason", "interrupted by the user; the points measured are kept");
	json_str(o, "source", "measured");
	json_str(o, "method", "dependent loads over one random cycle of 64-byte lines");
	json_str(o, "kernel", r->kernel);
	json_str(o, "thp_mode", r->thp);
	json_num(o, "elapsed_s", r->elapsed_s);
	if (r->clock_hz > 0) {
		json_num(o, "clock_hz", r->clock_hz);
		json_str(o, "clock_source", r->clock_source);
	}
	json_num(o, "dram_ws_bytes", (double)r->dram_ws);
	arr = cJSON_AddArrayToObject(o, "points");
	for (int i = 0; i < r->npoints; i++) {
		const struct ev_lat_point *p = &r->pts[i];
		cJSON *q = cJSON_CreateObject(), *s;
		json_num(q, "ws_bytes", (double)p->ws_bytes);
		json_str(q, "pages", pages_name(p->pages));
		json_str(q, "status", ev_measure_status_name(p->status));
		if (p->status != EV_OK) {
			json_str(q, "reason", p->reason);
		} else {
			if (p->huge_fraction >= 0)
				json_num(q, "huge_page_fraction", p->huge_fraction);
			json_num(q, "links_per_rep", p->links_per_rep);
			lat_stats_json(q, &p->lat, r->clock_hz);
			s = cJSON_AddArrayToObject(q, "samples_s_per_link");
			for (int k = 0; k < p->nsamples; k++)
				cJSON_AddItemToArray(s, cJSON_CreateNumber(p->t_s[k]));
		}
		cJSON_AddItemToArray(arr, q);
	}
	arr = cJSON_AddArrayToObject(o, "levels");
	for (int i = 0; i < r->nlevels; i++) {
		const struct ev_lat_level *L = &r->levels[i];
		for (int pg = 0; pg < 2; pg++) {
			const struct ev_lat_point *p;
			cJSON *q;
			if (L->point[pg] < 0)
				continue;
			p = &r->pts[L->point[pg]];
			q = cJSON_CreateObject();
			json_str(q, "level", L->name);
			json_str(q, "pages", pages_name(pg));
			json_num(q, "capacity_bytes", L->capacity_bytes);
			json_num(q, "ws_bytes", (double)p->ws_bytes);
			lat_stats_json(q, &p->lat, r->clock_hz);
			json_num(q, "samples", p->nsamples);
			json_str(q, "source", "measured");
			cJSON_AddItemToArray(arr, q);
		}
	}
	arr = cJSON_AddArrayToObject(o, "plateaus");
	for (int i = 0; i < r->nplateaus; i++) {
		cJSON *q = cJSON_CreateObject();
		bench_plateau_json(q, &r->plateaus[i], "latency_median_s");
		cJSON_AddItemToArray(arr, q);
	}
	arr = cJSON_AddArrayToObject(o, "mlp");
	for (int i = 0; i < r->nmlp; i++) {
		const struct ev_lat_mlp *q0 = &r->mlp[i];
		cJSON *q = cJSON_CreateObject();
		json_num(q, "chains", q0->chains);
		json_str(q, "status", ev_measure_status_name(q0->status));
		if (q0->status != EV_OK) {
			json_str(q, "reason", q0->reason);
		} else {
			lat_stats_json(q, &q0->lat, r->clock_hz);
			json_num(q, "bw_bytes_per_s", q0->bw);
		}
		cJSON_AddItemToArray(arr, q);
	}
	if (r->load_note[0])
		json_str(o, "loaded_skipped", r->load_note);
	arr = cJSON_AddArrayToObject(o, "loaded");
	for (int i = 0; i < r->nloads; i++) {
		const struct ev_lat_load *q0 = &r->loads[i];
		cJSON *q = cJSON_CreateObject();
		json_num(q, "delay", q0->delay);
		json_num(q, "loaders", q0->loaders);
		json_str(q, "status", ev_measure_status_name(q0->status));
		if (q0->status != EV_OK) {
			json_str(q, "reason", q0->reason);
		} else {
			lat_stats_json(q, &q0->lat, r->clock_hz);
			json_num(q, "load_bw_bytes_per_s", q0->load_bw);
		}
		cJSON_AddItemToArray(arr, q);
	}
	cJSON_AddItemToObject(o, "bound", bench_lat_bound_json(&r->bound));
	return o;
}

static void print_lat(FILE *f, const struct ev_stats *s, double hz)
{
	fprintf(f, " %8.1f ns", s->median * 1e9);
	if (hz > 0)
		fprintf(f, " %7.0f cyc", s->median * hz);
	else
		fprintf(f, " %11s", "-");
	fprintf(f, " %6.1f%%", 100 * s->spread_rel);
}

void bench_lat_bound_print(FILE *f, const struct ev_lat_bound *b)
{
	if (!b->valid) {
		fprintf(f, "Little's-law bound: unavailable: %s\n", b->reason);
		return;
	}
	fprintf(f,
		"Little's-law bound (computed: lines in flight x 64 B / latency):\n"
		"  misses in flight per core (measured, chase sweep): %d\n"
		"  DRAM latency: %.1f ns idle, %.1f ns %s\n"
		"  one core:  %.1f GB/s bound", b->mlp, b->lat_idle_s * 1e9, b->lat_loaded_s * 1e9,
		b->loaded ? "with the other cores reading at full rate" : "(no other core to load)",
		b->one_core / 1e9);
	if (b->read_one > 0)
		fprintf(f, ", %.1f GB/s measured read (%.0f%% of the bound)", b->read_one / 1e9,
			100 * b->read_one / b->one_core);
	fprintf(f, "\n  %d core(s): %.1f GB/s bound", b->cores, b->all_cores / 1e9);
	if (b->read_all > 0)
		fprintf(f, ", %.1f GB/s measured read (%.0f%% of the bound)", b->read_all / 1e9,
			100 * b->read_all / b->all_cores);
	fprintf(f, "\n");
	if (b->read_one > 1.1 * b->one_core || b->read_all > 1.1 * b->all_cores)
		fprintf(f, "  measured above the bound: streaming reads get more lines in flight than "
			   "dependent demand misses (hardware prefetchers)\n");
}

void bench_lat_print(FILE *f, const struct ev_lat_result *r)
{
	char a[32];
	fprintf(f, "Memory latency (dependent loads, random cycle of 64 B lines; kernel %s; THP %s;"
		   " clock %.2f GHz %s)\n",
		r->kernel, r->thp, r->clock_hz / 1e9, r->clock_hz > 0 ? "measured" : "unknown");
	fprintf(f, "level pages          ws      median      cycles  spread\n");
	for (int i = 0; i < r->nlevels; i++)
		for (int pg = 0; pg < 2; pg++) {
			const struct ev_lat_point *p;
			if (r->levels[i].point[pg] < 0)
				continue;
			p = &r->pts[r->levels[i].point[pg]];
			fprintf(f, "%-5s %-5s %11s", r->levels[i].name, pg ? "huge" : "4k",
				units_fmt_bytes(a, sizeof a, (double)p->ws_bytes));
			print_lat(f, &p->lat, r->clock_hz);
			fprintf(f, "\n");
		}
	for (int i = 0; i < r->nlevels; i++) {
		const struct ev_lat_level *L = &r->levels[i];
		if (L->point[0] >= 0 && L->point[1] >= 0)
			fprintf(f, "%s: 4 KiB pages cost %+.1f ns per load over huge pages (TLB misses)\n",
				L->name,
				(r->pts[L->point[0]].lat.median - r->pts[L->point[1]].lat.median) * 1e9);
	}
	for (int i = 0; i < r->npoints; i++)
		if (r->pts[i].status == EV_ERR_VERIFY)
			fprintf(f, "FAILED VERIFICATION: latency at %s: %s\n",
				units_fmt_bytes(a, sizeof a, (double)r->pts[i].ws_bytes), r->pts[i].reason);
	if (r->nplateaus > 1)
		fprintf(f, "Knees of the latency curve (%s pages) vs hwloc cache sizes:\n",
			r->opts.pages_mask & (1u << EV_PAGES_HUGE) ? "huge" : "4 KiB");
	for (int i = 0; i < r->nplateaus && r->nplateaus > 1; i++) {
		const struct ev_bw_plateau *P = &r->plateaus[i];
		char b[32], d[32];
		if (!(P->knee_bytes > 0))
			continue;
		fprintf(f, "  %.1f ns up to %s; knee at %s, nearest %s (%s): %s\n", P->median * 1e9,
			units_fmt_bytes(a, sizeof a, P->ws_hi), units_fmt_bytes(b, sizeof b, P->knee_bytes),
			P->level, units_fmt_bytes(d, sizeof d, P->level_capacity_bytes),
			P->agrees ? "agrees" : "DISAGREES (both reported)");
	}
	if (r->nmlp) {
		fprintf(f, "\nIndependent chases at %s (huge pages):\nchases  latency/link   GB/s\n",
			units_fmt_bytes(a, sizeof a, (double)r->dram_ws));
		for (int i = 0; i < r->nmlp; i++)
			if (r->mlp[i].status == EV_OK)
				fprintf(f, "%6d %10.1f ns %7.2f\n", r->mlp[i].chains,
					r->mlp[i].lat.median * 1e9, r->mlp[i].bw / 1e9);
			else
				fprintf(f, "%6d %s: %s\n", r->mlp[i].chains,
					ev_measure_status_name(r->mlp[i].status), r->mlp[i].reason);
	}
	if (r->load_note[0])
		fprintf(f, "\n%s\n", r->load_note);
	if (r->nloads) {
		fprintf(f, "\nLoaded latency (one chase, %d core(s) reading):\n"
			   "  delay  load GB/s    latency\n",
			r->loads[0].loaders);
		for (int i = 0; i < r->nloads; i++)
			if (r->loads[i].status == EV_OK)
				fprintf(f, "%7u %10.2f %8.1f ns\n", r->loads[i].delay,
					r->loads[i].load_bw / 1e9, r->loads[i].lat.median * 1e9);
			else
				fprintf(f, "%7u %s: %s\n", r->loads[i].delay,
					ev_measure_status_name(r->loads[i].status), r->loads[i].reason);
	}
	fprintf(f, "\n");
	bench_lat_bound_print(f, &r->bound);
	if (r->interrupted)
		fprintf(f, "interrupted: the points measured so far are kept\n");
}
