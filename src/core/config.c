/* src/core/config.c: config folder and the microarchitecture table. */
#include "config.h"

#include <cjson/cJSON.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"

static char dir_buf[1024];

static int is_dir_with(const char *dir, const char *file)
{
	char p[1200];
	snprintf(p, sizeof p, "%s/%s", dir, file);
	return access(p, R_OK) == 0;
}

const char *config_dir(void)
{
	char exe[1024], cand[1100];
	ssize_t n;
	const char *env = getenv("EAVES_CONFIGS");
	if (dir_buf[0])
		return dir_buf;
	if (env && *env) {
		snprintf(dir_buf, sizeof dir_buf, "%s", env);
		return dir_buf;
	}
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		char *d;
		exe[n] = 0;
		d = dirname(exe);
		snprintf(cand, sizeof cand, "%s/../configs", d);
		if (is_dir_with(cand, "uarch.json")) {
			snprintf(dir_buf, sizeof dir_buf, "%s", cand);
			return dir_buf;
		}
		snprintf(cand, sizeof cand, "%s/configs", d);
		if (is_dir_with(cand, "uarch.json")) {
			snprintf(dir_buf, sizeof dir_buf, "%s", cand);
			return dir_buf;
		}
	}
	snprintf(dir_buf, sizeof dir_buf, "configs");
	return dir_buf;
}

const char *config_path(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", config_dir(), rel);
	return buf;
}


int uarch_lookup(const char *path, const char *name, struct ev_uarch *out, int *found,
		 struct ev_err *e)
{
	cJSON *doc = NULL, *list, *it;
	const char *schema = NULL;
	int rc, idx = 0;
	*found = 0;
	if ((rc = json_read_file(path, &doc, e)))
		return rc;
	if ((rc = json_get_str(doc, "schema", &schema, 1, path, e)))
		goto out;
	if (strcmp(schema, "eaves.uarch")) {
		rc = ev_fail(e, EV_ERR_USAGE, "%s: field 'schema': '%s' is not 'eaves.uarch'", path,
			     schema);
		goto out;
	}
	list = cJSON_GetObjectItemCaseSensitive(doc, "uarchs");
	if (!cJSON_IsArray(list)) {
		rc = ev_fail(e, EV_ERR_USAGE, "%s: field 'uarchs': missing or not a list", path);
		goto out;
	}
	cJSON_ArrayForEach(it, list)
	{
		const char *nm = NULL, *basis = NULL;
		cJSON *ops;
		struct ev_uarch u;
		char where[300];
		snprintf(where, sizeof where, "%s: uarchs[%d]", path, idx++);
		if (!cJSON_IsObject(it)) {
			rc = ev_fail(e, EV_ERR_USAGE, "%s: not an object", where);
			goto out;
		}
		if ((rc = json_get_str(it, "name", &nm, 1, where, e)) ||
		    (rc = json_get_str(it, "basis", &basis, 1, where, e)))
			goto out;
		memset(&u, 0, sizeof u);
		snprintf(u.name, sizeof u.name, "%s", nm);
		snprintf(u.basis, sizeof u.basis, "%s", basis);
		ops = cJSON_GetObjectItemCaseSensitive(it, "ops_per_cycle_per_core");
		if (!cJSON_IsObject(ops)) {
			rc = ev_fail(e, EV_ERR_USAGE, "%s (%s): field 'ops_per_cycle_per_core': missing or not an object",
				     where, nm);
			goto out;
		}
		for (int p = 0; p < EV_PREC__COUNT; p++) {
			cJSON *v = cJSON_GetObjectItemCaseSensitive(ops, ev_prec_name[p]);
			if (!v) {
				rc = ev_fail(e, EV_ERR_USAGE, "%s (%s): field '%s': missing (use null for none)",
					     where, nm, ev_prec_name[p]);
				goto out;
			}
			if (cJSON_IsNull(v)) {
				u.ops_per_cycle[p] = -1;
			} else if (!cJSON_IsNumber(v) || v->valuedouble <= 0 || v->valuedouble > 4096) {
				rc = ev_fail(e, EV_ERR_USAGE,
					     "%s (%s): field '%s': must be a number in (0, 4096] or null",
					     where, nm, ev_prec_name[p]);
				goto out;
			} else {
				u.ops_per_cycle[p] = v->valuedouble;
			}
		}
		{
			cJSON *k;
			cJSON_ArrayForEach(k, ops)
			{
				int known = 0;
				for (int p = 0; p < EV_PREC__COUNT; p++)
					known |= !strcmp(k->string, ev_prec_name[p]);
				if (!known) {
					rc = ev_fail(e, EV_ERR_USAGE, "%s (%s): field '%s': unknown precision",
						     where, nm, k->string);
					goto out;
				}
			}
		}
		if (!strcmp(nm, name) && !*found) {
			*out = u;
			*found = 1;
		}
	}
	rc = EV_OK;
out:
	cJSON_Delete(doc);
	return rc;
}
