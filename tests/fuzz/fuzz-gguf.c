/* tests/fuzz/fuzz-gguf.c: the GGUF reader on arbitrary bytes, then the Llama
 * reading, the runnable check and the type totals when it parses: every
 * error must be a clean one naming the field, nothing read past the end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gguf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gguf_file g;
	struct gguf_llama gl;
	struct gguf_type_total tt[48];
	struct ev_err e = {0};
	/* a copy of exactly size bytes: ASan catches a read past the end */
	unsigned char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memset(&g, 0, sizeof g);
	if (gguf_parse(&g, buf, size, "fuzz.gguf", &e) == EV_OK) {
		gguf_type_totals(&g, tt, 48);
		if (gguf_llama_read(&g, &gl, &e) == EV_OK)
			gguf_llama_runnable(&g, &gl, &e);
	}
	gguf_close(&g);
	free(buf);
	return 0;
}
