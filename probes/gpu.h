/* probes/gpu.h: GPU microbenchmarks on Vulkan compute (src/core/gpudev.h):
 * global-memory read, write and copy bandwidth, workgroup (shared) memory
 * read bandwidth, host <-> device copies, the FP32/FP16 FMA peaks, the
 * INT8 dot-product peak and the cooperative-matrix (fp16) peaks, each
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
		       EV_GPU_SHARED, EV_GPU_H2D, EV_GPU_D2H, EV_GPU_DOT8, EV_GPU_COOP16, EV_GPU_COOP32,
		       EV_GPU__KERNELS };
extern const char *const ev_gpu_kernel_name[EV_GPU__KERNELS];
/* The arithmetic kernels (FLOP, or INT8 operations, per dispatch), as
 * against the bandwidth ones. */
static inline int ev_gpu_kernel_is_flop(int k)
{
	return k == EV_GPU_FMA32 || k == EV_GPU_FMA16 || k == EV_GPU_DOT8 || k == EV_GPU_COOP16 ||
	       k == EV_GPU_COOP32;
}
/* The cooperative-matrix (tensor-core) peaks: fp16 inputs, fp16 or fp32
 * accumulators, VK_NV_cooperative_matrix. */
static inline int ev_gpu_kernel_is_coop(int k)
{
	return k == EV_GPU_COOP16 || k == EV_GPU_COOP32;
}
/* Host <-> device copies (vkCmdCopyBuffer between a host-visible staging
 * buffer and a device-local one), no shader. */
static inline int ev_gpu_kernel_is_transfer(int k)
{
	return k == EV_GPU_H2D || k == EV_GPU_D2H;
}
/* The kernels whose size is set by the shader (a count of steps), not by a
 * working set in global memory: the FMA peaks and workgroup-memory reads. */
static inline int ev_gpu_kernel_is_steps(int k)
{
	return ev_gpu_kernel_is_flop(k) || k == EV_GPU_SHARED;
}

/* The cooperative-matrix kernel's steps for a shape's K: fp16 accumulators
 * stay exact integers (gpu-coopmat.comp); 0: no such count. */
uint32_t gpu_coop_iters(uint32_t k, int acc32);

struct ev_gpu_measure {
	int kernel;               /* enum ev_gpu_kernel_id */
	int status;               /* EV_OK, EV_ERR_UNSUPPORTED, EV_ERR_VERIFY */
	char reason[256];
	uint64_t ws_bytes;        /* bandwidth: all buffers */
	uint32_t groups, iters;   /* workgroups of 256 (cooperative matrices: of one subgroup)
				   * per dispatch; FMA steps per chain */
	uint32_t shape[3];        /* cooperative matrices: M, N, K of the shape run */
	int reps;                 /* dispatches per sample */
	double work_per_rep;      /* bytes (STREAM counting) or FLOP of one dispatch */
	int nsamples;
	double t_s[EV_GPU_SAMPLES]; /* GPU time per dispatch, each sample */
	struct ev_stats rate;     /* bytes/s or FLOP/s */
};

/* One decode step's matrices on the GPU: every matrix of every layer and the
 * LM head (synthetic weights in one format, or a GGUF file's; each matrix its
 * own buffers, repacked for the shader: the same bytes), f32
 * activations, timed per matrix by GPU timestamps; the sum is the step's GPU
 * time (submission overhead between matrices excluded). Every output of the
 * first layer's matrices and of the LM head checked against the host. */
#define EV_GPU_DEC_TOKENS 16
struct ev_model_shape;
struct gguf_file;
struct gguf_llama;
struct ev_gpu_decode {
	int status;               /* EV_OK, EV_ERR_UNSUPPORTED (+reason), EV_ERR_VERIFY */
	char reason[256];
	int type;                 /* enum ev_type (f16, q8_0, q4_0, q4_K, q5_K, q6_K); -1 a file's */
	int from_file;            /* a GGUF file's weights, not synthetic */
	char label[32];           /* the format's name, or "file" (the caller names the file's type) */
	int nmat;                 /* matrices per step */
	int dispatches;           /* per step: more than nmat where a matrix is over the
				   * device's storage-buffer range (a dispatch per part) */
	double weight_bytes;      /* read per step (all matrices, LM head) */
	double weights;           /* weights per step (2 FLOP each) */
	int wg_reduce;            /* lanes folded through workgroup memory (no subgroup
				   * arithmetic), not subgroupAdd: R rows a workgroup */
	int rows_per_sg[8];       /* the shader's rows per subgroup chosen by timing, for
				   * q, k, v, o, gate, up, down, the LM head (layer 0's formats) */
	int ntok;
	double step_s[EV_GPU_DEC_TOKENS];
	struct ev_stats tps;      /* steps per second */
	double max_err_rel;       /* worst |gpu - host| / sum |w x| over the checked rows */
	long checked_rows;
};
/* gf and gl NULL: synthetic weights of type, in shape s. Else the matrices of
 * a GGUF file (s = &gl->shape; each tensor in one of those formats, else
 * EV_ERR_UNSUPPORTED naming the tensor); type unused. */
int gpu_decode_step(struct ev_gpu *g, const struct ev_model_shape *s, int type, const struct gguf_file *gf,
		    const struct gguf_llama *gl, int tokens, struct ev_gpu_decode *r, struct ev_err *e);

/* Measure one kernel on an opened GPU. ws_bytes: the bandwidth kernels'
 * working set (clamped to the device's buffer limit). EV_OK with the outcome
 * in m->status; an error for failures of eaves or the driver. */
int gpu_measure(struct ev_gpu *g, int kernel, uint64_t ws_bytes, int quick,
		struct ev_gpu_measure *m, struct ev_err *e);

#endif
