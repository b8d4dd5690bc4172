/* reports/latency-plot.c: the latency plot, from a result's checked figures. */
#include "latency-plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "sbuf.h"

static int by_bw(const void *a, const void *b)
{
	double x = ((const struct rep_loaded *)a)->load_bw, y = ((const struct rep_loaded *)b)->load_bw;
	return (x > y) - (x < y);
}

int plot_latency_text(const struct rep_result *r, const char *prefix, char **dat, char **gp,
		      struct ev_err *e)
{
	struct sbuf d = {0}, g = {0};
	char name[300], en[400], title[300], et[400];
	static const char *const pages[2] = {"huge", "4k"};
	*dat = *gp = NULL;
	if (r->nlatpts == 0 && r->nloaded == 0)
		return ev_fail(e, EV_ERR_USAGE, "no latency section");
	snprintf(name, sizeof name, "%s.dat", prefix);
	esc_gp(en, sizeof en, name);
	sb_printf(&d, "# eaves latency: blocks 0-1: working set (bytes), latency (ns) with huge\n"
		      "# and with 4 KiB pages; block 2: load bandwidth of the other cores (GB/s),\n"
		      "# latency (ns); block 3: idle DRAM latency (GB/s, ns). Measured.\n");
	for (int k = 0; k < 2; k++) {
		sb_printf(&d, "%s# %s pages\n", k ? "\n\n" : "", pages[k]);
		for (int i = 0; i < r->nlatpts; i++)
			if (!strcmp(r->latpts[i].pages, pages[k]))
				sb_printf(&d, "%.0f %.6g\n", r->latpts[i].ws_bytes, r->latpts[i].median_s * 1e9);
	}
	sb_printf(&d, "\n\n# loaded, by bandwidth\n");
	{
		struct rep_loaded l[REP_MAX];
		int n = r->nloaded;
		memcpy(l, r->loaded, sizeof l[0] * (size_t)n);
		qsort(l, (size_t)n, sizeof l[0], by_bw);
		for (int i = 0; i < n; i++)
			sb_printf(&d, "%.6g %.6g\n", l[i].load_bw / 1e9, l[i].median_s * 1e9);
	}
	sb_printf(&d, "\n\n# idle\n");
	if (r->bound.valid)
		sb_printf(&d, "0 %.6g\n", r->bound.lat_idle_s * 1e9);
	rep_label(r, title, sizeof title);
	sb_printf(&g,
		  "# eaves latency plot: render with gnuplot %s.gp\n"
		  "if (!exists(\"png_out\")) png_out = '%s.png'\n"
		  "if (!exists(\"svg_out\")) svg_out = '%s.svg'\n"
		  "do for [t=1:2] {\n"
		  "  if (t == 1) { set terminal pngcairo size 1400,600 font 'Sans,11' noenhanced; set output png_out }\n"
		  "  if (t == 2) { set terminal svg size 1400,600 dynamic font 'Sans,11' noenhanced; set output svg_out }\n"
		  "  set multiplot layout 1,2 title %s noenhanced\n"
		  "  set grid lc rgb '#dddddd'\n  set key left top noenhanced\n"
		  "  set logscale x 2\n  set logscale y 10\n  set format x '%%.0b %%BB'\n"
		  "  set xlabel 'working set (bytes)'\n  set ylabel 'latency (ns)'\n"
		  "  set title 'latency by working set'\n",
		  prefix, prefix, prefix, esc_gp(et, sizeof et, title));
	for (int i = 0; i < r->nlat; i++) /* hwloc's sizes: the levels' capacities are not saved; mark the levels' points */
		if (!strcmp(r->lat[i].pages, "huge"))
			sb_printf(&g, "  set label %d %s at %.6g,%.6g offset 0,1 center\n", i + 1,
				  esc_gp(et, sizeof et, r->lat[i].level), r->lat[i].ws_bytes,
				  r->lat[i].median_s * 1e9);
	sb_printf(&g,
		  "  plot %s index 0 with linespoints pt 7 lw 2 lc rgb '#1f77b4' title '2 MiB pages', \\\n"
		  "       %s index 1 with linespoints pt 5 lw 2 lc rgb '#d62728' title '4 KiB pages'\n"
		  "  unset label\n  unset logscale x\n  unset logscale y\n  set format x '%%g'\n"
		  "  set key right bottom noenhanced\n"
		  "  set xlabel 'bandwidth the other cores read (GB/s)'\n  set ylabel 'latency (ns)'\n"
		  "  set yrange [0:*]\n  set xrange [0:*]\n"
		  "  set title 'loaded latency at the DRAM working set'\n"
		  "  plot %s index 2 with linespoints pt 7 lw 2 lc rgb '#2ca02c' title 'one chase under load', \\\n"
		  "       %s index 3 with points pt 9 ps 2 lc rgb '#000000' title 'idle'\n"
		  "  unset yrange\n  unset xrange\n"
		  "  unset multiplot\n}\nset output\n",
		  en, en, en, en);
	*dat = sb_take(&d);
	*gp = sb_take(&g);
	if (!*dat || !*gp) {
		free(*dat);
		free(*gp);
		*dat = *gp = NULL;
		return ev_fail(e, EV_ERR_RUNTIME, "latency plot: out of memory");
	}
	return EV_OK;
}

int plot_latency(const struct rep_result *r, const char *dir, const char *prefix,
		 struct plot_out *o, struct ev_err *e)
{
	char *t[2] = {0};
	int rc;
	memset(o, 0, sizeof *o);
	if (r->nlatpts == 0 && r->nloaded == 0) {
		snprintf(o->note, sizeof o->note, "no latency section");
		return EV_OK;
	}
	if ((rc = plot_latency_text(r, prefix, &t[0], &t[1], e)))
		return rc;
	rc = plot_files(dir, prefix, t[0], t[1], o, e);
	free(t[0]);
	free(t[1]);
	return rc;
}
