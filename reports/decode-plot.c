/* reports/decode-plot.c: decode plots. The ceiling curve is computed from the
 * model shape and bytes per weight saved in the result (roofline/decode-model.c),
 * so it is drawn for every context length, not only the measured ones. */
#include "decode-plot.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode-model.h"
#include "escape.h"
#include "json.h"
#include "sbuf.h"

static const char *const colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd"};

static double num(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(it) ? it->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(it) ? it->valuestring : "";
}

/* The model shape of a decode section, every field range-checked (a result
 * is untrusted input: a huge value would overflow the int it is stored in). */
static int shape_of(const cJSON *m, struct ev_model_shape *s, struct ev_err *e)
{
	static const struct {
		const char *key;
		size_t off;
		double hi;
	} f[] = {
		{"num_hidden_layers", offsetof(struct ev_model_shape, n_layers), 4096},
		{"hidden_size", offsetof(struct ev_model_shape, hidden), 1 << 20},
		{"num_attention_heads", offsetof(struct ev_model_shape, n_heads), 65536},
		{"num_key_value_heads", offsetof(struct ev_model_shape, n_kv_heads), 65536},
		{"head_dim", offsetof(struct ev_model_shape, head_dim), 65536},
		{"intermediate_size", offsetof(struct ev_model_shape, ffn), 1 << 22},
		{"vocab_size", offsetof(struct ev_model_shape, vocab), 1 << 24},
	};
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", str(m, "name"));
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		double v = 0;
		if (json_get_range(m, f[i].key, &v, 1, 1, f[i].hi, "decode.model", e))
			return EV_ERR_USAGE;
		*(int *)(void *)((char *)s + f[i].off) = (int)v;
	}
	s->tied = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "tie_word_embeddings"));
	s->attn_bias = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "attention_bias"));
	return EV_OK;
}

int plot_decode_text(const cJSON *doc, const char *prefix, char **ctx_dat, char **ctx_gp,
		     char **bar_dat, char **bar_gp, struct ev_err *e)
{
	const cJSON *dec = cJSON_GetObjectItemCaseSensitive(doc, "decode"), *run;
	struct sbuf cd = {0}, cg = {0}, bd = {0}, bg = {0}, pl = {0};
	struct ev_model_shape s;
	double bw = num(dec, "reference_bw_best_bytes_per_s"), ds = num(dec, "datasheet_bw_bytes_per_s");
	/* the KV element size the run used (results before the field: fp16) */
	double kv_elem = cJSON_GetObjectItemCaseSensitive(dec, "kv_cache_elem_bytes")
				 ? num(dec, "kv_cache_elem_bytes")
				 : 2;
	double threads = num(dec, "threads");
	int maxctx = 1, k = 0, block = 0;
	char t1[300], t2[300], e1[400], e2[400], ctxdat[300], cdn[260];
	*ctx_dat = *ctx_gp = *bar_dat = *bar_gp = NULL;
	if (!dec)
		return ev_fail(e, EV_ERR_USAGE, "no decode section");
	if (shape_of(cJSON_GetObjectItemCaseSensitive(dec, "model"), &s, e))
		return EV_ERR_USAGE;
	if (!(bw > 0 && bw < 1e18))
		return ev_fail(e, EV_ERR_USAGE, "decode.reference_bw_best_bytes_per_s: %g is not a bandwidth",
			       bw);
	if (!(threads >= 1 && threads <= REP_MAX_THREADS))
		return ev_fail(e, EV_ERR_USAGE, "decode.threads: %g is outside 1..%d", threads,
			       REP_MAX_THREADS);
	if (!(kv_elem > 0 && kv_elem <= 8))
		return ev_fail(e, EV_ERR_USAGE, "decode.kv_cache_elem_bytes: %g is not 1 to 8 bytes",
			       kv_elem);
	cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(dec, "runs"))
	{
		const cJSON *p;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(run, "context_sweep"))
		{
			double c = 0;
			if (json_get_range(p, "ctx", &c, 1, 1, 1 << 24, "decode.runs[].context_sweep[]", e))
				return EV_ERR_USAGE;
			if (c > maxctx)
				maxctx = (int)c;
		}
	}
	maxctx = maxctx * 2;
	sb_printf(&cd, "# eaves decode: tokens/s against context length. Per weight format: the\n"
		       "# measured points (ctx, median tok/s), then the ceiling curve\n"
		       "# (ctx, bandwidth / bytes per token, computed).\n");
	sb_printf(&bd, "# quant measured_tok_s ceiling_tok_s datasheet_ceiling_tok_s compute_ceiling_tok_s\n");
	snprintf(cdn, sizeof cdn, "%s-ctx.dat", prefix);
	esc_gp(ctxdat, sizeof ctxdat, cdn);
	cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(dec, "runs"))
	{
		const cJSON *p;
		const char *q = str(run, "quant");
		double bpw = num(run, "bytes_per_weight");
		if (num(run, "ceiling_bw_bytes_per_s") > 0)
			bw = num(run, "ceiling_bw_bytes_per_s");
		sb_printf(&cd, "\n\n# %s measured\n", esc_dat(e1, sizeof e1, q));
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(run, "context_sweep"))
		sb_printf(&cd, "%d %.6g\n", (int)num(p, "ctx"), num(p, "tokens_per_s_median"));
		sb_printf(&cd, "\n\n# %s ceiling at %.1f GB/s\n", esc_dat(e1, sizeof e1, q), bw / 1e9);
		for (double c = 1; c <= maxctx * 1.001; c *= 1.25) {
			struct ev_decode_cost cost;
			dm_decode_cost(&s, bpw, kv_elem, (int)c, &cost);
			sb_printf(&cd, "%d %.6g\n", (int)c, dm_ceiling_tok_s(cost.total_bytes, bw));
		}
		snprintf(t1, sizeof t1, "%s measured", q);
		snprintf(t2, sizeof t2, "%s ceiling (%.1f GB/s)", q, bw / 1e9);
		sb_printf(&pl, "%s%s index %d with linespoints pt 7 ps 1.3 lw 2 lc rgb '%s' title %s, \\\n"
			       "     %s index %d with lines dt 2 lw 2 lc rgb '%s' title %s",
			  block ? ", \\\n     " : "plot ", ctxdat, block, colors[k % 5],
			  esc_gp(e1, sizeof e1, t1), ctxdat, block + 1, colors[k % 5], esc_gp(e2, sizeof e2, t2));
		block += 2;
		sb_printf(&bd, "\"%s\" %.6g %.6g %.6g %.6g\n", esc_dat(e1, sizeof e1, q), num(run, "tokens_per_s"),
			  num(run, "ceiling_tokens_per_s"), ds > 0 ? num(run, "datasheet_ceiling_tokens_per_s") : 0,
			  num(run, "compute_ceiling_tokens_per_s"));
		k++;
	}
	sb_printf(&cg, "# eaves decode plot: render with gnuplot %s-ctx.gp\n"
		       "if (!exists(\"png_out\")) png_out = '%s-ctx.png'\n"
		       "if (!exists(\"svg_out\")) svg_out = '%s-ctx.svg'\n"
		       "set title %s noenhanced\n"
		       "set logscale x 2\nset xlabel 'context length (tokens)'\nset ylabel 'tokens/s'\n"
		       "set yrange [0:*]\nset grid lc rgb '#dddddd'\n"
		       "set key outside right top noenhanced\n"
		       "set terminal pngcairo size 1200,700 font 'Sans,11' noenhanced\nset output png_out\n%s\n"
		       "set terminal svg size 1200,700 dynamic font 'Sans,11' noenhanced\nset output svg_out\nreplot\nset output\n",
		  prefix, prefix, prefix, esc_gp(e1, sizeof e1, (snprintf(t1, sizeof t1, "%s decode, %d threads: tokens/s by context length (KV cache filled to it)", s.name, (int)threads), t1)), pl.p ? pl.p : "plot 1/0 notitle");
	sb_printf(&bg, "# eaves decode bars: render with gnuplot %s-bars.gp\n"
		       "if (!exists(\"png_out\")) png_out = '%s-bars.png'\n"
		       "if (!exists(\"svg_out\")) svg_out = '%s-bars.svg'\n"
		       "set title %s noenhanced\n"
		       "set style data histograms\nset style histogram clustered gap 1\n"
		       "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset ylabel 'tokens/s'\n"
		       "set yrange [0:*]\nset grid ytics lc rgb '#dddddd'\nset key outside right top noenhanced\n"
		       "set terminal pngcairo size 1200,700 font 'Sans,11' noenhanced\nset output png_out\n"
		       "plot '%s-bars.dat' using 2:xtic(1) lc rgb '#d62728' title 'measured', \\\n"
		       "     '' using 3 lc rgb '#7f7f7f' title 'ceiling: measured DRAM (~%.1f GB/s)'%s, \\\n"
		       "     '' using 5 lc rgb '#1f77b4' title 'compute ceiling (weights in cache)'\n"
		       "set terminal svg size 1200,700 dynamic font 'Sans,11' noenhanced\nset output svg_out\nreplot\nset output\n",
		  prefix, prefix, prefix, esc_gp(e1, sizeof e1, (snprintf(t1, sizeof t1, "%s decode, %d threads: measured tokens/s against the ceilings", s.name, (int)threads), t1)), prefix, bw / 1e9,
		  ds > 0 ? ", \\\n     '' using 4 lc rgb '#bbbbbb' title 'ceiling: datasheet'" : "");
	sb_free(&pl);
	*ctx_dat = sb_take(&cd);
	*ctx_gp = sb_take(&cg);
	*bar_dat = sb_take(&bd);
	*bar_gp = sb_take(&bg);
	if (!*ctx_dat || !*ctx_gp || !*bar_dat || !*bar_gp)
		return ev_fail(e, EV_ERR_RUNTIME, "decode plot: out of memory");
	return EV_OK;
}

int plot_decode(const cJSON *doc, const char *dir, const char *prefix, struct plot_out *o,
		struct ev_err *e)
{
	char *t[4] = {0}, path[1400], png[600], svg[600], gp[600];
	static const char *const ext[4] = {"-ctx.dat", "-ctx.gp", "-bars.dat", "-bars.gp"};
	int rc;
	memset(o, 0, sizeof *o);
	if (!cJSON_GetObjectItemCaseSensitive(doc, "decode")) {
		snprintf(o->note, sizeof o->note, "no decode section");
		return EV_OK;
	}
	if ((rc = plot_decode_text(doc, prefix, &t[0], &t[1], &t[2], &t[3], e)))
		return rc;
	for (int i = 0; i < 4 && !rc; i++) {
		snprintf(path, sizeof path, "%s/%s%s", dir, prefix, ext[i]);
		rc = file_write_atomic(path, t[i], strlen(t[i]), e);
	}
	for (int i = 0; i < 4; i++)
		free(t[i]);
	if (rc)
		return rc;
	if (!plot_have_gnuplot()) {
		snprintf(o->note, sizeof o->note, "gnuplot not found: wrote %s/%s-ctx.gp and -bars.gp", dir,
			 prefix);
		return EV_OK;
	}
	for (int i = 0; i < 2; i++) {
		const char *kind = i ? "bars" : "ctx";
		snprintf(gp, sizeof gp, "%s-%s.gp", prefix, kind);
		snprintf(png, sizeof png, "%s-%s.png", prefix, kind);
		snprintf(svg, sizeof svg, "%s-%s.svg", prefix, kind);
		if (plot_render(dir, gp, png, svg, o->note, sizeof o->note))
			return ev_fail(e, EV_ERR_RUNTIME, "%s", o->note);
	}
	o->rendered = 1;
	snprintf(o->note, sizeof o->note, "wrote %s/%s-ctx.png and %s-bars.png (and .svg)", dir, prefix,
		 prefix);
	return EV_OK;
}
