/* probes/bw.c: streaming memory bandwidth (read, write, copy, triad, and
 * non-temporal write/copy/triad), after STREAM and likwid-bench.
 *
 * Method: each thread owns a private slice of every array, allocated and
 * first-touched on its pinned core (so pages land on its NUMA node and are
 * faulted in before timing). One pass streams over the slice; the driver
 * repeats passes until a sample is long enough.
 * Counted: STREAM's convention (bytes the program reads + writes: read 8,
 * write 8, copy 16, triad 24 per element) and, separately, with write-allocate
 * (each stored line is also read first unless the store is non-temporal:
 * +8 per element for write, copy, triad).
 * Pitfalls: gcc turns plain copy loops into memcpy (see bw-generic.c); a read
 * loop with one accumulator measures add latency, not bandwidth; small slices
 * are dominated by loop overhead, so L1 figures are per-ISA, not per-machine.
 * Verification: read sums integers (exact in double), stored arrays are
 * checked element by element after timing.
 * External memory (bw_params.buf): the read kernel's integer twin streams a
 * buffer the caller owns (the decoder's weights), split between the threads,
 * and is checked against a scalar sum of the same words; nothing is
 * allocated or first-touched, so it times the pages as the caller placed them. */
#include "bw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct bw_kernel_info bw_kernel_info[BW__COUNT] = {
#define X(id, nm, ar, st, ntv, fl)                                                           \
	[BW_##id] = {.name = nm, .arrays = ar, .stored = st, .nt = ntv, .flops_per_elem = fl},
	BW_KERNELS(X)
#undef X
};

static const struct bw_kernel_set *const sets[] = {
#if defined(__x86_64__)
	&bw_set_avx512,
	&bw_set_avx2,
#endif
#if defined(__aarch64__)
	&bw_set_neon,
#endif
#if defined(__riscv)
	&bw_set_rvv,
#endif
	&bw_set_generic,
};

#define TRIAD_S 3.0
#define WRITE_V 1.5

int bw_kernel_by_name(const char *name)
{
	for (int k = 0; k < BW__COUNT; k++)
		if (!strcmp(bw_kernel_info[k].name, name))
			return k;
	return -1;
}

const struct bw_kernel_set *bw_pick_set(const struct ev_cpu *c)
{
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		if (cpu_target_usable(c, sets[i]->target))
			return sets[i];
	return &bw_set_generic;
}

const struct bw_kernel_set *const *bw_all_sets(int *n)
{
	*n = (int)(sizeof sets / sizeof sets[0]);
	return sets;
}

size_t bw_elems_per_array(uint64_t ws_bytes, int nthreads, int kernel)
{
	uint64_t per = ws_bytes / (uint64_t)nthreads / (uint64_t)bw_kernel_info[kernel].arrays / 8;
	per &= ~(uint64_t)7; /* whole 64-byte lines */
	return per < 8 ? 8 : (size_t)per;
}

struct bw_thread {
	double *arr[3];
	size_t arr_bytes;
	double last_sum;
	uint64_t last_sum_u64;
	uint64_t last_iters;
};

struct bw_state {
	const struct bw_kernel_set *ks;
	const uint64_t *ext;    /* external buffer, or NULL */
	size_t ext_words;
	size_t n;
	struct bw_thread t[EV_MAX_THREADS];
};

static const struct bw_params bw_defaults;

static const struct bw_params *params_of(const struct ev_job *j)
{
	return j->params ? j->params : &bw_defaults;
}

static const struct bw_kernel_set *set_of(const struct ev_job *j)
{
	const struct bw_params *p = params_of(j);
	return p->set ? p->set : bw_pick_set(j->cpu);
}

/* Words [i0, i1) of the external buffer that thread tid reads. */
static void ext_slice(const struct bw_state *s, int tid, int nth, size_t *i0, size_t *i1)
{
	size_t per = (s->ext_words / (size_t)nth) & ~(size_t)7;
	*i0 = per * (size_t)tid;
	*i1 = tid == nth - 1 ? s->ext_words : *i0 + per;
}

static int bw_supported(const struct ev_job *j, char *why, size_t len)
{
	const struct bw_params *p = params_of(j);
	const struct bw_kernel_set *ks = set_of(j);
	char r[200];
	if (j->kernel < 0 || j->kernel >= BW__COUNT) {
		snprintf(why, len, "no such kernel");
		return -1;
	}
	if (cpu_target_check(j->cpu, ks->target, r, sizeof r)) {
		snprintf(why, len, "%s kernels: %s", ev_targets[ks->target].name, r);
		return -1;
	}
	if (bw_kernel_info[j->kernel].nt && !ks->write_nt) {
		snprintf(why, len, "no non-temporal store kernels for %s", ev_targets[ks->target].name);
		return -1;
	}
	if (p->buf && (j->kernel != BW_READ || p->buf_bytes < 64 * (size_t)j->nthreads)) {
		snprintf(why, len, "an external buffer is read only, and needs 64 bytes per thread");
		return -1;
	}
	return 0;
}

static int bw_init(struct ev_job *j, struct ev_err *e)
{
	struct bw_state *s = calloc(1, sizeof *s);
	if (!s)
		return ev_fail(e, EV_ERR_RUNTIME, "bw: out of memory");
	s->ks = set_of(j);
	if (params_of(j)->buf) {
		s->ext = params_of(j)->buf;
		s->ext_words = params_of(j)->buf_bytes / 8;
		j->ws_bytes = (uint64_t)s->ext_words * 8;
		j->priv = s;
		return EV_OK;
	}
	s->n = bw_elems_per_array(j->ws_bytes, j->nthreads, j->kernel);
	j->ws_bytes = (uint64_t)s->n * 8 * (uint64_t)bw_kernel_info[j->kernel].arrays *
		      (uint64_t)j->nthreads;
	j->priv = s;
	return EV_OK;
}

static int bw_setup(struct ev_job *j, int tid, struct ev_err *e)
{
	struct bw_state *s = j->priv;
	struct bw_thread *t = &s->t[tid];
	int na = bw_kernel_info[j->kernel].arrays;
	size_t n = s->n;
	if (s->ext)
		return EV_OK; /* the caller's memory, placed as the caller placed it */
	t->arr_bytes = (n * 8 + 4095) & ~(size_t)4095;
	for (int a = 0; a < na; a++) {
		t->arr[a] = mem_alloc(t->arr_bytes, j->pages);
		if (!t->arr[a])
			return ev_fail(e, EV_ERR_RUNTIME, "bw: cannot allocate %zu bytes on thread %d",
				       t->arr_bytes, tid);
	}
	/* First touch on the pinned thread, with values that keep every check exact. */
	for (size_t i = 0; i < n; i++) {
		t->arr[0][i] = (double)(i % 7 + 1);
		if (na > 1)
			t->arr[1][i] = (double)(i % 17);
		if (na > 2)
			t->arr[2][i] = (double)(i % 13);
	}
	return EV_OK;
}

static void bw_run(struct ev_job *j, int tid)
{
	struct bw_state *s = j->priv;
	struct bw_thread *t = &s->t[tid];
	const struct bw_kernel_set *k = s->ks;
	size_t n = s->n;
	if (s->ext) {
		size_t i0, i1;
		ext_slice(s, tid, j->nthreads, &i0, &i1);
		t->last_sum_u64 = k->read_u64(s->ext + i0, i1 - i0, j->iters);
		t->last_iters = j->iters;
		return;
	}
	switch (j->kernel) {
	case BW_READ:
		t->last_sum = k->read(t->arr[0], n, j->iters);
		t->last_iters = j->iters;
		break;
	case BW_WRITE:
		k->write(t->arr[0], n, WRITE_V, j->iters);
		break;
	case BW_WRITE_NT:
		k->write_nt(t->arr[0], n, WRITE_V, j->iters);
		break;
	case BW_COPY: /* arr[1] = arr[0] */
		k->copy(t->arr[1], t->arr[0], n, j->iters);
		break;
	case BW_COPY_NT:
		k->copy_nt(t->arr[1], t->arr[0], n, j->iters);
		break;
	case BW_TRIAD: /* arr[0] = arr[1] + s * arr[2] */
		k->triad(t->arr[0], t->arr[1], t->arr[2], TRIAD_S, n, j->iters);
		break;
	case BW_TRIAD_NT:
		k->triad_nt(t->arr[0], t->arr[1], t->arr[2], TRIAD_S, n, j->iters);
		break;
	}
}

static int bw_verify(struct ev_job *j, int tid, struct ev_err *e)
{
	struct bw_state *s = j->priv;
	struct bw_thread *t = &s->t[tid];
	size_t n = s->n;
	const char *kn = bw_kernel_info[j->kernel].name, *set = ev_targets[s->ks->target].name;
	if (s->ext) {
		size_t i0, i1;
		uint64_t one = 0;
		ext_slice(s, tid, j->nthreads, &i0, &i1);
		for (size_t i = i0; i < i1; i++)
			one += s->ext[i];
		if (t->last_sum_u64 != one * t->last_iters)
			return ev_fail(e, EV_ERR_VERIFY,
				       "bw read (%s, external buffer): thread %d sum %llu, want %llu", set,
				       tid, (unsigned long long)t->last_sum_u64,
				       (unsigned long long)(one * t->last_iters));
		return EV_OK;
	}
	for (size_t i = 0; i < n; i++) {
		double want, got;
		switch (j->kernel) {
		case BW_READ:
			continue;
		case BW_WRITE:
		case BW_WRITE_NT:
			want = WRITE_V;
			got = t->arr[0][i];
			break;
		case BW_COPY:
		case BW_COPY_NT:
			want = t->arr[0][i];
			got = t->arr[1][i];
			break;
		default:
			want = t->arr[1][i] + TRIAD_S * t->arr[2][i];
			got = t->arr[0][i];
			break;
		}
		if (got != want)
			return ev_fail(e, EV_ERR_VERIFY,
				       "bw %s (%s): element %zu of thread %d is %g, want %g", kn, set,
				       i, tid, got, want);
	}
	if (j->kernel == BW_READ) {
		double one = 0, want;
		for (size_t i = 0; i < n; i++)
			one += t->arr[0][i];
		want = one * (double)t->last_iters;
		if (t->last_sum != want)
			return ev_fail(e, EV_ERR_VERIFY, "bw read (%s): thread %d sum %.17g, want %.17g",
				       set, tid, t->last_sum, want);
	}
	return EV_OK;
}

static void bw_teardown(struct ev_job *j, int tid)
{
	struct bw_state *s = j->priv;
	if (!s)
		return;
	for (int a = 0; a < 3; a++) {
		mem_free(s->t[tid].arr[a], s->t[tid].arr_bytes);
		s->t[tid].arr[a] = NULL;
	}
}

static void bw_fini(struct ev_job *j)
{
	free(j->priv);
	j->priv = NULL;
}

static void bw_counts(const struct ev_job *j, struct ev_counts *c)
{
	const struct bw_kernel_info *k = &bw_kernel_info[j->kernel];
	double elems = (double)bw_elems_per_array(j->ws_bytes, j->nthreads, j->kernel) *
		       (double)j->nthreads;
	if (params_of(j)->buf) /* every word of the caller's buffer, once */
		elems = (double)(params_of(j)->buf_bytes / 8);
	c->bytes = elems * 8.0 * k->arrays;
	c->bytes_wa = c->bytes + (k->stored && !k->nt ? elems * 8.0 * k->stored : 0);
	c->ops = elems * k->flops_per_elem;
}

const struct ev_probe ev_probe_bw = {
	.name = "bw",
	.summary = "streaming bandwidth per cache level and DRAM",
	.supported = bw_supported,
	.init = bw_init,
	.setup = bw_setup,
	.run = bw_run,
	.verify = bw_verify,
	.teardown = bw_teardown,
	.fini = bw_fini,
	.counts = bw_counts,
};
