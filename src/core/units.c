/* src/core/units.c: unit parsing. Every parser rejects trailing junk, negatives and
 * overflow so a typo never becomes a silently wrong working-set size. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

static int parse_number(const char *s, double *v, const char **rest)
{
	char *end;
	if (!s || !*s)
		return -1;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || errno == ERANGE || !isfinite(*v) || *v < 0)
		return -1;
	*rest = skip_ws(end);
	return 0;
}

int units_parse_size(const char *s, uint64_t *bytes)
{
	static const struct {
		const char *suffix;
		double mul;
	} sfx[] = {
		{"", 1},
		{"b", 1},
		{"k", 1024.0},
		{"kb", 1024.0},
		{"kib", 1024.0},
		{"m", 1048576.0},
		{"mb", 1048576.0},
		{"mib", 1048576.0},
		{"g", 1073741824.0},
		{"gb", 1073741824.0},
		{"gib", 1073741824.0},
		{"t", 1099511627776.0},
		{"tb", 1099511627776.0},
		{"tib", 1099511627776.0},
	};
	double v;
	const char *rest;
	if (parse_number(s, &v, &rest))
		return -1;
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		if (strcasecmp(rest, sfx[i].suffix) == 0) {
			double b = v * sfx[i].mul;
			if (b >= 18446744073709551615.0 || b != floor(b))
				return -1;
			*bytes = (uint64_t)b;
			return 0;
		}
	}
	return -1;
}

int units_parse_time(const char *s, double *t_s)
{
	double v;
	const char *rest;
	if (parse_number(s, &v, &rest))
		return -1;
	if (!*rest || !strcasecmp(rest, "s"))
		*t_s = v;
	else if (!strcasecmp(rest, "ms"))
		*t_s = v * 1e-3;
	else if (!strcasecmp(rest, "us"))
		*t_s = v * 1e-6;
	else if (!strcasecmp(rest, "m") || !strcasecmp(rest, "min"))
		*t_s = v * 60;
	else if (!strcasecmp(rest, "h"))
		*t_s = v * 3600;
	else
		return -1;
	return 0;
}

int units_parse_bw(const char *s, double *bytes_per_s)
{
	static const struct {
		const char *suffix;
		double mul;
	} sfx[] = {
		{"", 1},       {"b/s", 1},      {"kb/s", 1e3},    {"mb/s", 1e6},
		{"gb/s", 1e9}, {"tb/s", 1e12},  {"kib/s", 1024.0}, {"mib/s", 1048576.0},
		{"gib/s", 1073741824.0},
	};
	double v;
	const char *rest;
	if (parse_number(s, &v, &rest))
		return -1;
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		if (!strcasecmp(rest, sfx[i].suffix)) {
			*bytes_per_s = v * sfx[i].mul;
			return *bytes_per_s > 0 ? 0 : -1;
		}
	}
	return -1;
}

int units_parse_count(const char *s, double *v)
{
	const char *rest;
	if (parse_number(s, v, &rest))
		return -1;
	if (!*rest)
		return 0;
	if (rest[1])
		return -1;
	switch (toupper((unsigned char)*rest)) {
	case 'K':
		*v *= 1e3;
		return 0;
	case 'M':
		*v *= 1e6;
		return 0;
	case 'B':
	case 'G':
		*v *= 1e9;
		return 0;
	case 'T':
		*v *= 1e12;
		return 0;
	default:
		return -1;
	}
}

#define LIST_MAX_VALUE (1L << 20)

static int list_fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int list_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}
#define NOT_LIST "'%s' is not a list of whole numbers (try 1,2 or 1-4)"

int units_parse_int_list(const char *s, int *vals, int max, char *why, size_t len)
{
	int n = 0;
	const char *p = s;
	if (!s || !*s)
		return list_fail(why, len, NOT_LIST, s ? s : "");
	while (*p) {
		char *end;
		long a, b;
		errno = 0;
		a = strtol(p, &end, 10);
		if (end == p || *p == '-' || *p == '+')
			return list_fail(why, len, NOT_LIST, s);
		if (errno || a > LIST_MAX_VALUE)
			return list_fail(why, len, "'%s': %ld is too large (at most 1048576)", s,
					 errno ? LONG_MAX : a);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			b = strtol(p, &end, 10);
			if (end == p || *p == '-' || *p == '+')
				return list_fail(why, len, NOT_LIST, s);
			if (errno || b > LIST_MAX_VALUE)
				return list_fail(why, len, "'%s': %ld is too large (at most 1048576)", s,
						 errno ? LONG_MAX : b);
			if (b < a)
				return list_fail(why, len, "'%s': the range ending at %ld runs backwards", s, b);
			p = end;
		}
		for (long v = a; v <= b; v++) {
			if (n >= max)
				return list_fail(why, len, "'%s': more than %ld values", s, (long)max);
			vals[n++] = (int)v;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return list_fail(why, len, NOT_LIST, s);
	}
	return n;
}

const char *units_fmt_bytes(char *buf, size_t len, double bytes)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int i = 0;
	while (bytes >= 1024 && i < 4) {
		bytes /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%.0f B", bytes);
	else if (bytes == floor(bytes))
		snprintf(buf, len, "%.0f %s", bytes, u[i]);
	else
		snprintf(buf, len, "%.1f %s", bytes, u[i]);
	return buf;
}

const char *units_fmt_bw(char *buf, size_t len, double bps)
{
	if (bps >= 1e9)
		snprintf(buf, len, "%.1f GB/s", bps / 1e9);
	else
		snprintf(buf, len, "%.1f MB/s", bps / 1e6);
	return buf;
}

const char *units_fmt_flops(char *buf, size_t len, double f)
{
	if (f >= 1e12)
		snprintf(buf, len, "%.2f TFLOP/s", f / 1e12);
	else
		snprintf(buf, len, "%.1f GFLOP/s", f / 1e9);
	return buf;
}
