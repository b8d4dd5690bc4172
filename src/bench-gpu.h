/* src/bench-gpu.h: GPU figures for `eaves info|bw|flops --gpu N`: the Vulkan
 * devices, and the global-memory bandwidth and FP32 peak of one of them
 * (probes/gpu.c), as text and as the `gpu` section of a result. */
#ifndef EV_BENCH_GPU_H
#define EV_BENCH_GPU_H
#include <cjson/cJSON.h>
#include <stdio.h>

#include "ctx.h"
#include "gpu.h"

struct ev_gpu_result {
	int index;
	struct ev_gpu_info info;
	int status;               /* EV_OK, or EV_ERR_UNSUPPORTED with reason */
	char reason[256];
	int n;
	struct ev_gpu_measure m[EV_GPU__KERNELS];
	int interrupted;
};

/* Run the kernels in mask (bit per enum ev_gpu_kernel_id) on device index. A
 * machine without a usable GPU gives EV_OK with r->status unsupported; a bad
 * index is a usage error. */
int bench_gpu(struct ev_ctx *c, int index, unsigned mask, uint64_t ws_bytes, int quick,
	      struct ev_gpu_result *r);
cJSON *bench_gpu_json(const struct ev_gpu_result *r);
/* The text table of a measured device (r->status EV_OK: an unavailable one is
 * the command's one-line error instead). */
void bench_gpu_print(FILE *f, const struct ev_gpu_result *r);
/* How many of r's kernels failed verification. */
int bench_gpu_failed(const struct ev_gpu_result *r);

/* `decode --gpu N`: one decode step's matrices per format on the GPU, against
 * the ceiling of the GPU's own measured read bandwidth. */
struct ev_gpu_decode_result {
	int index;
	struct ev_gpu_info info;
	int status;               /* EV_OK, or EV_ERR_UNSUPPORTED with reason */
	char reason[256];
	char model[64];
	struct ev_gpu_measure read; /* the ceiling's bandwidth */
	int n;
	struct ev_gpu_decode run[6];
};
struct ev_model_shape;
/* gguf_path: the matrices of that file (s its shape, label its type, e.g.
 * "Q4_0"), one run; else synthetic weights, a run per type. */
int bench_gpu_decode(struct ev_ctx *c, int index, const struct ev_model_shape *s, const int *types,
		     int ntypes, const char *gguf_path, const char *label, int quick,
		     struct ev_gpu_decode_result *r);
cJSON *bench_gpu_decode_json(const struct ev_gpu_decode_result *r);
void bench_gpu_decode_print(FILE *f, const struct ev_gpu_decode_result *r); /* r->status EV_OK */

/* The Vulkan devices (`eaves info`). */
cJSON *bench_gpu_list_json(const struct ev_gpu_list *l);
void bench_gpu_list_print(FILE *f, const struct ev_gpu_list *l);

#endif
