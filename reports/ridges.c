/* reports/ridges.c: ridge points = peak FLOP/s / bandwidth (roofline/). */
#include "ridges.h"

#include "json.h"
#include "roofline.h"

const char *const rep_levels[] = {"L1", "L2", "L3", "L4", "DRAM"};
const int rep_nlevels = 5;
const char *const rep_precs[] = {"fp64", "fp32", "fp16", "bf16", "int8"};
const int rep_nprecs = 5;

static const struct rep_mem *mem_for(const struct rep_result *mem, const char *lvl, int threads)
{
	const struct rep_mem *m = rep_mem_find(mem, lvl, threads);
	return m ? m : rep_mem_find(mem, lvl, 0);
}

cJSON *rep_ridges_json(const struct rep_result *pk, const struct rep_result *mem,
		       const char *bw_source)
{
	cJSON *arr = cJSON_CreateArray();
	for (int p = 0; p < rep_nprecs; p++) {
		const struct rep_peak *peak = rep_peak_find(pk, rep_precs[p], 0);
		if (!peak)
			continue;
		for (int l = 0; l < rep_nlevels; l++) {
			const struct rep_mem *m = mem_for(mem, rep_levels[l], peak->threads);
			cJSON *o;
			if (!m)
				continue;
			o = cJSON_CreateObject();
			json_str(o, "precision", rep_precs[p]);
			json_str(o, "level", rep_levels[l]);
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
	for (int l = 0; l < rep_nlevels; l++)
		if (mem_for(mem, rep_levels[l], 0))
			fprintf(f, " %9s", rep_levels[l]);
	fprintf(f, "\n");
	for (int p = 0; p < rep_nprecs; p++) {
		const struct rep_peak *peak = rep_peak_find(pk, rep_precs[p], 0);
		if (!peak)
			continue;
		fprintf(f, "%-5s", rep_precs[p]);
		for (int l = 0; l < rep_nlevels; l++) {
			const struct rep_mem *m = mem_for(mem, rep_levels[l], peak->threads);
			if (m)
				fprintf(f, " %9.2f", roof_ridge(peak->best, m->best));
		}
		fprintf(f, "\n");
		any = 1;
	}
	if (!any)
		fprintf(f, "(no peaks measured)\n");
}
