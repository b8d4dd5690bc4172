/* reports/escape.h: strings read from result files are untrusted: each is
 * escaped for the place it is written to. Every function writes into buf
 * (truncated to len, always terminated) and returns buf. */
#ifndef EV_ESCAPE_H
#define EV_ESCAPE_H
#include <stddef.h>

/* A complete gnuplot string literal: single-quoted (no backslash escapes, no
 * backquote command substitution, no @ macros in gnuplot), quotes doubled,
 * control characters (a newline would end the command) replaced by '?'. */
const char *esc_gp(char *buf, size_t len, const char *s);
/* The inside of a double-quoted label in a gnuplot data file: no double quote
 * (it would end the label) and no control characters (a newline would start a
 * data line). */
const char *esc_dat(char *buf, size_t len, const char *s);
/* Markdown text in a table cell or a paragraph: | \ ` [ ] escaped (a cell, a
 * code span, a link cannot be broken out of), < > as entities (no HTML), control
 * characters (a newline would end the table row) replaced by a space. */
const char *esc_md(char *buf, size_t len, const char *s);
/* Text for a terminal: control characters (escape sequences) replaced by '?'. */
const char *esc_term(char *buf, size_t len, const char *s);

#endif
