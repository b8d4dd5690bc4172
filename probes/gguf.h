/* probes/gguf.h: a reader of GGUF model files (versions 2 and 3), after the
 * format's specification (ggml docs/gguf.md). The file is untrusted input:
 * every count, length, offset and size is checked against the file's size
 * before it is used, and an error names the field. Strings and tensor data
 * are not copied: they point into the mapped file.
 *
 * Layout: "GGUF", u32 version, u64 tensor count, u64 metadata count, then the
 * metadata (key string, u32 value type, value), then per tensor (name, u32
 * dims, u64 extent per dim, u32 ggml type, u64 offset), padding to the
 * alignment (general.alignment, default 32), then the tensor data; offsets are
 * relative to its start. Strings are a u64 length and bytes, no NUL. */
#ifndef EV_GGUF_H
#define EV_GGUF_H
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "model-shape.h"
#include "quant.h"

enum gguf_vtype {
	GGUF_U8 = 0, GGUF_I8, GGUF_U16, GGUF_I16, GGUF_U32, GGUF_I32, GGUF_F32, GGUF_BOOL,
	GGUF_STRING, GGUF_ARRAY, GGUF_U64, GGUF_I64, GGUF_F64, GGUF_VTYPE__COUNT
};

#define GGUF_MAX_DIMS 4
#define GGUF_MAX_NAME 64          /* tensor names (the specification's limit) */
#define GGUF_MAX_KEY 65535        /* metadata keys */
#define GGUF_MAX_TENSORS (1 << 20)
#define GGUF_MAX_KV (1 << 20)

struct gguf_str {
	const char *p; /* not NUL-terminated */
	uint64_t n;
};

struct gguf_kv {
	struct gguf_str key;
	uint32_t type;
	union {
		uint64_t u;
		int64_t i;
		double f;
		struct gguf_str s;
	} v;
	uint32_t arr_type;                 /* GGUF_ARRAY: element type, count, first byte */
	uint64_t arr_n;
	const unsigned char *arr_data;
};

struct gguf_tensor {
	struct gguf_str name;
	uint32_t n_dims, type;             /* type: the ggml type id */
	uint64_t ne[GGUF_MAX_DIMS];        /* ne[0] the row length (innermost) */
	uint64_t offset, bytes, elems;
	const unsigned char *data;
};

/* Every tensor type GGUF defines, by its ggml id: block size and bytes, and
 * the weight format eaves' decoder runs it with (-1: none). */
struct gguf_type_info {
	const char *name;
	int block_elems, block_bytes;
	int ev_type;
};
/* NULL for an id GGUF does not define (or newer than this table). */
const struct gguf_type_info *gguf_type(uint32_t id);
/* The ggml id of one of eaves' weight formats (enum ev_type). */
uint32_t gguf_type_of_ev(int ev_type);
/* "Q4_K_M" for general.file_type 15, or NULL. */
const char *gguf_ftype_name(uint64_t ftype);

struct gguf_file {
	const unsigned char *base;
	uint64_t size;
	uint32_t version;
	uint64_t n_kv, n_tensors, alignment, data_off;
	struct gguf_kv *kv;
	struct gguf_tensor *t;
	void *map;                         /* gguf_open's mapping, or NULL */
	size_t map_len;
	char path[512];
};

/* Parse size bytes at buf (kept, not copied: buf must outlive g); g zeroed
 * first (or from gguf_open). `what` names the input in errors (a path). On
 * failure too, gguf_close(g) frees what was allocated. */
int gguf_parse(struct gguf_file *g, const void *buf, uint64_t size, const char *what,
	       struct ev_err *e);
/* Map and parse a file. private_rw: a private writable mapping (the decoder
 * repacks rows in place; the file never changes), else read-only. */
int gguf_open(struct gguf_file *g, const char *path, int private_rw, struct ev_err *e);
void gguf_close(struct gguf_file *g);

const struct gguf_kv *gguf_find(const struct gguf_file *g, const char *key);
const struct gguf_tensor *gguf_tensor(const struct gguf_file *g, const char *name);
/* Typed getters: EV_OK, EV_ERR_UNSUPPORTED when the key is absent, or
 * EV_ERR_USAGE (the key has the wrong type or value; e names it). */
int gguf_get_uint(const struct gguf_file *g, const char *key, uint64_t *v, struct ev_err *e);
int gguf_get_float(const struct gguf_file *g, const char *key, double *v, struct ev_err *e);
/* A string into buf (NUL-terminated, truncated to len-1). */
int gguf_get_str(const struct gguf_file *g, const char *key, char *buf, size_t len,
		 struct ev_err *e);
/* "name" of a gguf_str into buf, printable (other bytes become '?'). */
const char *gguf_str_c(struct gguf_str s, char *buf, size_t len);

/* A Llama-family model in the file (architectures llama and qwen2): its shape from the metadata, checked
 * against every tensor it needs. */
struct gguf_llama {
	struct ev_model_shape shape;
	char arch[32];
	const struct gguf_tensor *rope_factors; /* rope_freqs.weight (f32, head_dim/2) or NULL */
	struct ev_weight_bytes wb;         /* exact, from the tensors' own types */
	double vec_bytes;                  /* norm and bias vectors as stored */
	double mm_weights[EV_TYPE__COUNT]; /* weights a token multiplies, by decoder format
					    * (those of a format without a kernel: not here) */
	double mm_total;                   /* all weights a token multiplies */
};
int gguf_llama_read(const struct gguf_file *g, struct gguf_llama *m, struct ev_err *e);
/* EV_OK when every matrix has a format the decoder runs; else an error naming
 * the first one that does not. */
int gguf_llama_runnable(const struct gguf_file *g, const struct gguf_llama *m, struct ev_err *e);
/* The matrices a token multiplies: k = 0..6 of layer l (q, k, v, output,
 * gate, up, down), or with l = -1 the LM head (output.weight, or
 * token_embd.weight when tied). NULL past the end. */
const struct gguf_tensor *gguf_llama_matrix(const struct gguf_file *g, const struct gguf_llama *m,
					    int l, int k);

/* Bytes by tensor type: count of tensors, elements, bytes. */
struct gguf_type_total {
	uint32_t type;
	uint64_t tensors, elems, bytes;
};
/* Totals per type present (at most max), the largest share first; the count. */
int gguf_type_totals(const struct gguf_file *g, struct gguf_type_total *out, int max);

#endif
