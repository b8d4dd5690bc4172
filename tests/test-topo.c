/* tests/test-topo.c: topology on hwloc synthetic topologies and XML files
 * shaped like real boards. */
#include "harness.h"
#include "topo.h"

static void test_rpi5(void)
{
	struct ev_topo t;
	struct ev_err e = {0};
	/* Raspberry Pi 5: 4x A76, 64 KiB L1d and 512 KiB L2 private, 2 MiB L3 shared. */
	int rc = topo_open(&t,
			   "synthetic:pack:1 l3:1(size=2097152) l2:4(size=524288) "
			   "l1d:1(size=65536) core:1 pu:1",
			   &e);
	T_CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	T_CHECK(t.packages == 1 && t.cores == 4 && t.pus == 4, "counts %d %d %d", t.packages,
		t.cores, t.pus);
	T_CHECK(t.ncaches == 3, "caches %d", t.ncaches);
	T_CHECK(t.caches[0].level == 1 && t.caches[0].size_bytes == 65536 &&
			t.caches[0].instances == 4 && t.caches[0].pus_per_instance == 1,
		"L1");
	T_CHECK(t.caches[2].level == 3 && t.caches[2].size_bytes == 2097152 &&
			t.caches[2].instances == 1 && t.caches[2].cores_per_instance == 4,
		"L3");
	T_CHECK(topo_llc(&t) == 2, "llc");
	T_CHECK(topo_cache_capacity(&t, &t.caches[1], 1) == 524288, "L2 for 1 thread");
	T_CHECK(topo_cache_capacity(&t, &t.caches[1], 4) == 4 * 524288, "L2 for 4 threads");
	T_CHECK(topo_cache_capacity(&t, &t.caches[2], 4) == 2097152, "L3 shared");
	T_CHECK(t.nplaces == 4, "places");
	topo_close(&t);
}

static void test_two_socket(void)
{
	struct ev_topo t;
	struct ev_err e = {0};
	int rc = topo_open(&t,
			   "synthetic:pack:2 numa:1 l3:1(size=33554432) l2:8(size=1048576) "
			   "l1d:1(size=32768) core:1 pu:2",
			   &e);
	T_CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	T_CHECK(t.packages == 2 && t.numa_nodes == 2 && t.cores == 16 && t.pus == 32, "counts");
	/* One thread per core first, SMT siblings after. */
	T_CHECK(t.nplaces == 32, "places %d", t.nplaces);
	T_CHECK(t.place_pu[0] == 0 && t.place_pu[1] == 2, "first places %d %d", t.place_pu[0],
		t.place_pu[1]);
	T_CHECK(t.place_pu[16] == 1, "SMT sibling after all cores: %d", t.place_pu[16]);
	T_CHECK(topo_cache_capacity(&t, &t.caches[2], 16) == 2ull * 33554432, "both L3s");
	topo_close(&t);
}

static void test_rk3588_biglittle(void)
{
	struct ev_topo t;
	struct ev_err e = {0};
	int rc = topo_open(&t, t_src("tests/fixtures/topo/rk3588.xml"), &e);
	T_CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	T_CHECK(t.cores == 8 && t.nkinds == 2, "cores %d kinds %d", t.cores, t.nkinds);
	T_CHECK(t.kinds[1].ncores == 4 && strstr(t.kinds[1].name, "2400"), "big kind %s",
		t.kinds[1].name);
	/* The big cores (PUs 4-7) are placed first. */
	T_CHECK(t.place_pu[0] == 4 && t.place_pu[3] == 7 && t.place_pu[4] == 0, "placement %d %d %d",
		t.place_pu[0], t.place_pu[3], t.place_pu[4]);
	/* Cache sizes are the big cores' own. */
	T_CHECK(t.caches[0].size_bytes == 65536 && t.caches[1].size_bytes == 524288,
		"big-core caches %llu %llu", (unsigned long long)t.caches[0].size_bytes,
		(unsigned long long)t.caches[1].size_bytes);
	T_CHECK(t.mem_total_bytes == 8ull << 30, "memory of the replayed board");
	T_CHECK(topo_fast_cores(&t) == 4, "decode's default: the 4 big cores, not %d", topo_fast_cores(&t));
	topo_close(&t);
}

static void test_bad_inputs(void)
{
	struct ev_topo t;
	struct ev_err e = {0};
	T_CHECK(topo_open(&t, "synthetic:banana:3", &e) == EV_ERR_USAGE && strstr(e.msg, "banana"),
		"%s", e.msg);
	T_CHECK(topo_open(&t, "/nonexistent/topo.xml", &e) == EV_ERR_USAGE &&
			strstr(e.msg, "/nonexistent/topo.xml"),
		"%s", e.msg);
}

static void test_this_machine(void)
{
	struct ev_topo t;
	struct ev_err e = {0};
	T_CHECK(topo_open(&t, NULL, &e) == 0, "%s", e.msg);
	T_CHECK(t.cores >= 1 && t.pus >= t.cores && t.nplaces >= 1, "sane counts");
	T_CHECK(topo_fast_cores(&t) == (t.nkinds > 1 ? t.kinds[t.nkinds - 1].ncores : t.cores),
		"one kind: every core");
	T_CHECK(t.mem_avail_bytes > 0 && t.mem_avail_bytes <= t.mem_total_bytes, "meminfo");
	T_CHECK(topo_pin_self(&t, 0, &e) == 0, "pin: %s", e.msg);
	topo_close(&t);
}

int main(void)
{
	t_prog = "test-topo";
	T_RUN(test_rpi5);
	T_RUN(test_two_socket);
	T_RUN(test_rk3588_biglittle);
	T_RUN(test_bad_inputs);
	T_RUN(test_this_machine);
	T_DONE();
}
