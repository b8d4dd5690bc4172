/* src/core/topo.h: machine topology (hwloc behind our own structs, so roofline/ and
 * reports/ never see hwloc types). Thread placement: one thread per core, cores
 * of the fastest kind first, then further PUs (SMT) if asked for more. */
#ifndef EV_TOPO_H
#define EV_TOPO_H
#include <stdint.h>

#include "err.h"

#define EV_MAX_CACHES 8
#define EV_MAX_KINDS 4
#define EV_MAX_CPUS 1024

struct ev_cache {
	int level;             /* 1, 2, 3... */
	char type;             /* 'd' data, 'u' unified, 'i' instruction */
	uint64_t size_bytes;   /* one instance */
	int line_bytes;
	int ways;              /* -1 fully associative, 0 unknown */
	int instances;
	int pus_per_instance;  /* how many PUs share one */
	int cores_per_instance;
};

struct ev_core_kind {
	char name[48];         /* "CoreType=IntelCore", "cpu_capacity=1024"... */
	int efficiency;        /* hwloc's ranking: higher is faster; -1 unknown */
	int ncores;
	int npus;
};

struct ev_topo {
	int packages, cores, pus, numa_nodes;
	uint64_t mem_total_bytes;   /* /proc/meminfo MemTotal */
	uint64_t mem_avail_bytes;   /* /proc/meminfo MemAvailable: the "does it fit" figure */
	uint64_t numa_mem_bytes;    /* what hwloc reports for the NUMA nodes (may be less) */
	int ncaches;
	struct ev_cache caches[EV_MAX_CACHES]; /* data/unified only, by level */
	int nkinds;
	struct ev_core_kind kinds[EV_MAX_KINDS];
	/* Placement order: OS index of the PU to pin thread i to, and its core kind. */
	int nplaces;
	int place_pu[EV_MAX_CPUS];
	int place_kind[EV_MAX_CPUS];
	char source[32];      /* "hwloc", "hwloc-synthetic", "hwloc-xml", "sysconf" */
	char warning[256];    /* non-empty when we fell back */
	void *hw;             /* hwloc_topology_t, private */
};

/* desc: NULL for this machine; "synthetic:<hwloc synthetic string>" or a path to
 * an hwloc XML file for tests and replays. Never fails for this machine: without
 * hwloc it falls back to sysconf and says so in ->warning. */
int topo_open(struct ev_topo *t, const char *desc, struct ev_err *e);
void topo_close(struct ev_topo *t);
/* Pin the calling thread to placement slot i (mod nplaces). */
int topo_pin_self(const struct ev_topo *t, int slot, struct ev_err *e);
/* Cores of the fastest kind on a hybrid machine (kinds[nkinds - 1]: hwloc
 * orders kinds least efficient first, and placement puts them first), all
 * cores otherwise: decode's default thread count, since adding slower cores
 * to a memory-bound loop split evenly between threads makes every barrier wait
 * for the slowest. */
int topo_fast_cores(const struct ev_topo *t);
/* Index into caches[] of the last level, or -1. */
int topo_llc(const struct ev_topo *t);
/* Aggregate capacity of cache c seen by `threads` threads placed in order. */
uint64_t topo_cache_capacity(const struct ev_topo *t, const struct ev_cache *c, int threads);

#endif
