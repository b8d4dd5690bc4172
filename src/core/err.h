/* src/core/err.h: error codes and the error record threaded through every call.
 * Library code never prints or exits: it fills an ev_err and returns the code;
 * main.c and cmd-*.c print the message once (after SQLite's sqlite3ErrStr). */
#ifndef EV_ERR_H
#define EV_ERR_H

enum ev_status {
	EV_OK = 0,
	EV_ERR_RUNTIME = 1, /* something failed while running */
	EV_ERR_USAGE = 2,   /* bad option, value or input file */
	EV_ERR_VERIFY = 3,  /* a kernel's result did not check out */
	EV_ERR_UNSUPPORTED = 4, /* not available here: reported as skipped, never fatal */
	EV_ERR_INTERRUPTED = 5, /* Ctrl-C: stop measuring, keep what was measured */
};

struct ev_err {
	int code;
	char msg[768];
};

/* Record an error and return its code; a later call overwrites the message. */
int ev_fail(struct ev_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix the current message with more context: "reading X: <old message>". */
int ev_wrap(struct ev_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *ev_status_str(int code);
/* Process exit code for a status: 0 ok, 1 runtime, 2 usage, 3 verification. */
int ev_exit_code(int code);

#endif
