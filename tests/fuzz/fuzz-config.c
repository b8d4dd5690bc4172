/* tests/fuzz/fuzz-config.c: the config loaders (model shapes, device
 * datasheets, the microarchitecture table, run profiles) on arbitrary files: every error
 * must be a clean one naming file and field. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cmds.h"
#include "config.h"
#include "devices.h"
#include "models.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct ev_model_shape m;
	struct ev_device d;
	struct ev_uarch u;
	struct ev_err e = {0};
	int found;
	FILE *f;
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/eaves-fuzz-config-%ld.json", (long)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	models_load_file(path, &m, &e);
	devices_load_file(path, &d, &e);
	uarch_lookup(path, "zen4", &u, &found, &e);
	cmd_check_profile(path, &e);
	return 0;
}
