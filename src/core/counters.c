/* src/core/counters.c: event plans (libpfm4 model tables on x86, the kernel
 * PMU's sysfs event list on Arm), their encoding, and perf_event_open groups
 * per thread and per pool. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "json.h"
#include "probe.h"
#include "sysfs.h"
#include "threads.h"

struct ev_counters {
	int n;
	int fd[EV_COUNTERS_MAX];
};

#define PMU_DIR "/sys/bus/event_source/devices"

/* Arm PMUv3 drivers name their PMU armv8_<core> (armv8_pmuv3_0 on ACPI
 * machines); Intel's is cpu (cpu_core and cpu_atom on hybrid parts). */
static int is_arm_pmu(const char *name)
{
	return !strncmp(name, "armv8_", 6) || !strncmp(name, "armv9_", 6);
}

void counters_probe(struct ev_counters_status *s)
{
	static const char *const pmus[] = {"cpu", "cpu_core"};
	char path[160];
	int64_t v;
	memset(s, 0, sizeof *s);
	s->paranoid = -99;
	if (!sysfs_read_i64("/proc/sys/kernel/perf_event_paranoid", &v))
		s->paranoid = (int)v;
	for (size_t i = 0; i < sizeof pmus / sizeof pmus[0] && !s->pmu[0]; i++) {
		snprintf(path, sizeof path, PMU_DIR "/%s/type", pmus[i]);
		if (sysfs_exists(path))
			snprintf(s->pmu, sizeof s->pmu, "%s", pmus[i]);
	}
	if (!s->pmu[0]) {
		char **names;
		int n = sysfs_list(PMU_DIR, "arm", &names, 32);
		for (int i = 0; i < n && !s->pmu[0]; i++)
			if (is_arm_pmu(names[i]))
				snprintf(s->pmu, sizeof s->pmu, "%s", names[i]);
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

/* ---- encodings ---- */

static int pfm_ready(struct ev_err *e)
{
	static int rc = -1;
	if (rc < 0)
		rc = pfm_initialize();
	if (rc != PFM_SUCCESS)
		return ev_fail(e, EV_ERR_UNSUPPORTED, "libpfm4: %s", pfm_strerror(rc));
	return EV_OK;
}

/* A libpfm4 name into a perf_event_attr encoding (no PMU needed beyond
 * libpfm4's own detection or LIBPFM_FORCE_PMU). */
static int pfm_encode(const char *name, struct ev_cnt_enc *out, char *why, size_t len)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	struct ev_err e = {0};
	int rc;
	if (pfm_ready(&e)) {
		snprintf(why, len, "%s", e.msg);
		return -1;
	}
	memset(&attr, 0, sizeof attr);
	memset(&arg, 0, sizeof arg);
	arg.attr = &attr;
	arg.size = sizeof arg;
	rc = pfm_get_os_event_encoding(name, PFM_PLM3, PFM_OS_PERF_EVENT, &arg);
	if (rc != PFM_SUCCESS) {
		snprintf(why, len, "event '%s': %s", name, pfm_strerror(rc));
		return -1;
	}
	out->type = attr.type;
	out->config = attr.config;
	out->config1 = attr.config1;
	out->config2 = attr.config2;
	return 0;
}

/* Set value v into the bits the PMU's format file names ("config:0-7",
 * "config1:0-15", "config:0-7,32-35"). */
static int format_apply(const char *fmt, uint64_t v, struct ev_cnt_enc *enc)
{
	uint64_t *dst;
	const char *p = strchr(fmt, ':');
	int shift = 0;
	if (!p)
		return -1;
	if (!strncmp(fmt, "config1:", 8))
		dst = &enc->config1;
	else if (!strncmp(fmt, "config2:", 8))
		dst = &enc->config2;
	else if (!strncmp(fmt, "config:", 7))
		dst = &enc->config;
	else
		return -1;
	p++;
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p || lo < 0 || lo > 63)
			return -1;
		if (*end == '-') {
			p = end + 1;
			hi = strtol(p, &end, 10);
			if (end == p || hi < lo || hi > 63)
				return -1;
		}
		for (long b = lo; b <= hi; b++, shift++)
			if ((v >> shift) & 1)
				*dst |= 1ull << b;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return -1;
	}
	return shift < 64 && (v >> shift) ? -1 : 0; /* the value must fit its field */
}

/* An event from the kernel's sysfs list (pmu/events/name: "event=0x11",
 * "event=0x3c,umask=0x00") through the PMU's format files. */
int counters_sysfs_event(const char *pmu, const char *name, struct ev_cnt_enc *out)
{
	char path[256], text[256], fmt[128], *save = NULL, *term;
	int64_t type;
	memset(out, 0, sizeof *out);
	snprintf(path, sizeof path, PMU_DIR "/%s/type", pmu);
	if (sysfs_read_i64(path, &type) || type < 0)
		return -1;
	out->type = (uint32_t)type;
	snprintf(path, sizeof path, PMU_DIR "/%s/events/%s", pmu, name);
	if (sysfs_read(path, text, sizeof text))
		return -1;
	for (term = strtok_r(text, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(term, '=');
		uint64_t v = 1;
		if (eq) {
			char *end;
			*eq = 0;
			v = strtoull(eq + 1, &end, 0);
			if (end == eq + 1)
				return -1;
		}
		snprintf(path, sizeof path, PMU_DIR "/%s/format/%s", pmu, term);
		if (sysfs_read(path, fmt, sizeof fmt) || format_apply(fmt, v, out))
			return -1;
	}
	return 0;
}

/* "0-3,6" into a CPU bit set. */
static void cpulist(const char *s, uint64_t set[4])
{
	memset(set, 0, 4 * sizeof set[0]);
	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b = a;
		if (end == s)
			return;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long i = a; i <= b && i < 256; i++)
			if (i >= 0)
				set[i / 64] |= 1ull << (i % 64);
		s = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return;
	}
}

/* ---- plans ---- */

static void add_event(struct ev_cnt_plan *p, const char *name, int kind, double scale)
{
	struct ev_cnt_event *ev = &p->ev[p->n++];
	snprintf(ev->name, sizeof ev->name, "%s", name);
	ev->kind = kind;
	ev->scale = scale;
}

/* Arm: the first of the candidate sysfs events every PMU of the plan has. */
static const char *arm_pick(struct ev_cnt_plan *p, const char *const *cand, int ncand,
			    struct ev_cnt_enc enc[EV_CNT_PMUS])
{
	for (int c = 0; c < ncand; c++) {
		int all = 1;
		for (int k = 0; k < p->npmu && all; k++)
			all = !counters_sysfs_event(p->pmu[k], cand[c], &enc[k]);
		if (all)
			return cand[c];
	}
	return NULL;
}

static void arm_add(struct ev_cnt_plan *p, const char *const *cand, int ncand, int kind,
		    double scale)
{
	struct ev_cnt_enc enc[EV_CNT_PMUS];
	const char *name = arm_pick(p, cand, ncand, enc);
	if (!name || p->n >= EV_COUNTERS_MAX)
		return;
	add_event(p, name, kind, scale);
	memcpy(p->ev[p->n - 1].enc, enc, sizeof enc);
}

static int arm_plan(struct ev_cnt_plan *p, int use, int llc_level, int line)
{
	char **names;
	int n = sysfs_list(PMU_DIR, "arm", &names, 32);
	for (int i = 0; i < n && p->npmu < EV_CNT_PMUS; i++) {
		char path[200], text[256];
		if (!is_arm_pmu(names[i]))
			continue;
		snprintf(p->pmu[p->npmu], sizeof p->pmu[0], "%s", names[i]);
		snprintf(path, sizeof path, PMU_DIR "/%s/cpus", names[i]);
		if (!sysfs_read(path, text, sizeof text))
			cpulist(text, p->cpus[p->npmu]);
		p->npmu++;
	}
	sysfs_list_free(names, n);
	if (!p->npmu)
		return 0;
	snprintf(p->source, sizeof p->source, "sysfs");
	{
		static const char *const cyc[] = {"cpu_cycles"}, *const ins[] = {"inst_retired"};
		arm_add(p, cyc, 1, EV_CNT_CYCLES, 1);
		arm_add(p, ins, 1, EV_CNT_INSTR, 1);
	}
	if (use == EV_CNT_USE_MEM) {
		/* The last level's read misses where the core has that event;
		 * else the refills of the last cache level the core sees. */
		static const char *const l3[] = {"ll_cache_miss_rd", "l3d_cache_refill", "l2d_cache_refill"};
		static const char *const l2[] = {"ll_cache_miss_rd", "l2d_cache_refill"};
		int had = p->n;
		if (llc_level >= 3)
			arm_add(p, l3, 3, EV_CNT_MEM, line);
		else
			arm_add(p, l2, 2, EV_CNT_MEM, line);
		if (p->n > had)
			snprintf(p->mem_what, sizeof p->mem_what,
				 "%s x %d B: lines the core missed in its last cache level (reads "
				 "and prefetches; write-backs are not counted)",
				 p->ev[p->n - 1].name, line);
		else
			snprintf(p->mem_what, sizeof p->mem_what,
				 "none: the PMU lists no last-level refill event");
	} else if (use == EV_CNT_USE_FP32 || use == EV_CNT_USE_FP64) {
		static const char *const fp[] = {"fp_fixed_ops_spec"};
		int had = p->n;
		arm_add(p, fp, 1, EV_CNT_FLOP, 1);
		if (p->n > had)
			snprintf(p->flop_what, sizeof p->flop_what,
				 "fp_fixed_ops_spec: FP element operations of NEON and scalar code, "
				 "speculatively executed (SVE operations are not in it)");
		else
			snprintf(p->flop_what, sizeof p->flop_what,
				 "none: this core's PMU counts FP instructions (vfp_spec, ase_spec), not "
				 "operations");
	}
	return 1;
}

/* x86 through libpfm4's model of the core. */
struct cand {
	const char *name;
	int kind;
	double scale; /* 0: the cache line */
};

static int pfm_core_pmu(char *name, size_t len)
{
	pfm_pmu_t pm;
	struct ev_err e = {0};
	if (pfm_ready(&e))
		return -1;
	pfm_for_all_pmus(pm)
	{
		pfm_pmu_info_t pi;
		memset(&pi, 0, sizeof pi);
		pi.size = sizeof pi;
		if (pfm_get_pmu_info(pm, &pi) != PFM_SUCCESS || !pi.is_present ||
		    pi.type != PFM_PMU_TYPE_CORE || !strcmp(pi.name, "ix86arch"))
			continue;
		snprintf(name, len, "%s", pi.name);
		return 0;
	}
	return -1;
}

/* Add a whole group of candidates if every one encodes. */
static int pfm_add_group(struct ev_cnt_plan *p, const struct cand *g, int n, int line)
{
	struct ev_cnt_enc enc[EV_COUNTERS_MAX];
	char why[160];
	if (p->n + n > EV_COUNTERS_MAX)
		return 0;
	for (int i = 0; i < n; i++)
		if (pfm_encode(g[i].name, &enc[i], why, sizeof why))
			return 0;
	for (int i = 0; i < n; i++) {
		add_event(p, g[i].name, g[i].kind, g[i].scale > 0 ? g[i].scale : line);
		p->ev[p->n - 1].enc[0] = enc[i];
	}
	return 1;
}

/* Add each candidate that encodes (the FP widths a core lacks drop out). */
static int pfm_add_each(struct ev_cnt_plan *p, const struct cand *g, int n, int line)
{
	int added = 0;
	for (int i = 0; i < n; i++)
		added += pfm_add_group(p, &g[i], 1, line);
	return added;
}

static void x86_plan(struct ev_cnt_plan *p, int use, int line)
{
	/* the kernel's generic events first; the model's own when only the
	 * model is active (LIBPFM_FORCE_PMU) */
	static const struct cand cyc[] = {{"perf::CYCLES", EV_CNT_CYCLES, 1},
					  {"UNHALTED_CORE_CYCLES", EV_CNT_CYCLES, 1},
					  {"CYCLES_NOT_IN_HALT", EV_CNT_CYCLES, 1}};
	static const struct cand ins[] = {{"perf::INSTRUCTIONS", EV_CNT_INSTR, 1},
					  {"INSTRUCTION_RETIRED", EV_CNT_INSTR, 1},
					  {"RETIRED_INSTRUCTIONS", EV_CNT_INSTR, 1}};
	/* AMD Zen: L1 fills from DRAM plus L2 prefetches that missed the L3 */
	static const struct cand zen4[] = {
		{"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:DRAM_IO_NEAR:DRAM_IO_FAR", EV_CNT_MEM, 0},
		{"L2_PREFETCH_MISS_L3:L2_STREAM:L2_NEXT_LINE:L2_UP_DOWN:L2_BURST:L2_STRIDE:L1_STREAM:"
		 "L1_STRIDE:L1_REGION",
		 EV_CNT_MEM, 0}};
	static const struct cand zen3[] = {
		{"ANY_DATA_CACHE_FILLS_FROM_SYSTEM:MEM_IO_LCL:MEM_IO_RMT", EV_CNT_MEM, 0},
		{"L2_PREFETCH_MISS_L3:L2_HW_PREFETCHER:L1_HW_PREFETCHER", EV_CNT_MEM, 0}};
	static const struct cand zen2[] = {
		{"HARDWARE_PREFETCH_DATA_CACHE_FILLS:LS_MABRESP_LCL_DRAM:LS_MABRESP_RMT_DRAM", EV_CNT_MEM, 0},
		{"SOFTWARE_PREFETCH_DATA_CACHE_FILLS:LS_MABRESP_LCL_DRAM:LS_MABRESP_RMT_DRAM", EV_CNT_MEM, 0},
		{"L2_PREFETCH_MISS_L3:ANY", EV_CNT_MEM, 0}};
	static const struct cand intel_mem[] = {{"LONGEST_LAT_CACHE:MISS", EV_CNT_MEM, 0}};
	static const struct cand amd_fp[] = {{"RETIRED_SSE_AVX_FLOPS:ANY", EV_CNT_FLOP, 1}};
	static const struct cand fp32[] = {{"FP_ARITH_INST_RETIRED:SCALAR_SINGLE", EV_CNT_FLOP, 1},
					   {"FP_ARITH_INST_RETIRED:128B_PACKED_SINGLE", EV_CNT_FLOP, 4},
					   {"FP_ARITH_INST_RETIRED:256B_PACKED_SINGLE", EV_CNT_FLOP, 8},
					   {"FP_ARITH_INST_RETIRED:512B_PACKED_SINGLE", EV_CNT_FLOP, 16}};
	static const struct cand fp64[] = {{"FP_ARITH_INST_RETIRED:SCALAR_DOUBLE", EV_CNT_FLOP, 1},
					   {"FP_ARITH_INST_RETIRED:128B_PACKED_DOUBLE", EV_CNT_FLOP, 2},
					   {"FP_ARITH_INST_RETIRED:256B_PACKED_DOUBLE", EV_CNT_FLOP, 4},
					   {"FP_ARITH_INST_RETIRED:512B_PACKED_DOUBLE", EV_CNT_FLOP, 8}};
	char core[48] = "";
	int amd;
	pfm_core_pmu(core, sizeof core);
	snprintf(p->source, sizeof p->source, "libpfm4 %s", core[0] ? core : "generic");
	if (core[0]) {
		p->npmu = 1;
		snprintf(p->pmu[0], sizeof p->pmu[0], "%s", core);
	}
	for (int i = 0; i < 3 && !pfm_add_group(p, &cyc[i], 1, line); i++)
		;
	for (int i = 0; i < 3 && !pfm_add_group(p, &ins[i], 1, line); i++)
		;
	amd = !strncmp(core, "amd64", 5);
	if (use == EV_CNT_USE_MEM) {
		if (amd && (pfm_add_group(p, zen4, 2, line) || pfm_add_group(p, zen3, 2, line)))
			snprintf(p->mem_what, sizeof p->mem_what,
				 "L1 fills from DRAM plus L2 prefetches that missed the L3, x %d B "
				 "(demand reads, RFOs and prefetches; write-backs are not counted)",
				 line);
		else if (amd && pfm_add_group(p, zen2, 3, line))
			snprintf(p->mem_what, sizeof p->mem_what,
				 "L1 prefetch fills from DRAM plus L2 prefetches that missed the L3, x %d B "
				 "(Zen 2 has no demand-fill source event: demand misses are not counted)",
				 line);
		else if (!amd && pfm_add_group(p, intel_mem, 1, line))
			snprintf(p->mem_what, sizeof p->mem_what,
				 "LONGEST_LAT_CACHE:MISS x %d B: lines the core fetched from beyond the "
				 "last-level cache (reads, RFOs, hardware prefetches; write-backs are not "
				 "counted)",
				 line);
		else
			snprintf(p->mem_what, sizeof p->mem_what, "none: libpfm4 knows no memory event "
				 "for %s", core[0] ? core : "this CPU");
	} else if (use == EV_CNT_USE_FP32 || use == EV_CNT_USE_FP64) {
		if (amd && pfm_add_group(p, amd_fp, 1, line))
			snprintf(p->flop_what, sizeof p->flop_what,
				 "RETIRED_SSE_AVX_FLOPS:ANY: FLOP of every precision (an FMA is 2)");
		else if (!amd && pfm_add_each(p, use == EV_CNT_USE_FP32 ? fp32 : fp64, 4, line))
			snprintf(p->flop_what, sizeof p->flop_what,
				 "FP_ARITH_INST_RETIRED by width x elements (an FMA counts twice)");
		else
			snprintf(p->flop_what, sizeof p->flop_what, "none: libpfm4 knows no FP event "
				 "for %s", core[0] ? core : "this CPU");
	}
}

int counters_plan(struct ev_cnt_plan *p, int use, const char *user, int llc_level, int line_bytes,
		  struct ev_err *e)
{
	struct ev_counters_status st;
	int line = line_bytes > 0 ? line_bytes : 64;
	memset(p, 0, sizeof *p);
	if (use != EV_CNT_USE_MEM)
		snprintf(p->mem_what, sizeof p->mem_what, "not counted for this measurement");
	if (use != EV_CNT_USE_FP32 && use != EV_CNT_USE_FP64)
		snprintf(p->flop_what, sizeof p->flop_what,
			 use == EV_CNT_USE_BASIC ? "none: FP counters see FP32/FP64 only" :
						   "not counted for this measurement");
	if (user && !strcmp(user, "off")) {
		snprintf(p->reason, sizeof p->reason, "switched off (--counters off)");
		return EV_OK;
	}
	if (user && user[0] && strcmp(user, "auto")) {
		char buf[1024], *save = NULL, *tok;
		snprintf(buf, sizeof buf, "%s", user);
		snprintf(p->source, sizeof p->source, "user");
		snprintf(p->mem_what, sizeof p->mem_what, "no memory event in --counters");
		snprintf(p->flop_what, sizeof p->flop_what, "no FP event in --counters");
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			char why[200];
			struct ev_cnt_enc enc;
			if (p->n >= EV_COUNTERS_MAX)
				return ev_fail(e, EV_ERR_USAGE, "--counters: at most %d events",
					       EV_COUNTERS_MAX);
			if (pfm_encode(tok, &enc, why, sizeof why))
				return ev_fail(e, EV_ERR_USAGE, "--counters: %s", why);
			add_event(p, tok, EV_CNT_USER, 1);
			p->ev[p->n - 1].enc[0] = enc;
		}
		if (!p->n)
			return ev_fail(e, EV_ERR_USAGE, "--counters: no event named");
		/* software events (perf::TASK-CLOCK) need no PMU: opening tells */
		p->available = 1;
		return EV_OK;
	}
	if (!arm_plan(p, use, llc_level, line))
		x86_plan(p, use, line);
	counters_probe(&st);
	if (!st.available)
		snprintf(p->reason, sizeof p->reason, "%s", st.reason);
	else if (p->n < 2)
		snprintf(p->reason, sizeof p->reason, "no cycle and instruction events for %s",
			 st.pmu);
	else
		p->available = 1;
	return EV_OK;
}

/* ---- counting ---- */

static long perf_open(struct perf_event_attr *a, int group)
{
	return syscall(SYS_perf_event_open, a, 0, -1, group, 0);
}

static int open_encs(struct ev_counters **out, const struct ev_cnt_plan *p, int v, struct ev_err *e)
{
	struct ev_counters *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c)
		return ev_fail(e, EV_ERR_RUNTIME, "counters: out of memory");
	for (int i = 0; i < p->n; i++) {
		const struct ev_cnt_enc *en = &p->ev[i].enc[v];
		struct perf_event_attr attr;
		memset(&attr, 0, sizeof attr);
		attr.size = sizeof attr;
		attr.type = en->type;
		attr.config = en->config;
		attr.config1 = en->config1;
		attr.config2 = en->config2;
		attr.disabled = i == 0;
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
		c->fd[i] = (int)perf_open(&attr, i == 0 ? -1 : c->fd[0]);
		if (c->fd[i] < 0) {
			int err = errno;
			counters_close(c);
			return ev_fail(e, EV_ERR_UNSUPPORTED, "perf_event_open('%s'): %s%s",
				       p->ev[i].name, strerror(err),
				       err == ENOENT || err == EOPNOTSUPP ?
					       " (the kernel has no such counter here)" :
				       err == EACCES || err == EPERM ?
					       " (perf_event_paranoid, or a container)" :
					       "");
		}
		c->n = i + 1;
	}
	*out = c;
	return EV_OK;
}

int counters_open_plan(struct ev_counters **out, const struct ev_cnt_plan *p, struct ev_err *e)
{
	int v = 0;
	*out = NULL;
	if (!p->available)
		return ev_fail(e, EV_ERR_UNSUPPORTED, "%s", p->reason);
	if (p->npmu > 1) {
		int cpu = sched_getcpu();
		for (int k = 0; k < p->npmu && cpu >= 0 && cpu < 256; k++)
			if (p->cpus[k][cpu / 64] >> (cpu % 64) & 1) {
				v = k;
				break;
			}
	}
	return open_encs(out, p, v, e);
}

int counters_open(struct ev_counters **out, const char *const *events, int n, struct ev_err *e)
{
	struct ev_cnt_plan *p;
	int rc;
	*out = NULL;
	if (n < 1 || n > EV_COUNTERS_MAX)
		return ev_fail(e, EV_ERR_USAGE, "counters: 1 to %d events", EV_COUNTERS_MAX);
	if ((rc = pfm_ready(e)))
		return rc;
	if (!(p = calloc(1, sizeof *p)))
		return ev_fail(e, EV_ERR_RUNTIME, "counters: out of memory");
	for (int i = 0; i < n; i++) {
		char why[200];
		if (pfm_encode(events[i], &p->ev[i].enc[0], why, sizeof why)) {
			free(p);
			return ev_fail(e, EV_ERR_UNSUPPORTED, "counters: %s", why);
		}
		snprintf(p->ev[i].name, sizeof p->ev[i].name, "%s", events[i]);
	}
	p->n = n;
	p->available = 1;
	rc = open_encs(out, p, 0, e);
	free(p);
	return rc;
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
	int rc = EV_OK;
	if (ioctl(c->fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP))
		return EV_ERR_RUNTIME;
	for (int i = 0; i < c->n; i++) {
		uint64_t buf[3];
		if (read(c->fd[i], buf, sizeof buf) != (ssize_t)sizeof buf)
			return EV_ERR_RUNTIME;
		/* scaled when the kernel multiplexed the group; never scheduled:
		 * the PMU has fewer counters than the group needs */
		vals[i] = buf[2] ? (uint64_t)((double)buf[0] * (double)buf[1] / (double)buf[2]) : 0;
		if (!buf[2] && buf[1])
			rc = EV_ERR_UNSUPPORTED;
	}
	return rc;
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

/* ---- a pool's threads ---- */

struct ev_cnt_pool {
	struct ev_pool *pool;
	const struct ev_cnt_plan *p;
	struct ev_counters *c[EV_MAX_THREADS];
	int rc[EV_MAX_THREADS];
	struct ev_err err[EV_MAX_THREADS];
	uint64_t val[EV_MAX_THREADS][EV_COUNTERS_MAX];
};

static void th_open(void *a, int tid, int n)
{
	struct ev_cnt_pool *g = a;
	(void)n;
	g->rc[tid] = counters_open_plan(&g->c[tid], g->p, &g->err[tid]);
}

static void th_start(void *a, int tid, int n)
{
	struct ev_cnt_pool *g = a;
	(void)n;
	g->rc[tid] = counters_start(g->c[tid]);
}

static void th_stop(void *a, int tid, int n)
{
	struct ev_cnt_pool *g = a;
	(void)n;
	g->rc[tid] = counters_stop(g->c[tid], g->val[tid]);
}

int cnt_pool_open(struct ev_cnt_pool **out, struct ev_pool *pool, const struct ev_cnt_plan *p,
		  struct ev_cnt_values *v)
{
	struct ev_cnt_pool *g;
	int nt = pool_size(pool);
	*out = NULL;
	memset(v, 0, sizeof *v);
	v->n = p->n;
	if (!p->available) {
		snprintf(v->reason, sizeof v->reason, "%s", p->reason);
		return EV_ERR_UNSUPPORTED;
	}
	if (!(g = calloc(1, sizeof *g))) {
		snprintf(v->reason, sizeof v->reason, "out of memory");
		return EV_ERR_RUNTIME;
	}
	g->pool = pool;
	g->p = p;
	pool_run(pool, th_open, g);
	for (int t = 0; t < nt; t++)
		if (g->rc[t]) {
			snprintf(v->reason, sizeof v->reason, "%s", g->err[t].msg);
			cnt_pool_close(g);
			return EV_ERR_UNSUPPORTED;
		}
	v->ok = 1;
	*out = g;
	return EV_OK;
}

void cnt_pool_start(struct ev_cnt_pool *g)
{
	if (g)
		pool_run(g->pool, th_start, g);
}

void cnt_pool_stop(struct ev_cnt_pool *g, struct ev_cnt_values *v)
{
	int nt;
	if (!g || !v->ok)
		return;
	pool_run(g->pool, th_stop, g);
	nt = pool_size(g->pool);
	for (int t = 0; t < nt; t++)
		if (g->rc[t]) {
			v->ok = 0;
			snprintf(v->reason, sizeof v->reason,
				 "the group was never scheduled (the PMU has fewer counters than "
				 "its %d events, or another tool holds them)",
				 g->p->n);
			return;
		}
	for (int t = 0; t < nt; t++)
		for (int i = 0; i < g->p->n; i++)
			v->sum[i] += (double)g->val[t][i];
	v->reps++;
}

void cnt_pool_close(struct ev_cnt_pool *g)
{
	if (!g)
		return;
	for (int t = 0; t < EV_MAX_THREADS; t++)
		counters_close(g->c[t]);
	free(g);
}

/* ---- results ---- */

double counters_per_rep(const struct ev_cnt_plan *p, const struct ev_cnt_values *v, int kind)
{
	double s = 0;
	int any = 0;
	if (!v->ok || v->reps < 1)
		return -1;
	for (int i = 0; i < p->n && i < v->n; i++)
		if (p->ev[i].kind == kind) {
			s += v->sum[i] * p->ev[i].scale;
			any = 1;
		}
	return any ? s / v->reps : -1;
}

void counters_print_brief(FILE *f, const struct ev_cnt_plan *p, const struct ev_cnt_values *v)
{
	double cyc = counters_per_rep(p, v, EV_CNT_CYCLES), ins = counters_per_rep(p, v, EV_CNT_INSTR);
	if (cyc > 0 && ins >= 0)
		fprintf(f, " IPC %.2f", ins / cyc);
	for (int k = 0; k < p->n && v->reps > 0; k++)
		if (p->ev[k].kind == EV_CNT_USER)
			fprintf(f, " %s %.4g", p->ev[k].name, v->sum[k] / v->reps);
}

static void compare(cJSON *o, const char *what, double counted, double computed, const char *how)
{
	cJSON *q = cJSON_AddObjectToObject(o, what);
	json_num(q, "computed_per_rep", computed);
	if (counted >= 0) {
		json_num(q, "counted_per_rep", counted);
		if (computed > 0)
			json_num(q, "counted_over_computed", counted / computed);
		json_str(q, "counted_by", how);
	} else {
		cJSON_AddNullToObject(q, "counted_per_rep");
		json_str(q, "reason", how);
	}
}

cJSON *counters_json(const struct ev_cnt_plan *p, const struct ev_cnt_values *v,
		     double computed_bytes, double computed_flop, const char *unit)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	double cyc, ins;
	if (!o)
		return NULL;
	if (!v->ok || v->reps < 1) {
		json_str(o, "status", "unavailable");
		json_str(o, "reason", v->reason[0] ? v->reason : p->reason[0] ? p->reason :
											"not counted");
		return o;
	}
	json_str(o, "status", "ok");
	json_str(o, "source", p->source);
	json_str(o, "per", unit);
	json_num(o, "repetitions", v->reps);
	arr = cJSON_AddArrayToObject(o, "events");
	for (int i = 0; i < p->n; i++) {
		static const char *const kinds[] = {"cycles", "instructions", "memory", "flop", "user"};
		cJSON *q = cJSON_CreateObject();
		json_str(q, "event", p->ev[i].name);
		json_str(q, "kind", kinds[p->ev[i].kind]);
		json_num(q, "per_rep", v->sum[i] / v->reps);
		if (p->ev[i].scale != 1)
			json_num(q, "scale", p->ev[i].scale);
		cJSON_AddItemToArray(arr, q);
	}
	cyc = counters_per_rep(p, v, EV_CNT_CYCLES);
	ins = counters_per_rep(p, v, EV_CNT_INSTR);
	if (cyc > 0 && ins >= 0)
		json_num(o, "ipc", ins / cyc);
	if (computed_bytes >= 0)
		compare(o, "bytes", counters_per_rep(p, v, EV_CNT_MEM), computed_bytes, p->mem_what);
	if (computed_flop >= 0)
		compare(o, "flop", counters_per_rep(p, v, EV_CNT_FLOP), computed_flop, p->flop_what);
	return o;
}
