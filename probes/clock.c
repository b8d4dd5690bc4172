/* probes/clock.c: the core clock, measured (no cpufreq needed).
 * Method: a chain of dependent integer adds; every add needs the previous
 * result, and a simple add has 1-cycle latency on every core we target, so
 * adds per second = cycles per second. The loop counter runs beside the chain
 * on another port. 100 adds per loop trip hide the loop's own cost.
 * Pitfall: a core that fuses or eliminates dependent adds would read high;
 * none we know of does for register-register chains of immediates. */
#include <stdio.h>
#include <stdlib.h>

#include "probe.h"
#include "probes.h"

#define CHAIN 100

struct clock_state {
	uint64_t result[EV_MAX_THREADS];
	uint64_t iters[EV_MAX_THREADS];
};

#if defined(__x86_64__)
#define ADD1 "add $1, %0\n\t"
#elif defined(__aarch64__)
#define ADD1 "add %0, %0, #1\n\t"
#elif defined(__riscv)
#define ADD1 "addi %0, %0, 1\n\t"
#endif

#ifdef ADD1
#define ADD10 ADD1 ADD1 ADD1 ADD1 ADD1 ADD1 ADD1 ADD1 ADD1 ADD1
static uint64_t add_chain(uint64_t iters)
{
	uint64_t x = 0;
	for (uint64_t i = 0; i < iters; i++)
		__asm__ volatile(ADD10 ADD10 ADD10 ADD10 ADD10 ADD10 ADD10 ADD10 ADD10 ADD10
				 : "+r"(x));
	return x;
}
#endif

static int clock_supported(const struct ev_job *j, char *why, size_t len)
{
	(void)j;
#ifdef ADD1
	(void)why;
	(void)len;
	return 0;
#else
	snprintf(why, len, "no dependent-add chain written for this architecture");
	return -1;
#endif
}

static int clock_init(struct ev_job *j, struct ev_err *e)
{
	j->priv = calloc(1, sizeof(struct clock_state));
	return j->priv ? EV_OK : ev_fail(e, EV_ERR_RUNTIME, "clock: out of memory");
}

static void clock_run(struct ev_job *j, int tid)
{
	struct clock_state *s = j->priv;
#ifdef ADD1
	s->result[tid] = add_chain(j->iters);
#endif
	s->iters[tid] = j->iters;
}

static int clock_verify(struct ev_job *j, int tid, struct ev_err *e)
{
	struct clock_state *s = j->priv;
	if (s->result[tid] != s->iters[tid] * CHAIN)
		return ev_fail(e, EV_ERR_VERIFY, "clock: thread %d chain gave %llu, want %llu", tid,
			       (unsigned long long)s->result[tid],
			       (unsigned long long)(s->iters[tid] * CHAIN));
	return EV_OK;
}

static void clock_fini(struct ev_job *j)
{
	free(j->priv);
	j->priv = NULL;
}

static void clock_counts(const struct ev_job *j, struct ev_counts *c)
{
	c->bytes = c->bytes_wa = 0;
	c->ops = (double)CHAIN * j->nthreads; /* dependent adds = cycles, per pass */
}

const struct ev_probe ev_probe_clock = {
	.name = "clock",
	.summary = "core clock from a dependent-add chain",
	.supported = clock_supported,
	.init = clock_init,
	.run = clock_run,
	.verify = clock_verify,
	.fini = clock_fini,
	.counts = clock_counts,
};
