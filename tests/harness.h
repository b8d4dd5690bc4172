/* tests/harness.h: the in-tree test helper (after redis' testhelp.h).
 * Each test program calls T_CHECK/T_SKIP inside test functions run by T_RUN,
 * and ends with T_DONE(), which prints "<prog>: N passed, N failed, N skipped". */
#ifndef EV_TEST_HARNESS_H
#define EV_TEST_HARNESS_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int t_pass, t_fail, t_skip;
static int t_cur_failed, t_cur_skipped;
static const char *t_prog = "test";

#define T_CHECK(cond, ...)                                                                   \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			printf("  check failed %s:%d: %s: ", __FILE__, __LINE__, #cond);     \
			printf(__VA_ARGS__);                                                 \
			printf("\n");                                                        \
			t_cur_failed++;                                                      \
		}                                                                            \
	} while (0)

#define T_NEAR(a, b, rel, what)                                                              \
	T_CHECK(fabs((double)(a) - (double)(b)) <= (rel) * fmax(1e-300, fabs((double)(b))),    \
		"%s: got %.17g want %.17g (rel tol %g)", (what), (double)(a), (double)(b),   \
		(double)(rel))

/* Skip the current test with a reason; the test function must return after it. */
#define T_SKIP(...)                                                                          \
	do {                                                                                 \
		printf("  skip: ");                                                          \
		printf(__VA_ARGS__);                                                         \
		printf("\n");                                                                \
		t_cur_skipped = 1;                                                           \
	} while (0)

/* Run one test: `call` is any statement (a call with arguments, for a test
 * per kernel), `name` what the PASS/FAIL/SKIP line says. */
#define T_RUN_NAMED(name, call)                                                              \
	do {                                                                                 \
		t_cur_failed = 0;                                                            \
		t_cur_skipped = 0;                                                           \
		call;                                                                        \
		if (t_cur_failed) {                                                          \
			printf("FAIL %s\n", name);                                           \
			t_fail++;                                                            \
		} else if (t_cur_skipped) {                                                  \
			printf("SKIP %s\n", name);                                           \
			t_skip++;                                                            \
		} else {                                                                     \
			printf("PASS %s\n", name);                                           \
			t_pass++;                                                            \
		}                                                                            \
	} while (0)
#define T_RUN(fn) T_RUN_NAMED(#fn, fn())

#define T_DONE()                                                                             \
	do {                                                                                 \
		printf("%s: %d passed, %d failed, %d skipped\n", t_prog, t_pass, t_fail,       \
		       t_skip);                                                              \
		return t_fail ? 1 : 0;                                                       \
	} while (0)

/* Path of a file in the source tree (tests run from the top folder). */
static inline const char *t_src(const char *rel)
{
	static char buf[4][1024];
	static int i;
	const char *root = getenv("EAVES_SRC");
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", root ? root : ".", rel);
	return buf[i];
}
/* A whole file as a string (NULL if unreadable); the caller frees it. */
static inline char *t_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

/* argv for "$EAVES_RUN $EAVES_BIN args" (qemu-user first when cross-built),
 * split at spaces inside line (which must outlive argv); returns the count. */
static inline int t_eaves_argv(const char *args, char *line, size_t len, char **argv, int max)
{
	const char *pre = getenv("EAVES_RUN"), *bin = getenv("EAVES_BIN");
	char *save = NULL;
	int n = 0;
	snprintf(line, len, "%s %s %s", pre ? pre : "", bin ? bin : "eaves", args);
	for (char *t = strtok_r(line, " ", &save); t && n < max - 1; t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	argv[n] = NULL;
	return n;
}
/* Run "$EAVES_RUN $EAVES_BIN args" with stdout and stderr into out (NUL-
 * terminated, cut at len - 1); child(), when given, runs in the child first
 * (it may _exit). The exit code (128 + signal), or -1. */
static inline int t_eaves_run(const char *args, char *out, size_t len, void (*child)(void))
{
	char line[2048], *argv[64];
	int fd[2], st;
	size_t got = 0;
	pid_t pid;
	t_eaves_argv(args, line, sizeof line, argv, 64);
	if (pipe(fd))
		return -1;
	if ((pid = fork()) == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		if (child)
			child();
		execvp(argv[0], argv);
		_exit(98);
	}
	close(fd[1]);
	for (ssize_t r; pid > 0 && got + 1 < len && (r = read(fd[0], out + got, len - 1 - got)) > 0;)
		got += (size_t)r;
	out[got] = 0;
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
#endif
