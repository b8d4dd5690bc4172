/* src/core/mem.h: page-aligned buffers for probes, with transparent huge pages asked
 * for by madvise (this-machine.md: THP is in madvise mode on many systems, and
 * 2 MiB pages move STREAM triad by ~10% and change multi-thread behaviour). */
#ifndef EV_MEM_H
#define EV_MEM_H
#include <stddef.h>
#include <stdint.h>

enum ev_pages { EV_PAGES_DEFAULT, EV_PAGES_HUGE };

/* NULL on failure. Memory is not touched: the caller first-touches it on the
 * thread that will use it, so it lands on that thread's NUMA node. */
void *mem_alloc(size_t bytes, enum ev_pages pages);
void mem_free(void *p, size_t bytes);
/* Share of [p, p+bytes) the kernel backs with transparent huge pages now
 * (/proc/self/smaps AnonHugePages of the mapping holding p; a mapping merged
 * with its neighbours counts theirs too, so the figure is capped at 1), or -1
 * when unknown. Read after first touch. */
double mem_huge_fraction(const void *p, size_t bytes);
/* Peak resident set of this process so far (getrusage), bytes. */
uint64_t mem_peak_rss(void);
/* Current resident set (/proc/self/statm), bytes; 0 if unknown. */
uint64_t mem_rss(void);

#endif
