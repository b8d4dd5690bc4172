/* probes/bw.h: the streaming-bandwidth probe's kernels and their byte counts. */
#ifndef EV_PROBE_BW_H
#define EV_PROBE_BW_H
#include "bw-kernels.h"
#include "cpu.h"
#include "probe.h"

/* name, arrays touched, arrays stored, non-temporal, FLOP per element */
#define BW_KERNELS(X)                                                                        \
	X(READ, "read", 1, 0, 0, 1)                                                          \
	X(WRITE, "write", 1, 1, 0, 0)                                                        \
	X(COPY, "copy", 2, 1, 0, 0)                                                          \
	X(TRIAD, "triad", 3, 1, 0, 2)                                                        \
	X(WRITE_NT, "write_nt", 1, 1, 1, 0)                                                  \
	X(COPY_NT, "copy_nt", 2, 1, 1, 0)                                                    \
	X(TRIAD_NT, "triad_nt", 3, 1, 1, 2)

enum bw_kernel {
#define X(id, nm, ar, st, nt, fl) BW_##id,
	BW_KERNELS(X)
#undef X
	BW__COUNT
};

struct bw_kernel_info {
	const char *name;
	int arrays, stored, nt, flops_per_elem;
};
extern const struct bw_kernel_info bw_kernel_info[BW__COUNT];
extern const struct ev_probe ev_probe_bw;

/* The probe's parameters (ev_job.params); NULL means all defaults. */
struct bw_params {
	const struct bw_kernel_set *set; /* NULL: the best set for the job's CPU */
	const void *buf;                 /* read this memory instead of allocating (BW_READ) */
	size_t buf_bytes;
};

int bw_kernel_by_name(const char *name);
/* The best kernel set usable on c (its features, within the --isa cap). */
const struct bw_kernel_set *bw_pick_set(const struct ev_cpu *c);
/* Every set built into this binary, best first. */
const struct bw_kernel_set *const *bw_all_sets(int *n);
/* Elements per array per thread for a total working set (64-byte multiple). */
size_t bw_elems_per_array(uint64_t ws_bytes, int nthreads, int kernel);

#endif
