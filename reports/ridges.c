/* reports/ridges.c: ridge points = peak FLOP/s / bandwidth (roofline/). */
#include "ridges.h"

#include "json.h"
#include "roofline.h"

static const struct rep_mem *mem_for(const struct rep_result *mem, const char *lvl, int threads)
{
	const struct rep_mem *m = rep_mem_find(mem, lvl, threads);
	return m ? m : rep_mem_find(mem, lvl, 0);
}

cJSON *rep_ridges_json(const struct rep_result *pk, const struct rep_result *mem,
		       const char *bw_source)
{
	cJSON *arr = cJSON_CreateArray();
	for (int p = 0; p < EV_PREC__COUNT; p++) {
		const struct rep_peak *peak = rep_peak_find(pk, ev_prec_name[p], 0);
		if (!peak)
			continue;
		for (int l = 0; l < EV_LEVEL__COUNT; l++) {
			const struct rep_mem *m = mem_for(mem, ev_level_name[l], peak->threads);
			cJSON *o;
			if (!m)
				continue;
			o = cJSON_CreateObject();
			json_str(o, "precision", ev_prec_name[p]);
			json_str(o, "level", ev_level_name[l]);
			json_num(o, "threads", peak->threads);
			json_num(o, "bw_threads", m->threads);
			json_num(o, "peak_flop_per_s", peak->best);
			json_num(o, "bw_bytes_per_s", m->best);
			json_num(o, "ridge_flop_per_byte", roof_ridge(peak->best, m->best));
			json_str(o, "bw_source", bw_source);
			json_str(o, "source", "derived: best peak / best read bandwidth");
			cJSON_AddItemToArray(arr, o);
		}
	}
	return arr;
}

void rep_ridges_print(FILE *f, const struct rep_result *pk, const struct rep_result *mem)
{
	int any = 0;
	fprintf(f, "\nRidge points (FLOP/byte = best peak / best read bandwidth, most threads):\n%-5s",
		"prec");
	for (int l = 0; l < EV_LEVEL__COUNT; l++)
		if (mem_for(mem, ev_level_name[l], 0))
			fprintf(f, " %9s", ev_level_name[l]);
	fprintf(f, "\n");
	for (int p = 0; p < EV_PREC__COUNT; p++) {
		const struct rep_peak *peak = rep_peak_find(pk, ev_prec_name[p], 0);
		if (!peak)
			continue;
		fprintf(f, "%-5s", ev_prec_name[p]);
		for (int l = 0; l < EV_LEVEL__COUNT; l++) {
			const struct rep_mem *m = mem_for(mem, ev_level_name[l], peak->threads);
			if (m)
				fprintf(f, " %9.2f", roof_ridge(peak->best, m->best));
		}
		fprintf(f, "\n");
		any = 1;
	}
	if (!any)
		fprintf(f, "(no peaks measured)\n");
}
