/* reports/result.c: result JSON -> roofs. Unknown fields are ignored (newer
 * files stay readable), wrong types are errors naming file and field. */
#include "result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

static void copy_str(char *dst, size_t len, const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	if (cJSON_IsString(it))
		snprintf(dst, len, "%s", it->valuestring);
}

static int load_levels(const cJSON *bw, const char *path, struct rep_result *r, struct ev_err *e)
{
	const cJSON *levels = cJSON_GetObjectItemCaseSensitive(bw, "levels"), *it;
	int i = 0;
	if (!levels)
		return EV_OK;
	if (!cJSON_IsArray(levels))
		return ev_fail(e, EV_ERR_USAGE, "%s: field 'bw.levels': not a list", path);
	cJSON_ArrayForEach(it, levels)
	{
		struct rep_mem *m;
		const char *lvl = NULL, *k = NULL;
		double thr = 0, best = 0;
		char where[600];
		snprintf(where, sizeof where, "%s: bw.levels[%d]", path, i++);
		double med = 0, spread = 0;
		if (json_get_str(it, "level", &lvl, 1, where, e) ||
		    json_get_str(it, "kernel", &k, 1, where, e) ||
		    json_get_range(it, "threads", &thr, 1, 1, REP_MAX_THREADS, where, e) ||
		    json_get_range(it, "bw_best_bytes_per_s", &best, 1, REP_MIN_RATE, REP_MAX_RATE, where, e) ||
		    json_get_range(it, "bw_median_bytes_per_s", &med, 0, 0, REP_MAX_RATE, where, e) ||
		    json_get_range(it, "spread_rel", &spread, 0, 0, 1e6, where, e))
			return EV_ERR_USAGE;
		if (r->nmem >= REP_MAX)
			return ev_fail(e, EV_ERR_USAGE, "%s: more than %d entries; eaves reads at most %d",
				       where, REP_MAX, REP_MAX);
		m = &r->mem[r->nmem++];
		snprintf(m->level, sizeof m->level, "%s", lvl);
		snprintf(m->kernel, sizeof m->kernel, "%s", k);
		m->threads = (int)thr;
		m->best = best;
		m->median = med;
		m->spread = spread;
		if (m->threads > r->threads_max)
			r->threads_max = m->threads;
	}
	return EV_OK;
}

static int load_peaks(const cJSON *fl, const char *path, struct rep_result *r, struct ev_err *e)
{
	const cJSON *peaks = cJSON_GetObjectItemCaseSensitive(fl, "peaks"), *it;
	int i = 0;
	if (!peaks)
		return EV_OK;
	if (!cJSON_IsArray(peaks))
		return ev_fail(e, EV_ERR_USAGE, "%s: field 'flops.peaks': not a list", path);
	cJSON_ArrayForEach(it, peaks)
	{
		struct rep_peak *p;
		const char *prec = NULL;
		double thr = 0, best = 0, med = 0, spread = 0, theo = 0;
		char where[600];
		snprintf(where, sizeof where, "%s: flops.peaks[%d]", path, i++);
		if (json_get_str(it, "precision", &prec, 1, where, e) ||
		    json_get_range(it, "threads", &thr, 1, 1, REP_MAX_THREADS, where, e) ||
		    json_get_range(it, "best_flop_per_s", &best, 1, REP_MIN_RATE, REP_MAX_RATE, where, e) ||
		    json_get_range(it, "median_flop_per_s", &med, 0, 0, REP_MAX_RATE, where, e) ||
		    json_get_range(it, "spread_rel", &spread, 0, 0, 1e6, where, e) ||
		    json_get_range(it, "theoretical_flop_per_s", &theo, 0, 0, REP_MAX_RATE, where, e))
			return EV_ERR_USAGE;
		if (r->npeak >= REP_MAX)
			return ev_fail(e, EV_ERR_USAGE, "%s: more than %d entries; eaves reads at most %d",
				       where, REP_MAX, REP_MAX);
		p = &r->peak[r->npeak++];
		snprintf(p->prec, sizeof p->prec, "%s", prec);
		copy_str(p->kernel, sizeof p->kernel, it, "kernel");
		p->threads = (int)thr;
		p->best = best;
		p->median = med;
		p->spread = spread;
		p->theoretical = theo;
		if (p->threads > r->threads_max)
			r->threads_max = p->threads;
	}
	return EV_OK;
}

static int load_points(const cJSON *dec, const char *path, struct rep_result *r,
		       struct ev_err *e)
{
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(dec, "runs"), *it;
	int i = 0;
	cJSON_ArrayForEach(it, runs)
	{
		struct rep_point *p;
		const cJSON *model = cJSON_GetObjectItemCaseSensitive(it, "model");
		const cJSON *quant = cJSON_GetObjectItemCaseSensitive(it, "quant");
		double in = 0, perf = 0, tps = 0, ceil = 0;
		char where[600];
		snprintf(where, sizeof where, "%s: decode.runs[%d]", path, i++);
		if (json_get_range(it, "intensity_flop_per_byte", &in, 0, 0, 1e9, where, e) ||
		    json_get_range(it, "achieved_flop_per_s", &perf, 0, 0, REP_MAX_RATE, where, e) ||
		    json_get_range(it, "tokens_per_s", &tps, 0, 0, 1e9, where, e) ||
		    json_get_range(it, "ceiling_tokens_per_s", &ceil, 0, 0, 1e12, where, e))
			return EV_ERR_USAGE;
		if (in <= 0)
			continue; /* an interrupted run: no point on the roofline */
		if (r->npts >= REP_MAX)
			return ev_fail(e, EV_ERR_USAGE, "%s: decode.runs: more than %d entries; eaves "
				       "reads at most %d", path, REP_MAX, REP_MAX);
		p = &r->pts[r->npts++];
		snprintf(p->label, sizeof p->label, "%s %s",
			 cJSON_IsString(model) ? model->valuestring : "?",
			 cJSON_IsString(quant) ? quant->valuestring : "?");
		p->intensity = in;
		p->perf = perf;
		p->tok_per_s = tps;
		p->ceiling_tok_per_s = ceil;
	}
	return EV_OK;
}

/* One latency entry: level (or none), pages, working set, median, spread. */
static int load_lat_entry(const cJSON *it, const char *where, int want_level, struct rep_lat *l,
			  struct ev_err *e)
{
	const char *lvl = "", *pg = NULL;
	double ws = 0, med = 0, spread = 0;
	if ((want_level && json_get_str(it, "level", &lvl, 1, where, e)) ||
	    json_get_str(it, "pages", &pg, 1, where, e) ||
	    json_get_range(it, "ws_bytes", &ws, 1, 64, 1e18, where, e) ||
	    json_get_range(it, "latency_median_s", &med, 1, REP_MIN_LAT, REP_MAX_LAT, where, e) ||
	    json_get_range(it, "spread_rel", &spread, 0, 0, 1e6, where, e))
		return EV_ERR_USAGE;
	if (strcmp(pg, "4k") && strcmp(pg, "huge"))
		return ev_fail(e, EV_ERR_USAGE, "%s: field 'pages': '%.20s' is not '4k' or 'huge'", where, pg);
	memset(l, 0, sizeof *l);
	snprintf(l->level, sizeof l->level, "%s", lvl);
	snprintf(l->pages, sizeof l->pages, "%s", pg);
	l->ws_bytes = ws;
	l->median_s = med;
	l->spread = spread;
	return EV_OK;
}

static int too_many(const char *where, struct ev_err *e)
{
	return ev_fail(e, EV_ERR_USAGE, "%s: more than %d entries; eaves reads at most %d", where,
		       REP_MAX, REP_MAX);
}

static int load_latency(const cJSON *lat, const char *path, struct rep_result *r, struct ev_err *e)
{
	const cJSON *it, *b;
	char where[600];
	int i;
	if (!lat)
		return EV_OK;
	if (!cJSON_IsObject(lat))
		return ev_fail(e, EV_ERR_USAGE, "%s: field 'latency': not an object", path);
	snprintf(where, sizeof where, "%s: latency", path);
	if (json_get_range(lat, "clock_hz", &r->lat_clock_hz, 0, 0, 1e11, where, e))
		return EV_ERR_USAGE;
	i = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(lat, "levels"))
	{
		snprintf(where, sizeof where, "%s: latency.levels[%d]", path, i++);
		if (r->nlat >= REP_MAX)
			return too_many(where, e);
		if (load_lat_entry(it, where, 1, &r->lat[r->nlat], e))
			return EV_ERR_USAGE;
		r->nlat++;
	}
	i = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(lat, "points"))
	{
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(it, "status");
		snprintf(where, sizeof where, "%s: latency.points[%d]", path, i++);
		if (!cJSON_IsString(st) || strcmp(st->valuestring, "ok"))
			continue; /* skipped or failed: no figure */
		if (r->nlatpts >= REP_MAX)
			return too_many(where, e);
		if (load_lat_entry(it, where, 0, &r->latpts[r->nlatpts], e))
			return EV_ERR_USAGE;
		r->nlatpts++;
	}
	i = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(lat, "loaded"))
	{
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(it, "status");
		struct rep_loaded *q;
		snprintf(where, sizeof where, "%s: latency.loaded[%d]", path, i++);
		if (!cJSON_IsString(st) || strcmp(st->valuestring, "ok"))
			continue;
		if (r->nloaded >= REP_MAX)
			return too_many(where, e);
		q = &r->loaded[r->nloaded];
		if (json_get_range(it, "load_bw_bytes_per_s", &q->load_bw, 1, 0, REP_MAX_RATE, where, e) ||
		    json_get_range(it, "latency_median_s", &q->median_s, 1, REP_MIN_LAT, REP_MAX_LAT, where, e))
			return EV_ERR_USAGE;
		r->nloaded++;
	}
	b = cJSON_GetObjectItemCaseSensitive(lat, "bound");
	snprintf(where, sizeof where, "%s: latency.bound", path);
	if (cJSON_IsObject(b) && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(b, "status")) &&
	    !strcmp(cJSON_GetObjectItemCaseSensitive(b, "status")->valuestring, "ok")) {
		struct rep_bound *q = &r->bound;
		double mlp = 0, cores = 0;
		if (json_get_range(b, "mlp_lines", &mlp, 1, 1, 1e6, where, e) ||
		    json_get_range(b, "cores", &cores, 1, 1, REP_MAX_THREADS, where, e) ||
		    json_get_range(b, "latency_idle_s", &q->lat_idle_s, 1, REP_MIN_LAT, REP_MAX_LAT, where, e) ||
		    json_get_range(b, "latency_loaded_s", &q->lat_loaded_s, 1, REP_MIN_LAT, REP_MAX_LAT, where, e) ||
		    json_get_range(b, "bound_one_core_bytes_per_s", &q->one_core, 1, REP_MIN_RATE, REP_MAX_RATE, where, e) ||
		    json_get_range(b, "bound_all_cores_bytes_per_s", &q->all_cores, 1, REP_MIN_RATE, REP_MAX_RATE, where, e) ||
		    json_get_range(b, "measured_read_one_core_bytes_per_s", &q->read_one, 0, 0, REP_MAX_RATE, where, e) ||
		    json_get_range(b, "measured_read_all_cores_bytes_per_s", &q->read_all, 0, 0, REP_MAX_RATE, where, e))
			return EV_ERR_USAGE;
		q->mlp = (int)mlp;
		q->cores = (int)cores;
		q->valid = 1;
	}
	return EV_OK;
}

const struct rep_lat *rep_lat_find(const struct rep_result *r, const char *level, const char *pages)
{
	for (int i = 0; i < r->nlat; i++)
		if (!strcmp(r->lat[i].level, level) && !strcmp(r->lat[i].pages, pages))
			return &r->lat[i];
	return NULL;
}

/* One GPU section (status ok or interrupted; others carry no figures). */
/* A GPU's decode step (`decode` of a gpu_results[] entry): its runs as points
 * ("GPU step model quant") beside the CPU's decode runs. */
static int load_gpu_decode(const cJSON *d, const char *where, struct rep_result *r, struct ev_err *e)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "status"), *it;
	const char *model = "?";
	int i = 0;
	if (!d || !cJSON_IsString(st) || strcmp(st->valuestring, "ok"))
		return EV_OK;
	if (json_get_str(d, "model", &model, 0, where, e))
		return EV_ERR_USAGE;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d, "runs"))
	{
		const cJSON *rs = cJSON_GetObjectItemCaseSensitive(it, "status");
		const char *quant = "?";
		double in = 0, perf = 0, sps = 0, ceil = 0;
		char w[700];
		snprintf(w, sizeof w, "%s.decode.runs[%d]", where, i++);
		if (!cJSON_IsString(rs) || strcmp(rs->valuestring, "ok"))
			continue;
		if (json_get_str(it, "quant", &quant, 1, w, e) ||
		    json_get_range(it, "intensity_flop_per_byte", &in, 1, 1e-3, 1e9, w, e) ||
		    json_get_range(it, "achieved_flop_per_s", &perf, 1, 0, REP_MAX_RATE, w, e) ||
		    json_get_range(it, "steps_per_s_median", &sps, 1, 0, 1e9, w, e) ||
		    json_get_range(it, "ceiling_steps_per_s", &ceil, 0, 0, 1e12, w, e))
			return EV_ERR_USAGE;
		if (r->npts >= REP_MAX)
			return ev_fail(e, EV_ERR_USAGE, "%s.decode.runs: more than %d decode runs in the result; "
				       "eaves reads at most %d", where, REP_MAX, REP_MAX);
		{
			struct rep_point *p = &r->pts[r->npts++];
			snprintf(p->label, sizeof p->label, "GPU step %.40s %.20s", model, quant);
			p->intensity = in;
			p->perf = perf;
			p->tok_per_s = sps;
			p->ceiling_tok_per_s = ceil;
			p->gpu = 1;
		}
	}
	return EV_OK;
}

static int load_gpu(const cJSON *g, const char *where, struct rep_result *r, struct ev_err *e)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(g, "status"), *k;
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(g, "device");
	struct rep_gpu *q;
	int i = 0;
	if (!cJSON_IsObject(g))
		return ev_fail(e, EV_ERR_USAGE, "%s: not an object", where);
	if (!cJSON_IsString(st) || (strcmp(st->valuestring, "ok") && strcmp(st->valuestring, "interrupted")))
		return EV_OK;
	if (r->ngpu >= REP_MAX_GPUS)
		return ev_fail(e, EV_ERR_USAGE, "%s: more than %d GPUs; eaves reads at most %d", where,
			       REP_MAX_GPUS, REP_MAX_GPUS);
	q = &r->gpu[r->ngpu];
	memset(q, 0, sizeof *q);
	copy_str(q->name, sizeof q->name, dev, "name");
	copy_str(q->type, sizeof q->type, dev, "type");
	cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(g, "kernels"))
	{
		const char *kn = NULL;
		const cJSON *ks = cJSON_GetObjectItemCaseSensitive(k, "status");
		double best = 0;
		char w[700];
		snprintf(w, sizeof w, "%s.kernels[%d]", where, i++);
		if (json_get_str(k, "kernel", &kn, 1, w, e))
			return EV_ERR_USAGE;
		if (!cJSON_IsString(ks) || strcmp(ks->valuestring, "ok"))
			continue;
		if (!strcmp(kn, "read")) {
			if (json_get_range(k, "bw_best_bytes_per_s", &best, 1, REP_MIN_RATE, REP_MAX_RATE, w, e))
				return EV_ERR_USAGE;
			q->read = best;
		} else if (!strcmp(kn, "fp32_fma") || !strcmp(kn, "fp16_fma") || !strcmp(kn, "int8_dot")) {
			if (json_get_range(k, "best_flop_per_s", &best, 1, REP_MIN_RATE, REP_MAX_RATE, w, e))
				return EV_ERR_USAGE;
			*(kn[0] == 'i' ? &q->int8 : kn[2] == '3' ? &q->fp32 : &q->fp16) = best;
		} else if (!strcmp(kn, "coopmat_f16") || !strcmp(kn, "coopmat_f16_f32")) {
			if (json_get_range(k, "best_flop_per_s", &best, 1, REP_MIN_RATE, REP_MAX_RATE, w, e))
				return EV_ERR_USAGE;
			if (best > q->coop)
				q->coop = best;
		}
	}
	if (q->read > 0 || q->fp32 > 0 || q->fp16 > 0 || q->int8 > 0 || q->coop > 0)
		r->ngpu++;
	return load_gpu_decode(cJSON_GetObjectItemCaseSensitive(g, "decode"), where, r, e);
}

static int load_gpus(const cJSON *doc, const char *path, struct rep_result *r, struct ev_err *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "gpu_results"), *it;
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(doc, "gpu");
	char where[600];
	int i = 0;
	if (arr && !cJSON_IsArray(arr))
		return ev_fail(e, EV_ERR_USAGE, "%s: field 'gpu_results': not a list", path);
	cJSON_ArrayForEach(it, arr)
	{
		snprintf(where, sizeof where, "%s: gpu_results[%d]", path, i++);
		if (load_gpu(it, where, r, e))
			return EV_ERR_USAGE;
	}
	snprintf(where, sizeof where, "%s: gpu", path);
	return one ? load_gpu(one, where, r, e) : EV_OK;
}

int rep_load(const cJSON *doc, const char *path, struct rep_result *r, struct ev_err *e)
{
	const char *schema = NULL;
	double ver = 0;
	const cJSON *m, *cpu, *topo, *clk, *one;
	memset(r, 0, sizeof *r);
	snprintf(r->path, sizeof r->path, "%s", path);
	if (json_get_str(doc, "schema", &schema, 1, path, e) ||
	    json_get_num(doc, "schema_version", &ver, 1, path, e))
		return EV_ERR_USAGE;
	if (strcmp(schema, "eaves.result"))
		return ev_fail(e, EV_ERR_USAGE, "%s: field 'schema': '%s' is not an eaves result", path,
			       schema);
	if (ver > 1)
		return ev_fail(e, EV_ERR_USAGE,
			       "%s: schema_version %g is newer than this eaves understands (1)", path,
			       ver);
	if (ver < 1 || ver != (int)ver)
		return ev_fail(e, EV_ERR_USAGE, "%s: schema_version %g is not a version (1)", path, ver);
	copy_str(r->command, sizeof r->command, doc, "command");
	copy_str(r->host, sizeof r->host, doc, "host");
	copy_str(r->created, sizeof r->created, doc, "created_utc");
	{
		const cJSON *dev = cJSON_GetObjectItemCaseSensitive(doc, "device");
		if (cJSON_IsObject(dev)) {
			copy_str(r->device, sizeof r->device, dev, "name");
			copy_str(r->ds_basis, sizeof r->ds_basis, dev, "bw_basis");
			char where[600];
			snprintf(where, sizeof where, "%s: device", path);
			if (json_get_range(dev, "peak_bw_bytes_per_s", &r->ds_bw, 0, 0, REP_MAX_RATE, where, e) ||
			    json_get_range(dev, "peak_fp32_flop_per_s", &r->ds_fp32, 0, 0, REP_MAX_RATE, where, e))
				return EV_ERR_USAGE;
		}
	}
	m = cJSON_GetObjectItemCaseSensitive(doc, "machine");
	cpu = cJSON_GetObjectItemCaseSensitive(m, "cpu");
	topo = cJSON_GetObjectItemCaseSensitive(m, "topology");
	copy_str(r->cpu, sizeof r->cpu, cpu, "model_name");
	copy_str(r->uarch, sizeof r->uarch, cpu, "uarch");
	{
		double cores = 0;
		char where[600];
		snprintf(where, sizeof where, "%s: machine.topology", path);
		if (json_get_range(topo, "cores", &cores, 0, 0, REP_MAX_THREADS, where, e))
			return EV_ERR_USAGE;
		r->cores = (int)cores;
	}
	clk = cJSON_GetObjectItemCaseSensitive(doc, "clock");
	if (!clk)
		clk = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "flops"),
						       "clock");
	one = cJSON_GetObjectItemCaseSensitive(clk, "one_core");
	{
		char where[600];
		snprintf(where, sizeof where, "%s: clock.one_core", path);
		if (json_get_range(one, "median_hz", &r->clock_hz, 0, 0, 1e11, where, e))
			return EV_ERR_USAGE;
	}
	if (load_levels(cJSON_GetObjectItemCaseSensitive(doc, "bw"), path, r, e) ||
	    load_latency(cJSON_GetObjectItemCaseSensitive(doc, "latency"), path, r, e) ||
	    load_peaks(cJSON_GetObjectItemCaseSensitive(doc, "flops"), path, r, e) ||
	    load_gpus(doc, path, r, e))
		return EV_ERR_USAGE;
	return load_points(cJSON_GetObjectItemCaseSensitive(doc, "decode"), path, r, e);
}

int rep_load_file(const char *path, struct rep_result *r, struct ev_err *e)
{
	cJSON *doc = NULL;
	int rc = json_read_file(path, &doc, e);
	if (rc)
		return rc;
	rc = rep_load(doc, path, r, e);
	cJSON_Delete(doc);
	return rc;
}

const struct rep_mem *rep_mem_find(const struct rep_result *r, const char *level, int threads)
{
	const struct rep_mem *best = NULL;
	for (int i = 0; i < r->nmem; i++) {
		const struct rep_mem *m = &r->mem[i];
		if (strcmp(m->level, level) || strcmp(m->kernel, "read"))
			continue;
		if (threads > 0 ? m->threads == threads : (!best || m->threads > best->threads))
			best = m;
	}
	return best;
}

int rep_dram_read(const char *path, int threads, struct rep_mem *out, struct ev_err *e)
{
	struct rep_result *r = calloc(1, sizeof *r);
	const struct rep_mem *m;
	int rc;
	if (!r)
		return ev_fail(e, EV_ERR_RUNTIME, "out of memory");
	if ((rc = rep_load_file(path, r, e)) == EV_OK) {
		m = rep_mem_find(r, "DRAM", threads);
		if (!m)
			m = rep_mem_find(r, "DRAM", 0);
		if (m)
			*out = *m;
		else
			rc = ev_fail(e, EV_ERR_USAGE, "%s: no DRAM read bandwidth in this result", path);
	}
	free(r);
	return rc;
}

const struct rep_peak *rep_peak_find(const struct rep_result *r, const char *prec, int threads)
{
	const struct rep_peak *best = NULL;
	for (int i = 0; i < r->npeak; i++) {
		const struct rep_peak *p = &r->peak[i];
		if (strcmp(p->prec, prec))
			continue;
		if (threads > 0 ? p->threads == threads : (!best || p->threads > best->threads))
			best = p;
	}
	return best;
}

const char *rep_label(const struct rep_result *r, char *buf, int len)
{
	snprintf(buf, (size_t)len, "%s (%s)", r->host[0] ? r->host : "?",
		 r->cpu[0] ? r->cpu : "unknown CPU");
	return buf;
}

const char *rep_short_name(const struct rep_result *r, char *buf, size_t len)
{
	const char *path = r->path, *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!strcmp(base, "result.json") && base > path + 1) {
		const char *end = base - 1, *start = end;
		while (start > path && start[-1] != '/')
			start--;
		snprintf(buf, len, "%.*s", (int)(end - start), start);
	} else {
		snprintf(buf, len, "%s", base);
	}
	return buf;
}
