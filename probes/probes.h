/* probes/probes.h: the probe list. This X-macro is the one place a probe is
 * added (stress-ng style); each probe lives in probes/<name>.c. */
#ifndef EV_PROBES_H
#define EV_PROBES_H
#include "probe.h"

#define EV_PROBES(X) X(clock) X(bw) X(lat) X(flops) X(decode)

#define X(n) extern const struct ev_probe ev_probe_##n;
EV_PROBES(X)
#undef X

extern const struct ev_probe *const ev_probe_list[];
extern const int ev_probe_count;
/* Start-up check of every probe's ops table (fio's check_engine_ops): the
 * name of the first probe missing a required op, or NULL. */
const char *probes_check(void);

#endif
