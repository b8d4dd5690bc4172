/* tests/fuzz/fuzz-values.c: option values (sizes, times, bandwidths, counts,
 * lists, weight formats, feature sets) and the escaping of untrusted strings
 * for gnuplot, data files, Markdown and terminals, with their invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "escape.h"
#include "quant.h"
#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[512], out[4096], why[256];
	uint64_t u;
	double d;
	int vals[16], types[EV_TYPE__COUNT];
	size_t n = size < sizeof s - 1 ? size : sizeof s - 1;
	memcpy(s, data, n);
	s[n] = 0;
	units_parse_size(s, &u);
	units_parse_time(s, &d);
	units_parse_bw(s, &d);
	units_parse_count(s, &d);
	units_parse_int_list(s, vals, 16, why, sizeof why);
	ev_type_list_parse(s, types, EV_TYPE__COUNT, why, sizeof why);
	cpu_target_by_name(s);
	/* escaping: no control character survives, and a gnuplot literal is one
	 * single-quoted string */
	esc_gp(out, sizeof out, s);
	if (out[0] != '\'' || out[strlen(out) - 1] != '\'')
		abort();
	for (size_t i = 1; i + 1 < strlen(out); i++)
		if (out[i] == '\'' && out[++i] != '\'')
			abort();
	esc_dat(out, sizeof out, s);
	if (strchr(out, '"'))
		abort();
	esc_md(out, sizeof out, s);
	if (strchr(out, '<') || strchr(out, '\n'))
		abort();
	esc_term(out, 8, s); /* truncation is safe */
	for (const char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	return 0;
}
