/* src/core/err.c: error record helpers. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int ev_fail(struct ev_err *e, int code, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

int ev_wrap(struct ev_err *e, const char *fmt, ...)
{
	char prefix[384], old[sizeof e->msg];
	va_list ap;
	if (!e)
		return EV_ERR_RUNTIME;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	snprintf(old, sizeof old, "%s", e->msg);
	snprintf(e->msg, sizeof e->msg, "%s: %s", prefix, old);
	return e->code;
}

static const char *const status_names[] = {
	[EV_OK] = "ok",
	[EV_ERR_RUNTIME] = "runtime error",
	[EV_ERR_USAGE] = "usage error",
	[EV_ERR_VERIFY] = "verification failed",
	[EV_ERR_UNSUPPORTED] = "unsupported",
	[EV_ERR_INTERRUPTED] = "interrupted",
};

const char *ev_status_str(int code)
{
	if (code < 0 || code >= (int)(sizeof status_names / sizeof status_names[0]))
		return "unknown error";
	return status_names[code];
}

int ev_exit_code(int code)
{
	switch (code) {
	case EV_OK:
		return 0;
	case EV_ERR_USAGE:
		return 2;
	case EV_ERR_VERIFY:
		return 3;
	case EV_ERR_INTERRUPTED:
		return 130;
	default:
		return 1;
	}
}
