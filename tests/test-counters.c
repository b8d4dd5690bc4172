/* tests/test-counters.c: counter plans and their encodings without a PMU:
 * the kernel's sysfs event lists of real boards (tests/fixtures/sysfs), the
 * x86 model tables of libpfm4 (LIBPFM_FORCE_PMU), and the result objects. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "counters.h"
#include "harness.h"
#include "sysfs.h"

static void use(const char *board)
{
	char p[512];
	snprintf(p, sizeof p, "tests/fixtures/sysfs/%s", board);
	sysfs_set_root(t_src(p));
}

static const struct ev_cnt_event *find(const struct ev_cnt_plan *p, int kind)
{
	for (int i = 0; i < p->n; i++)
		if (p->ev[i].kind == kind)
			return &p->ev[i];
	return NULL;
}

/* The kernel's format files place each term's value: Intel's event and umask. */
static void test_sysfs_encoding(void)
{
	struct ev_cnt_enc e;
	use("rapl-laptop");
	T_CHECK(counters_sysfs_event("cpu", "cache-misses", &e) == 0 && e.type == 4 &&
			e.config == 0x412e,
		"cache-misses: type %u config 0x%llx", e.type, (unsigned long long)e.config);
	T_CHECK(counters_sysfs_event("cpu", "no-such-event", &e) == -1, "a missing event");
	use("rpi5");
	T_CHECK(counters_sysfs_event("armv8_cortex_a76", "ll_cache_miss_rd", &e) == 0 && e.type == 8 &&
			e.config == 0x37,
		"a76 ll_cache_miss_rd 0x%llx", (unsigned long long)e.config);
}

/* RK3588: two PMUs (A55 cpus 0-3, A76 cpus 4-7), one encoding each; the
 * memory event is one both have (the A55 has no ll_cache_miss_rd). */
static void test_rk3588_plan(void)
{
	struct ev_cnt_plan p;
	struct ev_err e = {0};
	const struct ev_cnt_event *m;
	use("rk3588");
	T_CHECK(counters_plan(&p, EV_CNT_USE_MEM, NULL, 3, 64, &e) == 0, "%s", e.msg);
	T_CHECK(p.available && !strcmp(p.source, "sysfs") && p.npmu == 2, "available, 2 PMUs: %s",
		p.reason);
	T_CHECK(!strcmp(p.pmu[0], "armv8_cortex_a55") && p.cpus[0][0] == 0x0f &&
			!strcmp(p.pmu[1], "armv8_cortex_a76") && p.cpus[1][0] == 0xf0,
		"PMUs and their CPUs");
	T_CHECK(p.n == 3 && p.ev[0].kind == EV_CNT_CYCLES && p.ev[0].enc[0].type == 8 &&
			p.ev[0].enc[1].type == 9 && p.ev[0].enc[1].config == 0x11 &&
			p.ev[1].enc[0].config == 0x08,
		"cycles and instructions on both PMUs");
	m = find(&p, EV_CNT_MEM);
	T_CHECK(m && !strcmp(m->name, "l3d_cache_refill") && m->scale == 64 &&
			m->enc[1].config == 0x2a,
		"memory event %s", m ? m->name : "none");
	T_CHECK(counters_plan(&p, EV_CNT_USE_FP32, NULL, 3, 64, &e) == 0 && !find(&p, EV_CNT_FLOP) &&
			strstr(p.flop_what, "not operations"),
		"no FLOP event on Cortex-A: %s", p.flop_what);
}

/* Pi 5: one A76 PMU that has the last level's read misses; a Pi 4-like
 * topology without an L3 still prefers them over L2 refills. */
static void test_rpi5_plan(void)
{
	struct ev_cnt_plan p;
	struct ev_err e = {0};
	const struct ev_cnt_event *m;
	use("rpi5");
	T_CHECK(counters_plan(&p, EV_CNT_USE_MEM, NULL, 3, 64, &e) == 0 && p.available && p.npmu == 1,
		"plan: %s", p.reason);
	m = find(&p, EV_CNT_MEM);
	T_CHECK(m && !strcmp(m->name, "ll_cache_miss_rd"), "ll_cache_miss_rd");
	use("jetson-orin-nano");
	T_CHECK(counters_plan(&p, EV_CNT_USE_MEM, NULL, 2, 64, &e) == 0 && p.available, "jetson");
	m = find(&p, EV_CNT_MEM);
	T_CHECK(m && !strcmp(m->name, "l2d_cache_refill"), "L2 refills when the LLC is L2: %s",
		m ? m->name : "none");
	T_CHECK(counters_plan(&p, EV_CNT_USE_MEM, "off", 2, 64, &e) == 0 && !p.available &&
			strstr(p.reason, "off"),
		"--counters off");
}

/* A laptop with perf_event_paranoid 3 and a VM without a PMU: a plan, not
 * available, with the reason. */
static void test_unavailable(void)
{
	struct ev_cnt_plan p;
	struct ev_err e = {0};
	struct ev_counters *c = NULL;
	use("rapl-laptop");
	T_CHECK(counters_plan(&p, EV_CNT_USE_MEM, NULL, 3, 64, &e) == 0 && !p.available &&
			strstr(p.reason, "perf_event_paranoid is 3"),
		"laptop: %s", p.reason);
	T_CHECK(counters_open_plan(&c, &p, &e) == EV_ERR_UNSUPPORTED && !c &&
			strstr(e.msg, "paranoid"),
		"opening says why: %s", e.msg);
	use("vm");
	T_CHECK(counters_plan(&p, EV_CNT_USE_BASIC, NULL, 3, 64, &e) == 0 && !p.available &&
			strstr(p.reason, "no CPU PMU"),
		"vm: %s", p.reason);
	T_CHECK(counters_plan(&p, EV_CNT_USE_BASIC, "no::SUCH_EVENT", 0, 0, &e) == EV_ERR_USAGE &&
			strstr(e.msg, "no::SUCH_EVENT"),
		"a bad --counters list: %s", e.msg);
}

/* libpfm4's model tables, forced to a core this machine is not: encodings
 * checked against the vendors' event numbers. */
static void test_x86_models(void)
{
#if defined(__x86_64__)
	static const struct {
		const char *pmu;
		int use;
		const char *event;
		unsigned long long config;
		double scale;
	} want[] = {
		{"amd64_fam19h_zen3", EV_CNT_USE_FP32, "RETIRED_SSE_AVX_FLOPS:ANY", 0xf03, 1},
		{"icl", EV_CNT_USE_FP32, "FP_ARITH_INST_RETIRED:512B_PACKED_SINGLE", 0x80c7, 16},
		{"icl", EV_CNT_USE_FP64, "FP_ARITH_INST_RETIRED:256B_PACKED_DOUBLE", 0x10c7, 4},
		{"icl", EV_CNT_USE_MEM, "LONGEST_LAT_CACHE:MISS", 0x412e, 64},
	};
	/* libpfm4 reads LIBPFM_FORCE_PMU once, at its first use: each model
	 * is planned in a child of its own */
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		int st = -1;
		pid_t pid = fork();
		if (pid == 0) {
			struct ev_cnt_plan p;
			struct ev_err e = {0};
			setenv("LIBPFM_FORCE_PMU", want[i].pmu, 1);
			use("vm");
			if (counters_plan(&p, want[i].use, NULL, 3, 64, &e))
				_exit(2);
			for (int k = 0; k < p.n; k++)
				if (!strcmp(p.ev[k].name, want[i].event))
					_exit(p.ev[k].enc[0].config == want[i].config &&
						      p.ev[k].scale == want[i].scale && p.n >= 3 &&
						      p.ev[0].kind == EV_CNT_CYCLES ?
					      0 :
					      3);
			_exit(4);
		}
		waitpid(pid, &st, 0);
		T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
			"%s: %s config 0x%llx x %g (child exit %d: 2 no plan, 3 wrong encoding, 4 "
			"missing)",
			want[i].pmu, want[i].event, want[i].config, want[i].scale,
			WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
#else
	T_SKIP("libpfm4's x86 model tables: x86 builds only");
#endif
}

/* The result object: counted next to computed, the ratio, IPC. */
static void test_json(void)
{
	struct ev_cnt_plan p = {0};
	struct ev_cnt_values v = {0};
	cJSON *o;
	char *s;
	p.n = 3;
	p.available = 1;
	snprintf(p.source, sizeof p.source, "sysfs");
	snprintf(p.mem_what, sizeof p.mem_what, "test lines");
	p.ev[0] = (struct ev_cnt_event){.name = "cpu_cycles", .kind = EV_CNT_CYCLES, .scale = 1};
	p.ev[1] = (struct ev_cnt_event){.name = "inst_retired", .kind = EV_CNT_INSTR, .scale = 1};
	p.ev[2] = (struct ev_cnt_event){.name = "l2d_cache_refill", .kind = EV_CNT_MEM, .scale = 64};
	v.ok = 1;
	v.n = 3;
	v.reps = 4;
	v.sum[0] = 4e6;
	v.sum[1] = 6e6;
	v.sum[2] = 4 * 15000; /* 15000 lines a repetition: 960000 B */
	T_CHECK(counters_per_rep(&p, &v, EV_CNT_MEM) == 960000, "bytes per rep");
	o = counters_json(&p, &v, 1e6, -1, "repetition");
	s = cJSON_PrintUnformatted(o);
	T_CHECK(s && strstr(s, "\"ipc\":1.5") && strstr(s, "\"counted_per_rep\":960000") &&
			strstr(s, "\"counted_over_computed\":0.96") && !strstr(s, "\"flop\""),
		"%s", s ? s : "null");
	free(s);
	cJSON_Delete(o);
	v.ok = 0;
	snprintf(v.reason, sizeof v.reason, "no PMU");
	o = counters_json(&p, &v, 1e6, -1, "repetition");
	s = cJSON_PrintUnformatted(o);
	T_CHECK(s && !strcmp(s, "{\"status\":\"unavailable\",\"reason\":\"no PMU\"}"), "%s", s);
	free(s);
	cJSON_Delete(o);
}

int main(void)
{
	t_prog = "test-counters";
	T_RUN(test_x86_models); /* first: before this process initialises libpfm4 */
	T_RUN(test_sysfs_encoding);
	T_RUN(test_rk3588_plan);
	T_RUN(test_rpi5_plan);
	T_RUN(test_unavailable);
	T_RUN(test_json);
	T_DONE();
}
