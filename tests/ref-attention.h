/* tests/ref-attention.h: the attention of the tests' naive reference decoders
 * (test-decode, test-gguf), written from the definition in double precision:
 * for each query head, softmax(q . k / sqrt(head_dim)) over positions 0..pos
 * of its KV head, times V. K and V of one layer: [position][kv_dim]. */
#ifndef EV_TEST_REF_ATTENTION_H
#define EV_TEST_REF_ATTENTION_H
#include <math.h>

static void ref_attention(const double *q, const double *kc, const double *vc, int pos, int n_heads,
			  int n_kv_heads, int hd, double *att)
{
	int kvd = n_kv_heads * hd;
	for (int h = 0; h < n_heads; h++) {
		int kvh = h / (n_heads / n_kv_heads);
		double sc[64], mx = -1e300, sum = 0;
		for (int p = 0; p <= pos; p++) {
			double d = 0;
			for (int i = 0; i < hd; i++)
				d += q[h * hd + i] * kc[(size_t)p * kvd + kvh * hd + i];
			sc[p] = d / sqrt(hd);
			mx = fmax(mx, sc[p]);
		}
		for (int p = 0; p <= pos; p++)
			sum += (sc[p] = exp(sc[p] - mx));
		for (int i = 0; i < hd; i++) {
			double o = 0;
			for (int p = 0; p <= pos; p++)
				o += sc[p] / sum * vc[(size_t)p * kvd + kvh * hd + i];
			att[h * hd + i] = o;
		}
	}
}

#endif
