/* tests/test-cli.c: the command line end to end, from the table in
 * tests/cli.tsv: `args | exit code | text expected in stdout+stderr`.
 * "@T" in args is replaced by a fresh temporary folder, "@S" by the source
 * tree. A row whose text starts with "!" expects the text to be absent. Args
 * starting "env:NAME=VALUE " run eaves with that variable set (fault injection,
 * EAVES_FAULT); "full: " sends eaves' stdout to /dev/full (stderr is read). */
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static char tmpdir[256];

static void subst(const char *in, char *out, size_t len)
{
	size_t o = 0;
	static char src[1024];
	if (!src[0] && !realpath(getenv("EAVES_SRC") ? getenv("EAVES_SRC") : ".", src))
		snprintf(src, sizeof src, ".");
	for (const char *p = in; *p && o + 1 < len; p++) {
		const char *rep = NULL;
		if (p[0] == '@' && p[1] == 'T')
			rep = tmpdir;
		else if (p[0] == '@' && p[1] == 'S')
			rep = src;
		if (rep) {
			o += (size_t)snprintf(out + o, len - o, "%s", rep);
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o < len ? o : len - 1] = 0;
}

static char *trim(char *s)
{
	char *e;
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		*--e = 0;
	return s;
}

static int rows_run, rows_failed;

static void run_row(const char *bin, char *line, int lineno)
{
	char *a = line, *b, *c, args[2048], cmd[4096], want[1024];
	static char out[1 << 20];
	FILE *p;
	size_t n;
	int status, code, wcode, absent = 0;
	b = strstr(a, " | ");
	if (!b)
		return;
	*b = 0;
	b += 3;
	c = strstr(b, " | ");
	if (!c)
		return;
	*c = 0;
	c += 3;
	subst(trim(a), args, sizeof args);
	wcode = atoi(trim(b));
	subst(trim(c), want, sizeof want);
	if (want[0] == '!')
		absent = 1;
	{
		const char *rest = args, *redir = "2>&1";
		char envset[256] = "";
		if (!strncmp(rest, "full: ", 6)) { /* stdout to a full device, stderr kept */
			redir = "2>&1 >/dev/full";
			rest += 6;
		}
		if (!strncmp(rest, "env:", 4) && strchr(rest, ' ')) {
			size_t k = (size_t)(strchr(rest, ' ') - rest - 4);
			snprintf(envset, sizeof envset, "%.*s", (int)k, rest + 4);
			rest = rest + 4 + k + 1;
		}
		snprintf(cmd, sizeof cmd, "cd '%s' && %s %s %s %s %s </dev/null", tmpdir, envset,
			 getenv("EAVES_RUN") ? getenv("EAVES_RUN") : "", bin, rest, redir);
	}
	p = popen(cmd, "r");
	if (!p) {
		T_CHECK(0, "line %d: cannot run %s", lineno, cmd);
		return;
	}
	n = fread(out, 1, sizeof out - 1, p);
	out[n] = 0;
	status = pclose(p);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	rows_run++;
	if (code != wcode || (!absent && !strstr(out, want)) || (absent && strstr(out, want + 1))) {
		rows_failed++;
		T_CHECK(0, "line %d: eaves %s: exit %d (want %d), %s '%s'; output:\n%.2000s", lineno,
			args, code, wcode, absent ? "must not contain" : "must contain",
			absent ? want + 1 : want, out);
	}
}

static void test_table(void)
{
	const char *bin = getenv("EAVES_BIN");
	char binabs[1024], line[4096];
	FILE *f = fopen(t_src("tests/cli.tsv"), "r");
	int lineno = 0;
	if (!bin || !f) {
		T_CHECK(0, "need EAVES_BIN and tests/cli.tsv");
		if (f)
			fclose(f);
		return;
	}
	if (!realpath(bin, binabs)) {
		T_CHECK(0, "no binary at %s", bin);
		fclose(f);
		return;
	}
	snprintf(tmpdir, sizeof tmpdir, "/tmp/eaves-cli-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		T_CHECK(0, "mkdtemp");
		fclose(f);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		run_row(binabs, line, lineno);
	}
	fclose(f);
	printf("  %d rows, %d failed\n", rows_run, rows_failed);
	{
		char rm[512];
		snprintf(rm, sizeof rm, "rm -rf '%s'", tmpdir);
		if (system(rm) != 0)
			printf("  could not remove %s\n", tmpdir);
	}
}

int main(void)
{
	t_prog = "test-cli";
	T_RUN(test_table);
	T_DONE();
}
