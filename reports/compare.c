/* reports/compare.c: board comparison. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "escape.h"
#include "ridges.h"
#include "roofline.h"
#include "sbuf.h"

/* A figure to 3 significant digits, written out in full from 1000 to 10^9
 * (a GPU peak of 42000 GFLOP/s reads as 42000, not 4.2e+04). */
static const char *num3(char *b, size_t n, double v)
{
	double a = fabs(v);
	if (a >= 1e3 && a < 1e9) {
		double q = pow(10, floor(log10(a)) - 2);
		snprintf(b, n, "%.0f", round(v / q) * q);
	} else
		snprintf(b, n, "%.3g", v);
	return b;
}

#define CMP_MAX_ROWS 64
#define CMP_MAX_COLS 16

struct row {
	char name[64], unit[16];
	double v[CMP_MAX_COLS];
};

static int build(const struct rep_result *const *rs, int n, struct row *rows)
{
	int nr = 0;
	if (n > CMP_MAX_COLS)
		n = CMP_MAX_COLS;
#define ROW(nm, un)                                                                           \
	(snprintf(rows[nr].name, sizeof rows[nr].name, "%s", nm),                             \
	 snprintf(rows[nr].unit, sizeof rows[nr].unit, "%s", un), &rows[nr++])
	{
		struct row *r = ROW("clock, one core", "GHz");
		for (int i = 0; i < n; i++)
			r->v[i] = rs[i]->clock_hz > 0 ? rs[i]->clock_hz / 1e9 : NAN;
	}
	for (int l = 0; l < EV_LEVEL__COUNT && nr < CMP_MAX_ROWS; l++) {
		char nm[64];
		int any = 0;
		for (int i = 0; i < n; i++)
			any |= rep_mem_find(rs[i], ev_level_name[l], 0) != NULL;
		if (!any)
			continue;
		snprintf(nm, sizeof nm, "%s read, all threads", ev_level_name[l]);
		{
			struct row *r = ROW(nm, "GB/s");
			for (int i = 0; i < n; i++) {
				const struct rep_mem *m = rep_mem_find(rs[i], ev_level_name[l], 0);
				r->v[i] = m ? m->best / 1e9 : NAN;
			}
		}
	}
	{
		struct row *r = ROW("DRAM read, 1 thread", "GB/s");
		for (int i = 0; i < n; i++) {
			const struct rep_mem *m = rep_mem_find(rs[i], "DRAM", 1);
			r->v[i] = m ? m->best / 1e9 : NAN;
		}
	}
	/* latency per level (huge pages: misses without page walks), and the bound */
	for (int l = 0; l < EV_LEVEL__COUNT && nr < CMP_MAX_ROWS - 3; l++) {
		char nm[64];
		int any = 0;
		for (int i = 0; i < n; i++)
			any |= rep_lat_find(rs[i], ev_level_name[l], "huge") != NULL;
		if (!any)
			continue;
		snprintf(nm, sizeof nm, "%s latency", ev_level_name[l]);
		{
			struct row *r = ROW(nm, "ns");
			for (int i = 0; i < n; i++) {
				const struct rep_lat *q = rep_lat_find(rs[i], ev_level_name[l], "huge");
				r->v[i] = q ? q->median_s * 1e9 : NAN;
			}
		}
	}
	{
		int any = 0;
		for (int i = 0; i < n; i++)
			any |= rs[i]->bound.valid;
		if (any && nr < CMP_MAX_ROWS - 2) {
			struct row *r = ROW("misses in flight per core", "lines");
			for (int i = 0; i < n; i++)
				r->v[i] = rs[i]->bound.valid ? rs[i]->bound.mlp : NAN;
			r = ROW("Little bound, all cores", "GB/s");
			for (int i = 0; i < n; i++)
				r->v[i] = rs[i]->bound.valid ? rs[i]->bound.all_cores / 1e9 : NAN;
		}
	}
	for (int p = 0; p < EV_PREC__COUNT && nr < CMP_MAX_ROWS - 2; p++) {
		char nm[64];
		int any = 0;
		for (int i = 0; i < n; i++)
			any |= rep_peak_find(rs[i], ev_prec_name[p], 0) != NULL;
		if (!any)
			continue;
		snprintf(nm, sizeof nm, "%s peak, all threads", ev_prec_name[p]);
		{
			struct row *r = ROW(nm, strcmp(ev_prec_name[p], "int8") ? "GFLOP/s" : "GOP/s");
			for (int i = 0; i < n; i++) {
				const struct rep_peak *k = rep_peak_find(rs[i], ev_prec_name[p], 0);
				r->v[i] = k ? k->best / 1e9 : NAN;
			}
		}
		snprintf(nm, sizeof nm, "%s ridge vs DRAM", ev_prec_name[p]);
		{
			struct row *r = ROW(nm, "FLOP/B");
			for (int i = 0; i < n; i++) {
				const struct rep_peak *k = rep_peak_find(rs[i], ev_prec_name[p], 0);
				const struct rep_mem *m = rep_mem_find(rs[i], "DRAM", 0);
				r->v[i] = k && m ? roof_ridge(k->best, m->best) : NAN;
			}
		}
	}
	/* GPUs (Vulkan): each board's fastest device by read bandwidth */
	{
		int any = 0;
		for (int i = 0; i < n; i++)
			any |= rs[i]->ngpu > 0;
		if (any && nr < CMP_MAX_ROWS - 5) {
			const struct rep_gpu *best[CMP_MAX_COLS] = {0};
			struct row *r;
			for (int i = 0; i < n; i++)
				for (int k = 0; k < rs[i]->ngpu; k++)
					if (!best[i] || rs[i]->gpu[k].read > best[i]->read)
						best[i] = &rs[i]->gpu[k];
			for (int f = 0; f < 5; f++) {
				static const char *const nm[5] = {"GPU read (fastest GPU)", "GPU fp32 FMA peak",
								  "GPU fp16 FMA peak", "GPU int8 dot peak",
								  "GPU fp16 matrix peak"};
				static const char *const un[5] = {"GB/s", "GFLOP/s", "GFLOP/s", "GOP/s", "GFLOP/s"};
				double v[CMP_MAX_COLS];
				int have = 0;
				for (int i = 0; i < n; i++) {
					double x = !best[i] ? 0 :
						   f == 0   ? best[i]->read :
						   f == 1   ? best[i]->fp32 :
						   f == 2   ? best[i]->fp16 :
						   f == 3   ? best[i]->int8 :
							      best[i]->coop;
					v[i] = x > 0 ? x / 1e9 : NAN;
					have |= x > 0;
				}
				if (!have)
					continue; /* no board measured it */
				r = ROW(nm[f], un[f]);
				memcpy(r->v, v, sizeof(double) * (size_t)n);
			}
		}
	}
	/* decode runs, matched by label ("model quant") */
	for (int i = 0; i < n; i++)
		for (int k = 0; k < rs[i]->npts && nr < CMP_MAX_ROWS; k++) {
			char nm[64];
			int dup = 0;
			snprintf(nm, sizeof nm, "decode %s", rs[i]->pts[k].label);
			for (int q = 0; q < nr; q++)
				dup |= !strcmp(rows[q].name, nm);
			if (dup)
				continue;
			{
				struct row *r = ROW(nm, rs[i]->pts[k].gpu ? "steps/s" : "tok/s");
				for (int j = 0; j < n; j++) {
					r->v[j] = NAN;
					for (int q = 0; q < rs[j]->npts; q++)
						if (!strcmp(rs[j]->pts[q].label, rs[i]->pts[k].label))
							r->v[j] = rs[j]->pts[q].tok_per_s;
				}
			}
		}
#undef ROW
	return nr;
}

static const char *esc(int md, char *buf, size_t len, const char *s)
{
	return md ? esc_md(buf, len, s) : esc_term(buf, len, s);
}

char *cmp_table(const struct rep_result *const *rs, int n, int md)
{
	struct row rows[CMP_MAX_ROWS];
	struct sbuf b = {0};
	int nr = build(rs, n, rows);
	char lab[200];
	if (n > CMP_MAX_COLS)
		n = CMP_MAX_COLS;
	for (int i = 0; i < n; i++) {
		char p[600], l[400], t[100];
		/* paths and labels come from files: escaped for the Markdown or terminal */
		sb_printf(&b, "%s[%c] %s: %s, %s\n", md ? "- " : "", 'A' + i, esc(md, p, sizeof p, rs[i]->path),
			  esc(md, l, sizeof l, rep_label(rs[i], lab, sizeof lab)),
			  esc(md, t, sizeof t, rs[i]->created));
	}
	sb_printf(&b, "\n");
	if (md) {
		sb_printf(&b, "| figure | unit |");
		for (int i = 0; i < n; i++)
			sb_printf(&b, " %c |", 'A' + i);
		for (int i = 1; i < n; i++)
			sb_printf(&b, " %c/A |", 'A' + i);
		sb_printf(&b, "\n|---|---|");
		for (int i = 0; i < 2 * n - 1; i++)
			sb_printf(&b, "---:|");
		sb_printf(&b, "\n");
	} else {
		sb_printf(&b, "%-26s %-8s", "figure", "unit");
		for (int i = 0; i < n; i++)
			sb_printf(&b, " %10c", 'A' + i);
		for (int i = 1; i < n; i++)
			sb_printf(&b, " %7c/A", 'A' + i);
		sb_printf(&b, "\n");
	}
	for (int r = 0; r < nr; r++) {
		char nm[200], nb[32];
		esc(md, nm, sizeof nm, rows[r].name);
		if (md)
			sb_printf(&b, "| %s | %s |", nm, rows[r].unit);
		else
			sb_printf(&b, "%-26.26s %-8s", nm, rows[r].unit);
		for (int i = 0; i < n; i++) {
			if (isnan(rows[r].v[i]))
				sb_printf(&b, md ? " - |" : " %10s", "-");
			else
				sb_printf(&b, md ? " %s |" : " %10s", num3(nb, sizeof nb, rows[r].v[i]));
		}
		for (int i = 1; i < n; i++) {
			double q = rows[r].v[i] / rows[r].v[0];
			if (isnan(q) || isinf(q))
				sb_printf(&b, md ? " - |" : " %9s", "-");
			else
				sb_printf(&b, md ? " %.2f |" : " %9.2f", q);
		}
		sb_printf(&b, "\n");
	}
	sb_printf(&b, "\n%sAll figures are best of repeated samples as measured on each board; "
		      "ratios are the board over A.\n",
		  md ? "" : "");
	return sb_take(&b);
}

static void fleet_json(cJSON *o, const struct rep_result *const *rs, int n);

cJSON *cmp_json(const struct rep_result *const *rs, int n)
{
	struct row rows[CMP_MAX_ROWS];
	int nr = build(rs, n, rows);
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "results"), *fig;
	json_str(o, "schema", "eaves.comparison");
	json_num(o, "schema_version", 1);
	for (int i = 0; i < n && i < CMP_MAX_COLS; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(rs[i]->path));
	fig = cJSON_AddArrayToObject(o, "figures");
	for (int r = 0; r < nr; r++) {
		cJSON *f = cJSON_CreateObject(), *v = cJSON_AddArrayToObject(f, "values");
		json_str(f, "figure", rows[r].name);
		json_str(f, "unit", rows[r].unit);
		for (int i = 0; i < n && i < CMP_MAX_COLS; i++)
			cJSON_AddItemToArray(v, isnan(rows[r].v[i]) ? cJSON_CreateNull()
								    : cJSON_CreateNumber(rows[r].v[i]));
		cJSON_AddItemToArray(fig, f);
	}
	fleet_json(o, rs, n);
	return o;
}

/* ---- fleets: one row per board, sorted by a chosen figure ---- */

enum fleet_col { FC_DRAM, FC_DRAM1, FC_DS, FC_FP64, FC_FP32, FC_FP16, FC_BF16, FC_INT8,
		 FC_LAT, FC_DECODE, FC_CEIL, FC__N };
static const struct {
	const char *key, *head, *unit;
	int ascending; /* lower is better (latency) */
} fleet_cols[FC__N] = {
	[FC_DRAM] = {"dram", "DRAM read", "GB/s", 0},
	[FC_DRAM1] = {"dram1", "DRAM 1 thr", "GB/s", 0},
	[FC_DS] = {"datasheet", "DRAM/sheet", "%", 0},
	[FC_FP64] = {"fp64", "fp64 peak", "GFLOP/s", 0},
	[FC_FP32] = {"fp32", "fp32 peak", "GFLOP/s", 0},
	[FC_FP16] = {"fp16", "fp16 peak", "GFLOP/s", 0},
	[FC_BF16] = {"bf16", "bf16 peak", "GFLOP/s", 0},
	[FC_INT8] = {"int8", "int8 peak", "GOP/s", 0},
	[FC_LAT] = {"latency", "DRAM lat", "ns", 1},
	[FC_DECODE] = {"decode", "decode", "tok/s", 0},
	[FC_CEIL] = {"ceiling", "of ceiling", "%", 0},
};

const char *cmp_fleet_keys(void)
{
	return "dram, dram1, datasheet, fp64, fp32, fp16, bf16, int8, latency, decode, ceiling";
}

int cmp_fleet_key(const char *key)
{
	for (int i = 0; i < FC__N; i++)
		if (!strcmp(fleet_cols[i].key, key))
			return i;
	return -1;
}

/* The decode run the fleet table shows: the first label of the first result
 * that has one (every board of a fleet runs the same profile). */
static const char *fleet_decode_label(const struct rep_result *const *rs, int n)
{
	for (int i = 0; i < n; i++)
		if (rs[i]->npts > 0)
			return rs[i]->pts[0].label;
	return NULL;
}

static double fleet_value(const struct rep_result *r, int col, const char *label)
{
	const struct rep_mem *m;
	const struct rep_peak *p;
	const struct rep_lat *l;
	switch (col) {
	case FC_DRAM:
		return (m = rep_mem_find(r, "DRAM", 0)) ? m->best / 1e9 : NAN;
	case FC_DRAM1:
		return (m = rep_mem_find(r, "DRAM", 1)) ? m->best / 1e9 : NAN;
	case FC_DS:
		return (m = rep_mem_find(r, "DRAM", 0)) && r->ds_bw > 0 ? 100 * m->best / r->ds_bw : NAN;
	case FC_FP64:
	case FC_FP32:
	case FC_FP16:
	case FC_BF16:
	case FC_INT8:
		p = rep_peak_find(r, fleet_cols[col].key, 0);
		return p ? p->best / 1e9 : NAN;
	case FC_LAT:
		return (l = rep_lat_find(r, "DRAM", "huge")) ? l->median_s * 1e9 : NAN;
	case FC_DECODE:
	case FC_CEIL:
		for (int k = 0; label && k < r->npts; k++)
			if (!strcmp(r->pts[k].label, label))
				return col == FC_DECODE ? r->pts[k].tok_per_s
				       : r->pts[k].ceiling_tok_per_s > 0
					       ? 100 * r->pts[k].tok_per_s / r->pts[k].ceiling_tok_per_s
					       : NAN;
		return NAN;
	}
	return NAN;
}

struct fleet_row {
	int idx;
	double v[FC__N];
};

static int fleet_sort_col, fleet_sort_asc;

static int fleet_cmp(const void *a, const void *b)
{
	const struct fleet_row *x = a, *y = b;
	double p = x->v[fleet_sort_col], q = y->v[fleet_sort_col];
	if (isnan(p) != isnan(q))
		return isnan(p) ? 1 : -1; /* boards without the figure last */
	if (!isnan(p) && p != q)
		return (fleet_sort_asc ? p > q : p < q) ? 1 : -1;
	return x->idx - y->idx;
}

char *cmp_fleet_table(const struct rep_result *const *rs, int n, int sort_col, int md)
{
	struct fleet_row *rows = calloc((size_t)(n > 0 ? n : 1), sizeof *rows);
	const char *label = fleet_decode_label(rs, n);
	int show[FC__N] = {0};
	struct sbuf b = {0};
	char lab[200], esc1[400], esc2[400];
	if (!rows)
		return NULL;
	for (int i = 0; i < n; i++) {
		rows[i].idx = i;
		for (int c = 0; c < FC__N; c++) {
			rows[i].v[c] = fleet_value(rs[i], c, label);
			show[c] |= !isnan(rows[i].v[c]);
		}
	}
	if (sort_col < 0 || sort_col >= FC__N)
		sort_col = FC_DRAM;
	fleet_sort_col = sort_col;
	fleet_sort_asc = fleet_cols[sort_col].ascending;
	qsort(rows, (size_t)n, sizeof *rows, fleet_cmp);
	sb_printf(&b, "%sFleet of %d result(s), sorted by %s (%s)%s%s%s.\n\n", md ? "" : "",
		  n, fleet_cols[sort_col].head, fleet_cols[sort_col].ascending ? "lowest first" : "highest first",
		  label ? "; decode: " : "", label ? esc(md, esc1, sizeof esc1, label) : "",
		  label ? " (the first decode run of the fleet)" : "");
	if (md) {
		sb_printf(&b, "| # | result | board | created |");
		for (int c = 0; c < FC__N; c++)
			if (show[c])
				sb_printf(&b, " %s (%s) |", fleet_cols[c].head, fleet_cols[c].unit);
		sb_printf(&b, "\n|---:|---|---|---|");
		for (int c = 0; c < FC__N; c++)
			if (show[c])
				sb_printf(&b, "---:|");
		sb_printf(&b, "\n");
	} else {
		sb_printf(&b, "%3s %-14s %-30s", "#", "result", "board");
		for (int c = 0; c < FC__N; c++)
			if (show[c])
				sb_printf(&b, " %12.12s", fleet_cols[c].head);
		sb_printf(&b, "\n%3s %-14s %-30s", "", "", "");
		for (int c = 0; c < FC__N; c++)
			if (show[c])
				sb_printf(&b, " %12s", fleet_cols[c].unit);
		sb_printf(&b, "\n");
	}
	for (int i = 0; i < n; i++) {
		const struct rep_result *r = rs[rows[i].idx];
		char name[300], sn[200], esn[400];
		if (r->device[0])
			snprintf(name, sizeof name, "%s [%s]", rep_label(r, lab, sizeof lab), r->device);
		else
			rep_label(r, name, sizeof name);
		esc(md, esc1, sizeof esc1, name);
		esc(md, esn, sizeof esn, rep_short_name(r, sn, sizeof sn));
		if (md)
			sb_printf(&b, "| %d | %s | %s | %s |", i + 1, esn, esc1,
				  esc(md, esc2, sizeof esc2, r->created));
		else
			sb_printf(&b, "%3d %-14.14s %-30.30s", i + 1, esn, esc1);
		for (int c = 0; c < FC__N; c++) {
			double v = rows[i].v[c];
			char nb[32];
			if (!show[c])
				continue;
			if (isnan(v))
				sb_printf(&b, md ? " - |" : " %12s", "-");
			else
				sb_printf(&b, md ? " %s |" : " %12s", num3(nb, sizeof nb, v));
		}
		sb_printf(&b, "\n");
	}
	sb_printf(&b, "\nEvery figure is the best of repeated samples measured on that board (DRAM "
		      "latency: median); DRAM / datasheet is the measured read over the datasheet of the "
		      "board given with --device.\n");
	free(rows);
	return sb_take(&b);
}

/* Every board (no column limit), its fleet figures keyed as --sort names them. */
static void fleet_json(cJSON *o, const struct rep_result *const *rs, int n)
{
	const char *label = fleet_decode_label(rs, n);
	cJSON *arr = cJSON_AddArrayToObject(o, "boards");
	if (label)
		json_str(o, "decode_run", label);
	for (int i = 0; i < n; i++) {
		cJSON *b = cJSON_CreateObject(), *f;
		char sn[200];
		json_str(b, "path", rs[i]->path);
		json_str(b, "name", rep_short_name(rs[i], sn, sizeof sn));
		json_str(b, "host", rs[i]->host);
		json_str(b, "cpu", rs[i]->cpu);
		if (rs[i]->device[0])
			json_str(b, "device", rs[i]->device);
		f = cJSON_AddObjectToObject(b, "figures");
		for (int c = 0; c < FC__N; c++) {
			double v = fleet_value(rs[i], c, label);
			if (isnan(v))
				cJSON_AddNullToObject(f, fleet_cols[c].key);
			else
				cJSON_AddNumberToObject(f, fleet_cols[c].key, v);
		}
		cJSON_AddItemToArray(arr, b);
	}
}
