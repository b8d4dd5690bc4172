/* src/core/sysfs.c: root-relative reads of /sys and /proc. */
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char root_buf[512];
static int root_set;

const char *sysfs_root(void)
{
	if (!root_set) {
		const char *env = getenv("EAVES_SYSROOT");
		snprintf(root_buf, sizeof root_buf, "%s", env && *env ? env : "/");
		root_set = 1;
	}
	return root_buf;
}

void sysfs_set_root(const char *root)
{
	snprintf(root_buf, sizeof root_buf, "%s", root && *root ? root : "/");
	root_set = 1;
}

static void full_path(char *out, size_t len, const char *path)
{
	const char *r = sysfs_root();
	size_t rl = strlen(r);
	while (rl > 1 && r[rl - 1] == '/')
		rl--;
	if (rl == 1 && r[0] == '/')
		rl = 0;
	snprintf(out, len, "%.*s%s%s", (int)rl, r, path[0] == '/' ? "" : "/", path);
}

int sysfs_read(const char *path, char *buf, size_t len)
{
	char p[1024];
	FILE *f;
	size_t n;
	full_path(p, sizeof p, path);
	f = fopen(p, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = 0;
	return 0;
}

int sysfs_read_i64(const char *path, int64_t *v)
{
	char buf[64], *end;
	if (sysfs_read(path, buf, sizeof buf))
		return -1;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return (end == buf || errno) ? -1 : 0;
}

int sysfs_exists(const char *path)
{
	char p[1024];
	full_path(p, sizeof p, path);
	return access(p, F_OK) == 0;
}

int sysfs_meminfo(const char *key, uint64_t *bytes)
{
	char p[1024], line[256];
	size_t kl = strlen(key);
	FILE *f;
	full_path(p, sizeof p, "/proc/meminfo");
	f = fopen(p, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned long long v;
		if (!strncmp(line, key, kl) && line[kl] == ':' &&
		    sscanf(line + kl + 1, "%llu", &v) == 1) {
			fclose(f);
			*bytes = strstr(line, "kB") ? v * 1024ULL : v;
			return 0;
		}
	}
	fclose(f);
	return -1;
}

#include <dirent.h>

static int cmp_names(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

int sysfs_list(const char *dir, const char *prefix, char ***names, int max)
{
	char p[1024];
	DIR *d;
	struct dirent *de;
	int n = 0;
	size_t pl = strlen(prefix);
	*names = NULL;
	full_path(p, sizeof p, dir);
	d = opendir(p);
	if (!d)
		return 0;
	*names = calloc((size_t)max, sizeof **names);
	if (!*names) {
		closedir(d);
		return 0;
	}
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, pl))
			continue;
		(*names)[n] = strdup(de->d_name);
		if ((*names)[n])
			n++;
	}
	closedir(d);
	qsort(*names, (size_t)n, sizeof **names, cmp_names);
	return n;
}

void sysfs_list_free(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
