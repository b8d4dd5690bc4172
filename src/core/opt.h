/* src/core/opt.h: options declared as data (after fio's options.c): name, type,
 * argument name, help, default and bounds. One table per command generates both
 * the parser and the --help text, so they cannot disagree. */
#ifndef EV_OPT_H
#define EV_OPT_H
#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum ev_opt_type {
	EV_OPT_FLAG,   /* --quick */
	EV_OPT_STR,    /* --json FILE */
	EV_OPT_INT,    /* --threads 4 (bounded by min/max) */
	EV_OPT_SIZE,   /* --size 64MiB */
	EV_OPT_TIME,   /* --time 2s */
	EV_OPT_BW,     /* --bandwidth 100GB/s */
	EV_OPT_DOUBLE, /* --scale 1.5 */
	EV_OPT_COUNT,  /* --params 1.7e9 or 1.7G */
};

struct ev_opt {
	const char *name; /* without the leading "--" */
	enum ev_opt_type type;
	const char *arg;  /* shown in help: FILE, N, SIZE... */
	const char *help;
	const char *def;  /* default as text, or NULL */
	double min, max;  /* bounds for numbers; both 0 = unbounded */
	char shrt;        /* one-letter alias (-o), or 0 */
};

struct ev_optval {
	int set;          /* given on the command line */
	int has;          /* given or defaulted */
	const char *s;    /* the text */
	int64_t i;
	uint64_t u;       /* sizes */
	double d;         /* times, rates, doubles, counts */
};

/* Parse argv (argv[0] is the command name). Positional arguments are collected
 * into pos (up to maxpos). "-h"/"--help" set *help. Returns EV_OK or EV_ERR_USAGE. */
int opt_parse(const char *cmd, const struct ev_opt *opts, int nopts, struct ev_optval *vals,
	      int argc, char **argv, char **pos, int maxpos, int *npos, int *help,
	      struct ev_err *e);
void opt_print_help(FILE *f, const char *cmd, const char *usage, const char *summary,
		    const char *details, const struct ev_opt *opts, int nopts);

#endif
