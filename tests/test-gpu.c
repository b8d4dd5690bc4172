/* tests/test-gpu.c: the GPU layer on whatever Vulkan device this machine has
 * (in CI: Mesa's CPU driver, lavapipe): every shader's result checked by the
 * host at sizes that are no multiple of the workgroup, device selection, and
 * the clean "unavailable" of a machine without a loader or without a driver
 * (each in a child process: the loader is opened once per process). Built
 * without Vulkan, the stubs must say so. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gpu.h"
#include "harness.h"
#include "model-shape.h"
#include "models.h"
#include "quant.h"

static int have(struct ev_gpu_list *l)
{
	gpu_list(l);
	if (!l->ok)
		T_SKIP("no Vulkan device here: %s", l->reason);
	return l->ok;
}

static void test_list(void)
{
	struct ev_gpu_list l;
#ifndef EV_HAVE_VULKAN
	gpu_list(&l);
	T_CHECK(!l.ok && strstr(l.reason, "built without Vulkan"), "stub: %s", l.reason);
	return;
#endif
	if (!have(&l))
		return;
	T_CHECK(l.n >= 1 && l.dev[0].name[0] && l.dev[0].type[0] && l.dev[0].max_buffer_bytes > 0,
		"%d device(s), first '%s' (%s)", l.n, l.dev[0].name, l.dev[0].type);
	T_CHECK(l.dev[0].nheaps >= 1 && l.dev[0].heap_bytes[0] > 0, "memory heaps");
}

static void test_kernels(void)
{
	struct ev_gpu_list l;
	struct ev_gpu *g = NULL;
	struct ev_err e = {0};
	/* odd sizes: a tail that is no multiple of the 256-wide workgroups */
	static const uint64_t ws[] = {4096 * 16 + 48, (1u << 20) + 16 * 7};
	if (!have(&l))
		return;
	T_CHECK(gpu_open(&g, 0, &e) == 0, "%s", e.msg);
	if (!g)
		return;
	for (int k = 0; k < EV_GPU__KERNELS; k++)
		for (size_t s = 0; s < (ev_gpu_kernel_is_steps(k) ? 1 : 2); s++) {
			struct ev_gpu_measure m;
			T_CHECK(gpu_measure(g, k, ws[s], 1, &m, &e) == 0, "%s: %s", ev_gpu_kernel_name[k],
				e.msg);
			if (m.status == EV_ERR_UNSUPPORTED) {
				T_SKIP("%s: %s", ev_gpu_kernel_name[k], m.reason);
				continue;
			}
			T_CHECK(m.status == EV_OK && m.nsamples >= 5 && m.rate.median > 0,
				"%s ws %llu: status %d (%s), %d samples", ev_gpu_kernel_name[k],
				(unsigned long long)ws[s], m.status, m.reason, m.nsamples);
			if (k == EV_GPU_SHARED)
				T_CHECK(m.ws_bytes == 4096 && m.work_per_rep == (double)m.groups * 256 * m.iters * 16,
					"workgroup memory: a 4 KiB tile, 16 bytes a read");
			else if (!ev_gpu_kernel_is_flop(k))
				T_CHECK(m.ws_bytes % 16 == 0 && m.work_per_rep == (double)m.ws_bytes,
					"%s: STREAM bytes", ev_gpu_kernel_name[k]);
			else
				T_CHECK(m.work_per_rep == (double)m.groups * 256 * m.iters * 64,
					"FMA: 8 vec4 chains x 2 FLOP per step");
		}
	/* a wrong result reaches the status (fault injection), for a global-memory,
	 * a workgroup-memory and a transfer kernel */
	for (int k = 0; k < 3; k++) {
		static const int ks[3] = {EV_GPU_READ, EV_GPU_SHARED, EV_GPU_D2H};
		struct ev_gpu_measure m;
		setenv("EAVES_FAULT", "verify:gpu", 1);
		T_CHECK(gpu_measure(g, ks[k], ws[0], 1, &m, &e) == 0 &&
				m.status == EV_ERR_VERIFY && strstr(m.reason, "wrong results"),
			"injected fault: status %d (%s)", m.status, m.reason);
		unsetenv("EAVES_FAULT");
	}
	gpu_close(g);
}

static void test_select(void)
{
	struct ev_gpu_list l;
	struct ev_gpu *g = NULL;
	struct ev_err e = {0};
	if (!have(&l))
		return;
	T_CHECK(gpu_open(&g, l.n, &e) == EV_ERR_USAGE && !g && strstr(e.msg, "Vulkan device(s)"),
		"index %d: %s", l.n, e.msg);
	T_CHECK(gpu_open(&g, -1, &e) == EV_ERR_USAGE && !g, "index -1");
}

/* A decode step's matrices of a tiny llama-shaped model in each format: every
 * output of the first layer and the LM head checked on the host. */
static void test_decode_step(void)
{
	static const int types[] = {EV_TYPE_Q4_0, EV_TYPE_Q8_0, EV_TYPE_F16};
	struct ev_gpu_list l;
	struct ev_gpu *g = NULL;
	struct ev_model_shape s;
	struct ev_err e = {0};
	if (!have(&l))
		return;
	T_CHECK(models_load_file(t_src("tests/fixtures/models/tiny-llama.json"), &s, &e) == 0, "%s", e.msg);
	T_CHECK(gpu_open(&g, 0, &e) == 0, "%s", e.msg);
	if (!g)
		return;
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		struct ev_gpu_decode d;
		T_CHECK(gpu_decode_step(g, &s, types[i], 2, &d, &e) == 0, "%s", e.msg);
		if (d.status == EV_ERR_UNSUPPORTED) {
			T_SKIP("%s", d.reason);
			continue;
		}
		/* 2 layers x 7 matrices + the LM head; rows checked: layer 0's 7 and the head */
		T_CHECK(d.status == EV_OK && d.nmat == 15 && d.ntok == 2 && d.tps.median > 0,
			"%s: status %d (%s)", ev_types[types[i]].name, d.status, d.reason);
		T_CHECK(d.checked_rows == 128 + 64 + 64 + 128 + 256 + 256 + 128 + 512 && d.max_err_rel < 1e-4,
			"%s: %ld rows checked, worst error %g of sum |w x|", ev_types[types[i]].name,
			d.checked_rows, d.max_err_rel);
	}
	{
		struct ev_gpu_decode d;
		T_CHECK(gpu_decode_step(g, &s, EV_TYPE_Q4_K, 1, &d, &e) == EV_ERR_USAGE && strstr(e.msg, "q4_K"),
			"q4_K refused: %s", e.msg);
	}
	gpu_close(g);
}

/* The machine without a loader, and the one whose loader finds no driver. */
static void child_case(const char *var, const char *val, const char *want)
{
	int st = -1;
	pid_t pid = fork();
	if (pid == 0) {
		struct ev_gpu_list l;
		setenv(var, val, 1);
		gpu_list(&l);
		_exit(!l.ok && strstr(l.reason, want) ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s=%s: expected '%s'", var, val, want);
}

static void test_unavailable(void)
{
#ifndef EV_HAVE_VULKAN
	T_SKIP("built without Vulkan (test_list checks the stubs)");
	return;
#endif
	child_case("EAVES_VULKAN_LIB", "/nonexistent/libvulkan.so.1", "no Vulkan loader");
	child_case("VK_ICD_FILENAMES", "/nonexistent/icd.json", "no Vulkan device");
}

int main(void)
{
	t_prog = "test-gpu";
	T_RUN(test_unavailable); /* first: the children must not inherit an opened loader */
	T_RUN(test_list);
	T_RUN(test_kernels);
	T_RUN(test_select);
	T_RUN(test_decode_step);
	T_DONE();
}
