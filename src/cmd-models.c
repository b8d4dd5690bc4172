/* src/cmd-models.c and `eaves devices`: the shipped model shapes and device
 * datasheets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "devices.h"
#include "json.h"
#include "models.h"
#include "opt.h"
#include "quant.h"
#include "units.h"

enum { O_JSON, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the list as JSON to FILE ('-' = stdout)"},
};

static const int shown_types[] = {EV_TYPE_F16, EV_TYPE_Q8_0, EV_TYPE_Q4_0};

int cmd_models(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc, n;
	struct ev_model_shape *all;
	cJSON *doc = NULL, *arr = NULL;
	if ((rc = opt_parse("models", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "models", "[options]",
			       "List the model shapes in configs/models/ with parameter counts computed\n"
			       "from the shape and weight bytes per format (from the traits table).\n"
			       "Add a model by writing its config values to a JSON file there (or pass\n"
			       "the file's path to --model).",
			       NULL, opts, O__N);
		return EV_OK;
	}
	all = calloc(64, sizeof *all);
	if (!all)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	n = models_list(all, 64, &c->err);
	if (n < 0) {
		free(all);
		return EV_ERR_USAGE;
	}
	if (v[O_JSON].set) {
		doc = cJSON_CreateObject();
		json_str(doc, "schema", "eaves.models");
		json_num(doc, "schema_version", 1);
		arr = cJSON_AddArrayToObject(doc, "models");
	}
	if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-")) {
		printf("%-16s %10s %10s %6s %6s %9s %8s %10s %10s %10s\n", "model", "params", "published",
		       "layers", "hidden", "heads/kv", "ctx", "f16", "q8_0", "q4_0");
	}
	for (int i = 0; i < n; i++) {
		struct ev_model_counts k;
		char hk[16], b[3][32];
		dm_count(&all[i], &k);
		for (int t = 0; t < 3; t++)
			units_fmt_bytes(b[t], sizeof b[t],
					dm_weights_bytes(&all[i], ev_type_bytes_per_weight(shown_types[t])));
		snprintf(hk, sizeof hk, "%d/%d", all[i].n_heads, all[i].n_kv_heads);
		if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-"))
			printf("%-16s %9.3gB %9.3gB %6d %6d %9s %8d %10s %10s %10s\n", all[i].name,
			       k.total / 1e9, all[i].published_params / 1e9, all[i].n_layers, all[i].hidden,
			       hk, all[i].max_ctx, b[0], b[1], b[2]);
		if (doc) {
			cJSON *o = cJSON_CreateObject(), *w;
			json_str(o, "name", all[i].name);
			json_str(o, "hf_id", all[i].hf_id);
			json_num(o, "params", k.total);
			json_str(o, "params_source", "computed from the shape");
			json_num(o, "published_params", all[i].published_params);
			json_num(o, "num_hidden_layers", all[i].n_layers);
			json_num(o, "hidden_size", all[i].hidden);
			json_num(o, "num_attention_heads", all[i].n_heads);
			json_num(o, "num_key_value_heads", all[i].n_kv_heads);
			json_num(o, "max_position_embeddings", all[i].max_ctx);
			w = cJSON_AddObjectToObject(o, "weights_bytes");
			for (int t = 0; t < EV_TYPE__COUNT; t++)
				json_num(w, ev_types[t].name,
					 dm_weights_bytes(&all[i], ev_type_bytes_per_weight(t)));
			cJSON_AddItemToArray(arr, o);
		}
	}
	if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-"))
		printf("params: computed from the shape; published: the model card's figure; sizes: "
		       "weights as stored (eaves predict adds the KV cache)\n");
	if (doc)
		rc = cmd_write_json(c, doc, v[O_JSON].s);
	cJSON_Delete(doc);
	free(all);
	return rc;
}

int cmd_devices(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc, n;
	struct ev_device *all;
	cJSON *doc = NULL, *arr = NULL;
	if ((rc = opt_parse("devices", opts, O__N, v, argc, argv, pos, 1, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "devices", "[ID] [options]",
			       "List the device datasheets in configs/devices/ (published or derived peak\n"
			       "memory bandwidth and CPU FLOP/s, with their sources); with an ID, show one.",
			       NULL, opts, O__N);
		return EV_OK;
	}
	all = calloc(96, sizeof *all);
	if (!all)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	if (npos == 1) {
		n = devices_load(pos[0], &all[0], &c->err) ? -1 : 1;
	} else {
		n = devices_list(all, 96, &c->err);
	}
	if (n < 0) {
		free(all);
		return c->err.code ? c->err.code : EV_ERR_USAGE;
	}
	if (v[O_JSON].set) {
		doc = cJSON_CreateObject();
		json_str(doc, "schema", "eaves.devices");
		json_num(doc, "schema_version", 1);
		arr = cJSON_AddArrayToObject(doc, "devices");
	}
	if ((!v[O_JSON].set || strcmp(v[O_JSON].s, "-")) && npos == 0)
		printf("%-28s %-40s %-30s %10s %-9s %12s\n", "id", "name", "memory", "GB/s", "basis",
		       "FP32 GFLOP/s");
	for (int i = 0; i < n; i++) {
		const struct ev_device *d = &all[i];
		if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-")) {
			if (npos == 0) {
				printf("%-28s %-40.40s %-30.30s ", d->id, d->name, d->mem_type);
				if (d->peak_bw_bytes_per_s > 0)
					printf("%10.2f %-9s ", d->peak_bw_bytes_per_s / 1e9, d->bw_basis);
				else
					printf("%10s %-9s ", "-", d->bw_basis);
				if (d->peak_fp32_flop_per_s > 0)
					printf("%12.1f\n", d->peak_fp32_flop_per_s / 1e9);
				else
					printf("%12s\n", "-");
			} else {
				printf("%s (%s)\nSoC:      %s\nmemory:   %s, %d-bit, %.0f MT/s, %.2f GB/s (%s: %s)\n"
				       "CPU:      %s\nSIMD:     %s\nFP32:     %.1f GFLOP/s (derived: cores x "
				       "FLOP/cycle x max clock, an upper bound)\naccel:    %s %s\nnotes:    %s\n"
				       "sources:  %s\n",
				       d->name, d->id, d->soc, d->mem_type, d->bus_bits, d->mts,
				       d->peak_bw_bytes_per_s / 1e9, d->bw_basis, d->bw_note, d->cpu, d->simd,
				       d->peak_fp32_flop_per_s / 1e9, d->accel[0] ? d->accel : "-",
				       d->accel_peak, d->notes, d->sources);
			}
		}
		if (arr) {
			cJSON *o = cJSON_CreateObject();
			json_str(o, "id", d->id);
			json_str(o, "name", d->name);
			json_str(o, "memory_type", d->mem_type);
			json_num(o, "peak_bw_bytes_per_s", d->peak_bw_bytes_per_s > 0 ? d->peak_bw_bytes_per_s : NAN);
			json_str(o, "bw_basis", d->bw_basis);
			json_num(o, "peak_fp32_flop_per_s", d->peak_fp32_flop_per_s > 0 ? d->peak_fp32_flop_per_s : NAN);
			json_str(o, "cpu", d->cpu);
			cJSON_AddItemToArray(arr, o);
		}
	}
	if (doc)
		rc = cmd_write_json(c, doc, v[O_JSON].s);
	cJSON_Delete(doc);
	free(all);
	return rc;
}
