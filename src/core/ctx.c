/* src/core/ctx.c: lazily opened machine description and progress output. */
#include "ctx.h"

#include <stdarg.h>
#include <stdio.h>
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

const struct ev_cnt_plan *ctx_counters(struct ev_ctx *c, int use)
{
	struct ev_cnt_plan *p = &c->cnt_plan[use];
	if (!c->cnt_made[use]) {
		int llc = c->topo_open ? topo_llc(&c->topo) : -1;
		struct ev_err e = {0};
		if (counters_plan(p, use, c->counters_opt, llc >= 0 ? c->topo.caches[llc].level : 0,
				  llc >= 0 ? c->topo.caches[llc].line_bytes : 0, &e))
			snprintf(p->reason, sizeof p->reason, "%s", e.msg); /* checked by the command */
		c->cnt_made[use] = 1;
	}
	return p;
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
