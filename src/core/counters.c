/* src/core/counters.c: libpfm4 event encoding and perf_event_open groups. */
#include "counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sysfs.h"

struct ev_counters {
	int n;
	int fd[EV_COUNTERS_MAX];
};

void counters_probe(struct ev_counters_status *s)
{
	static const char *const pmus[] = {"cpu", "cpu_core", "armv8_pmuv3_0", "armv8_pmuv3",
					   "armv8_cortex_a76", "armv8_cortex_a78", "armv8_cortex_a72",
					   "armv8_cortex_a55", "armv8_cortex_a53"};
	char path[160];
	int64_t v;
	memset(s, 0, sizeof *s);
	s->paranoid = -99;
	if (!sysfs_read_i64("/proc/sys/kernel/perf_event_paranoid", &v))
		s->paranoid = (int)v;
	for (size_t i = 0; i < sizeof pmus / sizeof pmus[0] && !s->pmu[0]; i++) {
		snprintf(path, sizeof path, "/sys/bus/event_source/devices/%s/type", pmus[i]);
		if (sysfs_exists(path))
			snprintf(s->pmu, sizeof s->pmu, "%s", pmus[i]);
	}
	if (!s->pmu[0]) {
		char **names;
		int n = sysfs_list("/sys/bus/event_source/devices", "armv8", &names, 16);
		if (n > 0)
			snprintf(s->pmu, sizeof s->pmu, "%s", names[0]);
		sysfs_list_free(names, n);
	}
	if (!s->pmu[0]) {
		snprintf(s->reason, sizeof s->reason,
			 "no CPU PMU under /sys/bus/event_source/devices (a VM without PMU "
			 "passthrough, or no perf support in the kernel)");
		return;
	}
	if (s->paranoid > 2) {
		snprintf(s->reason, sizeof s->reason,
			 "perf_event_paranoid is %d: user-space counting is disabled (set it to 2 or "
			 "less, or run as root)",
			 s->paranoid);
		return;
	}
	s->available = 1;
}

static long perf_open(struct perf_event_attr *a, int group)
{
	return syscall(SYS_perf_event_open, a, 0, -1, group, 0);
}

int counters_open(struct ev_counters **out, const char *const *events, int n, struct ev_err *e)
{
	struct ev_counters *c;
	int rc = pfm_initialize();
	*out = NULL;
	if (rc != PFM_SUCCESS)
		return ev_fail(e, EV_ERR_UNSUPPORTED, "counters: libpfm4: %s", pfm_strerror(rc));
	if (n < 1 || n > EV_COUNTERS_MAX)
		return ev_fail(e, EV_ERR_USAGE, "counters: 1 to %d events", EV_COUNTERS_MAX);
	c = calloc(1, sizeof *c);
	if (!c)
		return ev_fail(e, EV_ERR_RUNTIME, "counters: out of memory");
	for (int i = 0; i < n; i++)
		c->fd[i] = -1;
	for (int i = 0; i < n; i++) {
		struct perf_event_attr attr;
		pfm_perf_encode_arg_t arg;
		memset(&attr, 0, sizeof attr);
		memset(&arg, 0, sizeof arg);
		arg.attr = &attr;
		arg.size = sizeof arg;
		rc = pfm_get_os_event_encoding(events[i], PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
		if (rc != PFM_SUCCESS) {
			counters_close(c);
			return ev_fail(e, EV_ERR_UNSUPPORTED, "counters: event '%s': %s", events[i],
				       pfm_strerror(rc));
		}
		attr.size = sizeof attr;
		attr.disabled = i == 0;
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
		c->fd[i] = (int)perf_open(&attr, i == 0 ? -1 : c->fd[0]);
		if (c->fd[i] < 0) {
			int err = errno;
			counters_close(c);
			return ev_fail(e, EV_ERR_UNSUPPORTED, "counters: perf_event_open('%s'): %s",
				       events[i], strerror(err));
		}
		c->n = i + 1;
	}
	*out = c;
	return EV_OK;
}

int counters_start(struct ev_counters *c)
{
	if (ioctl(c->fd[0], PERF_EVENT_IOC_RESET, PERF_IOC_FLAG_GROUP) ||
	    ioctl(c->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP))
		return EV_ERR_RUNTIME;
	return EV_OK;
}

int counters_stop(struct ev_counters *c, uint64_t *vals)
{
	if (ioctl(c->fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP))
		return EV_ERR_RUNTIME;
	for (int i = 0; i < c->n; i++) {
		uint64_t buf[3];
		if (read(c->fd[i], buf, sizeof buf) != (ssize_t)sizeof buf)
			return EV_ERR_RUNTIME;
		/* scaled when the kernel multiplexed the group */
		vals[i] = buf[2] ? (uint64_t)((double)buf[0] * (double)buf[1] / (double)buf[2]) : 0;
	}
	return EV_OK;
}

void counters_close(struct ev_counters *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	free(c);
}
