/* tests/test-reports.c: reports from a golden result file compared with golden
 * .dat, .gp and .md (EAVES_UPDATE_GOLDEN=1 rewrites them after a deliberate
 * change: review the diff), the gnuplot script rendered when gnuplot is
 * installed (SKIP otherwise), the comparison table, the bw JSON round trip,
 * and every shipped device file loaded and validated. */
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "decode-plot.h"
#include "devices.h"
#include "harness.h"
#include "json.h"
#include "markdown.h"
#include "latency-plot.h"
#include "plot.h"
#include "result.h"
#include "bench-sustain.h"
#include "sustain-plot.h"

static void golden(const char *name, const char *got)
{
	const char *path = t_src(name);
	char *want;
	if (getenv("EAVES_UPDATE_GOLDEN")) {
		struct ev_err e;
		file_write_atomic(path, got, strlen(got), &e);
		printf("  rewrote %s\n", name);
		return;
	}
	want = t_slurp(path);
	T_CHECK(want != NULL, "missing golden file %s", name);
	if (want && strcmp(want, got)) {
		size_t i = 0;
		while (want[i] && want[i] == got[i])
			i++;
		T_CHECK(0, "%s differs at byte %zu: want '%.60s' got '%.60s'", name, i, want + i, got + i);
	}
	free(want);
}

static void test_golden_plot_and_report(void)
{
	cJSON *doc = NULL;
	struct rep_result r;
	struct ev_err e = {0};
	const struct rep_result *one[1] = {&r};
	char *dat = NULL, *gp = NULL, *md = NULL;
	T_CHECK(json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e) == 0, "%s", e.msg);
	if (!doc)
		return;
	T_CHECK(rep_load(doc, "result.json", &r, &e) == 0, "%s", e.msg);
	T_CHECK(rep_mem_find(&r, "DRAM", 0) && rep_peak_find(&r, "fp32", 0) && r.npts == 2 &&
			r.ds_bw > 0,
		"roofs, decode points and datasheet read back");
	T_CHECK(plot_roofline_text(one, 1, "roofline.dat", &dat, &gp, &e) == 0, "%s", e.msg);
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == 0, "%s", e.msg);
	if (dat && gp && md) {
		golden("tests/fixtures/golden/roofline.dat", dat);
		golden("tests/fixtures/golden/roofline.gp", gp);
		golden("tests/fixtures/golden/report.md", md);
		T_CHECK(strstr(md, "| DRAM | read | 2 |") && strstr(md, "## LLM decode"), "report sections");
		T_CHECK(strstr(md, "## Memory latency") && strstr(md, "| DRAM | huge | 256 MiB | 100.0 | 300 |") &&
				strstr(md, "| one core | 7.7 | 8.0 | 104% |") &&
				strstr(md, "DRAM: 4 KiB pages +50.0 ns"),
			"latency section: levels, TLB cost, bound beside the measured read");
	}
	{
		char *ldat = NULL, *lgp = NULL;
		T_CHECK(r.nlat == 8 && r.nlatpts == 8 && r.nloaded == 3 && r.bound.valid && r.bound.mlp == 12,
			"latency read back: %d levels, %d points (the skipped one left out), %d loaded",
			r.nlat, r.nlatpts, r.nloaded);
		T_CHECK(plot_latency_text(&r, "latency", &ldat, &lgp, &e) == 0, "%s", e.msg);
		if (ldat && lgp) {
			golden("tests/fixtures/golden/latency.dat", ldat);
			golden("tests/fixtures/golden/latency.gp", lgp);
		}
		free(ldat);
		free(lgp);
	}
	free(dat);
	free(gp);
	free(md);
	cJSON_Delete(doc);
}

static void test_golden_decode_plots(void)
{
	cJSON *doc = NULL;
	struct ev_err e = {0};
	char *t[4] = {0};
	json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e);
	T_CHECK(doc && plot_decode_text(doc, "decode", &t[0], &t[1], &t[2], &t[3], &e) == 0, "%s", e.msg);
	if (t[3]) {
		golden("tests/fixtures/golden/decode-ctx.dat", t[0]);
		golden("tests/fixtures/golden/decode-ctx.gp", t[1]);
		golden("tests/fixtures/golden/decode-bars.dat", t[2]);
		golden("tests/fixtures/golden/decode-bars.gp", t[3]);
		/* the ceiling curve is bandwidth / bytes per token from the model shape */
		T_CHECK(strstr(t[0], "# q4_0 ceiling at 35.4 GB/s\n1 60.82") != NULL, "q4_0 ceiling at ctx 1");
	}
	for (int i = 0; i < 4; i++)
		free(t[i]);
	cJSON_Delete(doc);
	doc = cJSON_Parse("{\"schema\":\"eaves.result\"}");
	T_CHECK(plot_decode_text(doc, "d", &t[0], &t[1], &t[2], &t[3], &e) == EV_ERR_USAGE, "no decode section");
	cJSON_Delete(doc);
}

/* A result written by a hostile stranger: strings that would run commands in
 * gnuplot, break a Markdown table or inject HTML. Plotting and reporting it
 * must run nothing and keep every string inert. */
static void set_str(cJSON *o, const char *key, const char *v)
{
	cJSON_ReplaceItemInObjectCaseSensitive(o, key, cJSON_CreateString(v));
}

/* Does a backquote or "system" stand outside single quotes in this gnuplot
 * line (where gnuplot would run it)? '' inside a quoted string is a quote. */
static int active_outside_quotes(const char *line)
{
	int in = 0;
	for (const char *p = line; *p; p++) {
		if (*p == '\'') {
			if (in && p[1] == '\'')
				p++;
			else
				in = !in;
		} else if (!in && (*p == '`' || !strncmp(p, "system", 6))) {
			return 1;
		}
	}
	return in; /* an unterminated string is wrong too */
}

static void test_hostile_strings(void)
{
	cJSON *doc = NULL, *dec, *run;
	struct rep_result *r = calloc(1, sizeof *r);
	struct ev_err e = {0};
	const struct rep_result *one[1] = {r};
	struct plot_out po;
	char dir[] = "/tmp/eaves-hostile-XXXXXX", base[128], flag[160], *md = NULL;
	char *t[4] = {0}, *dat = NULL, *gp = NULL;
	struct stat st;
	static const char evil[] = "x\" `touch %s` ' system \"touch %s\" \n| <script>alert(1)</script> [a](b)";
	char host[512];
	T_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(flag, sizeof flag, "%s/pwned", dir);
	snprintf(host, sizeof host, evil, flag, flag);
	json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e);
	T_CHECK(doc != NULL, "%s", e.msg);
	if (!doc)
		return;
	set_str(doc, "host", host);
	set_str(doc, "created_utc", host);
	set_str(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "machine"), "cpu"), "model_name", host);
	dec = cJSON_GetObjectItem(doc, "decode");
	set_str(cJSON_GetObjectItem(dec, "model"), "name", host);
	run = cJSON_GetArrayItem(cJSON_GetObjectItem(dec, "runs"), 0);
	set_str(run, "quant", host);
	set_str(run, "model", host);
	T_CHECK(rep_load(doc, "hostile.json", r, &e) == EV_OK, "%s", e.msg);
	T_CHECK(plot_roofline_text(one, 1, "roofline.dat", &dat, &gp, &e) == EV_OK, "%s", e.msg);
	T_CHECK(gp && !strstr(gp, "\n system"), "gp written");
	/* every line of the script that mentions the payload keeps it in one quoted string */
	for (char *line = gp; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		T_CHECK(!active_outside_quotes(line), "payload outside a single-quoted string: %s", line);
		line = nl ? nl + 1 : NULL;
	}
	T_CHECK(dat && !strstr(dat, "\nsystem"), "dat written");
	T_CHECK(plot_decode_text(doc, "decode", &t[0], &t[1], &t[2], &t[3], &e) == EV_OK, "%s", e.msg);
	for (int k = 1; k < 4; k += 2)
		for (char *line = t[k]; line && *line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = 0;
			T_CHECK(!active_outside_quotes(line), "decode plot: payload active: %s", line);
			line = nl ? nl + 1 : NULL;
		}
	if (plot_have_gnuplot()) {
		snprintf(base, sizeof base, "%s/roofline", dir);
		plot_roofline(one, 1, base, &po, &e);
		T_CHECK(po.rendered, "renders: %s", po.note);
		plot_decode(doc, dir, "decode", &po, &e);
		T_CHECK(stat(flag, &st) != 0, "gnuplot ran a command from the result file");
	}
	{
		/* terminal escape sequences from a file never reach the terminal */
		char *tab;
		set_str(doc, "host", "evil\x1b]0;title\x07\x1b[31mred");
		T_CHECK(rep_load(doc, "hostile.json", r, &e) == EV_OK, "%s", e.msg);
		tab = cmp_table(one, 1, 0);
		T_CHECK(tab && !strchr(tab, 0x1b) && !strchr(tab, 0x07), "control characters escaped");
		free(tab);
		set_str(doc, "host", host);
	}
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == EV_OK, "%s", e.msg);
	T_CHECK(md && !strstr(md, "<script>") && strstr(md, "&lt;script&gt;") &&
			strstr(md, "\\| &lt;script") && !strstr(md, "\n| <"),
		"Markdown keeps the payload inert");
	free(md);
	free(dat);
	free(gp);
	for (int i = 0; i < 4; i++)
		free(t[i]);
	cJSON_Delete(doc);
	free(r);
	snprintf(base, sizeof base, "rm -rf '%s'", dir);
	T_CHECK(system(base) == 0, "cleanup");
}

static void test_gnuplot_renders(void)
{
	cJSON *doc = NULL;
	struct rep_result r;
	struct ev_err e = {0};
	const struct rep_result *one[1] = {&r};
	struct plot_out po;
	char dir[] = "/tmp/eaves-plot-XXXXXX", base[128], png[160];
	struct stat st;
	if (!plot_have_gnuplot()) {
		T_SKIP("gnuplot not installed (Debian: gnuplot-nox); .dat/.gp are still tested");
		return;
	}
	T_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e);
	rep_load(doc, "result.json", &r, &e);
	snprintf(base, sizeof base, "%s/roofline", dir);
	T_CHECK(plot_roofline(one, 1, base, &po, &e) == 0 && po.rendered, "%s %s", e.msg, po.note);
	snprintf(png, sizeof png, "%s/roofline.png", dir);
	T_CHECK(stat(png, &st) == 0 && st.st_size > 10000, "a PNG of some size");
	snprintf(png, sizeof png, "%s/roofline.svg", dir);
	T_CHECK(stat(png, &st) == 0 && st.st_size > 10000, "an SVG of some size");
	/* a broken script is reported, not silently ignored */
	{
		char msg[600], gp[200];
		FILE *f;
		snprintf(gp, sizeof gp, "%s/bad.gp", dir);
		f = fopen(gp, "w");
		fputs("set output png_out\nplot 'nonexistent.dat' index 0 with lines\n", f);
		fclose(f);
		T_CHECK(plot_render(dir, "bad.gp", "bad.png", "bad.svg", msg, sizeof msg) != 0 &&
				strstr(msg, "gnuplot failed"),
			"gnuplot failure reported: %s", msg);
	}
	{
		char rm[200];
		snprintf(rm, sizeof rm, "rm -rf %s", dir);
		T_CHECK(system(rm) == 0, "cleanup");
	}
	cJSON_Delete(doc);
}

static void test_compare(void)
{
	struct rep_result a, b;
	struct ev_err e = {0};
	const struct rep_result *two[2] = {&a, &b};
	char *t;
	T_CHECK(rep_load_file(t_src("tests/fixtures/golden/result.json"), &a, &e) == 0, "%s", e.msg);
	b = a;
	for (int i = 0; i < b.nmem; i++)
		b.mem[i].best /= 2; /* a board with half the bandwidth */
	t = cmp_table(two, 2, 0);
	T_CHECK(t && strstr(t, "DRAM read, all threads") && strstr(t, "0.50"), "ratio 0.50 shown");
	free(t);
	t = cmp_table(two, 2, 1);
	T_CHECK(t && strstr(t, "| figure | unit | A | B | B/A |"), "markdown table");
	free(t);
}

/* A fleet of 7: one row per board, sorted by the chosen figure, boards
 * without it last; the overlaid roofline keeps one titled roof per board. */
static void test_fleet(void)
{
	enum { N = 7 };
	static const double scale[N] = {1.0, 0.25, 2.0, 0.5, 1.5, 0.75, 1.25};
	struct rep_result *rs = calloc(N, sizeof *rs);
	const struct rep_result *p[N];
	struct ev_err e = {0};
	char *t, *dat = NULL, *gp = NULL;
	T_CHECK(rep_load_file(t_src("tests/fixtures/golden/result.json"), &rs[0], &e) == 0, "%s", e.msg);
	for (int i = 0; i < N; i++) {
		if (i)
			rs[i] = rs[0];
		snprintf(rs[i].path, sizeof rs[i].path, "results/fleet-x/board%d/result.json", i);
		for (int k = 0; k < rs[i].nmem; k++)
			rs[i].mem[k].best *= scale[i];
		p[i] = &rs[i];
	}
	rs[3].nlat = 0; /* board3 has no latency section */
	t = cmp_fleet_table(p, N, cmp_fleet_key("dram"), 0);
	T_CHECK(t && strstr(t, "sorted by DRAM read (highest first)"), "sort key named");
	{
		/* DRAM descending: board2 (x2), board4 (1.5), board6, board0, board5, board3, board1 */
		static const char *order[N] = {"board2", "board4", "board6", "board0", "board5", "board3", "board1"};
		const char *at = t;
		int ok = 1;
		for (int i = 0; i < N && at; i++)
			ok &= (at = strstr(at, order[i])) != NULL;
		T_CHECK(ok, "rows in DRAM order:\n%s", t);
	}
	free(t);
	t = cmp_fleet_table(p, N, cmp_fleet_key("latency"), 1);
	T_CHECK(t && strstr(t, "lowest first") && strstr(t, "| # | result | board | created |"), "markdown");
	{
		/* board3 has no latency: last */
		char *last = strrchr(t, '|') ? strstr(t, "| 7 | board3 |") : NULL;
		T_CHECK(last != NULL, "a board without the figure comes last:\n%s", t);
	}
	free(t);
	T_CHECK(cmp_fleet_key("bogus") == -1 && strstr(cmp_fleet_keys(), "ceiling"), "unknown key");
	T_CHECK(plot_roofline_text(p, N, "f.dat", &dat, &gp, &e) == 0, "%s", e.msg);
	if (gp) {
		int titled = 0;
		for (const char *q = gp; (q = strstr(q, " title '")); q += 8)
			titled += q[8] != '\'';
		T_CHECK(titled == N + 1, "one legend entry per board (and the plot's title): %d", titled);
		T_CHECK(strstr(gp, "title 'board6: ") && strstr(gp, "dt 2"), "boards named, dash types cycle");
	}
	free(dat);
	free(gp);
	free(rs);
}

/* A result with GPUs (characterize's gpu_results[]): their roofs on the
 * roofline beside the CPU's, their rows in compare; a GPU result is untrusted
 * input like the rest (a bad rate names its field, too many GPUs the limit). */
static cJSON *gpu_section(const char *name, double read, double fp32)
{
	cJSON *g = cJSON_CreateObject(), *d = cJSON_AddObjectToObject(g, "device"), *ks, *k;
	cJSON_AddStringToObject(g, "status", "ok");
	cJSON_AddStringToObject(d, "name", name);
	cJSON_AddStringToObject(d, "type", "integrated");
	ks = cJSON_AddArrayToObject(g, "kernels");
	k = cJSON_CreateObject();
	cJSON_AddStringToObject(k, "kernel", "read");
	cJSON_AddStringToObject(k, "status", "ok");
	cJSON_AddNumberToObject(k, "bw_best_bytes_per_s", read);
	cJSON_AddItemToArray(ks, k);
	k = cJSON_CreateObject();
	cJSON_AddStringToObject(k, "kernel", "fp32_fma");
	cJSON_AddStringToObject(k, "status", "ok");
	cJSON_AddNumberToObject(k, "best_flop_per_s", fp32);
	cJSON_AddItemToArray(ks, k);
	k = cJSON_CreateObject(); /* a skipped kernel carries no figure */
	cJSON_AddStringToObject(k, "kernel", "fp16_fma");
	cJSON_AddStringToObject(k, "status", "skipped");
	cJSON_AddItemToArray(ks, k);
	return g;
}

/* The golden result with one GPU of these figures in gpu_results[] (its
 * list in *arr); NULL if the golden file cannot be read. */
static cJSON *golden_with_gpu(const char *name, double read, double fp32, cJSON **arr)
{
	cJSON *doc = NULL;
	struct ev_err e = {0};
	T_CHECK(json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e) == 0, "%s", e.msg);
	if (!doc)
		return NULL;
	*arr = cJSON_AddArrayToObject(doc, "gpu_results");
	cJSON_AddItemToArray(*arr, gpu_section(name, read, fp32));
	return doc;
}

/* A GPU's cooperative-matrix peaks (flops --gpu, characterize): the best of
 * both accumulators, its own line on the roofline above the FMA peaks and the
 * read roof reaching up to it, a compare row; a bad rate names its field. */
static void test_gpu_coop(void)
{
	cJSON *arr = NULL, *doc = golden_with_gpu("Orin (nvgpu)", 100e9, 5e12, &arr), *ks, *k;
	struct rep_result *r = calloc(2, sizeof *r);
	struct ev_err e = {0};
	char *dat = NULL, *gp = NULL, *t;
	const struct rep_result *one[1] = {r}, *two[2] = {r, r + 1};
	if (!doc || !r) {
		cJSON_Delete(doc);
		free(r);
		return;
	}
	ks = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "kernels");
	for (int i = 0; i < 2; i++) {
		k = cJSON_CreateObject();
		cJSON_AddStringToObject(k, "kernel", i ? "coopmat_f16_f32" : "coopmat_f16");
		cJSON_AddStringToObject(k, "status", "ok");
		cJSON_AddNumberToObject(k, "best_flop_per_s", i ? 21e12 : 42e12);
		cJSON_AddItemToArray(ks, k);
	}
	T_CHECK(rep_load(doc, "g.json", r, &e) == 0 && r->ngpu == 1 && r->gpu[0].coop == 42e12 &&
			r->gpu[0].fp32 == 5e12,
		"%s", e.msg);
	T_CHECK(plot_roofline_text(one, 1, "r.dat", &dat, &gp, &e) == 0, "%s", e.msg);
	T_CHECK(dat && strstr(dat, "fp16 matrix (cooperative) peak, 42000.0 GFLOP/s (measured, Vulkan)") &&
			strstr(dat, "fp32 FMA peak, 5000.0 GFLOP/s") && strstr(dat, "\n420 42000\n"),
		"the matrix peak and the read roof up to it:\n%s", dat ? dat : "");
	T_CHECK(gp && strstr(gp, "GPU Orin (nvgpu) fp16 matrix 42000.0 GFLOP/s"), "in the legend");
	free(dat);
	free(gp);
	r[1] = r[0];
	r[1].ngpu = 0;
	t = cmp_table(two, 2, 1);
	T_CHECK(t && strstr(t, "| GPU fp16 matrix peak | GFLOP/s | 42000 | - |"), "compare:\n%s", t ? t : "");
	free(t);
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(ks, 3), "best_flop_per_s", cJSON_CreateString("fast"));
	T_CHECK(rep_load(doc, "g.json", r, &e) == EV_ERR_USAGE && strstr(e.msg, "g.json: gpu_results[0].kernels[3]") &&
			strstr(e.msg, "best_flop_per_s"),
		"%s", e.msg);
	cJSON_Delete(doc);
	free(r);
}

static void test_gpu_roofs(void)
{
	cJSON *arr = NULL, *doc = golden_with_gpu("Mali-G610 'MC4'", 30e9, 450e9, &arr);
	struct rep_result *r = calloc(2, sizeof *r);
	struct ev_err e = {0};
	char *dat = NULL, *gp = NULL, *t;
	const struct rep_result *one[1] = {r}, *two[2] = {r, r + 1};
	if (!doc || !r) {
		cJSON_Delete(doc);
		free(r);
		return;
	}
	/* a type with a line break must not start a data line in the .dat */
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "device"), "type",
				  cJSON_CreateString("integrated\n1 1e9"));
	T_CHECK(rep_load(doc, "g.json", r, &e) == 0 && r->ngpu == 1 && r->gpu[0].read == 30e9 &&
			r->gpu[0].fp32 == 450e9 && r->gpu[0].fp16 == 0 && !strncmp(r->gpu[0].type, "integrated", 10),
		"%s", e.msg);
	T_CHECK(plot_roofline_text(one, 1, "r.dat", &dat, &gp, &e) == 0, "%s", e.msg);
	T_CHECK(dat && strstr(dat, "# GPU Mali-G610 'MC4' (integrated") && !strstr(dat, "\n1 1e9") &&
			strstr(dat, ") read roof, 30.0 GB/s (measured, Vulkan)") &&
			strstr(dat, "fp32 FMA peak, 450.0 GFLOP/s"),
		"GPU roofs in the data:\n%s", dat ? dat : "");
	T_CHECK(gp && strstr(gp, "GPU Mali-G610") && strstr(gp, "dt 5") && !strstr(gp, "fp16 0"),
		"GPU roofs in the script");
	free(dat);
	free(gp);
	r[1] = r[0];
	r[1].ngpu = 0; /* a board without a GPU: a dash */
	t = cmp_table(two, 2, 1);
	T_CHECK(t && strstr(t, "| GPU read (fastest GPU) | GB/s | 30 | - |") && strstr(t, "| GPU fp32 FMA peak |") &&
			!strstr(t, "fp16 FMA"),
		"GPU rows in compare:\n%s", t ? t : "");
	free(t);
	{ /* the decode step on a GPU (characterize's gpu_results[].decode) in report.md */
		cJSON *gd = cJSON_AddObjectToObject(cJSON_GetArrayItem(arr, 0), "decode"), *runs, *q;
		char *md = NULL;
		cJSON *gl = cJSON_AddObjectToObject(doc, "gpus");
		cJSON_AddStringToObject(gl, "status", "ok");
		cJSON_AddArrayToObject(gl, "devices");
		cJSON_AddStringToObject(gd, "status", "ok");
		cJSON_AddStringToObject(gd, "model", "Llama-3.2-1B");
		cJSON_AddNumberToObject(gd, "read_bw_median_bytes_per_s", 30e9);
		runs = cJSON_AddArrayToObject(gd, "runs");
		q = cJSON_CreateObject();
		cJSON_AddStringToObject(q, "quant", "q4_0");
		cJSON_AddStringToObject(q, "weights", "synthetic");
		cJSON_AddStringToObject(q, "status", "ok");
		cJSON_AddNumberToObject(q, "weight_bytes_per_step", 695.1e6);
		cJSON_AddNumberToObject(q, "steps_per_s_median", 30.5);
		cJSON_AddNumberToObject(q, "ceiling_steps_per_s", 43.16);
		cJSON_AddNumberToObject(q, "fraction_of_ceiling", 30.5 / 43.16);
		cJSON_AddNumberToObject(q, "intensity_flop_per_byte", 3.56);
		cJSON_AddNumberToObject(q, "achieved_flop_per_s", 75.4e9);
		cJSON_AddItemToArray(runs, q);
		q = cJSON_CreateObject();
		cJSON_AddStringToObject(q, "quant", "bf16");
		cJSON_AddStringToObject(q, "status", "skipped");
		cJSON_AddStringToObject(q, "reason", "not a GPU format | <b>");
		cJSON_AddItemToArray(runs, q);
		T_CHECK(md_report(doc, NULL, NULL, &md, &e) == 0, "%s", e.msg);
		T_CHECK(md && strstr(md, "Decode step on this GPU, Llama-3.2-1B (every matrix of one token, synthetic "
					 "weights; the ceiling is the step's bytes over the read bandwidth measured "
					 "with it, 30.0 GB/s)") &&
				strstr(md, "| q4_0 | 695.1 | 30.50 | 43.16 | 70.7% |") && strstr(md, "| bf16 | skipped: ") &&
				!strstr(md, "not a GPU format | <b>"),
			"GPU decode in report.md:\n%s", md ? md : "");
		free(md);
		/* read back: a point of its own (not the CPU's decode), in the plot and in compare */
		{
			const struct rep_point *gpt = NULL;
			T_CHECK(rep_load(doc, "g.json", r, &e) == 0, "%s", e.msg);
			for (int k = 0; k < r->npts; k++)
				if (r->pts[k].gpu)
					gpt = &r->pts[k];
			T_CHECK(gpt && !strcmp(gpt->label, "GPU step Llama-3.2-1B q4_0") && gpt->tok_per_s == 30.5 &&
					gpt->intensity == 3.56 && r->npts == 3,
				"GPU decode point: %s (of %d)", gpt ? gpt->label : "none", r->npts);
		}
		T_CHECK(plot_roofline_text(one, 1, "r.dat", &dat, &gp, &e) == 0 && dat && gp &&
				strstr(dat, "# measured kernels: GPU decode steps (matrices only)") &&
				strstr(dat, "3.56 75.4 \"GPU step Llama-3.2-1B q4_0 30.5 steps/s\"") &&
				strstr(gp, "GPU decode step (measured)"),
			"GPU decode in the plot:\n%s", dat ? dat : "");
		free(dat);
		free(gp);
		r[1].npts = 0;
		t = cmp_table(two, 2, 1);
		T_CHECK(t && strstr(t, "| decode GPU step Llama-3.2-1B q4_0 | steps/s | 30.5 | - |"),
			"GPU decode in compare:\n%s", t ? t : "");
		free(t);
		/* hostile: a rate that is no number */
		cJSON_ReplaceItemInObject(cJSON_GetArrayItem(runs, 0), "achieved_flop_per_s", cJSON_CreateString("fast"));
		T_CHECK(rep_load(doc, "g.json", r, &e) == EV_ERR_USAGE &&
				strstr(e.msg, "g.json: gpu_results[0].decode.runs[0]") && strstr(e.msg, "achieved_flop_per_s"),
			"%s", e.msg);
		cJSON_DeleteItemFromObject(cJSON_GetArrayItem(arr, 0), "decode");
	}
	/* hostile input */
	cJSON_AddNumberToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "kernels"), 0),
				"x", 0);
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 0), "kernels"), 0),
				  "bw_best_bytes_per_s", cJSON_CreateNumber(-5));
	T_CHECK(rep_load(doc, "g.json", r, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "g.json: gpu_results[0].kernels[0]") && strstr(e.msg, "bw_best_bytes_per_s"),
		"%s", e.msg);
	cJSON_DeleteItemFromArray(arr, 0);
	for (int i = 0; i <= REP_MAX_GPUS; i++)
		cJSON_AddItemToArray(arr, gpu_section("gpu", 1e9, 1e9));
	T_CHECK(rep_load(doc, "g.json", r, &e) == EV_ERR_USAGE && strstr(e.msg, "more than 16 GPUs"), "%s",
		e.msg);
	cJSON_Delete(doc);
	free(r);
}

static void test_bad_results(void)
{
	struct rep_result r;
	struct ev_err e = {0};
	cJSON *d = cJSON_Parse("{\"schema\":\"eaves.result\",\"schema_version\":1,\"bw\":{\"levels\":"
			       "[{\"level\":\"DRAM\",\"kernel\":\"read\",\"threads\":\"two\"}]}}");
	T_CHECK(rep_load(d, "x.json", &r, &e) == EV_ERR_USAGE && strstr(e.msg, "x.json: bw.levels[0]") &&
			strstr(e.msg, "threads"),
		"%s", e.msg);
	cJSON_Delete(d);
	d = cJSON_Parse("{\"schema\":\"eaves.result\",\"schema_version\":7}");
	T_CHECK(rep_load(d, "y.json", &r, &e) == EV_ERR_USAGE && strstr(e.msg, "newer"), "%s", e.msg);
	cJSON_Delete(d);
	d = cJSON_Parse("{\"schema\":\"something.else\",\"schema_version\":1}");
	T_CHECK(rep_load(d, "z.json", &r, &e) == EV_ERR_USAGE && strstr(e.msg, "not an eaves result"),
		"%s", e.msg);
	cJSON_Delete(d);
}

/* A result with many thread counts: every level entry is read (a silent cap
 * once dropped the last thread counts, and predict --roofline then used the
 * wrong one); past the limit, an error names it. */
static cJSON *levels_doc(int nthreads)
{
	static const char *lv[] = {"L1", "L2", "L3", "DRAM"};
	static const char *kn[] = {"read", "write", "copy", "triad", "write_nt", "copy_nt", "triad_nt"};
	cJSON *doc = cJSON_Parse("{\"schema\":\"eaves.result\",\"schema_version\":1,"
				 "\"command\":\"bw\",\"bw\":{\"levels\":[]}}");
	cJSON *levels = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "bw"), "levels");
	for (int t = 1; t <= nthreads; t++)
		for (size_t k = 0; k < sizeof kn / sizeof kn[0]; k++)
			for (size_t l = 0; l < sizeof lv / sizeof lv[0]; l++) {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "level", lv[l]);
				cJSON_AddStringToObject(o, "kernel", kn[k]);
				cJSON_AddNumberToObject(o, "threads", t);
				cJSON_AddNumberToObject(o, "bw_best_bytes_per_s", 1e9 * t + (double)l);
				cJSON_AddItemToArray(levels, o);
			}
	return doc;
}

static void test_many_entries(void)
{
	struct rep_result *r = calloc(1, sizeof *r);
	struct ev_err e = {0};
	cJSON *doc = levels_doc(4); /* 112 entries */
	const struct rep_mem *m;
	T_CHECK(rep_load(doc, "four.json", r, &e) == EV_OK, "%s", e.msg);
	m = rep_mem_find(r, "DRAM", 0);
	T_CHECK(r->nmem == 112 && m && m->threads == 4 && m->best == 4e9 + 3,
		"the DRAM read roof at the most threads: %d entries, %d threads", r->nmem,
		m ? m->threads : -1);
	cJSON_Delete(doc);
	doc = levels_doc(19); /* 532 entries: past the limit */
	memset(r, 0, sizeof *r);
	T_CHECK(rep_load(doc, "many.json", r, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "many.json: bw.levels[512]: more than 512 entries"),
		"%s", e.msg);
	cJSON_Delete(doc);
	free(r);
}

static void test_devices(void)
{
	struct ev_device *all = calloc(96, sizeof *all), d;
	struct ev_err e = {0};
	int n = devices_list(all, 96, &e);
	T_CHECK(n >= 35, "%d devices: %s", n, e.msg);
	for (int i = 0; i < n; i++)
		T_CHECK(all[i].name[0] && all[i].cpu[0] && all[i].sources[0] &&
				(all[i].peak_bw_bytes_per_s > 0 || !strcmp(all[i].bw_basis, "not found")),
			"%s: complete", all[i].id);
	T_CHECK(devices_load("rpi5", &d, &e) == 0 && d.peak_bw_bytes_per_s == 17.07e9 &&
			!strcmp(d.bw_basis, "derived") && d.cores == 4,
		"rpi5: %s", e.msg);
	T_CHECK(devices_load("jetson_orin_nano_8gb", &d, &e) == 0 && d.peak_bw_bytes_per_s == 68e9 &&
			!strcmp(d.bw_basis, "published"),
		"orin nano published 68 GB/s");
	T_CHECK(devices_load_file(t_src("tests/fixtures/devices/bad-bw.json"), &d, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "bad-bw.json: memory: field 'peak_bw_gbs'"),
		"%s", e.msg);
	T_CHECK(devices_load_file(t_src("tests/fixtures/devices/bad-basis.json"), &d, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "bw_basis"),
		"%s", e.msg);
	free(all);
}

/* A sustained run's plot and report section from a result made by the
 * sustain JSON writer itself (known windows), then the same with a hostile
 * description and out-of-range values. */
static void test_sustain_report(void)
{
	static struct ev_sustain_result r;
	struct ev_sus_window w[6];
	struct ev_err e = {0};
	cJSON *doc = NULL, *s;
	char *dat = NULL, *gp = NULL, *md = NULL;
	T_CHECK(json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e) == 0, "%s", e.msg);
	if (!doc)
		return;
	memset(&r, 0, sizeof r);
	memset(w, 0, sizeof w);
	r.o.workload = EV_SUS_DECODE;
	r.o.duration_s = 6;
	r.o.interval_s = 1;
	r.o.threads = 4;
	snprintf(r.workload, sizeof r.workload, "decode x'; system('touch /tmp/eaves-pwned') #");
	snprintf(r.kernel, sizeof r.kernel, "q4_0 neon-dotprod");
	snprintf(r.unit, sizeof r.unit, "tokens");
	snprintf(r.power_source, sizeof r.power_source, "rail VDD_IN");
	r.idle_power_w = 3;
	r.clock_ok = 1;
	for (int i = 0; i < 6; i++) {
		w[i].t_s = i;
		w[i].dt_s = 1;
		w[i].work = i < 3 ? 20 : 15;
		w[i].rate = w[i].work;
		w[i].cpu_hz_max = w[i].cpu_hz_mean = i < 3 ? 2.4e9 : 1.8e9;
		w[i].clock_hz = i < 3 ? 2.39e9 : 1.79e9;
		w[i].mem_hz = NAN;
		w[i].temp_max_c = 60 + 5 * i;
		w[i].power_w = 8;
		for (int k = 0; k < EV_SUS_SERIES; k++)
			w[i].temp_c[k] = w[i].rail_w[k] = NAN;
	}
	r.w = w;
	r.nwin = 6;
	{
		double t[6], v[6];
		for (int i = 0; i < 6; i++)
			t[i] = w[i].t_s, v[i] = w[i].rate;
		roof_sustain(t, v, 6, 0.95, 3, &r.rate);
		for (int i = 0; i < 6; i++)
			v[i] = w[i].cpu_hz_max;
		roof_sustain(t, v, 6, 0.95, 3, &r.clock);
		for (int i = 0; i < 6; i++)
			v[i] = w[i].clock_hz;
		roof_sustain(t, v, 6, 0.95, 3, &r.mclock);
		r.mclock_ok = 1;
	}
	r.tpot_before[0] = r.tpot_before[1] = 0.05;
	r.tpot_after[0] = r.tpot_after[1] = 0.066;
	r.energy_j = 48, r.j_per_unit = 0.48, r.j_per_unit_above_idle = 0.3;
	cJSON_AddItemToObject(doc, "sustain", s = bench_sustain_json(&r));
	T_CHECK(plot_sustain_text(doc, "sustain", &dat, &gp, &e) == EV_OK, "%s", e.msg);
	T_CHECK(dat && strstr(dat, "\n3 15 1800 75 8 1790\n"), "window 3 in the data:\n%s", dat ? dat : "");
	T_CHECK(gp && strstr(gp, "using 1:6 axes x1y2") && strstr(gp, "CPU clock (measured)"),
		"the measured clock drawn");
	T_CHECK(gp && strstr(gp, "axes x1y2") && strstr(gp, "set arrow 2 from 3,"), "two axes, the drop marked:\n%s",
		gp ? gp : "");
	for (char *line = gp; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		T_CHECK(!active_outside_quotes(line), "sustain plot: payload active: %s", line);
		line = nl ? nl + 1 : NULL;
	}
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == EV_OK, "%s", e.msg);
	T_CHECK(md && strstr(md, "## Sustained run") && strstr(md, "| burst | 20 tokens/s |") &&
			strstr(md, "| time to throttle | 3.0 s: 15 tokens/s, CPU 1800 MHz, 75.0 C |") &&
			strstr(md, "at 3.0 s: 2400 -> 1800 MHz") && strstr(md, "0.48 J per token") &&
			strstr(md, "| CPU clock (measured) | dropped at 3.0 s: 2390 -> 1790 MHz |"),
		"report:\n%s", md ? md : "");
	free(dat), free(gp), free(md);
	dat = gp = NULL;
	/* a value out of its range is refused with the field's name */
	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(cJSON_GetObjectItem(s, "windows"), 2), "temp_max_c",
				  cJSON_CreateNumber(1e9));
	T_CHECK(plot_sustain_text(doc, "sustain", &dat, &gp, &e) == EV_ERR_USAGE && strstr(e.msg, "temp_max_c"),
		"%s", e.msg);
	free(dat), free(gp);
	cJSON_Delete(doc);
}

/* The report warns when the machine state can explain low figures. */
/* Each measurement's own state and counters reach the report: a DRAM level
 * taken with the memory controller low, and its counted bytes. */
static void test_measurement_state_and_counters(void)
{
	cJSON *doc = NULL, *lv, *dram = NULL;
	struct ev_err e = {0};
	char *md = NULL;
	T_CHECK(json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e) == 0, "%s", e.msg);
	if (!doc)
		return;
	cJSON_ArrayForEach(lv, cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "bw"), "levels"))
	if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(lv, "level")), "DRAM") && !dram)
		dram = lv;
	T_CHECK(dram != NULL, "the golden result has a DRAM level");
	if (!dram) {
		cJSON_Delete(doc);
		return;
	}
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == EV_OK && md &&
			!strstr(md, "## Hardware counters") && !strstr(md, "with the memory controller"),
		"nothing from a result without them");
	free(md);
	md = NULL;
	cJSON_DeleteItemFromObject(dram, "counters");
	cJSON_AddItemToObject(dram, "counters", cJSON_Parse(
		"{\"status\":\"ok\",\"source\":\"sysfs\",\"per\":\"repetition\",\"repetitions\":9,"
		"\"ipc\":0.75,\"bytes\":{\"computed_per_rep\":1e9,\"counted_per_rep\":1.02e9,"
		"\"counted_over_computed\":1.02,\"counted_by\":\"l3d_cache_refill x 64 B\"}}"));
	cJSON_AddItemToObject(dram, "machine_state", cJSON_Parse(
		"{\"memory_controller\":\"dmc\",\"governor\":\"dmc_ondemand\",\"clock_before_hz\":528e6,"
		"\"clock_after_hz\":1068e6,\"max_hz\":2112e6,\"below_max\":true}"));
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == EV_OK, "%s", e.msg);
	T_CHECK(md && strstr(md, "with the memory controller `dmc` at 528-1068 MHz of its 2112 MHz") &&
			strstr(md, "## Hardware counters") && strstr(md, "| 0.75 | 1.02e+09 | 1e+09 | 1.02x |"),
		"%s", md ? md : "null");
	free(md);
	cJSON_Delete(doc);
}

static void test_state_warnings(void)
{
	cJSON *doc = NULL, *st, *cf, *dv, *arr, *d;
	struct ev_err e = {0};
	char *md = NULL;
	T_CHECK(json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e) == 0, "%s", e.msg);
	if (!doc)
		return;
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == EV_OK && md && !strstr(md, "Warning: the"),
		"no warning from a VM's state");
	free(md);
	md = NULL;
	st = cJSON_GetObjectItem(doc, "machine_state_after");
	if (!st)
		cJSON_AddItemToObject(doc, "machine_state_after", st = cJSON_CreateObject());
	cJSON_DeleteItemFromObject(st, "cpufreq");
	cJSON_DeleteItemFromObject(st, "devfreq");
	cJSON_AddItemToObject(st, "cpufreq", cf = cJSON_CreateObject());
	cJSON_AddStringToObject(cf, "status", "ok");
	cJSON_AddStringToObject(cf, "governor", "ondemand");
	cJSON_AddItemToObject(st, "devfreq", dv = cJSON_CreateObject());
	cJSON_AddStringToObject(dv, "status", "ok");
	cJSON_AddItemToObject(dv, "devices", arr = cJSON_CreateArray());
	cJSON_AddItemToArray(arr, d = cJSON_CreateObject());
	cJSON_AddStringToObject(d, "name", "dmc");
	cJSON_AddStringToObject(d, "kind", "memory");
	cJSON_AddStringToObject(d, "governor", "dmc_ondemand");
	cJSON_AddNumberToObject(d, "cur_hz", 528e6);
	cJSON_AddNumberToObject(d, "max_hz", 2112e6);
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == EV_OK, "%s", e.msg);
	T_CHECK(md && strstr(md, "Warning: the CPU governor was `ondemand`") &&
			strstr(md, "Warning: the memory controller `dmc` ran at 528 MHz of its 2112 MHz"),
		"warnings:\n%s", md ? md : "");
	free(md);
	cJSON_Delete(doc);
}

/* A hybrid board's result: the core-kind table from bw.per_core_kind and the
 * flops kernels measured on one core of each kind; the hybrid decode line. */
static void test_core_kinds(void)
{
	cJSON *doc = NULL, *arr, *k, *kern, *e2, *dec, *h;
	struct ev_err e = {0};
	char *md = NULL;
	T_CHECK(json_read_file(t_src("tests/fixtures/golden/result.json"), &doc, &e) == 0, "%s", e.msg);
	if (!doc)
		return;
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == EV_OK && md &&
			!strstr(md, "Core kinds") && !strstr(md, "Hybrid CPU"),
		"no core-kind table on one kind");
	free(md);
	md = NULL;
	cJSON_AddItemToObject(cJSON_GetObjectItem(doc, "bw"), "per_core_kind", arr = cJSON_CreateArray());
	cJSON_AddItemToArray(arr, k = cJSON_CreateObject());
	cJSON_AddStringToObject(k, "kind", "FrequencyMaxMHz=2400");
	cJSON_AddNumberToObject(k, "kind_index", 1);
	cJSON_AddNumberToObject(k, "cores", 4);
	cJSON_AddStringToObject(k, "status", "ok");
	cJSON_AddNumberToObject(k, "read_best_bytes_per_s", 20e9);
	cJSON_AddItemToArray(arr, k = cJSON_CreateObject());
	cJSON_AddStringToObject(k, "kind", "FrequencyMaxMHz=1800");
	cJSON_AddNumberToObject(k, "kind_index", 0);
	cJSON_AddNumberToObject(k, "cores", 4);
	cJSON_AddStringToObject(k, "status", "ok");
	cJSON_AddNumberToObject(k, "read_best_bytes_per_s", 8e9);
	kern = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "flops"), "kernels");
	cJSON_AddItemToArray(kern, e2 = cJSON_CreateObject());
	cJSON_AddStringToObject(e2, "kernel", "fp32_neon_fma");
	cJSON_AddStringToObject(e2, "precision", "fp32");
	cJSON_AddStringToObject(e2, "status", "ok");
	cJSON_AddNumberToObject(e2, "threads", 1);
	cJSON_AddNumberToObject(e2, "core_kind", 1);
	cJSON_AddNumberToObject(e2, "best_flop_per_s", 38.4e9);
	dec = cJSON_GetObjectItem(doc, "decode");
	if (dec) {
		cJSON_AddItemToObject(dec, "hybrid", h = cJSON_CreateObject());
		cJSON_AddNumberToObject(h, "all_cores", 8);
		cJSON_AddStringToObject(h, "quant", "q4_0");
		cJSON_AddNumberToObject(h, "tokens", 8);
		cJSON_AddNumberToObject(h, "fastest_kind_tokens_per_s", 10);
		cJSON_AddNumberToObject(h, "all_cores_tokens_per_s", 8);
		cJSON_AddNumberToObject(h, "all_over_fastest", 0.8);
		cJSON_AddStringToObject(h, "verdict", "slower: adding the slower cores slows decode");
	}
	T_CHECK(md_report(doc, "roofline.png", NULL, &md, &e) == EV_OK, "%s", e.msg);
	/* 38.4 GFLOP/s x 4 cores / 20 GB/s = 7.68 FLOP/byte; the little kind has no FP32 figure */
	T_CHECK(md && strstr(md, "| FrequencyMaxMHz=2400 | 4 | 20.0 | 38.4 | 153.6 | 7.68 |") &&
			strstr(md, "| FrequencyMaxMHz=1800 | 4 | 8.0 | - | - | - |"),
		"core-kind table:\n%s", md ? md : "");
	T_CHECK(!dec || (md && strstr(md, "Warning: Hybrid CPU") && strstr(md, "(-20%)")),
		"the hybrid decode line warns");
	free(md);
	cJSON_Delete(doc);
}

int main(void)
{
	t_prog = "test-reports";
	setenv("EAVES_CONFIGS", t_src("configs"), 1);
	T_RUN(test_golden_plot_and_report);
	T_RUN(test_core_kinds);
	T_RUN(test_golden_decode_plots);
	T_RUN(test_gnuplot_renders);
	T_RUN(test_compare);
	T_RUN(test_fleet);
	T_RUN(test_bad_results);
	T_RUN(test_gpu_roofs);
	T_RUN(test_gpu_coop);
	T_RUN(test_devices);
	T_RUN(test_many_entries);
	T_RUN(test_hostile_strings);
	T_RUN(test_sustain_report);
	T_RUN(test_state_warnings);
	T_RUN(test_measurement_state_and_counters);
	T_DONE();
}
