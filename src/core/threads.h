/* src/core/threads.h: a pool of pinned threads created once and reused, with a spin
 * barrier cheap enough to time a pass over a 16 KiB buffer. Thread 0 is the
 * caller (pinned too), so N threads use N cores. */
#ifndef EV_THREADS_H
#define EV_THREADS_H

#include "err.h"
#include "topo.h"

struct ev_pool;
typedef void (*ev_pool_fn)(void *arg, int tid, int nthreads);

int pool_create(struct ev_pool **out, const struct ev_topo *t, int nthreads, struct ev_err *e);
/* The same, with thread i pinned to placement slot first_slot + i (used to run
 * on one core kind of a hybrid machine). */
int pool_create_at(struct ev_pool **out, const struct ev_topo *t, int nthreads, int first_slot,
		   struct ev_err *e);
/* Run fn(arg, tid, n) on every thread; returns when all have returned. */
void pool_run(struct ev_pool *p, ev_pool_fn fn, void *arg);
/* Barrier among the pool's threads, for use inside fn. */
void pool_barrier(struct ev_pool *p);
int pool_size(const struct ev_pool *p);
void pool_destroy(struct ev_pool *p);

#endif
