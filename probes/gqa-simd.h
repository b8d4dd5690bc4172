/* probes/gqa-simd.h: grouped-query attention kernels written once for any
 * vector width; included by quant-avx2.c, quant-avx512.c and quant-neon.c
 * after they define:
 *   VF        the float vector type        W         floats per vector
 *   VZERO()   VSET1(x)  VFMA(a, b, c) = a * b + c   VSTORE(p, v)
 *   VLOADH(p) W fp16 values at p widened to floats
 *   NAME(x)   the function name for this width
 *   GQA_TWO   1 where 16 accumulators fit (32 registers: AVX-512, NEON): two
 *             vectors per pass
 * Up to 8 heads per pass, each with its own accumulator held in a register
 * (named variables, not an array: an array indexed by a run-time count would
 * live on the stack), so every K (or V) vector loaded from cache feeds all the
 * heads that share it; the tails run scalar code. Not a header to include
 * anywhere else. */

#define GQA_REP8(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)

_Static_assert(EV_KV_BLOCK % W == 0, "a vector of positions stays inside one K block");

void NAME(scores)(int n, int hd, int G, const float *q, const ev_fp16 *kT, size_t bstride, float *s)
{
	int nv = n / W * W;
	for (int g0 = 0; g0 < G; g0 += 8) {
		int gn = G - g0 < 8 ? G - g0 : 8;
		const float *qg = q + (size_t)g0 * hd;
		float *sg = s + (size_t)g0 * n;
		int t0 = 0;
#if GQA_TWO
		/* Two vectors of positions per pass (16 accumulators): each broadcast
		 * query value feeds two FMAs, so the loads no longer bound the loop. */
		for (; t0 + 2 * W <= nv; t0 += 2 * W) {
			const ev_fp16 *kb = kT + ev_kv_index(0, t0, bstride);
			const ev_fp16 *kc = kT + ev_kv_index(0, t0 + W, bstride);
#define DECL_(k) VF a##k = VZERO(), b##k = VZERO();
			GQA_REP8(DECL_)
#undef DECL_
			if (t0 % EV_KV_BLOCK == 0)
				for (int pf = 0; pf < hd * EV_KV_BLOCK * 2; pf += 64)
					__builtin_prefetch((const char *)(kb + 2 * bstride) + pf, 0, 3);
			for (int d = 0; d < hd; d++) {
				VF k0 = VLOADH(kb + (size_t)d * EV_KV_BLOCK), k1 = VLOADH(kc + (size_t)d * EV_KV_BLOCK);
#define STEP_(j)                                                                             \
	if (gn > j) {                                                                        \
		VF qv_ = VSET1(qg[(size_t)j * hd + d]);                                      \
		a##j = VFMA(qv_, k0, a##j);                                                  \
		b##j = VFMA(qv_, k1, b##j);                                                  \
	}
				GQA_REP8(STEP_)
#undef STEP_
			}
#define OUT_(j)                                                                              \
	if (gn > j) {                                                                        \
		VSTORE(sg + (size_t)j * n + t0, a##j);                                       \
		VSTORE(sg + (size_t)j * n + t0 + W, b##j);                                   \
	}
			GQA_REP8(OUT_)
#undef OUT_
		}
#endif
		for (; t0 < nv; t0 += W) {
			const ev_fp16 *kb = kT + ev_kv_index(0, t0, bstride); /* hd x 16, contiguous */
			if (t0 % EV_KV_BLOCK == 0) /* the block after next: K streams from DRAM */
				for (int pf = 0; pf < hd * EV_KV_BLOCK * 2; pf += 64)
					__builtin_prefetch((const char *)(kb + 2 * bstride) + pf, 0, 3);
#define DECL_(k) VF a##k = VZERO();
			GQA_REP8(DECL_)
#undef DECL_
			for (int d = 0; d < hd; d++) {
				VF k = VLOADH(kb + (size_t)d * EV_KV_BLOCK);
#define STEP_(j)                                                                             \
	if (gn > j)                                                                          \
		a##j = VFMA(VSET1(qg[(size_t)j * hd + d]), k, a##j);
				GQA_REP8(STEP_)
#undef STEP_
			}
#define OUT_(j)                                                                              \
	if (gn > j)                                                                          \
		VSTORE(sg + (size_t)j * n + t0, a##j);
			GQA_REP8(OUT_)
#undef OUT_
		}
	}
	for (int t = nv; t < n; t++) /* the last positions: scalar */
		for (int g = 0; g < G; g++) {
			float a = 0;
			for (int d = 0; d < hd; d++)
				a += q[(size_t)g * hd + d] * ev_fp16_to_f32(kT[ev_kv_index(d, t, bstride)]);
			s[(size_t)g * n + t] = a;
		}
}

void NAME(values)(int n, int hd, int G, const float *s, const ev_fp16 *v, size_t vstride, float *o)
{
	int dv = hd / W * W;
	for (int g0 = 0; g0 < G; g0 += 8) {
		int gn = G - g0 < 8 ? G - g0 : 8;
		const float *sg = s + (size_t)g0 * n;
		float *og = o + (size_t)g0 * hd;
		int d0 = 0;
#if GQA_TWO
		/* Two vectors of dimensions per pass: each broadcast weight feeds two FMAs. */
		for (; d0 + 2 * W <= dv; d0 += 2 * W) {
#define DECL_(k) VF a##k = VZERO(), b##k = VZERO();
			GQA_REP8(DECL_)
#undef DECL_
			for (int t = 0; t < n; t++) {
				const ev_fp16 *vr = v + (size_t)t * vstride + (size_t)d0;
				VF x0 = VLOADH(vr), x1 = VLOADH(vr + W);
				if (d0 == 0)
					for (int pf = 0; pf < hd * 2; pf += 64)
						__builtin_prefetch((const char *)(v + (size_t)(t + 16) * vstride) + pf, 0, 3);
#define STEP_(j)                                                                             \
	if (gn > j) {                                                                        \
		VF sv_ = VSET1(sg[(size_t)j * n + t]);                                       \
		a##j = VFMA(sv_, x0, a##j);                                                  \
		b##j = VFMA(sv_, x1, b##j);                                                  \
	}
				GQA_REP8(STEP_)
#undef STEP_
			}
#define OUT_(j)                                                                              \
	if (gn > j) {                                                                        \
		VSTORE(og + (size_t)j * hd + d0, a##j);                                      \
		VSTORE(og + (size_t)j * hd + d0 + W, b##j);                                  \
	}
			GQA_REP8(OUT_)
#undef OUT_
		}
#endif
		for (; d0 < dv; d0 += W) {
#define DECL_(k) VF a##k = VZERO();
			GQA_REP8(DECL_)
#undef DECL_
			for (int t = 0; t < n; t++) {
				VF x = VLOADH(v + (size_t)t * vstride + (size_t)d0);
				if (d0 == 0) /* the first pass brings V in: 16 positions ahead */
					for (int pf = 0; pf < hd * 2; pf += 64)
						__builtin_prefetch((const char *)(v + (size_t)(t + 16) * vstride) + pf, 0, 3);
#define STEP_(j)                                                                             \
	if (gn > j)                                                                          \
		a##j = VFMA(VSET1(sg[(size_t)j * n + t]), x, a##j);
				GQA_REP8(STEP_)
#undef STEP_
			}
#define OUT_(j)                                                                              \
	if (gn > j)                                                                          \
		VSTORE(og + (size_t)j * hd + d0, a##j);
			GQA_REP8(OUT_)
#undef OUT_
		}
	}
	for (int d = dv; d < hd; d++) /* head sizes that are not a multiple of W */
		for (int g = 0; g < G; g++) {
			float a = 0;
			for (int t = 0; t < n; t++)
				a += s[(size_t)g * n + t] * ev_fp16_to_f32(v[(size_t)t * vstride + d]);
			o[(size_t)g * hd + d] = a;
		}
}
#undef GQA_REP8
