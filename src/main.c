/* src/main.c: the eaves command line: `eaves <command> [options]`, dispatched
 * from one table (git/perf style). Only main.c and cmd-*.c print or exit. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "probes.h"
#include "version.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
	/* A second Ctrl-C kills at once. */
	signal(SIGINT, SIG_DFL);
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
	signal(SIGINT, on_sigint);
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			int rc = commands[i].fn(&c, argc - 1, argv + 1);
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
