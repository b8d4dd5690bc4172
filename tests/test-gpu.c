/* tests/test-gpu.c: the GPU layer on whatever Vulkan device this machine has
 * (in CI: Mesa's CPU driver, lavapipe): every shader's result checked by the
 * host at sizes that are no multiple of the workgroup, device selection, and
 * the clean "unavailable" of a machine without a loader or without a driver
 * (each in a child process: the loader is opened once per process). Built
 * without Vulkan, the stubs must say so. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gguf-writer.h"
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
			if (m.status == EV_ERR_UNSUPPORTED && ev_gpu_kernel_is_coop(k)) {
				/* test_coop counts it (no driver here has them) */
				printf("  %s: %s\n", ev_gpu_kernel_name[k], m.reason);
				continue;
			}
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
			else if (ev_gpu_kernel_is_coop(k))
				T_CHECK(m.work_per_rep == (double)m.groups * m.iters * 8 * 2.0 * m.shape[0] *
								  m.shape[1] * m.shape[2],
					"%s: 8 multiply-adds of %ux%ux%u a step", ev_gpu_kernel_name[k], m.shape[0],
					m.shape[1], m.shape[2]);
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

/* The cooperative-matrix peak cannot run here (no driver in Debian 12 has
 * VK_NV_cooperative_matrix but NVIDIA's): what can be checked is that its
 * shader, both builds, is valid SPIR-V for Vulkan 1.1 (spirv-val), that a
 * device without the extension says why, and that the fp16 build's counts
 * keep every partial sum an exact fp16 integer. */
static void test_coop(void)
{
	struct ev_gpu_list l;
	uint32_t bad = 0;
	for (uint32_t k = 1; k <= 256; k++) {
		uint32_t it = gpu_coop_iters(k, 0);
		if (!(it >= 1 && 3 + (uint64_t)(it + 1) * k <= 2048) && !bad)
			bad = k;
	}
	T_CHECK(!bad, "K %u: %u fp16 steps leave a partial sum over 2048 (or none)", bad, gpu_coop_iters(bad, 0));
	T_CHECK(gpu_coop_iters(16, 0) == 126 && gpu_coop_iters(16, 1) == 1024 && !gpu_coop_iters(0, 0),
		"steps: fp16 K=16 126, fp32 1024");
	const char *bin = getenv("EAVES_BIN");
	if (bin && (strstr(bin, "build-san") || strstr(bin, "aarch64")))
		printf("  the shader's SPIR-V is checked in the native suite (the same source)\n");
	else if (system("command -v glslc >/dev/null 2>&1 && command -v spirv-val >/dev/null 2>&1"))
		T_SKIP("glslc or spirv-val (Debian spirv-tools) missing: the cooperative-matrix shader "
		       "is not validated");
	else
		for (int v = 0; v < 2; v++) {
			char cmd[1024], spv[64];
			snprintf(spv, sizeof spv, "/tmp/eaves-coop-%d-%d.spv", (int)getpid(), v);
			snprintf(cmd, sizeof cmd,
				 "glslc --target-env=vulkan1.1 -O %s %s -o %s && spirv-val --target-env "
				 "vulkan1.1 %s",
				 v ? "-DEV_ACC32" : "", t_src("probes/shaders/gpu-coopmat.comp"), spv, spv);
			T_CHECK(system(cmd) == 0, "gpu-coopmat.comp (%s accumulators): valid SPIR-V",
				v ? "fp32" : "fp16");
			unlink(spv);
		}
	gpu_list(&l);
	for (int i = 0; l.ok && i < l.n; i++)
		if (!l.dev[i].coop_nv) {
			struct ev_gpu *g = NULL;
			struct ev_err e = {0};
			struct ev_gpu_measure m;
			if (gpu_open(&g, i, &e))
				continue;
			T_CHECK(gpu_measure(g, EV_GPU_COOP32, 0, 1, &m, &e) == 0 && m.status == EV_ERR_UNSUPPORTED &&
					strstr(m.reason, "cooperative matri"),
				"GPU %d without NV cooperative matrices: %s", i, m.reason);
			gpu_close(g);
		}
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
	static const int types[] = {EV_TYPE_Q4_0, EV_TYPE_Q8_0, EV_TYPE_F16, EV_TYPE_Q4_K, EV_TYPE_Q5_K, EV_TYPE_Q6_K};
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
	/* every rows-per-subgroup variant of the shader (fixed), then the timed choice;
	 * then the workgroup-memory fold (a device without subgroup arithmetic: the
	 * Raspberry Pi's v3dv) with 1 row, 8 rows and the timed choice */
	for (size_t v = 0; v < 8 * (sizeof types / sizeof types[0]); v++) {
		static const char *const fixed[8] = {"1", "2", "4", "8", NULL, "1", "8", NULL};
		size_t i = v % (sizeof types / sizeof types[0]);
		const char *fix = fixed[v / (sizeof types / sizeof types[0])];
		int wg = v / (sizeof types / sizeof types[0]) >= 5;
		struct ev_gpu_decode d;
		struct ev_model_shape s2 = s;
		int kq = ev_types[types[i]].block_elems == 256;
		long rows = 128 + 64 + 64 + 128 + 256 + 256 + 128 + 512;
		if (kq) { /* k-quants: rows of whole 256-weight super-blocks */
			s2.hidden = 256;
			s2.n_heads = 8;
			s2.n_kv_heads = 4;
			s2.ffn = 512;
			rows = 256 + 128 + 128 + 256 + 512 + 512 + 256 + 512;
		}
		if (fix)
			setenv("EAVES_GPU_GEMV_ROWS", fix, 1);
		else
			unsetenv("EAVES_GPU_GEMV_ROWS");
		setenv("EAVES_GPU_WG_REDUCE", wg ? "1" : "0", 1);
		T_CHECK(gpu_decode_step(g, &s2, types[i], NULL, NULL, 2, &d, &e) == 0, "%s", e.msg);
		if (d.status == EV_ERR_UNSUPPORTED) {
			T_SKIP("%s", d.reason);
			continue;
		}
		/* 2 layers x 7 matrices + the LM head; rows checked: layer 0's 7 and the head */
		T_CHECK(d.status == EV_OK && d.nmat == 15 && d.ntok == 2 && d.tps.median > 0,
			"%s: status %d (%s)", ev_types[types[i]].name, d.status, d.reason);
		T_CHECK(d.checked_rows == rows && d.max_err_rel < 1e-4 && d.wg_reduce == wg,
			"%s, %s rows a %s: %ld rows checked, worst error %g of sum |w x|", ev_types[types[i]].name,
			fix ? fix : "timed", wg ? "workgroup" : "subgroup", d.checked_rows, d.max_err_rel);
		for (int k = 0; k < 8; k++) /* the choice is one of the four, or the one fixed */
			T_CHECK(d.rows_per_sg[k] == 1 || d.rows_per_sg[k] == 2 || d.rows_per_sg[k] == 4 ||
					d.rows_per_sg[k] == 8,
				"matrix %d: %d rows a subgroup", k, d.rows_per_sg[k]);
		if (fix)
			T_CHECK(d.rows_per_sg[0] == atoi(fix), "fixed: %d", d.rows_per_sg[0]);
		if (kq && !fix && !wg) { /* 128 columns: no whole super-block */
			T_CHECK(gpu_decode_step(g, &s, types[i], NULL, NULL, 1, &d, &e) == 0 &&
					d.status == EV_ERR_UNSUPPORTED && strstr(d.reason, "not whole blocks of 256"),
				"%s on 128 columns: %d %s", ev_types[types[i]].name, d.status, d.reason);
		}
	}
	unsetenv("EAVES_GPU_GEMV_ROWS");
	unsetenv("EAVES_GPU_WG_REDUCE");
	gpu_close(g);
	g = NULL;
	/* a device whose storage-buffer range is 64 KiB: the 512-row LM head in f16
	 * (256 bytes a row) goes in 2 parts, q8_0 (136) in 2, every row still checked */
	setenv("EAVES_GPU_MAX_BUFFER", "65536", 1);
	T_CHECK(gpu_open(&g, 0, &e) == 0 && g && gpu_info(g)->max_buffer_bytes == 65536, "%s", e.msg);
	for (int i = 1; g && i < 3; i++) {
		struct ev_gpu_decode d;
		T_CHECK(gpu_decode_step(g, &s, types[i], NULL, NULL, 1, &d, &e) == 0 && d.status == EV_OK &&
				d.checked_rows == 128 + 64 + 64 + 128 + 256 + 256 + 128 + 512 && d.max_err_rel < 1e-4 &&
				d.dispatches == 16,
			"%s in parts: %d %s, %ld rows checked, %d dispatches", ev_types[types[i]].name, d.status,
			d.reason, d.checked_rows, d.dispatches);
	}
	unsetenv("EAVES_GPU_MAX_BUFFER");
	if (!g)
		return;
	{
		struct ev_gpu_decode d;
		T_CHECK(gpu_decode_step(g, &s, EV_TYPE_BF16, NULL, NULL, 1, &d, &e) == EV_ERR_USAGE && strstr(e.msg, "bf16"),
			"bf16 refused: %s", e.msg);
	}
	gpu_close(g);
}

/* A GGUF file's matrices: a mix of the six formats (a q6_K LM head, as llama.cpp writes), row
 * counts that are no multiple of a subgroup's 8 (vocab 100, ffn 96) and rows
 * shorter than a subgroup's items (ffn 96: the q4_0 down matrix has 3 a row);
 * every row of layer 0 and the head checked. A bf16 tensor is refused, naming
 * it, and so is the file by the CLI. */
static void test_decode_gguf(void)
{
	static const int mix[9] = {EV_TYPE_Q4_0, EV_TYPE_Q8_0, EV_TYPE_F16, EV_TYPE_Q6_K, EV_TYPE_Q4_K,
				   EV_TYPE_Q5_K, EV_TYPE_Q4_0, EV_TYPE_Q8_0, EV_TYPE_Q6_K};
	static char out[1 << 16];
	char dir[] = "/tmp/eaves-gpu-XXXXXX", path[96], args[300];
	int st;
	struct gw_model gm = {.arch = "llama", .layers = 2, .hidden = 256, .heads = 4, .kv_heads = 2, .ffn = 96,
			      .vocab = 100, .ctx = 64, .theta = 10000, .eps = 1e-5f, .mix = mix, .seed = 7};
	struct ev_gpu_list l;
	struct ev_gpu *g = NULL;
	struct ev_err e = {0};
	unsigned char *bytes;
	size_t n;
	if (!have(&l) || !mkdtemp(dir))
		return;
	snprintf(path, sizeof path, "%s/mix.gguf", dir);
	n = gw_model_bytes(&gm, 3, &bytes);
	T_CHECK(gw_save(path, bytes, n) == 0, "%s", path);
	free(bytes);
	T_CHECK(gpu_open(&g, 0, &e) == 0, "%s", e.msg);
	for (int k6 = 0; k6 < 2 && g; k6++) {
		struct gguf_file gf;
		struct gguf_llama gl;
		struct ev_gpu_decode d;
		double want = 0;
		if (k6) { /* the same model with one bf16 matrix */
			static int mix6[9];
			memcpy(mix6, mix, sizeof mix6);
			mix6[3] = EV_TYPE_BF16;
			gm.mix = mix6;
			n = gw_model_bytes(&gm, 3, &bytes);
			T_CHECK(gw_save(path, bytes, n) == 0, "%s", path);
			free(bytes);
		}
		memset(&gf, 0, sizeof gf);
		if (gguf_open(&gf, path, 0, &e) || gguf_llama_read(&gf, &gl, &e)) {
			T_CHECK(0, "%s", e.msg);
			gguf_close(&gf);
			break;
		}
		for (int ly = -1; ly < gl.shape.n_layers; ly++)
			for (int j = 0; j < (ly < 0 ? 1 : 7); j++)
				want += (double)gguf_llama_matrix(&gf, &gl, ly, j)->bytes;
		T_CHECK(gpu_decode_step(g, &gl.shape, -1, &gf, &gl, 2, &d, &e) == 0, "%s", e.msg);
		if (!k6) {
			T_CHECK(d.status == EV_OK && d.from_file && d.nmat == 15 && d.ntok == 2 && d.tps.median > 0,
				"file: status %d (%s)", d.status, d.reason);
			T_CHECK(d.weight_bytes == want, "file: %.0f bytes a step, the tensors hold %.0f", d.weight_bytes,
				want);
			/* layer 0: q 256 rows, k, v 128 each, o 256, gate/up 96 each, down 256; head 100 */
			T_CHECK(d.checked_rows == 256 + 128 + 128 + 256 + 96 + 96 + 256 + 100 && d.max_err_rel < 1e-4,
				"file: %ld rows checked, worst error %g of sum |w x|", d.checked_rows, d.max_err_rel);
			if (getenv("EAVES_BIN")) { /* the CLI on the file, its JSON on stdout */
				snprintf(args, sizeof args, "decode --gpu 0 --gguf %s --quick --json -", path);
				st = t_eaves_run(args, out, sizeof out, NULL);
				T_CHECK(st == 0 && strstr(out, "\"weights\":\t\"file\"") &&
						strstr(out, "\"status\":\t\"ok\"") && strstr(out, "\"checked_rows\":\t1316"),
					"eaves %s: exit %d, %s", args, st, out);
			}
		} else {
			T_CHECK(d.status == EV_ERR_UNSUPPORTED && strstr(d.reason, "blk.0.attn_output.weight is bf16"),
				"bf16 refused: %d %s", d.status, d.reason);
		}
		gguf_close(&gf);
	}
	gpu_close(g);
	if (getenv("EAVES_BIN")) { /* the CLI refuses the file with a line naming the tensor */
		snprintf(args, sizeof args, "decode --gpu 0 --gguf %s --quick", path);
		st = t_eaves_run(args, out, sizeof out, NULL);
		T_CHECK(st > 0 && strstr(out, "blk.0.attn_output.weight is bf16") && strstr(out, "mix.gguf"),
			"eaves %s: exit %d, %s", args, st, out);
	}
	unlink(path);
	rmdir(dir);
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
	T_RUN(test_coop);
	T_RUN(test_decode_step);
	T_RUN(test_decode_gguf);
	T_DONE();
}
