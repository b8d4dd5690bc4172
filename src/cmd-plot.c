/* src/cmd-plot.c: `eaves plot`: re-draw rooflines from saved results, no measuring. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "decode-plot.h"
#include "latency-plot.h"
#include "sustain-plot.h"
#include "json.h"
#include "opt.h"
#include "plot.h"
#include "result.h"

enum { O_OUT, O_JSON, O__N };
static const struct ev_opt opts[O__N] = {
	[O_OUT] = {"output", EV_OPT_STR, "FILE",
		   "FILE.png or FILE.svg (both are made, with FILE.dat and FILE.gp)", "roofline.png",
		   0, 0, 'o'},
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write what was drawn (the roofs) as JSON"},
};

#define MAX_RESULTS 16

int cmd_plot_base(const char *out, char *base, size_t len);
int cmd_plot_base(const char *out, char *base, size_t len)
{
	size_t n = strlen(out);
	if (n > 4 && (!strcmp(out + n - 4, ".png") || !strcmp(out + n - 4, ".svg")))
		n -= 4;
	else
		return -1;
	if (n + 1 > len)
		return -2; /* longer than the caller's buffer: never cut into another path */
	snprintf(base, len, "%.*s", (int)n, out);
	return 0;
}

/* The folder of -o's base path and its file name with a suffix ("-decode"):
 * where a result's other plots go, beside the roofline. */
static void beside(const char *base, const char *suffix, char *dir, size_t dlen, char *prefix, size_t plen)
{
	const char *sl = strrchr(base, '/');
	snprintf(dir, dlen, "%.*s", sl ? (int)(sl - base) : 1, sl ? base : ".");
	if (!dir[0])
		snprintf(dir, dlen, "/");
	snprintf(prefix, plen, "%s%s", sl ? sl + 1 : base, suffix);
}

int cmd_plot(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[MAX_RESULTS], base[1024];
	int npos, help, rc;
	struct rep_result *rs;
	const struct rep_result *ptr[MAX_RESULTS];
	struct plot_out po;
	if ((rc = opt_parse("plot", opts, O__N, v, argc, argv, pos, MAX_RESULTS, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "plot", "RESULT.json... [-o FILE.png|.svg]",
			       "Draw the roofline of one saved result, or overlay several, on any machine\n"
			       "(a sustain result: its rate, clock, temperature and power over time).\n"
			       "Writes FILE.dat and FILE.gp (gnuplot data and script) and, when gnuplot\n"
			       "is installed, FILE.png and FILE.svg.",
			       NULL, opts, O__N);
		return EV_OK;
	}
	if (npos < 1)
		return ev_fail(&c->err, EV_ERR_USAGE, "plot: give at least one result JSON file");
	if ((rc = cmd_plot_base(v[O_OUT].s, base, sizeof base)))
		return ev_fail(&c->err, EV_ERR_USAGE,
			       rc == -2 ? "-o: '%.60s...' is longer than eaves' path buffer"
				        : "-o: '%s' must end in .png or .svg",
			       v[O_OUT].s);
	if (npos == 1) {
		/* a sustain result (eaves sustain --json) has no roofs: its plot over time */
		cJSON *doc = NULL;
		if (json_read_file(pos[0], &doc, &c->err) == EV_OK &&
		    cJSON_GetObjectItemCaseSensitive(doc, "sustain") && !cJSON_GetObjectItemCaseSensitive(doc, "bw")) {
			char dir[1024], prefix[600];
			beside(base, "", dir, sizeof dir, prefix, sizeof prefix);
			if ((rc = plot_sustain(doc, dir, prefix, &po, &c->err)) == EV_OK)
				fprintf(c->out, "%s\n", po.note);
			cJSON_Delete(doc);
			return rc;
		}
		cJSON_Delete(doc);
	}
	rs = calloc((size_t)npos, sizeof *rs);
	if (!rs)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	for (int i = 0; i < npos; i++) {
		if ((rc = rep_load_file(pos[i], &rs[i], &c->err))) {
			free(rs);
			return rc;
		}
		ptr[i] = &rs[i];
	}
	rc = plot_roofline(ptr, npos, base, &po, &c->err);
	if (rc == EV_OK)
		fprintf(c->out, "%s\n", po.note);
	if (rc == EV_OK && npos == 1) {
		/* one result with decode runs: its decode plots beside the roofline */
		cJSON *doc = NULL;
		if (json_read_file(pos[0], &doc, &c->err) == EV_OK &&
		    cJSON_GetObjectItemCaseSensitive(doc, "decode")) {
			char dir[1024], prefix[600];
			beside(base, "-decode", dir, sizeof dir, prefix, sizeof prefix);
			if ((rc = plot_decode(doc, dir, prefix, &po, &c->err)) == EV_OK)
				fprintf(c->out, "%s\n", po.note);
		}
		if (rc == EV_OK && doc && cJSON_GetObjectItemCaseSensitive(doc, "sustain")) {
			/* and a characterize --full run's sustained run */
			char dir[1024], prefix[600];
			beside(base, "-sustain", dir, sizeof dir, prefix, sizeof prefix);
			if ((rc = plot_sustain(doc, dir, prefix, &po, &c->err)) == EV_OK)
				fprintf(c->out, "%s\n", po.note);
		}
		cJSON_Delete(doc);
	}
	if (rc == EV_OK && npos == 1 && (rs[0].nlatpts || rs[0].nloaded)) {
		/* and its latency plot */
		char dir[1024], prefix[600];
		beside(base, "-latency", dir, sizeof dir, prefix, sizeof prefix);
		if ((rc = plot_latency(&rs[0], dir, prefix, &po, &c->err)) == EV_OK)
			fprintf(c->out, "%s\n", po.note);
	}
	free(rs);
	return rc;
}
