/* src/cmd-compare.c: `eaves compare`: boards side by side, from saved results;
 * a fleet (many boards, or --fleet/--sort) as one row per board. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "compare.h"
#include "escape.h"
#include "json.h"
#include "opt.h"
#include "plot.h"
#include "result.h"
#include "sbuf.h"

/* Results one comparison reads (each is ~250 KiB in memory). */
#define CMP_MAX_RESULTS 256
/* More results than this and the side-by-side table gives way to the fleet table. */
#define CMP_SIDE_BY_SIDE 6

enum { O_OUT, O_MD, O_JSON, O_SORT, O_FLEET, O_REPORT, O__N };
static const struct ev_opt opts[O__N] = {
	[O_OUT] = {"output", EV_OPT_STR, "FILE", "also draw the overlaid roofline to FILE.png|.svg",
		   NULL, 0, 0, 'o'},
	[O_MD] = {"md", EV_OPT_STR, "FILE", "write the table as Markdown to FILE"},
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the comparison as JSON ('-' = stdout)"},
	[O_SORT] = {"sort", EV_OPT_STR, "FIGURE", "fleet table sorted by: dram (default), dram1, datasheet, fp64, fp32, fp16, bf16, int8, latency, decode, ceiling"},
	[O_FLEET] = {"fleet", EV_OPT_FLAG, NULL, "one row per board (the default above 6 results)"},
	[O_REPORT] = {"report", EV_OPT_STR, "DIR", "write a fleet report: DIR/report.md, DIR/roofline.* and DIR/comparison.json"},
};

static const char details[] =
	"Each argument is a result.json, a results folder holding one, or a folder of\n"
	"results folders (a fleet: results/fleet-<UTC>/<host>/), in any mix. Two to six\n"
	"results are shown side by side with each one's ratio to the first; more (or\n"
	"--fleet, --sort) give one row per board, sorted by the chosen figure, with the\n"
	"measured DRAM read over each board's datasheet when it was run with --device.\n"
	"The overlaid roofline keeps one roof per board (legend outside) for fleets.\n";

int cmd_plot_base(const char *out, char *base, size_t len);

struct inputs {
	char *path[CMP_MAX_RESULTS];
	int n;
};

static int is_dir(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISREG(st.st_mode);
}

static int add_input(struct ev_ctx *c, struct inputs *in, const char *p)
{
	if (in->n >= CMP_MAX_RESULTS)
		return ev_fail(&c->err, EV_ERR_USAGE, "compare: more than %d results; eaves compares at most %d",
			       CMP_MAX_RESULTS, CMP_MAX_RESULTS);
	if (!(in->path[in->n] = strdup(p)))
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	in->n++;
	return EV_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file; a folder with result.json; or a folder whose subfolders hold them. */
static int expand(struct ev_ctx *c, struct inputs *in, const char *arg)
{
	char p[4200];
	DIR *d;
	struct dirent *de;
	char *names[CMP_MAX_RESULTS];
	int nn = 0, rc = EV_OK, found = 0;
	if (!is_dir(arg))
		return add_input(c, in, arg); /* a file, or a path the loader names */
	snprintf(p, sizeof p, "%s/result.json", arg);
	if (is_file(p))
		return add_input(c, in, p);
	if (!(d = opendir(arg)))
		return ev_fail(&c->err, EV_ERR_USAGE, "compare: cannot read folder '%s': %s", arg,
			       strerror(errno));
	while ((de = readdir(d)) && nn < CMP_MAX_RESULTS) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof p, "%s/%s/result.json", arg, de->d_name);
		if (is_file(p) && !(names[nn++] = strdup(p))) {
			rc = ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
			nn--;
			break;
		}
	}
	closedir(d);
	qsort(names, (size_t)nn, sizeof names[0], cmp_names); /* stable order: by host */
	for (int i = 0; i < nn; i++) {
		if (rc == EV_OK && (rc = add_input(c, in, names[i])) == EV_OK)
			found++;
		free(names[i]);
	}
	if (rc == EV_OK && !found)
		rc = ev_fail(&c->err, EV_ERR_USAGE,
			     "compare: '%s' holds no result.json, nor folders that do", arg);
	return rc;
}

static int write_text(struct ev_ctx *c, const char *path, char *txt)
{
	int rc = txt ? file_write_atomic(path, txt, strlen(txt), &c->err)
		     : ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	free(txt);
	return rc;
}

/* DIR/report.md, DIR/roofline.*, DIR/comparison.json. */
static int fleet_report(struct ev_ctx *c, const char *dir, const struct rep_result *const *ptr, int n,
			int sort, struct inputs *in)
{
	char path[4200], *tab, *side = NULL;
	struct plot_out po = {0};
	struct ev_err pe = {0};
	struct sbuf b = {0};
	cJSON *doc;
	int rc;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "--report: cannot create '%s': %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/roofline", dir);
	if (plot_roofline(ptr, n, path, &po, &pe) != EV_OK)
		snprintf(po.note, sizeof po.note, "%s", pe.msg);
	tab = cmp_fleet_table(ptr, n, sort, 1);
	if (n <= 16)
		side = cmp_table(ptr, n, 1);
	sb_printf(&b, "# Fleet report: %d board(s)\n\nMade by `eaves compare --report` from the result "
		      "files listed below; every figure was measured on its board (see each board's own "
		      "report.md for methods and spreads).\n\n## Boards\n\n%s\n",
		  n, tab ? tab : "");
	if (po.rendered)
		sb_printf(&b, "## Rooflines\n\n![overlaid rooflines](roofline.png)\n\n");
	else
		sb_printf(&b, "## Rooflines\n\nThe plot was not rendered: %s\n\n", po.note);
	if (side)
		sb_printf(&b, "## Side by side\n\n%s\n", side);
	sb_printf(&b, "## Files\n\n");
	for (int i = 0; i < in->n; i++) {
		char e[9000];
		sb_printf(&b, "- `%s`\n", esc_md(e, sizeof e, in->path[i]));
	}
	free(tab);
	free(side);
	snprintf(path, sizeof path, "%s/report.md", dir);
	if ((rc = write_text(c, path, sb_take(&b))))
		return rc;
	doc = cmp_json(ptr, n);
	snprintf(path, sizeof path, "%s/comparison.json", dir);
	rc = json_write_file(doc, path, &c->err);
	cJSON_Delete(doc);
	if (rc == EV_OK)
		fprintf(c->out, "fleet report: %s/report.md (%s)\n", dir, po.note);
	return rc;
}

int cmd_compare(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[CMP_MAX_RESULTS], *txt;
	int npos, help, rc, sort = 0, fleet;
	struct inputs in = {0};
	struct rep_result *rs = NULL;
	const struct rep_result **ptr = NULL;
	if ((rc = opt_parse("compare", opts, O__N, v, argc, argv, pos, CMP_MAX_RESULTS, &npos, &help,
			    &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "compare", "RESULT... [--sort FIGURE] [-o FILE.png] [--md FILE] [--report DIR]",
			       "Compare saved results: bandwidth per level, latency, peaks, ridge points,\n"
			       "decode speeds. No measuring.",
			       details, opts, O__N);
		return EV_OK;
	}
	if (v[O_SORT].set && (sort = cmp_fleet_key(v[O_SORT].s)) < 0)
		return ev_fail(&c->err, EV_ERR_USAGE, "--sort: unknown figure '%s' (known: %s)", v[O_SORT].s,
			       cmp_fleet_keys());
	for (int i = 0; i < npos; i++)
		if ((rc = expand(c, &in, pos[i])))
			goto out;
	if (in.n < 2) {
		rc = ev_fail(&c->err, EV_ERR_USAGE, "compare: give at least two result JSON files (or "
						    "folders holding them); found %d", in.n);
		goto out;
	}
	rs = calloc((size_t)in.n, sizeof *rs);
	ptr = calloc((size_t)in.n, sizeof *ptr);
	if (!rs || !ptr) {
		rc = ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		goto out;
	}
	for (int i = 0; i < in.n; i++) {
		if ((rc = rep_load_file(in.path[i], &rs[i], &c->err)))
			goto out;
		ptr[i] = &rs[i];
	}
	fleet = v[O_FLEET].set || v[O_SORT].set || in.n > CMP_SIDE_BY_SIDE;
	if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-")) {
		txt = fleet ? cmp_fleet_table(ptr, in.n, sort, 0) : cmp_table(ptr, in.n, 0);
		if (txt)
			fputs(txt, c->out);
		free(txt);
	}
	if (v[O_MD].set &&
	    (rc = write_text(c, v[O_MD].s, fleet ? cmp_fleet_table(ptr, in.n, sort, 1) : cmp_table(ptr, in.n, 1))))
		goto out;
	if (v[O_JSON].set) {
		cJSON *doc = cmp_json(ptr, in.n);
		rc = cmd_write_json(c, doc, v[O_JSON].s);
		cJSON_Delete(doc);
		if (rc)
			goto out;
	}
	if (v[O_OUT].set) {
		char base[1024];
		struct plot_out po;
		if ((rc = cmd_plot_base(v[O_OUT].s, base, sizeof base))) {
			rc = ev_fail(&c->err, EV_ERR_USAGE,
				     rc == -2 ? "-o: '%.60s...' is longer than eaves' path buffer"
					      : "-o: '%s' must end in .png or .svg",
				     v[O_OUT].s);
			goto out;
		}
		if ((rc = plot_roofline(ptr, in.n, base, &po, &c->err)))
			goto out;
		fprintf(c->out, "%s\n", po.note);
	}
	if (v[O_REPORT].set)
		rc = fleet_report(c, v[O_REPORT].s, ptr, in.n, sort, &in);
out:
	for (int i = 0; i < in.n; i++)
		free(in.path[i]);
	free(rs);
	free(ptr);
	return rc;
}
