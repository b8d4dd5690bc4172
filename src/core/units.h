/* src/core/units.h: parsing and printing of sizes, times, rates and counts.
 * Sizes: 4096, 32K, 32KiB, 1.5MiB, 2G, 2GB (K/M/G are powers of 1024 for sizes;
 * KB/MB/GB too, as free(1) and likwid use them). Times: 10ms, 2s, 1m, 1.5 (seconds).
 * Bandwidth: 100GB/s, 25.6 GB/s, 800MB/s, 1e11 (bytes/s); SI powers of 1000. */
#ifndef EV_UNITS_H
#define EV_UNITS_H
#include <stddef.h>
#include <stdint.h>

int units_parse_size(const char *s, uint64_t *bytes);
int units_parse_time(const char *s, double *t_s);
int units_parse_bw(const char *s, double *bytes_per_s);
/* A plain number with an optional SI suffix or exponent: 1.7e9, 1.7G, 135M. */
int units_parse_count(const char *s, double *v);
/* Comma list of integers or ranges: "1,2,4" "1-4" -> vals; returns count or -1. */
/* "1,2,4" or "1-4,8" into vals (at most max); returns the count, or -1 with
 * the problem in why (not a list, a value above 2^20, more than max values). */
int units_parse_int_list(const char *s, int *vals, int max, char *why, size_t len);

/* "32 KiB", "1.5 MiB", "24.0 GiB" */
const char *units_fmt_bytes(char *buf, size_t len, double bytes);
/* "45.3 GB/s" (SI) */
const char *units_fmt_bw(char *buf, size_t len, double bytes_per_s);
/* "116.2 GFLOP/s" */
const char *units_fmt_flops(char *buf, size_t len, double flop_per_s);

#endif
