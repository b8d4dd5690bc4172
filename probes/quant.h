/* probes/quant.h: weight formats and their traits (after ggml's type_traits).
 * The traits table is the one source of bytes per weight for the whole tool:
 * the decode kernel, the roofline decode model and `eaves models|predict` all
 * read it. Block layouts are bit-compatible with GGUF's:
 *   q4_0: fp16 scale d, 16 bytes of nibbles; weight j = (nibble - 8) * d, the
 *         low nibbles hold weights 0..15, the high nibbles 16..31 (4.5 bits/weight)
 *   q8_0: fp16 scale d, 32 int8; weight j = q[j] * d                (8.5 bits/weight)
 *   f16, bf16, f32: plain arrays.
 *   q4_K, q5_K, q6_K: the k-quants of 256-weight super-blocks (probes/kquant.c,
 *         layouts there), taking q8_K activations. */
#ifndef EV_QUANT_H
#define EV_QUANT_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cpu.h"
#include "mca.h"

#define QK 32 /* weights per block of q4_0 and q8_0 */

typedef uint16_t ev_fp16;
typedef uint16_t ev_bf16;

struct block_q4_0 {
	ev_fp16 d;
	uint8_t qs[QK / 2];
};
struct block_q8_0 {
	ev_fp16 d;
	int8_t qs[QK];
};
_Static_assert(sizeof(struct block_q4_0) == 18, "q4_0 block must be 18 bytes (GGUF)");
_Static_assert(sizeof(struct block_q8_0) == 34, "q8_0 block must be 34 bytes (GGUF)");
/* The older 32-weight formats (probes/qlegacy.c): q4_1, q5_0, q5_1. */
struct block_q4_1 {
	ev_fp16 d, m;
	uint8_t qs[QK / 2];
};
struct block_q5_0 {
	ev_fp16 d;
	uint8_t qh[4];
	uint8_t qs[QK / 2];
};
struct block_q5_1 {
	ev_fp16 d, m;
	uint8_t qh[4];
	uint8_t qs[QK / 2];
};
_Static_assert(sizeof(struct block_q4_1) == 20, "q4_1 block must be 20 bytes (GGUF)");
_Static_assert(sizeof(struct block_q5_0) == 22, "q5_0 block must be 22 bytes (GGUF)");
_Static_assert(sizeof(struct block_q5_1) == 24, "q5_1 block must be 24 bytes (GGUF)");

#define QK_K 256 /* weights per super-block of the k-quants */
#define K_SCALE_SIZE 12
/* q4_K: 8 sub-blocks of 32; weight = d * sc[j] * q - dmin * m[j], q in 0..15,
 * the 6-bit sc and m packed in scales[12]; each 32 bytes of qs hold two
 * sub-blocks (low nibbles the first, high nibbles the second). 4.5 bits/weight. */
struct block_q4_K {
	ev_fp16 d, dmin;
	uint8_t scales[K_SCALE_SIZE];
	uint8_t qs[QK_K / 2];
};
/* q5_K: q4_K plus a fifth bit per weight in qh (bit 2k and 2k+1 of qh[l] for
 * the two sub-blocks of the k-th 32 bytes of qs). 5.5 bits/weight. */
struct block_q5_K {
	ev_fp16 d, dmin;
	uint8_t scales[K_SCALE_SIZE];
	uint8_t qh[QK_K / 8];
	uint8_t qs[QK_K / 2];
};
/* q6_K: 16 groups of 16 with int8 scales; weight = d * sc[g] * (q - 32), q in
 * 0..63 from 4 low bits (ql) and 2 high bits (qh). 6.5625 bits/weight. */
struct block_q6_K {
	uint8_t ql[QK_K / 2];
	uint8_t qh[QK_K / 4];
	int8_t scales[QK_K / 16];
	ev_fp16 d;
};
/* q8_K: the k-quants' activations (never in a file, so laid out for the
 * kernels, not as ggml's 292-byte block): 256 int8 first, the sums of each 16,
 * the float scale, padded to 5 cache lines so that in a 64-byte aligned
 * buffer every block's quants start a cache line (no 32- or 64-byte load of
 * them crosses one). */
struct block_q8_K {
	int8_t qs[QK_K];
	int16_t bsums[QK_K / 16];
	float d;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct block_q4_K) == 144, "q4_K block must be 144 bytes (GGUF)");
_Static_assert(sizeof(struct block_q5_K) == 176, "q5_K block must be 176 bytes (GGUF)");
_Static_assert(sizeof(struct block_q6_K) == 210, "q6_K block must be 210 bytes (GGUF)");
_Static_assert(sizeof(struct block_q8_K) == 320, "q8_K blocks keep 64-byte alignment");

#define EV_TYPES(X)                                                                          \
	X(F32, "f32")                                                                        \
	X(F16, "f16")                                                                        \
	X(BF16, "bf16")                                                                      \
	X(Q8_0, "q8_0")                                                                      \
	X(Q4_0, "q4_0")                                                                      \
	X(Q4_K, "q4_K")                                                                      \
	X(Q5_K, "q5_K")                                                                      \
	X(Q6_K, "q6_K")                                                                      \
	X(Q4_1, "q4_1")                                                                      \
	X(Q5_0, "q5_0")                                                                      \
	X(Q5_1, "q5_1")

enum ev_type {
#define X(id, nm) EV_TYPE_##id,
	EV_TYPES(X)
#undef X
	EV_TYPE__COUNT
};

/* dot(weights row, activations) over n elements; activations in the type's
 * vec_dot_type format (f32 for float weights, q8_0 for q4_0/q8_0). */
typedef float (*ev_dot_fn)(int n, const void *w, const void *act);
/* Several rows at once sharing one activation vector: out[r] for rows r0..r0+nr. */
typedef void (*ev_dot_rows_fn)(int n, const void *w, size_t row_bytes, int nr, const void *act,
			       float *out);
/* Several tokens at once (prefill's GEMM): out[t * ostride + r] = row r . act_t
 * for nr rows and nt <= EV_GEMM_TOKENS tokens, act_t = act + t * astride bytes.
 * Each weight block is loaded, unpacked and its scale converted once for all
 * nt tokens, so a prompt costs less per token than one-token GEMVs. */
typedef void (*ev_dot_gemm_fn)(int n, const void *w, size_t row_bytes, int nr, const void *act,
			       size_t astride, int nt, float *out, size_t ostride);
#define EV_GEMM_TOKENS 4

/* Activation formats: what a weight format's dot product takes as its other
 * operand. A separate list from the weight formats, so an activation format
 * never becomes a --quant choice. */
#define EV_ACTS(X)                                                                           \
	X(F32, "f32")                                                                        \
	X(Q8_0, "q8_0 + block sums")                                                         \
	X(Q8_K, "q8_K")

enum ev_act {
#define X(id, nm) EV_ACT_##id,
	EV_ACTS(X)
#undef X
	EV_ACT__COUNT
};
const char *ev_act_name(int act);

struct ev_type_traits {
	const char *name;
	int block_elems;
	size_t block_bytes;   /* bytes/weight = block_bytes / block_elems: the truth */
	int nominal_bits;     /* the width in the format's name (4 for q4_0): only the rule
			       * of thumb `predict --simple` states uses it */
	int act;              /* enum ev_act: format the activations must be in */
	void (*to_float)(const void *src, float *dst, int64_t n);
	void (*from_float)(const float *src, void *dst, int64_t n);
	ev_dot_fn dot_ref;    /* scalar reference, always present */
};
extern const struct ev_type_traits ev_types[EV_TYPE__COUNT];

/* Exact name, or case-insensitive ("Q4_K" as GGUF tools write it). */
int ev_type_by_name(const char *name);
/* "q4_0,q8_0,f16" into types (at most max, each once); the count, or -1 with
 * the problem in why (unknown name, listed twice, more than max). */
int ev_type_list_parse(const char *list, int *types, int max, char *why, size_t len);
double ev_type_bytes_per_weight(int type);
/* Bytes of one row of n weights (n a multiple of block_elems). */
size_t ev_type_row_bytes(int type, int64_t n);

float ev_fp16_to_f32(ev_fp16 h);
/* The same, inline (probes/quant.c says how): for loops that convert a scale
 * per block where no fp16 hardware does it (RISC-V, the generic C). */
static inline float ev_h2f(ev_fp16 h)
{
	uint32_t em = (uint32_t)h & 0x7fff, bits = em << 13, u;
	float f;
	memcpy(&f, &bits, 4);
	f *= 0x1p112f;
	memcpy(&u, &f, 4);
	u += ((em + 0x400) >> 15) * 0x38000000u;
	u |= ((uint32_t)h & 0x8000) << 16;
	memcpy(&f, &u, 4);
	return f;
}
ev_fp16 ev_f32_to_fp16(float f);
float ev_bf16_to_f32(ev_bf16 h);
ev_bf16 ev_f32_to_bf16(float f);

/* SIMD kernels per type, best first, chosen at run time. */
struct ev_dot_impl {
	int type;
	int target;           /* enum ev_target: the feature set it needs */
	const struct ev_kernel_file *file;
	const char *name;
	ev_dot_rows_fn rows;
	/* Kernel-private row layout, or NULL for plain GGUF rows. repack turns 4
	 * consecutive plain rows into the packed form in place (scratch: the bytes
	 * of 4 rows, from the caller, so repacking cannot fail); unpack_row gives
	 * plain row r (0..3) of a packed group back. Rows past the last full group
	 * of 4 stay plain. The bytes are the same: bytes/weight is unchanged. */
	void (*repack4)(void *rows, int n, void *scratch);
	void (*unpack_row)(const void *group, int n, int r, void *row);
	/* Multi-token kernel on the same layout, or NULL: ev_dot_gemm then runs
	 * `rows` once per token. */
	ev_dot_gemm_fn gemm;
	/* Error bound as a fraction of sum |w x|, where the kernel rounds beyond
	 * f32 (fp16 arithmetic); 0: f32 accumulation, rounding only. */
	float tol;
	/* 1: scheduled for in-order cores (cpu_in_order), picked only there; the
	 * next entry of the type, on the same layout, serves the others. */
	int in_order;
};
/* out[t * ostride + r] for nt tokens (any count: groups of EV_GEMM_TOKENS)
 * through d's gemm kernel, or its rows kernel token by token. */
void ev_dot_gemm(const struct ev_dot_impl *d, int n, const void *w, size_t rb, int nr,
		 const void *act, size_t astride, int nt, float *out, size_t ostride);

/* q4_0x4: 4 rows interleaved block by block, [4 scales][4 x 16 bytes of
 * nibbles] per block index, so a 4-row kernel reads one sequential stream. */
void ev_q4_0x4_repack(void *rows, int n, void *scratch);
/* q4_0x4i (the Arm dot-product layout): the same 72 bytes per block index,
 * [4 scales][4 x 16 bytes], but vector c (0..3) holds bytes 4c..4c+3 of rows
 * 0, 1, 2, 3 in turn, and every byte is XORed with 0x88, so each nibble is
 * its quant as 4-bit two's complement. One sdot by activation lane c then
 * gives the 4 rows' partial sums in 4 lanes (no fold), shl 4 / and 0xf0 give
 * 16 x the signed quants (no -8 correction, the 1/16 goes into the int to
 * float conversion), and two vectors zip into smmla's 2x8 operands. */
void ev_q4_0x4i_repack(void *rows, int n, void *scratch);
void ev_q4_0x4i_unpack_row(const void *group, int n, int r, void *row);
/* q8_0x4: the same for q8_0: [4 scales][4 x 32 int8] per block index. */
void ev_q8_0x4_repack(void *rows, int n, void *scratch);
void ev_q8_0x4_unpack_row(const void *group, int n, int r, void *row);
void ev_q4_0x4_unpack_row(const void *group, int n, int r, void *row);
/* Bytes of one block index of a 4-row interleaved group: 4 scales (padded to
 * 8 bytes) then the 4 rows' quants. */
#define EV_Q4_0X4_GROUP_BYTES (8 + 4 * QK / 2)
#define EV_Q8_0X4_GROUP_BYTES (8 + 4 * QK)
_Static_assert(EV_Q4_0X4_GROUP_BYTES == 4 * sizeof(struct block_q4_0), "q4_0x4 keeps q4_0's bytes");
_Static_assert(EV_Q8_0X4_GROUP_BYTES == 4 * sizeof(struct block_q8_0), "q8_0x4 keeps q8_0's bytes");
/* Software prefetch of a weight stream, EV_PREFETCH_BYTES ahead: the decode's
 * matrices are short streams (a few hundred KiB per thread), and without it the
 * core alternates between computing and waiting for memory instead of doing
 * both at once (measured: achieved ~ 1/(1/compute + 1/memory)). */
#ifndef EV_PREFETCH_BYTES
#define EV_PREFETCH_BYTES 2048
#endif
#ifdef EV_NO_PREFETCH /* for A/B measurements of the prefetch itself */
#define EV_PREFETCH_STREAM(p) ((void)(p))
#else
#define EV_PREFETCH_STREAM(p) __builtin_prefetch((const char *)(p) + EV_PREFETCH_BYTES, 0, 3)
#endif

/* The same for every cache line of a block of `bytes` (a k-quant super-block
 * spans 3-4 lines: one prefetch per block would leave most lines to the
 * hardware prefetcher). */
#define EV_PREFETCH_BLOCK(p, bytes)                                                          \
	do {                                                                                 \
		_Pragma("GCC unroll 16")                                                     \
		for (int pf_ = 0; pf_ < (int)(bytes); pf_ += 64)                              \
			EV_PREFETCH_STREAM((const char *)(p) + pf_);                          \
	} while (0)

/* The fastest implementation usable on c for the type (never NULL: the
 * generic one built on dot_ref is always there). */
const struct ev_dot_impl *ev_dot_pick(int type, const struct ev_cpu *c);
/* All implementations (for tests), count through *n. */
const struct ev_dot_impl *ev_dot_all(int *n);


/* ---- activations ----
 * EV_ACT_F32: n floats. EV_ACT_Q8_0 (for q4_0/q8_0 weights): n/32 q8_0 blocks
 * followed (at the next 64-byte boundary) by one float per block: d * sum(q),
 * then (at the next 64-byte boundary) each block's scale d as a float.
 * The AVX-512 VNNI kernels need the sums (vpdpbusd multiplies unsigned by
 * signed bytes, so they shift weights to unsigned and subtract the sum back);
 * the GEMM kernels broadcast the float scales straight from memory. */
size_t ev_act_bytes(int act, int64_t n);
/* Elements per block of an activation format (1, 32 or 256): the unit a
 * vector can be split in for ev_act_quantize_range. */
int ev_act_block(int act);
void ev_act_quantize(int act, const float *x, void *act_out, int64_t n);
/* The activation values as floats (what a dot product really multiplies by). */
void ev_act_to_float(int act, const void *a, float *x, int64_t n);
/* The same for elements [i0, i1) only (multiples of 32) of an n-element vector:
 * threads quantize their own parts of one vector. */
void ev_act_quantize_range(int act, const float *x, void *act_out, int64_t n, int64_t i0,
			   int64_t i1);
static inline const float *ev_act_q8_sums(const void *act, int64_t n)
{
	size_t off = ((size_t)(n / QK) * sizeof(struct block_q8_0) + 63) & ~(size_t)63;
	return (const float *)((const char *)act + off);
}
static inline const float *ev_act_q8_scales(const void *act, int64_t n)
{
	size_t off = ((size_t)(n / QK) * sizeof(float) + 63) & ~(size_t)63;
	return (const float *)((const char *)ev_act_q8_sums(act, n) + off);
}

/* q4_1, q5_0, q5_1 (probes/qlegacy.c): conversions and reference dots. */
void ev_q4_1_to_float(const void *src, float *dst, int64_t n);
void ev_q4_1_from_float(const float *src, void *dst, int64_t n);
float ev_dot_q4_1_ref(int n, const void *w, const void *act);
void ev_q5_0_to_float(const void *src, float *dst, int64_t n);
void ev_q5_0_from_float(const float *src, void *dst, int64_t n);
float ev_dot_q5_0_ref(int n, const void *w, const void *act);
void ev_q5_1_to_float(const void *src, float *dst, int64_t n);
void ev_q5_1_from_float(const float *src, void *dst, int64_t n);
float ev_dot_q5_1_ref(int n, const void *w, const void *act);

/* The k-quants (probes/kquant.c): conversions, reference dots, the 6-bit
 * scale packing of q4_K/q5_K. */
void ev_q4_K_to_float(const void *src, float *dst, int64_t n);
void ev_q4_K_from_float(const float *src, void *dst, int64_t n);
float ev_dot_q4_K_ref(int n, const void *w, const void *act);
void ev_q5_K_to_float(const void *src, float *dst, int64_t n);
void ev_q5_K_from_float(const float *src, void *dst, int64_t n);
float ev_dot_q5_K_ref(int n, const void *w, const void *act);
void ev_q6_K_to_float(const void *src, float *dst, int64_t n);
void ev_q6_K_from_float(const float *src, void *dst, int64_t n);
float ev_dot_q6_K_ref(int n, const void *w, const void *act);
void ev_q8_K_to_float(const void *src, float *dst, int64_t n);
void ev_q8_K_from_float(const float *src, void *dst, int64_t n);
/* q4_Kx4i (the Arm dot-product layout of q4_K): 4 rows' super-blocks j in
 * the same 576 bytes: [4 d][4 dmin] (fp16), then the 64 6-bit scales and
 * mins rearranged so one vector op unpacks 16 (bytes 16-31: low 4 bits of
 * the scales of sub-blocks 0-3 (low nibble) and 4-7 (high), 4 rows a
 * sub-block; 32-47 the same for the mins; 48-63 their top 2 bits, 2 a
 * field: scales 0-3, 4-7, mins 0-3, 4-7), then the quants: pass k (32 bytes
 * of a row, sub-blocks 2k and 2k+1) as 8 vectors, vector c holding bytes
 * 4c..4c+3 of rows 0-3, so one sdot by activation lane puts each row's
 * partial sum in its own lane and a sub-block's scales multiply 4 rows at
 * once. q4_K's low nibbles are stored XOR 8 (a signed nibble, q - 8, out by
 * one shift); q5_Kx4i's quants are the file's. */
#define EV_Q4_KX4_GROUP_BYTES (4 * 144)
/* q6_Kx4i: the same for q6_K, 840 bytes: [4 d], then the 4 rows' 16 int8
 * scales as 4 vectors (vector v: scales 4v..4v+3, 4 rows each), then ql by
 * half h and 4-byte chunk c (16 a half) and qh by half and chunk (8 a half),
 * each vector holding the chunk of rows 0-3. */
#define EV_Q6_KX4_GROUP_BYTES (4 * 210)
void ev_q6_Kx4i_repack(void *rows, int n, void *scratch);
void ev_q6_Kx4i_unpack_row(const void *group, int n, int r, void *row);
void ev_q4_Kx4i_repack(void *rows, int n, void *scratch);
void ev_q4_Kx4i_unpack_row(const void *group, int n, int r, void *row);
/* q5_Kx4i: q4_Kx4i's 576 bytes, then the 4 rows' qh interleaved 4 bytes at a
 * time (8 vectors: bytes 4c..4c+3 of rows 0-3), each byte's bits reordered
 * (bit k: the fifth bit of pass k's low nibble, bit 4 + k: of its high
 * nibble; GGUF's are bits 2k and 2k + 1): 704 bytes. */
#define EV_Q5_KX4_GROUP_BYTES (4 * 176)
void ev_q5_Kx4i_repack(void *rows, int n, void *scratch);
void ev_q5_Kx4i_unpack_row(const void *group, int n, int r, void *row);
/* Scale and min j (0..7) of a q4_K/q5_K super-block, and the reverse.
 * scales[0..3]: sc 0..3 in bits 0-5, the top 2 bits of sc 4..7 in bits 6-7;
 * scales[4..7]: m 0..3 and the top 2 bits of m 4..7 the same way;
 * scales[8..11]: the low 4 bits of sc 4..7 (low nibble) and m 4..7 (high).
 * Inline for the kernels that unpack them in scalar registers (RISC-V). */
static inline void ev_k_scale_min_inl(int j, const uint8_t *q, uint8_t *sc, uint8_t *m)
{
	if (j < 4) {
		*sc = q[j] & 63;
		*m = q[j + 4] & 63;
	} else {
		*sc = (uint8_t)((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4));
		*m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
	}
}
void ev_k_scale_min(int j, const uint8_t *scales, uint8_t *sc, uint8_t *m);
void ev_k_pack_scales(const uint8_t sc[8], const uint8_t m[8], uint8_t *scales);

/* RISC-V: a dot kernel that calls the instance of itself built for this
 * core's VLEN (register groups sized to a block at 128, 256, >= 512 bits). */
#define EV_RVV_BY_VLEN(name, f128, f256, f512)                                                \
	void name(int n, const void *w, size_t rb, int nr, const void *act, float *out)        \
	{                                                                                      \
		size_t vlenb_ = __riscv_vlenb();                                               \
		(vlenb_ >= 64 ? f512 : vlenb_ >= 32 ? f256 : f128)(n, w, rb, nr, act, out);    \
	}

/* Implementations, declared for the tables in quant.c. */
#define GEMM_DECL(name)                                                                      \
	void name(int n, const void *w, size_t rb, int nr, const void *act, size_t astride, int nt, \
		  float *out, size_t ostride)
extern const struct ev_kernel_file kf_quant_generic;
void dot_rows_generic(int type, int n, const void *w, size_t rb, int nr, const void *act,
		      float *out);
#if defined(__x86_64__)
extern const struct ev_kernel_file kf_quant_avx2, kf_quant_avx512, kf_quant_avx512vnni;
void dot_rows_q4_0_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_f16_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q4_0x4_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0x4_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_bf16_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_f32_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
extern const struct ev_kernel_file kf_kquant_avx2;
void dot_rows_q4_K_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q5_K_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q6_K_avx2(int n, const void *w, size_t rb, int nr, const void *act, float *out);
extern const struct ev_kernel_file kf_kquant_avx512vnni;
void dot_rows_q4_K_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q5_K_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q6_K_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q4_0_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q4_0x4_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0x4_avx512vnni(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_f16_avx512(int n, const void *w, size_t rb, int nr, const void *act, float *out);
GEMM_DECL(gemm_q4_0x4_avx2);
GEMM_DECL(gemm_q8_0x4_avx2);
GEMM_DECL(gemm_f16_avx2);
GEMM_DECL(gemm_q4_0x4_avx512vnni);
GEMM_DECL(gemm_q8_0x4_avx512vnni);
GEMM_DECL(gemm_f16_avx512);
#endif

#if defined(__riscv)
extern const struct ev_kernel_file kf_quant_rvv;
void dot_rows_q4_0_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_f16_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out);
extern const struct ev_kernel_file kf_kquant_rvv;
void dot_rows_q4_K_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q5_K_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q6_K_rvv(int n, const void *w, size_t rb, int nr, const void *act, float *out);
#endif

#if defined(__aarch64__)
extern const struct ev_kernel_file kf_quant_neon, kf_quant_dotprod;
void dot_rows_q4_0_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_f16_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out);
extern const struct ev_kernel_file kf_quant_fp16;
void dot_rows_f16_fp16(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q4_0x4_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q4_0x4_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0x4_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q4_0_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q8_0x4_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out);
GEMM_DECL(gemm_q4_0x4_dotprod);
extern const struct ev_kernel_file kf_quant_i8mm;
GEMM_DECL(gemm_q4_0x4_i8mm);
GEMM_DECL(gemm_q8_0x4_i8mm);
GEMM_DECL(gemm_q8_0x4_dotprod);
GEMM_DECL(gemm_f16_neon);
extern const struct ev_kernel_file kf_kquant_dotprod;
void dot_rows_q4_K_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q4_Kx4i_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q5_Kx4i_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q6_Kx4i_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q5_Kx4i_io_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q6_Kx4i_io_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q5_K_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q6_K_dotprod(int n, const void *w, size_t rb, int nr, const void *act, float *out);
extern const struct ev_kernel_file kf_kquant_neon;
void dot_rows_q4_K_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q5_K_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out);
void dot_rows_q6_K_neon(int n, const void *w, size_t rb, int nr, const void *act, float *out);
#endif

/* out[d] += sum over r < nr of s[r] * v[r * stride + d], d < n: the attention's
 * weighted sum of fp16 V rows. */
typedef void (*ev_axpy_f16_fn)(int n, const ev_fp16 *v, size_t stride, int nr, const float *s,
			       float *out);
/* x[i] = exp(scale * x[i] - max) / sum, in place: the attention softmax. */
typedef void (*ev_softmax_fn)(float *x, int n, float scale);
/* g[i] = silu(g[i]) * u[i] = g[i] / (1 + exp(-g[i])) * u[i]: the FFN's SwiGLU,
 * n exponentials a layer (5632 for TinyLlama: with libm's expf, 1-2 ms of a
 * 30 ms token). */
typedef void (*ev_silu_mul_fn)(float *g, const float *u, int n);
/* Elements [i0, i1) (multiples of 32) of an n-element vector into EV_ACT_Q8_0
 * activations (blocks, sums, scales): ev_act_quantize_range's result, bit for
 * bit (the same rounding), a vector at a time. Every matrix a token multiplies
 * quantizes its input: 10-20 thousand elements a layer. */
typedef void (*ev_act_q8_0_fn)(const float *x, void *act, int64_t n, int64_t i0, int64_t i1);
void ev_act_q8_0_generic(const float *x, void *act, int64_t n, int64_t i0, int64_t i1);
void ev_silu_mul_generic(float *g, const float *u, int n);

/* The K cache in blocks of EV_KV_BLOCK positions: within a block, each
 * dimension's EV_KV_BLOCK values are contiguous ([block][dim][position in
 * block]), so the scores of one block read one contiguous run of K (hd x 16
 * halves) instead of hd rows a whole context apart (measured before: a page per
 * dimension, 1.4 multiply-adds per cycle at context 2048). Element (d, t) of a
 * KV head's K, for kT pointing at its dimension 0 in block 0 and bstride the
 * halves between blocks (kv_dim x EV_KV_BLOCK in the decoder): */
#define EV_KV_BLOCK 16
static inline size_t ev_kv_index(int d, int t, size_t bstride)
{
	return (size_t)(t / EV_KV_BLOCK) * bstride + (size_t)d * EV_KV_BLOCK + (size_t)(t % EV_KV_BLOCK);
}

/* Scores of G query heads that share one KV head (grouped-query attention),
 * reading each K element once for all G: s[g * n + t] = sum_d q[g * hd + d] *
 * K(d, t), t < n (K in position blocks: ev_kv_index). */
typedef void (*ev_gqa_scores_fn)(int n, int hd, int G, const float *q, const ev_fp16 *kT,
				 size_t bstride, float *s);
/* The weighted sums of V for the same G heads, reading each V element once:
 * o[g * hd + d] = sum_t s[g * n + t] * v[t * vstride + d]. */
typedef void (*ev_gqa_values_fn)(int n, int hd, int G, const float *s, const ev_fp16 *v,
				 size_t vstride, float *o);

/* The attention's vector kernels, one row per feature set, best first. */
struct ev_attn_impl {
	int target;
	const struct ev_kernel_file *file;
	const char *name;
	ev_axpy_f16_fn axpy;
	ev_softmax_fn softmax;
	ev_gqa_scores_fn gqa_scores;
	ev_gqa_values_fn gqa_values;
	ev_silu_mul_fn silu_mul;       /* the FFN's SwiGLU (not attention, the same table) */
	ev_act_q8_0_fn act_q8_0;       /* quantizing q4_0/q8_0 matrices' inputs */
};
const struct ev_attn_impl *ev_attn_pick(const struct ev_cpu *c);
const struct ev_attn_impl *ev_attn_all(int *n);
void ev_softmax_generic(float *x, int n, float scale);
void ev_gqa_scores_generic(int n, int hd, int G, const float *q, const ev_fp16 *kT, size_t bstride,
			   float *s);
void ev_gqa_values_generic(int n, int hd, int G, const float *s, const ev_fp16 *v, size_t vstride,
			   float *o);
void ev_axpy_f16_generic(int n, const ev_fp16 *v, size_t stride, int nr, const float *s, float *out);
#if defined(__x86_64__)
void ev_axpy_f16_avx2(int n, const ev_fp16 *v, size_t stride, int nr, const float *s, float *out);
void ev_axpy_f16_avx512(int n, const ev_fp16 *v, size_t stride, int nr, const float *s, float *out);
void ev_softmax_avx512(float *x, int n, float scale);
void ev_silu_mul_avx512(float *g, const float *u, int n);
void ev_silu_mul_avx2(float *g, const float *u, int n);
void ev_act_q8_0_avx2(const float *x, void *act, int64_t n, int64_t i0, int64_t i1);
#endif
#if defined(__aarch64__)
void ev_gqa_scores_neon(int n, int hd, int G, const float *q, const ev_fp16 *kT, size_t bstride,
			float *s);
void ev_gqa_values_neon(int n, int hd, int G, const float *s, const ev_fp16 *v, size_t vstride,
			float *o);
#endif
#if defined(__x86_64__)
void ev_gqa_scores_avx2(int n, int hd, int G, const float *q, const ev_fp16 *kT, size_t bstride,
			float *s);
void ev_gqa_values_avx2(int n, int hd, int G, const float *s, const ev_fp16 *v, size_t vstride,
			float *o);
void ev_gqa_scores_avx512(int n, int hd, int G, const float *q, const ev_fp16 *kT, size_t bstride,
			  float *s);
void ev_gqa_values_avx512(int n, int hd, int G, const float *s, const ev_fp16 *v, size_t vstride,
			  float *o);
#endif

#endif
