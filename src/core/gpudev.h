/* src/core/gpudev.h: GPUs through Vulkan compute, loaded at run time (dlopen of
 * libvulkan.so.1, EAVES_VULKAN_LIB overrides the path), so eaves runs on a
 * board without a Vulkan loader and says why there is no GPU figure. Built
 * without the Vulkan headers (no libvulkan-dev at build time), every call
 * answers "unavailable: built without Vulkan". Buffers are device-local;
 * uploads and downloads go through a host-visible staging buffer; kernels
 * are SPIR-V compute shaders compiled at build time (glslc), timed with the
 * GPU's own timestamps. */
#ifndef EV_GPUDEV_H
#define EV_GPUDEV_H
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define EV_GPU_MAX 8

struct ev_gpu_info {
	int index;
	char name[256], driver[64], driver_info[128];
	char type[16];            /* integrated, discrete, virtual, cpu, other */
	uint32_t vendor_id, device_id, api_version;
	int nheaps;
	uint64_t heap_bytes[8];
	int heap_device_local[8];
	uint32_t subgroup_size;   /* 0 unknown */
	int subgroup_arith;       /* subgroupAdd and friends in compute shaders */
	int fp16;                 /* shaderFloat16 */
	int int8_dot;             /* VK_KHR_shader_integer_dot_product, shaderIntegerDotProduct */
	int int8_dot_accel;       /* its 4x8-bit packed signed dot "accelerated" (the driver's word) */
	int coop_matrix;          /* VK_KHR_cooperative_matrix or VK_NV_cooperative_matrix */
	/* What eaves' cooperative-matrix peak can run: VK_NV_cooperative_matrix with its
	 * feature, the Vulkan memory model (the shader's), shaderFloat16; its
	 * fp16-input subgroup shapes (M x N x K), with fp16 or fp32 accumulators. */
	int coop_nv;
	int ncoop;
	struct ev_gpu_coop_shape {
		uint32_t m, n, k;
		int acc32;        /* C and D fp32 (else fp16) */
	} coop[16];
	int unified;              /* a device-local memory type is host-visible too (shared DRAM) */
	double timestamp_period_ns; /* 0: no compute-queue timestamps */
	uint64_t max_buffer_bytes;  /* maxStorageBufferRange (EAVES_GPU_MAX_BUFFER lowers it: tests) */
	uint32_t max_groups_x;
};

struct ev_gpu_list {
	int ok;
	char reason[256];
	int n;
	struct ev_gpu_info dev[EV_GPU_MAX];
};

/* Load Vulkan and list its physical devices; never fails: ok = 0 with the reason. */
void gpu_list(struct ev_gpu_list *l);

struct ev_gpu;
struct ev_gpu_buf;
struct ev_gpu_kernel;

int gpu_open(struct ev_gpu **g, int index, struct ev_err *e);
void gpu_close(struct ev_gpu *g);
const struct ev_gpu_info *gpu_info(const struct ev_gpu *g);

int gpu_buf_create(struct ev_gpu *g, uint64_t bytes, struct ev_gpu_buf **b, struct ev_err *e);
int gpu_buf_upload(struct ev_gpu *g, struct ev_gpu_buf *b, const void *src, uint64_t bytes,
		   struct ev_err *e);
int gpu_buf_download(struct ev_gpu *g, struct ev_gpu_buf *b, void *dst, uint64_t bytes,
		     struct ev_err *e);
void gpu_buf_destroy(struct ev_gpu *g, struct ev_gpu_buf *b);

/* A compute pipeline over nbufs storage buffers (bindings 0..nbufs-1) with
 * push_bytes of push constants; spec[0..nspec-1] (at most 4) set the shader's
 * 32-bit specialization constants 0..nspec-1 (the compiler then drops the
 * code they rule out). */
int gpu_kernel_create(struct ev_gpu *g, const uint32_t *spirv, size_t spirv_bytes, int nbufs,
		      uint32_t push_bytes, const uint32_t *spec, int nspec, struct ev_gpu_kernel **k,
		      struct ev_err *e);
/* reps dispatches of groups_x workgroups back to back (a barrier between
 * them), timed by GPU timestamps around them: *seconds. */
int gpu_kernel_run(struct ev_gpu *g, struct ev_gpu_kernel *k, struct ev_gpu_buf *const *bufs,
		   const void *push, uint32_t groups_x, int reps, double *seconds, struct ev_err *e);
void gpu_kernel_destroy(struct ev_gpu *g, struct ev_gpu_kernel *k);
/* reps copies of `bytes` between a host-visible staging buffer and b (up:
 * host to device), back to back (a barrier between them), timed by GPU
 * timestamps around them: *seconds. up: the staging buffer holds `host`
 * first; down: `host` gets the staging buffer's bytes after the copies. */
int gpu_copy_timed(struct ev_gpu *g, struct ev_gpu_buf *b, void *host, uint64_t bytes, int up,
		   int reps, double *seconds, struct ev_err *e);

#endif
