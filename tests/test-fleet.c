/* tests/test-fleet.c: a lab of boards through Ansible, on this machine only:
 * tests/fleet/run-test.sh starts its own sshd on 127.0.0.1 and runs
 * scripts/fleet/run twice over three hosts (two pointing at this machine with
 * different --device, one of them without gnuplot on its PATH; one at a closed
 * port). Checked here: both results folders came back, the unreachable host
 * is reported and did not stop the others, the host without gnuplot still
 * returned result.json, the fleet table and overlaid plot name both boards,
 * and the second run kept both results instead of measuring again. Runs once,
 * in the native suite (not under the sanitizers or qemu); a skip when
 * ansible-core or openssh-server is missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"

static char tmp[256];

static int exists(const char *rel)
{
	char p[600];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	return !stat(p, &st) && st.st_size > 0;
}

static char *slurp_rel(const char *rel)
{
	char p[600];
	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	return t_slurp(p);
}

static void test_fleet(void)
{
	const char *bin = getenv("EAVES_BIN"), *run = getenv("EAVES_RUN");
	char cmd[2048], *out1, *out2, *r, *rep;
	int st, gnuplot;
	if (!bin || (run && *run) || strstr(bin, "build-san") || strstr(bin, "aarch64")) {
		T_SKIP("runs once, in the native suite (this is %s)", bin ? bin : "no EAVES_BIN");
		return;
	}
	snprintf(tmp, sizeof tmp, "/tmp/eaves-fleet-test.XXXXXX");
	if (!mkdtemp(tmp)) {
		T_CHECK(0, "mkdtemp");
		return;
	}
	snprintf(cmd, sizeof cmd, "sh %s %s %s > %s/test.out 2>&1", t_src("tests/fleet/run-test.sh"),
		 tmp, bin, tmp);
	st = system(cmd);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77) {
		char *why = slurp_rel("test.out");
		T_SKIP("%s", why ? strtok(why, "\n") : "cannot run here");
		free(why);
		return;
	}
	T_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "run-test.sh exited %d", st);
	out1 = slurp_rel("run1.out");
	out2 = slurp_rel("run2.out");
	T_CHECK(out1 && strstr(out1, "board-down: NO RESULT") && strstr(out1, "UNREACHABLE") &&
			strstr(out1, "run1 exit 1"),
		"the unreachable host is reported, exit 1:\n%s", out1 ? out1 : "(none)");
	T_CHECK(out1 && strstr(out1, "board-a: result in") && strstr(out1, "board-b: result in") &&
			strstr(out1, "2 host(s) with a result, 1 without"),
		"the other two came back");
	T_CHECK(exists("fleet/board-a/result.json") && exists("fleet/board-a/report.md") &&
			exists("fleet/board-a/roofline.gp") && exists("fleet/board-a/latency.dat"),
		"board-a's results folder fetched");
	gnuplot = system("command -v gnuplot >/dev/null 2>&1") == 0;
	if (gnuplot)
		T_CHECK(exists("fleet/board-a/roofline.png"), "board-a's plot rendered");
	T_CHECK(exists("fleet/board-b/result.json") && exists("fleet/board-b/roofline.gp") &&
			!exists("fleet/board-b/roofline.png"),
		"board-b (no gnuplot on its PATH) returned result.json and the .gp, no PNG");
	r = slurp_rel("fleet/board-a/result.json");
	T_CHECK(r && strstr(r, "\"id\":\t\"rpi5\"") && strstr(r, "\"--no-decode\""),
		"board-a ran with its own --device and the given options");
	free(r);
	r = slurp_rel("fleet/board-b/result.json");
	T_CHECK(r && strstr(r, "\"id\":\t\"orangepi5_rk3588s\""), "board-b with its --device");
	free(r);
	rep = slurp_rel("fleet/fleet-report/report.md");
	T_CHECK(rep && strstr(rep, "| board-a |") && strstr(rep, "| board-b |") && !strstr(rep, "board-down"),
		"the fleet report has a row per board that answered");
	free(rep);
	rep = slurp_rel("fleet/fleet-report/roofline.gp");
	T_CHECK(rep && strstr(rep, "title 'board-a: ") && strstr(rep, "title 'board-b: "),
		"the overlaid roofline names both boards");
	free(rep);
	T_CHECK(out2 && strstr(out2, "board-a: kept the result measured before") &&
			strstr(out2, "board-b: kept the result measured before") && strstr(out2, "run2 exit 1"),
		"a rerun keeps fetched results:\n%s", out2 ? out2 : "(none)");
	free(out1);
	free(out2);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
}

int main(void)
{
	t_prog = "test-fleet";
	T_RUN(test_fleet);
	T_DONE();
}
