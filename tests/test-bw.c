/* tests/test-bw.c: every streaming kernel of every ISA this CPU has, against
 * a scalar reference, over many sizes with odd tails; then the probe through
 * the driver in smoke mode (tiny sizes, few repetitions): invariants only. */
#include "bw.h"
#include "harness.h"
#include "probe.h"
#include "topo.h"

static const struct bw_kernel_set *all_sets[] = {
	&bw_set_generic,
#if defined(__x86_64__)
	&bw_set_avx2,
	&bw_set_avx512,
#endif
#if defined(__aarch64__)
	&bw_set_neon,
#endif
};

static void check_set(const struct ev_cpu *cpu, const struct bw_kernel_set *ks)
{
	static const size_t sizes[] = {1, 7, 8, 31, 64, 65, 127, 1000, 4099};
	const char *isa = ev_isa_table[ks->isa].name;
	for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
		size_t n = sizes[si];
		double *a = aligned_alloc(64, 64 * ((n * 8 + 63) / 64));
		double *b = aligned_alloc(64, 64 * ((n * 8 + 63) / 64));
		double *c = aligned_alloc(64, 64 * ((n * 8 + 63) / 64));
		double ref = 0, got;
		int bad = 0;
		for (size_t i = 0; i < n; i++) {
			a[i] = (double)(i % 7 + 1);
			ref += a[i];
		}
		got = ks->read(a, n, 3);
		T_CHECK(got == 3 * ref, "%s read n=%zu: %g want %g", isa, n, got, 3 * ref);
		for (int nt = 0; nt < 2; nt++) {
			bw_write_fn w = nt ? ks->write_nt : ks->write;
			bw_copy_fn cp = nt ? ks->copy_nt : ks->copy;
			bw_triad_fn tr = nt ? ks->triad_nt : ks->triad;
			if (!w)
				continue;
			w(b, n, 2.5, 2);
			for (size_t i = 0; i < n; i++)
				bad += b[i] != 2.5;
			cp(c, a, n, 2);
			for (size_t i = 0; i < n; i++)
				bad += c[i] != a[i];
			for (size_t i = 0; i < n; i++) {
				b[i] = (double)(i % 17);
				c[i] = (double)(i % 13) + 0.25;
			}
			tr(a, b, c, 3.0, n, 2);
			for (size_t i = 0; i < n; i++)
				bad += a[i] != b[i] + 3.0 * c[i];
			T_CHECK(bad == 0, "%s %s n=%zu: %d wrong elements", isa, nt ? "NT" : "plain", n,
				bad);
			for (size_t i = 0; i < n; i++)
				a[i] = (double)(i % 7 + 1);
		}
		free(a);
		free(b);
		free(c);
	}
	(void)cpu;
}

static void test_kernels(void)
{
	struct ev_cpu cpu;
	int ran = 0;
	cpu_detect(&cpu);
	for (size_t i = 0; i < sizeof all_sets / sizeof all_sets[0]; i++) {
		if (!cpu_isa_usable(&cpu, all_sets[i]->isa)) {
			printf("  %s: not on this CPU, skipped\n", ev_isa_table[all_sets[i]->isa].name);
			continue;
		}
		check_set(&cpu, all_sets[i]);
		ran++;
	}
	T_CHECK(ran >= 1, "the generic set always runs");
}

static void test_avx512_or_skip(void)
{
#if defined(__x86_64__)
	struct ev_cpu cpu;
	cpu_detect(&cpu);
	if (!cpu_isa_usable(&cpu, EV_ISA_AVX512)) {
		T_SKIP("AVX-512 not on this CPU");
		return;
	}
	T_CHECK(bw_pick_set(&cpu)->isa == EV_ISA_AVX512, "best set picked");
	T_CHECK(cpu_force_isa(&cpu, EV_ISA_AVX2) == NULL && bw_pick_set(&cpu)->isa == EV_ISA_AVX2,
		"--isa avx2 honoured");
#else
	T_SKIP("not an x86-64 build");
#endif
}

static void test_probe_smoke(void)
{
	struct ev_topo t;
	struct ev_cpu cpu;
	struct ev_err e = {0};
	struct ev_pool *pool = NULL;
	struct ev_measurement *m = calloc(1, sizeof *m);
	int n = 2;
	cpu_detect(&cpu);
	T_CHECK(topo_open(&t, NULL, &e) == 0, "%s", e.msg);
	T_CHECK(pool_create(&pool, &t, n, &e) == 0, "%s", e.msg);
	for (int k = 0; k < BW__COUNT && pool; k++) {
		struct ev_job j = {.probe = &ev_probe_bw, .kernel = k, .isa = bw_pick_set(&cpu)->isa,
				   .nthreads = n, .ws_bytes = 96 * 1024};
		struct ev_measure_opts o = {.min_sample_s = 1e-4, .max_time_s = 0.01, .min_reps = 3,
					    .max_reps = 5, .stable_rel = 0};
		int rc = driver_measure(pool, &j, &cpu, &o, m, &e);
		double want = (double)bw_elems_per_array(96 * 1024, n, k) * n * 8 *
			      bw_kernel_info[k].arrays * (double)m->iters;
		T_CHECK(rc == 0 && m->status == EV_OK, "%s: rc %d status %d %s %s",
			bw_kernel_info[k].name, rc, m->status, e.msg, m->reason);
		T_CHECK(m->nsamples >= 3 && m->nsamples <= 5, "%s: %d samples",
			bw_kernel_info[k].name, m->nsamples);
		T_CHECK(m->per_rep.bytes == want, "%s: bytes %g want %g", bw_kernel_info[k].name,
			m->per_rep.bytes, want);
		T_CHECK(m->per_rep.bytes_wa >= m->per_rep.bytes, "write-allocate >= STREAM");
		if (bw_kernel_info[k].nt || k == BW_READ)
			T_CHECK(m->per_rep.bytes_wa == m->per_rep.bytes, "%s: no write-allocate",
				bw_kernel_info[k].name);
		for (int i = 0; i < m->nsamples; i++)
			T_CHECK(m->t_s[i] > 0, "positive times");
	}
	pool_destroy(pool);
	topo_close(&t);
	free(m);
}

int main(void)
{
	t_prog = "test-bw";
	T_RUN(test_kernels);
	T_RUN(test_avx512_or_skip);
	T_RUN(test_probe_smoke);
	T_DONE();
}
