/* reports/ridges.c: ridge points = peak FLOP/s / bandwidth (roofline/). */
#include "ridges.h"

#include "json.h"
#include "roofline.h"

static const struct rep_mem *mem_for(const struct rep_result *mem, const char *lvl, int threads)
{
	const struct rep_mem *m = rep_mem_find(mem, lvl, threads);
	return m ? m : rep_mem_find(mem, lvl, 0);
}

int rep_ridges(const struct rep_result *pk, const struct rep_result *mem, struct rep_ridge *out)
{
	int n = 0;
	for (int p = 0; p < EV_PREC__COUNT; p++) {
		const struct rep_peak *peak = rep_peak_find(pk, ev_prec_name[p], 0);
		if (!peak)
			continue;
		for (int l = 0; l < EV_LEVEL__COUNT; l++) {
			const struct rep_mem *m = mem_for(mem, ev_level_name[l], peak->threads);
			if (!m || n >= REP_MAX_RIDGES)
				continue;
			out[n++] = (struct rep_ridge){
				.prec = p,
				.level = l,
				.threads = peak->threads,
				.bw_threads = m->threads,
				.peak_flop_per_s = peak->best,
				.bw_bytes_per_s = m->best,
				.ridge_flop_per_byte = roof_ridge(peak->best, m->best),
			};
		}
	}
	return n;
}

int rep_ridges_have_level(const struct rep_ridge *rd, int n, int level)
{
	for (int i = 0; i < n; i++)
		if (rd[i].level == level)
			return 1;
	return 0;
}

cJSON *rep_ridges_json(const struct rep_result *pk, const struct rep_result *mem,
		       const char *bw_source)
{
	cJSON *arr = cJSON_CreateArray();
	struct rep_ridge rd[REP_MAX_RIDGES];
	int n = rep_ridges(pk, mem, rd);
	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		json_str(o, "precision", ev_prec_name[rd[i].prec]);
		json_str(o, "level", ev_level_name[rd[i].level]);
		json_num(o, "threads", rd[i].threads);
		json_num(o, "bw_threads", rd[i].bw_threads);
		json_num(o, "peak_flop_per_s", rd[i].peak_flop_per_s);
		json_num(o, "bw_bytes_per_s", rd[i].bw_bytes_per_s);
		json_num(o, "ridge_flop_per_byte", rd[i].ridge_flop_per_byte);
		json_str(o, "bw_source", bw_source);
		json_str(o, "source", "derived: best peak / best read bandwidth");
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

void rep_ridges_print(FILE *f, const struct rep_result *pk, const struct rep_result *mem)
{
	struct rep_ridge rd[REP_MAX_RIDGES];
	int n = rep_ridges(pk, mem, rd), prec = -1;
	fprintf(f, "\nRidge points (FLOP/byte = best peak / best read bandwidth, most threads):\n%-5s",
		"prec");
	for (int l = 0; l < EV_LEVEL__COUNT; l++)
		if (rep_ridges_have_level(rd, n, l))
			fprintf(f, " %9s", ev_level_name[l]);
	for (int i = 0; i < n; i++) {
		if (rd[i].prec != prec)
			fprintf(f, "\n%-5s", ev_prec_name[prec = rd[i].prec]);
		fprintf(f, " %9.2f", rd[i].ridge_flop_per_byte);
	}
	fprintf(f, "\n");
	if (n == 0)
		fprintf(f, "(no peaks%s measured)\n", rep_peak_find(pk, "fp32", 0) ? " and bandwidths" : "");
}
