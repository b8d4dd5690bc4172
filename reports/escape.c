/* reports/escape.c: escaping of untrusted strings per output context. */
#include "escape.h"

#include <string.h>

static int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Append n bytes of `add` if they fit (keeping room for `tail` more bytes). */
static int put(char *buf, size_t len, size_t *o, const char *add, size_t n, size_t tail)
{
	if (*o + n + tail + 1 > len)
		return -1;
	memcpy(buf + *o, add, n);
	*o += n;
	return 0;
}

const char *esc_gp(char *buf, size_t len, const char *s)
{
	size_t o = 0;
	if (len < 3) {
		if (len)
			buf[0] = 0;
		return buf;
	}
	buf[o++] = '\'';
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		const char *add = *p == '\'' ? "''" : is_ctl(*p) ? "?" : (const char *)p;
		if (put(buf, len, &o, add, *p == '\'' ? 2 : 1, 1))
			break;
	}
	buf[o++] = '\'';
	buf[o] = 0;
	return buf;
}

/* Copy s replacing control characters by '?' and `from` (if not 0) by `to`. */
static const char *map_chars(char *buf, size_t len, const char *s, char from, char to)
{
	size_t o = 0;
	if (!len)
		return buf;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		char c = from && *p == (unsigned char)from ? to : is_ctl(*p) ? '?' : (char)*p;
		if (put(buf, len, &o, &c, 1, 0))
			break;
	}
	buf[o] = 0;
	return buf;
}

const char *esc_dat(char *buf, size_t len, const char *s)
{
	return map_chars(buf, len, s, '"', '\'');
}

const char *esc_md(char *buf, size_t len, const char *s)
{
	size_t o = 0;
	if (!len)
		return buf;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		char two[2] = {'\\', (char)*p};
		int r;
		if (is_ctl(*p))
			r = put(buf, len, &o, " ", 1, 0);
		else if (*p == '<')
			r = put(buf, len, &o, "&lt;", 4, 0);
		else if (*p == '>')
			r = put(buf, len, &o, "&gt;", 4, 0);
		else if (strchr("|\\`[]", *p))
			r = put(buf, len, &o, two, 2, 0);
		else
			r = put(buf, len, &o, (const char *)p, 1, 0);
		if (r)
			break;
	}
	buf[o] = 0;
	return buf;
}

const char *esc_term(char *buf, size_t len, const char *s)
{
	return map_chars(buf, len, s, 0, 0);
}
