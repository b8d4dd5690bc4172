/* src/core/config.h: locating and loading the JSON files in configs/: the
 * microarchitecture table, device datasheets, model shapes. Every loader names
 * the file, the entry and the field in its errors. */
#ifndef EV_CONFIG_H
#define EV_CONFIG_H
#include <stddef.h>

#include "err.h"
#include "roofs.h"

/* Folder of the configs: $EAVES_CONFIGS, or configs/ beside or above the
 * binary (build/eaves -> ./configs), or ./configs. */
const char *config_dir(void);
/* config_dir()/rel into buf. */
const char *config_path(char *buf, size_t len, const char *rel);

struct ev_uarch {
	char name[32];
	char basis[256];
	double ops_per_cycle[EV_PREC__COUNT]; /* by enum ev_prec; < 0: no such instruction */
};

/* Find `name` in a uarch table file. EV_OK and *found = 0/1, or a usage error
 * for a malformed file (every entry is validated, not only the one asked for). */
int uarch_lookup(const char *path, const char *name, struct ev_uarch *out, int *found,
		 struct ev_err *e);

#endif
