/* src/core/mem.c: mmap-backed buffers. */
#include "mem.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#define HUGE_2M ((size_t)2 << 20)

void *mem_alloc(size_t bytes, enum ev_pages pages)
{
	char *p;
	size_t extra = 0;
	if (bytes == 0)
		bytes = 1;
	/* A huge-page buffer starts on a 2 MiB boundary, so every one of its
	 * 2 MiB pieces can be a huge page (mmap only promises 4 KiB). */
	if (pages == EV_PAGES_HUGE && bytes >= HUGE_2M)
		extra = HUGE_2M;
	p = mmap(NULL, bytes + extra, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (extra) {
		size_t head = (HUGE_2M - (uintptr_t)p % HUGE_2M) % HUGE_2M;
		if (head)
			munmap(p, head);
		if (extra - head)
			munmap(p + head + bytes, extra - head);
		p += head;
	}
#ifdef MADV_HUGEPAGE
	if (pages == EV_PAGES_HUGE && bytes >= HUGE_2M)
		madvise(p, bytes, MADV_HUGEPAGE);
#endif
	return p;
}

double mem_huge_fraction(const void *p, size_t bytes)
{
	char line[512];
	unsigned long lo, hi, kb;
	int in = 0;
	double huge = -1;
	FILE *f = fopen("/proc/self/smaps", "r");
	if (!f || !p || !bytes) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %lu kB", &kb) == 1) {
			huge = (double)kb * 1024.0 / (double)bytes;
			break;
		}
	}
	fclose(f);
	return huge > 1 ? 1 : huge;
}

void mem_free(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes ? bytes : 1);
}

uint64_t mem_peak_rss(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024u; /* Linux reports KiB */
}

uint64_t mem_rss(void)
{
	unsigned long size, res;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &res) != 2)
		res = 0;
	fclose(f);
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}
