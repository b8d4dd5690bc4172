/* src/bench-storage.h: the read bandwidth of a file on its storage (eaves bw
 * --storage FILE): the ceiling of a model whose weights do not fit in memory
 * and would stream from storage every token. */
#ifndef EV_BENCH_STORAGE_H
#define EV_BENCH_STORAGE_H
#include <cjson/cJSON.h>

#include "ctx.h"
#include "stats.h"

#define EV_STORAGE_MAX_SEG 256

struct ev_storage_result {
	char path[512], how[200];
	int direct;                    /* O_DIRECT: the page cache was bypassed */
	double file_bytes, bytes, seconds;
	double bw;                     /* bytes / seconds over the whole read */
	int nseg;
	double seg_bw[EV_STORAGE_MAX_SEG]; /* per segment of 64 MiB */
	struct ev_stats seg;
	int interrupted;
};

/* Read the file sequentially from its start, up to max_bytes or max_s
 * seconds, with O_DIRECT where the file system allows it (else buffered
 * after dropping the file's cached pages, and `how` says so). */
int bench_storage_read(struct ev_ctx *c, const char *path, double max_bytes, double max_s,
		       struct ev_storage_result *r);
cJSON *bench_storage_json(const struct ev_storage_result *r);

#endif
