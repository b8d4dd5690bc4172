/* probes/lat.c: memory latency by a dependent-load pointer chase.
 *
 * Method: the chase buffer is an array of 64-byte lines linked into one cycle
 * in a random order (a random cyclic permutation), so every load's address is
 * the previous load's value and no prefetcher can guess it. Time per link =
 * load-to-use latency of the level the buffer fits in. The buffer is
 * allocated and first-touched by the pinned thread 0, with 4 KiB or 2 MiB
 * pages as the job says (TLB misses are part of what a 4 KiB run shows).
 * One pass of the driver is a segment of LAT_SEGMENT links (or the whole
 * cycle when shorter), so a DRAM-sized cycle need not be walked whole per
 * sample: the chase goes on from where the last repetition stopped.
 * Memory-level parallelism: k chases start at k points spread evenly along
 * the cycle and advance together, each with one miss in flight.
 * Loaded latency: threads 1.. stream reads over their own buffers (one load
 * per line, a delay loop after each chunk of 64 lines sets the injection
 * rate) until thread 0 ends its repetition; the lines they read per second of
 * their own time are the load's bandwidth.
 * Verification: from the cycle's order, after L links chase i must stand L
 * places after its start, and the sum of visited indices must equal the sum
 * over those places (each full lap adds n(n-1)/2: every line once); loaders'
 * lines hold 1, so their sum is the number of lines they read. */
#include "lat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timer.h"

static const int chain_counts[] = {1, 2, 4, 8, 12, 16, 24, 32};

uint64_t lat_lines(uint64_t ws_bytes)
{
	uint64_t n = ws_bytes / LAT_LINE / LAT_MAX_CHAINS * LAT_MAX_CHAINS;
	return n < 64 ? 64 : n;
}

uint64_t lat_links_per_pass(uint64_t ws_bytes, int chains)
{
	uint64_t per = lat_lines(ws_bytes) / (uint64_t)(chains > 0 ? chains : 1);
	return (per < LAT_SEGMENT ? per : LAT_SEGMENT) * (uint64_t)(chains > 0 ? chains : 1);
}

void lat_cycle_free(struct lat_cycle *c)
{
	mem_free(c->lines, c->bytes);
	free(c->order);
	memset(c, 0, sizeof *c);
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void lat_build_cycle(struct lat_line *l, uint64_t n, uint64_t seed, uint32_t *order)
{
	uint32_t *o = order ? order : malloc(n * sizeof *o);
	uint64_t s = seed;
	if (!o) { /* no room for a shuffle: a fixed stride still defeats next-line prefetch */
		for (uint64_t i = 0; i < n; i++) {
			l[i].index = i;
			l[i].next = &l[(i + 1) % n];
		}
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		o[i] = (uint32_t)i;
	for (uint64_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
		uint64_t j = splitmix64(&s) % (i + 1);
		uint32_t t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct lat_line *a = &l[o[i]];
		a->index = o[i];
		a->next = &l[o[(i + 1) % n]];
	}
	if (!order)
		free(o);
}

struct lat_line *lat_chase_ref(struct lat_line *p, uint64_t steps, uint64_t *sum)
{
	uint64_t s = 0;
	for (uint64_t i = 0; i < steps; i++) {
		s += p->index;
		p = p->next;
	}
	*sum += s;
	return p;
}

/* The index load hits the line the pointer load just brought in and is off
 * the dependency chain: the loop's time per link is the pointer load's
 * latency. Unrolled by 4 so loop overhead hides under the load. */
struct lat_line *lat_chase(struct lat_line *p, uint64_t steps, uint64_t *sum)
{
	uint64_t s = 0, n4 = steps / 4;
#if defined(__x86_64__)
	if (n4)
		__asm__ volatile("1:\n\t"
				 "add 8(%0), %1\n\t"
				 "mov (%0), %0\n\t"
				 "add 8(%0), %1\n\t"
				 "mov (%0), %0\n\t"
				 "add 8(%0), %1\n\t"
				 "mov (%0), %0\n\t"
				 "add 8(%0), %1\n\t"
				 "mov (%0), %0\n\t"
				 "dec %2\n\t"
				 "jnz 1b\n\t"
				 : "+r"(p), "+r"(s), "+r"(n4)
				 :
				 : "memory", "cc");
#elif defined(__aarch64__)
	uint64_t t;
	if (n4)
		__asm__ volatile("1:\n\t"
				 "ldr %3, [%0, #8]\n\t"
				 "ldr %0, [%0]\n\t"
				 "add %1, %1, %3\n\t"
				 "ldr %3, [%0, #8]\n\t"
				 "ldr %0, [%0]\n\t"
				 "add %1, %1, %3\n\t"
				 "ldr %3, [%0, #8]\n\t"
				 "ldr %0, [%0]\n\t"
				 "add %1, %1, %3\n\t"
				 "ldr %3, [%0, #8]\n\t"
				 "ldr %0, [%0]\n\t"
				 "add %1, %1, %3\n\t"
				 "subs %2, %2, #1\n\t"
				 "b.ne 1b\n\t"
				 : "+r"(p), "+r"(s), "+r"(n4), "=&r"(t)
				 :
				 : "memory", "cc");
#else
	n4 = 0;
	return lat_chase_ref(p, steps, sum);
#endif
	*sum += s;
	return lat_chase_ref(p, steps % 4, sum);
}

const char *lat_kernel_name(void)
{
#if defined(__x86_64__)
	return "x86-64 asm";
#elif defined(__aarch64__)
	return "aarch64 asm";
#else
	return "generic C";
#endif
}

/* k chases in lockstep; k a compile-time constant so the pointers stay in
 * registers (up to the register file's size). */
#define CHASE_K(K)                                                                           \
	static void chase_##K(struct lat_line **pp, uint64_t steps, uint64_t *sum)           \
	{                                                                                    \
		struct lat_line *p[K];                                                       \
		uint64_t s = 0;                                                              \
		memcpy(p, pp, sizeof p);                                                     \
		for (uint64_t i = 0; i < steps; i++)                                         \
			for (int k = 0; k < K; k++) {                                        \
				s += p[k]->index;                                            \
				p[k] = p[k]->next;                                           \
			}                                                                    \
		memcpy(pp, p, sizeof p);                                                     \
		*sum += s;                                                                   \
	}
CHASE_K(2)
CHASE_K(4)
CHASE_K(8)
CHASE_K(12)
CHASE_K(16)
CHASE_K(24)
CHASE_K(32)

int lat_chase_multi(struct lat_line **p, int k, uint64_t steps, uint64_t *sum)
{
	switch (k) {
	case 1: p[0] = lat_chase(p[0], steps, sum); return 0;
	case 2: chase_2(p, steps, sum); return 0;
	case 4: chase_4(p, steps, sum); return 0;
	case 8: chase_8(p, steps, sum); return 0;
	case 12: chase_12(p, steps, sum); return 0;
	case 16: chase_16(p, steps, sum); return 0;
	case 24: chase_24(p, steps, sum); return 0;
	case 32: chase_32(p, steps, sum); return 0;
	default: return -1;
	}
}

struct lat_loader {
	uint64_t *buf;
	size_t bytes, words, pos;
	uint64_t reps, lines, sum;
	double seconds;
};

struct lat_state {
	struct lat_cycle own;   /* the cycle, when the caller keeps none */
	struct lat_cycle *cy;   /* &own or the caller's */
	struct lat_line *chase; /* cy->lines */
	uint32_t *order;        /* cy->order: order[i + 1] follows order[i] */
	uint64_t n;             /* lines in the cycle */
	uint64_t seg;           /* links per chase per pass */
	int k;
	struct lat_line *p[LAT_MAX_CHAINS];
	uint64_t links, sum, reps; /* links: per chase, over every repetition */
	uint64_t done_rep;      /* thread 0's last finished repetition (loaders stop at it) */
	double huge;
	struct lat_loader ld[EV_MAX_THREADS];
};

/* Place in the cycle where chase k starts. */
static uint64_t start_of(const struct lat_state *s, int k)
{
	return (uint64_t)k * (s->n / (uint64_t)s->k);
}

static const struct lat_params lat_defaults = {.chains = 1, .seed = 0x5eed};

static const struct lat_params *params_of(const struct ev_job *j)
{
	return j->params ? j->params : &lat_defaults;
}

static int lat_supported(const struct ev_job *j, char *why, size_t len)
{
	const struct lat_params *p = params_of(j);
	int ok = 0;
	for (size_t i = 0; i < sizeof chain_counts / sizeof chain_counts[0]; i++)
		ok |= p->chains == chain_counts[i];
	if (!ok) {
		snprintf(why, len, "%d chases: supported counts are 1, 2, 4, 8, 12, 16, 24, 32",
			 p->chains);
		return -1;
	}
	if (j->nthreads > 1 && p->load_ws < (uint64_t)LAT_CHUNK_LINES * LAT_LINE) {
		snprintf(why, len, "loaders need a buffer of at least %d bytes",
			 LAT_CHUNK_LINES * LAT_LINE);
		return -1;
	}
	if (j->ws_bytes / LAT_LINE > UINT32_MAX) {
		snprintf(why, len, "a chase of more than 2^32 lines");
		return -1;
	}
	return 0;
}

static int lat_init(struct ev_job *j, struct ev_err *e)
{
	struct lat_state *s = calloc(1, sizeof *s);
	if (!s)
		return ev_fail(e, EV_ERR_RUNTIME, "lat: out of memory");
	s->n = lat_lines(j->ws_bytes);
	s->k = params_of(j)->chains;
	s->seg = s->n / (uint64_t)s->k < LAT_SEGMENT ? s->n / (uint64_t)s->k : LAT_SEGMENT;
	s->cy = params_of(j)->keep ? params_of(j)->keep : &s->own;
	j->ws_bytes = s->n * LAT_LINE;
	j->priv = s;
	return EV_OK;
}

static int lat_setup(struct ev_job *j, int tid, struct ev_err *e)
{
	struct lat_state *s = j->priv;
	const struct lat_params *pa = params_of(j);
	if (tid == 0) {
		struct lat_cycle *cy = s->cy;
		if (!(cy->lines && cy->n == s->n && cy->pages == j->pages && cy->seed == pa->seed)) {
			lat_cycle_free(cy);
			cy->n = s->n;
			cy->pages = j->pages;
			cy->seed = pa->seed;
			cy->order = malloc(s->n * sizeof *cy->order);
			cy->bytes = (s->n * LAT_LINE + 4095) & ~(size_t)4095;
			/* huge pages for a small cycle too: one 2 MiB page holds it */
			if (j->pages == EV_PAGES_HUGE && cy->bytes < ((size_t)2 << 20))
				cy->bytes = (size_t)2 << 20;
			cy->lines = mem_alloc(cy->bytes, j->pages);
			if (!cy->lines || !cy->order) {
				size_t b = cy->bytes;
				lat_cycle_free(cy);
				return ev_fail(e, EV_ERR_RUNTIME, "lat: cannot allocate %zu bytes", b);
			}
			memset(cy->lines, 0, s->n * LAT_LINE); /* first touch on the pinned thread */
			lat_build_cycle(cy->lines, s->n, pa->seed, cy->order);
			cy->huge = mem_huge_fraction(cy->lines, cy->bytes);
		}
		s->chase = cy->lines;
		s->order = cy->order;
		for (int k = 0; k < s->k; k++)
			s->p[k] = &s->chase[s->order[start_of(s, k)]];
		s->huge = cy->huge;
		return EV_OK;
	}
	{
		struct lat_loader *l = &s->ld[tid];
		l->bytes = (pa->load_ws + 4095) & ~(size_t)4095;
		l->words = pa->load_ws / LAT_LINE / LAT_CHUNK_LINES * LAT_CHUNK_LINES * (LAT_LINE / 8);
		l->buf = mem_alloc(l->bytes, j->pages);
		if (!l->buf)
			return ev_fail(e, EV_ERR_RUNTIME, "lat: cannot allocate %zu bytes on thread %d",
				       l->bytes, tid);
		for (size_t i = 0; i < l->bytes / 8; i++)
			l->buf[i] = 1;
	}
	return EV_OK;
}

/* One chunk: one load per line, eight sums in flight. */
static uint64_t load_chunk(const uint64_t *w)
{
	uint64_t a[8] = {0};
	for (int i = 0; i < LAT_CHUNK_LINES; i += 8)
		for (int k = 0; k < 8; k++)
			a[k] += w[(size_t)(i + k) * (LAT_LINE / 8)];
	return a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7];
}

static void lat_run(struct ev_job *j, int tid)
{
	struct lat_state *s = j->priv;
	if (tid == 0) {
		s->reps++;
		lat_chase_multi(s->p, s->k, j->iters * s->seg, &s->sum);
		s->links += j->iters * s->seg;
		__atomic_store_n(&s->done_rep, s->reps, __ATOMIC_RELEASE);
		return;
	}
	{
		struct lat_loader *l = &s->ld[tid];
		uint32_t delay = params_of(j)->delay;
		uint64_t rep = ++l->reps, lines = 0, sum = 0;
		double t0 = timer_now();
		while (__atomic_load_n(&s->done_rep, __ATOMIC_ACQUIRE) < rep) {
			sum += load_chunk(l->buf + l->pos);
			lines += LAT_CHUNK_LINES;
			l->pos += LAT_CHUNK_LINES * (LAT_LINE / 8);
			if (l->pos >= l->words)
				l->pos = 0;
			for (uint32_t d = 0; d < delay; d++)
				__asm__ volatile("");
		}
		l->seconds += timer_now() - t0;
		l->lines += lines;
		l->sum += sum;
	}
}

static int lat_verify(struct ev_job *j, int tid, struct ev_err *e)
{
	struct lat_state *s = j->priv;
	if (tid == 0) {
		/* sums are mod 2^64 on both sides */
		uint64_t tri = s->n % 2 ? s->n * ((s->n - 1) / 2) : (s->n / 2) * (s->n - 1);
		uint64_t laps = s->links / s->n, rest = s->links % s->n, want = 0;
		for (int k = 0; k < s->k; k++) {
			uint64_t at = start_of(s, k);
			want += tri * laps;
			for (uint64_t i = 0; i < rest; i++)
				want += s->order[(at + i) % s->n];
			if (s->p[k] != &s->chase[s->order[(at + s->links) % s->n]])
				return ev_fail(e, EV_ERR_VERIFY,
					       "lat: chase %d of %d did not end where the cycle says "
					       "after %llu links",
					       k, s->k, (unsigned long long)s->links);
		}
		if (s->sum != want)
			return ev_fail(e, EV_ERR_VERIFY,
				       "lat (%d chases, %llu lines): sum of visited indices %llu, want "
				       "%llu: the chase did not follow the cycle",
				       s->k, (unsigned long long)s->n, (unsigned long long)s->sum,
				       (unsigned long long)want);
		return EV_OK;
	}
	if (s->ld[tid].sum != s->ld[tid].lines)
		return ev_fail(e, EV_ERR_VERIFY, "lat: loader %d summed %llu over %llu lines", tid,
			       (unsigned long long)s->ld[tid].sum, (unsigned long long)s->ld[tid].lines);
	return EV_OK;
}

static void lat_teardown(struct ev_job *j, int tid)
{
	struct lat_state *s = j->priv;
	if (!s)
		return;
	if (tid == 0) {
		if (s->cy == &s->own)
			lat_cycle_free(&s->own);
		s->chase = NULL;
		s->order = NULL;
	} else {
		mem_free(s->ld[tid].buf, s->ld[tid].bytes);
		s->ld[tid].buf = NULL;
	}
}

static void lat_fini(struct ev_job *j)
{
	struct lat_state *s = j->priv;
	struct lat_out *o = params_of(j)->out;
	if (o && s) {
		memset(o, 0, sizeof *o);
		o->loaders = j->nthreads - 1;
		o->huge_fraction = s->huge;
		for (int t = 1; t < j->nthreads; t++) {
			o->bytes += (double)s->ld[t].lines * LAT_LINE;
			o->seconds += s->ld[t].seconds;
		}
	}
	free(s);
	j->priv = NULL;
}

/* Per pass: the links of all chases (ops), one line fetched per link. */
static void lat_counts(const struct ev_job *j, struct ev_counts *c)
{
	c->ops = (double)lat_links_per_pass(j->ws_bytes, params_of(j)->chains);
	c->bytes = c->ops * LAT_LINE;
	c->bytes_wa = c->bytes;
}

const struct ev_probe ev_probe_lat = {
	.name = "lat",
	.summary = "memory latency by a dependent-load pointer chase",
	.supported = lat_supported,
	.init = lat_init,
	.setup = lat_setup,
	.run = lat_run,
	.verify = lat_verify,
	.teardown = lat_teardown,
	.fini = lat_fini,
	.counts = lat_counts,
};
