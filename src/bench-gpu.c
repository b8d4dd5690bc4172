/* src/bench-gpu.c: GPU devices and measurements, text and JSON. */
#include "bench-gpu.h"

#include <string.h>

#include "gguf.h"
#include "json.h"
#include "model-shape.h"
#include "quant.h"
#include "units.h"

static void info_json(cJSON *o, const struct ev_gpu_info *d)
{
	char v[32];
	cJSON *h;
	json_num(o, "index", d->index);
	json_str(o, "name", d->name);
	json_str(o, "type", d->type);
	json_str(o, "driver", d->driver);
	json_str(o, "driver_info", d->driver_info);
	snprintf(v, sizeof v, "%u.%u.%u", d->api_version >> 22, (d->api_version >> 12) & 0x3ff,
		 d->api_version & 0xfff);
	json_str(o, "vulkan_api", v);
	json_num(o, "vendor_id", d->vendor_id);
	json_num(o, "device_id", d->device_id);
	json_num(o, "subgroup_size", d->subgroup_size);
	cJSON_AddBoolToObject(o, "subgroup_arithmetic", d->subgroup_arith);
	cJSON_AddBoolToObject(o, "shader_float16", d->fp16);
	cJSON_AddBoolToObject(o, "integer_dot_product", d->int8_dot);
	cJSON_AddBoolToObject(o, "integer_dot_product_4x8_accelerated", d->int8_dot_accel);
	cJSON_AddBoolToObject(o, "cooperative_matrix", d->coop_matrix);
	if (d->ncoop) {
		/* the NV shapes eaves' peak can run (fp16 inputs) */
		cJSON *sh = cJSON_AddArrayToObject(o, "cooperative_matrix_shapes");
		for (int i = 0; i < d->ncoop; i++) {
			cJSON *q = cJSON_CreateObject();
			json_num(q, "m", d->coop[i].m);
			json_num(q, "n", d->coop[i].n);
			json_num(q, "k", d->coop[i].k);
			json_str(q, "inputs", "fp16");
			json_str(q, "accumulator", d->coop[i].acc32 ? "fp32" : "fp16");
			cJSON_AddItemToArray(sh, q);
		}
	}
	cJSON_AddBoolToObject(o, "unified_memory", d->unified);
	json_num(o, "timestamp_period_ns", d->timestamp_period_ns);
	json_num(o, "max_storage_buffer_bytes", (double)d->max_buffer_bytes);
	h = cJSON_AddArrayToObject(o, "memory_heaps");
	for (int i = 0; i < d->nheaps; i++) {
		cJSON *q = cJSON_CreateObject();
		json_num(q, "bytes", (double)d->heap_bytes[i]);
		cJSON_AddBoolToObject(q, "device_local", d->heap_device_local[i]);
		cJSON_AddItemToArray(h, q);
	}
}

cJSON *bench_gpu_list_json(const struct ev_gpu_list *l)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	json_str(o, "status", l->ok ? "ok" : "unavailable");
	json_str(o, "api", "Vulkan compute");
	if (!l->ok)
		json_str(o, "reason", l->reason);
	arr = cJSON_AddArrayToObject(o, "devices");
	for (int i = 0; i < l->n; i++) {
		cJSON *q = cJSON_CreateObject();
		info_json(q, &l->dev[i]);
		cJSON_AddItemToArray(arr, q);
	}
	return o;
}

void bench_gpu_list_print(FILE *f, const struct ev_gpu_list *l)
{
	if (!l->ok) {
		fprintf(f, "gpus:       unavailable: %s\n", l->reason);
		return;
	}
	for (int i = 0; i < l->n; i++) {
		const struct ev_gpu_info *d = &l->dev[i];
		char b[32], cm[400] = "no";
		uint64_t local = 0;
		if (d->coop_matrix)
			snprintf(cm, sizeof cm, "yes%s", d->coop_nv ? " (NV:" : " (not VK_NV_cooperative_matrix with "
									  "its features: no peak)");
		for (int j = 0; j < d->ncoop; j++) {
			size_t u = strlen(cm);
			snprintf(cm + u, sizeof cm - u, " %ux%ux%u%s%s", d->coop[j].m, d->coop[j].n, d->coop[j].k,
				 d->coop[j].acc32 ? "/f32" : "/f16", j + 1 == d->ncoop ? ")" : "");
		}
		for (int h = 0; h < d->nheaps; h++)
			if (d->heap_device_local[h] && d->heap_bytes[h] > local)
				local = d->heap_bytes[h];
		fprintf(f, "gpu %d:      %s (%s, %s %s), %s device-local%s, subgroup %u, fp16 %s, int8 dot %s, "
			   "coop. matrix %s [Vulkan]\n",
			i, d->name, d->type, d->driver, d->driver_info, units_fmt_bytes(b, sizeof b, (double)local),
			d->unified ? " (shared with the CPU)" : "", d->subgroup_size, d->fp16 ? "yes" : "no",
			d->int8_dot ? (d->int8_dot_accel ? "yes (accelerated)" : "yes (not accelerated)") : "no",
			cm);
	}
}

/* Open GPU index: its description in *info; a device that cannot be used
 * (no Vulkan, no such device) is EV_OK with *g NULL, *status and the reason. */
static int open_gpu(struct ev_ctx *c, int index, struct ev_gpu **g, int *status, char *reason,
		    size_t len, struct ev_gpu_info *info)
{
	int rc = gpu_open(g, index, &c->err);
	if (rc == EV_ERR_UNSUPPORTED) {
		*g = NULL;
		*status = rc;
		snprintf(reason, len, "%s", c->err.msg);
		return EV_OK;
	}
	if (!rc)
		*info = *gpu_info(*g);
	return rc;
}

int bench_gpu(struct ev_ctx *c, int index, unsigned mask, uint64_t ws_bytes, int quick,
	      struct ev_gpu_result *r)
{
	struct ev_gpu *g = NULL;
	int rc;
	memset(r, 0, sizeof *r);
	r->index = index;
	if ((rc = open_gpu(c, index, &g, &r->status, r->reason, sizeof r->reason, &r->info)) || !g)
		return rc;
	if (!ws_bytes) {
		/* 256 MiB, within a quarter of the largest device-local heap */
		uint64_t local = 0;
		for (int h = 0; h < r->info.nheaps; h++)
			if (r->info.heap_device_local[h] && r->info.heap_bytes[h] > local)
				local = r->info.heap_bytes[h];
		ws_bytes = quick ? 64ull << 20 : 256ull << 20;
		if (local && ws_bytes > local / 4)
			ws_bytes = local / 4;
	}
	for (int k = 0; k < EV_GPU__KERNELS && !rc; k++) {
		if (!(mask >> k & 1))
			continue;
		if (c->stop && *c->stop) {
			r->interrupted = 1;
			break;
		}
		ctx_progress(c, "gpu %d: %s", index, ev_gpu_kernel_name[k]);
		rc = gpu_measure(g, k, ws_bytes, quick, &r->m[r->n], &c->err);
		if (!rc)
			r->n++;
	}
	ctx_progress_done(c);
	gpu_close(g);
	return rc;
}

int bench_gpu_failed(const struct ev_gpu_result *r)
{
	int n = 0;
	for (int i = 0; i < r->n; i++)
		n += r->m[i].status == EV_ERR_VERIFY;
	return n;
}

/* A GPU section's head: its status, and the reason or the device. */
static cJSON *section(int status, int interrupted, const char *reason, const struct ev_gpu_info *info)
{
	cJSON *o = cJSON_CreateObject();
	json_str(o, "status", status ? "unavailable" : interrupted ? "interrupted" : "ok");
	if (status)
		json_str(o, "reason", reason);
	else
		info_json(cJSON_AddObjectToObject(o, "device"), info);
	return o;
}

cJSON *bench_gpu_json(const struct ev_gpu_result *r)
{
	cJSON *o = section(r->status, r->interrupted, r->reason, &r->info), *arr;
	if (r->status)
		return o;
	json_str(o, "timing", "GPU timestamps around repeated dispatches; time per dispatch");
	json_str(o, "byte_convention", "STREAM: bytes the shader reads and writes");
	arr = cJSON_AddArrayToObject(o, "kernels");
	for (int i = 0; i < r->n; i++) {
		const struct ev_gpu_measure *m = &r->m[i];
		int fl = ev_gpu_kernel_is_flop(m->kernel);
		cJSON *q = cJSON_CreateObject();
		json_str(q, "kernel", ev_gpu_kernel_name[m->kernel]);
		json_str(q, "status", m->status == EV_ERR_VERIFY ? "failed_verification" :
				      m->status ? "skipped" : "ok");
		if (m->status) {
			json_str(q, "reason", m->reason);
			cJSON_AddItemToArray(arr, q);
			continue;
		}
		json_str(q, "source", "measured");
		if (m->kernel == EV_GPU_SHARED)
			json_str(q, "bytes", "read from workgroup (shared) memory; ws_bytes: the tile per workgroup");
		if (m->kernel == EV_GPU_DOT8)
			json_str(q, "operations", "INT8: 2 per multiply-add of a 4x8-bit packed signed dot product "
						 "(OpSDotKHR); flop_per_s keys hold operations");
		if (ev_gpu_kernel_is_transfer(m->kernel))
			json_str(q, "bytes", r->info.unified ? "copied once (the GPU's memory is the host's: a copy "
							     "within the same DRAM)" : "copied once");
		if (!fl)
			json_num(q, "ws_bytes", (double)m->ws_bytes);
		json_num(q, "workgroups", m->groups);
		json_num(q, "workgroup_size",
			 ev_gpu_kernel_is_coop(m->kernel) ? (r->info.subgroup_size ? r->info.subgroup_size : 32) : 256);
		if (ev_gpu_kernel_is_coop(m->kernel)) {
			double sh[3] = {m->shape[0], m->shape[1], m->shape[2]};
			json_num_array(q, "matrix_shape_mnk", sh, 3);
			json_str(q, "operations", "2 per multiply-add of D = A B + C (A, B fp16), 8 a step, "
						 "one subgroup a workgroup (VK_NV_cooperative_matrix)");
		}
		if (ev_gpu_kernel_is_steps(m->kernel))
			json_num(q, "iterations", m->iters);
		json_num(q, "dispatches_per_sample", m->reps);
		json_num(q, fl ? "flop_per_dispatch" : "bytes_per_dispatch", m->work_per_rep);
		json_num(q, fl ? "best_flop_per_s" : "bw_best_bytes_per_s", m->rate.best);
		json_num(q, fl ? "median_flop_per_s" : "bw_median_bytes_per_s", m->rate.median);
		json_num(q, "spread_rel", m->rate.spread_rel);
		json_num_array(q, "samples_s", m->t_s, m->nsamples);
		cJSON_AddItemToArray(arr, q);
	}
	return o;
}

void bench_gpu_print(FILE *f, const struct ev_gpu_result *r)
{
	fprintf(f, "GPU %d: %s (%s, %s), Vulkan compute, GPU timestamps\n", r->index, r->info.name,
		r->info.type, r->info.driver);
	fprintf(f, "%-15s %12s %12s %12s %8s\n", "kernel", "ws", "best", "median", "spread");
	for (int i = 0; i < r->n; i++) {
		const struct ev_gpu_measure *m = &r->m[i];
		char b[32] = "-";
		if (m->status) {
			fprintf(f, "%-15s %s: %s\n", ev_gpu_kernel_name[m->kernel],
				m->status == EV_ERR_VERIFY ? "FAILED VERIFICATION" : "skipped", m->reason);
			continue;
		}
		if (!ev_gpu_kernel_is_flop(m->kernel))
			units_fmt_bytes(b, sizeof b, (double)m->ws_bytes);
		{
			const char *u = m->kernel == EV_GPU_DOT8 ? "GOP/s" : ev_gpu_kernel_is_flop(m->kernel) ? "GF/s" : "GB/s";
			fprintf(f, "%-15s %12s %9.1f %-5s %9.1f %-5s %7.1f%%\n", ev_gpu_kernel_name[m->kernel], b,
				m->rate.best / 1e9, u, m->rate.median / 1e9, u, 100 * m->rate.spread_rel);
		}
	}
	if (r->interrupted)
		fprintf(f, "interrupted: the kernels measured so far are kept\n");
}

int bench_gpu_decode(struct ev_ctx *c, int index, const struct ev_model_shape *s, const int *types,
		     int ntypes, const char *gguf_path, const char *label, int quick,
		     struct ev_gpu_decode_result *r)
{
	struct ev_gpu *g = NULL;
	struct gguf_file gf;
	struct gguf_llama gl;
	int rc;
	memset(r, 0, sizeof *r);
	memset(&gf, 0, sizeof gf);
	r->index = index;
	snprintf(r->model, sizeof r->model, "%s", s->name);
	if (gguf_path) {
		ctx_progress(c, "gpu %d: mapping %s", index, gguf_path);
		if ((rc = gguf_open(&gf, gguf_path, 0, &c->err)) || (rc = gguf_llama_read(&gf, &gl, &c->err))) {
			gguf_close(&gf);
			return rc;
		}
	}
	if ((rc = open_gpu(c, index, &g, &r->status, r->reason, sizeof r->reason, &r->info)) || !g) {
		gguf_close(&gf);
		return rc;
	}
	ctx_progress(c, "gpu %d: read bandwidth (the ceiling)", index);
	rc = gpu_measure(g, EV_GPU_READ, quick ? 64ull << 20 : 256ull << 20, quick, &r->read, &c->err);
	for (int i = 0; i < (gguf_path ? 1 : ntypes) && i < 6 && !rc; i++) {
		struct ev_gpu_decode *d = &r->run[r->n];
		if (c->stop && *c->stop)
			break;
		ctx_progress(c, "gpu %d: decode step %s %s", index, s->name,
			     gguf_path ? label : ev_types[types[i]].name);
		rc = gguf_path ? gpu_decode_step(g, &gl.shape, -1, &gf, &gl, quick ? 4 : EV_GPU_DEC_TOKENS, d, &c->err)
			       : gpu_decode_step(g, s, types[i], NULL, NULL, quick ? 4 : EV_GPU_DEC_TOKENS, d,
						 &c->err);
		if (rc)
			break;
		r->n++;
		if (gguf_path) {
			snprintf(d->label, sizeof d->label, "%s", label);
			if (d->status == EV_ERR_UNSUPPORTED) { /* a file the GPU step cannot run: the answer */
				r->status = d->status;
				snprintf(r->reason, sizeof r->reason, "%s: %s", gguf_path, d->reason);
			}
		}
	}
	ctx_progress_done(c);
	gpu_close(g);
	gguf_close(&gf);
	return rc;
}

/* Steps per second the measured read bandwidth allows: weight bytes / bw. */
static double step_ceiling(const struct ev_gpu_decode_result *r, const struct ev_gpu_decode *d)
{
	return r->read.status == EV_OK && d->weight_bytes > 0 ? r->read.rate.median / d->weight_bytes : 0;
}

cJSON *bench_gpu_decode_json(const struct ev_gpu_decode_result *r)
{
	cJSON *o = section(r->status, 0, r->reason, &r->info), *arr;
	if (r->status)
		return o;
	json_str(o, "model", r->model);
	json_str(o, "what", "one decode step's matrices (every layer's Q, K, V, O, gate, up, down and the "
			    "LM head), synthetic weights or a GGUF file's, f32 activations; GPU time of the matrices, "
			    "submission between them excluded; attention and the KV cache not included");
	json_num(o, "read_bw_median_bytes_per_s", r->read.status == EV_OK ? r->read.rate.median : 0);
	json_str(o, "read_bw_source", "measured: eaves' read kernel on this GPU");
	arr = cJSON_AddArrayToObject(o, "runs");
	for (int i = 0; i < r->n; i++) {
		const struct ev_gpu_decode *d = &r->run[i];
		cJSON *q = cJSON_CreateObject();
		double ceil = step_ceiling(r, d);
		json_str(q, "quant", d->label);
		json_str(q, "weights", d->from_file ? "file" : "synthetic");
		json_str(q, "status", d->status == EV_ERR_VERIFY ? "failed_verification" :
				      d->status ? "skipped" : "ok");
		if (d->status)
			json_str(q, "reason", d->reason);
		if (d->status && d->status != EV_ERR_VERIFY) {
			cJSON_AddItemToArray(arr, q);
			continue;
		}
		json_num(q, "matrices", d->nmat);
		json_num(q, "weight_bytes_per_step", d->weight_bytes);
		json_num(q, "weights_per_step", d->weights);
		json_num(q, "dispatches_per_step", d->dispatches);
		json_str(q, "reduction", d->wg_reduce ? "workgroup memory (no subgroup arithmetic)" : "subgroupAdd");
		{
			static const char *const kinds[8] = {"q", "k", "v", "o", "gate", "up", "down", "lm_head"};
			cJSON *rp = cJSON_AddObjectToObject(q, "rows_per_subgroup");
			for (int k = 0; k < 8; k++)
				if (d->rows_per_sg[k])
					json_num(rp, kinds[k], d->rows_per_sg[k]);
		}
		/* computed: 2 FLOP per weight, over the bytes and at the measured rate */
		json_num(q, "intensity_flop_per_byte", d->weight_bytes > 0 ? 2 * d->weights / d->weight_bytes : 0);
		json_num(q, "achieved_flop_per_s", 2 * d->weights * d->tps.median);
		json_num(q, "steps_per_s_median", d->tps.median);
		json_num(q, "steps_per_s_best", d->tps.best);
		json_num(q, "spread_rel", d->tps.spread_rel);
		json_num(q, "ceiling_steps_per_s", ceil);
		json_num(q, "fraction_of_ceiling", ceil > 0 ? d->tps.median / ceil : 0);
		json_num(q, "checked_rows", (double)d->checked_rows);
		json_num(q, "max_error_rel", d->max_err_rel);
		json_num_array(q, "samples_s", d->step_s, d->ntok);
		cJSON_AddItemToArray(arr, q);
	}
	return o;
}

void bench_gpu_decode_print(FILE *f, const struct ev_gpu_decode_result *r)
{
	fprintf(f, "GPU %d: %s (%s): %s decode step, matrices only (%s weights; attention not "
		   "included)\n",
		r->index, r->info.name, r->info.type, r->model,
		r->n && r->run[0].from_file ? "the file's" : "synthetic");
	fprintf(f, "read bandwidth (the ceiling): %.1f GB/s median, measured\n", r->read.rate.median / 1e9);
	fprintf(f, "%-6s %9s %12s %12s %9s\n", "quant", "MB/step", "steps/s", "ceiling", "% of ceil");
	for (int i = 0; i < r->n; i++) {
		const struct ev_gpu_decode *d = &r->run[i];
		double ceil = step_ceiling(r, d);
		if (d->status && d->status != EV_ERR_VERIFY) {
			fprintf(f, "%-6s skipped: %s\n", d->label, d->reason);
			continue;
		}
		fprintf(f, "%-6s %9.1f %12.2f %12.2f %8.1f%%%s\n", d->label, d->weight_bytes / 1e6,
			d->tps.median, ceil, ceil > 0 ? 100 * d->tps.median / ceil : 0,
			d->status == EV_ERR_VERIFY ? "  FAILED VERIFICATION" : "");
		if (d->status == EV_ERR_VERIFY)
			fprintf(f, "  %s\n", d->reason);
	}
}
