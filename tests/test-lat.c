/* tests/test-lat.c: the latency probe and the arithmetic built on it.
 * - the random cycle is one cycle over every line, for many sizes and seeds;
 * - the timed chase (hand-written loop on x86-64/aarch64) against the plain C
 *   chase, and k chases in lockstep against k separate ones;
 * - the probe through the driver: one chase, k chases, and one chase with a
 *   loader thread, verified by the probe's own checksum;
 * - Little's law, the misses-in-flight knee and the bound against exact values;
 * - a small sweep through bench_lat on a described topology, read back by the
 *   report loader. Invariants only, never speed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench-lat.h"
#include "harness.h"
#include "json.h"
#include "lat.h"
#include "result.h"
#include "roofline.h"
#include "topo.h"

static void test_cycle(void)
{
	static const uint64_t sizes[] = {1, 2, 3, 5, 64, 97, 1000, 4096, 65537};
	for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
		for (uint64_t seed = 1; seed <= 3; seed++) {
			uint64_t n = sizes[si], steps = 0;
			struct lat_line *l = aligned_alloc(64, n * sizeof *l);
			uint32_t *order = malloc(n * sizeof *order);
			unsigned char *seen = calloc(n, 1);
			struct lat_line *p;
			int twice = 0, bad_order = 0;
			lat_build_cycle(l, n, seed, order);
			p = &l[order[0]];
			do {
				uint64_t i = (uint64_t)(p - l);
				twice += seen[i]++;
				bad_order += p->index != i || order[steps % n] != i;
				p = p->next;
				steps++;
			} while (p != &l[order[0]] && steps <= n);
			T_CHECK(steps == n && !twice, "n=%llu seed %llu: back at the start after %llu steps "
				"(%d lines twice): one cycle over every line",
				(unsigned long long)n, (unsigned long long)seed, (unsigned long long)steps, twice);
			T_CHECK(!bad_order, "n=%llu: indices and the visiting order agree", (unsigned long long)n);
			free(l);
			free(order);
			free(seen);
		}
}

static void test_kernels(void)
{
	static const uint64_t steps[] = {0, 1, 3, 4, 5, 7, 1000, 12345};
	uint64_t n = 4096;
	struct lat_line *l = aligned_alloc(64, n * sizeof *l);
	lat_build_cycle(l, n, 7, NULL);
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		uint64_t s1 = 5, s2 = 5;
		struct lat_line *a = lat_chase(&l[3], steps[i], &s1), *b = lat_chase_ref(&l[3], steps[i], &s2);
		T_CHECK(a == b && s1 == s2, "%s, %llu steps: end and sum match the C chase",
			lat_kernel_name(), (unsigned long long)steps[i]);
	}
	{
		/* a full lap sums every index once */
		uint64_t s = 0;
		struct lat_line *e = lat_chase(&l[0], n, &s);
		T_CHECK(e == &l[0] && s == n * (n - 1) / 2, "a lap: sum %llu", (unsigned long long)s);
	}
	for (int k = 1; k <= LAT_MAX_CHAINS; k++) {
		struct lat_line *p[LAT_MAX_CHAINS], *q[LAT_MAX_CHAINS];
		uint64_t s1 = 0, s2 = 0;
		int ok = 1, rc;
		for (int c = 0; c < k; c++)
			p[c] = q[c] = &l[(c * 131) % n];
		rc = lat_chase_multi(p, k, 777, &s1);
		if (rc) {
			T_CHECK(k != 1 && k != 2 && k != 4 && k != 8 && k != 12 && k != 16 && k != 24 &&
					k != 32,
				"%d chases refused", k);
			continue;
		}
		for (int c = 0; c < k; c++)
			ok &= lat_chase_ref(q[c], 777, &s2) == p[c];
		T_CHECK(ok && s1 == s2, "%d chases in lockstep = %d separate chases", k, k);
	}
	free(l);
}

static int probe_job(struct ev_pool *pool, const struct ev_cpu *cpu, int nthreads, int chains,
		     uint32_t delay, enum ev_pages pages, struct ev_measurement *m, struct lat_out *out)
{
	struct lat_params lp = {.chains = chains, .delay = delay, .load_ws = 256 * 1024, .seed = 9,
				.out = out};
	struct ev_job j = {.probe = &ev_probe_lat, .cpu = cpu, .params = &lp, .nthreads = nthreads,
			   .ws_bytes = 3 << 20, .pages = pages};
	struct ev_measure_opts o = {.min_sample_s = 1e-4, .max_time_s = 0.02, .min_reps = 3,
				    .max_reps = 6, .stable_rel = 0};
	struct ev_err e = {0};
	int rc = driver_measure(pool, &j, &o, m, &e);
	T_CHECK(rc == 0 && m->status == EV_OK, "%d chases, %d threads: rc %d status %d %s %s", chains,
		nthreads, rc, m->status, e.msg, m->reason);
	T_CHECK(m->per_rep.ops == (double)lat_links_per_pass(3 << 20, chains) * (double)m->iters,
		"%d chases: links per repetition counted", chains);
	return rc;
}

static void test_probe(void)
{
	struct ev_topo t;
	struct ev_cpu cpu;
	struct ev_err e = {0};
	struct ev_pool *pool = NULL;
	struct ev_measurement *m = calloc(1, sizeof *m);
	struct lat_out out;
	cpu_detect(&cpu);
	T_CHECK(topo_open(&t, NULL, &e) == 0, "%s", e.msg);
	T_CHECK(pool_create(&pool, &t, 1, &e) == 0, "%s", e.msg);
	if (pool) {
		probe_job(pool, &cpu, 1, 1, 0, EV_PAGES_DEFAULT, m, &out);
		probe_job(pool, &cpu, 1, 1, 0, EV_PAGES_HUGE, m, &out);
		T_CHECK(out.huge_fraction <= 1, "huge-page share %g", out.huge_fraction);
		probe_job(pool, &cpu, 1, 8, 0, EV_PAGES_HUGE, m, &out);
		probe_job(pool, &cpu, 1, 32, 0, EV_PAGES_HUGE, m, &out);
		{
			struct lat_params lp = {.chains = 3};
			struct ev_job j = {.probe = &ev_probe_lat, .cpu = &cpu, .params = &lp,
					   .nthreads = 1, .ws_bytes = 1 << 20};
			struct ev_measure_opts o = {.min_sample_s = 1e-4, .max_time_s = 0.01,
						    .min_reps = 1, .max_reps = 2};
			T_CHECK(driver_measure(pool, &j, &o, m, &e) == 0 &&
					m->status == EV_ERR_UNSUPPORTED && strstr(m->reason, "3 chases"),
				"3 chases: skipped with the reason (%s)", m->reason);
		}
	}
	pool_destroy(pool);
	pool = NULL;
	if (pool_create(&pool, &t, 2, &e) == 0) {
		probe_job(pool, &cpu, 2, 1, 0, EV_PAGES_HUGE, m, &out);
		T_CHECK(out.loaders == 1 && out.bytes > 0 && out.seconds > 0,
			"the loader read %g bytes in %g s", out.bytes, out.seconds);
		probe_job(pool, &cpu, 2, 1, 1000, EV_PAGES_HUGE, m, &out);
	} else {
		T_SKIP("a 2-thread pool: %s", e.msg);
	}
	pool_destroy(pool);
	topo_close(&t);
	free(m);
}

static void test_little(void)
{
	double bw[] = {0.64e9, 1.28e9, 2.56e9, 4.3e9, 4.5e9, 4.4e9}, zero[3] = {0};
	T_NEAR(roof_little_bw(12, 64, 100e-9), 7.68e9, 1e-12, "12 lines x 64 B / 100 ns");
	T_NEAR(roof_misses_in_flight(7.68e9, 100e-9, 64), 12, 1e-12, "7.68 GB/s x 100 ns / 64 B");
	T_CHECK(roof_little_bw(12, 64, 0) == 0 && roof_misses_in_flight(1, 0, 64) == 0, "no latency: 0");
	T_CHECK(roof_mlp_knee(bw, 6, 0.9) == 3, "knee: the first at 90%% of the best (4.4: the median of the top three)");
	{
		double lucky[] = {1e9, 2e9, 3e9, 3.1e9, 3.0e9, 9e9}; /* one outlier */
		T_CHECK(roof_mlp_knee(lucky, 6, 0.9) == 2, "one lucky point does not move the knee");
	}
	T_CHECK(roof_mlp_knee(bw, 6, 0.5) == 2, "knee at 50%%: 2.56 >= 2.25 GB/s");
	T_CHECK(roof_mlp_knee(zero, 3, 0.9) == -1 && roof_mlp_knee(bw, 0, 0.9) == -1, "nothing measured");
}

static void test_bound(void)
{
	struct ev_lat_result *r = calloc(1, sizeof *r);
	static const int ch[] = {1, 2, 4, 8, 12, 16};
	for (int i = 0; i < 6; i++) {
		r->mlp[i].chains = ch[i];
		r->mlp[i].status = EV_OK;
		r->mlp[i].lat.median = ch[i] <= 10 ? 100e-9 : 100e-9 * ch[i] / 10;
		r->mlp[i].bw = ch[i] * 64 / r->mlp[i].lat.median;
	}
	r->nmlp = 6;
	bench_lat_bound(r, 2, 8e9, 16e9, "test");
	T_CHECK(r->bound.valid && r->bound.mlp == 12, "mlp %d (8 chases reach 5.1 of 6.4 GB/s: "
		"below 90%%; 12 reach 6.4)", r->bound.mlp);
	T_NEAR(r->bound.one_core, 12 * 64 / 100e-9, 1e-12, "one core: mlp x 64 / idle latency");
	T_NEAR(r->bound.all_cores, 2 * 12 * 64 / 100e-9, 1e-12, "no loaded run: the idle latency");
	r->loads[0].delay = 0;
	r->loads[0].status = EV_OK;
	r->loads[0].lat.median = 150e-9;
	r->nloads = 1;
	bench_lat_bound(r, 2, 8e9, 16e9, "test");
	T_CHECK(r->bound.loaded, "loaded latency used");
	T_NEAR(r->bound.all_cores, 2 * 12 * 64 / 150e-9, 1e-12, "all cores: cores x mlp x 64 / loaded");
	r->mlp[0].status = EV_ERR_VERIFY;
	bench_lat_bound(r, 2, 8e9, 16e9, "test");
	T_CHECK(!r->bound.valid && r->bound.reason[0], "no single-chase latency: no bound, with the reason");
	free(r);
}

/* 2 cores, L1 32 KiB, L2 512 KiB per core, L3 8 MiB shared. */
#define TOPO "synthetic:pack:1 l3:1(size=8388608) l2:2(size=524288) l1d:1(size=32768) core:1 pu:1"

static void test_bench(void)
{
	struct ev_ctx c;
	struct ev_lat_opts o;
	struct ev_lat_result *r = calloc(1, sizeof *r);
	struct rep_result *rr = calloc(1, sizeof *rr);
	cJSON *doc = cJSON_CreateObject();
	memset(&c, 0, sizeof c);
	c.log = stderr;
	c.out = stdout;
	cpu_detect(&c.cpu);
	T_CHECK(topo_open(&c.topo, TOPO, &c.err) == 0, "%s", c.err.msg);
	c.topo_open = 1;
	bench_lat_defaults(&c, 1, &o);
	o.max_ws = 4 << 20; /* small: a test, not a measurement */
	o.budget_s = 1;
	o.bound_read = 0;
	o.nload = 1;
	o.load_delay[0] = 0;
	T_CHECK(bench_lat(&c, &o, r) == 0, "%s", c.err.msg);
	T_CHECK(bench_lat_failed(r) == 0, "every chase verified");
	T_CHECK(r->nlevels >= 2 && !strcmp(r->levels[0].name, "L1") && r->levels[0].point[0] >= 0 &&
			r->levels[0].point[1] >= 0,
		"%d levels, L1 with both page kinds", r->nlevels);
	T_CHECK(r->nmlp == EV_LAT_MAX_MLP, "%d chase counts", r->nmlp);
	T_CHECK(r->nloads == 1 || c.topo.cores < 2, "a loaded run");
	for (int i = 0; i < r->npoints; i++)
		T_CHECK(r->pts[i].status == EV_OK && r->pts[i].lat.median > 0 && r->pts[i].lat.median < 1e-3,
			"point %d: %g s per link", i, r->pts[i].lat.median);
	bench_lat_bound(r, 2, 10e9, 20e9, "test");
	json_str(doc, "schema", "eaves.result");
	json_num(doc, "schema_version", 1);
	cJSON_AddItemToObject(doc, "latency", bench_lat_json(r));
	T_CHECK(rep_load(doc, "test", rr, &c.err) == 0, "the section reads back: %s", c.err.msg);
	T_CHECK(rep_lat_find(rr, "L1", "huge") && rep_lat_find(rr, "L1", "4k") &&
			rr->nlatpts == r->npoints && rr->bound.valid == r->bound.valid,
		"levels, points and bound read back");
	bench_lat_free(r);
	cJSON_Delete(doc);
	topo_close(&c.topo);
	free(r);
	free(rr);
}

/* A small board (4 cores, little memory): the loaded runs' buffers do not fit,
 * so they are skipped with the reason and the rest is measured. */
static void test_small_board(void)
{
	struct ev_ctx c;
	struct ev_lat_opts o;
	struct ev_lat_result *r = calloc(1, sizeof *r);
	memset(&c, 0, sizeof c);
	c.log = stderr;
	c.out = stdout;
	cpu_detect(&c.cpu);
	T_CHECK(topo_open(&c.topo, "synthetic:pack:1 l3:1(size=1048576) l2:4(size=262144) "
				   "l1d:1(size=32768) core:1 pu:1",
			  &c.err) == 0,
		"%s", c.err.msg);
	c.topo_open = 1;
	c.topo.mem_avail_bytes = 15ull << 20; /* 12 MiB usable: one chase, not 4 buffers */
	bench_lat_defaults(&c, 1, &o);
	o.max_ws = 4 << 20;
	o.budget_s = 1;
	o.bound_read = 0;
	o.mlp = 0;
	o.pages_mask = 1u << EV_PAGES_HUGE;
	T_CHECK(o.nload > 0, "4 cores: loaded runs planned");
	T_CHECK(bench_lat(&c, &o, r) == 0, "%s", c.err.msg);
	T_CHECK(r->nloads == 0 && strstr(r->load_note, "loaded latency skipped") && r->npoints > 0,
		"loaded skipped (%s), the sweep measured (%d points)", r->load_note, r->npoints);
	bench_lat_free(r);
	c.topo.mem_avail_bytes = 4ull << 20;
	T_CHECK(bench_lat(&c, &o, r) == EV_ERR_USAGE && strstr(c.err.msg, "does not fit"),
		"a chase that does not fit is refused: %s", c.err.msg);
	bench_lat_free(r);
	topo_close(&c.topo);
	free(r);
}

static void test_bad_results(void)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{"{\"levels\":[{\"level\":\"L1\",\"pages\":\"4k\",\"ws_bytes\":4096,\"latency_median_s\":-1}]}",
		 "latency_median_s"},
		{"{\"levels\":[{\"level\":\"L1\",\"pages\":\"2m\",\"ws_bytes\":4096,\"latency_median_s\":1e-9}]}",
		 "is not '4k' or 'huge'"},
		{"{\"loaded\":[{\"status\":\"ok\",\"load_bw_bytes_per_s\":1e9,\"latency_median_s\":5}]}",
		 "latency.loaded[0]"},
		{"{\"bound\":{\"status\":\"ok\",\"mlp_lines\":0}}", "mlp_lines"},
		{"[1]", "not an object"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct rep_result *r = calloc(1, sizeof *r);
		struct ev_err e = {0};
		cJSON *doc = cJSON_Parse("{\"schema\":\"eaves.result\",\"schema_version\":1}");
		cJSON_AddItemToObject(doc, "latency", cJSON_Parse(bad[i].json));
		T_CHECK(rep_load(doc, "bad.json", r, &e) == EV_ERR_USAGE && strstr(e.msg, bad[i].want) &&
				strstr(e.msg, "bad.json"),
			"%s: refused naming the file and field (%s)", bad[i].json, e.msg);
		cJSON_Delete(doc);
		free(r);
	}
}

int main(void)
{
	t_prog = "test-lat";
	T_RUN(test_cycle);
	T_RUN(test_kernels);
	T_RUN(test_probe);
	T_RUN(test_little);
	T_RUN(test_bound);
	T_RUN(test_bench);
	T_RUN(test_small_board);
	T_RUN(test_bad_results);
	T_DONE();
}
