/* reports/sustain-plot.c: a sustained run over time. Left panel: the
 * measured rate (tokens/s, GB/s or GFLOP/s) and the sysfs CPU clock; right
 * panel: the hottest temperature and the board power. Missing series (a VM
 * has no clock, temperature or power) are left out, with a note in the title.
 * The burst rate and the moment of the drop are marked. */
#include "sustain-plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json.h"
#include "sbuf.h"

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(it) ? it->valuestring : "";
}

int plot_sustain_text(const cJSON *doc, const char *prefix, char **dat, char **gp, struct ev_err *e)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "sustain"), *w, *thr;
	struct sbuf d = {0}, g = {0};
	const char *unit;
	double scale = 1, burst = NAN, drop_t = NAN;
	int n = 0, have_clk = 0, have_mclk = 0, have_temp = 0, have_pow = 0;
	char name[300], en[400], title[400], et[600], ul[32];
	*dat = *gp = NULL;
	if (!s)
		return ev_fail(e, EV_ERR_USAGE, "no sustain section");
	unit = str(s, "unit");
	if (!strcmp(unit, "bytes"))
		scale = 1e9, snprintf(ul, sizeof ul, "GB/s");
	else if (!strcmp(unit, "FLOP"))
		scale = 1e9, snprintf(ul, sizeof ul, "GFLOP/s");
	else
		snprintf(ul, sizeof ul, "tokens/s");
	if (json_get_range(s, "burst_per_s", &burst, 0, 0, 1e18, "sustain", e))
		return EV_ERR_USAGE;
	thr = cJSON_GetObjectItemCaseSensitive(s, "throttle");
	if (!strcmp(str(thr, "status"), "reached") && json_get_range(thr, "t_s", &drop_t, 1, 0, 1e7, "sustain.throttle", e))
		return EV_ERR_USAGE;
	sb_printf(&d, "# eaves sustain: t (s), rate (%s, measured), CPU clock (MHz, sysfs), hottest\n"
		      "# temperature (C), board power (W), CPU clock (MHz, measured); NaN where the\n"
		      "# machine has no such sensor.\n", ul);
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(s, "windows"))
	{
		double t = NAN, r = NAN, hz = NAN, tc = NAN, p = NAN, mhz = NAN;
		if (++n > REP_MAX_WINDOWS) {
			free(sb_take(&d));
			return ev_fail(e, EV_ERR_USAGE, "sustain.windows: more than %d windows", REP_MAX_WINDOWS);
		}
		if (json_get_range(w, "t_s", &t, 1, 0, 1e7, "sustain.windows[]", e) ||
		    json_get_range(w, "rate_per_s", &r, 0, 0, 1e18, "sustain.windows[]", e) ||
		    json_get_range(w, "cpu_hz_max", &hz, 0, 0, 1e11, "sustain.windows[]", e) ||
		    json_get_range(w, "clock_hz_measured", &mhz, 0, 0, 1e11, "sustain.windows[]", e) ||
		    json_get_range(w, "temp_max_c", &tc, 0, -100, 400, "sustain.windows[]", e) ||
		    json_get_range(w, "power_w", &p, 0, 0, 1e6, "sustain.windows[]", e)) {
			free(sb_take(&d));
			return EV_ERR_USAGE;
		}
		have_clk |= !isnan(hz);
		have_mclk |= !isnan(mhz);
		have_temp |= !isnan(tc);
		have_pow |= !isnan(p);
		sb_printf(&d, "%.6g %.6g %.6g %.6g %.6g %.6g\n", t, r / scale, hz / 1e6, tc, p, mhz / 1e6);
	}
	if (n == 0) {
		free(sb_take(&d));
		return ev_fail(e, EV_ERR_USAGE, "sustain: no windows");
	}
	snprintf(name, sizeof name, "%s.dat", prefix);
	esc_gp(en, sizeof en, name);
	snprintf(title, sizeof title, "%s, kernel %s%s%s%s", str(s, "description"), str(s, "kernel"),
		 have_clk || have_mclk ? "" : "; no CPU clock reading", have_temp ? "" : "; no temperature",
		 have_pow ? "" : "; no power sensor");
	sb_printf(&g,
		  "# eaves sustain plot: render with gnuplot %s.gp\n"
		  "if (!exists(\"png_out\")) png_out = '%s.png'\n"
		  "if (!exists(\"svg_out\")) svg_out = '%s.svg'\n"
		  "set datafile missing NaN\n"
		  "do for [t=1:2] {\n"
		  "  if (t == 1) { set terminal pngcairo size 1400,600 font 'Sans,11' noenhanced; set output png_out }\n"
		  "  if (t == 2) { set terminal svg size 1400,600 dynamic font 'Sans,11' noenhanced; set output svg_out }\n"
		  "  set multiplot layout 1,2 title %s noenhanced\n"
		  "  set grid lc rgb '#dddddd'\n  set key right bottom noenhanced\n"
		  "  set xlabel 'time (s)'\n  set ylabel '%s (measured)'\n  set yrange [0:*]\n"
		  "  set title 'rate and CPU clock'\n",
		  prefix, prefix, prefix, esc_gp(et, sizeof et, title), ul);
	if (burst > 0)
		sb_printf(&g, "  set arrow 1 from graph 0, first %.6g to graph 1, first %.6g nohead dt 2 lc rgb '#1f77b4'\n",
			  burst / scale, burst / scale);
	if (!isnan(drop_t))
		sb_printf(&g, "  set arrow 2 from %.6g, graph 0 to %.6g, graph 1 nohead dt 3 lc rgb '#d62728'\n"
			      "  set label 3 'throttle' at %.6g, graph 0.95 left offset 0.5,0\n",
			  drop_t, drop_t, drop_t);
	if (have_clk || have_mclk) {
		sb_printf(&g, "  set y2label 'CPU clock (MHz)'\n  set y2tics\n  set y2range [0:*]\n"
			      "  plot %s using 1:2 with linespoints pt 7 lw 2 lc rgb '#1f77b4' title 'rate'", en);
		if (have_clk)
			sb_printf(&g, ", \\\n       %s using 1:3 axes x1y2 with steps lw 2 lc rgb '#ff7f0e' "
				      "title 'CPU clock (sysfs)'", en);
		if (have_mclk)
			sb_printf(&g, ", \\\n       %s using 1:6 axes x1y2 with linespoints pt 5 lw 1 lc rgb "
				      "'#9467bd' title 'CPU clock (measured)'", en);
		sb_printf(&g, "\n");
	} else
		sb_printf(&g, "  plot %s using 1:2 with linespoints pt 7 lw 2 lc rgb '#1f77b4' title 'rate'\n", en);
	sb_printf(&g, "  unset arrow\n  unset label\n  unset y2tics\n  unset y2label\n  set yrange [*:*]\n"
		      "  set title 'temperature and power'\n  set ylabel 'hottest temperature (C)'\n");
	if (have_temp && have_pow)
		sb_printf(&g, "  set y2label 'board power (W)'\n  set y2tics\n"
			      "  plot %s using 1:4 with lines lw 2 lc rgb '#d62728' title 'temperature', \\\n"
			      "       %s using 1:5 axes x1y2 with steps lw 2 lc rgb '#2ca02c' title 'power'\n",
			  en, en);
	else if (have_temp)
		sb_printf(&g, "  plot %s using 1:4 with lines lw 2 lc rgb '#d62728' title 'temperature'\n", en);
	else if (have_pow)
		sb_printf(&g, "  set ylabel 'board power (W)'\n"
			      "  plot %s using 1:5 with steps lw 2 lc rgb '#2ca02c' title 'power'\n", en);
	else
		sb_printf(&g, "  set label 1 'no temperature or power sensor on this machine' at graph 0.5, graph 0.5 center\n"
			      "  set xrange [0:1]\n  set yrange [0:1]\n  plot NaN notitle\n  unset label\n"
			      "  set xrange [*:*]\n  set yrange [*:*]\n");
	sb_printf(&g, "  unset multiplot\n}\nset output\n");
	*dat = sb_take(&d);
	*gp = sb_take(&g);
	if (!*dat || !*gp) {
		free(*dat);
		free(*gp);
		*dat = *gp = NULL;
		return ev_fail(e, EV_ERR_RUNTIME, "sustain plot: out of memory");
	}
	return EV_OK;
}

int plot_sustain(const cJSON *doc, const char *dir, const char *prefix, struct plot_out *o,
		 struct ev_err *e)
{
	char *t[2] = {0};
	int rc;
	memset(o, 0, sizeof *o);
	if (!cJSON_GetObjectItemCaseSensitive(doc, "sustain")) {
		snprintf(o->note, sizeof o->note, "no sustain section");
		return EV_OK;
	}
	if ((rc = plot_sustain_text(doc, prefix, &t[0], &t[1], e)))
		return rc;
	rc = plot_files(dir, prefix, t[0], t[1], o, e);
	free(t[0]);
	free(t[1]);
	return rc;
}
