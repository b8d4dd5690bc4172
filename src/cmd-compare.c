/* src/cmd-compare.c: `eaves compare`: boards side by side, from saved results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "json.h"
#include "opt.h"
#include "plot.h"
#include "result.h"

enum { O_OUT, O_MD, O_JSON, O__N };
static const struct ev_opt opts[O__N] = {
	[O_OUT] = {"output", EV_OPT_STR, "FILE", "also draw the overlaid roofline to FILE.png|.svg",
		   NULL, 0, 0, 'o'},
	[O_MD] = {"md", EV_OPT_STR, "FILE", "write the table as Markdown to FILE"},
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the comparison as JSON ('-' = stdout)"},
};

int cmd_plot_base(const char *out, char *base, size_t len);

int cmd_compare(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[16], *txt;
	int npos, help, rc;
	struct rep_result *rs;
	const struct rep_result *ptr[16];
	if ((rc = opt_parse("compare", opts, O__N, v, argc, argv, pos, 16, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "compare", "A.json B.json ... [-o FILE.png] [--md FILE]",
			       "Compare saved results side by side: bandwidth per level, peaks, ridge\n"
			       "points, decode speeds, and each result's ratio to the first. No measuring.",
			       NULL, opts, O__N);
		return EV_OK;
	}
	if (npos < 2)
		return ev_fail(&c->err, EV_ERR_USAGE, "compare: give at least two result JSON files");
	rs = calloc((size_t)npos, sizeof *rs);
	if (!rs)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	for (int i = 0; i < npos; i++) {
		if ((rc = rep_load_file(pos[i], &rs[i], &c->err)))
			goto out;
		ptr[i] = &rs[i];
	}
	if (!v[O_JSON].set || strcmp(v[O_JSON].s, "-")) {
		txt = cmp_table(ptr, npos, 0);
		if (txt)
			fputs(txt, c->out);
		free(txt);
	}
	if (v[O_MD].set) {
		txt = cmp_table(ptr, npos, 1);
		rc = txt ? file_write_atomic(v[O_MD].s, txt, strlen(txt), &c->err)
			 : ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
		free(txt);
		if (rc)
			goto out;
	}
	if (v[O_JSON].set) {
		cJSON *doc = cmp_json(ptr, npos);
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
		if ((rc = plot_roofline(ptr, npos, base, &po, &c->err)))
			goto out;
		fprintf(c->out, "%s\n", po.note);
	}
out:
	free(rs);
	return rc;
}
