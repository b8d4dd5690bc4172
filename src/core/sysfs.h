/* src/core/sysfs.h: reading small text files under a configurable root, so the same
 * code reads /sys and /proc on a board and replayed fixture trees in tests.
 * The root comes from --sysroot or EAVES_SYSROOT; default "/". */
#ifndef EV_SYSFS_H
#define EV_SYSFS_H
#include <stddef.h>
#include <stdint.h>

const char *sysfs_root(void);
void sysfs_set_root(const char *root);
/* Read root/path into buf, trailing newline removed. 0 ok, -1 missing/unreadable. */
int sysfs_read(const char *path, char *buf, size_t len);
int sysfs_read_i64(const char *path, int64_t *v);
int sysfs_exists(const char *path);
/* Value of "Key:" in a /proc/meminfo-style file, in bytes (kB are converted). */
int sysfs_meminfo(const char *key, uint64_t *bytes);

#endif

#ifndef EV_SYSFS_LIST
#define EV_SYSFS_LIST
/* Names in root/dir starting with prefix, sorted (versionsort), at most max.
 * Returns the count (0 if the folder is missing). Caller frees with sysfs_list_free. */
int sysfs_list(const char *dir, const char *prefix, char ***names, int max);
void sysfs_list_free(char **names, int n);
#endif
