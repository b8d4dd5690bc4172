/* src/core/ctx.h: the context passed down to every command: no global mutable state
 * beyond the SIGINT flag, which main.c owns. */
#ifndef EV_CTX_H
#define EV_CTX_H
#include <signal.h>
#include <stdio.h>

#include "counters.h"
#include "cpu.h"
#include "err.h"
#include "sensors.h"
#include "topo.h"

struct ev_ctx {
	struct ev_err err;
	struct ev_topo topo;
	struct ev_cpu cpu;
	int topo_open;
	int have_state_before;
	struct ev_sensors state_before; /* read when the machine was first looked at: before measuring */
	int argc;
	char **argv;           /* the whole command line, recorded in results */
	const volatile sig_atomic_t *stop;
	int progress_tty;      /* stderr is a terminal: progress on one line */
	double last_progress_s;
	FILE *out;             /* results: stdout */
	FILE *log;             /* diagnostics and progress: stderr */
	const char *counters_opt; /* --counters: NULL or auto, off, or libpfm4 names */
	int cnt_made[EV_CNT__USES];
	struct ev_cnt_plan cnt_plan[EV_CNT__USES];
};

/* Open topology and detect the CPU once, on first need. */
int ctx_machine(struct ev_ctx *c);
/* The counter plan for one use (enum ev_cnt_use), made once from
 * --counters and the topology's last-level cache; its reason says why
 * nothing is counted. */
const struct ev_cnt_plan *ctx_counters(struct ev_ctx *c, int use);
/* Progress line on stderr: rewritten in place on a terminal, plain lines otherwise. */
void ctx_progress(struct ev_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctx_progress_done(struct ev_ctx *c);

#endif
