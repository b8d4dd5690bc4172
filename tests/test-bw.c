/* tests/test-bw.c: every streaming kernel of every feature set built in (the
 * product's own table), against a scalar reference, over many sizes with odd
 * tails: one test per set, a SKIP where this CPU lacks the set. Then the probe
 * through the driver in smoke mode (tiny sizes, few repetitions): invariants
 * only, and the external-buffer read the decoder's ceiling uses. */
#include "bw.h"
#include "harness.h"
#include "probe.h"
#include "topo.h"

#include <stdint.h>
#include <string.h>

static void check_set(const struct ev_cpu *cpu, const struct bw_kernel_set *ks)
{
	static const size_t sizes[] = {1, 7, 8, 31, 64, 65, 127, 1000, 4099};
	const char *isa = ev_targets[ks->target].name;
	char why[256];
	if (cpu_target_check(cpu, ks->target, why, sizeof why)) {
		T_SKIP("%s kernels: %s", isa, why);
		return;
	}
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
		{
			uint64_t *u = (uint64_t *)(void *)b, want = 0;
			for (size_t i = 0; i < n; i++)
				want += (u[i] = 0x9e3779b97f4a7c15ull * (i + 1)); /* wraps */
			T_CHECK(ks->read_u64(u, n, 3) == 3 * want, "%s read_u64 n=%zu", isa, n);
		}
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
}

/* The pick is the first set of the table usable here, and --isa caps it. */
static void test_pick(void)
{
	struct ev_cpu cpu;
	int n, first = -1;
	const struct bw_kernel_set *const *sets = bw_all_sets(&n);
	char why[256];
	cpu_detect(&cpu);
	for (int i = n - 1; i >= 0; i--)
		if (cpu_target_usable(&cpu, sets[i]->target))
			first = i;
	T_CHECK(first >= 0 && bw_pick_set(&cpu) == sets[first], "best usable set picked");
	T_CHECK(sets[n - 1]->target == EV_TARGET_GENERIC, "generic set last");
	T_CHECK(cpu_cap_target(&cpu, EV_TARGET_GENERIC, why, sizeof why) == 0, "%s", why);
	T_CHECK(bw_pick_set(&cpu)->target == EV_TARGET_GENERIC, "--isa generic honoured");
#if defined(__x86_64__)
	cpu_detect(&cpu);
	if (!cpu_target_usable(&cpu, EV_TARGET_AVX512)) {
		T_CHECK(cpu_cap_target(&cpu, EV_TARGET_AVX512, why, sizeof why) != 0 &&
				strstr(why, "lacks"),
			"capping at a set the CPU lacks is refused with the missing features: %s", why);
		return;
	}
	T_CHECK(cpu_cap_target(&cpu, EV_TARGET_AVX2, why, sizeof why) == 0 &&
			bw_pick_set(&cpu)->target == EV_TARGET_AVX2,
		"--isa avx2 honoured on an AVX-512 CPU");
#endif
}

/* The read of a caller's buffer (the decoder's weights): every word once per
 * pass, split between threads, verified against a scalar sum. */
#ifndef EV_KERNELS_ONLY
static void test_external_read(void)
{
	struct ev_topo t;
	struct ev_cpu cpu;
	struct ev_err e = {0};
	struct ev_pool *pool = NULL;
	struct ev_measurement *m = calloc(1, sizeof *m);
	size_t words = 100003; /* not a multiple of threads x 8 */
	uint64_t *buf = malloc(words * 8);
	struct bw_params bp = {.buf = buf, .buf_bytes = words * 8};
	struct ev_job j = {.probe = &ev_probe_bw, .cpu = &cpu, .params = &bp, .kernel = BW_READ,
			   .nthreads = 2};
	struct ev_measure_opts o = {.min_sample_s = 1e-4, .max_time_s = 0.05, .min_reps = 3,
				    .max_reps = 5};
	cpu_detect(&cpu);
	for (size_t i = 0; i < words; i++)
		buf[i] = ~(uint64_t)0 / 3 * i; /* sums wrap around */
	T_CHECK(topo_open(&t, NULL, &e) == 0, "%s", e.msg);
	T_CHECK(pool_create(&pool, &t, 2, &e) == 0, "%s", e.msg);
	if (pool) {
		int rc = driver_measure(pool, &j, &o, m, &e);
		T_CHECK(rc == 0 && m->status == EV_OK, "rc %d status %d %s %s", rc, m->status, e.msg,
			m->reason);
		T_CHECK(m->per_rep.bytes == (double)(words * 8) * (double)m->iters,
			"bytes %g: every word of the buffer per pass", m->per_rep.bytes);
		j.kernel = BW_COPY;
		rc = driver_measure(pool, &j, &o, m, &e);
		T_CHECK(rc == 0 && m->status == EV_ERR_UNSUPPORTED, "copy over a caller's buffer refused");
	}
	pool_destroy(pool);
	topo_close(&t);
	free(buf);
	free(m);
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
		struct ev_job j = {.probe = &ev_probe_bw, .cpu = &cpu, .kernel = k, .nthreads = n,
				   .ws_bytes = 96 * 1024};
		struct ev_measure_opts o = {.min_sample_s = 1e-4, .max_time_s = 0.01, .min_reps = 3,
					    .max_reps = 5, .stable_rel = 0};
		int rc = driver_measure(pool, &j, &o, m, &e);
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
#endif

int main(void)
{
	struct ev_cpu cpu;
	int n;
	const struct bw_kernel_set *const *sets = bw_all_sets(&n);
	t_prog = "test-bw";
	cpu_detect(&cpu);
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof name, "test_kernels_%s", ev_targets[sets[i]->target].name);
		T_RUN_NAMED(name, check_set(&cpu, sets[i]));
	}
	T_RUN(test_pick);
#ifdef EV_KERNELS_ONLY
	T_RUN_NAMED("test_probe_smoke", T_SKIP("the probe through the driver: a kernels-only build "
					       "(Debian 12 has no riscv64 hwloc for thread pools)"));
#else
	T_RUN(test_probe_smoke);
	T_RUN(test_external_read);
#endif
	T_DONE();
}
