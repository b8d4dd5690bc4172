/* tests/fuzz/fuzz-result.c: a result file from a stranger, through every
 * reader and writer that opens one: the roofs loader, the Markdown report,
 * the roofline, decode and latency plots (.dat/.gp text), the comparison table. Any
 * crash, sanitizer report or broken invariant (a gnuplot line where a
 * backquote stands outside single quotes) is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "decode-plot.h"
#include "latency-plot.h"
#include "sustain-plot.h"
#include "markdown.h"
#include "plot.h"
#include "result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_gp(const char *gp)
{
	int in = 0;
	for (const char *p = gp; p && *p; p++) {
		if (*p == '\n')
			in = 0;
		else if (*p == '\'')
			in = p[1] == '\'' && in ? (p++, 1) : !in;
		else if (*p == '`' && !in)
			abort(); /* a command gnuplot would run */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *txt = malloc(size + 1);
	cJSON *doc;
	struct rep_result *r = calloc(1, sizeof *r);
	struct ev_err e = {0};
	if (!txt || !r) {
		free(txt);
		free(r);
		return 0;
	}
	memcpy(txt, data, size);
	txt[size] = 0;
	doc = cJSON_Parse(txt);
	if (doc && rep_load(doc, "fuzz.json", r, &e) == EV_OK) {
		const struct rep_result *one[2] = {r, r};
		char *a = NULL, *b = NULL, *t[4] = {0};
		if (plot_roofline_text(one, 2, "f.dat", &a, &b, &e) == EV_OK)
			check_gp(b);
		free(a);
		free(b);
		if (plot_decode_text(doc, "d", &t[0], &t[1], &t[2], &t[3], &e) == EV_OK) {
			check_gp(t[1]);
			check_gp(t[3]);
		}
		for (int i = 0; i < 4; i++)
			free(t[i]);
		if (plot_latency_text(r, "l", &a, &b, &e) == EV_OK)
			check_gp(b);
		free(a);
		free(b);
		a = b = NULL;
		if (plot_sustain_text(doc, "s", &a, &b, &e) == EV_OK)
			check_gp(b);
		free(a);
		free(b);
		a = b = NULL;
		if (md_report(doc, "roofline.png", NULL, &a, &e) == EV_OK)
			free(a);
		a = cmp_table(one, 2, 1);
		free(a);
		a = cmp_table(one, 1, 0);
		free(a);
		a = cmp_fleet_table(one, 2, cmp_fleet_key("latency"), 1);
		free(a);
		{
			cJSON *j = cmp_json(one, 2);
			cJSON_Delete(j);
		}
	}
	cJSON_Delete(doc);
	free(r);
	free(txt);
	return 0;
}
