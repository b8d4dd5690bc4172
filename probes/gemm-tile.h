/* probes/gemm-tile.h: the frame every multi-token kernel (ev_dot_gemm_fn)
 * shares, on every ISA. A kernel file writes one always-inline body per row
 * group with the token count NT as a constant; GEMM_ROWS instantiates it for
 * 1..EV_GEMM_TOKENS tokens (so the per-token accumulators stay in registers)
 * and hands rows past the last whole group to the file's one-token kernel. */
#ifndef EV_GEMM_TILE_H
#define EV_GEMM_TILE_H
#include "quant.h"

#define GEMM_INLINE static inline __attribute__((always_inline))
/* Before every loop over tokens or rows in a body: gcc -O2 does not unroll
 * them by itself, and without unrolling the accumulators live on the stack
 * (measured: 3.5 instead of 25+ multiply-adds per cycle). */
#define GEMM_UNROLL _Pragma("GCC unroll 4")
/* Token t's activations, in a function with parameters act and astride. */
#define ACT_T(t) ((const char *)act + (size_t)(t) * astride)

/* In a body over q8_0 activations (n, act, astride in scope): each token's
 * blocks y[t] and their float scales ds[t]. */
#define GEMM_Q8_ACTS(NT)                                                                     \
	const struct block_q8_0 *y[EV_GEMM_TOKENS];                                          \
	const float *ds[EV_GEMM_TOKENS];                                                     \
	GEMM_UNROLL                                                                          \
	for (int t_ = 0; t_ < (NT); t_++) {                                                  \
		y[t_] = (const void *)ACT_T(t_);                                              \
		ds[t_] = ev_act_q8_scales(y[t_], n);                                          \
	}

static inline void gemm_tail(ev_dot_rows_fn rows, int n, const void *w, size_t rb, int nr,
			     const void *act, size_t astride, int nt, float *out, size_t ostride)
{
	for (int t = 0; t < nt; t++)
		rows(n, w, rb, nr, ACT_T(t), out + (size_t)t * ostride);
}

/* name(n, w, rb, nr, act, astride, nt, out, ostride): body(n, w, rb, group
 * pointer, act, astride, NT, out, ostride) per group of R rows. */
#define GEMM_ROWS(name, body, R, tail)                                                       \
	void name(int n, const void *w, size_t rb, int nr, const void *act, size_t astride,  \
		  int nt, float *out, size_t ostride)                                        \
	{                                                                                    \
		int g = 0;                                                                   \
		for (; g + (R) <= nr; g += (R)) {                                            \
			const unsigned char *p = (const unsigned char *)w + (size_t)g * rb;  \
			switch (nt) {                                                        \
			case 1: body(n, rb, p, act, astride, 1, out + g, ostride); break;    \
			case 2: body(n, rb, p, act, astride, 2, out + g, ostride); break;    \
			case 3: body(n, rb, p, act, astride, 3, out + g, ostride); break;    \
			default: body(n, rb, p, act, astride, 4, out + g, ostride); break;   \
			}                                                                    \
		}                                                                            \
		if (g < nr)                                                                  \
			gemm_tail(tail, n, (const char *)w + (size_t)g * rb, rb, nr - g, act,  \
				  astride, nt, out + g, ostride);                            \
	}
_Static_assert(EV_GEMM_TOKENS == 4, "GEMM_ROWS instantiates 1..4 tokens");

#endif
