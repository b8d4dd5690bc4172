/* src/core/opt.c: table-driven option parser. */
#include "opt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

static int parse_value(const char *cmd, const struct ev_opt *o, const char *s, struct ev_optval *v,
		       struct ev_err *e)
{
	char *end;
	v->s = s;
	switch (o->type) {
	case EV_OPT_FLAG:
	case EV_OPT_STR:
		break;
	case EV_OPT_INT:
		errno = 0;
		v->i = strtoll(s, &end, 10);
		if (end == s || *end || errno)
			return ev_fail(e, EV_ERR_USAGE, "%s: --%s: '%s' is not a whole number", cmd,
				       o->name, s);
		v->d = (double)v->i;
		break;
	case EV_OPT_SIZE:
		if (units_parse_size(s, &v->u))
			return ev_fail(e, EV_ERR_USAGE,
				       "%s: --%s: '%s' is not a size (try 4096, 32KiB, 64MiB, 2GiB)",
				       cmd, o->name, s);
		v->d = (double)v->u;
		break;
	case EV_OPT_TIME:
		if (units_parse_time(s, &v->d))
			return ev_fail(e, EV_ERR_USAGE,
				       "%s: --%s: '%s' is not a time (try 500ms, 2s, 1m)", cmd,
				       o->name, s);
		break;
	case EV_OPT_BW:
		if (units_parse_bw(s, &v->d))
			return ev_fail(e, EV_ERR_USAGE,
				       "%s: --%s: '%s' is not a bandwidth (try 100GB/s, 800MB/s)",
				       cmd, o->name, s);
		break;
	case EV_OPT_DOUBLE:
		errno = 0;
		v->d = strtod(s, &end);
		if (end == s || *end || errno)
			return ev_fail(e, EV_ERR_USAGE, "%s: --%s: '%s' is not a number", cmd,
				       o->name, s);
		break;
	case EV_OPT_COUNT:
		if (units_parse_count(s, &v->d))
			return ev_fail(e, EV_ERR_USAGE,
				       "%s: --%s: '%s' is not a count (try 1.7e9 or 1.7G)", cmd,
				       o->name, s);
		break;
	}
	if ((o->min != 0 || o->max != 0) && o->type != EV_OPT_STR && o->type != EV_OPT_FLAG &&
	    (v->d < o->min || v->d > o->max))
		return ev_fail(e, EV_ERR_USAGE, "%s: --%s: %s is out of range [%g, %g]", cmd,
			       o->name, s, o->min, o->max);
	v->has = 1;
	return EV_OK;
}

int opt_parse(const char *cmd, const struct ev_opt *opts, int nopts, struct ev_optval *vals,
	      int argc, char **argv, char **pos, int maxpos, int *npos, int *help,
	      struct ev_err *e)
{
	int rc;
	*npos = 0;
	*help = 0;
	memset(vals, 0, sizeof *vals * (size_t)nopts);
	for (int k = 0; k < nopts; k++)
		if (opts[k].def && (rc = parse_value(cmd, &opts[k], opts[k].def, &vals[k], e)))
			return rc;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val = NULL;
		size_t len;
		int k;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = 1;
			continue;
		}
		if (a[0] == '-' && a[1] && a[1] != '-' && !a[2]) {
			int s;
			for (s = 0; s < nopts; s++)
				if (opts[s].shrt == a[1])
					break;
			if (s < nopts) {
				if (opts[s].type == EV_OPT_FLAG) {
					vals[s].set = vals[s].has = 1;
					vals[s].i = 1;
					continue;
				}
				if (i + 1 >= argc)
					return ev_fail(e, EV_ERR_USAGE, "%s: -%c needs a value (%s)", cmd,
						       a[1], opts[s].arg ? opts[s].arg : "VALUE");
				if ((rc = parse_value(cmd, &opts[s], argv[++i], &vals[s], e)))
					return rc;
				vals[s].set = 1;
				continue;
			}
		}
		if (!strcmp(a, "-") || strncmp(a, "--", 2) != 0) {
			if (a[0] == '-' && a[1])
				return ev_fail(e, EV_ERR_USAGE,
					       "%s: unknown option '%s' (see eaves %s --help)", cmd,
					       a, cmd);
			if (*npos >= maxpos)
				return ev_fail(e, EV_ERR_USAGE, "%s: unexpected argument '%s'",
					       cmd, a);
			pos[(*npos)++] = argv[i];
			continue;
		}
		a += 2;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < nopts; k++)
			if (strlen(opts[k].name) == len && !strncmp(opts[k].name, a, len))
				break;
		if (k == nopts)
			return ev_fail(e, EV_ERR_USAGE, "%s: unknown option '--%.*s' (see eaves %s --help)",
				       cmd, (int)len, a, cmd);
		if (opts[k].type == EV_OPT_FLAG) {
			if (eq)
				return ev_fail(e, EV_ERR_USAGE, "%s: --%s takes no value", cmd,
					       opts[k].name);
			vals[k].set = vals[k].has = 1;
			vals[k].i = 1;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return ev_fail(e, EV_ERR_USAGE, "%s: --%s needs a value (%s)", cmd,
				       opts[k].name, opts[k].arg ? opts[k].arg : "VALUE");
		if ((rc = parse_value(cmd, &opts[k], val, &vals[k], e)))
			return rc;
		vals[k].set = 1;
	}
	return EV_OK;
}

void opt_print_help(FILE *f, const char *cmd, const char *usage, const char *summary,
		    const char *details, const struct ev_opt *opts, int nopts)
{
	fprintf(f, "usage: eaves %s %s\n\n%s\n", cmd, usage, summary);
	if (details)
		fprintf(f, "\n%s", details);
	fprintf(f, "\noptions:\n");
	for (int k = 0; k < nopts; k++) {
		char left[64];
		if (opts[k].shrt)
			snprintf(left, sizeof left, "-%c, --%s%s%s", opts[k].shrt, opts[k].name,
				 opts[k].arg ? " " : "", opts[k].arg ? opts[k].arg : "");
		else
			snprintf(left, sizeof left, "--%s%s%s", opts[k].name, opts[k].arg ? " " : "",
				 opts[k].arg ? opts[k].arg : "");
		fprintf(f, "  %-22s %s", left, opts[k].help);
		if (opts[k].def)
			fprintf(f, " (default: %s)", opts[k].def);
		fprintf(f, "\n");
	}
	fprintf(f, "  %-22s %s\n", "-h, --help", "show this help");
}
