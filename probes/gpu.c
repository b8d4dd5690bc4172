/* probes/gpu.c: the GPU kernels' runs and their checks. The shaders are in
 * probes/shaders/ (GLSL), compiled to SPIR-V by glslc at build time and
 * included here as word arrays; a build without glslc has none, and every
 * measurement is "unavailable". */
#include "gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quant.h"

uint32_t gpu_coop_iters(uint32_t k, int acc32)
{
	/* fp16: every partial sum (at most 3 + (iters + 1) K) an integer no
	 * larger than 2048, which fp16 holds exactly */
	return acc32 ? 1024 : k > 0 && k <= 512 ? 2045 / k - 1 : 0;
}

const char *const ev_gpu_kernel_name[EV_GPU__KERNELS] = {
	"read", "write", "copy", "fp32_fma", "fp16_fma", "shared_read", "host_to_device", "device_to_host",
	"int8_dot", "coopmat_f16", "coopmat_f16_f32"};

#ifdef EV_HAVE_VULKAN
static const uint32_t spv_read[] =
#include "gpu-read.inc"
	;
static const uint32_t spv_write[] =
#include "gpu-write.inc"
	;
static const uint32_t spv_copy[] =
#include "gpu-copy.inc"
	;
static const uint32_t spv_fma[] =
#include "gpu-fma.inc"
	;
static const uint32_t spv_fma16[] =
#include "gpu-fma16.inc"
	;
static const uint32_t spv_shared[] =
#include "gpu-shared.inc"
	;
static const uint32_t spv_dot8[] =
#include "gpu-dot8.inc"
	;
static const uint32_t spv_coop16[] =
#include "gpu-coopmat.inc"
	;
static const uint32_t spv_coop32[] =
#include "gpu-coopmat32.inc"
	;

/* The INT8 kernel's chains, replayed on the host: x = sdot(x's 4 signed
 * bytes, y's) + a, from x = chain + 1 (gpu-dot8.comp). */
#define DOT8_Y 0x0302ff01u /* bytes 1, -1, 2, 3 */
#define DOT8_A 7
static int32_t sdot4x8(uint32_t x, uint32_t y)
{
	int32_t s = 0;
	for (int b = 0; b < 4; b++)
		s += (int32_t)(int8_t)(x >> 8 * b) * (int8_t)(y >> 8 * b);
	return s;
}

#define WG 256 /* local_size_x of every shader */

/* A pattern the read and copy checks can recompute. */
static void fill(uint32_t *a, uint64_t n4)
{
	for (uint64_t k = 0; k < n4; k++) {
		a[4 * k] = (uint32_t)k * 2654435761u;
		a[4 * k + 1] = (uint32_t)k;
		a[4 * k + 2] = ~(uint32_t)k;
		a[4 * k + 3] = (uint32_t)(k >> 7) ^ 0x5555u;
	}
}

/* EAVES_FAULT=verify:gpu: the path from a wrong GPU result to the user, tested */
static int fault_injected(void)
{
	return getenv("EAVES_FAULT") && !strcmp(getenv("EAVES_FAULT"), "verify:gpu");
}

/* A check's outcome into the measurement: bad results (the first at `first`,
 * an invocation or element: `unit`) make it failed_verification; the
 * injected fault makes one. */
static void verdict(struct ev_gpu_measure *m, int kernel, uint64_t bad, uint64_t first, const char *unit)
{
	if (fault_injected() && !bad++)
		first = 0;
	if (bad) {
		m->status = EV_ERR_VERIFY;
		snprintf(m->reason, sizeof m->reason, "GPU %s: %llu wrong results (the first at %s %llu)",
			 ev_gpu_kernel_name[kernel], (unsigned long long)bad, unit, (unsigned long long)first);
	}
}

static int verify(struct ev_gpu *g, int kernel, struct ev_gpu_buf *const *b, uint64_t n4,
		  uint32_t groups, const uint32_t *src, uint32_t tag, struct ev_gpu_measure *m,
		  struct ev_err *e)
{
	uint64_t inv = (uint64_t)groups * WG, bad = 0, first = 0;
	int fma = ev_gpu_kernel_is_flop(kernel), shared = kernel == EV_GPU_SHARED;
	size_t bytes = kernel == EV_GPU_READ || shared ? inv * 4 :
		       kernel == EV_GPU_DOT8		 ? inv * 8 * 4 :
		       fma				 ? inv * 8 * 16 :
							   n4 * 16;
	uint32_t *out = malloc(bytes);
	int rc;
	if (!out)
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: out of memory");
	if ((rc = gpu_buf_download(g, kernel == EV_GPU_WRITE || shared ? b[0] : b[1 - fma],
				   out, bytes, e))) {
		free(out);
		return rc;
	}
	if (kernel == EV_GPU_READ) {
		for (uint64_t i = 0; i < inv; i++) {
			uint32_t s = 0;
			for (uint64_t k = i; k < n4; k += inv)
				s += src[4 * k] + src[4 * k + 1] + src[4 * k + 2] + src[4 * k + 3];
			if (out[i] != s && !bad++)
				first = i;
		}
	} else if (kernel == EV_GPU_WRITE) {
		for (uint64_t k = 0; k < n4; k++) {
			uint32_t x = (uint32_t)k;
			if ((out[4 * k] != x || out[4 * k + 1] != (x ^ tag) || out[4 * k + 2] != x + tag ||
			     out[4 * k + 3] != ~x) && !bad++)
				first = k;
		}
	} else if (shared) {
		/* every invocation read each tile element n4 (= iters / 256) times */
		uint32_t f = 0;
		for (uint32_t i = 0; i < WG; i++)
			f += ((i * 2654435761u) ^ tag) + i + ~i + (i ^ 0x5555u);
		for (uint64_t i = 0; i < inv; i++)
			if (out[i] != (uint32_t)n4 * f && !bad++)
				first = i;
	} else if (kernel == EV_GPU_DOT8) {
		/* n4: the steps; every invocation the same 8 chains */
		int32_t want[8];
		for (int c = 0; c < 8; c++) {
			int32_t x = c + 1;
			for (uint64_t k = 0; k < n4; k++)
				x = sdot4x8((uint32_t)x, DOT8_Y) + DOT8_A;
			want[c] = x;
		}
		for (uint64_t k = 0; k < inv * 8; k++)
			if ((int32_t)out[k] != want[k % 8] && !bad++)
				first = k / 8;
	} else if (kernel == EV_GPU_COPY) {
		for (uint64_t k = 0; k < 4 * n4; k++)
			if (out[k] != src[k] && !bad++)
				first = k / 4;
	} else {
		const float *f = (const float *)(const void *)out;
		for (uint64_t k = 0; k < inv * 8 * 4; k++)
			if (f[k] != 2.0f && !bad++) /* the fixed point of x * 0.5 + 1 */
				first = k / 32;
	}
	free(out);
	verdict(m, kernel, bad, first, "invocation or element");
	return EV_OK;
}

/* What one timed run is: reps dispatches of a kernel, or reps copies. */
struct timed {
	struct ev_gpu *g;
	struct ev_gpu_kernel *k; /* NULL: copies */
	struct ev_gpu_buf *const *bufs;
	const uint32_t *push;
	uint32_t groups;
	struct ev_gpu_buf *dev;  /* copies: the device buffer, the host side, bytes, direction */
	void *host;
	uint64_t bytes;
	int up;
};

static int timed_run(const struct timed *t, int reps, double *seconds, struct ev_err *e)
{
	return t->k ? gpu_kernel_run(t->g, t->k, t->bufs, t->push, t->groups, reps, seconds, e)
		    : gpu_copy_timed(t->g, t->dev, t->host, t->bytes, t->up, reps, seconds, e);
}

/* Calibrate with one run, then enough per sample for 5 ms (quick) or 20 ms;
 * 5 or 11 samples, each the time per dispatch or copy. */
static int sample(const struct timed *t, int quick, struct ev_gpu_measure *m, struct ev_err *e)
{
	double s, target = quick ? 0.005 : 0.02;
	int rc = timed_run(t, 1, &s, e);
	if (rc)
		return rc;
	m->reps = s > 0 ? (int)(target / s) + 1 : 64;
	if (m->reps > 256)
		m->reps = 256;
	for (int i = 0; i < (quick ? 5 : 11) && !rc; i++) {
		rc = timed_run(t, m->reps, &s, e);
		m->t_s[m->nsamples++] = s / m->reps;
	}
	return rc;
}

/* The rate's statistics from the samples; an unsupported or refused run
 * becomes the measurement's status (with the reason), not an error. */
static int finish(struct ev_gpu_measure *m, int rc, struct ev_err *e)
{
	if (!rc && m->nsamples) {
		double v[EV_GPU_SAMPLES];
		for (int i = 0; i < m->nsamples; i++)
			v[i] = m->work_per_rep / m->t_s[i];
		stats_compute(v, (size_t)m->nsamples, 1, &m->rate);
	}
	if (rc == EV_ERR_UNSUPPORTED || rc == EV_ERR_USAGE) {
		m->status = rc;
		snprintf(m->reason, sizeof m->reason, "%s", e->msg);
		rc = EV_OK;
	}
	return rc;
}

/* Host <-> device: `per` bytes of a pattern copied between a host-visible
 * staging buffer and a device-local buffer, each byte counted once; after the
 * timing, the device buffer (up) or the last copy's bytes (down) compared with
 * the pattern. On a device whose memory is the host's (unified), this is a
 * copy within the same DRAM. */
static int measure_transfer(struct ev_gpu *g, int kernel, uint64_t ws_bytes, int quick,
			    struct ev_gpu_measure *m, struct ev_err *e)
{
	const struct ev_gpu_info *in = gpu_info(g);
	int up = kernel == EV_GPU_H2D, rc;
	uint64_t per = ws_bytes < in->max_buffer_bytes ? ws_bytes : in->max_buffer_bytes, bad = 0, first = 0;
	struct ev_gpu_buf *b = NULL;
	uint32_t *src, *out;
	per &= ~(uint64_t)15;
	if (per < 4096)
		per = 4096;
	m->ws_bytes = per;
	m->work_per_rep = (double)per;
	src = malloc(per);
	out = malloc(per);
	if (!src || !out) {
		free(src);
		free(out);
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: out of memory");
	}
	fill(src, per / 16);
	rc = gpu_buf_create(g, per, &b, e);
	if (!rc && !up)
		rc = gpu_buf_upload(g, b, src, per, e);
	if (!rc) {
		struct timed tm = {.g = g, .dev = b, .host = up ? (void *)src : out, .bytes = per, .up = up};
		rc = sample(&tm, quick, m, e);
	}
	if (!rc && up)
		rc = gpu_buf_download(g, b, out, per, e);
	if (!rc) {
		for (uint64_t k = 0; k < per / 4; k++)
			if (out[k] != src[k] && !bad++)
				first = k / 4;
		verdict(m, kernel, bad, first, "element");
	}
	rc = finish(m, rc, e);
	gpu_buf_destroy(g, b);
	free(src);
	free(out);
	return rc;
}

/* The cooperative-matrix peak (gpu-coopmat.comp): the largest fp16-input
 * shape the driver lists for the accumulator type, one subgroup a
 * workgroup, 8 multiply-adds (2 M N K FLOP each) a step; every element of
 * every accumulator checked: j + iters x K. */
static int measure_coop(struct ev_gpu *g, int kernel, int quick, struct ev_gpu_measure *m,
			struct ev_err *e)
{
	const struct ev_gpu_info *in = gpu_info(g);
	int acc32 = kernel == EV_GPU_COOP32, best = -1, rc;
	struct ev_gpu_kernel *k = NULL;
	struct ev_gpu_buf *b = NULL;
	uint32_t push[4], spec[4];
	float fa = 1, fb1 = 2, fb2 = -1;
	uint64_t nel, bad = 0, first = 0;
	float *out = NULL;
	if (!in->coop_nv) {
		m->status = EV_ERR_UNSUPPORTED;
		snprintf(m->reason, sizeof m->reason, "GPU %d (%s): %s", in->index, in->name,
			 in->coop_matrix ? "its cooperative matrices are not VK_NV_cooperative_matrix with "
					   "its feature, the Vulkan memory model and shaderFloat16 (eaves' "
					   "shader: Debian 12's glslang predates VK_KHR_cooperative_matrix)"
					 : "no cooperative matrices (VK_NV_cooperative_matrix)");
		return EV_OK;
	}
	for (int i = 0; i < in->ncoop; i++)
		if (in->coop[i].acc32 == acc32 &&
		    (best < 0 || (uint64_t)in->coop[i].m * in->coop[i].n * in->coop[i].k >
					 (uint64_t)in->coop[best].m * in->coop[best].n * in->coop[best].k))
			best = i;
	if (best < 0) {
		m->status = EV_ERR_UNSUPPORTED;
		snprintf(m->reason, sizeof m->reason,
			 "GPU %d (%s) lists no fp16 x fp16 + %s cooperative-matrix shape", in->index, in->name,
			 acc32 ? "fp32" : "fp16");
		return EV_OK;
	}
	spec[0] = m->shape[0] = in->coop[best].m;
	spec[1] = m->shape[1] = in->coop[best].n;
	spec[2] = m->shape[2] = in->coop[best].k;
	spec[3] = in->subgroup_size ? in->subgroup_size : 32;
	m->iters = gpu_coop_iters(spec[2], acc32);
	m->groups = quick ? 1024 : 4096;
	if (in->max_groups_x && m->groups > in->max_groups_x)
		m->groups = in->max_groups_x;
	m->work_per_rep = (double)m->groups * m->iters * 8 * 2.0 * spec[0] * spec[1] * spec[2];
	nel = (uint64_t)m->groups * 4 * spec[0] * spec[1];
	push[0] = m->iters;
	memcpy(&push[1], &fa, 4);
	memcpy(&push[2], &fb1, 4);
	memcpy(&push[3], &fb2, 4);
	rc = gpu_buf_create(g, nel * 4, &b, e);
	if (!rc)
		rc = gpu_kernel_create(g, acc32 ? spv_coop32 : spv_coop16, acc32 ? sizeof spv_coop32 : sizeof spv_coop16,
				       1, sizeof push, spec, 4, &k, e);
	if (!rc) {
		struct timed tm = {.g = g, .k = k, .bufs = &b, .push = push, .groups = m->groups};
		rc = sample(&tm, quick, m, e);
	}
	if (!rc && !(out = malloc(nel * 4)))
		rc = ev_fail(e, EV_ERR_RUNTIME, "GPU: out of memory");
	if (!rc)
		rc = gpu_buf_download(g, b, out, nel * 4, e);
	if (!rc) {
		for (uint64_t i = 0; i < nel; i++) {
			float want = (float)((i / ((uint64_t)spec[0] * spec[1])) % 4) + (float)m->iters * spec[2];
			if (out[i] != want && !bad++)
				first = i;
		}
		verdict(m, kernel, bad, first, "element");
	}
	rc = finish(m, rc, e);
	gpu_kernel_destroy(g, k);
	gpu_buf_destroy(g, b);
	free(out);
	return rc;
}

int gpu_measure(struct ev_gpu *g, int kernel, uint64_t ws_bytes, int quick,
		struct ev_gpu_measure *m, struct ev_err *e)
{
	const struct ev_gpu_info *in = gpu_info(g);
	static const struct {
		const uint32_t *spv;
		size_t bytes;
		int nbufs, arrays;
	} K[EV_GPU__KERNELS] = {{spv_read, sizeof spv_read, 2, 1}, {spv_write, sizeof spv_write, 1, 1},
				{spv_copy, sizeof spv_copy, 2, 2}, {spv_fma, sizeof spv_fma, 1, 0},
				{spv_fma16, sizeof spv_fma16, 1, 0}, {spv_shared, sizeof spv_shared, 1, 0},
				{NULL, 0, 0, 0}, {NULL, 0, 0, 0}, /* the copies: no shader */
				{spv_dot8, sizeof spv_dot8, 1, 0}, {NULL, 0, 0, 0}, {NULL, 0, 0, 0}};
	struct ev_gpu_kernel *k = NULL;
	struct ev_gpu_buf *b[2] = {NULL, NULL};
	uint32_t *src = NULL, push[3] = {0, 0, 0};
	uint64_t n4 = 0, per;
	int rc;
	memset(m, 0, sizeof *m);
	m->kernel = kernel;
	if (ev_gpu_kernel_is_transfer(kernel))
		return measure_transfer(g, kernel, ws_bytes, quick, m, e);
	if (ev_gpu_kernel_is_coop(kernel))
		return measure_coop(g, kernel, quick, m, e);
	if (kernel == EV_GPU_DOT8 && !in->int8_dot) {
		m->status = EV_ERR_UNSUPPORTED;
		snprintf(m->reason, sizeof m->reason,
			 "GPU %d (%s) has no integer dot product (VK_KHR_shader_integer_dot_product)", in->index,
			 in->name);
		return EV_OK;
	}
	if (kernel == EV_GPU_FMA16 && !in->fp16) {
		m->status = EV_ERR_UNSUPPORTED;
		snprintf(m->reason, sizeof m->reason, "GPU %d (%s) has no shaderFloat16", in->index, in->name);
		return EV_OK;
	}
	if (kernel == EV_GPU_SHARED) {
		/* bytes: what the invocations read from workgroup memory */
		m->groups = quick ? 64 : 256;
		m->iters = 1024; /* a multiple of 256 (the check) */
		m->ws_bytes = WG * 16; /* the tile, per workgroup */
		m->work_per_rep = (double)m->groups * WG * m->iters * 16;
		n4 = m->iters / WG;
		push[0] = m->iters;
		push[1] = 0x9e3779b9u;
		rc = gpu_buf_create(g, (uint64_t)m->groups * WG * 4, &b[0], e);
	} else if (kernel == EV_GPU_DOT8) {
		/* 8 chains x 4 multiply-adds (8 operations) per step; the "+ a" not counted */
		m->groups = quick ? 64 : 256;
		m->iters = 512;
		m->work_per_rep = (double)m->groups * WG * m->iters * 8 * 8;
		n4 = m->iters;
		push[0] = m->iters;
		push[1] = DOT8_Y;
		push[2] = DOT8_A;
		rc = gpu_buf_create(g, (uint64_t)m->groups * WG * 8 * 4, &b[0], e);
	} else if (ev_gpu_kernel_is_flop(kernel)) {
		m->groups = quick ? 64 : 256;
		m->iters = 512;
		m->work_per_rep = (double)m->groups * WG * m->iters * 8 * 4 * 2;
		push[0] = m->iters;
		{
			float mf = 0.5f, af = 1.0f;
			memcpy(&push[1], &mf, 4);
			memcpy(&push[2], &af, 4);
		}
		rc = gpu_buf_create(g, (uint64_t)m->groups * WG * 8 * 16, &b[0], e);
	} else {
		per = ws_bytes / (uint64_t)K[kernel].arrays;
		if (per > in->max_buffer_bytes)
			per = in->max_buffer_bytes;
		n4 = per / 16;
		if (n4 > UINT32_MAX / 2)
			n4 = UINT32_MAX / 2;
		if (n4 < WG)
			n4 = WG;
		m->ws_bytes = n4 * 16 * (uint64_t)K[kernel].arrays;
		m->work_per_rep = (double)m->ws_bytes;
		/* 16 elements per invocation, at most 65535 groups (lavapipe: 4 per invocation
		 * 1.0-1.4 GB/s, 16 about 2, 64 under 1: per-invocation cost against parallelism) */
		m->groups = (uint32_t)(n4 / (WG * 16) ? n4 / (WG * 16) : 1);
		if (m->groups > 65535)
			m->groups = 65535;
		push[0] = (uint32_t)n4;
		push[1] = 0x9e3779b9u;
		rc = gpu_buf_create(g, n4 * 16, &b[0], e);
		if (!rc && kernel != EV_GPU_WRITE)
			rc = gpu_buf_create(g, kernel == EV_GPU_READ ? (uint64_t)m->groups * WG * 4 : n4 * 16,
					    &b[1], e);
		if (!rc && kernel != EV_GPU_WRITE) {
			if (!(src = malloc(n4 * 16)))
				rc = ev_fail(e, EV_ERR_RUNTIME, "GPU: out of memory");
			else {
				fill(src, n4);
				rc = gpu_buf_upload(g, b[0], src, n4 * 16, e);
			}
		}
	}
	if (!rc)
		rc = gpu_kernel_create(g, K[kernel].spv, K[kernel].bytes, K[kernel].nbufs, 12, NULL, 0, &k, e);
	if (!rc) {
		struct timed tm = {.g = g, .k = k, .bufs = b, .push = push, .groups = m->groups};
		rc = sample(&tm, quick, m, e);
	}
	if (!rc)
		rc = verify(g, kernel, b, n4, m->groups, src, push[1], m, e);
	rc = finish(m, rc, e);
	gpu_kernel_destroy(g, k);
	gpu_buf_destroy(g, b[0]);
	gpu_buf_destroy(g, b[1]);
	free(src);
	return rc;
}

#else

int gpu_measure(struct ev_gpu *g, int kernel, uint64_t ws_bytes, int quick,
		struct ev_gpu_measure *m, struct ev_err *e)
{
	(void)g, (void)ws_bytes, (void)quick, (void)e;
	memset(m, 0, sizeof *m);
	m->kernel = kernel;
	m->status = EV_ERR_UNSUPPORTED;
	snprintf(m->reason, sizeof m->reason, "built without Vulkan");
	return EV_OK;
}

#endif

#ifdef EV_HAVE_VULKAN
#include <math.h>

#include "gguf.h"
#include "model-shape.h"

static const uint32_t spv_gemv[] =
#include "gpu-gemv.inc"
	;
/* the same, folding through workgroup memory: no subgroup arithmetic needed */
static const uint32_t spv_gemv_wg[] =
#include "gpu-gemv-wg.inc"
	;
/* R in gpu-gemv.comp, rows per subgroup: 1 << ri for ri < GEMV_NR. More rows
 * share each activation load; fewer make more subgroups, which a large GPU
 * needs to fill its cores on a small matrix. Chosen per kind of matrix and
 * format by timing each in the warm-up step (EAVES_GPU_GEMV_ROWS=1|2|4|8
 * fixes it: the tests run every variant). */
#define GEMV_NR 4
#define GEMV_TYPES "f16, q8_0, q4_0, q4_K, q5_K and q6_K"

/* The formats gpu-gemv.comp runs: its fmt code, or -1. */
static int gemv_fmt(int type)
{
	switch (type) {
	case EV_TYPE_F16: return 0;
	case EV_TYPE_Q8_0: return 1;
	case EV_TYPE_Q4_0: return 2;
	case EV_TYPE_Q4_K: return 3;
	case EV_TYPE_Q5_K: return 4;
	case EV_TYPE_Q6_K: return 5;
	default: return -1;
	}
}

/* Weights in one of the shader's items (a lane's share of a row at a time). */
static int gemv_item(int type)
{
	return type == EV_TYPE_F16 ? 8 : type == EV_TYPE_Q8_0 ? 16 : 32;
}

/* A matrix in parts of whole rows, each within the device's storage-buffer
 * range (maxStorageBufferRange: 128 MiB on lavapipe, where a 1B model's LM
 * head is larger): a dispatch per part. */
#define GEMV_MAXPARTS 64
struct gemv_part {
	int r0, rows;
	struct ev_gpu_buf *w, *s, *out; /* quants, scales (f16: none), result */
};
struct gemv_mat {
	int rows, cols, type, ri;
	size_t rb;
	int nparts;
	struct gemv_part part[GEMV_MAXPARTS];
	const unsigned char *host; /* kept for the check (first layer, LM head), else NULL */
	unsigned char *own;        /* host when eaves made it (synthetic weights) */
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* GGUF rows (rb bytes each) into the shader's layout (gpu-gemv.comp): every
 * row's quants, 16-byte units, then the scales. The same bytes, reordered;
 * *qbytes and *sbytes say how many (the scales padded to whole words). */
static int gemv_repack(int type, const unsigned char *src, int rows, int cols, size_t rb,
		       unsigned char **qs, size_t *qbytes, unsigned char **ss, size_t *sbytes)
{
	size_t nr = (size_t)rows, nb, bb;
	*ss = NULL;
	*sbytes = 0;
	if (type == EV_TYPE_F16) {
		*qbytes = rb * nr;
		if (!(*qs = malloc(*qbytes)))
			return -1;
		memcpy(*qs, src, *qbytes);
		return 0;
	}
	(void)rb;
	nb = (size_t)cols / (size_t)ev_types[type].block_elems;
	bb = ev_types[type].block_bytes;
	switch (type) {
	case EV_TYPE_Q8_0: case EV_TYPE_Q4_0: *qbytes = (bb - 2) * nb * nr; *sbytes = 2 * nb * nr; break;
	case EV_TYPE_Q4_K: *qbytes = 128 * nb * nr; *sbytes = 16 * nb * nr; break;
	case EV_TYPE_Q5_K: *qbytes = 160 * nb * nr; *sbytes = 16 * nb * nr; break;
	default: /* q6_K */ *qbytes = 192 * nb * nr; *sbytes = 18 * nb * nr; break;
	}
	*sbytes = (*sbytes + 3) & ~(size_t)3;
	*qs = malloc(*qbytes);
	*ss = calloc(1, *sbytes);
	if (!*qs || !*ss) {
		free(*qs);
		free(*ss);
		return -1;
	}
	for (size_t i = 0; i < nb * nr; i++) { /* block i: row i / nb, in file order */
		const unsigned char *blk = src + (i / nb) * rb + (i % nb) * bb;
		switch (type) {
		case EV_TYPE_Q8_0: case EV_TYPE_Q4_0: /* d, quants */
			memcpy(*ss + 2 * i, blk, 2);
			memcpy(*qs + (bb - 2) * i, blk + 2, bb - 2);
			break;
		case EV_TYPE_Q4_K: /* d, dmin, scales[12], qs[128] */
		case EV_TYPE_Q5_K: /* d, dmin, scales[12], qh[32], qs[128] */
			memcpy(*ss + 16 * i, blk, 16);
			memcpy(*qs + (bb - 16) * i, blk + 16, bb - 16);
			break;
		default: /* q6_K: ql[128], qh[64], scales[16], d; the d's after all scales */
			memcpy(*qs + 192 * i, blk, 192);
			memcpy(*ss + 16 * i, blk + 192, 16);
			memcpy(*ss + 16 * nb * nr + 2 * i, blk + 208, 2);
			break;
		}
	}
	return 0;
}

/* A matrix's GGUF rows (q, m->rb bytes each) to the GPU, repacked. */
static int upload_mat(struct ev_gpu *g, struct gemv_mat *m, const unsigned char *q, struct ev_err *e)
{
	/* rows per part: a row's file bytes bound its quants and its scales */
	uint64_t lim = gpu_info(g)->max_buffer_bytes, per = lim ? lim / m->rb : (uint64_t)m->rows;
	int rc = EV_OK;
	if (per < 1)
		return ev_fail(e, EV_ERR_UNSUPPORTED, "GPU decode: a row of %zu bytes is over the device's "
			       "storage-buffer range (%llu bytes)", m->rb, (unsigned long long)lim);
	if (per > (uint64_t)m->rows)
		per = (uint64_t)m->rows;
	if (((uint64_t)m->rows + per - 1) / per > GEMV_MAXPARTS)
		return ev_fail(e, EV_ERR_UNSUPPORTED, "GPU decode: a %dx%d matrix needs over %d buffers of the "
			       "device's storage-buffer range (%llu bytes)", m->rows, m->cols, GEMV_MAXPARTS,
			       (unsigned long long)lim);
	for (int r0 = 0; r0 < m->rows && !rc; r0 += (int)per) {
		struct gemv_part *pt = &m->part[m->nparts++];
		unsigned char *qs, *ss;
		size_t qbytes, sbytes;
		pt->r0 = r0;
		pt->rows = m->rows - r0 < (int)per ? m->rows - r0 : (int)per;
		if (gemv_repack(m->type, q + (size_t)r0 * m->rb, pt->rows, m->cols, m->rb, &qs, &qbytes, &ss,
				&sbytes))
			return ev_fail(e, EV_ERR_RUNTIME, "GPU decode: out of memory");
		if (!(rc = gpu_buf_create(g, qbytes, &pt->w, e)) &&
		    !(rc = gpu_buf_upload(g, pt->w, qs, qbytes, e)) && sbytes &&
		    !(rc = gpu_buf_create(g, sbytes, &pt->s, e)))
			rc = gpu_buf_upload(g, pt->s, ss, sbytes, e);
		if (!rc)
			rc = gpu_buf_create(g, sizeof(float) * (size_t)pt->rows, &pt->out, e);
		free(qs);
		free(ss);
	}
	return rc;
}

/* Synthetic weights in type: uniform in [-1, 1), then the format's own quantizer. */
static int make_mat(struct ev_gpu *g, struct gemv_mat *m, int rows, int cols, int type, int keep,
		    uint64_t *seed, struct ev_err *e)
{
	float *f;
	unsigned char *q;
	int rc;
	if (cols % ev_types[type].block_elems)
		return ev_fail(e, EV_ERR_UNSUPPORTED, "%s: a matrix of %d columns is not whole blocks of %d",
			       ev_types[type].name, cols, ev_types[type].block_elems);
	f = malloc(sizeof(float) * (size_t)cols);
	m->rows = rows;
	m->cols = cols;
	m->type = type;
	m->rb = ev_type_row_bytes(type, cols);
	q = malloc(m->rb * (size_t)rows);
	if (!f || !q) {
		free(f);
		free(q);
		return ev_fail(e, EV_ERR_RUNTIME, "GPU decode: out of memory");
	}
	for (int r = 0; r < rows; r++) {
		for (int c = 0; c < cols; c++)
			f[c] = (float)((double)(rnd(seed) >> 11) / 9007199254740992.0 * 2 - 1);
		ev_types[type].from_float(f, q + m->rb * (size_t)r, cols);
	}
	free(f);
	rc = upload_mat(g, m, q, e);
	if (keep && !rc)
		m->host = m->own = q;
	else
		free(q);
	return rc;
}

/* A matrix of a GGUF file (its bytes stay in the mapping). EV_ERR_UNSUPPORTED
 * names a tensor whose format the shader does not run. */
static int file_mat(struct ev_gpu *g, struct gemv_mat *m, const struct gguf_tensor *t, int keep,
		    struct ev_err *e)
{
	const struct gguf_type_info *ti = gguf_type(t->type);
	char name[GGUF_MAX_NAME + 1];
	int type = ti ? ti->ev_type : -1;
	gguf_str_c(t->name, name, sizeof name);
	if (gemv_fmt(type) < 0)
		return ev_fail(e, EV_ERR_UNSUPPORTED,
			       "tensor %s is %s: the GPU decode step runs " GEMV_TYPES " matrices (the "
			       "CPU's decode, without --gpu, runs the file)",
			       name, type >= 0 ? ev_types[type].name : ti ? ti->name : "of an unknown type");
	if (t->ne[0] % 32 || t->ne[0] > INT32_MAX || t->ne[1] > INT32_MAX || t->n_dims > 2)
		return ev_fail(e, EV_ERR_UNSUPPORTED, "tensor %s: %llu columns, not whole blocks of 32", name,
			       (unsigned long long)t->ne[0]);
	m->rows = (int)t->ne[1];
	m->cols = (int)t->ne[0];
	m->type = type;
	m->rb = ev_type_row_bytes(type, m->cols);
	if (keep)
		m->host = t->data;
	return upload_mat(g, m, t->data, e);
}

/* Every row of m against the host: the row dequantized, times x, in double. */
static int check_mat(struct ev_gpu *g, struct gemv_mat *m, const float *x, struct ev_gpu_decode *r,
		     struct ev_err *e)
{
	int type = m->type;
	float *got = malloc(sizeof(float) * (size_t)m->rows), *row = malloc(sizeof(float) * (size_t)m->cols);
	int rc = got && row ? EV_OK : ev_fail(e, EV_ERR_RUNTIME, "GPU decode: out of memory");
	for (int p = 0; p < m->nparts && !rc; p++)
		rc = gpu_buf_download(g, m->part[p].out, got + m->part[p].r0,
				      sizeof(float) * (size_t)m->part[p].rows, e);
	for (int i = 0; i < m->rows && !rc; i++) {
		double want = 0, mag = 0, err;
		ev_types[type].to_float(m->host + m->rb * (size_t)i, row, m->cols);
		for (int c = 0; c < m->cols; c++) {
			want += (double)row[c] * x[c];
			mag += fabs((double)row[c] * x[c]);
		}
		err = fabs(got[i] - want) / (mag + 1e-30);
		if (err > r->max_err_rel)
			r->max_err_rel = err;
		if (fabs(got[i] - want) > 1e-4 * mag + 1e-6 && r->status == EV_OK) {
			r->status = EV_ERR_VERIFY;
			snprintf(r->reason, sizeof r->reason,
				 "GPU decode %s: a %dx%d matrix, row %d: %.9g, the host says %.9g",
				 ev_types[type].name, m->rows, m->cols, i, got[i], want);
		}
		r->checked_rows++;
	}
	free(got);
	free(row);
	return rc;
}

/* One matrix times x with 1 << ri rows per subgroup, or per workgroup when
 * wg (its pipeline made on first use), a dispatch per part: *ts the sum of
 * their GPU times. */
static int gemv_run(struct ev_gpu *g, struct ev_gpu_kernel *k[6][GEMV_NR], int wg, const struct gemv_mat *m,
		    struct ev_gpu_buf *xb, int ri, double *ts, struct ev_err *e)
{
	int f = gemv_fmt(m->type), rc = EV_OK;
	/* 64 / subgroup size subgroups per workgroup, 1 << ri rows each */
	uint32_t sg = gpu_info(g)->subgroup_size ? gpu_info(g)->subgroup_size : 32;
	uint32_t per = (wg ? 1 : 64 / sg ? 64 / sg : 1) << ri;
	if (!k[f][ri]) {
		uint32_t spec[2] = {(uint32_t)f, 1u << ri};
		if ((rc = wg ? gpu_kernel_create(g, spv_gemv_wg, sizeof spv_gemv_wg, 4, 12, spec, 2, &k[f][ri], e)
			     : gpu_kernel_create(g, spv_gemv, sizeof spv_gemv, 4, 12, spec, 2, &k[f][ri], e)))
			return rc;
	}
	*ts = 0;
	for (int p = 0; p < m->nparts && !rc; p++) {
		const struct gemv_part *pt = &m->part[p];
		struct ev_gpu_buf *b[4] = {pt->w, pt->s ? pt->s : pt->w, xb, pt->out};
		uint32_t push[3] = {(uint32_t)pt->rows, (uint32_t)(m->cols / gemv_item(m->type)), 0};
		uint32_t groups = (uint32_t)((pt->rows + per - 1) / per);
		double t;
		if (groups > 65535)
			groups = 65535;
		if (!(rc = gpu_kernel_run(g, k[f][ri], b, push, groups, 1, &t, e)))
			*ts += t;
	}
	return rc;
}

int gpu_decode_step(struct ev_gpu *g, const struct ev_model_shape *s, int type, const struct gguf_file *gf,
		    const struct gguf_llama *gl, int tokens, struct ev_gpu_decode *r, struct ev_err *e)
{
	const int per_layer = 7, qd = s->n_heads * s->head_dim, kvd = s->n_kv_heads * s->head_dim;
	const int shapes[7][2] = {{qd, s->hidden},    {kvd, s->hidden}, {kvd, s->hidden}, {s->hidden, qd},
				  {s->ffn, s->hidden}, {s->ffn, s->hidden}, {s->hidden, s->ffn}};
	int nmat = s->n_layers * per_layer + 1, maxc = 0, rc = EV_OK;
	struct gemv_mat *m = calloc((size_t)nmat, sizeof *m);
	struct ev_gpu_kernel *k[6][GEMV_NR] = {{NULL}}; /* pipelines by fmt code and R */
	int tuned[8 * 6], forced = -1;                  /* R chosen by (kind of matrix, fmt) */
	const char *fr = getenv("EAVES_GPU_GEMV_ROWS"), *wgr = getenv("EAVES_GPU_WG_REDUCE");
	struct ev_gpu_buf *xb = NULL;
	float *x = NULL;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	memset(r, 0, sizeof *r);
	memset(tuned, -1, sizeof tuned);
	for (int ri = 0; fr && ri < GEMV_NR; ri++)
		if (atoi(fr) == 1 << ri)
			forced = ri;
	r->type = gf ? -1 : type;
	r->from_file = gf != NULL;
	snprintf(r->label, sizeof r->label, "%s", gf ? "file" : ev_types[type].name);
	r->nmat = nmat;
	/* without subgroup arithmetic, the workgroup folds (EAVES_GPU_WG_REDUCE=1 forces it: tests) */
	r->wg_reduce = !gpu_info(g)->subgroup_arith || (wgr && !strcmp(wgr, "1"));
	if (!gf && gemv_fmt(type) < 0) {
		free(m);
		return ev_fail(e, EV_ERR_USAGE, "decode --gpu: " GEMV_TYPES " (not %s)", ev_types[type].name);
	}
	if (!m)
		return ev_fail(e, EV_ERR_RUNTIME, "GPU decode: out of memory");
	for (int i = 0; i < nmat && !rc; i++) {
		int l = i / per_layer, j = i % per_layer, lm = i == nmat - 1;
		if (gf)
			rc = file_mat(g, &m[i], gguf_llama_matrix(gf, gl, lm ? -1 : l, j), lm || l == 0, e);
		else
			rc = make_mat(g, &m[i], lm ? s->vocab : shapes[j][0], lm ? s->hidden : shapes[j][1], type,
				      lm || l == 0, &seed, e);
		r->weight_bytes += (double)m[i].rb * m[i].rows;
		r->dispatches += m[i].nparts;
		r->weights += (double)m[i].rows * m[i].cols;
		if (m[i].cols > maxc)
			maxc = m[i].cols;
	}
	if (!rc && !(x = malloc(sizeof(float) * (size_t)maxc)))
		rc = ev_fail(e, EV_ERR_RUNTIME, "GPU decode: out of memory");
	for (int c = 0; c < maxc && !rc; c++)
		x[c] = (float)((double)(rnd(&seed) >> 11) / 9007199254740992.0 * 2 - 1);
	if (!rc && !(rc = gpu_buf_create(g, sizeof(float) * (size_t)maxc, &xb, e)))
		rc = gpu_buf_upload(g, xb, x, sizeof(float) * (size_t)maxc, e);

	for (int t = -1; t < tokens && t < EV_GPU_DEC_TOKENS && !rc; t++) { /* t = -1: warm-up */
		double sum = 0;
		for (int i = 0; i < nmat && !rc; i++) {
			int kind = i == nmat - 1 ? per_layer : i % per_layer;
			int key = kind * 6 + gemv_fmt(m[i].type);
			double ts, best = 0;
			if (t < 0 && tuned[key] < 0) { /* the first of its kind and format: time each R */
				for (int ri = 0; ri < GEMV_NR && !rc; ri++) {
					if (forced >= 0 && ri != forced)
						continue;
					for (int rep = 0; rep < 2 && !rc; rep++) {
						rc = gemv_run(g, k, r->wg_reduce, &m[i], xb, ri, &ts, e);
						if (!rc && (best == 0 || ts < best)) {
							best = ts;
							tuned[key] = ri;
						}
					}
				}
				if (i < per_layer || i == nmat - 1)
					r->rows_per_sg[kind] = 1 << tuned[key];
			}
			m[i].ri = tuned[key] < 0 ? GEMV_NR - 1 : tuned[key];
			if (!rc && !(rc = gemv_run(g, k, r->wg_reduce, &m[i], xb, m[i].ri, &ts, e)))
				sum += ts;
		}
		if (t >= 0 && !rc)
			r->step_s[r->ntok++] = sum;
	}
	for (int i = 0; i < nmat && !rc; i++)
		if (m[i].host)
			rc = check_mat(g, &m[i], x, r, e);
	if (!rc && r->ntok) {
		double v[EV_GPU_DEC_TOKENS];
		for (int i = 0; i < r->ntok; i++)
			v[i] = 1 / r->step_s[i];
		stats_compute(v, (size_t)r->ntok, 1, &r->tps);
	}
	if (rc == EV_ERR_USAGE || rc == EV_ERR_UNSUPPORTED) { /* out of device memory, no timestamps */
		r->status = rc;
		snprintf(r->reason, sizeof r->reason, "%s", e->msg);
		rc = EV_OK;
	}
	for (int f = 0; f < 6; f++)
		for (int ri = 0; ri < GEMV_NR; ri++)
			gpu_kernel_destroy(g, k[f][ri]);
	gpu_buf_destroy(g, xb);
	for (int i = 0; i < nmat; i++) {
		for (int p = 0; p < m[i].nparts; p++) {
			gpu_buf_destroy(g, m[i].part[p].w);
			gpu_buf_destroy(g, m[i].part[p].s);
			gpu_buf_destroy(g, m[i].part[p].out);
		}
		free(m[i].own);
	}
	free(m);
	free(x);
	return rc;
}

#else

int gpu_decode_step(struct ev_gpu *g, const struct ev_model_shape *s, int type, const struct gguf_file *gf,
		    const struct gguf_llama *gl, int tokens, struct ev_gpu_decode *r, struct ev_err *e)
{
	(void)g, (void)s, (void)gf, (void)gl, (void)tokens, (void)e;
	memset(r, 0, sizeof *r);
	r->type = gf ? -1 : type;
	r->from_file = gf != NULL;
	snprintf(r->label, sizeof r->label, "%s", gf ? "file" : ev_types[type].name);
	r->status = EV_ERR_UNSUPPORTED;
	snprintf(r->reason, sizeof r->reason, "built without Vulkan");
	return EV_OK;
}

#endif
