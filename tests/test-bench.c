/* tests/test-bench.c: the measurements' own logic, on synthetic inputs:
 * - the bw sweep's size plan on a described topology (ascending, in range, a
 *   point in every level's window) and the level/plateau summary of made-up
 *   points (a failed verification never becomes a level);
 * - flops peaks: best kernel per precision, theoretical = cores x clock x
 *   ops/cycle, the "suspect" flag above 105%;
 * - x86 microarchitecture decoding from cpuid family/model;
 * - a whole decode run of a tiny model: compute ceiling, synthetic KV fill and
 *   the context sweep (invariants, never speed). */
#include <math.h>
#include <string.h>

#include "bench-decode.h"
#include "bench.h"
#include "bw.h"
#include "decode.h"
#include "flops.h"
#include "harness.h"
#include "topo.h"

/* 2 cores, L1 32 KiB, L2 512 KiB per core, L3 8 MiB shared. */
#define TOPO "synthetic:pack:1 l3:1(size=8388608) l2:2(size=524288) l1d:1(size=32768) core:1 pu:1"

static int make_ctx(struct ev_ctx *c)
{
	memset(c, 0, sizeof *c);
	c->log = stderr;
	c->out = stdout;
	cpu_detect(&c->cpu);
	if (topo_open(&c->topo, TOPO, &c->err))
		return -1;
	c->topo_open = 1;
	return 0;
}

static void test_size_plan(void)
{
	struct ev_ctx c;
	struct ev_bw_opts o;
	uint64_t ws[EV_BW_MAX_SIZES];
	int n;
	T_CHECK(make_ctx(&c) == 0, "%s", c.err.msg);
	bench_bw_defaults(&c, 0, &o);
	n = bench_bw_plan_sizes(&c, &o, 1, ws, EV_BW_MAX_SIZES);
	T_CHECK(n > 10, "%d sizes", n);
	for (int i = 1; i < n; i++)
		T_CHECK(ws[i] > ws[i - 1] * 1.04, "ascending, 4%% apart: %llu then %llu",
			(unsigned long long)ws[i - 1], (unsigned long long)ws[i]);
	T_CHECK(ws[0] <= 32768 && ws[n - 1] >= 64ull << 20, "from inside L1 to 8x L3 (or 64 MiB): %llu..%llu",
		(unsigned long long)ws[0], (unsigned long long)ws[n - 1]);
	{
		/* a point strictly inside each level's window */
		static const uint64_t lo[] = {0, 32768, 524288, 8388608};
		static const uint64_t hi[] = {32768, 524288, 8388608, ~0ull};
		for (int l = 0; l < 4; l++) {
			int found = 0;
			for (int i = 0; i < n; i++)
				found |= ws[i] > lo[l] && ws[i] <= hi[l];
			T_CHECK(found, "a size in level %d's window", l);
		}
	}
	o.single_ws = 12345678;
	T_CHECK(bench_bw_plan_sizes(&c, &o, 2, ws, EV_BW_MAX_SIZES) == 1 && ws[0] == 12345678,
		"--size measures that size only");
	o.single_ws = 0;
	o.points_per_octave = 16;
	T_CHECK(bench_bw_plan_sizes(&c, &o, 1, ws, 40) == -1, "more sizes than the caller holds: refused");
	topo_close(&c.topo);
}

/* Points of a made-up read curve: 300 GB/s in L1, 150 in L2, 80 in L3, 20 in DRAM. */
static void add_point(struct ev_bw_result *r, int k, uint64_t ws, double bw, int status)
{
	struct ev_bw_point *p = &r->pts[r->npoints++];
	memset(p, 0, sizeof *p);
	p->kernel = k;
	p->threads = 1;
	p->ws_bytes = ws;
	p->status = status;
	p->nsamples = 3;
	p->bw.median = p->bw.best = bw;
}

static void test_level_summary(void)
{
	struct ev_ctx c;
	struct ev_bw_result r;
	static const double curve[][2] = {
		{8192, 300e9},     {16384, 301e9},    {24576, 299e9},    {131072, 150e9},
		{262144, 151e9},   {393216, 149e9},   {2097152, 80e9},   {4194304, 81e9},
		{6291456, 79e9},   {12582912, 20.2e9}, {67108864, 20e9},  {134217728, 20.5e9}, {268435456, 19.8e9},
	};
	int nlev = 0, agree = 0;
	T_CHECK(make_ctx(&c) == 0, "%s", c.err.msg);
	memset(&r, 0, sizeof r);
	r.opts.nthr = 1;
	r.opts.threads[0] = 1;
	r.cap = 64;
	r.pts = calloc(64, sizeof *r.pts);
	for (size_t i = 0; i < sizeof curve / sizeof curve[0]; i++)
		add_point(&r, BW_READ, (uint64_t)curve[i][0], curve[i][1], EV_OK);
	/* a faster point that failed verification must not become the L1 figure */
	add_point(&r, BW_READ, 20000, 999e9, EV_ERR_VERIFY);
	T_CHECK(bench_bw_summarize(&c, &r) == EV_OK, "%s", c.err.msg);
	for (int i = 0; i < r.nlevels; i++) {
		const struct ev_bw_level *L = &r.levels[i];
		const struct ev_bw_point *p = &r.pts[L->point];
		if (L->kernel != BW_READ)
			continue;
		nlev++;
		T_CHECK(p->status == EV_OK, "%s from a verified point", L->name);
		if (!strcmp(L->name, "L1"))
			T_CHECK(p->bw.median == 301e9, "L1: best median of its window, %g", p->bw.median);
		if (!strcmp(L->name, "DRAM"))
			T_CHECK(p->ws_bytes == 268435456, "DRAM: the largest working set");
	}
	T_CHECK(nlev == 4, "L1, L2, L3, DRAM: %d levels", nlev);
	for (int i = 0; i < r.nplateaus; i++)
		agree += r.plateaus[i].agrees;
	T_CHECK(r.nplateaus == 4 && agree == 3, "4 plateaus, 3 knees matching hwloc: %d, %d",
		r.nplateaus, agree);
	T_CHECK(bench_bw_failed(&r) == 1, "the failed point is counted");
	bench_bw_free(&r);
	topo_close(&c.topo);
}

static int kernel_named(const char *name)
{
	for (int k = 0; k < flops_count; k++)
		if (!strcmp(flops_table[k].name, name))
			return k;
	return -1;
}

static void test_peaks(void)
{
	struct ev_ctx c;
	struct ev_flops_opts o;
	struct ev_flops_result *r = calloc(1, sizeof *r);
	int scalar = kernel_named("fp32_scalar"), s64 = kernel_named("fp64_scalar");
	T_CHECK(make_ctx(&c) == 0 && r, "%s", c.err.msg);
	bench_flops_defaults(&c, 1, &o);
	snprintf(r->uarch, sizeof r->uarch, "zen4");
	r->uarch_found = 1;
	r->clock.status = EV_OK;
	r->clock.one.median = 3e9;
	r->clock.all.median = 3e9;
	/* fp32: the generic kernel at 120% of zen4's 32 FLOP/cycle: suspect */
	r->e[0] = (struct ev_flops_entry){.kernel = scalar, .threads = 1, .core_kind = -1,
					  .status = EV_OK, .nsamples = 5};
	r->e[0].rate.median = r->e[0].rate.best = 1.2 * 32 * 3e9;
	/* fp64: a faster entry that failed verification, and a slower good one */
	r->e[1] = (struct ev_flops_entry){.kernel = s64, .threads = 1, .core_kind = -1,
					  .status = EV_ERR_VERIFY, .nsamples = 5};
	r->e[1].rate.median = 1e12;
	r->e[2] = (struct ev_flops_entry){.kernel = s64, .threads = 1, .core_kind = -1,
					  .status = EV_OK, .nsamples = 5};
	r->e[2].rate.median = r->e[2].rate.best = 0.5 * 16 * 3e9;
	r->nentries = 3;
	bench_flops_peaks(&c, &o, r);
	T_CHECK(r->npeaks == 2, "one peak per measured precision: %d", r->npeaks);
	for (int i = 0; i < r->npeaks; i++) {
		const struct ev_flops_peak *pk = &r->peaks[i];
		if (pk->prec == EV_PREC_FP32) {
			T_NEAR(pk->theoretical, 32 * 3e9, 1e-12, "fp32 theoretical, 1 core");
			T_CHECK(pk->suspect && pk->ratio > 1.19, "above 105%%: suspect (%g)", pk->ratio);
		} else {
			T_CHECK(pk->entry == 2, "the failed entry is never the peak");
			T_CHECK(!pk->suspect && fabs(pk->ratio - 0.5) < 1e-12, "fp64 at 50%%: %g", pk->ratio);
		}
	}
	T_CHECK(bench_flops_failed(r) == 1, "failed entries counted");
	/* an unknown core: no theoretical peak, and the reason says why */
	snprintf(r->uarch, sizeof r->uarch, "no-such-core");
	r->uarch_found = 0;
	r->npeaks = 0;
	bench_flops_peaks(&c, &o, r);
	T_CHECK(r->npeaks == 2 && r->peaks[0].theoretical == 0 &&
			strstr(r->peaks[0].theo_reason, "not in configs/uarch.json"),
		"%s", r->peaks[0].theo_reason);
	free(r);
	topo_close(&c.topo);
}

static void test_x86_uarch(void)
{
	static const struct {
		const char *vendor;
		int family, model;
		const char *want;
	} t[] = {
		{"AuthenticAMD", 0x19, 0x01, "zen3"},   {"AuthenticAMD", 0x19, 0x11, "zen4"},
		{"AuthenticAMD", 0x19, 0x61, "zen4"},   {"AuthenticAMD", 0x17, 0x31, "zen2"},
		{"AuthenticAMD", 0x1a, 0x02, "zen5"},   {"HygonGenuine", 0x18, 0x00, "unknown"},
		{"GenuineIntel", 6, 0x6a, "icelake-x"}, {"GenuineIntel", 6, 0x8f, "sapphirerapids"},
		{"GenuineIntel", 6, 0x97, "alderlake"}, {"GenuineIntel", 6, 0x55, "skylake-x"},
		{"GenuineIntel", 6, 0x01, "unknown"},   {"GenuineIntel", 15, 0x06, "unknown"},
		{"CentaurHauls", 6, 0x0f, "unknown"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		T_CHECK(!strcmp(cpu_x86_uarch(t[i].vendor, t[i].family, t[i].model), t[i].want),
			"%s family %#x model %#x: %s, want %s", t[i].vendor, t[i].family, t[i].model,
			cpu_x86_uarch(t[i].vendor, t[i].family, t[i].model), t[i].want);
}

/* The synthetic KV fill writes exactly positions [0, upto) of every layer. */
static void test_kv_fill(void)
{
	struct ev_ctx c;
	struct ev_pool *pool = NULL;
	struct dec_model m;
	struct ev_model_shape s = {.n_layers = 2, .hidden = 64, .n_heads = 4, .n_kv_heads = 2,
				   .head_dim = 16, .ffn = 96, .vocab = 101, .rope_theta = 10000,
				   .norm_eps = 1e-5, .max_ctx = 64};
	int bad = 0, upto = 20;
	T_CHECK(make_ctx(&c) == 0 && pool_create(&pool, &c.topo, 2, &c.err) == 0, "%s", c.err.msg);
	if (!pool)
		return;
	T_CHECK(dec_model_create(&m, &s, EV_TYPE_Q8_0, 32, 4, pool, &c.cpu, 7, &c.err) == 0, "%s",
		c.err.msg);
	dec_fill_kv(&m, pool, upto, 3);
	for (int l = 0; l < s.n_layers; l++)
		for (int i = 0; i < m.kv_dim; i++)
			for (int p = 0; p < m.ctx_cap; p++) {
				float k = ev_fp16_to_f32(m.kc[dec_k_index(&m, l, i, p)]);
				float v = ev_fp16_to_f32(m.vc[dec_v_index(&m, l, i, p)]);
				if (p < upto)
					bad += !(fabsf(k) <= 1 && fabsf(v) <= 1 && (k != 0 || v != 0));
				else
					bad += k != 0 || v != 0;
			}
	T_CHECK(bad == 0, "%d KV elements wrong", bad);
	dec_model_destroy(&m);
	pool_destroy(pool);
	topo_close(&c.topo);
}

/* A whole decode run: every figure is there, the ceiling falls as the KV cache
 * grows, the compute ceiling was measured and verified. */
/* A hybrid board (the RK3588's replayed topology: 4 big, 4 little cores):
 * decode defaults to the big cores, then decodes a few tokens on all 8 and
 * says which was faster. The pinning to the board's CPU numbers fails here
 * (best effort), so the speeds mean nothing: the test checks the mechanics. */
static void test_decode_hybrid(void)
{
	struct ev_ctx c;
	struct ev_decode_opts o;
	struct ev_decode_result *r = calloc(1, sizeof *r);
	cJSON *j;
	const cJSON *h;
	memset(&c, 0, sizeof c);
	c.log = stderr;
	c.out = stdout;
	cpu_detect(&c.cpu);
	T_CHECK(r && topo_open(&c.topo, t_src("tests/fixtures/topo/rk3588.xml"), &c.err) == 0, "%s",
		c.err.msg);
	if (!r || c.err.msg[0]) {
		free(r);
		return;
	}
	c.topo_open = 1;
	memset(&o, 0, sizeof o);
	o.shape = (struct ev_model_shape){.n_layers = 2, .hidden = 64, .n_heads = 4, .n_kv_heads = 2,
					  .head_dim = 16, .ffn = 96, .vocab = 101, .rope_theta = 10000,
					  .norm_eps = 1e-5, .max_ctx = 128};
	snprintf(o.shape.name, sizeof o.shape.name, "tiny");
	o.types[o.ntypes++] = EV_TYPE_Q8_0;
	o.types[o.ntypes++] = EV_TYPE_Q4_0;
	o.prompt = 4;
	o.tokens = 10;
	o.ctx_tokens = 1;
	o.ctx[o.nctx++] = 32;
	o.threads = topo_fast_cores(&c.topo);
	o.all_cores = c.topo.cores;
	o.seed = 1;
	o.quick = 1;
	o.bw_best = o.bw_median = 10e9;
	o.bw_given = 1;
	snprintf(o.bw_source, sizeof o.bw_source, "test");
	T_CHECK(o.threads == 4 && o.all_cores == 8, "big cores %d of %d", o.threads, o.all_cores);
	T_CHECK(bench_decode(&c, &o, r) == EV_OK, "%s", c.err.msg);
	T_CHECK(r->all_threads == 8 && r->all_n > 0 && r->all_tok_s > 0 && r->fast_tok_s > 0 &&
			r->all_type == EV_TYPE_Q8_0,
		"the check ran once, on the first format, on all 8: %d threads, %d tokens", r->all_threads,
		r->all_n);
	T_CHECK(r->runs[0].ntpot == 10 && r->runs[1].ntpot == 10, "both formats decoded");
	{
		/* each kind's read bandwidth on its own cores: big first, from slot 0; little from 4 */
		struct ev_bw_kind k[EV_MAX_KINDS];
		int nk = 0;
		T_CHECK(bench_bw_kinds(&c, 1, 1 << 20, k, &nk) == EV_OK, "%s", c.err.msg);
		T_CHECK(nk == 2 && k[0].cores == 4 && k[0].first_slot == 0 && k[1].first_slot == 4 &&
				strstr(k[0].name, "2400") && k[0].status == EV_OK && k[0].best > 0 &&
				k[1].status == EV_OK && k[1].best > 0,
			"two kinds measured: %d, slots %d %d", nk, k[0].first_slot, nk > 1 ? k[1].first_slot : -1);
	}
	j = bench_decode_json(r);
	h = cJSON_GetObjectItemCaseSensitive(j, "hybrid");
	T_CHECK(cJSON_IsObject(h) &&
			cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(h, "all_cores")) == 8 &&
			cJSON_IsString(cJSON_GetObjectItemCaseSensitive(h, "verdict")),
		"the result says what was compared");
	cJSON_Delete(j);
	/* the same verdict rule for every figure */
	r->all_n = 3;
	r->fast_tok_s = 10;
	r->all_tok_s = 9;
	T_CHECK(strstr(bench_decode_hybrid_verdict(r), "slower"), "9 vs 10 tok/s: slower");
	r->all_tok_s = 10.2;
	T_CHECK(strstr(bench_decode_hybrid_verdict(r), "same"), "10.2 vs 10: the same");
	r->all_tok_s = 12;
	T_CHECK(strstr(bench_decode_hybrid_verdict(r), "faster"), "12 vs 10: faster");
	free(r);
	topo_close(&c.topo);
}

static void test_decode_run(void)
{
	struct ev_ctx c;
	struct ev_decode_opts o;
	struct ev_decode_result *r = calloc(1, sizeof *r);
	volatile sig_atomic_t stop = 0;
	const struct ev_decode_run *u;
	T_CHECK(make_ctx(&c) == 0 && r, "%s", c.err.msg);
	c.stop = &stop;
	memset(&o, 0, sizeof o);
	o.shape = (struct ev_model_shape){.n_layers = 2, .hidden = 128, .n_heads = 4, .n_kv_heads = 2,
					  .head_dim = 32, .ffn = 256, .vocab = 300, .rope_theta = 10000,
					  .norm_eps = 1e-5, .max_ctx = 512};
	snprintf(o.shape.name, sizeof o.shape.name, "tiny");
	o.types[o.ntypes++] = EV_TYPE_Q4_0;
	o.prompt = 8;
	o.tokens = 6;
	o.ctx[o.nctx++] = 16;
	o.ctx[o.nctx++] = 400;
	o.ctx_tokens = 3;
	o.threads = 2;
	o.seed = 1;
	o.quick = 1;
	o.bw_best = o.bw_median = 10e9; /* given: nothing else measured */
	o.bw_given = 1;
	snprintf(o.bw_source, sizeof o.bw_source, "test");
	T_CHECK(bench_decode(&c, &o, r) == EV_OK, "%s", c.err.msg);
	u = &r->runs[0];
	T_CHECK(r->nruns == 1 && u->ntpot == 6 && u->ngen == 7, "%d runs, %d TPOT, %d tokens", r->nruns,
		u->ntpot, u->ngen);
	T_CHECK(u->compute_status == EV_OK && u->compute_tok_s > 0, "compute ceiling: %s",
		u->compute_reason);
	T_CHECK(u->wbw_best > 0 && u->ceil_bw == 10e9, "the given bandwidth sets the ceiling");
	T_CHECK(u->nctx == 2 && u->ctx[0].n == 3 && u->ctx[1].n == 3, "context sweep points");
	T_CHECK(u->ctx[1].cost.kv_read_bytes > u->ctx[0].cost.kv_read_bytes &&
			u->ctx[1].ceiling_tok_s < u->ctx[0].ceiling_tok_s,
		"the ceiling falls as the KV cache grows");
	T_CHECK(bench_decode_failed(r) == 0, "nothing failed verification");
	o.ctx_tokens = EV_DEC_MAX_CTX_TOKENS + 1;
	T_CHECK(bench_decode(&c, &o, r) == EV_ERR_USAGE && strstr(c.err.msg, "ctx-tokens"),
		"limits are checked: %s", c.err.msg);
	free(r);
	topo_close(&c.topo);
}

int main(void)
{
	t_prog = "test-bench";
	T_RUN(test_size_plan);
	T_RUN(test_level_summary);
	T_RUN(test_peaks);
	T_RUN(test_x86_uarch);
	T_RUN(test_kv_fill);
	T_RUN(test_decode_run);
	T_RUN(test_decode_hybrid);
	T_DONE();
}
