/* src/core/json.c: result envelope, atomic file writes, typed getters. */
#include "json.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "sensors.h"
#include "version.h"

cJSON *json_num(cJSON *obj, const char *key, double v)
{
	if (!isfinite(v))
		return cJSON_AddNullToObject(obj, key);
	return cJSON_AddNumberToObject(obj, key, v);
}

cJSON *json_num_array(cJSON *obj, const char *key, const double *v, int n)
{
	cJSON *a = cJSON_AddArrayToObject(obj, key);
	for (int k = 0; a && k < n; k++)
		cJSON_AddItemToArray(a, isfinite(v[k]) ? cJSON_CreateNumber(v[k]) : cJSON_CreateNull());
	return a;
}

cJSON *json_str(cJSON *obj, const char *key, const char *s)
{
	return cJSON_AddStringToObject(obj, key, s ? s : "");
}

cJSON *json_machine(struct ev_ctx *c)
{
	cJSON *m = cJSON_CreateObject(), *cpu, *feat, *isas, *topo, *caches, *kinds;
	const struct ev_topo *t = &c->topo;
	cpu = cJSON_AddObjectToObject(m, "cpu");
	json_str(cpu, "arch", c->cpu.arch);
	json_str(cpu, "vendor", c->cpu.vendor);
	json_str(cpu, "model_name", c->cpu.model_name);
	json_str(cpu, "uarch", c->cpu.uarch);
	json_str(cpu, "uarch_source", strcmp(c->cpu.uarch, "unknown") ? "cpuid/midr" : "unknown");
	if (!strcmp(c->cpu.arch, "x86_64")) {
		json_num(cpu, "family", c->cpu.family);
		json_num(cpu, "model", c->cpu.model);
		json_num(cpu, "stepping", c->cpu.stepping);
	} else if (c->cpu.nparts) {
		cJSON *parts = cJSON_AddArrayToObject(cpu, "midr_parts");
		json_num(cpu, "midr_implementer", c->cpu.implementer);
		for (int i = 0; i < c->cpu.nparts; i++)
			cJSON_AddItemToArray(parts, cJSON_CreateString(
				cpu_arm_part_name(c->cpu.implementer, c->cpu.parts[i])));
	}
	feat = cJSON_AddArrayToObject(cpu, "features");
	for (int f = 0; f < EV_FEAT__COUNT; f++)
		if (c->cpu.features & (1ULL << f))
			cJSON_AddItemToArray(feat, cJSON_CreateString(cpu_feature_name(f)));
	/* Kernel feature sets usable here, within the --isa cap (the sets the
	 * kernels were picked from). */
	isas = cJSON_AddArrayToObject(cpu, "feature_sets");
	for (int i = 0; i < EV_TARGET__COUNT; i++)
		if (cpu_target_usable(&c->cpu, i))
			cJSON_AddItemToArray(isas, cJSON_CreateString(ev_targets[i].name));
	if (c->cpu.cap_set >= 0)
		json_str(cpu, "isa_cap", ev_targets[c->cpu.cap_set].name);
	else
		cJSON_AddNullToObject(cpu, "isa_cap");

	topo = cJSON_AddObjectToObject(m, "topology");
	json_str(topo, "source", t->source);
	if (t->warning[0])
		json_str(topo, "warning", t->warning);
	json_num(topo, "packages", t->packages);
	json_num(topo, "cores", t->cores);
	json_num(topo, "pus", t->pus);
	json_num(topo, "numa_nodes", t->numa_nodes);
	json_num(topo, "mem_total_bytes", (double)t->mem_total_bytes);
	json_num(topo, "mem_available_bytes", (double)t->mem_avail_bytes);
	json_num(topo, "numa_mem_bytes", (double)t->numa_mem_bytes);
	caches = cJSON_AddArrayToObject(topo, "caches");
	for (int i = 0; i < t->ncaches; i++) {
		const struct ev_cache *k = &t->caches[i];
		cJSON *o = cJSON_CreateObject();
		char name[8];
		snprintf(name, sizeof name, "L%d", k->level);
		json_str(o, "level", name);
		json_str(o, "type", k->type == 'u' ? "unified" : "data");
		json_num(o, "size_bytes", (double)k->size_bytes);
		json_num(o, "line_bytes", k->line_bytes);
		json_num(o, "ways", k->ways);
		json_num(o, "instances", k->instances);
		json_num(o, "pus_per_instance", k->pus_per_instance);
		json_num(o, "cores_per_instance", k->cores_per_instance);
		cJSON_AddItemToArray(caches, o);
	}
	kinds = cJSON_AddArrayToObject(topo, "core_kinds");
	for (int i = 0; i < t->nkinds; i++) {
		cJSON *o = cJSON_CreateObject();
		json_str(o, "name", t->kinds[i].name);
		json_num(o, "efficiency", t->kinds[i].efficiency);
		json_num(o, "cores", t->kinds[i].ncores);
		json_num(o, "pus", t->kinds[i].npus);
		cJSON_AddItemToArray(kinds, o);
	}
	return m;
}

/* The machine state from one reading; `read` says when it was taken. */
/* A machine-state part that could not be read, and why. */
static void unavailable(cJSON *o, const char *reason)
{
	json_str(o, "status", "unavailable");
	json_str(o, "reason", reason);
}

static cJSON *json_state(const struct ev_sensors *sp, const char *read)
{
	struct ev_sensors s = *sp;
	cJSON *st = cJSON_CreateObject(), *o, *arr;
	json_str(st, "read", read);
	o = cJSON_AddObjectToObject(st, "cpufreq");
	if (s.cpufreq_ok) {
		json_str(o, "status", "ok");
		json_str(o, "governor", s.governor);
		json_str(o, "driver", s.cpufreq_driver);
		json_num(o, "max_hz", s.max_hz);
		json_num(o, "min_hz", s.min_hz);
		arr = cJSON_AddArrayToObject(o, "cur_hz");
		for (int i = 0; i < s.ncpus; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateNumber(s.cur_hz[i]));
	} else {
		unavailable(o, s.cpufreq_reason);
	}
	o = cJSON_AddObjectToObject(st, "thermal");
	if (s.thermal_ok) {
		json_str(o, "status", "ok");
		arr = cJSON_AddArrayToObject(o, "temps");
		for (int i = 0; i < s.ntemps; i++) {
			cJSON *r = cJSON_CreateObject();
			json_str(r, "name", s.temp_c[i].name);
			json_num(r, "temp_c", s.temp_c[i].value);
			json_str(r, "source", s.temp_c[i].source);
			cJSON_AddItemToArray(arr, r);
		}
	} else {
		unavailable(o, s.thermal_reason);
	}
	o = cJSON_AddObjectToObject(st, "power");
	if (s.power_ok) {
		json_str(o, "status", "ok");
		arr = cJSON_AddArrayToObject(o, "energy_counters");
		for (int i = 0; i < s.nenergy; i++) {
			cJSON *r = cJSON_CreateObject();
			json_str(r, "name", s.energy_j[i].name);
			json_num(r, "energy_j", s.energy_j[i].value);
			json_str(r, "source", s.energy_j[i].source);
			cJSON_AddItemToArray(arr, r);
		}
		arr = cJSON_AddArrayToObject(o, "rails");
		for (int i = 0; i < s.npower; i++) {
			cJSON *r = cJSON_CreateObject();
			json_str(r, "name", s.power_w[i].name);
			json_num(r, "power_w", s.power_w[i].value);
			json_str(r, "source", s.power_w[i].source);
			cJSON_AddItemToArray(arr, r);
		}
	} else {
		unavailable(o, s.power_reason);
	}
	o = cJSON_AddObjectToObject(st, "devfreq");
	if (s.devfreq_ok) {
		json_str(o, "status", "ok");
		arr = cJSON_AddArrayToObject(o, "devices");
		for (int i = 0; i < s.ndevfreq; i++) {
			cJSON *r = cJSON_CreateObject();
			json_str(r, "name", s.devfreq[i].name);
			json_str(r, "kind", s.devfreq[i].kind);
			json_str(r, "governor", s.devfreq[i].governor);
			json_num(r, "cur_hz", s.devfreq[i].cur_hz);
			json_num(r, "min_hz", s.devfreq[i].min_hz);
			json_num(r, "max_hz", s.devfreq[i].max_hz);
			json_num(r, "available_frequencies", s.devfreq[i].nfreqs);
			json_str(r, "source", s.devfreq[i].source);
			cJSON_AddItemToArray(arr, r);
		}
	} else {
		unavailable(o, s.devfreq_reason);
	}
	{
		struct ev_counters_status cs;
		counters_probe(&cs);
		o = cJSON_AddObjectToObject(st, "counters");
		json_str(o, "status", cs.available ? "ok" : "unavailable");
		if (cs.pmu[0])
			json_str(o, "pmu", cs.pmu);
		if (cs.paranoid != -99)
			json_num(o, "perf_event_paranoid", cs.paranoid);
		if (!cs.available)
			json_str(o, "reason", cs.reason);
	}
	json_str(st, "power_mode", s.power_mode[0] ? s.power_mode : "unknown");
	if (s.throttled[0])
		json_str(st, "rpi_throttled", s.throttled);
	return st;
}

cJSON *json_result_new(struct ev_ctx *c, const char *command)
{
	cJSON *d = cJSON_CreateObject(), *tool, *argv;
	struct utsname u;
	char host[256] = "unknown", ts[32];
	time_t now = time(NULL);
	struct tm tm;
	json_str(d, "schema", EV_SCHEMA);
	json_num(d, "schema_version", EV_SCHEMA_VERSION);
	json_str(d, "command", command);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_str(d, "created_utc", ts);
	gethostname(host, sizeof host - 1);
	json_str(d, "host", host);
	tool = cJSON_AddObjectToObject(d, "tool");
	json_str(tool, "name", "eaves");
	json_str(tool, "version", EV_VERSION);
	json_str(tool, "commit", EV_COMMIT);
	json_str(tool, "compiler", EV_COMPILER);
	json_str(tool, "cflags", EV_CFLAGS);
	argv = cJSON_AddArrayToObject(d, "argv");
	for (int i = 0; i < c->argc; i++)
		cJSON_AddItemToArray(argv, cJSON_CreateString(c->argv[i]));
	if (!uname(&u)) {
		char k[200];
		snprintf(k, sizeof k, "%s %s", u.sysname, u.release);
		json_str(d, "kernel", k);
	}
	cJSON_AddItemToObject(d, "machine", json_machine(c));
	if (c->have_state_before) {
		cJSON_AddItemToObject(d, "machine_state",
				      json_state(&c->state_before, "before measuring"));
		json_result_state_after(d);
	} else {
		struct ev_sensors s;
		sensors_read(&s);
		cJSON_AddItemToObject(d, "machine_state", json_state(&s, "when the result was written"));
	}
	return d;
}

void json_result_state_after(cJSON *doc)
{
	struct ev_sensors s;
	sensors_read(&s);
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "machine_state_after");
	cJSON_AddItemToObject(doc, "machine_state_after", json_state(&s, "after measuring"));
}

/* Write to something that is not a regular file (a device such as /dev/null
 * or /dev/stdout, a FIFO): directly, never replacing it. */
static int write_special(const char *path, const char *data, size_t len, struct ev_err *e)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return ev_fail(e, EV_ERR_RUNTIME, "cannot write '%s': %s", path, strerror(errno));
	if (fwrite(data, 1, len, f) != len || fflush(f)) {
		int err = errno;
		fclose(f);
		return ev_fail(e, EV_ERR_RUNTIME, "cannot write '%s': %s", path, strerror(err));
	}
	if (fclose(f))
		return ev_fail(e, EV_ERR_RUNTIME, "cannot write '%s': %s", path, strerror(errno));
	return EV_OK;
}

int file_write_atomic(const char *path_in, const char *data, size_t len, struct ev_err *e)
{
	char tmp[PATH_MAX + 32], real[PATH_MAX];
	const char *path = path_in;
	struct stat st;
	FILE *f;
	int fd;
	if (strlen(path_in) >= PATH_MAX)
		return ev_fail(e, EV_ERR_USAGE, "cannot write '%.80s...': the path is longer than %d bytes",
			       path_in, PATH_MAX - 1);
	if (!lstat(path, &st) && S_ISLNK(st.st_mode)) {
		/* a symlink: write where it points, leave the link itself alone */
		if (!realpath(path, real)) {
			/* a link to a file not made yet: write that file */
			char target[PATH_MAX];
			ssize_t n = readlink(path, target, sizeof target - 1);
			const char *slash = strrchr(path_in, '/');
			if (n <= 0 || (size_t)n >= sizeof target - 1)
				return ev_fail(e, EV_ERR_RUNTIME, "cannot write '%s': unreadable symlink",
					       path_in);
			target[n] = 0;
			if (target[0] == '/' || !slash)
				snprintf(real, sizeof real, "%s", target);
			else if ((size_t)snprintf(real, sizeof real, "%.*s/%s", (int)(slash - path_in),
						  path_in, target) >= sizeof real)
				return ev_fail(e, EV_ERR_USAGE, "cannot write '%s': the path is too long",
					       path_in);
		}
		path = real;
	}
	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode))
			return ev_fail(e, EV_ERR_USAGE, "cannot write '%s': it is a directory", path_in);
		if (!S_ISREG(st.st_mode))
			return write_special(path, data, len, e);
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
		return ev_fail(e, EV_ERR_USAGE, "cannot write '%s': the path is too long", path_in);
	/* O_EXCL: the temporary name is never an existing file or a planted link */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int err = errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return ev_fail(e, EV_ERR_RUNTIME, "cannot write '%s': %s", path_in, strerror(err));
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) || fsync(fileno(f))) {
		int err = errno;
		fclose(f);
		unlink(tmp);
		return ev_fail(e, EV_ERR_RUNTIME, "cannot write '%s': %s", path_in, strerror(err));
	}
	if (fclose(f) || rename(tmp, path)) {
		int err = errno;
		unlink(tmp);
		return ev_fail(e, EV_ERR_RUNTIME, "cannot write '%s': %s", path_in, strerror(err));
	}
	return EV_OK;
}

int json_write_file(const cJSON *doc, const char *path, struct ev_err *e)
{
	char *txt = cJSON_Print(doc);
	int rc;
	if (!txt)
		return ev_fail(e, EV_ERR_RUNTIME, "out of memory printing JSON");
	if (!strcmp(path, "-")) {
		rc = EV_OK;
		if (fputs(txt, stdout) < 0 || fputc('\n', stdout) < 0 || fflush(stdout))
			rc = ev_fail(e, EV_ERR_RUNTIME, "cannot write the result to standard output: %s",
				     strerror(errno));
	} else {
		size_t n = strlen(txt);
		txt[n] = '\n'; /* replace the terminator: write n+1 bytes */
		rc = file_write_atomic(path, txt, n + 1, e);
	}
	free(txt);
	return rc;
}

int json_read_file(const char *path, cJSON **out, struct ev_err *e)
{
	FILE *f;
	char *buf;
	long n;
	const char *end = NULL;
	struct stat st;
	*out = NULL;
	if (stat(path, &st))
		return ev_fail(e, EV_ERR_USAGE, "cannot read '%s': %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return ev_fail(e, EV_ERR_USAGE, "cannot read '%s': it is a directory, not a JSON file",
			       path);
	if (!S_ISREG(st.st_mode))
		return ev_fail(e, EV_ERR_USAGE,
			       "cannot read '%s': it is a %s, not a regular file (copy it to a file first)",
			       path, S_ISFIFO(st.st_mode) ? "FIFO" : S_ISCHR(st.st_mode) ? "device" : "special file");
	f = fopen(path, "rb");
	if (!f)
		return ev_fail(e, EV_ERR_USAGE, "cannot read '%s': %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return ev_fail(e, EV_ERR_USAGE, "cannot read '%s'", path);
	}
	if (n > (64L << 20)) {
		fclose(f);
		return ev_fail(e, EV_ERR_USAGE, "'%s' is larger than 64 MiB: not a result or config", path);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return ev_fail(e, EV_ERR_USAGE, "cannot read '%s'", path);
	}
	fclose(f);
	buf[n] = 0;
	*out = cJSON_ParseWithOpts(buf, &end, 1);
	if (!*out) {
		long off = end ? (long)(end - buf) : 0;
		int line = 1;
		for (long i = 0; i < off && i < n; i++)
			line += buf[i] == '\n';
		free(buf);
		return ev_fail(e, EV_ERR_USAGE, "'%s': invalid JSON near line %d (byte %ld)", path, line,
			       off);
	}
	free(buf);
	return EV_OK;
}

int json_get_num(const cJSON *o, const char *key, double *v, int required, const char *file,
		 struct ev_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!it || cJSON_IsNull(it)) {
		if (required)
			return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': missing", file, key);
		return EV_OK;
	}
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': not a number", file, key);
	*v = it->valuedouble;
	return EV_OK;
}

int json_get_range(const cJSON *o, const char *key, double *v, int required, double lo, double hi,
		   const char *file, struct ev_err *e)
{
	double x = NAN;
	int rc = json_get_num(o, key, &x, required, file, e);
	if (rc || isnan(x))
		return rc; /* absent and optional: *v untouched */
	if (x < lo || x > hi)
		return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': %g is outside %g..%g", file, key, x, lo,
			       hi);
	*v = x;
	return EV_OK;
}

int json_get_str(const cJSON *o, const char *key, const char **s, int required,
		 const char *file, struct ev_err *e)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!it || cJSON_IsNull(it)) {
		if (required)
			return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': missing", file, key);
		return EV_OK;
	}
	if (!cJSON_IsString(it))
		return ev_fail(e, EV_ERR_USAGE, "%s: field '%s': not a string", file, key);
	*s = it->valuestring;
	return EV_OK;
}
