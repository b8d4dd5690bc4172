/* src/core/threads.c: pinned thread pool and a sense-reversing spin barrier.
 * Spinning keeps the barrier at ~100 ns on idle cores; after a while it yields,
 * so an oversubscribed run (more threads than cores) still makes progress. */
#include "threads.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct ev_barrier {
	atomic_int count;
	atomic_int sense;
	int n;
};

struct ev_pool {
	int n;
	int first_slot;
	const struct ev_topo *topo;
	pthread_t *th;
	struct ev_barrier bar;
	/* work hand-off */
	atomic_int generation;
	atomic_int done;
	ev_pool_fn fn;
	void *arg;
	atomic_int quit;
};

struct worker_arg {
	struct ev_pool *p;
	int tid;
};

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("pause");
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static void barrier_wait(struct ev_barrier *b)
{
	int my = !atomic_load_explicit(&b->sense, memory_order_relaxed);
	if (atomic_fetch_add_explicit(&b->count, 1, memory_order_acq_rel) == b->n - 1) {
		atomic_store_explicit(&b->count, 0, memory_order_relaxed);
		atomic_store_explicit(&b->sense, my, memory_order_release);
		return;
	}
	for (long spins = 0; atomic_load_explicit(&b->sense, memory_order_acquire) != my; spins++) {
		if (spins > 20000)
			sched_yield();
		else
			cpu_relax();
	}
}

static void *worker(void *va)
{
	struct worker_arg *wa = va;
	struct ev_pool *p = wa->p;
	int tid = wa->tid, seen = 0;
	struct ev_err e;
	free(wa);
	topo_pin_self(p->topo, p->first_slot + tid, &e); /* best effort: unpinned still measures */
	for (;;) {
		long spins = 0;
		int g;
		while ((g = atomic_load_explicit(&p->generation, memory_order_acquire)) == seen) {
			if (atomic_load(&p->quit))
				return NULL;
			if (++spins > 20000)
				sched_yield();
			else
				cpu_relax();
		}
		seen = g;
		if (atomic_load(&p->quit))
			return NULL;
		p->fn(p->arg, tid, p->n);
		atomic_fetch_add_explicit(&p->done, 1, memory_order_acq_rel);
	}
}

int pool_create(struct ev_pool **out, const struct ev_topo *t, int n, struct ev_err *e)
{
	return pool_create_at(out, t, n, 0, e);
}

int pool_create_at(struct ev_pool **out, const struct ev_topo *t, int n, int first_slot,
		   struct ev_err *e)
{
	struct ev_pool *p;
	if (n < 1)
		return ev_fail(e, EV_ERR_USAGE, "thread count must be at least 1");
	p = calloc(1, sizeof *p);
	if (!p)
		return ev_fail(e, EV_ERR_RUNTIME, "out of memory creating thread pool");
	p->n = n;
	p->first_slot = first_slot;
	p->topo = t;
	p->bar.n = n;
	p->th = calloc((size_t)n, sizeof *p->th);
	if (!p->th) {
		free(p);
		return ev_fail(e, EV_ERR_RUNTIME, "out of memory creating thread pool");
	}
	topo_pin_self(t, first_slot, e);
	for (int i = 1; i < n; i++) {
		struct worker_arg *wa = malloc(sizeof *wa);
		if (wa) {
			wa->p = p;
			wa->tid = i;
		}
		if (!wa || pthread_create(&p->th[i], NULL, worker, wa)) {
			free(wa);
			p->n = i; /* tear down the ones we have */
			pool_destroy(p);
			return ev_fail(e, EV_ERR_RUNTIME, "cannot start thread %d of %d", i, n);
		}
	}
	*out = p;
	return EV_OK;
}

void pool_run(struct ev_pool *p, ev_pool_fn fn, void *arg)
{
	long spins = 0;
	p->fn = fn;
	p->arg = arg;
	atomic_store(&p->done, 0);
	atomic_fetch_add_explicit(&p->generation, 1, memory_order_acq_rel);
	fn(arg, 0, p->n);
	while (atomic_load_explicit(&p->done, memory_order_acquire) != p->n - 1) {
		if (++spins > 20000)
			sched_yield();
		else
			cpu_relax();
	}
}

void pool_barrier(struct ev_pool *p)
{
	if (p->n > 1)
		barrier_wait(&p->bar);
}

int pool_size(const struct ev_pool *p)
{
	return p->n;
}

void pool_destroy(struct ev_pool *p)
{
	if (!p)
		return;
	atomic_store(&p->quit, 1);
	atomic_fetch_add(&p->generation, 1);
	for (int i = 1; i < p->n; i++)
		pthread_join(p->th[i], NULL);
	free(p->th);
	free(p);
}
