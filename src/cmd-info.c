/* src/cmd-info.c: `eaves info`: what this machine is, where each figure came from. */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "bw.h"
#include "counters.h"
#include "flops.h"
#include "quant.h"
#include "bench-gpu.h"
#include "cmds.h"
#include "json.h"
#include "opt.h"
#include "sensors.h"
#include "sysfs.h"
#include "units.h"
#include "version.h"

enum { O_JSON, O_QUICK, O_NOCLOCK, O_TOPO, O_SYSROOT, O_ISA, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the result as JSON to FILE ('-' = stdout)"},
	[O_QUICK] = {"quick", EV_OPT_FLAG, NULL, "shorter clock measurement"},
	[O_NOCLOCK] = {"no-clock", EV_OPT_FLAG, NULL, "do not measure the clock"},
	[O_TOPO] = {"topology", EV_OPT_STR, "DESC",
		    "describe another machine: hwloc XML file or synthetic:<hwloc string>"},
	[O_SYSROOT] = {"sysroot", EV_OPT_STR, "DIR",
		       "read /sys and /proc under DIR (replayed boards; default EAVES_SYSROOT or /)"},
	[O_ISA] = {"isa", EV_OPT_STR, "NAME", "show the kernels picked within this feature set"},
};

/* The kernel each probe picks on this CPU (within the --isa cap): the same
 * pick functions the probes call, so this cannot disagree with a run. */
struct picked {
	char what[32];
	const char *kernel, *set;
};

static int pick_kernels(const struct ev_cpu *cpu, struct picked *p, int max)
{
	int n = 0;
	const struct bw_kernel_set *bs = bw_pick_set(cpu);
	const struct ev_attn_impl *ai = ev_attn_pick(cpu);
	p[n++] = (struct picked){"bw", ev_targets[bs->target].name, ev_targets[bs->target].name};
	for (int pr = 0; pr < EV_PREC__COUNT && n < max; pr++) {
		int best = -1;
		char why[8];
		for (int k = 0; k < flops_count; k++)
			if (flops_table[k].prec == pr && !flops_check_supported(k, cpu, why, sizeof why) &&
			    (best < 0 || flops_ops_per_step(k) >= flops_ops_per_step(best)))
				best = k;
		p[n] = (struct picked){"", best >= 0 ? flops_table[best].name : "none",
				       best >= 0 ? ev_targets[flops_table[best].target].name : "-"};
		snprintf(p[n++].what, sizeof p[0].what, "flops %s", ev_prec_name[pr]);
	}
	for (int t = 0; t < EV_TYPE__COUNT && n < max; t++) {
		const struct ev_dot_impl *d = ev_dot_pick(t, cpu);
		p[n] = (struct picked){"", d->name, ev_targets[d->target].name};
		snprintf(p[n++].what, sizeof p[0].what, "%s", ev_types[t].name);
	}
	if (n < max)
		p[n++] = (struct picked){"attention", ai->name, ev_targets[ai->target].name};
	return n;
}

static cJSON *kernels_json(const struct ev_cpu *cpu)
{
	struct picked p[32];
	int n = pick_kernels(cpu, p, 32);
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		json_str(o, "for", p[i].what);
		json_str(o, "kernel", p[i].kernel);
		json_str(o, "feature_set", p[i].set);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static void print_text(struct ev_ctx *c, const struct ev_clock_result *clk, int have_clock)
{
	const struct ev_topo *t = &c->topo;
	struct ev_sensors s;
	char a[32], b[32];
	FILE *f = c->out;
	fprintf(f, "eaves %s (commit %s)\n", EV_VERSION, EV_COMMIT);
	fprintf(f, "CPU:        %s\n", c->cpu.model_name);
	fprintf(f, "            %s, microarchitecture %s%s\n", c->cpu.arch, c->cpu.uarch,
		strcmp(c->cpu.uarch, "unknown") ? " (from cpuid/MIDR)" : " (not in eaves' table)");
	fprintf(f, "features:  ");
	for (int i = 0; i < EV_FEAT__COUNT; i++)
		if (c->cpu.features & (1ULL << i))
			fprintf(f, " %s", cpu_feature_name(i));
	fprintf(f, "\nkernel sets:");
	for (int i = 0; i < EV_TARGET__COUNT; i++)
		if (cpu_target_usable(&c->cpu, i))
			fprintf(f, " %s", ev_targets[i].name);
	if (c->cpu.cap_set >= 0)
		fprintf(f, " (capped by --isa %s)", ev_targets[c->cpu.cap_set].name);
	fprintf(f, "\n");
	{
		struct picked p[32];
		int n = pick_kernels(&c->cpu, p, 32);
		fprintf(f, "kernels:   ");
		for (int i = 0; i < n; i++)
			fprintf(f, "%s %s: %s%s", i % 4 ? "" : (i ? "\n           " : ""), p[i].what,
				p[i].kernel, i + 1 < n ? ";" : "\n");
	}
	fprintf(f, "topology:   %d package(s), %d cores, %d PUs, %d NUMA node(s) [%s]\n",
		t->packages, t->cores, t->pus, t->numa_nodes, t->source);
	fprintf(f, "memory:     %s total, %s available (/proc/meminfo MemAvailable)",
		units_fmt_bytes(a, sizeof a, (double)t->mem_total_bytes),
		units_fmt_bytes(b, sizeof b, (double)t->mem_avail_bytes));
	if (t->numa_mem_bytes && t->numa_mem_bytes != t->mem_total_bytes)
		fprintf(f, "; hwloc NUMA nodes report %s",
			units_fmt_bytes(a, sizeof a, (double)t->numa_mem_bytes));
	fprintf(f, "\n");
	for (int i = 0; i < t->ncaches; i++) {
		const struct ev_cache *k = &t->caches[i];
		fprintf(f, "cache L%d%c:  %s x %d, %d B lines, %d-way, shared by %d PU(s) [hwloc]\n",
			k->level, k->type, units_fmt_bytes(a, sizeof a, (double)k->size_bytes),
			k->instances, k->line_bytes, k->ways, k->pus_per_instance);
	}
	if (t->ncaches == 0)
		fprintf(f, "caches:     unknown (%s)\n", t->warning[0] ? t->warning : "hwloc reports none");
	for (int i = 0; i < t->nkinds; i++)
		fprintf(f, "core kind:  %s: %d cores, efficiency rank %d [hwloc]\n", t->kinds[i].name,
			t->kinds[i].ncores, t->kinds[i].efficiency);
	if (t->nkinds == 0)
		fprintf(f, "core kinds: one kind (hwloc reports no hybrid cores)\n");
	if (have_clock) {
		if (clk->status == EV_OK)
			fprintf(f, "clock:      %.3f GHz one core, %.3f GHz per core with %d busy "
				   "(measured: median; spread %.1f%% / %.1f%%)\n",
				clk->one.median / 1e9, clk->all.median / 1e9, clk->nthreads_all,
				100 * clk->one.spread_rel, 100 * clk->all.spread_rel);
		else
			fprintf(f, "clock:      unavailable: %s\n", clk->reason);
	}
	sensors_read(&s);
	if (s.cpufreq_ok)
		fprintf(f, "cpufreq:    governor %s, max %.2f GHz, cpu0 now %.2f GHz [sysfs]\n",
			s.governor[0] ? s.governor : "?", s.max_hz / 1e9, s.cur_hz[0] / 1e9);
	else
		fprintf(f, "cpufreq:    unavailable: %s\n", s.cpufreq_reason);
	if (s.devfreq_ok) {
		fprintf(f, "devfreq:   ");
		for (int i = 0; i < s.ndevfreq; i++)
			fprintf(f, " %s (%s) %s %.0f MHz [%.0f-%.0f]%s", s.devfreq[i].name, s.devfreq[i].kind,
				s.devfreq[i].governor[0] ? s.devfreq[i].governor : "?",
				s.devfreq[i].cur_hz / 1e6, s.devfreq[i].min_hz / 1e6,
				s.devfreq[i].max_hz / 1e6, i + 1 < s.ndevfreq ? ";" : "");
		fprintf(f, " [sysfs]\n");
	} else {
		fprintf(f, "devfreq:    unavailable: %s\n", s.devfreq_reason);
	}
	if (s.thermal_ok) {
		fprintf(f, "thermal:   ");
		for (int i = 0; i < s.ntemps && i < 6; i++)
			fprintf(f, " %s %.1f C%s", s.temp_c[i].name, s.temp_c[i].value,
				i + 1 < s.ntemps && i < 5 ? "," : "");
		fprintf(f, " [sysfs]\n");
	} else {
		fprintf(f, "thermal:    unavailable: %s\n", s.thermal_reason);
	}
	if (s.power_ok) {
		fprintf(f, "power:     ");
		for (int i = 0; i < s.nenergy; i++)
			fprintf(f, " %s energy counter %.1f J;", s.energy_j[i].name, s.energy_j[i].value);
		for (int i = 0; i < s.npower; i++)
			fprintf(f, " %s %.2f W;", s.power_w[i].name, s.power_w[i].value);
		fprintf(f, " [sysfs]\n");
	} else {
		fprintf(f, "power:      unavailable: %s\n", s.power_reason);
	}
	fprintf(f, "power mode: %s\n", s.power_mode[0] ? s.power_mode : "unknown");
	{
		struct ev_counters_status cs;
		counters_probe(&cs);
		if (cs.available)
			fprintf(f, "counters:   PMU %s, perf_event_paranoid %d [sysfs]\n", cs.pmu, cs.paranoid);
		else
			fprintf(f, "counters:   unavailable: %s\n", cs.reason);
	}
	if (s.throttled[0])
		fprintf(f, "throttled:  %s (Raspberry Pi firmware flags)\n", s.throttled);
	{
		struct ev_gpu_list gl;
		gpu_list(&gl);
		bench_gpu_list_print(f, &gl);
	}
	fprintf(f, "build:      %s\n", EV_COMPILER);
}

int cmd_info(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc, have_clock;
	struct ev_clock_result clk;
	cJSON *doc;
	if ((rc = opt_parse("info", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "info", "[options]",
			       "Describe this machine: CPU and ISA features (cpuid/HWCAP), topology and\n"
			       "caches (hwloc), memory, a measured core clock, and the machine state\n"
			       "(cpufreq, temperatures, power) with where each figure came from.",
			       NULL, opts, O__N);
		return EV_OK;
	}
	if (v[O_SYSROOT].set)
		sysfs_set_root(v[O_SYSROOT].s);
	cpu_detect(&c->cpu);
	if ((rc = cmd_apply_isa(c, v[O_ISA].s)))
		return rc;
	if ((rc = topo_open(&c->topo, v[O_TOPO].set ? v[O_TOPO].s : NULL, &c->err)))
		return rc;
	c->topo_open = 1;
	if (c->topo.warning[0])
		fprintf(c->log, "eaves: warning: %s\n", c->topo.warning);
	/* The clock of a replayed topology is not this machine's: do not measure. */
	have_clock = !v[O_NOCLOCK].set && !v[O_TOPO].set;
	if (have_clock && (rc = bench_clock(c, v[O_QUICK].set, &clk)))
		return rc;
	if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-"))
		print_text(c, &clk, have_clock);
	if (v[O_JSON].set) {
		doc = json_result_new(c, "info");
		if (have_clock)
			cJSON_AddItemToObject(doc, "clock", bench_clock_json(&clk));
		cJSON_AddItemToObject(doc, "kernels", kernels_json(&c->cpu));
		{
			struct ev_gpu_list gl;
			gpu_list(&gl);
			cJSON_AddItemToObject(doc, "gpus", bench_gpu_list_json(&gl));
		}
		rc = cmd_write_json(c, doc, v[O_JSON].s);
		cJSON_Delete(doc);
	}
	return cmd_verify_status(c, rc, have_clock && clk.status == EV_ERR_VERIFY);
}
