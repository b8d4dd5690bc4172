/* probes/gqa-simd.h: grouped-query attention kernels written once for any x86
 * vector width; included by quant-avx2.c and quant-avx512.c after they define:
 *   VF        the float vector type        W         floats per vector
 *   VZERO()   VSET1(x)  VFMA(a, b, c) = a * b + c   VLOAD(p)  VSTORE(p, v)
 *   VLOADH(p) W fp16 values at p widened to floats
 *   NAME(x)   the function name for this width
 * Up to 8 heads per pass, each with its own accumulator, so every K (or V)
 * vector loaded from cache feeds all the heads that share it; the tails run
 * the generic kernels. Not a header to include anywhere else. */

void NAME(scores)(int n, int hd, int G, const float *q, const ev_fp16 *kT, size_t kstride, float *s)
{
	int t0 = 0, nv = n / W * W;
	for (int g0 = 0; g0 < G; g0 += 8) {
		int gn = G - g0 < 8 ? G - g0 : 8;
		for (t0 = 0; t0 < nv; t0 += W) {
			VF acc[8];
			for (int g = 0; g < gn; g++)
				acc[g] = VZERO();
			for (int d = 0; d < hd; d++) {
				VF k = VLOADH(kT + (size_t)d * kstride + (size_t)t0);
				for (int g = 0; g < gn; g++)
					acc[g] = VFMA(VSET1(q[(size_t)(g0 + g) * hd + d]), k, acc[g]);
			}
			for (int g = 0; g < gn; g++)
				VSTORE(s + (size_t)(g0 + g) * n + t0, acc[g]);
		}
	}
	for (int t = nv; t < n; t++) /* the last positions: scalar */
		for (int g = 0; g < G; g++) {
			float a = 0;
			for (int d = 0; d < hd; d++)
				a += q[(size_t)g * hd + d] * ev_fp16_to_f32(kT[(size_t)d * kstride + t]);
			s[(size_t)g * n + t] = a;
		}
}

void NAME(values)(int n, int hd, int G, const float *s, const ev_fp16 *v, size_t vstride, float *o)
{
	int dv = hd / W * W;
	for (int g0 = 0; g0 < G; g0 += 8) {
		int gn = G - g0 < 8 ? G - g0 : 8;
		for (int d0 = 0; d0 < dv; d0 += W) {
			VF acc[8];
			for (int g = 0; g < gn; g++)
				acc[g] = VZERO();
			for (int t = 0; t < n; t++) {
				VF x = VLOADH(v + (size_t)t * vstride + (size_t)d0);
				for (int g = 0; g < gn; g++)
					acc[g] = VFMA(VSET1(s[(size_t)(g0 + g) * n + t]), x, acc[g]);
			}
			for (int g = 0; g < gn; g++)
				VSTORE(o + (size_t)(g0 + g) * hd + d0, acc[g]);
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
