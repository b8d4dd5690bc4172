/* probes/gpu.c: the GPU kernels' runs and their checks. The shaders are in
 * probes/shaders/ (GLSL), compiled to SPIR-V by glslc at build time and
 * included here as word arrays; a build without glslc has none, and every
 * measurement is "unavailable". */
#include "gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ev_gpu_kernel_name[EV_GPU__KERNELS] = {
	"read", "write", "copy", "fp32_fma", "fp16_fma", "shared_read", "host_to_device", "device_to_host",
	"int8_dot"};

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
	if (fault_injected() && !bad++)
		first = 0;
	if (bad) {
		m->status = EV_ERR_VERIFY;
		snprintf(m->reason, sizeof m->reason,
			 "GPU %s: %llu wrong results (the first at invocation or element %llu)",
			 ev_gpu_kernel_name[kernel], (unsigned long long)bad, (unsigned long long)first);
	}
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
		if (fault_injected() && !bad++)
			first = 0;
		if (bad) {
			m->status = EV_ERR_VERIFY;
			snprintf(m->reason, sizeof m->reason,
				 "GPU %s: %llu wrong results (the first at element %llu)", ev_gpu_kernel_name[kernel],
				 (unsigned long long)bad, (unsigned long long)first);
		}
	}
	rc = finish(m, rc, e);
	gpu_buf_destroy(g, b);
	free(src);
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
				{spv_dot8, sizeof spv_dot8, 1, 0}};
	struct ev_gpu_kernel *k = NULL;
	struct ev_gpu_buf *b[2] = {NULL, NULL};
	uint32_t *src = NULL, push[3] = {0, 0, 0};
	uint64_t n4 = 0, per;
	int rc;
	memset(m, 0, sizeof *m);
	m->kernel = kernel;
	if (ev_gpu_kernel_is_transfer(kernel))
		return measure_transfer(g, kernel, ws_bytes, quick, m, e);
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
		rc = gpu_kernel_create(g, K[kernel].spv, K[kernel].bytes, K[kernel].nbufs, 12, &k, e);
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

#include "model-shape.h"
#include "quant.h"

static const uint32_t spv_gemv[] =
#include "gpu-gemv.inc"
	;

struct gemv_mat {
	int rows, cols;
	size_t rb;
	struct ev_gpu_buf *w, *out;
	unsigned char *host; /* kept for the check (first layer, LM head), else NULL */
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Synthetic weights in type: uniform in [-1, 1), then the format's own quantizer. */
static int make_mat(struct ev_gpu *g, struct gemv_mat *m, int rows, int cols, int type, int keep,
		    uint64_t *seed, struct ev_err *e)
{
	float *f = malloc(sizeof(float) * (size_t)cols);
	unsigned char *q;
	int rc;
	m->rows = rows;
	m->cols = cols;
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
	if ((rc = gpu_buf_create(g, m->rb * (size_t)rows, &m->w, e)) ||
	    (rc = gpu_buf_upload(g, m->w, q, m->rb * (size_t)rows, e)) ||
	    (rc = gpu_buf_create(g, sizeof(float) * (size_t)rows, &m->out, e))) {
		free(q);
		return rc;
	}
	if (keep)
		m->host = q;
	else
		free(q);
	return EV_OK;
}

/* Every row of m against the host: the row dequantized, times x, in double. */
static int check_mat(struct ev_gpu *g, struct gemv_mat *m, int type, const float *x,
		     struct ev_gpu_decode *r, struct ev_err *e)
{
	float *got = malloc(sizeof(float) * (size_t)m->rows), *row = malloc(sizeof(float) * (size_t)m->cols);
	int rc = got && row ? gpu_buf_download(g, m->out, got, sizeof(float) * (size_t)m->rows, e) :
			      ev_fail(e, EV_ERR_RUNTIME, "GPU decode: out of memory");
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

int gpu_decode_step(struct ev_gpu *g, const struct ev_model_shape *s, int type, int tokens,
		    struct ev_gpu_decode *r, struct ev_err *e)
{
	const int per_layer = 7, qd = s->n_heads * s->head_dim, kvd = s->n_kv_heads * s->head_dim;
	const int shapes[7][2] = {{qd, s->hidden},    {kvd, s->hidden}, {kvd, s->hidden}, {s->hidden, qd},
				  {s->ffn, s->hidden}, {s->ffn, s->hidden}, {s->hidden, s->ffn}};
	int nmat = s->n_layers * per_layer + 1, maxc = s->hidden > s->ffn ? s->hidden : s->ffn, rc = EV_OK;
	struct gemv_mat *m = calloc((size_t)nmat, sizeof *m);
	struct ev_gpu_kernel *k = NULL;
	struct ev_gpu_buf *xb = NULL;
	float *x = malloc(sizeof(float) * (size_t)(maxc > qd ? maxc : qd));
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	memset(r, 0, sizeof *r);
	r->type = type;
	r->nmat = nmat;
	if (!gpu_info(g)->subgroup_arith) {
		free(m);
		free(x);
		r->status = EV_ERR_UNSUPPORTED;
		snprintf(r->reason, sizeof r->reason, "GPU %d has no subgroup arithmetic in compute shaders",
			 gpu_info(g)->index);
		return EV_OK;
	}
	if (type != EV_TYPE_F16 && type != EV_TYPE_Q8_0 && type != EV_TYPE_Q4_0) {
		free(m);
		free(x);
		return ev_fail(e, EV_ERR_USAGE, "decode --gpu: f16, q8_0 or q4_0 (not %s)", ev_types[type].name);
	}
	if (!m || !x) {
		free(m);
		free(x);
		return ev_fail(e, EV_ERR_RUNTIME, "GPU decode: out of memory");
	}
	if (maxc < qd)
		maxc = qd;
	for (int c = 0; c < maxc; c++)
		x[c] = (float)((double)(rnd(&seed) >> 11) / 9007199254740992.0 * 2 - 1);
	for (int i = 0; i < nmat && !rc; i++) {
		int l = i / per_layer, j = i % per_layer, lm = i == nmat - 1;
		rc = make_mat(g, &m[i], lm ? s->vocab : shapes[j][0], lm ? s->hidden : shapes[j][1], type,
			      lm || l == 0, &seed, e);
		r->weight_bytes += (double)m[i].rb * m[i].rows;
	}
	if (!rc && !(rc = gpu_buf_create(g, sizeof(float) * (size_t)maxc, &xb, e)))
		rc = gpu_buf_upload(g, xb, x, sizeof(float) * (size_t)maxc, e);
	if (!rc)
		rc = gpu_kernel_create(g, spv_gemv, sizeof spv_gemv, 3, 16, &k, e);
	for (int t = -1; t < tokens && t < EV_GPU_DEC_TOKENS && !rc; t++) { /* t = -1: warm-up */
		double sum = 0;
		for (int i = 0; i < nmat && !rc; i++) {
			struct ev_gpu_buf *b[3] = {m[i].w, xb, m[i].out};
			uint32_t push[4] = {(uint32_t)m[i].rows, (uint32_t)m[i].cols, (uint32_t)m[i].rb,
					    type == EV_TYPE_F16 ? 0u : type == EV_TYPE_Q8_0 ? 1u : 2u};
			/* a row per subgroup: 64 / subgroup size rows per workgroup */
			uint32_t sg = gpu_info(g)->subgroup_size ? gpu_info(g)->subgroup_size : 32;
			uint32_t per = 64 / sg ? 64 / sg : 1;
			uint32_t groups = (uint32_t)((m[i].rows + per - 1) / per);
			if (groups > 65535)
				groups = 65535;
			double ts;
			rc = gpu_kernel_run(g, k, b, push, groups, 1, &ts, e);
			sum += ts;
		}
		if (t >= 0 && !rc)
			r->step_s[r->ntok++] = sum;
	}
	for (int i = 0; i < nmat && !rc; i++)
		if (m[i].host)
			rc = check_mat(g, &m[i], type, x, r, e);
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
	gpu_kernel_destroy(g, k);
	gpu_buf_destroy(g, xb);
	for (int i = 0; i < nmat; i++) {
		gpu_buf_destroy(g, m[i].w);
		gpu_buf_destroy(g, m[i].out);
		free(m[i].host);
	}
	free(m);
	free(x);
	return rc;
}

#else

int gpu_decode_step(struct ev_gpu *g, const struct ev_model_shape *s, int type, int tokens,
		    struct ev_gpu_decode *r, struct ev_err *e)
{
	(void)g, (void)s, (void)tokens, (void)e;
	memset(r, 0, sizeof *r);
	r->type = type;
	r->status = EV_ERR_UNSUPPORTED;
	snprintf(r->reason, sizeof r->reason, "built without Vulkan");
	return EV_OK;
}

#endif
