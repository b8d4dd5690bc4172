/* tests/test-nonroot.c: eaves as an ordinary user. CI and the README's
 * commands run as root, users mostly do not: the measuring commands, the
 * configs and the result files must work without privileges, and a place the
 * user cannot write must give a clean error. Run as root, the test drops to
 * the user `nobody` in a child; run as a user, it runs as that user. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static uid_t run_uid;
static gid_t run_gid;

/* In the child, before eaves: drop to the unprivileged user, and check that
 * it can read the binary and the tree (else exit 97 or 99). */
static void drop(void)
{
	if (geteuid() == 0 && (setgroups(0, NULL) || setgid(run_gid) || setuid(run_uid)))
		_exit(97);
	if (geteuid() == 0 && run_uid != 0)
		_exit(97); /* still root: the drop did not happen */
	if (access(getenv("EAVES_BIN"), X_OK) || access(t_src("configs/models"), R_OK | X_OK))
		_exit(99); /* the tree is not readable by this user */
}

/* Run eaves (behind $EAVES_RUN, e.g. qemu-user) as that user with args; its
 * stdout and stderr into out; returns the exit code, or -1. */
static int run(const char *args, char *out, size_t len)
{
	return t_eaves_run(args, out, len, drop);
}

static void test_as_user(void)
{
	static char out[1 << 16];
	char dir[] = "/tmp/eaves-user-XXXXXX", args[600];
	struct passwd *pw;
	int rc;
	if (!getenv("EAVES_BIN")) {
		T_SKIP("EAVES_BIN not set (run through scripts/run-tests.sh)");
		return;
	}
	if (geteuid() == 0) {
		pw = getpwnam("nobody");
		if (!pw) {
			T_SKIP("running as root and there is no user 'nobody' to run as");
			return;
		}
		run_uid = pw->pw_uid;
		run_gid = pw->pw_gid;
	} else {
		run_uid = geteuid();
		run_gid = getegid();
	}
	T_CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	if (geteuid() == 0)
		T_CHECK(chown(dir, run_uid, run_gid) == 0, "chown %s", dir);
	rc = run("info --no-clock", out, sizeof out);
	if (rc == 99) {
		T_SKIP("the build or source tree is not readable by uid %d (a clone in a private folder)",
		       (int)run_uid);
		rmdir(dir);
		return;
	}
	T_CHECK(rc == 0 && strstr(out, "topology:"), "info as uid %d: %d\n%.500s", (int)run_uid, rc, out);
	snprintf(args, sizeof args, "bw --threads 1 --kernels read --size 1MiB --quick --json %s/bw.json", dir);
	rc = run(args, out, sizeof out);
	T_CHECK(rc == 0, "bw as uid %d: %d\n%.500s", (int)run_uid, rc, out);
	snprintf(args, sizeof args, "plot %s -o %s/r.png", t_src("tests/fixtures/golden/result.json"), dir);
	rc = run(args, out, sizeof out);
	T_CHECK(rc == 0 || strstr(out, "gnuplot"), "plot as uid %d: %d\n%.500s", (int)run_uid, rc, out);
	rc = run("predict --model TinyLlama-1.1B --bandwidth 10GB/s --quant q4_0", out, sizeof out);
	T_CHECK(rc == 0 && strstr(out, "q4_0"), "predict reads configs as uid %d: %d\n%.500s",
		(int)run_uid, rc, out);
	if (run_uid != 0) {
		/* a folder the user cannot write: a clean error, exit 1 */
		rc = run("info --no-clock --json /proc/eaves-denied.json", out, sizeof out);
		T_CHECK(rc == 1 && strstr(out, "cannot write"), "denied write: %d\n%.500s", rc, out);
	}
	snprintf(args, sizeof args, "rm -rf '%s'", dir);
	T_CHECK(system(args) == 0, "cleanup");
}

int main(void)
{
	t_prog = "test-nonroot";
	T_RUN(test_as_user);
	T_DONE();
}
