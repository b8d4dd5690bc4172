/* src/cmd-counters.c: `eaves counters`: the PMUs this machine offers, the
 * events eaves counts for each kind of measurement (and how each is encoded),
 * and a live check that counting works here; or why it does not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <perfmon/pfmlib.h>

#include "cmds.h"
#include "counters.h"
#include "json.h"
#include "opt.h"
#include "sysfs.h"

enum { O_JSON, O_SYSROOT, O_COUNTERS, O__N };
static const struct ev_opt opts[O__N] = {
	[O_JSON] = {"json", EV_OPT_STR, "FILE", "write the result as JSON to FILE ('-' = stdout)"},
	[O_SYSROOT] = {"sysroot", EV_OPT_STR, "DIR",
		       "read /sys and /proc under DIR (a replayed board; default EAVES_SYSROOT or /)"},
	[O_COUNTERS] = EV_OPT_COUNTERS,
};

static const char details[] =
	"Lists the PMUs libpfm4 detects and the kernel exposes, then the events eaves\n"
	"counts on every sample of each kind of measurement (bandwidth and decode:\n"
	"memory traffic; FP32/FP64 peaks: FLOP; others: cycles and instructions), each\n"
	"with its perf_event_open encoding, and finally counts a short loop on this\n"
	"thread to show whether counting works. On x86 the events come from libpfm4's\n"
	"model of the core (LIBPFM_FORCE_PMU=<name> shows another core's plan), on Arm\n"
	"from the kernel PMU's own event list in sysfs (one encoding per core kind).\n";

static const char *const use_name[EV_CNT__USES] = {"bandwidth and decode", "fp32 peaks",
						   "fp64 peaks", "other kernels"};
static const char *const use_key[EV_CNT__USES] = {"memory", "fp32", "fp64", "basic"};
static const char *const kind_name[] = {"cycles", "instructions", "memory", "flop", "user"};

static cJSON *pmus_json(FILE *f)
{
	cJSON *arr = cJSON_CreateArray();
	pfm_pmu_t pm;
	if (pfm_initialize() != PFM_SUCCESS)
		return arr;
	pfm_for_all_pmus(pm)
	{
		pfm_pmu_info_t pi;
		cJSON *q;
		memset(&pi, 0, sizeof pi);
		pi.size = sizeof pi;
		if (pfm_get_pmu_info(pm, &pi) != PFM_SUCCESS || !pi.is_present)
			continue;
		if (f)
			fprintf(f, "  %-18s %-34s %3d events, %d+%d counters\n", pi.name, pi.desc,
				pi.nevents, pi.num_cntrs, pi.num_fixed_cntrs);
		q = cJSON_CreateObject();
		json_str(q, "name", pi.name);
		json_str(q, "description", pi.desc);
		json_num(q, "events", pi.nevents);
		json_num(q, "generic_counters", pi.num_cntrs);
		json_num(q, "fixed_counters", pi.num_fixed_cntrs);
		cJSON_AddItemToArray(arr, q);
	}
	return arr;
}

static cJSON *plan_json(FILE *f, const struct ev_cnt_plan *p, int use)
{
	cJSON *o = cJSON_CreateObject(), *arr;
	json_str(o, "use", use_key[use]);
	json_str(o, "source", p->source);
	json_str(o, "status", p->available ? "ok" : "unavailable");
	if (!p->available)
		json_str(o, "reason", p->reason);
	if (f)
		fprintf(f, "\n%s (%s):\n", use_name[use], p->source[0] ? p->source : "no source");
	arr = cJSON_AddArrayToObject(o, "pmus");
	for (int k = 0; k < p->npmu; k++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(p->pmu[k]));
	arr = cJSON_AddArrayToObject(o, "events");
	for (int i = 0; i < p->n; i++) {
		const struct ev_cnt_event *ev = &p->ev[i];
		cJSON *q = cJSON_CreateObject(), *enc = cJSON_AddArrayToObject(q, "encoding");
		json_str(q, "event", ev->name);
		json_str(q, "kind", kind_name[ev->kind]);
		json_num(q, "scale", ev->scale);
		if (f)
			fprintf(f, "  %-13s %-58s", kind_name[ev->kind], ev->name);
		for (int k = 0; k < (p->npmu > 1 ? p->npmu : 1); k++) {
			char cfg[32];
			cJSON *e = cJSON_CreateObject();
			snprintf(cfg, sizeof cfg, "0x%llx", (unsigned long long)ev->enc[k].config);
			json_num(e, "type", ev->enc[k].type);
			json_str(e, "config", cfg);
			if (p->npmu > 1)
				json_str(e, "pmu", p->pmu[k]);
			cJSON_AddItemToArray(enc, e);
			if (f)
				fprintf(f, " %stype %u config %s", k ? "| " : "", ev->enc[k].type, cfg);
		}
		if (f)
			fprintf(f, ev->scale != 1 ? " (x %g)\n" : "\n", ev->scale);
		cJSON_AddItemToArray(arr, q);
	}
	json_str(o, "memory_events", p->mem_what);
	json_str(o, "flop_events", p->flop_what);
	if (f) {
		if (use == EV_CNT_USE_MEM)
			fprintf(f, "  memory: %s\n", p->mem_what);
		if (use == EV_CNT_USE_FP32 || use == EV_CNT_USE_FP64)
			fprintf(f, "  FLOP: %s\n", p->flop_what);
	}
	return o;
}

/* Count a loop of known length on this thread with the basic plan. */
static cJSON *live_check(FILE *f, const struct ev_cnt_plan *p)
{
	cJSON *o = cJSON_CreateObject();
	struct ev_counters *cn = NULL;
	struct ev_err e = {0};
	uint64_t v[EV_COUNTERS_MAX] = {0};
	volatile double x = 1;
	int rc = counters_open_plan(&cn, p, &e);
	if (rc == EV_OK && (rc = counters_start(cn)) == EV_OK) {
		for (int i = 0; i < 1000000; i++)
			x = x * 1.0000001;
		rc = counters_stop(cn, v);
		if (rc)
			snprintf(e.msg, sizeof e.msg, "the events were never scheduled");
	}
	counters_close(cn);
	json_str(o, "status", rc ? "unavailable" : "ok");
	json_str(o, "loop", "1e6 dependent multiplies (volatile): about 4e6 instructions or more");
	if (rc) {
		json_str(o, "reason", e.msg);
		if (f)
			fprintf(f, "\nlive check: unavailable: %s\n", e.msg);
		return o;
	}
	if (f)
		fprintf(f, "\nlive check (a loop of 1e6 dependent multiplies on this thread):");
	for (int i = 0; i < p->n; i++) {
		json_num(o, p->ev[i].name, (double)v[i]);
		if (f)
			fprintf(f, "%s %s %llu", i ? "," : "", p->ev[i].name, (unsigned long long)v[i]);
	}
	if (f)
		fprintf(f, "\n");
	return o;
}

int cmd_counters(struct ev_ctx *c, int argc, char **argv)
{
	struct ev_optval v[O__N];
	char *pos[1];
	int npos, help, rc, text;
	struct ev_counters_status st;
	struct ev_cnt_plan *plan;
	cJSON *doc = NULL, *arr, *o;
	FILE *f;
	if ((rc = opt_parse("counters", opts, O__N, v, argc, argv, pos, 0, &npos, &help, &c->err)))
		return rc;
	if (help) {
		opt_print_help(stdout, "counters", "[options]",
			       "Show which hardware counters eaves can use here, and which events it counts.",
			       details, opts, O__N);
		return EV_OK;
	}
	if (v[O_SYSROOT].set)
		sysfs_set_root(v[O_SYSROOT].s);
	if ((rc = ctx_machine(c)) ||
	    (rc = cmd_apply_counters(c, v[O_COUNTERS].set ? v[O_COUNTERS].s : NULL)))
		return rc;
	text = !v[O_JSON].set || strcmp(v[O_JSON].s, "-");
	f = text ? c->out : NULL;
	doc = json_result_new(c, "counters");
	if (!doc)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	counters_probe(&st);
	o = cJSON_AddObjectToObject(doc, "counters");
	json_str(o, "status", st.available ? "ok" : "unavailable");
	json_str(o, "kernel_pmu", st.pmu);
	if (st.paranoid != -99)
		json_num(o, "perf_event_paranoid", st.paranoid);
	if (!st.available)
		json_str(o, "reason", st.reason);
	if (f) {
		if (st.available)
			fprintf(f, "Kernel PMU: %s, perf_event_paranoid %d\n", st.pmu, st.paranoid);
		else
			fprintf(f, "Kernel PMU: unavailable: %s\n", st.reason);
		fprintf(f, "libpfm4 PMUs detected:\n");
	}
	cJSON_AddItemToObject(o, "libpfm4_pmus", pmus_json(f));
	arr = cJSON_AddArrayToObject(o, "plans");
	for (int u = 0; u < EV_CNT__USES; u++)
		cJSON_AddItemToArray(arr, plan_json(f, ctx_counters(c, u), u));
	plan = &c->cnt_plan[EV_CNT_USE_BASIC];
	cJSON_AddItemToObject(o, "live_check", live_check(f, plan));
	if (v[O_JSON].set)
		rc = cmd_write_json(c, doc, v[O_JSON].s);
	cJSON_Delete(doc);
	return rc;
}
