/* probes/lat.h: the memory-latency probe: a dependent-load pointer chase over
 * one random cycle of cache lines (lmbench lat_mem_rd, tinymembench), with
 * independent chases in parallel for memory-level parallelism, and other
 * threads streaming reads at a set injection rate for loaded latency (Intel
 * MLC). */
#ifndef EV_PROBE_LAT_H
#define EV_PROBE_LAT_H
#include <stddef.h>
#include <stdint.h>

#include "probe.h"

#define LAT_LINE 64          /* bytes per element: one cache line each */
#define LAT_CHUNK_LINES 64   /* loaders read this many lines between two delays */
#define LAT_MAX_CHAINS 32
#define LAT_SEGMENT 4096     /* links per chase in one pass of the driver (at most) */

/* One element: the next element's address, this element's index (summed by
 * the chase: the checksum of the visited indices), padding to a line. */
struct lat_line {
	struct lat_line *next;
	uint64_t index;
	uint64_t pad[LAT_LINE / 8 - 2];
};

/* What one job saw besides its times (written by the probe at the end:
 * ev_job.params is const, this is not): the loaders' work summed over their
 * threads and every repetition, and the chase buffer's huge-page share. */
struct lat_out {
	double bytes, seconds; /* seconds: summed over loader threads */
	int loaders;
	double huge_fraction;  /* of the chase buffer, -1 unknown */
};

/* A built cycle a caller may keep between jobs of the same working set, page
 * kind and seed (building a 400 MiB cycle takes longer than measuring it). */
struct lat_cycle {
	struct lat_line *lines;
	size_t bytes;
	uint32_t *order;
	uint64_t n, seed;
	enum ev_pages pages;
	double huge;
};
void lat_cycle_free(struct lat_cycle *c);

/* The probe's parameters (ev_job.params); NULL = one chase, no loaders.
 * ev_job.ws_bytes is the chase buffer; threads 1..nthreads-1 are loaders. */
struct lat_params {
	int chains;            /* independent chases on thread 0: 1, 2, 4, 8, 12, 16, 24 or 32 */
	uint32_t delay;        /* loaders: spin iterations after each chunk (0 = full rate) */
	uint64_t load_ws;      /* loaders: bytes of each one's own buffer */
	uint64_t seed;
	struct lat_out *out;    /* optional */
	struct lat_cycle *keep; /* optional: build the cycle here (first job) and reuse it;
				 * the caller frees it with lat_cycle_free */
};

extern const struct ev_probe ev_probe_lat;

/* Lines of a chase buffer of ws bytes: a multiple of LAT_MAX_CHAINS, >= 64. */
uint64_t lat_lines(uint64_t ws_bytes);
/* Links one pass of the driver makes, over all chases (the ops it counts). */
uint64_t lat_links_per_pass(uint64_t ws_bytes, int chains);
/* Link n lines into one cycle in a random order (a random cyclic
 * permutation: every line is visited once per n steps). order (n entries,
 * may be NULL) receives the visiting order starting at line order[0]. */
void lat_build_cycle(struct lat_line *l, uint64_t n, uint64_t seed, uint32_t *order);
/* Follow `steps` links from p, adding each visited line's index to *sum; the
 * line reached. lat_chase is the timed kernel (hand-written loop on x86-64
 * and aarch64), lat_chase_ref the plain C it is checked against. */
struct lat_line *lat_chase(struct lat_line *p, uint64_t steps, uint64_t *sum);
struct lat_line *lat_chase_ref(struct lat_line *p, uint64_t steps, uint64_t *sum);
/* k independent chases (k one of the supported counts) of `steps` links each. */
int lat_chase_multi(struct lat_line **p, int k, uint64_t steps, uint64_t *sum);
/* Name of the chase kernel built for this machine ("x86-64 asm", ...). */
const char *lat_kernel_name(void);

#endif
