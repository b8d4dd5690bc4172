/* src/core/sha256.h: SHA-256 (FIPS 180-4), to name a model file by its
 * content in results. Streaming: init, update with any chunks, final. */
#ifndef EV_SHA256_H
#define EV_SHA256_H
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ev_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t nbuf;
};

void sha256_init(struct ev_sha256 *s);
void sha256_update(struct ev_sha256 *s, const void *data, size_t n);
/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_final_hex(struct ev_sha256 *s, char hex[65]);
/* The digest of a whole file, read in large chunks (stop: checked between
 * chunks, may be NULL; a stop leaves EV_ERR_INTERRUPTED). */
int sha256_file(const char *path, char hex[65], const volatile sig_atomic_t *stop, struct ev_err *e);

#endif
