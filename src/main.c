/* src/main.c: the eaves command line: `eaves <command> [options]`, dispatched
 * from one table (git/perf style). Only main.c and cmd-*.c print or exit. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "probes.h"
#include "version.h"

static volatile sig_atomic_t interrupted;

/* Ctrl-C, and the polite stops of systemd, CI timeouts and `kill` (SIGTERM)
 * and a closed terminal (SIGHUP): stop at the next repetition and write what
 * was measured, marked interrupted. A second signal kills at once. */
static void on_stop(int sig)
{
	interrupted = 1;
	signal(sig, SIG_DFL);
}

static void catch_stops(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa, old;
		/* a hangup ignored by whoever started eaves stays ignored (nohup); Ctrl-C
		 * and SIGTERM always stop it cleanly, also as a background job */
		if (sigs[i] == SIGHUP && !sigaction(sigs[i], NULL, &old) && old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_stop;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

static const struct {
	const char *name, *summary;
	int (*fn)(struct ev_ctx *, int, char **);
} commands[] = {
#define X(n, s) {#n, s, cmd_##n},
	EV_COMMANDS(X)
#undef X
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: eaves <command> [options]\n\n"
		   "eaves measures a machine's roofline (memory bandwidth per level, peak FLOP/s\n"
		   "per precision) and how fast LLM decoding can run on it.\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-13s %s\n", "help CMD", "the same as eaves CMD --help");
	fprintf(f, "  %-13s %s\n", "version", "print the version");
	fprintf(f, "\nEvery command takes --help and --json FILE (FILE '-' is stdout).\n");
}

int main(int argc, char **argv)
{
	struct ev_ctx c;
	const char *bad;
	char *help_argv[4];
	memset(&c, 0, sizeof c);
	c.argc = argc;
	c.argv = argv;
	c.stop = &interrupted;
	c.out = stdout;
	c.log = stderr;
	c.progress_tty = isatty(STDERR_FILENO);

	if ((bad = probes_check())) {
		fprintf(stderr, "eaves: internal error: probe '%s' misses a required op\n", bad);
		return 1;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("eaves %s (commit %s)\n", EV_VERSION, EV_COMMIT);
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		help_argv[0] = argv[0];
		help_argv[1] = argv[2];
		help_argv[2] = "--help";
		help_argv[3] = NULL;
		argv = help_argv;
		argc = 3;
	}
	catch_stops();
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			int rc = commands[i].fn(&c, argc - 1, argv + 1);
			/* Results go to stdout: output lost in a full disk or a closed pipe is
			 * an error, never exit 0. */
			if ((fflush(stdout) || ferror(stdout)) && rc == EV_OK)
				rc = ev_fail(&c.err, EV_ERR_RUNTIME, "cannot write to standard output: %s",
					     strerror(errno));
			if (rc != EV_OK && rc != EV_ERR_INTERRUPTED)
				fprintf(stderr, "eaves %s: %s\n", commands[i].name,
					c.err.msg[0] ? c.err.msg : ev_status_str(rc));
			if (rc == EV_ERR_INTERRUPTED)
				fprintf(stderr, "eaves %s: interrupted%s%s\n", commands[i].name,
					c.err.msg[0] ? ": " : "", c.err.msg);
			if (c.topo_open)
				topo_close(&c.topo);
			return ev_exit_code(rc);
		}
	}
	fprintf(stderr, "eaves: unknown command '%s' (see eaves --help)\n", argv[1]);
	return 2;
}
