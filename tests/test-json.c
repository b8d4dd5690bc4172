/* tests/test-json.c: the bw section of a result from a fixed measurement
 * against a golden file, read back through the report reader (round trip),
 * and the atomic file writer. */
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "bw.h"
#include "harness.h"
#include "json.h"
#include "result.h"

static void fake(struct ev_bw_result *r)
{
	static struct ev_bw_point pts[2];
	memset(r, 0, sizeof *r);
	memset(pts, 0, sizeof pts);
	r->set = EV_TARGET_AVX2;
	r->pages = EV_PAGES_HUGE;
	r->timer_res_s = 2e-8;
	r->elapsed_s = 1.5;
	r->opts.nthr = 1;
	r->opts.threads[0] = 2;
	r->pts = pts;
	r->npoints = 2;
	for (int i = 0; i < 2; i++) {
		struct ev_bw_point *p = &pts[i];
		double bps[3];
		p->kernel = i ? BW_TRIAD : BW_READ;
		p->threads = 2;
		p->ws_bytes = i ? 3ull << 28 : 1ull << 28;
		p->iters = 2;
		p->bytes_per_rep = (double)p->ws_bytes * 2;
		p->bytes_wa_per_rep = i ? p->bytes_per_rep * 4 / 3 : p->bytes_per_rep;
		p->nsamples = 3;
		p->t_s[0] = 0.02;
		p->t_s[1] = 0.025;
		p->t_s[2] = 0.0125;
		for (int k = 0; k < 3; k++)
			bps[k] = p->bytes_per_rep / p->t_s[k];
		stats_compute(bps, 3, 1, &p->bw);
	}
	r->nlevels = 1;
	snprintf(r->levels[0].name, sizeof r->levels[0].name, "DRAM");
	r->levels[0].threads = 2;
	r->levels[0].kernel = BW_READ;
	r->levels[0].ws_lo = 134217728;
	r->levels[0].ws_hi = INFINITY;
	r->levels[0].point = 0;
}

static void test_bw_golden_round_trip(void)
{
	struct ev_bw_result r;
	struct rep_result back;
	struct ev_err e = {0};
	cJSON *doc = cJSON_CreateObject(), *want = NULL;
	char *txt;
	fake(&r);
	json_str(doc, "schema", EV_SCHEMA);
	json_num(doc, "schema_version", EV_SCHEMA_VERSION);
	cJSON_AddItemToObject(doc, "bw", bench_bw_json(&r));
	txt = cJSON_Print(doc);
	if (getenv("EAVES_UPDATE_GOLDEN")) {
		file_write_atomic(t_src("tests/fixtures/golden/bw-section.json"), txt, strlen(txt), &e);
		printf("  rewrote tests/fixtures/golden/bw-section.json\n");
	}
	T_CHECK(json_read_file(t_src("tests/fixtures/golden/bw-section.json"), &want, &e) == 0, "%s",
		e.msg);
	T_CHECK(want && cJSON_Compare(doc, want, 1), "bw section differs from the golden file:\n%s", txt);
	T_CHECK(strstr(txt, "NaN") == NULL && strstr(txt, "Infinity") == NULL && strstr(txt, "inf") == NULL,
		"no NaN or Inf written");
	/* 2 x 256 MiB / 0.0125 s = 42.9 GB/s best; median at 0.02 s */
	T_CHECK(rep_load(doc, "golden", &back, &e) == 0, "%s", e.msg);
	T_CHECK(back.nmem == 1 && !strcmp(back.mem[0].level, "DRAM") && back.mem[0].threads == 2 &&
			back.mem[0].best == 2.0 * (1 << 28) / 0.0125 &&
			back.mem[0].median == 2.0 * (1 << 28) / 0.02,
		"levels read back: %d %g %g", back.nmem, back.mem[0].best, back.mem[0].median);
	free(txt);
	cJSON_Delete(doc);
	cJSON_Delete(want);
}

static void test_atomic_write(void)
{
	char dir[] = "/tmp/eaves-json-XXXXXX", path[128], tmpl[160];
	struct ev_err e = {0};
	struct stat st;
	cJSON *d = cJSON_Parse("{\"a\":1}");
	T_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof path, "%s/out.json", dir);
	T_CHECK(json_write_file(d, path, &e) == 0 && stat(path, &st) == 0 && st.st_size > 0, "%s", e.msg);
	snprintf(tmpl, sizeof tmpl, "%s/out.json.tmp.%ld", dir, (long)getpid());
	T_CHECK(stat(tmpl, &st) != 0, "no temporary file left behind");
	snprintf(path, sizeof path, "%s/no/such/dir/out.json", dir);
	T_CHECK(json_write_file(d, path, &e) == EV_ERR_RUNTIME && strstr(e.msg, "cannot write"), "%s",
		e.msg);
	snprintf(path, sizeof path, "rm -rf %s", dir);
	T_CHECK(system(path) == 0, "cleanup");
	cJSON_Delete(d);
}

/* Output and input paths that are not plain files: a symlink is followed (also
 * to a file not made yet) and stays a link; a directory is refused; a FIFO
 * given as input is refused at once instead of blocking. */
static void test_special_paths(void)
{
	char dir[] = "/tmp/eaves-paths-XXXXXX", link[128], target[128], fifo[128], cmd[160];
	struct stat st;
	struct ev_err e = {0};
	cJSON *doc = NULL;
	T_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(link, sizeof link, "%s/link.json", dir);
	snprintf(target, sizeof target, "%s/target.json", dir);
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	T_CHECK(symlink("target.json", link) == 0, "symlink");
	T_CHECK(file_write_atomic(link, "{}\n", 3, &e) == EV_OK, "dangling link: %s", e.msg);
	T_CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the link stays a link");
	T_CHECK(stat(target, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 3, "its target written");
	T_CHECK(file_write_atomic(link, "{\"a\":1}\n", 8, &e) == EV_OK &&
			stat(target, &st) == 0 && st.st_size == 8,
		"existing target replaced through the link: %s", e.msg);
	T_CHECK(file_write_atomic(dir, "{}", 2, &e) == EV_ERR_USAGE && strstr(e.msg, "is a directory"),
		"%s", e.msg);
	T_CHECK(mkfifo(fifo, 0600) == 0, "mkfifo");
	T_CHECK(json_read_file(fifo, &doc, &e) == EV_ERR_USAGE && strstr(e.msg, "it is a FIFO"),
		"%s", e.msg);
	T_CHECK(json_read_file(dir, &doc, &e) == EV_ERR_USAGE && strstr(e.msg, "is a directory"),
		"%s", e.msg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	T_CHECK(system(cmd) == 0, "cleanup");
}

static void test_bad_json(void)
{
	cJSON *d = NULL;
	struct ev_err e = {0};
	char path[] = "/tmp/eaves-bad-XXXXXX";
	int fd = mkstemp(path);
	T_CHECK(fd >= 0 && write(fd, "{\n\"a\": 1,\n\"b\": [1, 2,\n}", 23) == 23, "write");
	close(fd);
	T_CHECK(json_read_file(path, &d, &e) == EV_ERR_USAGE && strstr(e.msg, "invalid JSON near line"),
		"%s", e.msg);
	unlink(path);
}

int main(void)
{
	t_prog = "test-json";
	T_RUN(test_bw_golden_round_trip);
	T_RUN(test_atomic_write);
	T_RUN(test_bad_json);
	T_RUN(test_special_paths);
	T_DONE();
}
