/* reports/compare.c: board comparison. */
#include "compare.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "escape.h"
#include "ridges.h"
#include "roofline.h"
#include "sbuf.h"

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
				struct row *r = ROW(nm, "tok/s");
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
		char nm[200];
		esc(md, nm, sizeof nm, rows[r].name);
		if (md)
			sb_printf(&b, "| %s | %s |", nm, rows[r].unit);
		else
			sb_printf(&b, "%-26.26s %-8s", nm, rows[r].unit);
		for (int i = 0; i < n; i++) {
			if (isnan(rows[r].v[i]))
				sb_printf(&b, md ? " - |" : " %10s", "-");
			else
				sb_printf(&b, md ? " %.3g |" : " %10.3g", rows[r].v[i]);
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
	return o;
}
