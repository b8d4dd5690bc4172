/* src/core/sbuf.h: a growable text buffer for generated files (Markdown, gnuplot). */
#ifndef EV_SBUF_H
#define EV_SBUF_H
#include <stddef.h>

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the text (caller frees); NULL if memory ran out. */
char *sb_take(struct sbuf *b);
void sb_free(struct sbuf *b);

#endif
