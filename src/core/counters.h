/* src/core/counters.h: hardware counters through libpfm4 and perf_event_open.
 * Counters are a cross-check that may be unavailable (VMs without PMU
 * passthrough, perf_event_paranoid, containers): every figure eaves reports is
 * computed analytically as well, and a missing PMU is "unavailable: reason". */
#ifndef EV_COUNTERS_H
#define EV_COUNTERS_H
#include <stdint.h>

#include "err.h"

#define EV_COUNTERS_MAX 8

struct ev_counters_status {
	int available;
	char pmu[64];        /* the core PMU found under /sys/bus/event_source/devices */
	int paranoid;        /* /proc/sys/kernel/perf_event_paranoid, -99 unknown */
	char reason[256];
};

/* What the system offers (sysfs under the configurable root): no side effects. */
void counters_probe(struct ev_counters_status *s);

struct ev_counters;
/* Open a group of events by libpfm4 name ("cycles", "instructions",
 * "LLC-load-misses"...) on the calling thread. EV_ERR_UNSUPPORTED with the
 * reason (pfm_strerror, strerror) when the system cannot count them. */
int counters_open(struct ev_counters **out, const char *const *events, int n, struct ev_err *e);
int counters_start(struct ev_counters *c);
/* Stop and read the values (scaled for multiplexing) into vals[n]. */
int counters_stop(struct ev_counters *c, uint64_t *vals);
void counters_close(struct ev_counters *c);

#endif
