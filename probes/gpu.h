/* probes/gpu.h: GPU microbenchmarks on Vulkan compute (src/core/gpudev.h):
 * global-memory read, write and copy bandwidth and the FP32 FMA peak, each
 * timed by GPU timestamps over repeated dispatches and verified against a
 * host computation of what the shader must have produced. */
#ifndef EV_PROBES_GPU_H
#define EV_PROBES_GPU_H
#include <stdint.h>

#include "err.h"
#include "gpudev.h"
#include "stats.h"

#define EV_GPU_SAMPLES 32

enum ev_gpu_kernel_id { EV_GPU_READ, EV_GPU_WRITE, EV_GPU_COPY, EV_GPU_FMA32, EV_GPU_FMA16,
		       EV_GPU__KERNELS };
extern const char *const ev_gpu_kernel_name[EV_GPU__KERNELS];
/* The arithmetic kernels (FLOP per dispatch), as against the bandwidth ones. */
static inline int ev_gpu_kernel_is_flop(int k)
{
	return k == EV_GPU_FMA32 || k == EV_GPU_FMA16;
}

struct ev_gpu_measure {
	int kernel;               /* enum ev_gpu_kernel_id */
	int status;               /* EV_OK, EV_ERR_UNSUPPORTED, EV_ERR_VERIFY */
	char reason[256];
	uint64_t ws_bytes;        /* bandwidth: all buffers */
	uint32_t groups, iters;   /* workgroups of 256 per dispatch; FMA steps per chain */
	int reps;                 /* dispatches per sample */
	double work_per_rep;      /* bytes (STREAM counting) or FLOP of one dispatch */
	int nsamples;
	double t_s[EV_GPU_SAMPLES]; /* GPU time per dispatch, each sample */
	struct ev_stats rate;     /* bytes/s or FLOP/s */
};

/* Measure one kernel on an opened GPU. ws_bytes: the bandwidth kernels'
 * working set (clamped to the device's buffer limit). EV_OK with the outcome
 * in m->status; an error for failures of eaves or the driver. */
int gpu_measure(struct ev_gpu *g, int kernel, uint64_t ws_bytes, int quick,
		struct ev_gpu_measure *m, struct ev_err *e);

#endif
