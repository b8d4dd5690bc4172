/* src/bench-storage.c: storage read bandwidth of one file. Method: 4 MiB
 * aligned reads from offset 0, O_DIRECT (no page cache, no read-ahead beyond
 * the request) where the file system takes it; tmpfs and some others refuse
 * O_DIRECT, and then the file's pages are dropped from the cache first
 * (posix_fadvise DONTNEED, effective for clean pages nobody maps) and the
 * result says it was a buffered read. Timed per 64 MiB segment (median and
 * spread) and over the whole read (the figure used). */
#include "bench-storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "timer.h"

#define CHUNK (4u << 20)
#define SEG (64u << 20)

int bench_storage_read(struct ev_ctx *c, const char *path, double max_bytes, double max_s,
		       struct ev_storage_result *r)
{
	struct stat st;
	void *buf = NULL;
	int fd;
	double t0, ts, segbytes = 0;
	memset(r, 0, sizeof *r);
	snprintf(r->path, sizeof r->path, "%s", path);
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return ev_fail(&c->err, EV_ERR_USAGE, "--storage %s: %s", path,
			       errno ? strerror(errno) : "not a regular file");
	r->file_bytes = (double)st.st_size;
	if (st.st_size == 0)
		return ev_fail(&c->err, EV_ERR_USAGE, "--storage %s: the file is empty", path);
	fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	r->direct = fd >= 0;
	if (fd < 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return ev_fail(&c->err, EV_ERR_USAGE, "--storage %s: %s", path, strerror(errno));
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	if (posix_memalign(&buf, 4096, CHUNK)) {
		close(fd);
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	}
	t0 = ts = timer_now();
	while (r->bytes < max_bytes && r->bytes < r->file_bytes) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && r->direct && errno == EINVAL && r->bytes == 0) {
			/* O_DIRECT accepted at open but not for reads here: buffered instead */
			close(fd);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				break;
			posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
			r->direct = 0;
			t0 = ts = timer_now();
			continue;
		}
		if (n <= 0) {
			if (n < 0) {
				int err = errno;
				close(fd);
				free(buf);
				return ev_fail(&c->err, EV_ERR_RUNTIME, "--storage %s: read at %.0f: %s", path,
					       r->bytes, strerror(err));
			}
			break;
		}
		r->bytes += (double)n;
		segbytes += (double)n;
		if (segbytes >= SEG && r->nseg < EV_STORAGE_MAX_SEG) {
			double now = timer_now();
			r->seg_bw[r->nseg++] = segbytes / (now - ts);
			ts = now;
			segbytes = 0;
		}
		if (timer_now() - t0 > max_s)
			break;
		if (c->stop && *c->stop) {
			r->interrupted = 1;
			break;
		}
	}
	r->seconds = timer_now() - t0;
	close(fd);
	free(buf);
	if (r->bytes <= 0 || r->seconds <= 0)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "--storage %s: nothing was read", path);
	r->bw = r->bytes / r->seconds;
	if (r->nseg)
		stats_compute(r->seg_bw, (size_t)r->nseg, 1, &r->seg);
	snprintf(r->how, sizeof r->how, "%s sequential read of %.0f MiB of %s in 4 MiB requests%s",
		 r->direct ? "O_DIRECT" : "buffered (the file system refused O_DIRECT; cached pages dropped first)",
		 r->bytes / 1048576, path, r->interrupted ? ", interrupted" : "");
	return EV_OK;
}

cJSON *bench_storage_json(const struct ev_storage_result *r)
{
	cJSON *o = cJSON_CreateObject();
	json_str(o, "path", r->path);
	json_str(o, "source", "measured");
	json_str(o, "method", r->how);
	cJSON_AddBoolToObject(o, "direct_io", r->direct);
	json_num(o, "file_bytes", r->file_bytes);
	json_num(o, "bytes_read", r->bytes);
	json_num(o, "seconds", r->seconds);
	json_num(o, "read_bytes_per_s", r->bw);
	if (r->nseg) {
		json_num(o, "segment_median_bytes_per_s", r->seg.median);
		json_num(o, "segment_min_bytes_per_s", r->seg.min);
		json_num(o, "segment_max_bytes_per_s", r->seg.max);
		json_num(o, "segments", r->nseg);
	}
	return o;
}
