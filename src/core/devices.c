/* src/core/devices.c: datasheet loader; rejects a malformed file with file, field
 * and problem. */
#include "devices.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "json.h"

static int str_field(const cJSON *o, const char *key, char *dst, size_t len, int required,
		     const char *where, struct ev_err *e)
{
	const char *s = NULL;
	if (json_get_str(o, key, &s, required, where, e))
		return EV_ERR_USAGE;
	snprintf(dst, len, "%s", s ? s : "");
	return EV_OK;
}

static int pos_num(const cJSON *o, const char *key, double *v, const char *where, struct ev_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	*v = 0;
	if (!it || cJSON_IsNull(it))
		return EV_OK;
	if (!cJSON_IsNumber(it) || it->valuedouble <= 0)
		return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': must be a positive number or null",
			       where, key);
	*v = it->valuedouble;
	return EV_OK;
}

static void join_list(const cJSON *arr, char *dst, size_t len)
{
	const cJSON *it;
	size_t n = 0;
	dst[0] = 0;
	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && n < len)
			n += (size_t)snprintf(dst + n, len - n, "%s%s", n ? " " : "", it->valuestring);
	}
}

int devices_load_file(const char *path, struct ev_device *d, struct ev_err *e)
{
	cJSON *doc = NULL;
	const cJSON *mem, *cpu, *acc;
	const char *s = NULL;
	char where[600];
	double v;
	int rc;
	memset(d, 0, sizeof *d);
	if ((rc = json_read_file(path, &doc, e)))
		return rc;
	rc = EV_ERR_USAGE;
	if (json_get_str(doc, "schema", &s, 1, path, e))
		goto out;
	if (strcmp(s, "eaves.device")) {
		ev_fail(e, EV_ERR_USAGE, "%s: field 'schema': '%s' is not 'eaves.device'", path, s);
		goto out;
	}
	if (str_field(doc, "id", d->id, sizeof d->id, 1, path, e) ||
	    str_field(doc, "name", d->name, sizeof d->name, 1, path, e) ||
	    str_field(doc, "soc", d->soc, sizeof d->soc, 0, path, e) ||
	    str_field(doc, "notes", d->notes, sizeof d->notes, 0, path, e))
		goto out;
	mem = cJSON_GetObjectItemCaseSensitive(doc, "memory");
	if (!cJSON_IsObject(mem)) {
		ev_fail(e, EV_ERR_USAGE, "%s: field 'memory': missing or not an object", path);
		goto out;
	}
	snprintf(where, sizeof where, "%s: memory", path);
	if (str_field(mem, "type", d->mem_type, sizeof d->mem_type, 1, where, e) ||
	    str_field(mem, "bw_basis", d->bw_basis, sizeof d->bw_basis, 1, where, e) ||
	    str_field(mem, "bw_note", d->bw_note, sizeof d->bw_note, 0, where, e) ||
	    pos_num(mem, "bus_bits", &v, where, e))
		goto out;
	d->bus_bits = (int)v;
	if (pos_num(mem, "mts", &d->mts, where, e) || pos_num(mem, "peak_bw_gbs", &v, where, e))
		goto out;
	d->peak_bw_bytes_per_s = v * 1e9;
	if (strcmp(d->bw_basis, "published") && strcmp(d->bw_basis, "derived") &&
	    strcmp(d->bw_basis, "not found")) {
		ev_fail(e, EV_ERR_USAGE, "%s: field 'bw_basis': '%s' is not published, derived or not found",
			where, d->bw_basis);
		goto out;
	}
	cpu = cJSON_GetObjectItemCaseSensitive(doc, "cpu");
	if (!cJSON_IsObject(cpu)) {
		ev_fail(e, EV_ERR_USAGE, "%s: field 'cpu': missing or not an object", path);
		goto out;
	}
	snprintf(where, sizeof where, "%s: cpu", path);
	if (str_field(cpu, "desc", d->cpu, sizeof d->cpu, 1, where, e) ||
	    str_field(cpu, "uarch", d->uarch, sizeof d->uarch, 0, where, e) ||
	    str_field(cpu, "simd", d->simd, sizeof d->simd, 0, where, e) ||
	    pos_num(cpu, "cores", &v, where, e))
		goto out;
	d->cores = (int)v;
	if (pos_num(cpu, "max_ghz", &v, where, e))
		goto out;
	d->max_hz = v * 1e9;
	if (pos_num(cpu, "peak_fp32_gflops", &v, where, e))
		goto out;
	d->peak_fp32_flop_per_s = v * 1e9;
	acc = cJSON_GetObjectItemCaseSensitive(doc, "accelerator");
	if (cJSON_IsObject(acc)) {
		snprintf(where, sizeof where, "%s: accelerator", path);
		if (str_field(acc, "name", d->accel, sizeof d->accel, 1, where, e) ||
		    str_field(acc, "peak", d->accel_peak, sizeof d->accel_peak, 0, where, e))
			goto out;
	}
	if (pos_num(doc, "ram_gb_max", &v, path, e) || pos_num(doc, "tdp_w", &d->tdp_w, path, e))
		goto out;
	d->ram_bytes_max = v * 1073741824.0;
	join_list(cJSON_GetObjectItemCaseSensitive(doc, "sources"), d->sources, sizeof d->sources);
	rc = EV_OK;
out:
	cJSON_Delete(doc);
	return rc;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(((const struct ev_device *)a)->id, ((const struct ev_device *)b)->id);
}

int devices_list(struct ev_device *out, int max, struct ev_err *e)
{
	char dir[1024], path[1400];
	DIR *d;
	struct dirent *de;
	int n = 0;
	config_path(dir, sizeof dir, "devices");
	d = opendir(dir);
	if (!d) {
		ev_fail(e, EV_ERR_RUNTIME, "cannot open the device folder '%s'", dir);
		return -1;
	}
	while ((de = readdir(d)) && n < max) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (devices_load_file(path, &out[n], e)) {
			closedir(d);
			return -1;
		}
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof *out, cmp_id);
	return n;
}

int devices_load(const char *name, struct ev_device *d, struct ev_err *e)
{
	struct ev_device *all;
	int n;
	if (strchr(name, '/') || strstr(name, ".json"))
		return devices_load_file(name, d, e);
	all = calloc(96, sizeof *all);
	if (!all)
		return ev_fail(e, EV_ERR_RUNTIME, "out of memory");
	n = devices_list(all, 96, e);
	for (int i = 0; i < n; i++)
		if (!strcasecmp(all[i].id, name)) {
			*d = all[i];
			free(all);
			return EV_OK;
		}
	free(all);
	if (n < 0)
		return EV_ERR_RUNTIME;
	return ev_fail(e, EV_ERR_USAGE,
		       "--device: unknown device '%s' (eaves devices lists them; or a path to a JSON file)",
		       name);
}
