/* src/core/devices.h: device datasheets (the JSON files in configs/devices/): published or
 * derived peak figures, each marked with its basis and sources. */
#ifndef EV_DEVICES_H
#define EV_DEVICES_H
#include "err.h"

struct ev_device {
	char id[48];
	char name[128];
	char soc[128];
	char mem_type[96];
	int bus_bits;
	double mts;
	double peak_bw_bytes_per_s;   /* 0 unknown */
	char bw_basis[16];            /* "published" or "derived" */
	char bw_note[200];
	char cpu[160];
	char uarch[32];
	int cores;
	double max_hz;
	double peak_fp32_flop_per_s;  /* derived: cores x FLOP/cycle x max clock */
	char simd[200];
	char accel[200];
	char accel_peak[96];
	double ram_bytes_max;
	double tdp_w;
	char notes[1200];
	char sources[1200];
};

int devices_load(const char *name_or_path, struct ev_device *d, struct ev_err *e);
int devices_load_file(const char *path, struct ev_device *d, struct ev_err *e);
/* All shipped devices sorted by id; returns the count or -1. */
int devices_list(struct ev_device *out, int max, struct ev_err *e);

#endif
