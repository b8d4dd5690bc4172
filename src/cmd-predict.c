/* src/cmd-predict.c: `eaves predict`: the paper calculation, no measuring. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "decode.h"
#include "devices.h"
#include "gguf.h"
#include "json.h"
#include "models.h"
#include "opt.h"
#include "quant.h"
#include "escape.h"
#include "result.h"
#include "units.h"

enum { O_JSON, O_MODEL, O_QUANT, O_BW, O_DEVICE, O_ROOF, O_GPU, O_CTX, O_SIMPLE, O_PARAMS, O_MEM, O_GGUF,
       O_STORAGE_BW, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the prediction as JSON to FILE ('-' = stdout)"},
	[O_MODEL] = {"model", EV_OPT_STR, "M", "model name (eaves models) or a model JSON file"},
	[O_QUANT] = {"quant", EV_OPT_STR, "LIST", "weight formats", "f16,q8_0,q4_0"},
	[O_BW] = {"bandwidth", EV_OPT_BW, "BW", "memory bandwidth, e.g. 100GB/s"},
	[O_DEVICE] = {"device", EV_OPT_STR, "D", "a device datasheet: its bandwidth and memory size"},
	[O_ROOF] = {"roofline", EV_OPT_STR, "FILE", "a saved result: its measured DRAM read bandwidth"},
	[O_GPU] = {"gpu", EV_OPT_INT, "N",
		   "with --roofline: GPU N of that result (its order) and its measured read bandwidth, "
		   "not the CPU's", NULL, 0, REP_MAX_GPUS - 1},
	[O_CTX] = {"ctx", EV_OPT_STR, "LIST", "context lengths (default 1,512,2048,4096 up to the model's)"},
	[O_SIMPLE] = {"simple", EV_OPT_FLAG, NULL,
		      "weights only, at the width in the format's name: 2 bytes/param f16, 1 q8_0, 0.5 q4_0 (the back-of-envelope rule)"},
	[O_PARAMS] = {"params", EV_OPT_COUNT, "N", "parameter count for --simple without --model (1.7e9)"},
	[O_MEM] = {"mem", EV_OPT_SIZE, "SIZE", "memory size to check the fit against"},
	[O_GGUF] = {"gguf", EV_OPT_STR, "FILE", "a GGUF model file: its shape and every tensor's own type (any GGUF type)"},
	[O_STORAGE_BW] = {"storage-bw", EV_OPT_BW, "BW",
			  "storage read bandwidth (eaves bw --storage FILE): the ceiling when the model does not fit"},
};

/* A model file: shape, exact bytes by role, and bytes by tensor type. */
struct file_info {
	struct gguf_llama gl;
	struct gguf_type_total types[40];
	int ntypes;
	double data_bytes, file_bytes;
	unsigned version;
	char label[32];
};

static int read_file(struct ev_ctx *c, const char *path, struct file_info *fi)
{
	struct gguf_file g;
	uint64_t ft;
	int rc;
	if ((rc = gguf_open(&g, path, 0, &c->err)))
		return rc;
	if ((rc = gguf_llama_read(&g, &fi->gl, &c->err))) {
		gguf_close(&g);
		return rc;
	}
	fi->gl.rope_factors = NULL; /* points into the mapping, gone below */
	fi->ntypes = gguf_type_totals(&g, fi->types, 40);
	fi->data_bytes = (double)(g.size - g.data_off);
	fi->file_bytes = (double)g.size;
	fi->version = g.version;
	if (gguf_get_uint(&g, "general.file_type", &ft, &c->err) == EV_OK && gguf_ftype_name(ft))
		snprintf(fi->label, sizeof fi->label, "%s", gguf_ftype_name(ft));
	else
		snprintf(fi->label, sizeof fi->label, "%s", fi->ntypes ? gguf_type(fi->types[0].type)->name : "?");
	gguf_close(&g);
	return EV_OK;
}

/* The back-of-envelope rule: the width in the format's name, scales left out
 * (the traits table's nominal_bits; the exact accounting uses block bytes). */
static double simple_bpw(int t)
{
	return ev_types[t].nominal_bits / 8.0;
}

/* The bandwidth the prediction divides by, and the memory it checks the fit
 * against: from --bandwidth, a datasheet, or a saved result. */
/* Bytes read per token and memory needed for one format at one context: the
 * exact accounting for a model shape, or (shape NULL) the simple rule. */
static void figures(const struct ev_model_shape *m, const struct file_info *fi, double params, int type,
		    int ctx, double *bytes, double *need)
{
	double bpw = ev_type_bytes_per_weight(type), kv = ev_type_bytes_per_weight(DEC_KV_TYPE);
	struct ev_decode_cost cost;
	if (!m) {
		*bytes = *need = params * simple_bpw(type);
		return;
	}
	if (fi) {
		dm_decode_cost_w(m, &fi->gl.wb, kv, ctx, &cost);
		*bytes = cost.total_bytes;
		*need = fi->data_bytes + dm_kv_bytes(m, kv, ctx);
		return;
	}
	dm_decode_cost(m, bpw, kv, ctx, &cost);
	*bytes = cost.total_bytes;
	*need = dm_weights_bytes(m, bpw) + dm_kv_bytes(m, kv, ctx);
}

static int resolve_bw(struct ev_ctx *c, struct ev_optval *v, double *bw, double *mem, char *src,
		      size_t len)
{
	int rc;
	if (v[O_BW].set) {
		*bw = v[O_BW].d;
		snprintf(src, len, "--bandwidth %s (given)", v[O_BW].s);
	} else if (v[O_DEVICE].set) {
		struct ev_device *d = calloc(1, sizeof *d);
		if (!d)
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		if ((rc = devices_load(v[O_DEVICE].s, d, &c->err))) {
			free(d);
			return rc;
		}
		*bw = d->peak_bw_bytes_per_s;
		*mem = d->ram_bytes_max;
		snprintf(src, len, "%s datasheet, %s", d->name, d->bw_basis);
		free(d);
		if (*bw <= 0)
			return ev_fail(&c->err, EV_ERR_USAGE, "--device %s: no bandwidth in its datasheet",
				       v[O_DEVICE].s);
	} else if (v[O_GPU].set) { /* the result's GPU: its read roof */
		struct rep_result *r = calloc(1, sizeof *r);
		int n = (int)v[O_GPU].i;
		char nm[200], ty[64];
		if (!r)
			return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		if ((rc = rep_load_file(v[O_ROOF].s, r, &c->err))) {
			free(r);
			return rc;
		}
		if (n >= r->ngpu || !(r->gpu[n].read > 0)) {
			rc = ev_fail(&c->err, EV_ERR_USAGE, "--gpu %d: %s has %d GPU(s)%s", n, v[O_ROOF].s,
				     r->ngpu, n < r->ngpu ? ", and this one has no read bandwidth" : "");
			free(r);
			return rc;
		}
		*bw = r->gpu[n].read;
		snprintf(src, len, "measured: %s, GPU %d %s (%s), read best", v[O_ROOF].s, n,
			 esc_term(nm, sizeof nm, r->gpu[n].name), esc_term(ty, sizeof ty, r->gpu[n].type));
		free(r);
	} else {
		struct rep_mem dm;
		if ((rc = rep_dram_read(v[O_ROOF].s, 0, &dm, &c->err)))
			return rc;
		*bw = dm.best;
		snprintf(src, len, "measured: %s, DRAM read best, %d threads", v[O_ROOF].s,
			 dm.threads);
	}
	if (!(*bw > 0))
		return ev_fail(&c->err, EV_ERR_USAGE, "predict: the bandwidth %g bytes/s is not positive", *bw);
	return EV_OK;
}

int cmd_predict(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1], src[400] = "", why[256];
	int npos, help, rc, types[EV_TYPE__COUNT], nt = 0, ctx[16], nctx, have_model;
	struct ev_model_shape m;
	double bw = 0, mem = 0, params = 0;
	cJSON *doc = NULL, *rows = NULL;
	int text;
	struct file_info fibuf, *fi = NULL;
	double sbw = 0;
	if ((rc = opt_parse("predict", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "predict", "--model M | --gguf FILE | --params N --simple, and a bandwidth",
			       "The decode ceiling on paper: bytes per token / bandwidth, as ms/token and\n"
			       "tokens/s, and whether the model fits in memory. The default accounting is\n"
			       "exact (all matrices incl. LM head, one embedding row, norms, KV cache at each\n"
			       "context); --simple counts weights only at 2/1/0.5 bytes per parameter.",
			       NULL, opts, O__N);
		return EV_OK;
	}
	text = !v[O_JSON].set || strcmp(v[O_JSON].s, "-");
	if (v[O_GGUF].set && (v[O_MODEL].set || v[O_QUANT].set || v[O_SIMPLE].set || v[O_PARAMS].set))
		return ev_fail(&c->err, EV_ERR_USAGE,
			       "predict: --gguf takes the shape and formats from the file: leave out --model, "
			       "--quant, --simple and --params");
	have_model = v[O_MODEL].set || v[O_GGUF].set;
	if (v[O_GGUF].set) {
		fi = &fibuf;
		if ((rc = read_file(c, v[O_GGUF].s, fi)))
			return rc;
		m = fi->gl.shape;
	} else if (have_model && (rc = models_load(v[O_MODEL].s, &m, &c->err))) {
		return rc;
	}
	if (!have_model) {
		if (!v[O_SIMPLE].set || !v[O_PARAMS].set)
			return ev_fail(&c->err, EV_ERR_USAGE,
				       "predict: give --model M, or --simple with --params N");
		params = v[O_PARAMS].d;
	} else {
		struct ev_model_counts k;
		dm_count(&m, &k);
		params = k.total;
	}
	if (v[O_PARAMS].set && have_model)
		return ev_fail(&c->err, EV_ERR_USAGE, "predict: --params and --model exclude each other");
	if (fi) {
		nt = 1;
		types[0] = 0; /* unused: the file's own types */
	} else if ((nt = ev_type_list_parse(v[O_QUANT].s, types, EV_TYPE__COUNT, why, sizeof why)) < 0) {
		return ev_fail(&c->err, EV_ERR_USAGE, "--quant: %s", why);
	}
	if (v[O_STORAGE_BW].set)
		sbw = v[O_STORAGE_BW].d;
	if ((v[O_BW].set != 0) + (v[O_DEVICE].set != 0) + (v[O_ROOF].set != 0) != 1)
		return ev_fail(&c->err, EV_ERR_USAGE,
			       "predict: give exactly one of --bandwidth BW, --device D, --roofline FILE");
	if (v[O_GPU].set && !v[O_ROOF].set)
		return ev_fail(&c->err, EV_ERR_USAGE, "--gpu N reads a GPU of a result: give --roofline FILE");
	if ((rc = resolve_bw(c, v, &bw, &mem, src, sizeof src)))
		return rc;
	if (v[O_MEM].set)
		mem = (double)v[O_MEM].u;
	if (v[O_CTX].set) {
		nctx = units_parse_int_list(v[O_CTX].s, ctx, 16, why, sizeof why);
		if (nctx <= 0)
			return ev_fail(&c->err, EV_ERR_USAGE, "--ctx: %s", why);
		for (int i = 0; i < nctx; i++)
			if (ctx[i] < 1 || (have_model && ctx[i] > m.max_ctx))
				return ev_fail(&c->err, EV_ERR_USAGE, "--ctx: %d is outside 1..%d%s", ctx[i],
					       have_model ? m.max_ctx : 1 << 20,
					       have_model ? " (the model's max_position_embeddings)" : "");
	} else {
		static const int def[] = {1, 512, 2048, 4096};
		nctx = 0;
		for (int i = 0; i < 4; i++)
			if (!have_model || def[i] <= m.max_ctx)
				ctx[nctx++] = def[i];
	}
	if (v[O_SIMPLE].set)
		nctx = 1;
	if (v[O_JSON].set) {
		doc = cJSON_CreateObject();
		json_str(doc, "schema", "eaves.prediction");
		json_num(doc, "schema_version", 1);
		json_str(doc, "source", "computed (no measurement)");
		json_str(doc, "model", have_model ? m.name : "");
		json_num(doc, "params", params);
		json_num(doc, "bandwidth_bytes_per_s", bw);
		json_str(doc, "bandwidth_source", src);
		json_str(doc, "accounting", v[O_SIMPLE].set ? "simple: weights only" : "exact");
		if (sbw > 0)
			json_num(doc, "storage_bandwidth_bytes_per_s", sbw);
		if (fi) {
			cJSON *mf = cJSON_AddObjectToObject(doc, "model_file"), *arr;
			json_str(mf, "path", v[O_GGUF].s);
			json_num(mf, "bytes", fi->file_bytes);
			json_num(mf, "gguf_version", fi->version);
			json_str(mf, "architecture", fi->gl.arch);
			json_str(mf, "file_type", fi->label);
			json_num(mf, "matmul_bytes_per_token", fi->gl.wb.matmul);
			json_num(mf, "embedding_row_bytes", fi->gl.wb.embed_row);
			arr = cJSON_AddArrayToObject(mf, "tensor_types");
			for (int i = 0; i < fi->ntypes; i++) {
				const struct gguf_type_info *ti = gguf_type(fi->types[i].type);
				cJSON *x = cJSON_CreateObject();
				json_str(x, "type", ti->name);
				json_num(x, "block_elements", ti->block_elems);
				json_num(x, "block_bytes", ti->block_bytes);
				json_num(x, "tensors", (double)fi->types[i].tensors);
				json_num(x, "elements", (double)fi->types[i].elems);
				json_num(x, "bytes", (double)fi->types[i].bytes);
				cJSON_AddBoolToObject(x, "decoder_kernel", ti->ev_type >= 0);
				cJSON_AddItemToArray(arr, x);
			}
		}
		rows = cJSON_AddArrayToObject(doc, "rows");
	}
	if (text) {
		printf("Decode ceiling on paper (computed, not measured): %s%s%.3g params, %.1f GB/s (%s)\n",
		       have_model ? m.name : "", have_model ? ", " : "", params, bw / 1e9, src);
		printf("accounting: %s\n", v[O_SIMPLE].set ? "simple (weights only, 2/1/0.5 bytes per param)"
				    : fi ? "exact (every matrix at its own tensor type's block size + embedding row + norms + KV cache)"
					 : "exact (matrices + embedding row + norms + KV cache)");
		if (fi) {
			char a[32];
			printf("file: %s (GGUF v%u, %s, %s, %s)\n%-10s %8s %14s %12s %7s  %s\n", v[O_GGUF].s,
			       fi->version, fi->gl.arch, fi->label, units_fmt_bytes(a, sizeof a, fi->file_bytes),
			       "type", "tensors", "weights", "MB", "share", "bits/weight");
			for (int i = 0; i < fi->ntypes; i++) {
				const struct gguf_type_info *ti = gguf_type(fi->types[i].type);
				printf("%-10s %8llu %14llu %12.1f %6.1f%%  %.4g%s\n", ti->name,
				       (unsigned long long)fi->types[i].tensors,
				       (unsigned long long)fi->types[i].elems, (double)fi->types[i].bytes / 1e6,
				       100.0 * (double)fi->types[i].bytes / fi->data_bytes,
				       8.0 * ti->block_bytes / ti->block_elems,
				       ti->ev_type < 0 ? "  (no decoder kernel: eaves decode cannot run this file)" : "");
			}
			printf("matrices a token reads: %.1f MB\n", fi->gl.wb.matmul / 1e6);
		}
		printf("%-6s %8s %12s %10s %10s %12s %s%s\n", "quant", "ctx", "MB/token", "ms/token", "tok/s",
		       "memory", "fits", sbw > 0 ? "  storage tok/s" : "");
	}
	for (int t = 0; t < nt; t++)
		for (int k = 0; k < nctx; k++) {
			double bytes, need, ms;
			const char *fits;
			char mb[32], cx[16];
			const char *qn = fi ? fi->label : ev_types[types[t]].name;
			figures(v[O_SIMPLE].set ? NULL : &m, fi, params, types[t], ctx[k], &bytes, &need);
			ms = bytes / bw * 1e3;
			fits = mem <= 0 ? "not checked (give --mem or --device)" : need <= mem ? "yes" : "NO";
			if (text) {
				printf("%-6s %8s %12.1f %10.2f %10.1f %12s %s", qn,
				       v[O_SIMPLE].set ? "-" : (snprintf(cx, sizeof cx, "%d", ctx[k]), cx),
				       bytes / 1e6, ms, 1e3 / ms, units_fmt_bytes(mb, sizeof mb, need), fits);
				if (sbw > 0)
					printf("  %.3f", sbw / bytes);
				printf("\n");
			}
			if (rows) {
				cJSON *o = cJSON_CreateObject();
				json_str(o, "quant", qn);
				if (!v[O_SIMPLE].set)
					json_num(o, "ctx", ctx[k]);
				json_num(o, "bytes_per_token", bytes);
				json_num(o, "s_per_token", ms / 1e3);
				json_num(o, "tokens_per_s", 1e3 / ms);
				json_num(o, "memory_needed_bytes", need);
				if (mem > 0)
					cJSON_AddBoolToObject(o, "fits", need <= mem);
				if (sbw > 0)
					json_num(o, "storage_ceiling_tokens_per_s", sbw / bytes);
				cJSON_AddItemToArray(rows, o);
			}
		}
	if (text && mem > 0 && sbw <= 0 && fi && fi->data_bytes > mem)
		printf("the file does not fit in memory: its weights would stream from storage each token; "
		       "measure that with eaves bw --storage %s and give --storage-bw\n", v[O_GGUF].s);
	if (doc)
		rc = cmd_write_json(c, doc, v[O_JSON].s);
	cJSON_Delete(doc);
	return rc;
}
