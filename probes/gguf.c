/* probes/gguf.c: the GGUF reader (see gguf.h). Every read goes through one
 * cursor that knows how many bytes are left, so nothing is read past the end;
 * counts are bounded by the bytes they would need before anything is
 * allocated for them. */
#include "gguf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "quant.h"

/* ---- tensor types ---- */
#define T_(id, nm, be, bb, ev) [id] = {nm, be, bb, ev}
static const struct gguf_type_info types[] = {
	T_(0, "F32", 1, 4, EV_TYPE_F32),
	T_(1, "F16", 1, 2, EV_TYPE_F16),
	T_(2, "Q4_0", 32, 18, EV_TYPE_Q4_0),
	T_(3, "Q4_1", 32, 20, EV_TYPE_Q4_1),
	T_(6, "Q5_0", 32, 22, EV_TYPE_Q5_0),
	T_(7, "Q5_1", 32, 24, EV_TYPE_Q5_1),
	T_(8, "Q8_0", 32, 34, EV_TYPE_Q8_0),
	T_(9, "Q8_1", 32, 36, -1),
	T_(10, "Q2_K", 256, 84, -1),
	T_(11, "Q3_K", 256, 110, -1),
	T_(12, "Q4_K", 256, 144, EV_TYPE_Q4_K),
	T_(13, "Q5_K", 256, 176, EV_TYPE_Q5_K),
	T_(14, "Q6_K", 256, 210, EV_TYPE_Q6_K),
	T_(15, "Q8_K", 256, 292, -1),
	T_(16, "IQ2_XXS", 256, 66, -1),
	T_(17, "IQ2_XS", 256, 74, -1),
	T_(18, "IQ3_XXS", 256, 98, -1),
	T_(19, "IQ1_S", 256, 50, -1),
	T_(20, "IQ4_NL", 32, 18, -1),
	T_(21, "IQ3_S", 256, 110, -1),
	T_(22, "IQ2_S", 256, 82, -1),
	T_(23, "IQ4_XS", 256, 136, -1),
	T_(24, "I8", 1, 1, -1),
	T_(25, "I16", 1, 2, -1),
	T_(26, "I32", 1, 4, -1),
	T_(27, "I64", 1, 8, -1),
	T_(28, "F64", 1, 8, -1),
	T_(29, "IQ1_M", 256, 56, -1),
	T_(30, "BF16", 1, 2, EV_TYPE_BF16),
	T_(31, "Q4_0_4_4", 32, 18, -1), /* interleaved q4_0, written by 2024 tools */
	T_(32, "Q4_0_4_8", 32, 18, -1),
	T_(33, "Q4_0_8_8", 32, 18, -1),
	T_(34, "TQ1_0", 256, 54, -1),
	T_(35, "TQ2_0", 256, 66, -1),
	T_(36, "IQ4_NL_4_4", 32, 18, -1),
	T_(37, "IQ4_NL_4_8", 32, 18, -1),
	T_(38, "IQ4_NL_8_8", 32, 18, -1),
	T_(39, "MXFP4", 32, 17, -1),
};
#undef T_
#define NTYPES (sizeof types / sizeof types[0])

const struct gguf_type_info *gguf_type(uint32_t id)
{
	return id < NTYPES && types[id].name ? &types[id] : NULL;
}

uint32_t gguf_type_of_ev(int ev_type)
{
	for (uint32_t i = 0; i < NTYPES; i++)
		if (types[i].name && types[i].ev_type == ev_type)
			return i;
	return UINT32_MAX;
}

const char *gguf_ftype_name(uint64_t f)
{
	static const char *const names[] = {
		[0] = "F32", [1] = "F16", [2] = "Q4_0", [3] = "Q4_1", [7] = "Q8_0", [8] = "Q5_0",
		[9] = "Q5_1", [10] = "Q2_K", [11] = "Q3_K_S", [12] = "Q3_K_M", [13] = "Q3_K_L",
		[14] = "Q4_K_S", [15] = "Q4_K_M", [16] = "Q5_K_S", [17] = "Q5_K_M", [18] = "Q6_K",
		[32] = "BF16",
	};
	return f < sizeof names / sizeof names[0] ? names[f] : NULL;
}

/* ---- the cursor ---- */
struct cur {
	const unsigned char *b;
	uint64_t off, size;
	const char *what;
	struct ev_err *e;
};

static int short_read(struct cur *c, const char *field, uint64_t need)
{
	return ev_fail(c->e, EV_ERR_USAGE,
		       "%s: %s: needs %llu bytes at offset %llu, the file has %llu (truncated?)",
		       c->what, field, (unsigned long long)need, (unsigned long long)c->off,
		       (unsigned long long)c->size);
}

static int rd(struct cur *c, void *out, uint64_t n, const char *field)
{
	if (n > c->size - c->off)
		return short_read(c, field, n);
	memcpy(out, c->b + c->off, (size_t)n);
	c->off += n;
	return EV_OK;
}

static int rd_u32(struct cur *c, uint32_t *v, const char *field)
{
	return rd(c, v, 4, field);
}

static int rd_u64(struct cur *c, uint64_t *v, const char *field)
{
	return rd(c, v, 8, field);
}

static int rd_str(struct cur *c, struct gguf_str *s, uint64_t max, const char *field)
{
	int rc;
	if ((rc = rd_u64(c, &s->n, field)))
		return rc;
	if (s->n > max)
		return ev_fail(c->e, EV_ERR_USAGE, "%s: %s: a string of %llu bytes (at most %llu)",
			       c->what, field, (unsigned long long)s->n, (unsigned long long)max);
	if (s->n > c->size - c->off)
		return short_read(c, field, s->n);
	s->p = (const char *)c->b + c->off;
	c->off += s->n;
	return EV_OK;
}

static const unsigned char vsize[GGUF_VTYPE__COUNT] = {
	[GGUF_U8] = 1, [GGUF_I8] = 1, [GGUF_U16] = 2, [GGUF_I16] = 2, [GGUF_U32] = 4,
	[GGUF_I32] = 4, [GGUF_F32] = 4, [GGUF_BOOL] = 1, [GGUF_U64] = 8, [GGUF_I64] = 8,
	[GGUF_F64] = 8,
};

const char *gguf_str_c(struct gguf_str s, char *buf, size_t len)
{
	size_t n = s.n < len - 1 ? (size_t)s.n : len - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = s.p[i] >= 32 && s.p[i] < 127 ? s.p[i] : '?';
	buf[n] = 0;
	return buf;
}

/* One scalar of type t at the cursor into kv's value. */
static int rd_scalar(struct cur *c, uint32_t t, struct gguf_kv *kv, const char *field)
{
	unsigned char raw[8] = {0};
	int rc;
	if ((rc = rd(c, raw, vsize[t], field)))
		return rc;
	switch (t) {
	case GGUF_U8: kv->v.u = raw[0]; break;
	case GGUF_BOOL: kv->v.u = raw[0] != 0; break;
	case GGUF_I8: kv->v.i = (int8_t)raw[0]; break;
	case GGUF_U16: { uint16_t x; memcpy(&x, raw, 2); kv->v.u = x; break; }
	case GGUF_I16: { int16_t x; memcpy(&x, raw, 2); kv->v.i = x; break; }
	case GGUF_U32: { uint32_t x; memcpy(&x, raw, 4); kv->v.u = x; break; }
	case GGUF_I32: { int32_t x; memcpy(&x, raw, 4); kv->v.i = x; break; }
	case GGUF_F32: { float x; memcpy(&x, raw, 4); kv->v.f = x; break; }
	case GGUF_U64: memcpy(&kv->v.u, raw, 8); break;
	case GGUF_I64: memcpy(&kv->v.i, raw, 8); break;
	case GGUF_F64: memcpy(&kv->v.f, raw, 8); break;
	}
	return EV_OK;
}

static int rd_kv(struct cur *c, uint64_t i, struct gguf_kv *kv)
{
	char field[160], kb[80];
	int rc;
	snprintf(field, sizeof field, "metadata %llu: key", (unsigned long long)i);
	if ((rc = rd_str(c, &kv->key, GGUF_MAX_KEY, field)))
		return rc;
	if (kv->key.n == 0)
		return ev_fail(c->e, EV_ERR_USAGE, "%s: metadata %llu: an empty key", c->what,
			       (unsigned long long)i);
	snprintf(field, sizeof field, "metadata '%s'", gguf_str_c(kv->key, kb, sizeof kb));
	if ((rc = rd_u32(c, &kv->type, field)))
		return rc;
	if (kv->type >= GGUF_VTYPE__COUNT)
		return ev_fail(c->e, EV_ERR_USAGE, "%s: %s: unknown value type %u", c->what, field,
			       kv->type);
	if (kv->type == GGUF_STRING)
		return rd_str(c, &kv->v.s, c->size, field);
	if (kv->type != GGUF_ARRAY)
		return rd_scalar(c, kv->type, kv, field);
	if ((rc = rd_u32(c, &kv->arr_type, field)) || (rc = rd_u64(c, &kv->arr_n, field)))
		return rc;
	if (kv->arr_type >= GGUF_VTYPE__COUNT || kv->arr_type == GGUF_ARRAY)
		return ev_fail(c->e, EV_ERR_USAGE, "%s: %s: array of %s (value type %u)", c->what, field,
			       kv->arr_type == GGUF_ARRAY ? "arrays, which eaves does not read" : "an unknown type",
			       kv->arr_type);
	kv->arr_data = c->b + c->off;
	if (kv->arr_type == GGUF_STRING) {
		/* each string at least 8 bytes: bound the count before walking */
		if (kv->arr_n > (c->size - c->off) / 8)
			return short_read(c, field, kv->arr_n * 8);
		for (uint64_t k = 0; k < kv->arr_n; k++) {
			struct gguf_str s;
			if ((rc = rd_str(c, &s, c->size, field)))
				return rc;
		}
		return EV_OK;
	}
	if (kv->arr_n > (c->size - c->off) / vsize[kv->arr_type])
		return short_read(c, field, kv->arr_n * vsize[kv->arr_type]);
	c->off += kv->arr_n * vsize[kv->arr_type];
	return EV_OK;
}

static int key_is(struct gguf_str s, const char *k)
{
	size_t n = strlen(k);
	return s.n == n && !memcmp(s.p, k, n);
}

static int rd_tensor(struct cur *c, uint64_t i, struct gguf_tensor *t)
{
	char field[160], nb[80];
	int rc;
	const struct gguf_type_info *ti;
	snprintf(field, sizeof field, "tensor %llu: name", (unsigned long long)i);
	if ((rc = rd_str(c, &t->name, GGUF_MAX_NAME, field)))
		return rc;
	snprintf(field, sizeof field, "tensor %llu (%s)", (unsigned long long)i,
		 gguf_str_c(t->name, nb, sizeof nb));
	if ((rc = rd_u32(c, &t->n_dims, field)))
		return rc;
	if (t->n_dims < 1 || t->n_dims > GGUF_MAX_DIMS)
		return ev_fail(c->e, EV_ERR_USAGE, "%s: %s: %u dimensions (1..%d)", c->what, field,
			       t->n_dims, GGUF_MAX_DIMS);
	t->elems = 1;
	for (uint32_t d = 0; d < GGUF_MAX_DIMS; d++) {
		t->ne[d] = 1;
		if (d < t->n_dims && (rc = rd_u64(c, &t->ne[d], field)))
			return rc;
		if (t->ne[d] == 0 || t->ne[d] > INT64_MAX ||
		    __builtin_mul_overflow(t->elems, t->ne[d], &t->elems))
			return ev_fail(c->e, EV_ERR_USAGE, "%s: %s: extent %llu of dimension %u %s",
				       c->what, field, (unsigned long long)t->ne[d], d,
				       t->ne[d] == 0 ? "is zero" : "overflows the element count");
	}
	if ((rc = rd_u32(c, &t->type, field)) || (rc = rd_u64(c, &t->offset, field)))
		return rc;
	if (!(ti = gguf_type(t->type)))
		return ev_fail(c->e, EV_ERR_USAGE, "%s: %s: unknown tensor type %u", c->what, field,
			       t->type);
	if (t->ne[0] % (uint64_t)ti->block_elems)
		return ev_fail(c->e, EV_ERR_USAGE,
			       "%s: %s: rows of %llu elements are not whole %s blocks of %d", c->what,
			       field, (unsigned long long)t->ne[0], ti->name, ti->block_elems);
	t->bytes = t->elems / (uint64_t)ti->block_elems * (uint64_t)ti->block_bytes;
	return EV_OK;
}

int gguf_parse(struct gguf_file *g, const void *buf, uint64_t size, const char *what,
	       struct ev_err *e)
{
	struct cur c = {buf, 0, size, what, e};
	uint32_t magic;
	int rc;
	uint64_t data_bytes;
	void *map = g->map;
	size_t map_len = g->map_len;
	char path[sizeof g->path];
	memcpy(path, g->path, sizeof path);
	memset(g, 0, sizeof *g);
	g->map = map;
	g->map_len = map_len;
	memcpy(g->path, path, sizeof path);
	g->base = buf;
	g->size = size;
	g->alignment = 32;
	if ((rc = rd_u32(&c, &magic, "magic")))
		return rc;
	if (memcmp(&magic, "GGUF", 4))
		return ev_fail(e, EV_ERR_USAGE, "%s: not a GGUF file (the first 4 bytes are not 'GGUF')",
			       what);
	if ((rc = rd_u32(&c, &g->version, "version")))
		return rc;
	if (g->version != 2 && g->version != 3) {
		if (g->version == 1)
			return ev_fail(e, EV_ERR_USAGE, "%s: GGUF version 1 (32-bit counts) is not supported: convert it with a current llama.cpp", what);
		if ((g->version & 0xffff) == 0)
			return ev_fail(e, EV_ERR_USAGE, "%s: a big-endian GGUF file (version %u byte-swapped) is not supported", what, g->version);
		return ev_fail(e, EV_ERR_USAGE, "%s: GGUF version %u (eaves reads 2 and 3)", what, g->version);
	}
	if ((rc = rd_u64(&c, &g->n_tensors, "tensor count")) || (rc = rd_u64(&c, &g->n_kv, "metadata count")))
		return rc;
	/* a metadata entry takes at least 8 + 1 + 4 + 1 bytes, a tensor entry 8 + 4 + 8 + 4 + 8 */
	if (g->n_kv > GGUF_MAX_KV || g->n_kv > (size - c.off) / 14)
		return ev_fail(e, EV_ERR_USAGE, "%s: metadata count %llu: more than the file can hold (%llu bytes)",
			       what, (unsigned long long)g->n_kv, (unsigned long long)size);
	if (g->n_tensors > GGUF_MAX_TENSORS || g->n_tensors > (size - c.off) / 32)
		return ev_fail(e, EV_ERR_USAGE, "%s: tensor count %llu: more than the file can hold (%llu bytes)",
			       what, (unsigned long long)g->n_tensors, (unsigned long long)size);
	g->kv = calloc(g->n_kv ? g->n_kv : 1, sizeof *g->kv);
	g->t = calloc(g->n_tensors ? g->n_tensors : 1, sizeof *g->t);
	if (!g->kv || !g->t)
		return ev_fail(e, EV_ERR_RUNTIME, "%s: out of memory for the header", what);
	for (uint64_t i = 0; i < g->n_kv; i++) {
		if ((rc = rd_kv(&c, i, &g->kv[i])))
			return rc;
		for (uint64_t k = 0; k < i; k++)
			if (g->kv[k].key.n == g->kv[i].key.n &&
			    !memcmp(g->kv[k].key.p, g->kv[i].key.p, g->kv[i].key.n)) {
				char kb[80];
				return ev_fail(e, EV_ERR_USAGE, "%s: metadata key '%s' appears twice", what,
					       gguf_str_c(g->kv[i].key, kb, sizeof kb));
			}
		if (key_is(g->kv[i].key, "general.alignment")) {
			const struct gguf_kv *a = &g->kv[i];
			if (a->type != GGUF_U32 || a->v.u == 0 || (a->v.u & (a->v.u - 1)))
				return ev_fail(e, EV_ERR_USAGE,
					       "%s: general.alignment must be a u32 power of two (type %u, value %llu)",
					       what, a->type, (unsigned long long)a->v.u);
			g->alignment = a->v.u;
		}
	}
	for (uint64_t i = 0; i < g->n_tensors; i++)
		if ((rc = rd_tensor(&c, i, &g->t[i])))
			return rc;
	/* data starts at the next multiple of the alignment */
	g->data_off = (c.off + g->alignment - 1) / g->alignment * g->alignment;
	if (g->data_off > size && g->n_tensors)
		return short_read(&c, "padding before the tensor data", g->data_off - c.off);
	data_bytes = size > g->data_off ? size - g->data_off : 0;
	for (uint64_t i = 0; i < g->n_tensors; i++) {
		struct gguf_tensor *t = &g->t[i];
		char nb[80];
		gguf_str_c(t->name, nb, sizeof nb);
		if (t->offset % g->alignment)
			return ev_fail(e, EV_ERR_USAGE, "%s: tensor '%s': offset %llu is not a multiple of the alignment %llu",
				       what, nb, (unsigned long long)t->offset, (unsigned long long)g->alignment);
		if (t->offset > data_bytes || t->bytes > data_bytes - t->offset)
			return ev_fail(e, EV_ERR_USAGE,
				       "%s: tensor '%s': offset %llu + %llu bytes runs past the end of the data (%llu bytes)",
				       what, nb, (unsigned long long)t->offset, (unsigned long long)t->bytes,
				       (unsigned long long)data_bytes);
		t->data = g->base + g->data_off + t->offset;
		for (uint64_t k = 0; k < i; k++)
			if (g->t[k].name.n == t->name.n && !memcmp(g->t[k].name.p, t->name.p, t->name.n))
				return ev_fail(e, EV_ERR_USAGE, "%s: tensor '%s' appears twice", what, nb);
	}
	return EV_OK;
}

int gguf_open(struct gguf_file *g, const char *path, int private_rw, struct ev_err *e)
{
	struct stat st;
	int fd, rc;
	void *p;
	memset(g, 0, sizeof *g);
	snprintf(g->path, sizeof g->path, "%s", path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ev_fail(e, EV_ERR_USAGE, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return ev_fail(e, EV_ERR_USAGE, "%s: not a regular file", path);
	}
	if (st.st_size < 24) {
		close(fd);
		return ev_fail(e, EV_ERR_USAGE, "%s: %lld bytes: too short for a GGUF header", path,
			       (long long)st.st_size);
	}
	p = mmap(NULL, (size_t)st.st_size, private_rw ? PROT_READ | PROT_WRITE : PROT_READ,
		 MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return ev_fail(e, EV_ERR_RUNTIME, "%s: cannot map %lld bytes: %s", path,
			       (long long)st.st_size, strerror(errno));
	g->map = p;
	g->map_len = (size_t)st.st_size;
	if ((rc = gguf_parse(g, p, (uint64_t)st.st_size, path, e)))
		gguf_close(g);
	return rc;
}

void gguf_close(struct gguf_file *g)
{
	free(g->kv);
	free(g->t);
	if (g->map)
		munmap(g->map, g->map_len);
	memset(g, 0, sizeof *g);
}

const struct gguf_kv *gguf_find(const struct gguf_file *g, const char *key)
{
	for (uint64_t i = 0; i < g->n_kv; i++)
		if (key_is(g->kv[i].key, key))
			return &g->kv[i];
	return NULL;
}

const struct gguf_tensor *gguf_tensor(const struct gguf_file *g, const char *name)
{
	for (uint64_t i = 0; i < g->n_tensors; i++)
		if (key_is(g->t[i].name, name))
			return &g->t[i];
	return NULL;
}

int gguf_get_uint(const struct gguf_file *g, const char *key, uint64_t *v, struct ev_err *e)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	if (!kv)
		return EV_ERR_UNSUPPORTED;
	switch (kv->type) {
	case GGUF_U8: case GGUF_U16: case GGUF_U32: case GGUF_U64:
		*v = kv->v.u;
		return EV_OK;
	case GGUF_I8: case GGUF_I16: case GGUF_I32: case GGUF_I64:
		if (kv->v.i >= 0) {
			*v = (uint64_t)kv->v.i;
			return EV_OK;
		}
		return ev_fail(e, EV_ERR_USAGE, "%s: metadata '%s' is negative (%lld)", g->path, key,
			       (long long)kv->v.i);
	}
	return ev_fail(e, EV_ERR_USAGE, "%s: metadata '%s' has value type %u, not an integer", g->path,
		       key, kv->type);
}

int gguf_get_float(const struct gguf_file *g, const char *key, double *v, struct ev_err *e)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	uint64_t u;
	int rc;
	if (!kv)
		return EV_ERR_UNSUPPORTED;
	if (kv->type == GGUF_F32 || kv->type == GGUF_F64) {
		*v = kv->v.f;
		return EV_OK;
	}
	if ((rc = gguf_get_uint(g, key, &u, e)) == EV_OK)
		*v = (double)u;
	return rc;
}

int gguf_get_str(const struct gguf_file *g, const char *key, char *buf, size_t len, struct ev_err *e)
{
	const struct gguf_kv *kv = gguf_find(g, key);
	if (!kv)
		return EV_ERR_UNSUPPORTED;
	if (kv->type != GGUF_STRING)
		return ev_fail(e, EV_ERR_USAGE, "%s: metadata '%s' has value type %u, not a string",
			       g->path, key, kv->type);
	gguf_str_c(kv->v.s, buf, len);
	return EV_OK;
}

int gguf_type_totals(const struct gguf_file *g, struct gguf_type_total *out, int max)
{
	int n = 0;
	for (uint64_t i = 0; i < g->n_tensors; i++) {
		int k;
		for (k = 0; k < n; k++)
			if (out[k].type == g->t[i].type)
				break;
		if (k == n) {
			if (n == max)
				continue;
			memset(&out[n], 0, sizeof out[n]);
			out[n++].type = g->t[i].type;
		}
		out[k].tensors++;
		out[k].elems += g->t[i].elems;
		out[k].bytes += g->t[i].bytes;
	}
	for (int a = 1; a < n; a++)
		for (int b = a; b > 0 && out[b].bytes > out[b - 1].bytes; b--) {
			struct gguf_type_total t = out[b];
			out[b] = out[b - 1];
			out[b - 1] = t;
		}
	return n;
}

/* ---- Llama-family models ---- */

/* Architectures with the llama block (RMSNorm, RoPE GQA attention, SwiGLU)
 * and how they rotate: llama.cpp's converter permutes llama's Q and K so that
 * RoPE rotates adjacent pairs; qwen2 keeps the halves layout (NEOX). */
static const struct {
	const char *arch;
	int rope_pairs;
} archs[] = {
	{"llama", 1},
	{"qwen2", 0},
};

static int meta_int(const struct gguf_file *g, const char *arch, const char *suffix, int req,
		    uint64_t def, uint64_t max, int *out, struct ev_err *e)
{
	char key[128];
	uint64_t v = def;
	int rc;
	snprintf(key, sizeof key, "%s.%s", arch, suffix);
	rc = gguf_get_uint(g, key, &v, e);
	if (rc == EV_ERR_UNSUPPORTED && req)
		return ev_fail(e, EV_ERR_USAGE, "%s: metadata '%s' is missing", g->path, key);
	if (rc && rc != EV_ERR_UNSUPPORTED)
		return rc;
	if (v < 1 || v > max)
		return ev_fail(e, EV_ERR_USAGE, "%s: metadata '%s' = %llu is outside 1..%llu", g->path,
			       key, (unsigned long long)v, (unsigned long long)max);
	*out = (int)v;
	return EV_OK;
}

/* A tensor the model needs: present, of the right shape. */
static int need(const struct gguf_file *g, const char *name, uint64_t ne0, uint64_t ne1,
		struct ev_err *e)
{
	const struct gguf_tensor *t = gguf_tensor(g, name);
	if (!t)
		return ev_fail(e, EV_ERR_USAGE, "%s: tensor '%s' is missing", g->path, name);
	if (t->ne[0] != ne0 || t->ne[1] != ne1 || t->ne[2] != 1 || t->ne[3] != 1)
		return ev_fail(e, EV_ERR_USAGE,
			       "%s: tensor '%s' is %llux%llux%llux%llu, the metadata says %llux%llu",
			       g->path, name, (unsigned long long)t->ne[0], (unsigned long long)t->ne[1],
			       (unsigned long long)t->ne[2], (unsigned long long)t->ne[3],
			       (unsigned long long)ne0, (unsigned long long)ne1);
	return EV_OK;
}

int gguf_llama_read(const struct gguf_file *g, struct gguf_llama *m, struct ev_err *e)
{
	struct ev_model_shape *s = &m->shape;
	char buf[96], key[128];
	const char *a;
	size_t ai;
	int rc, q_dim, kv_dim, rope_dim;
	double f;
	memset(m, 0, sizeof *m);
	if ((rc = gguf_get_str(g, "general.architecture", m->arch, sizeof m->arch, e)))
		return rc == EV_ERR_UNSUPPORTED
			       ? ev_fail(e, EV_ERR_USAGE, "%s: metadata 'general.architecture' is missing", g->path)
			       : rc;
	for (ai = 0; ai < sizeof archs / sizeof archs[0]; ai++)
		if (!strcmp(archs[ai].arch, m->arch))
			break;
	if (ai == sizeof archs / sizeof archs[0])
		return ev_fail(e, EV_ERR_USAGE,
			       "%s: architecture '%s' is not supported (eaves runs llama and qwen2)",
			       g->path, m->arch);
	a = m->arch;
	s->rope_pairs = archs[ai].rope_pairs;
	if ((rc = meta_int(g, a, "block_count", 1, 0, 4096, &s->n_layers, e)) ||
	    (rc = meta_int(g, a, "embedding_length", 1, 0, 1 << 20, &s->hidden, e)) ||
	    (rc = meta_int(g, a, "attention.head_count", 1, 0, 65536, &s->n_heads, e)) ||
	    (rc = meta_int(g, a, "attention.head_count_kv", 0, (uint64_t)s->n_heads, 65536, &s->n_kv_heads, e)) ||
	    (rc = meta_int(g, a, "feed_forward_length", 1, 0, 1 << 22, &s->ffn, e)) ||
	    (rc = meta_int(g, a, "context_length", 0, 2048, 1 << 24, &s->max_ctx, e)))
		return rc;
	if ((rc = meta_int(g, a, "attention.key_length", 0, (uint64_t)(s->hidden / s->n_heads > 0 ? s->hidden / s->n_heads : 1),
			   1 << 16, &s->head_dim, e)) ||
	    (rc = meta_int(g, a, "rope.dimension_count", 0, (uint64_t)s->head_dim, 1 << 16, &rope_dim, e)))
		return rc;
	if (rope_dim != s->head_dim)
		return ev_fail(e, EV_ERR_USAGE, "%s: %s.rope.dimension_count %d: partial rotary (head_dim %d) is not supported",
			       g->path, a, rope_dim, s->head_dim);
	snprintf(key, sizeof key, "%s.attention.value_length", a);
	{
		uint64_t vl;
		if ((rc = gguf_get_uint(g, key, &vl, e)) == EV_OK && vl != (uint64_t)s->head_dim)
			return ev_fail(e, EV_ERR_USAGE, "%s: %s = %llu differs from the key length %d (not supported)",
				       g->path, key, (unsigned long long)vl, s->head_dim);
		if (rc && rc != EV_ERR_UNSUPPORTED)
			return rc;
	}
	s->rope_theta = 10000;
	snprintf(key, sizeof key, "%s.rope.freq_base", a);
	if ((rc = gguf_get_float(g, key, &s->rope_theta, e)) && rc != EV_ERR_UNSUPPORTED)
		return rc;
	s->norm_eps = 1e-5;
	snprintf(key, sizeof key, "%s.attention.layer_norm_rms_epsilon", a);
	if ((rc = gguf_get_float(g, key, &s->norm_eps, e)) && rc != EV_ERR_UNSUPPORTED)
		return rc;
	s->rope_freq_scale = 1;
	snprintf(key, sizeof key, "%s.rope.scaling.type", a);
	if ((rc = gguf_get_str(g, key, buf, sizeof buf, e)) == EV_OK) {
		if (!strcmp(buf, "linear")) {
			snprintf(key, sizeof key, "%s.rope.scaling.factor", a);
			if ((rc = gguf_get_float(g, key, &f, e)) == EV_OK && f > 0)
				s->rope_freq_scale = 1 / f;
			else if (rc != EV_ERR_UNSUPPORTED)
				return rc ? rc : ev_fail(e, EV_ERR_USAGE, "%s: %s = %g must be positive", g->path, key, f);
		} else if (strcmp(buf, "none")) {
			return ev_fail(e, EV_ERR_USAGE, "%s: RoPE scaling '%s' is not supported (none, linear)",
				       g->path, buf);
		}
	} else if (rc != EV_ERR_UNSUPPORTED) {
		return rc;
	}
	if (!(s->rope_theta > 0) || !(s->norm_eps > 0) || s->norm_eps > 1)
		return ev_fail(e, EV_ERR_USAGE, "%s: rope.freq_base %g and layer_norm_rms_epsilon %g must be positive",
			       g->path, s->rope_theta, s->norm_eps);
	if (s->n_heads % s->n_kv_heads || s->head_dim % 2)
		return ev_fail(e, EV_ERR_USAGE, "%s: %d heads, %d KV heads of %d: heads must be a multiple of KV heads, head size even",
			       g->path, s->n_heads, s->n_kv_heads, s->head_dim);
	q_dim = s->n_heads * s->head_dim;
	kv_dim = s->n_kv_heads * s->head_dim;
	{
		const struct gguf_tensor *emb = gguf_tensor(g, "token_embd.weight");
		if (!emb)
			return ev_fail(e, EV_ERR_USAGE, "%s: tensor 'token_embd.weight' is missing", g->path);
		if (emb->ne[1] < 1 || emb->ne[1] > (1u << 24))
			return ev_fail(e, EV_ERR_USAGE, "%s: token_embd.weight has %llu rows (vocabulary 1..%u)",
				       g->path, (unsigned long long)emb->ne[1], 1u << 24);
		s->vocab = (int)emb->ne[1];
	}
	if ((rc = need(g, "token_embd.weight", (uint64_t)s->hidden, (uint64_t)s->vocab, e)) ||
	    (rc = need(g, "output_norm.weight", (uint64_t)s->hidden, 1, e)))
		return rc;
	s->tied = gguf_tensor(g, "output.weight") == NULL;
	if (!s->tied && (rc = need(g, "output.weight", (uint64_t)s->hidden, (uint64_t)s->vocab, e)))
		return rc;
	s->attn_bias = gguf_tensor(g, "blk.0.attn_q.bias") != NULL;
	for (int l = 0; l < s->n_layers; l++) {
		static const struct {
			const char *n;
			int in, out; /* 0 hidden, 1 q_dim, 2 kv_dim, 3 ffn, 4 one */
		} w[] = {
			{"attn_norm.weight", 0, 4}, {"ffn_norm.weight", 0, 4}, {"attn_q.weight", 0, 1},
			{"attn_k.weight", 0, 2}, {"attn_v.weight", 0, 2}, {"attn_output.weight", 1, 0},
			{"ffn_gate.weight", 0, 3}, {"ffn_up.weight", 0, 3}, {"ffn_down.weight", 3, 0},
			{"attn_q.bias", 1, 4}, {"attn_k.bias", 2, 4}, {"attn_v.bias", 2, 4},
		};
		const uint64_t dim[] = {(uint64_t)s->hidden, (uint64_t)q_dim, (uint64_t)kv_dim, (uint64_t)s->ffn, 1};
		for (size_t k = 0; k < sizeof w / sizeof w[0]; k++) {
			char name[GGUF_MAX_NAME + 16];
			if (k >= 9 && !s->attn_bias)
				break;
			snprintf(name, sizeof name, "blk.%d.%s", l, w[k].n);
			if ((rc = need(g, name, dim[w[k].in], dim[w[k].out], e)))
				return rc;
		}
	}
	m->rope_factors = gguf_tensor(g, "rope_freqs.weight");
	if (m->rope_factors && (rc = need(g, "rope_freqs.weight", (uint64_t)s->head_dim / 2, 1, e)))
		return rc;
	if (m->rope_factors && m->rope_factors->type != 0)
		return ev_fail(e, EV_ERR_USAGE, "%s: rope_freqs.weight must be F32", g->path);
	/* bytes by role, from each tensor's own type */
	{
		const struct gguf_tensor *emb = gguf_tensor(g, "token_embd.weight");
		m->wb.embed_row = (double)emb->bytes / (double)emb->ne[1];
		m->wb.stored = 0;
		for (uint64_t i = 0; i < g->n_tensors; i++) {
			const struct gguf_tensor *t = &g->t[i];
			if (t->n_dims >= 2)
				m->wb.stored += (double)t->bytes;
			else
				m->vec_bytes += (double)t->bytes;
		}
		for (int l = -1; l < s->n_layers; l++)
			for (int k = 0; k < (l < 0 ? 1 : 7); k++) {
				const struct gguf_tensor *t = gguf_llama_matrix(g, m, l, k);
				const struct gguf_type_info *ti = gguf_type(t->type);
				m->wb.matmul += (double)t->bytes;
				m->mm_total += (double)t->elems;
				if (ti->ev_type >= 0)
					m->mm_weights[ti->ev_type] += (double)t->elems;
			}
	}
	snprintf(s->name, sizeof s->name, "%s", m->arch);
	if (gguf_get_str(g, "general.name", buf, sizeof buf, e) == EV_OK && buf[0])
		snprintf(s->name, sizeof s->name, "%s", buf);
	snprintf(s->source, sizeof s->source, "GGUF metadata of %s", g->path);
	return EV_OK;
}

const struct gguf_tensor *gguf_llama_matrix(const struct gguf_file *g, const struct gguf_llama *m,
					    int l, int k)
{
	static const char *const names[] = {"attn_q", "attn_k", "attn_v", "attn_output",
					    "ffn_gate", "ffn_up", "ffn_down"};
	char nm[96];
	if (l < 0)
		return k == 0 ? gguf_tensor(g, m->shape.tied ? "token_embd.weight" : "output.weight") : NULL;
	if (l >= m->shape.n_layers || k < 0 || k >= 7)
		return NULL;
	snprintf(nm, sizeof nm, "blk.%d.%s.weight", l, names[k]);
	return gguf_tensor(g, nm);
}

int gguf_llama_runnable(const struct gguf_file *g, const struct gguf_llama *m, struct ev_err *e)
{
	const struct gguf_tensor *emb = gguf_tensor(g, "token_embd.weight");
	const struct gguf_type_info *ti = gguf_type(emb->type);
	char nb[80];
	if (ti->ev_type < 0)
		return ev_fail(e, EV_ERR_USAGE, "%s: tensor 'token_embd.weight' is %s, a format eaves' decoder "
			       "has no kernel for (eaves predict --gguf still counts its bytes)", g->path, ti->name);
	for (int l = -1; l < m->shape.n_layers; l++)
		for (int k = 0; k < (l < 0 ? 1 : 7); k++) {
			const struct gguf_tensor *t = gguf_llama_matrix(g, m, l, k);
			ti = gguf_type(t->type);
			if (ti->ev_type < 0)
				return ev_fail(e, EV_ERR_USAGE,
					       "%s: tensor '%s' is %s, a format eaves' decoder has no kernel for "
					       "(eaves predict --gguf still counts its bytes)",
					       g->path, gguf_str_c(t->name, nb, sizeof nb), ti->name);
		}
	return EV_OK;
}
