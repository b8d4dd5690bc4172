/* reports/markdown.c: the Markdown report. Every figure is printed with its
 * source (measured, derived, datasheet) as the result file records it. */
#include "markdown.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "ridges.h"
#include "result.h"
#include "roofline.h"
#include "sbuf.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *it = get(o, k);
	return cJSON_IsNumber(it) ? it->valuedouble : NAN;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *it = get(o, k);
	return cJSON_IsString(it) ? it->valuestring : "";
}

static void state_cell(struct sbuf *b, const cJSON *o)
{
	const cJSON *d;
	if (!strcmp(str(o, "status"), "ok") && cJSON_IsArray(get(o, "devices"))) {
		/* devfreq: the state itself matters (a memory controller at its lowest clock) */
		cJSON_ArrayForEach(d, get(o, "devices"))
		    sb_printf(b, " %s (%s) %s %.0f MHz of %.0f-%.0f;", str(d, "name"), str(d, "kind"),
			      str(d, "governor"), num(d, "cur_hz") / 1e6, num(d, "min_hz") / 1e6,
			      num(d, "max_hz") / 1e6);
		sb_printf(b, " read from sysfs |");
	} else if (!strcmp(str(o, "status"), "ok"))
		sb_printf(b, " read from sysfs |");
	else
		sb_printf(b, " unavailable: %s |", str(o, "reason"));
}

/* One sensor's row: the state before measuring, and after when known. */
static void state_line(struct sbuf *b, const char *name, const cJSON *before, const cJSON *after)
{
	sb_printf(b, "| %s |", name);
	state_cell(b, before);
	if (after)
		state_cell(b, after);
	sb_printf(b, "\n");
}

static void fmt_size(char *buf, size_t n, double v)
{
	if (v >= 1073741824.0)
		snprintf(buf, n, "%.1f GiB", v / 1073741824.0);
	else if (v >= 1048576.0)
		snprintf(buf, n, "%.0f MiB", v / 1048576.0);
	else
		snprintf(buf, n, "%.0f KiB", v / 1024.0);
}

/* What every section reads: the document, its typed roofs, the plot. */
struct md_in {
	const cJSON *doc;
	const struct rep_result *r;
	const char *plot_png, *plot_note;
};

static void md_header(struct sbuf *b, const struct md_in *x)
{
	const cJSON *doc = x->doc;
	const cJSON *cpu = get(get(x->doc, "machine"), "cpu"), *tool = get(x->doc, "tool");
	const cJSON *dev = get(doc, "device");
	sb_printf(b, "# Roofline report: %s\n\n", str(doc, "host"));
	sb_printf(
	    b,
	    "%s, measured %s by eaves %s (commit %s). All figures come from `result.json` "
	    "beside this report; `eaves plot result.json` redraws the plot on any machine.\n\n",
	    str(cpu, "model_name"), str(doc, "created_utc"), str(tool, "version"),
	    str(tool, "commit"));
	if (!strcmp(str(doc, "status"), "interrupted") ||
	    !strcmp(str(get(doc, "bw"), "status"), "interrupted") ||
	    !strcmp(str(get(doc, "flops"), "status"), "interrupted") ||
	    !strcmp(str(get(doc, "decode"), "status"), "interrupted"))
		sb_printf(b, "> **Interrupted run.** Measuring was stopped (Ctrl-C or a signal) before "
			     "the end: the figures below are the part measured until then, not this "
			     "machine's complete roofline.\n\n");
	if (cJSON_IsObject(dev))
		sb_printf(b, "Compared with the datasheet of **%s** (%s).\n\n", str(dev, "name"),
		          str(dev, "id"));
}

static void md_machine(struct sbuf *b, const struct md_in *x)
{
	const cJSON *doc = x->doc;
	const cJSON *cpu = get(get(x->doc, "machine"), "cpu"), *tool = get(x->doc, "tool");
	const cJSON *topo = get(get(doc, "machine"), "topology"), *fl = get(doc, "flops"), *it;
	char s1[32], s2[32];
	sb_printf(b, "## The machine\n\n| what | value | source |\n|---|---|---|\n");
	sb_printf(b, "| CPU | %s (%s, microarchitecture %s) | cpuid/HWCAP |\n",
	          str(cpu, "model_name"), str(cpu, "arch"), str(cpu, "uarch"));
	sb_printf(b, "| cores / PUs | %.0f / %.0f in %.0f package(s), %.0f NUMA node(s) | %s |\n",
	          num(topo, "cores"), num(topo, "pus"), num(topo, "packages"),
	          num(topo, "numa_nodes"), str(topo, "source"));
	fmt_size(s1, sizeof s1, num(topo, "mem_total_bytes"));
	fmt_size(s2, sizeof s2, num(topo, "mem_available_bytes"));
	sb_printf(b, "| memory | %s total, %s available | /proc/meminfo |\n", s1, s2);
	cJSON_ArrayForEach(it, get(topo, "caches"))
	{
		fmt_size(s1, sizeof s1, num(it, "size_bytes"));
		sb_printf(b, "| %s cache | %s x %.0f, shared by %.0f PU(s) | hwloc |\n",
		          str(it, "level"), s1, num(it, "instances"), num(it, "pus_per_instance"));
	}
	{
		/* the run's own clock first, as result.c reads it */
		const cJSON *clk = get(doc, "clock"), *one, *all;
		if (!clk)
			clk = get(fl, "clock");
		one = get(clk, "one_core");
		all = get(clk, "all_cores");
		if (one)
			sb_printf(b,
			          "| core clock | %.2f GHz one core, %.2f GHz per core all busy | "
			          "measured "
			          "(dependent adds) |\n",
			          num(one, "median_hz") / 1e9, num(all, "median_hz") / 1e9);
	}
	if (cJSON_IsArray(get(cpu, "feature_sets"))) {
		const cJSON *fs;
		sb_printf(b, "| kernel feature sets |");
		cJSON_ArrayForEach(fs, get(cpu, "feature_sets")) if (cJSON_IsString(fs))
		    sb_printf(b, " %s", fs->valuestring);
		if (cJSON_IsString(get(cpu, "isa_cap")))
			sb_printf(b, " (capped by --isa %s)", str(cpu, "isa_cap"));
		sb_printf(b, " | cpuid/HWCAP |\n");
	} else { /* results written before feature sets */
		sb_printf(b, "| ISA used | %s | cpuid/HWCAP |\n", str(cpu, "isa_used"));
	}
	sb_printf(b, "| kernel, compiler | %s; %s | uname, build |\n\n", str(doc, "kernel"),
	          str(tool, "compiler"));
}

/* What in the machine state makes figures lower than the board can do: a
 * CPU governor other than performance (clocks ramp during short runs), a
 * memory controller read below its maximum clock (RK3588's dmc idling low
 * halves the bandwidth). */
static void state_warnings(struct sbuf *b, const cJSON *before, const cJSON *after)
{
	const cJSON *st[2] = {before, after}, *d;
	int gov = 0, mem = 0;
	for (int k = 0; k < 2; k++) {
		const cJSON *cf = get(st[k], "cpufreq");
		if (!gov && !strcmp(str(cf, "status"), "ok") && str(cf, "governor")[0] &&
		    strcmp(str(cf, "governor"), "performance")) {
			sb_printf(b, "Warning: the CPU governor was `%s` (%s), not `performance`: clocks may "
				     "have been ramping during short measurements.\n\n",
				  str(cf, "governor"), str(st[k], "read"));
			gov = 1;
		}
		cJSON_ArrayForEach(d, get(get(st[k], "devfreq"), "devices"))
		{
			double cur = num(d, "cur_hz"), mx = num(d, "max_hz");
			if (!mem && !strcmp(str(d, "kind"), "memory") && cur > 0 && mx > 0 && cur < mx * 0.95) {
				sb_printf(b, "Warning: the memory controller `%s` ran at %.0f MHz of its %.0f MHz "
					     "(governor `%s`, %s): bandwidth figures may be below what the board "
					     "can do (set its governor to performance to measure the maximum).\n\n",
					  str(d, "name"), cur / 1e6, mx / 1e6, str(d, "governor"), str(st[k], "read"));
				mem = 1;
			}
		}
	}
}

/* A bandwidth level or a decode run measured with its memory controller
 * below its maximum clock (read right before and after that measurement). */
static void measure_warnings(struct sbuf *b, const cJSON *doc)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, get(get(doc, "bw"), "levels"))
	{
		const cJSON *m = get(it, "machine_state");
		if (cJSON_IsTrue(get(m, "below_max")))
			sb_printf(b, "Warning: %s %s (%.0f threads) was measured with the memory controller "
				     "`%s` at %.0f-%.0f MHz of its %.0f MHz (governor `%s`).\n\n",
				  str(it, "level"), str(it, "kernel"), num(it, "threads"),
				  str(m, "memory_controller"), num(m, "clock_before_hz") / 1e6,
				  num(m, "clock_after_hz") / 1e6, num(m, "max_hz") / 1e6, str(m, "governor"));
	}
	cJSON_ArrayForEach(it, get(get(doc, "decode"), "runs"))
	{
		const cJSON *m = get(it, "machine_state");
		if (cJSON_IsTrue(get(m, "below_max")))
			sb_printf(b, "Warning: decode %s ran with the memory controller `%s` at %.0f-%.0f MHz "
				     "of its %.0f MHz (governor `%s`).\n\n",
				  str(it, "quant"), str(m, "memory_controller"),
				  num(m, "clock_before_hz") / 1e6, num(m, "clock_after_hz") / 1e6,
				  num(m, "max_hz") / 1e6, str(m, "governor"));
	}
}

/* Hardware counters next to the computed figures: bandwidth levels, peak
 * kernels, decode runs; or one line saying why there are none. */
static void counters_row(struct sbuf *b, const char *what, const cJSON *c, const char *cmp)
{
	const cJSON *x = get(c, cmp);
	sb_printf(b, "| %s | %s | ", what, str(c, "source"));
	if (get(c, "ipc"))
		sb_printf(b, "%.2f |", num(c, "ipc"));
	else
		sb_printf(b, "- |");
	if (get(x, "counted_over_computed"))
		sb_printf(b, " %.3g | %.3g | %.2fx |\n", num(x, "counted_per_rep"),
			  num(x, "computed_per_rep"), num(x, "counted_over_computed"));
	else
		sb_printf(b, " - | %s | - |\n", x ? str(x, "reason") : "-");
}

/* The rows of one list of measurements (bw levels, flops kernels, decode
 * runs) whose counters were read; the last reason of the others in *why. */
static void counters_list(struct sbuf *b, const cJSON *list, int kind, int *n, const cJSON **why)
{
	static const char head[] = "## Hardware counters (counted, next to the computed figures)\n\n"
				   "| measurement | events | IPC | counted per rep | computed | ratio |\n"
				   "|---|---|---:|---:|---:|---:|\n";
	const cJSON *it;
	char what[96];
	cJSON_ArrayForEach(it, list)
	{
		const cJSON *c = get(it, "counters");
		if (!c)
			continue;
		if (strcmp(str(c, "status"), "ok")) {
			*why = get(c, "reason");
			continue;
		}
		if (!(*n)++)
			sb_printf(b, "%s", head);
		if (kind == 0)
			snprintf(what, sizeof what, "%s %s, %.0f thr (bytes)", str(it, "level"),
				 str(it, "kernel"), num(it, "threads"));
		else if (kind == 1)
			snprintf(what, sizeof what, "%s, %.0f thr (FLOP)", str(it, "kernel"),
				 num(it, "threads"));
		else
			snprintf(what, sizeof what, "decode %s (bytes per token)", str(it, "quant"));
		counters_row(b, what, c, kind == 1 ? "flop" : "bytes");
	}
}

static void md_counters(struct sbuf *b, const struct md_in *x)
{
	const cJSON *doc = x->doc, *why = NULL;
	int n = 0;
	counters_list(b, get(get(doc, "bw"), "levels"), 0, &n, &why);
	counters_list(b, get(get(doc, "flops"), "kernels"), 1, &n, &why);
	counters_list(b, get(get(doc, "decode"), "runs"), 2, &n, &why);
	if (n)
		sb_printf(b, "\nCounted bytes come from the core's cache-miss events (what each counts: "
			     "`eaves counters`); write-backs are not in them, so write kernels count low.\n\n");
	else if (why && cJSON_IsString(why))
		sb_printf(b, "Hardware counters: unavailable: %s.\n\n", why->valuestring);
}

static void md_state(struct sbuf *b, const struct md_in *x)
{
	const cJSON *doc = x->doc;
	const cJSON *st = get(doc, "machine_state");
	{
		const cJSON *after = get(doc, "machine_state_after");
		static const char *const rows[][2] = {{"cpufreq", "cpufreq"},
						      {"temperatures", "thermal"},
						      {"power", "power"},
						      {"devfreq (memory controller, GPU)", "devfreq"}};
		if (!after) { /* results written before the state was read twice */
			sb_printf(
			    b, "Machine state during the run:\n\n| sensor | state |\n|---|---|\n");
			for (size_t i = 0; i < 3; i++)
				state_line(b, rows[i][0], get(st, rows[i][1]), NULL);
			sb_printf(b, "| power mode | %s |\n\n", str(st, "power_mode"));
		} else {
			sb_printf(b,
			          "Machine state, read %s and %s:\n\n| sensor | %s | %s "
			          "|\n|---|---|---|\n",
			          str(st, "read"), str(after, "read"), str(st, "read"),
			          str(after, "read"));
			/* devfreq: in results written since it was read */
			for (size_t i = 0; i < 4; i++)
				if (i < 3 || get(st, rows[i][1]))
					state_line(b, rows[i][0], get(st, rows[i][1]),
					           get(after, rows[i][1]));
			sb_printf(b, "| power mode | %s | %s |\n\n", str(st, "power_mode"),
			          str(after, "power_mode"));
		}
		state_warnings(b, st, after);
		measure_warnings(b, doc);
	}
}

static void md_method(struct sbuf *b, const struct md_in *x)
{
	const cJSON *doc = x->doc;
	const cJSON *dec = get(doc, "decode");
	sb_printf(
	    b,
	    "## Method in brief\n\n"
	    "- **Bandwidth**: each thread pinned to its own core streams over its own slice of "
	    "the arrays (first-touched by it). Working sets sweep from inside L1 to 8x the last "
	    "level cache. Bytes are counted as STREAM does (bytes the program reads and writes); "
	    "the `+WA` figures add the write-allocate reads of stored lines.\n"
	    "- **Compute**: chains of FMA / dot-product instructions, enough independent chains "
	    "to hide latency, every lane checked against a scalar model. Theoretical peak = "
	    "cores x measured clock x operations per cycle of the microarchitecture.\n"
	    "- **Repetition**: every figure is the best and the median of repeated samples (the "
	    "first dropped), each sample at least 1000x the timer resolution; spread = "
	    "(max - min) / median. A shared or virtual machine can swing by tens of percent "
	    "between runs: read medians and spreads, not single numbers.\n");
	if (dec)
		sb_printf(
		    b,
		    "- **Decode**: a real Llama-family decoder (RMSNorm, GQA attention with RoPE "
		    "over an fp16 KV cache, SwiGLU, LM head, greedy sampling) on synthetic weights "
		    "stored in GGUF block formats. Bytes per token are computed from the model "
		    "shape; the ceiling is bytes per token / measured DRAM read bandwidth.\n");
	sb_printf(b, "\n");
}

static void md_roofline(struct sbuf *b, const struct md_in *x)
{
	if (x->plot_png)
		sb_printf(b, "## Roofline\n\n![Roofline](%s)\n\n", x->plot_png);
	else
		sb_printf(b, "## Roofline\n\nThe plot was not rendered: %s\n\n",
		          x->plot_note ? x->plot_note : "");
}

static void md_bandwidth(struct sbuf *b, const struct md_in *x)
{
	const struct rep_result *r = x->r;
	const cJSON *bw = get(x->doc, "bw"), *it;
	char s1[32], s2[32];
	if (!bw)
		return;
	sb_printf(b,
	          "## Memory bandwidth (measured, GB/s = 10^9 bytes/s)\n\n"
	          "| level | kernel | threads | best | median | spread | +WA median |%s\n"
	          "|---|---|---:|---:|---:|---:|---:|%s\n",
	          r->ds_bw > 0 ? " measured / datasheet |" : "", r->ds_bw > 0 ? "---:|" : "");
	cJSON_ArrayForEach(it, get(bw, "levels"))
	{
		const char *k = str(it, "kernel");
		if (strcmp(k, "read") && strcmp(str(it, "level"), "DRAM"))
			continue;
		sb_printf(b, "| %s | %s | %.0f | %.1f | %.1f | %.1f%% | %.1f |", str(it, "level"),
		          k, num(it, "threads"), num(it, "bw_best_bytes_per_s") / 1e9,
		          num(it, "bw_median_bytes_per_s") / 1e9, 100 * num(it, "spread_rel"),
		          num(it, "bw_wa_median_bytes_per_s") / 1e9);
		if (r->ds_bw > 0)
			sb_printf(b, " %s |",
			          strcmp(str(it, "level"), "DRAM")
			              ? "-"
			              : (snprintf(s1, sizeof s1, "%.0f%%",
			                          100 * num(it, "bw_best_bytes_per_s") / r->ds_bw),
			                 s1));
		sb_printf(b, "\n");
	}
	if (r->ds_bw > 0)
		sb_printf(b, "\nDatasheet: %.2f GB/s (%s).\n", r->ds_bw / 1e9, r->ds_basis);
	sb_printf(b, "\nThe cache levels show the read kernel; DRAM shows every kernel. Sweep "
	             "plateaus against hwloc's cache sizes:\n\n");
	cJSON_ArrayForEach(it, get(bw, "plateaus"))
	{
		if (!get(it, "knee_bytes"))
			continue;
		fmt_size(s1, sizeof s1, num(it, "knee_bytes"));
		fmt_size(s2, sizeof s2, num(it, "nearest_level_capacity_bytes"));
		sb_printf(b, "- %.0f thread(s): knee at %s, nearest %s (%s): %s\n",
		          num(it, "threads"), s1, str(it, "nearest_level"), s2,
		          cJSON_IsTrue(get(it, "agrees_with_hwloc")) ? "agrees"
		                                                     : "disagrees (both reported)");
	}
	sb_printf(b, "\n");
}

static void md_latency(struct sbuf *b, const struct md_in *x)
{
	const struct rep_result *r = x->r;
	const struct rep_bound *B = &r->bound;
	const cJSON *lat = get(x->doc, "latency"), *it;
	char s1[32];
	if (!lat || (r->nlat == 0 && !B->valid))
		return;
	sb_printf(b, "## Memory latency (measured)\n\nOne dependent load after another over a random "
		     "cycle of 64-byte lines (no prefetcher can guess the next), median of repeated "
		     "samples; cycles at the %s clock.\n\n| level | pages | working set | ns | cycles "
		     "| spread |\n|---|---|---:|---:|---:|---:|\n",
		  r->lat_clock_hz > 0 ? "measured" : "(unknown)");
	for (int i = 0; i < r->nlat; i++) {
		const struct rep_lat *l = &r->lat[i];
		fmt_size(s1, sizeof s1, l->ws_bytes);
		sb_printf(b, "| %s | %s | %s | %.1f |", l->level, l->pages, s1, l->median_s * 1e9);
		if (r->lat_clock_hz > 0)
			sb_printf(b, " %.0f |", l->median_s * r->lat_clock_hz);
		else
			sb_printf(b, " - |");
		sb_printf(b, " %.0f%% |\n", 100 * l->spread);
	}
	sb_printf(b, "\n");
	for (int i = 0; i < r->nlat; i++) {
		const struct rep_lat *k4 = &r->lat[i], *hg;
		if (strcmp(k4->pages, "4k") || !(hg = rep_lat_find(r, k4->level, "huge")))
			continue;
		sb_printf(b, "- %s: 4 KiB pages %+.1f ns per load against huge pages (TLB misses and "
			     "page walks)\n",
			  k4->level, (k4->median_s - hg->median_s) * 1e9);
	}
	cJSON_ArrayForEach(it, get(lat, "plateaus"))
	{
		char s2[32];
		if (!get(it, "knee_bytes"))
			continue;
		fmt_size(s1, sizeof s1, num(it, "knee_bytes"));
		fmt_size(s2, sizeof s2, num(it, "nearest_level_capacity_bytes"));
		sb_printf(b, "- latency knee at %s, nearest %s (%s): %s\n", s1, str(it, "nearest_level"), s2,
			  cJSON_IsTrue(get(it, "agrees_with_hwloc")) ? "agrees" : "disagrees (both reported)");
	}
	if (r->nloaded) {
		sb_printf(b, "\nLoaded latency: one chase at the DRAM working set while the other "
			     "core(s) stream reads at set rates.\n\n%s| load GB/s | latency ns |\n"
			     "|---:|---:|\n",
			  x->plot_png ? "![latency by working set and under load](latency.png)\n\n" : "");
		for (int i = 0; i < r->nloaded; i++)
			sb_printf(b, "| %.2f | %.1f |\n", r->loaded[i].load_bw / 1e9,
				  r->loaded[i].median_s * 1e9);
	}
	if (cJSON_GetArraySize(get(lat, "mlp")) > 0) {
		sb_printf(b, "\nIndependent chases on one core (misses in flight):\n\n| chases | ns per "
			     "link | GB/s |\n|---:|---:|---:|\n");
		cJSON_ArrayForEach(it, get(lat, "mlp")) if (!strcmp(str(it, "status"), "ok"))
		    sb_printf(b, "| %.0f | %.1f | %.2f |\n", num(it, "chains"),
			      num(it, "latency_median_s") * 1e9, num(it, "bw_bytes_per_s") / 1e9);
	}
	if (B->valid) {
		sb_printf(b,
			  "\n**Little's-law bound** (computed, not measured: lines in flight x 64 B / "
			  "latency): %d misses in flight per core, DRAM latency %.1f ns idle and %.1f ns "
			  "loaded.\n\n| | bound GB/s | measured DRAM read GB/s | measured / bound |\n"
			  "|---|---:|---:|---:|\n",
			  B->mlp, B->lat_idle_s * 1e9, B->lat_loaded_s * 1e9);
		sb_printf(b, "| one core | %.1f |", B->one_core / 1e9);
		if (B->read_one > 0)
			sb_printf(b, " %.1f | %.0f%% |\n", B->read_one / 1e9, 100 * B->read_one / B->one_core);
		else
			sb_printf(b, " - | - |\n");
		sb_printf(b, "| %d core(s) | %.1f |", B->cores, B->all_cores / 1e9);
		if (B->read_all > 0)
			sb_printf(b, " %.1f | %.0f%% |\n", B->read_all / 1e9, 100 * B->read_all / B->all_cores);
		else
			sb_printf(b, " - | - |\n");
		if ((B->read_one > 1.1 * B->one_core) || (B->read_all > 1.1 * B->all_cores))
			sb_printf(b, "\nStreaming reads beat the demand-miss bound: hardware prefetchers "
				     "keep more lines in flight than dependent loads can.\n");
		else if (B->read_all > 0.8 * B->all_cores)
			sb_printf(b, "\nThe measured read bandwidth sits at the bound: the cores' misses in "
				     "flight, not the DRAM, limit it.\n");
	}
	sb_printf(b, "\n");
}

static void md_compute(struct sbuf *b, const struct md_in *x)
{
	const struct rep_result *r = x->r;
	const cJSON *fl = get(x->doc, "flops"), *it;
	if (!fl)
		return;
	sb_printf(b, "## Compute peaks (measured; GFLOP/s, INT8 in GOP/s)\n\n"
	             "| precision | threads | kernel | best | median | spread | theoretical | "
	             "median / theoretical |\n|---|---:|---|---:|---:|---:|---:|---:|\n");
	cJSON_ArrayForEach(it, get(fl, "peaks"))
	{
		sb_printf(b, "| %s | %.0f | %s | %.1f | %.1f | %.1f%% | ", str(it, "precision"),
		          num(it, "threads"), str(it, "kernel"), num(it, "best_flop_per_s") / 1e9,
		          num(it, "median_flop_per_s") / 1e9, 100 * num(it, "spread_rel"));
		if (get(it, "theoretical_flop_per_s"))
			sb_printf(b, "%.1f | %.1f%%%s |\n", num(it, "theoretical_flop_per_s") / 1e9,
			          100 * num(it, "measured_over_theoretical"),
			          strcmp(str(it, "status"), "suspect") ? "" : " **suspect**");
		else
			sb_printf(b, "unknown | %s |\n", str(it, "theoretical_reason"));
	}
	if (r->ds_fp32 > 0) {
		const struct rep_peak *p = rep_peak_find(r, "fp32", 0);
		if (p)
			sb_printf(b,
			          "\nFP32 measured / datasheet (derived, all cores at max clock): "
			          "%.1f / %.1f GFLOP/s = %.0f%%.\n",
			          p->best / 1e9, r->ds_fp32 / 1e9, 100 * p->best / r->ds_fp32);
	}
	sb_printf(b, "\nSkipped here, with the reason:\n\n");
	cJSON_ArrayForEach(it, get(fl, "kernels"))
	{
		if (strcmp(str(it, "status"), "ok") && num(it, "threads") == 1)
			sb_printf(b, "- `%s`: %s\n", str(it, "kernel"), str(it, "reason"));
	}
}

static void md_ridges(struct sbuf *b, const struct md_in *x)
{
	const struct rep_result *r = x->r;
	if (!get(x->doc, "flops"))
		return;
	struct rep_ridge rd[REP_MAX_RIDGES];
	int nr = rep_ridges(r, r, rd), prec = -1;
	sb_printf(b, "\n### Ridge points (FLOP/byte: below it a kernel is memory bound)\n\n"
	             "| precision |");
	for (int l = 0; l < EV_LEVEL__COUNT; l++)
		if (rep_ridges_have_level(rd, nr, l))
			sb_printf(b, " %s |", ev_level_name[l]);
	sb_printf(b, "\n|---|");
	for (int l = 0; l < EV_LEVEL__COUNT; l++)
		if (rep_ridges_have_level(rd, nr, l))
			sb_printf(b, "---:|");
	for (int i = 0; i < nr; i++) {
		if (rd[i].prec != prec)
			sb_printf(b, "\n| %s |", ev_prec_name[prec = rd[i].prec]);
		sb_printf(b, " %.2f |", rd[i].ridge_flop_per_byte);
	}
	sb_printf(b, "\n\n");
}

/* The prompt as one batch (a GEMM): its rate next to the measured peak of the
 * precision the kernels multiply in. Results from before eaves measured it
 * have no such keys and no table. */
static void md_prefill(struct sbuf *b, const cJSON *dec)
{
	const cJSON *it;
	int any = 0;
	cJSON_ArrayForEach(it, get(dec, "runs")) any |= get(it, "prefill_flop_per_s") != NULL;
	if (!any)
		return;
	sb_printf(b, "\nPrefill (the %.0f-token prompt as one batch; operations computed from the "
		     "shape, over the measured TTFT; peak: the best `eaves flops` kernel of that "
		     "precision, measured on the same threads):\n\n| quant | prefill tok/s | G op/s | precision | peak G op/s | %% of "
		     "peak |\n|---|---:|---:|---|---:|---:|\n",
		  num(dec, "prompt_tokens"));
	cJSON_ArrayForEach(it, get(dec, "runs"))
	{
		if (!get(it, "prefill_flop_per_s"))
			continue;
		sb_printf(b, "| %s | %.1f | %.1f | %s |", str(it, "quant"), num(it, "prefill_tokens_per_s"),
			  num(it, "prefill_flop_per_s") / 1e9, str(it, "prefill_precision"));
		if (get(it, "prefill_peak_flop_per_s"))
			sb_printf(b, " %.1f (%s) | %.1f%% |\n", num(it, "prefill_peak_flop_per_s") / 1e9,
				  str(it, "prefill_peak_kernel"), 100 * num(it, "prefill_fraction_of_peak"));
		else
			sb_printf(b, " not measured | - |\n");
	}
}

/* A hybrid CPU: decode ran on the fastest kind; the check on all cores. */
static void md_hybrid(struct sbuf *b, const cJSON *dec)
{
	const cJSON *h = get(dec, "hybrid");
	if (!cJSON_IsObject(h))
		return;
	if (!get(h, "all_cores_tokens_per_s")) {
		sb_printf(b, "\nHybrid CPU: decode ran on the %.0f cores of the fastest kind (the "
			     "default); the check on all %.0f cores was not measured.\n",
			  num(dec, "threads"), num(h, "all_cores"));
		return;
	}
	sb_printf(b, "\n%sHybrid CPU: decode ran on the %.0f cores of the fastest kind (the default). "
		     "%s on all %.0f cores (measured, %.0f tokens at the same context): %.2f tok/s "
		     "against %.2f on the fastest kind (%+.0f%%): %s.\n",
		  num(h, "all_over_fastest") < 0.97 ? "Warning: " : "", num(dec, "threads"),
		  str(h, "quant"), num(h, "all_cores"), num(h, "tokens"), num(h, "all_cores_tokens_per_s"),
		  num(h, "fastest_kind_tokens_per_s"), 100 * (num(h, "all_over_fastest") - 1),
		  str(h, "verdict"));
}

/* Where a token's time went (measured per phase, mean over the threads): at
 * the prompt's context and at the longest context of the sweep. */
static void md_phases(struct sbuf *b, const cJSON *dec)
{
	static const char *const keys[] = {"matmul", "attention", "norms_rope_quantize", "barrier_wait"};
	const cJSON *it;
	int any = 0;
	cJSON_ArrayForEach(it, get(dec, "runs")) any |= get(it, "phases") != NULL;
	if (!any)
		return;
	sb_printf(b, "\nWhere a token's time goes (measured: a clock read at each phase boundary of "
		     "every thread, ms per token, mean over the threads):\n\n| quant | ctx | matmul | "
		     "attention | norms, RoPE, quantize | barrier wait | longest wait of a thread |\n"
		     "|---|---:|---:|---:|---:|---:|---:|\n");
	cJSON_ArrayForEach(it, get(dec, "runs"))
	{
		const cJSON *sw = get(it, "context_sweep"), *last = NULL, *p;
		const cJSON *rows[2] = {get(it, "phases"), NULL};
		double ctxs[2] = {num(dec, "prompt_tokens"), 0};
		cJSON_ArrayForEach(p, sw) if (get(p, "phases")) last = p;
		if (last) {
			rows[1] = get(last, "phases");
			ctxs[1] = num(last, "ctx");
		}
		for (int r = 0; r < 2; r++) {
			const cJSON *pt;
			if (!rows[r])
				continue;
			pt = get(rows[r], "per_token_s");
			sb_printf(b, "| %s | %s%.0f |", str(it, "quant"), r ? "" : "~", ctxs[r]);
			for (int k = 0; k < 4; k++)
				sb_printf(b, " %.2f |", 1e3 * num(pt, keys[k]));
			sb_printf(b, " %.2f |\n", 1e3 * num(rows[r], "barrier_wait_max_thread_s"));
		}
	}
}

static void md_decode(struct sbuf *b, const struct md_in *x)
{
	const cJSON *dec = get(x->doc, "decode"), *it;
	char s1[32];
	if (!dec)
		return;
	const cJSON *mod = get(dec, "model");
	sb_printf(b,
	          "## LLM decode (measured) against its ceiling\n\n"
	          "%s (%.2fB parameters), %.0f threads, prompt %.0f tokens, %.0f generated. "
	          "Ceiling = bytes per token / %s. Reference bandwidth: %.1f GB/s (%s).\n\n",
	          str(mod, "name"), num(mod, "params") / 1e9, num(dec, "threads"),
	          num(dec, "prompt_tokens"), num(dec, "generated_tokens"), str(dec, "ceiling_rule"),
	          num(dec, "reference_bw_best_bytes_per_s") / 1e9, str(dec, "reference_bw_source"));
	sb_printf(b,
	          "| quant | tok/s | TTFT ms | TPOT p50 ms | TPOT p95 ms | MB/token | GB/s | "
	          "ceiling GB/s | ceiling tok/s | %% of ceiling |%s compute ceiling tok/s | bound "
	          "| peak RSS |\n"
	          "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|%s---:|---|---:|\n",
	          get(dec, "datasheet_bw_bytes_per_s") ? " % of datasheet |" : "",
	          get(dec, "datasheet_bw_bytes_per_s") ? "---:|" : "");
	cJSON_ArrayForEach(it, get(dec, "runs"))
	{
		const cJSON *t = get(it, "tpot_s"), *mem = get(it, "memory");
		fmt_size(s1, sizeof s1, num(mem, "peak_rss_bytes"));
		sb_printf(
		    b, "| %s | %.2f | %.0f | %.2f | %.2f | %.1f | %.1f | %.1f | %.2f | %.0f%% |",
		    str(it, "quant"), num(it, "tokens_per_s"), 1e3 * num(it, "ttft_s"),
		    1e3 * num(t, "p50"), 1e3 * num(t, "p95"), num(it, "bytes_per_token") / 1e6,
		    num(it, "achieved_bytes_per_s") / 1e9, num(it, "ceiling_bw_bytes_per_s") / 1e9,
		    num(it, "ceiling_tokens_per_s"), 100 * num(it, "fraction_of_ceiling"));
		if (get(dec, "datasheet_bw_bytes_per_s"))
			sb_printf(b, " %.0f%% |", 100 * num(it, "fraction_of_datasheet_ceiling"));
		sb_printf(b, " %.1f | %s | %s |\n", num(it, "compute_ceiling_tokens_per_s"),
		          str(it, "bound"), s1);
	}
	md_hybrid(b, dec);
	md_prefill(b, dec);
	md_phases(b, dec);
	if (x->plot_png)
		sb_printf(b, "\n![tokens/s by context](decode-ctx.png)\n\n![measured vs "
		             "ceilings](decode-bars.png)\n");
	sb_printf(b,
	          "\nThe ceiling's bandwidth is measured on the weights' own memory just before "
	          "each run, so that a shared host's memory state is usually the same for both. "
	          "It can still change during a run: a figure above 100%% (or far below the "
	          "others) shows it, and the weights_read and reference bandwidths in result.json "
	          "tell which state each part met.\n\nTokens/s by context length "
	          "(KV cache filled synthetically to that length):\n\n| quant | ctx | tok/s | "
	          "ceiling | %% |\n|---|---:|---:|---:|---:|\n");
	cJSON_ArrayForEach(it, get(dec, "runs"))
	{
		const cJSON *p;
		cJSON_ArrayForEach(p, get(it, "context_sweep"))
		    sb_printf(b, "| %s | %.0f | %.2f | %.2f | %.0f%% |\n", str(it, "quant"),
		              num(p, "ctx"), num(p, "tokens_per_s_median"),
		              num(p, "ceiling_tokens_per_s"), 100 * num(p, "fraction_of_ceiling"));
	}
	sb_printf(b, "\n");
}

/* A sustained run (eaves sustain, characterize --full): burst against
 * sustained rate, the drop, the clocks, TPOT per phase, energy. */
static void md_sustain(struct sbuf *b, const struct md_in *x)
{
	const cJSON *s = get(x->doc, "sustain"), *t, *c, *en, *tp;
	const char *u, *su = "tokens/s";
	double sc = 1;
	if (!cJSON_IsObject(s))
		return;
	u = str(s, "unit");
	if (!strcmp(u, "bytes"))
		sc = 1e9, su = "GB/s";
	else if (!strcmp(u, "FLOP"))
		sc = 1e9, su = "GFLOP/s";
	t = get(s, "throttle");
	c = get(s, "clock_drop");
	en = get(s, "energy");
	tp = get(s, "tpot_s");
	sb_printf(b, "## Sustained run\n\n%s, kernel %s, %.0f threads, %.0f s in windows of %.2g s "
		     "(rates measured; burst = the first window, sustained = median of the last third, "
		     "throttle = the first of 3 windows in a row below 95%% of burst).\n\n"
		     "| figure | value |\n|---|---|\n"
		     "| burst | %.4g %s |\n| sustained | %.4g %s (%.1f%% of burst) |\n",
		  str(s, "description"), str(s, "kernel"), num(s, "threads"), num(s, "duration_s"),
		  num(s, "interval_s"), num(s, "burst_per_s") / sc, su, num(s, "sustained_per_s") / sc, su,
		  100 * num(s, "sustained_over_burst"));
	if (!strcmp(str(t, "status"), "reached"))
		sb_printf(b, "| time to throttle | %.1f s: %.4g %s, CPU %.0f MHz, %.1f C%s |\n", num(t, "t_s"),
			  num(t, "rate_per_s") / sc, su, num(t, "cpu_hz_max") / 1e6, num(t, "temp_max_c"),
			  cJSON_IsTrue(get(t, "recovered")) ? ", recovered later" : "");
	else
		sb_printf(b, "| time to throttle | not reached in %.0f s |\n", num(t, "within_s"));
	if (!strcmp(str(c, "status"), "reached"))
		sb_printf(b, "| CPU clock drop (sysfs) | at %.1f s: %.0f -> %.0f MHz |\n", num(c, "t_s"),
			  num(c, "burst_hz") / 1e6, num(c, "hz_after") / 1e6);
	else if (!strcmp(str(c, "status"), "not_reached"))
		sb_printf(b, "| CPU clock drop (sysfs) | none (%.0f MHz throughout) |\n", num(c, "burst_hz") / 1e6);
	else
		sb_printf(b, "| CPU clock drop (sysfs) | unavailable: %s |\n", str(c, "reason"));
	c = get(s, "measured_clock");
	if (!strcmp(str(c, "status"), "reached"))
		sb_printf(b, "| CPU clock (measured) | dropped at %.1f s: %.0f -> %.0f MHz |\n", num(c, "t_s"),
			  num(c, "burst_hz") / 1e6, num(c, "hz_after") / 1e6);
	else if (!strcmp(str(c, "status"), "not_reached"))
		sb_printf(b, "| CPU clock (measured) | no drop: %.0f MHz first, %.0f sustained |\n",
			  num(c, "burst_hz") / 1e6, num(c, "sustained_hz") / 1e6);
	else if (c)
		sb_printf(b, "| CPU clock (measured) | unavailable: %s |\n", str(c, "reason"));
	if (cJSON_IsObject(tp) && !strcmp(str(t, "status"), "reached"))
		sb_printf(b, "| TPOT p50 / p95 before the drop | %.2f / %.2f ms |\n"
			     "| TPOT p50 / p95 after the drop | %.2f / %.2f ms |\n",
			  1e3 * num(tp, "before_drop_p50"), 1e3 * num(tp, "before_drop_p95"),
			  1e3 * num(tp, "after_drop_p50"), 1e3 * num(tp, "after_drop_p95"));
	else if (cJSON_IsObject(tp))
		sb_printf(b, "| TPOT p50 / p95 (no drop) | %.2f / %.2f ms |\n", 1e3 * num(tp, "before_drop_p50"),
			  1e3 * num(tp, "before_drop_p95"));
	if (!strcmp(str(en, "status"), "ok"))
		sb_printf(b, "| energy | %.4g J per %s (%.4g above the idle %.2f W); %s |\n",
			  num(en, "j_per_unit"), !strcmp(u, "tokens") ? "token" : u,
			  num(en, "j_per_unit_above_idle"), num(en, "idle_power_w"), str(en, "source"));
	else
		sb_printf(b, "| energy | unavailable: %s |\n", str(en, "reason"));
	if (x->plot_png)
		sb_printf(b, "\n![rate, clock, temperature and power over time](sustain.png)\n");
	sb_printf(b, "\n");
}

static void md_files(struct sbuf *b, const struct md_in *x)
{
	const cJSON *doc = x->doc;
	const cJSON *it;
	sb_printf(b, "## Files\n\n- `result.json`: every sample, the machine and its state, the "
	             "tool version and flags (schema: eaves docs/schema.md)\n"
	             "- `roofline.dat`, `roofline.gp`: the plot's data and gnuplot script "
	             "(`gnuplot roofline.gp` redraws `roofline.png` and `roofline.svg`)\n\n"
	             "Command: `");
	cJSON_ArrayForEach(it, get(doc, "argv")) if (cJSON_IsString(it))
	    sb_printf(b, "%s%s", it == get(doc, "argv")->child ? "" : " ", it->valuestring);
	sb_printf(b, "`\n");
}

/* Escape every string value (and key) of a document for Markdown, in place. */
static int escape_strings(cJSON *o)
{
	for (cJSON *it = o ? o->child : NULL; it; it = it->next) {
		if (cJSON_IsString(it) && it->valuestring) {
			size_t n = strlen(it->valuestring) * 6 + 1;
			char *buf = malloc(n);
			if (!buf)
				return EV_ERR_RUNTIME;
			esc_md(buf, n, it->valuestring);
			cJSON_free(it->valuestring);
			it->valuestring = buf; /* cJSON frees it with cJSON_free: same allocator */
		}
		if (escape_strings(it))
			return EV_ERR_RUNTIME;
	}
	return EV_OK;
}

/* Hybrid CPUs: each core kind's own roofline corner. The read bandwidth of a
 * kind's cores is measured (bw.per_core_kind); FP32 is measured on one core of
 * the kind (flops kernels with core_kind), the kind's peak computed from it. */
static void md_kinds(struct sbuf *b, const struct md_in *x)
{
	const cJSON *pk = get(get(x->doc, "bw"), "per_core_kind"), *k;
	if (!cJSON_IsArray(pk) || cJSON_GetArraySize(pk) == 0)
		return;
	sb_printf(b, "\n### Core kinds (hybrid CPU)\n\nEach kind on its own: DRAM read of all its "
		     "cores (measured), FP32 of one core (measured) and of all its cores (computed: one "
		     "core x cores), and the ridge (computed). Decode runs on the fastest kind by "
		     "default.\n\n| kind | cores | DRAM read GB/s | FP32 one core GFLOP/s | FP32 all its "
		     "cores GFLOP/s | ridge FLOP/byte |\n|---|---:|---:|---:|---:|---:|\n");
	cJSON_ArrayForEach(k, pk)
	{
		const cJSON *e;
		double one = 0, bw = num(k, "read_best_bytes_per_s"), cores = num(k, "cores");
		cJSON_ArrayForEach(e, get(get(x->doc, "flops"), "kernels"))
		{
			if (get(e, "core_kind") && num(e, "core_kind") == num(k, "kind_index") &&
			    !strcmp(str(e, "precision"), "fp32") && !strcmp(str(e, "status"), "ok") &&
			    num(e, "best_flop_per_s") > one)
				one = num(e, "best_flop_per_s");
		}
		sb_printf(b, "| %s | %.0f |", str(k, "kind"), cores);
		if (bw > 0)
			sb_printf(b, " %.1f |", bw / 1e9);
		else
			sb_printf(b, " %s |", str(k, "status"));
		if (one > 0)
			sb_printf(b, " %.1f | %.1f |", one / 1e9, one * cores / 1e9);
		else
			sb_printf(b, " - | - |");
		if (one > 0 && bw > 0)
			sb_printf(b, " %.2f |\n", one * cores / bw);
		else
			sb_printf(b, " - |\n");
	}
}

/* A GPU's decode step (`decode` of a gpu_results[] entry): each format's
 * steps/s against the ceiling of the GPU's own read bandwidth. */
static void md_gpu_decode(struct sbuf *b, const cJSON *d)
{
	const cJSON *q;
	int from_file;
	if (!d)
		return;
	from_file = !strcmp(str(cJSON_GetArrayItem(get(d, "runs"), 0), "weights"), "file");
	if (strcmp(str(d, "status"), "ok")) {
		sb_printf(b, "\nDecode step on this GPU: %s: %s.\n", str(d, "status"), str(d, "reason"));
		return;
	}
	sb_printf(b, "\nDecode step on this GPU, %s (every matrix of one token, %s weights; the ceiling is "
		     "the step's bytes over the read bandwidth measured with it, %.1f GB/s):\n\n"
		     "| quant | MB/step | steps/s (median) | ceiling | %% of ceiling |\n|---|---:|---:|---:|---:|\n",
		  str(d, "model"), from_file ? "the file's" : "synthetic", num(d, "read_bw_median_bytes_per_s") / 1e9);
	cJSON_ArrayForEach(q, get(d, "runs"))
	{
		if (strcmp(str(q, "status"), "ok")) {
			sb_printf(b, "| %s | %s: %s | | | |\n", str(q, "quant"), str(q, "status"), str(q, "reason"));
			continue;
		}
		sb_printf(b, "| %s | %.1f | %.2f | %.2f | %.1f%% |\n", str(q, "quant"),
			  num(q, "weight_bytes_per_step") / 1e6, num(q, "steps_per_s_median"),
			  num(q, "ceiling_steps_per_s"), 100 * num(q, "fraction_of_ceiling"));
	}
}

/* Vulkan devices: each measured one's bandwidth and FMA peaks (and the FP32
 * ridge over its read bandwidth); the others with why they were not. */
static void md_gpus(struct sbuf *b, const struct md_in *x)
{
	const cJSON *gl = get(x->doc, "gpus"), *res = get(x->doc, "gpu_results"), *it, *k;
	if (!gl)
		return;
	sb_printf(b, "## GPUs (Vulkan compute, measured with GPU timestamps)\n\n");
	if (strcmp(str(gl, "status"), "ok")) {
		sb_printf(b, "Unavailable: %s.\n\n", str(gl, "reason"));
		return;
	}
	cJSON_ArrayForEach(it, res)
	{
		const cJSON *d = get(it, "device");
		double rd = 0, fp32 = 0;
		if (strcmp(str(it, "status"), "ok") && strcmp(str(it, "status"), "interrupted"))
			continue;
		sb_printf(b, "**%s** (%s, %s):\n\n| kernel | best | median | spread |\n|---|---:|---:|---:|\n",
			  str(d, "name"), str(d, "type"), str(d, "driver"));
		cJSON_ArrayForEach(k, get(it, "kernels"))
		{
			int fl = get(k, "median_flop_per_s") != NULL;
			if (strcmp(str(k, "status"), "ok")) {
				sb_printf(b, "| %s | %s: %s | | |\n", str(k, "kernel"), str(k, "status"), str(k, "reason"));
				continue;
			}
			{
				const char *u = !fl ? "GB/s" : !strcmp(str(k, "kernel"), "int8_dot") ? "GOP/s" : "GFLOP/s";
				sb_printf(b, "| %s | %.1f %s | %.1f %s | %.1f%% |\n", str(k, "kernel"),
					  num(k, fl ? "best_flop_per_s" : "bw_best_bytes_per_s") / 1e9, u,
					  num(k, fl ? "median_flop_per_s" : "bw_median_bytes_per_s") / 1e9, u,
					  100 * num(k, "spread_rel"));
			}
			if (!strcmp(str(k, "kernel"), "read"))
				rd = num(k, "bw_median_bytes_per_s");
			if (!strcmp(str(k, "kernel"), "fp32_fma"))
				fp32 = num(k, "median_flop_per_s");
		}
		if (rd > 0 && fp32 > 0)
			sb_printf(b, "\nFP32 ridge point: %.2f FLOP/byte (median FMA peak over median read).\n",
				  fp32 / rd);
		md_gpu_decode(b, get(it, "decode"));
		sb_printf(b, "\n");
	}
	cJSON_ArrayForEach(it, get(gl, "devices"))
	{
		int measured = 0;
		cJSON_ArrayForEach(k, res)
		if (num(get(k, "device"), "index") == num(it, "index"))
			measured = 1;
		if (!measured)
			sb_printf(b, "- %s (%s): not measured%s\n", str(it, "name"), str(it, "type"),
				  !strcmp(str(it, "type"), "cpu") ? " (a software renderer: `--gpu-software` measures it)" : "");
	}
	sb_printf(b, "\n");
}

/* The report, one emitter per section, in order. */
static void (*const sections[])(struct sbuf *, const struct md_in *) = {
    md_header,    md_machine, md_state,  md_method, md_roofline,
    md_bandwidth, md_latency, md_compute, md_ridges, md_kinds, md_decode, md_sustain,
    md_gpus,      md_counters,  md_files,
};

int md_report(const cJSON *doc, const char *plot_png, const char *plot_note, char **out,
              struct ev_err *e)
{
	struct sbuf b = {0};
	struct rep_result *r = calloc(1, sizeof *r);
	/* Every string of the result is untrusted: the report is made from a copy
	 * whose strings are all escaped for Markdown, so no section can forget. */
	cJSON *safe = cJSON_Duplicate(doc, 1);
	struct md_in x = {safe, r, plot_png, plot_note};
	int rc;
	if (!r || !safe) {
		free(r);
		cJSON_Delete(safe);
		return ev_fail(e, EV_ERR_RUNTIME, "report: out of memory");
	}
	if ((rc = escape_strings(safe)) || (rc = rep_load(safe, "result.json", r, e))) {
		free(r);
		cJSON_Delete(safe);
		return rc ? rc : ev_fail(e, EV_ERR_RUNTIME, "report: out of memory");
	}
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		sections[i](&b, &x);
	free(r);
	cJSON_Delete(safe);
	*out = sb_take(&b);
	if (!*out)
		return ev_fail(e, EV_ERR_RUNTIME, "report: out of memory");
	return EV_OK;
}
