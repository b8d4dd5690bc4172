/* reports/plot.c: roofline .dat/.gp writer and gnuplot runner.
 * Memory roofs are diagonals (bandwidth x intensity) that stop at the highest
 * compute roof; compute roofs are flat from where they meet the fastest memory
 * roof; ridge points (peak / DRAM bandwidth) are marked on the DRAM roof;
 * datasheet roofs are dashed; measured kernels (decode runs) are points; a
 * result's GPUs (Vulkan) get their own long-dashed read and FMA roofs. */
#include "plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "escape.h"
#include "ridges.h"
#include "sbuf.h"

/* One colour per roof, keyed by the roof lists of roofs.h (a roof added there
 * without a colour here fails to compile). */
static const char *const level_colors[] = {
	[EV_LEVEL_L1] = "#2ca02c", [EV_LEVEL_L2] = "#17becf", [EV_LEVEL_L3] = "#9467bd",
	[EV_LEVEL_L4] = "#8c564b", [EV_LEVEL_L5] = "#bcbd22", [EV_LEVEL_DRAM] = "#d62728",
};
static const char *const prec_colors[] = {
	[EV_PREC_FP64] = "#1f77b4", [EV_PREC_FP32] = "#ff7f0e", [EV_PREC_FP16] = "#e377c2",
	[EV_PREC_BF16] = "#bcbd22", [EV_PREC_INT8] = "#7f7f7f",
};
_Static_assert(sizeof level_colors / sizeof level_colors[0] == EV_LEVEL__COUNT, "a colour per level");
_Static_assert(sizeof prec_colors / sizeof prec_colors[0] == EV_PREC__COUNT, "a colour per precision");
static const char *const board_colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e",
					   "#9467bd", "#8c564b", "#e377c2", "#17becf"};
/* GPUs (Vulkan devices) of one result: their own colours, drawn long-dashed. */
static const char *const gpu_colors[] = {"#8b008b", "#008080", "#b8860b", "#2f4f4f"};
#define NGPU_COLORS (int)(sizeof gpu_colors / sizeof gpu_colors[0])

static double gpu_top(const struct rep_gpu *q)
{
	double t = q->fp32 > q->fp16 ? q->fp32 : q->fp16;
	return q->coop > t ? q->coop : t;
}

struct series {
	char title[160];
	char color[16];
	int dt;       /* dash type */
	double lw;
	int kind;     /* 0 line, 1 labelled points */
};

static double top_peak(const struct rep_result *r)
{
	double p = 0;
	for (int i = 0; i < EV_PREC__COUNT; i++) {
		const struct rep_peak *k = rep_peak_find(r, ev_prec_name[i], 0);
		if (k && k->best > p)
			p = k->best;
	}
	if (r->ds_fp32 > p)
		p = r->ds_fp32;
	return p;
}

static double fastest_bw(const struct rep_result *r)
{
	double b = 0;
	for (int l = 0; l < EV_LEVEL__COUNT; l++) {
		const struct rep_mem *m = rep_mem_find(r, ev_level_name[l], 0);
		if (m && m->best > b)
			b = m->best;
	}
	return b;
}

/* A diagonal from xmin that flattens at `cap` (GFLOP/s), up to xmax. */
static void diag(struct sbuf *d, double bw_gbs, double cap, double xmin, double xmax)
{
	double knee = cap > 0 ? cap / bw_gbs : xmax;
	sb_printf(d, "%.6g %.6g\n", xmin, bw_gbs * xmin);
	if (knee < xmax) {
		sb_printf(d, "%.6g %.6g\n", knee, cap);
		sb_printf(d, "%.6g %.6g\n", xmax, cap);
	} else {
		sb_printf(d, "%.6g %.6g\n", xmax, bw_gbs * xmax);
	}
}

/* The axes: x from the lowest decode intensity (or 1/32) to 4x the highest
 * ridge, rounded to a power of 2; y from the lowest roof or point to the
 * highest peak. */
struct plot_range {
	double xmin, xmax, ymin, ymax;
};

static int plot_ranges(const struct rep_result *const *rs, int n, struct plot_range *g,
		       struct ev_err *e)
{
	g->xmin = 1.0 / 32;
	g->xmax = 64;
	g->ymin = INFINITY;
	g->ymax = 0;
	for (int i = 0; i < n; i++) {
		const struct rep_mem *dram = rep_mem_find(rs[i], "DRAM", 0);
		if (!dram && rs[i]->nmem == 0 && rs[i]->ngpu == 0)
			return ev_fail(e, EV_ERR_USAGE,
				       "plot: %s has no bandwidth levels (run eaves bw or characterize)",
				       rs[i]->path);
		for (int k = 0; k < rs[i]->ngpu; k++)
			if (rs[i]->gpu[k].read > 0 && gpu_top(&rs[i]->gpu[k]) / rs[i]->gpu[k].read * 4 > g->xmax)
				g->xmax = gpu_top(&rs[i]->gpu[k]) / rs[i]->gpu[k].read * 4;
		for (int k = 0; k < rs[i]->npeak; k++)
			if (dram && rs[i]->peak[k].best / dram->best * 4 > g->xmax)
				g->xmax = rs[i]->peak[k].best / dram->best * 4;
		for (int k = 0; k < rs[i]->npts; k++)
			if (rs[i]->pts[k].intensity / 2 < g->xmin)
				g->xmin = rs[i]->pts[k].intensity / 2;
	}
	g->xmax = pow(2, ceil(log2(g->xmax)));
	for (int i = 0; i < n; i++) {
		const struct rep_result *r = rs[i];
		for (int l = 0; l < EV_LEVEL__COUNT; l++) { /* the roofs drawn (emit_result) */
			const struct rep_mem *m = rep_mem_find(r, ev_level_name[l], 0);
			if (m && (n == 1 || l == 0 || l == EV_LEVEL_DRAM) && m->best / 1e9 * g->xmin < g->ymin)
				g->ymin = m->best / 1e9 * g->xmin;
		}
		for (int k = 0; k < r->npeak; k++)
			if (r->peak[k].best / 1e9 > g->ymax)
				g->ymax = r->peak[k].best / 1e9;
		if (r->ds_fp32 / 1e9 > g->ymax)
			g->ymax = r->ds_fp32 / 1e9;
		for (int k = 0; k < r->npts; k++)
			if (r->pts[k].perf / 1e9 < g->ymin)
				g->ymin = r->pts[k].perf / 1e9;
		for (int k = 0; k < r->ngpu; k++) {
			const struct rep_gpu *q = &r->gpu[k];
			if (q->read > 0 && q->read / 1e9 * g->xmin < g->ymin)
				g->ymin = q->read / 1e9 * g->xmin;
			if (gpu_top(q) / 1e9 > g->ymax)
				g->ymax = gpu_top(q) / 1e9;
		}
	}
	if (!isfinite(g->ymin) || g->ymin <= 0)
		g->ymin = 0.1;
	if (g->ymax <= 0)
		g->ymax = 1000;
	return EV_OK;
}

/* The series being written: data blocks in the .dat, plot clauses in the .gp. */
struct series_out {
	struct sbuf *dat, *plot;
	const char *dat_name;
	int block;
};

/* One series: its comment and data (already in the .dat), then its clause:
 * `style` is gnuplot's "with ..." part, `after` what follows the colour
 * (label offsets), `title` untrusted text (escaped). */
static void series(struct series_out *so, const char *style, const char *color, const char *after,
		   const char *title)
{
	char t[400], f[600];
	sb_printf(so->plot, "%s %s index %d %s lc rgb '%s'%s title %s",
		  so->block ? ", \\\n     " : "plot ", esc_gp(f, sizeof f, so->dat_name), so->block,
		  style, color, after, esc_gp(t, sizeof t, title));
	so->block++;
}

/* "board: " in a comparison, nothing for one result; escaped for the .dat. */
static const char *who(const struct rep_result *r, int multi, char *buf, size_t len)
{
	char b[200], d[200];
	if (!multi) {
		buf[0] = 0;
		return buf;
	}
	{
		/* results of one host name (boards of a fleet on one image, reruns) are
		 * told apart by their folder or file name */
		char sn[200], both[500];
		rep_short_name(r, sn, sizeof sn);
		if (strcmp(sn, r->host))
			snprintf(both, sizeof both, "%s: %s", sn, rep_label(r, b, sizeof b));
		else
			rep_label(r, both, sizeof both);
		snprintf(buf, len, "%s: ", esc_dat(d, sizeof d, both));
	}
	return buf;
}

/* A fleet (more than FLEET_MIN results): one roof per board, the lowest of
 * min(peak, I x DRAM bw) over its precisions, with one legend entry; colours
 * and dash types both cycle, so 10+ boards stay apart. */
#define FLEET_MIN 5
static const char *const fleet_colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
					   "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f",
					   "#000080", "#800000"};
#define NFLEET_COLORS (int)(sizeof fleet_colors / sizeof fleet_colors[0])

static void emit_fleet(struct series_out *so, const struct rep_result *r, int i,
		       const struct plot_range *g)
{
	const struct rep_mem *dram = rep_mem_find(r, "DRAM", 0);
	const struct rep_peak *top = NULL;
	char label[400], b[200], d[200], style[80], sn[200], n2[400];
	for (int k = 0; k < EV_PREC__COUNT; k++) {
		const struct rep_peak *pk = rep_peak_find(r, ev_prec_name[k], 0);
		if (pk && k != EV_PREC_INT8 && (!top || pk->best > top->best))
			top = pk;
	}
	if (!dram)
		return;
	sb_printf(so->dat, "\n\n# %s: DRAM read %.1f GB/s (measured)%s%s\n",
		  esc_dat(d, sizeof d, rep_label(r, b, sizeof b)), dram->best / 1e9,
		  top ? ", roof at the best float peak " : "", top ? top->prec : "");
	diag(so->dat, dram->best / 1e9, top ? top->best / 1e9 : 0, g->xmin, g->xmax);
	rep_short_name(r, sn, sizeof sn);
	if (strcmp(sn, r->host))
		snprintf(n2, sizeof n2, "%s: %s", sn, rep_label(r, b, sizeof b));
	else
		rep_label(r, n2, sizeof n2);
	snprintf(label, sizeof label, "%s: %.1f GB/s", esc_dat(d, sizeof d, n2), dram->best / 1e9);
	if (top) {
		size_t l = strlen(label);
		snprintf(label + l, sizeof label - l, ", %s %.0f GFLOP/s", top->prec, top->best / 1e9);
	}
	snprintf(style, sizeof style, "with lines lw 2.5 dt %d", 1 + (i / NFLEET_COLORS + i) % 5);
	series(so, style, fleet_colors[i % NFLEET_COLORS], "", label);
	if (r->npts > 0) {
		sb_printf(so->dat, "\n\n# decode runs\n");
		for (int k = 0; k < r->npts; k++)
			sb_printf(so->dat, "%.6g %.6g\n", r->pts[k].intensity, r->pts[k].perf / 1e9);
		series(so, "with points pt 9 ps 1.6", fleet_colors[i % NFLEET_COLORS], "", "");
	}
}

/* The result's GPUs, on the same axes as its CPU (the engines that share a
 * board's DRAM side by side): the read roof capped at the GPU's best FMA
 * peak, and its FP32 and FP16 peaks (one plot: all; a comparison: the read
 * roof only, in the board's colour). */
static void emit_gpus(struct series_out *so, const struct rep_result *r, int i, int multi,
		      const struct plot_range *g)
{
	char pre[240], nm[200], ty[64], label[400];
	who(r, multi, pre, sizeof pre);
	for (int k = 0; k < r->ngpu; k++) {
		const struct rep_gpu *q = &r->gpu[k];
		const char *col = multi ? board_colors[i % 8] : gpu_colors[k % NGPU_COLORS];
		double top = gpu_top(q) / 1e9;
		esc_dat(nm, sizeof nm, q->name);
		esc_dat(ty, sizeof ty, !strcmp(q->type, "cpu") ? "software, on the CPU" : q->type);
		if (q->read > 0) {
			sb_printf(so->dat, "\n\n# GPU %s (%s) read roof, %.1f GB/s (measured, Vulkan)\n", nm,
				  ty, q->read / 1e9);
			diag(so->dat, q->read / 1e9, top, g->xmin, g->xmax);
			snprintf(label, sizeof label, "%sGPU %s (%s) read %.1f GB/s", pre, nm,
				 ty, q->read / 1e9);
			series(so, "with lines lw 2 dt 5", col, "", label);
		}
		for (int p = 0; p < 3 && !multi; p++) {
			static const char *const pn[3] = {"fp32 FMA", "fp16 FMA", "fp16 matrix (cooperative)"};
			static const char *const pl[3] = {"fp32", "fp16", "fp16 matrix"};
			double y = (p == 2 ? q->coop : p ? q->fp16 : q->fp32) / 1e9;
			if (y <= 0)
				continue;
			sb_printf(so->dat, "\n\n# GPU %s %s peak, %.1f GFLOP/s (measured, Vulkan)\n", nm, pn[p], y);
			sb_printf(so->dat, "%.6g %.6g\n%.6g %.6g\n", q->read > 0 ? y / (q->read / 1e9) : g->xmin,
				  y, g->xmax, y);
			snprintf(label, sizeof label, "GPU %s %s %.1f GFLOP/s", nm, pl[p], y);
			series(so, p == 2 ? "with lines lw 1 dt 5" : p ? "with lines lw 1.5 dt 5" : "with lines lw 2 dt 5",
			       col, "", label);
		}
	}
}

static void emit_result(struct series_out *so, const struct rep_result *r, int i, int multi,
			const struct plot_range *g)
{
	double cap = top_peak(r) / 1e9, fast = fastest_bw(r) / 1e9;
	const struct rep_mem *dram = rep_mem_find(r, "DRAM", 0);
	const char *bc = board_colors[i % 8];
	char label[400], pre[240], dev[200], style[64];
	who(r, multi, pre, sizeof pre);
	esc_dat(dev, sizeof dev, r->device);
	for (int l = 0; l < EV_LEVEL__COUNT; l++) {
		const struct rep_mem *m = rep_mem_find(r, ev_level_name[l], 0);
		if (!m || (multi && l != EV_LEVEL_DRAM && l != 0))
			continue; /* comparisons: DRAM and L1 only, to stay readable */
		sb_printf(so->dat, "\n\n# %s read roof, %d threads, %.1f GB/s (measured)\n",
			  ev_level_name[l], m->threads, m->best / 1e9);
		diag(so->dat, m->best / 1e9, cap, g->xmin, g->xmax);
		snprintf(label, sizeof label, "%s%s %.1f GB/s", pre, ev_level_name[l], m->best / 1e9);
		snprintf(style, sizeof style, "with lines lw %.1f dt %d", l == EV_LEVEL_DRAM ? 2.5 : 1.5,
			 multi && l != EV_LEVEL_DRAM ? 2 : 1);
		series(so, style, multi ? bc : level_colors[l], "", label);
	}
	for (int k = 0; k < EV_PREC__COUNT; k++) {
		const struct rep_peak *pk = rep_peak_find(r, ev_prec_name[k], 0);
		char kn[80];
		double y;
		if (!pk)
			continue;
		y = pk->best / 1e9;
		sb_printf(so->dat, "\n\n# %s peak, %d threads, %.1f GFLOP/s (measured, %s)\n",
			  ev_prec_name[k], pk->threads, y, esc_dat(kn, sizeof kn, pk->kernel));
		sb_printf(so->dat, "%.6g %.6g\n%.6g %.6g\n", fast > 0 ? y / fast : g->xmin, y, g->xmax, y);
		snprintf(label, sizeof label, "%s%s %.1f G%s/s", pre, ev_prec_name[k], y,
			 k == EV_PREC_INT8 ? "OP" : "FLOP");
		series(so, multi ? "with lines lw 2 dt 3" : "with lines lw 2 dt 1",
		       multi ? bc : prec_colors[k], "", label);
	}
	if (dram && r->npeak > 0) {
		sb_printf(so->dat, "\n\n# ridge points: peak / DRAM read bandwidth (FLOP/byte)\n");
		for (int k = 0; k < EV_PREC__COUNT; k++) {
			const struct rep_peak *pk = rep_peak_find(r, ev_prec_name[k], 0);
			if (pk)
				sb_printf(so->dat, "%.6g %.6g \"%s %.2g\"\n", pk->best / dram->best,
					  pk->best / 1e9, ev_prec_name[k], pk->best / dram->best);
		}
		series(so, "using 1:2:3 with labels point pt 7 ps 1.2", multi ? bc : "#000000",
		       " offset char 0.8,-0.9 font ',9'", multi ? "" : "ridge points (FLOP/byte)");
	}
	if (r->ds_bw > 0) {
		sb_printf(so->dat, "\n\n# datasheet memory roof: %s, %.2f GB/s (%s)\n", dev, r->ds_bw / 1e9,
			  r->ds_basis);
		diag(so->dat, r->ds_bw / 1e9, r->ds_fp32 > 0 ? r->ds_fp32 / 1e9 : cap, g->xmin, g->xmax);
		snprintf(label, sizeof label, "%sdatasheet DRAM %.1f GB/s (%s)", pre, r->ds_bw / 1e9,
			 r->ds_basis);
		series(so, "with lines lw 2 dt 4", multi ? bc : "#555555", "", label);
	}
	if (r->ds_fp32 > 0) {
		double y = r->ds_fp32 / 1e9;
		sb_printf(so->dat, "\n\n# datasheet FP32 peak: %s, %.1f GFLOP/s (derived)\n", dev, y);
		sb_printf(so->dat, "%.6g %.6g\n%.6g %.6g\n", r->ds_bw > 0 ? y / (r->ds_bw / 1e9) : g->xmin, y,
			  g->xmax, y);
		snprintf(label, sizeof label, "%sdatasheet fp32 %.1f GFLOP/s (derived)", pre, y);
		series(so, "with lines lw 2 dt 4", multi ? bc : prec_colors[EV_PREC_FP32], "", label);
	}
	for (int gp = 0; gp < 2; gp++) { /* the CPU's decode runs, then the GPUs' decode steps */
		int any = 0;
		for (int k = 0; k < r->npts; k++)
			any |= r->pts[k].gpu == gp;
		if (!any)
			continue;
		sb_printf(so->dat, "\n\n# measured kernels: %s (intensity, achieved GFLOP/s)\n",
			  gp ? "GPU decode steps (matrices only)" : "decode runs");
		for (int k = 0; k < r->npts; k++) {
			char pl[200];
			if (r->pts[k].gpu != gp)
				continue;
			sb_printf(so->dat, "%.6g %.6g \"%s %.1f %s\"\n", r->pts[k].intensity, r->pts[k].perf / 1e9,
				  esc_dat(pl, sizeof pl, r->pts[k].label), r->pts[k].tok_per_s, gp ? "steps/s" : "tok/s");
		}
		series(so, gp ? "using 1:2:3 with labels point pt 7 ps 1.6"
			      : "using 1:2:3 with labels point pt 9 ps 1.8",
		       multi ? bc : gp ? "#1f77b4" : "#d62728", " offset char 1,0.8 left font ',9'",
		       gp ? "GPU decode step (measured)" : "decode (measured)");
	}
	emit_gpus(so, r, i, multi, g);
}

int plot_roofline_text(const struct rep_result *const *rs, int n, const char *dat_name,
		       char **dat, char **gp, struct ev_err *e)
{
	struct sbuf d = {0}, g = {0}, p = {0};
	struct series_out so = {&d, &p, dat_name, 0};
	struct plot_range rg;
	int rc, multi = n > 1, stem = (int)strlen(dat_name) - 4;
	char q1[400], q2[400], q3[600];
	*dat = *gp = NULL;
	if (n < 1)
		return ev_fail(e, EV_ERR_USAGE, "plot: no results given");
	if ((rc = plot_ranges(rs, n, &rg, e)))
		return rc;
	sb_printf(&d, "# eaves roofline data: x = arithmetic intensity (FLOP/byte), y = GFLOP/s\n"
		      "# (INT8: GOP/s). Blocks are separated by two blank lines (gnuplot 'index').\n");
	for (int i = 0; i < n; i++)
		if (n >= FLEET_MIN)
			emit_fleet(&so, rs[i], i, &rg);
		else
			emit_result(&so, rs[i], i, multi, &rg);
	snprintf(q3, sizeof q3, "%.*s", stem > 0 ? stem : 0, dat_name);
	sb_printf(&g, "# eaves roofline plot. Render in this folder with: gnuplot %s.gp\n",
		  esc_dat(q1, sizeof q1, q3));
	sb_printf(&g, "if (!exists(\"png_out\")) png_out = %s . '.png'\n", esc_gp(q1, sizeof q1, q3));
	sb_printf(&g, "if (!exists(\"svg_out\")) svg_out = %s . '.svg'\n", q1);
	if (multi) {
		sb_printf(&g, "set title 'Roofline comparison of %d results (best of repeated samples)' "
			      "noenhanced\n", n);
	} else {
		char board[200], t[400];
		const struct rep_mem *dram = rep_mem_find(rs[0], "DRAM", 0);
		snprintf(t, sizeof t, "Roofline: %s, %d threads, %s", rep_label(rs[0], board, sizeof board),
			 dram ? dram->threads : rs[0]->threads_max, rs[0]->created);
		sb_printf(&g, "set title %s", esc_gp(q1, sizeof q1, t));
		if (rs[0]->device[0])
			sb_printf(&g, " . \"\\n\" . %s",
				  esc_gp(q2, sizeof q2, (snprintf(t, sizeof t, "dashed: datasheet of %s",
								  rs[0]->device), t)));
		sb_printf(&g, " noenhanced\n");
	}
	sb_printf(&g, "set logscale xy 2\n"
		      "set xlabel 'Arithmetic intensity (FLOP/byte)'\n"
		      "set ylabel 'Performance (GFLOP/s; INT8 in GOP/s)'\n"
		      "set xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n"
		      "set format x '%%g'\nset format y '%%g'\n"
		      "set grid xtics ytics lc rgb '#dddddd'\n"
		      "set key outside right top vertical noenhanced spacing 1.2 font ',10'\n"
		      "set border lw 1.2\n"
		      "set terminal pngcairo size 1500,850 font 'Sans,11' noenhanced\n"
		      "set output png_out\n",
		  rg.xmin, rg.xmax, rg.ymin / 2, rg.ymax * 2.5);
	sb_printf(&g, "%s\n", p.p ? p.p : "plot 1/0 notitle");
	sb_printf(&g, "set terminal svg size 1500,850 dynamic font 'Sans,11' noenhanced\n"
		      "set output svg_out\nreplot\nset output\n");
	sb_free(&p);
	*dat = sb_take(&d);
	*gp = sb_take(&g);
	if (!*dat || !*gp) {
		free(*dat);
		free(*gp);
		return ev_fail(e, EV_ERR_RUNTIME, "plot: out of memory");
	}
	return EV_OK;
}

int plot_have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char buf[4096], *tok, *save = NULL;
	if (!path)
		return 0;
	snprintf(buf, sizeof buf, "%s", path);
	for (tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
		char p[4200];
		snprintf(p, sizeof p, "%s/gnuplot", tok);
		if (access(p, X_OK) == 0)
			return 1;
	}
	return 0;
}

int plot_render(const char *dir, const char *script, const char *png, const char *svg, char *msg,
		size_t len)
{
	char defs[1200], ptmp[600], stmp[600], log[1200], pfin[1200], sfin[1200];
	pid_t pid;
	int status;
	snprintf(ptmp, sizeof ptmp, "%s.tmp.%ld", png, (long)getpid());
	snprintf(stmp, sizeof stmp, "%s.tmp.%ld", svg, (long)getpid());
	snprintf(defs, sizeof defs, "png_out='%s'; svg_out='%s'", ptmp, stmp);
	snprintf(log, sizeof log, "%s/.gnuplot-err.%ld", dir, (long)getpid());
	pid = fork();
	if (pid < 0) {
		snprintf(msg, len, "cannot start gnuplot: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
			close(fd);
		}
		if (chdir(dir))
			_exit(127);
		execlp("gnuplot", "gnuplot", "-e", defs, script, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	{
		char text[400] = "";
		FILE *f = fopen(log, "r");
		if (f) {
			size_t n = fread(text, 1, sizeof text - 1, f);
			text[n] = 0;
			fclose(f);
		}
		unlink(log);
		snprintf(pfin, sizeof pfin, "%s/%s", dir, ptmp);
		snprintf(sfin, sizeof sfin, "%s/%s", dir, stmp);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			unlink(pfin);
			unlink(sfin);
			for (char *c = text; *c; c++)
				if (*c == '\n')
					*c = ' ';
			snprintf(msg, len, "gnuplot failed on %s/%s: %s", dir, script, text);
			return -1;
		}
	}
	{
		char pdst[1200], sdst[1200];
		snprintf(pdst, sizeof pdst, "%s/%s", dir, png);
		snprintf(sdst, sizeof sdst, "%s/%s", dir, svg);
		if (rename(pfin, pdst) || rename(sfin, sdst)) {
			snprintf(msg, len, "cannot rename gnuplot output in %s: %s", dir, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int plot_roofline(const struct rep_result *const *rs, int n, const char *base, struct plot_out *o,
		  struct ev_err *e)
{
	char *dat = NULL, *gp = NULL, dir[1024], name[512], path[1600], png[600], svg[600], datn[600],
	     gpn[600];
	const char *slash = strrchr(base, '/');
	int rc;
	memset(o, 0, sizeof *o);
	if (slash) {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - base), base);
		snprintf(name, sizeof name, "%s", slash + 1);
	} else {
		snprintf(dir, sizeof dir, ".");
		snprintf(name, sizeof name, "%s", base);
	}
	if (!dir[0])
		snprintf(dir, sizeof dir, "/");
	snprintf(datn, sizeof datn, "%s.dat", name);
	snprintf(gpn, sizeof gpn, "%s.gp", name);
	snprintf(png, sizeof png, "%s.png", name);
	snprintf(svg, sizeof svg, "%s.svg", name);
	if ((rc = plot_roofline_text(rs, n, datn, &dat, &gp, e)))
		return rc;
	snprintf(path, sizeof path, "%s/%s", dir, datn);
	rc = file_write_atomic(path, dat, strlen(dat), e);
	snprintf(path, sizeof path, "%s/%s", dir, gpn);
	if (!rc)
		rc = file_write_atomic(path, gp, strlen(gp), e);
	free(dat);
	free(gp);
	if (rc)
		return rc;
	if (!plot_have_gnuplot()) {
		snprintf(o->note, sizeof o->note,
			 "gnuplot not found: wrote %s/%s and %s/%s; render with: cd %s && gnuplot %s "
			 "(Debian: apt-get install gnuplot-nox)",
			 dir, datn, dir, gpn, dir, gpn);
		return EV_OK;
	}
	if (plot_render(dir, gpn, png, svg, o->note, sizeof o->note)) {
		return ev_fail(e, EV_ERR_RUNTIME, "%s", o->note);
	}
	o->rendered = 1;
	snprintf(o->note, sizeof o->note, "wrote %s/%s and %s/%s (from %s and %s)", dir, png, dir, svg,
		 datn, gpn);
	return EV_OK;
}

int plot_files(const char *dir, const char *name, const char *dat, const char *gp, struct plot_out *o,
	       struct ev_err *e)
{
	char path[1400], png[600], svg[600], script[600];
	int rc;
	o->rendered = 0;
	snprintf(path, sizeof path, "%s/%s.dat", dir, name);
	if ((rc = file_write_atomic(path, dat, strlen(dat), e)))
		return rc;
	snprintf(path, sizeof path, "%s/%s.gp", dir, name);
	if ((rc = file_write_atomic(path, gp, strlen(gp), e)))
		return rc;
	if (!plot_have_gnuplot()) {
		snprintf(o->note, sizeof o->note, "gnuplot not found: wrote %s/%s.gp", dir, name);
		return EV_OK;
	}
	snprintf(script, sizeof script, "%s.gp", name);
	snprintf(png, sizeof png, "%s.png", name);
	snprintf(svg, sizeof svg, "%s.svg", name);
	if (plot_render(dir, script, png, svg, o->note, sizeof o->note))
		return ev_fail(e, EV_ERR_RUNTIME, "%s", o->note);
	o->rendered = 1;
	snprintf(o->note, sizeof o->note, "wrote %s/%s.png (and .svg)", dir, name);
	return EV_OK;
}
