/* src/cmd-common.c: helpers shared by the cmd-*.c files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-gpu.h"
#include "cmds.h"
#include "json.h"
#include "opt.h"
#include "probe.h"
#include "units.h"

int cmd_apply_isa(struct ev_ctx *c, const char *name)
{
	int t;
	char why[256];
	if (!name)
		return EV_OK;
	t = cpu_target_by_name(name);
	if (t < 0) {
		char list[512] = "";
		size_t n = 0;
		for (int i = 0; i < EV_TARGET__COUNT && n < sizeof list; i++)
			n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
					      ev_targets[i].name);
		return ev_fail(&c->err, EV_ERR_USAGE, "--isa: unknown feature set '%s' (known: %s)",
			       name, list);
	}
	if (cpu_cap_target(&c->cpu, t, why, sizeof why))
		return ev_fail(&c->err, EV_ERR_USAGE, "--isa: %s", why);
	return EV_OK;
}

int cmd_apply_counters(struct ev_ctx *c, const char *what)
{
	struct ev_cnt_plan *p;
	int rc;
	if (!what)
		return EV_OK;
	if (!(p = malloc(sizeof *p)))
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	rc = counters_plan(p, EV_CNT_USE_BASIC, what, 0, 0, &c->err);
	free(p);
	if (rc == EV_OK)
		c->counters_opt = what;
	return rc;
}

int cmd_gpu_run(struct ev_ctx *c, const char *command, int index, unsigned mask, uint64_t ws,
		int quick, const char *json)
{
	struct ev_gpu_result *r = calloc(1, sizeof *r);
	int rc;
	if (!r)
		return ev_fail(&c->err, EV_ERR_RUNTIME, "out of memory");
	rc = bench_gpu(c, index, mask, ws, quick, r);
	if (rc == EV_OK) {
		if ((!json || strcmp(json, "-")) && !r->status) /* else: the error line says why */
			bench_gpu_print(c->out, r);
		if (json) {
			cJSON *doc = json_result_new(c, command);
			cJSON_AddItemToObject(doc, "gpu", bench_gpu_json(r));
			rc = cmd_write_json(c, doc, json);
			cJSON_Delete(doc);
		}
		if (rc == EV_OK && r->status)
			rc = ev_fail(&c->err, EV_ERR_UNSUPPORTED, "--gpu %d: %s", index, r->reason);
		else if (rc == EV_OK && r->interrupted)
			rc = EV_ERR_INTERRUPTED;
		else
			rc = cmd_verify_status(c, rc, bench_gpu_failed(r));
	}
	free(r);
	return rc;
}

int cmd_check_threads(struct ev_ctx *c, const char *opt, int n)
{
	int pus = c->topo.pus > 0 ? c->topo.pus : 1;
	if (n > pus)
		return ev_fail(&c->err, EV_ERR_USAGE,
			       "%s %d: this machine has %d hardware thread(s); more threads than that "
			       "would time the scheduler, not the machine",
			       opt, n, pus);
	return EV_OK;
}

int cmd_parse_threads(struct ev_ctx *c, const char *text, int *t, int max)
{
	char why[256];
	int rc, n = units_parse_int_list(text, t, max, why, sizeof why);
	if (n <= 0)
		return -ev_fail(&c->err, EV_ERR_USAGE, "--threads: %s", why);
	for (int i = 0; i < n; i++) {
		if (t[i] < 1 || t[i] > EV_MAX_THREADS)
			return -ev_fail(&c->err, EV_ERR_USAGE, "--threads: %d is out of range [1, %d]",
					t[i], EV_MAX_THREADS);
		if ((rc = cmd_check_threads(c, "--threads", t[i])))
			return -rc;
	}
	return n;
}

int cmd_verify_status(struct ev_ctx *c, int rc, int nfailed)
{
	if (rc != EV_OK || nfailed == 0)
		return rc;
	return ev_fail(&c->err, EV_ERR_VERIFY,
		       "%d measurement(s) failed verification: shown as FAILED VERIFICATION above "
		       "and as failed_verification in the result, left out of every peak and ceiling",
		       nfailed);
}

int cmd_write_json(struct ev_ctx *c, cJSON *doc, const char *path)
{
	if (!path)
		return EV_OK;
	return json_write_file(doc, path, &c->err);
}

int cmd_size_range(struct ev_ctx *c, const struct ev_optval *one, const struct ev_optval *mn,
		   const struct ev_optval *mx, uint64_t *single_ws, uint64_t *min_ws, uint64_t *max_ws)
{
	if (one->set) {
		if (one->u < 4096)
			return ev_fail(&c->err, EV_ERR_USAGE, "--size: %s is below 4 KiB", one->s);
		*single_ws = one->u;
	}
	if (mn->set)
		*min_ws = mn->u;
	if (mx->set) {
		if (mx->u < 4096)
			return ev_fail(&c->err, EV_ERR_USAGE, "--max-size: %s is below 4 KiB", mx->s);
		*max_ws = mx->u;
	}
	if (*min_ws && *max_ws && *min_ws > *max_ws)
		return ev_fail(&c->err, EV_ERR_USAGE, "--min-size %s is above --max-size %s", mn->s,
			       mx->s);
	return EV_OK;
}
