/* probes/probes.c: the table built from EV_PROBES and its start-up check. */
#include "probes.h"

#include <stddef.h>

const struct ev_probe *const ev_probe_list[] = {
#define X(n) &ev_probe_##n,
	EV_PROBES(X)
#undef X
};
const int ev_probe_count = (int)(sizeof ev_probe_list / sizeof ev_probe_list[0]);

const char *probes_check(void)
{
	for (int i = 0; i < ev_probe_count; i++) {
		const struct ev_probe *p = ev_probe_list[i];
		if (!p->name || !p->summary || !p->run || !p->counts || !p->verify)
			return p->name ? p->name : "(unnamed)";
	}
	return NULL;
}
