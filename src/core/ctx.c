/* src/core/ctx.c: lazily opened machine description and progress output. */
#include "ctx.h"

#include <stdarg.h>
#include <string.h>

#include "timer.h"

int ctx_machine(struct ev_ctx *c)
{
	int rc;
	if (c->topo_open)
		return EV_OK;
	cpu_detect(&c->cpu);
	if ((rc = topo_open(&c->topo, NULL, &c->err)))
		return rc;
	c->topo_open = 1;
	sensors_read(&c->state_before);
	c->have_state_before = 1;
	if (c->topo.warning[0])
		fprintf(c->log, "eaves: warning: %s\n", c->topo.warning);
	return EV_OK;
}

void ctx_progress(struct ev_ctx *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (c->progress_tty) {
		fprintf(c->log, "\r\033[K%s", buf);
	} else {
		/* Logs and CI: a plain line every few seconds, not one per step. */
		double now = timer_now();
		if (now - c->last_progress_s < 5.0)
			return;
		c->last_progress_s = now;
		fprintf(c->log, "%s\n", buf);
	}
	fflush(c->log);
}

void ctx_progress_done(struct ev_ctx *c)
{
	if (c->progress_tty) {
		fprintf(c->log, "\r\033[K");
		fflush(c->log);
	}
}
