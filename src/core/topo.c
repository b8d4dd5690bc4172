/* src/core/topo.c: topology from hwloc; sysconf fallback. */
#include "topo.h"

#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"

static void read_meminfo(struct ev_topo *t)
{
	uint64_t v;
	if (!sysfs_meminfo("MemTotal", &v))
		t->mem_total_bytes = v;
	if (!sysfs_meminfo("MemAvailable", &v))
		t->mem_avail_bytes = v;
	else if (!sysfs_meminfo("MemFree", &v))
		t->mem_avail_bytes = v;
	{
		/* fault injection (tests, docs/robustness.md): EAVES_FAULT=memavail:<bytes>
		 * makes a model "larger than memory" without one */
		const char *f = getenv("EAVES_FAULT");
		if (f && !strncmp(f, "memavail:", 9))
			t->mem_avail_bytes = strtoull(f + 9, NULL, 10);
	}
}

static void fallback_sysconf(struct ev_topo *t, const char *why)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	if (n > EV_MAX_CPUS)
		n = EV_MAX_CPUS;
	t->packages = 1;
	t->cores = t->pus = (int)n;
	t->numa_nodes = 1;
	t->nplaces = (int)n;
	for (int i = 0; i < n; i++) {
		t->place_pu[i] = i;
		t->place_kind[i] = 0;
	}
	snprintf(t->source, sizeof t->source, "sysconf");
	snprintf(t->warning, sizeof t->warning,
		 "hwloc unavailable (%s): topology from sysconf, no cache sizes", why);
	if (!t->mem_total_bytes) {
		long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
		if (pages > 0 && psz > 0)
			t->mem_total_bytes = t->mem_avail_bytes = (uint64_t)pages * (uint64_t)psz;
	}
}

/* Cache sizes as seen from the first placed PU, i.e. from the fastest core
 * kind: on big.LITTLE boards the little cores' private caches are smaller. */
static void load_caches(struct ev_topo *t, hwloc_topology_t h)
{
	hwloc_obj_t pu = t->nplaces > 0 ? hwloc_get_pu_obj_by_os_index(h, (unsigned)t->place_pu[0])
					: NULL;
	for (int lvl = 1; lvl <= 5 && t->ncaches < EV_MAX_CACHES; lvl++) {
		hwloc_obj_type_t ty = (hwloc_obj_type_t)(HWLOC_OBJ_L1CACHE + (lvl - 1));
		int n = hwloc_get_nbobjs_by_type(h, ty);
		hwloc_obj_t o;
		struct ev_cache *c;
		if (n <= 0)
			continue;
		o = pu ? hwloc_get_ancestor_obj_by_type(h, ty, pu) : NULL;
		if (!o)
			o = hwloc_get_obj_by_type(h, ty, 0);
		if (!o || o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION)
			continue;
		c = &t->caches[t->ncaches++];
		c->level = lvl;
		c->type = o->attr->cache.type == HWLOC_OBJ_CACHE_UNIFIED ? 'u' : 'd';
		c->size_bytes = o->attr->cache.size;
		c->line_bytes = (int)o->attr->cache.linesize;
		c->ways = o->attr->cache.associativity;
		c->instances = n;
		c->pus_per_instance = hwloc_bitmap_weight(o->cpuset);
		c->cores_per_instance =
			hwloc_get_nbobjs_inside_cpuset_by_type(h, o->cpuset, HWLOC_OBJ_CORE);
		if (c->cores_per_instance < 1)
			c->cores_per_instance = 1;
	}
}

static void load_kinds(struct ev_topo *t, hwloc_topology_t h)
{
	int nr = hwloc_cpukinds_get_nr(h, 0);
	for (int k = 0; k < nr && t->nkinds < EV_MAX_KINDS; k++) {
		hwloc_bitmap_t set = hwloc_bitmap_alloc();
		int eff = -1;
		unsigned ninfos = 0;
		struct hwloc_info_s *infos = NULL;
		struct ev_core_kind *kd = &t->kinds[t->nkinds];
		if (hwloc_cpukinds_get_info(h, (unsigned)k, set, &eff, &ninfos, &infos, 0)) {
			hwloc_bitmap_free(set);
			continue;
		}
		kd->efficiency = eff;
		snprintf(kd->name, sizeof kd->name, "kind%d", k);
		for (unsigned i = 0; i < ninfos; i++)
			if (!strcmp(infos[i].name, "CoreType") ||
			    !strcmp(infos[i].name, "LinuxCPUType") ||
			    !strcmp(infos[i].name, "FrequencyMaxMHz")) {
				snprintf(kd->name, sizeof kd->name, "%s=%s", infos[i].name,
					 infos[i].value);
				break;
			}
		kd->npus = hwloc_bitmap_weight(set);
		kd->ncores = hwloc_get_nbobjs_inside_cpuset_by_type(h, set, HWLOC_OBJ_CORE);
		hwloc_bitmap_free(set);
		t->nkinds++;
	}
}

/* Kind index (into t->kinds, ordered as hwloc gives them: least efficient first)
 * of the core whose cpuset is given, or 0. */
static int kind_of(hwloc_topology_t h, hwloc_const_cpuset_t cs)
{
	int k = hwloc_cpukinds_get_by_cpuset(h, cs, 0);
	return k < 0 ? 0 : k;
}

static void load_places(struct ev_topo *t, hwloc_topology_t h)
{
	int ncores = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_CORE);
	int maxsmt = 1, n = 0;
	for (int c = 0; c < ncores; c++) {
		hwloc_obj_t core = hwloc_get_obj_by_type(h, HWLOC_OBJ_CORE, c);
		int w = hwloc_bitmap_weight(core->cpuset);
		if (w > maxsmt)
			maxsmt = w;
	}
	/* hwloc lists kinds from least to most efficient: place the fastest first. */
	for (int smt = 0; smt < maxsmt; smt++) {
		for (int k = (t->nkinds > 0 ? t->nkinds - 1 : 0); k >= 0; k--) {
			for (int c = 0; c < ncores && n < EV_MAX_CPUS; c++) {
				hwloc_obj_t core = hwloc_get_obj_by_type(h, HWLOC_OBJ_CORE, c);
				int pu, i = 0;
				if (t->nkinds > 0 && kind_of(h, core->cpuset) != k)
					continue;
				hwloc_bitmap_foreach_begin(pu, core->cpuset)
				{
					if (i++ == smt) {
						t->place_pu[n] = pu;
						t->place_kind[n] = t->nkinds > 0 ? k : 0;
						n++;
					}
				}
				hwloc_bitmap_foreach_end();
			}
		}
	}
	t->nplaces = n;
}

int topo_open(struct ev_topo *t, const char *desc, struct ev_err *e)
{
	hwloc_topology_t h = NULL;
	memset(t, 0, sizeof *t);
	read_meminfo(t);
	if (hwloc_topology_init(&h)) {
		fallback_sysconf(t, "hwloc_topology_init failed");
		return EV_OK;
	}
	if (desc && !strncmp(desc, "synthetic:", 10)) {
		if (hwloc_topology_set_synthetic(h, desc + 10)) {
			hwloc_topology_destroy(h);
			return ev_fail(e, EV_ERR_USAGE, "topology '%s': hwloc rejects the synthetic description",
				       desc + 10);
		}
		snprintf(t->source, sizeof t->source, "hwloc-synthetic");
	} else if (desc) {
		if (hwloc_topology_set_xml(h, desc)) {
			hwloc_topology_destroy(h);
			return ev_fail(e, EV_ERR_USAGE, "topology '%s': hwloc cannot read this XML file",
				       desc);
		}
		snprintf(t->source, sizeof t->source, "hwloc-xml");
	} else {
		snprintf(t->source, sizeof t->source, "hwloc");
	}
	if (hwloc_topology_load(h)) {
		hwloc_topology_destroy(h);
		if (desc)
			return ev_fail(e, EV_ERR_USAGE, "topology '%s': hwloc failed to load it", desc);
		fallback_sysconf(t, "hwloc_topology_load failed");
		return EV_OK;
	}
	t->hw = h;
	t->packages = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PACKAGE);
	t->cores = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_CORE);
	t->pus = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PU);
	t->numa_nodes = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_NUMANODE);
	if (t->packages < 1)
		t->packages = 1;
	if (t->cores < 1)
		t->cores = t->pus;
	t->numa_mem_bytes = hwloc_get_root_obj(h)->total_memory;
	if (desc) {
		/* A replayed machine: its memory is the one hwloc describes. */
		t->mem_total_bytes = t->mem_avail_bytes = t->numa_mem_bytes;
	}
	load_kinds(t, h);
	load_places(t, h);
	if (t->nplaces == 0) {
		t->nplaces = t->pus;
		for (int i = 0; i < t->pus && i < EV_MAX_CPUS; i++)
			t->place_pu[i] = i;
	}
	load_caches(t, h);
	return EV_OK;
}

void topo_close(struct ev_topo *t)
{
	if (t->hw)
		hwloc_topology_destroy((hwloc_topology_t)t->hw);
	t->hw = NULL;
}

int topo_pin_self(const struct ev_topo *t, int slot, struct ev_err *e)
{
	int pu;
	if (t->nplaces <= 0)
		return EV_OK;
	pu = t->place_pu[slot % t->nplaces];
	if (t->hw) {
		hwloc_topology_t h = (hwloc_topology_t)t->hw;
		hwloc_bitmap_t set = hwloc_bitmap_alloc();
		int rc;
		hwloc_bitmap_only(set, (unsigned)pu);
		rc = hwloc_set_cpubind(h, set, HWLOC_CPUBIND_THREAD);
		hwloc_bitmap_free(set);
		if (rc)
			return ev_fail(e, EV_ERR_RUNTIME, "pinning thread to PU %d failed", pu);
		return EV_OK;
	}
	{
		cpu_set_t cs;
		CPU_ZERO(&cs);
		CPU_SET(pu, &cs);
		if (pthread_setaffinity_np(pthread_self(), sizeof cs, &cs))
			return ev_fail(e, EV_ERR_RUNTIME, "pinning thread to CPU %d failed", pu);
	}
	return EV_OK;
}

int topo_fast_cores(const struct ev_topo *t)
{
	if (t->nkinds > 1 && t->kinds[t->nkinds - 1].ncores > 0 &&
	    t->kinds[t->nkinds - 1].ncores < t->cores)
		return t->kinds[t->nkinds - 1].ncores;
	return t->cores > 0 ? t->cores : 1;
}

int topo_llc(const struct ev_topo *t)
{
	return t->ncaches > 0 ? t->ncaches - 1 : -1;
}

uint64_t topo_cache_capacity(const struct ev_topo *t, const struct ev_cache *c, int threads)
{
	/* Threads are placed one per core first; each private cache instance serves
	 * cores_per_instance cores. Shared caches count once per instance touched. */
	int cores_used = threads < t->cores ? threads : t->cores;
	int inst = (cores_used + c->cores_per_instance - 1) / c->cores_per_instance;
	if (inst < 1)
		inst = 1;
	if (inst > c->instances)
		inst = c->instances;
	return c->size_bytes * (uint64_t)inst;
}
