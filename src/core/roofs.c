/* src/core/roofs.c: the name tables of roofs.h. */
#include "roofs.h"

#include <string.h>

const char *const ev_prec_name[EV_PREC__COUNT] = {
#define X(id, nm) [EV_PREC_##id] = nm,
	EV_PRECISIONS(X)
#undef X
};

const char *const ev_level_name[EV_LEVEL__COUNT] = {
#define X(id, nm) [EV_LEVEL_##id] = nm,
	EV_LEVELS(X)
#undef X
};

int ev_prec_by_name(const char *name)
{
	for (int i = 0; i < EV_PREC__COUNT; i++)
		if (!strcmp(ev_prec_name[i], name))
			return i;
	return -1;
}
