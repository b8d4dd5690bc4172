/* probes/gpu.c: the GPU kernels' runs and their checks. The shaders are in
 * probes/shaders/ (GLSL), compiled to SPIR-V by glslc at build time and
 * included here as word arrays; a build without glslc has none, and every
 * measurement is "unavailable". */
#include "gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ev_gpu_kernel_name[EV_GPU__KERNELS] = {"read", "write", "copy", "fp32_fma",
							  "fp16_fma"};

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

static int verify(struct ev_gpu *g, int kernel, struct ev_gpu_buf *const *b, uint64_t n4,
		  uint32_t groups, const uint32_t *src, uint32_t tag, struct ev_gpu_measure *m,
		  struct ev_err *e)
{
	uint64_t inv = (uint64_t)groups * WG, bad = 0, first = 0;
	int fma = ev_gpu_kernel_is_flop(kernel);
	size_t bytes = kernel == EV_GPU_READ ? inv * 4 : fma ? inv * 8 * 16 : n4 * 16;
	uint32_t *out = malloc(bytes);
	int rc;
	if (!out)
		return ev_fail(e, EV_ERR_RUNTIME, "GPU: out of memory");
	if ((rc = gpu_buf_download(g, kernel == EV_GPU_WRITE ? b[0] : b[1 - fma],
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
	/* EAVES_FAULT=verify:gpu: the path from a wrong GPU result to the user, tested */
	if (getenv("EAVES_FAULT") && !strcmp(getenv("EAVES_FAULT"), "verify:gpu") && !bad++)
		first = 0;
	if (bad) {
		m->status = EV_ERR_VERIFY;
		snprintf(m->reason, sizeof m->reason,
			 "GPU %s: %llu wrong results (the first at invocation or element %llu)",
			 ev_gpu_kernel_name[kernel], (unsigned long long)bad, (unsigned long long)first);
	}
	return EV_OK;
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
				{spv_fma16, sizeof spv_fma16, 1, 0}};
	struct ev_gpu_kernel *k = NULL;
	struct ev_gpu_buf *b[2] = {NULL, NULL};
	uint32_t *src = NULL, push[3] = {0, 0, 0};
	uint64_t n4 = 0, per;
	double t, target = quick ? 0.005 : 0.02;
	int rc;
	memset(m, 0, sizeof *m);
	m->kernel = kernel;
	if (kernel == EV_GPU_FMA16 && !in->fp16) {
		m->status = EV_ERR_UNSUPPORTED;
		snprintf(m->reason, sizeof m->reason, "GPU %d (%s) has no shaderFloat16", in->index, in->name);
		return EV_OK;
	}
	if (ev_gpu_kernel_is_flop(kernel)) {
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
		rc = gpu_kernel_create(g, K[kernel].spv, K[kernel].bytes, K[kernel].nbufs, 12, &k, e);
	/* calibrate: one dispatch, then enough per sample for `target` seconds */
	if (!rc)
		rc = gpu_kernel_run(g, k, b, push, m->groups, 1, &t, e);
	if (!rc) {
		m->reps = t > 0 ? (int)(target / t) + 1 : 64;
		if (m->reps > 256)
			m->reps = 256;
		for (int s = 0; s < (quick ? 5 : 11) && !rc; s++) {
			rc = gpu_kernel_run(g, k, b, push, m->groups, m->reps, &t, e);
			m->t_s[m->nsamples++] = t / m->reps;
		}
	}
	if (!rc)
		rc = verify(g, kernel, b, n4, m->groups, src, push[1], m, e);
	if (!rc && m->nsamples) {
		double v[EV_GPU_SAMPLES];
		for (int s = 0; s < m->nsamples; s++)
			v[s] = m->work_per_rep / m->t_s[s];
		stats_compute(v, (size_t)m->nsamples, 1, &m->rate);
	}
	if (rc == EV_ERR_UNSUPPORTED || rc == EV_ERR_USAGE) {
		m->status = rc;
		snprintf(m->reason, sizeof m->reason, "%s", e->msg);
		rc = EV_OK;
	}
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
