// probes/shaders/gpu-gemv.comp: one matrix of a decode step, out = W x, W in
// f16, q8_0, q4_0, q4_K, q5_K or q6_K, x in f32. The weights are the GGUF
// blocks' bytes in the order the host puts them at upload (probes/gpu.c,
// gemv_repack): every row's quants first, in 16-byte units (q8_0: a block's
// 32 int8; q4_0: its 16 bytes of nibbles; q4_K: qs; q5_K: qh then qs; q6_K:
// ql then qh; f16: the halves), then the scales in binding 1 (q8_0, q4_0:
// fp16, two to a word; q4_K, q5_K: each super-block's d, dmin and 12 bytes of
// 6-bit scales and mins, 16 bytes; q6_K: each super-block's 16 int8 scales,
// then every d, two to a word). Same bytes as the file, reordered so that
// every weight load is an aligned 16-byte uvec4.
//
// An item is what a lane takes at a time from one row: 16 bytes of quants
// for f16 (8 weights) and q8_0 (16), and 32 weights for the 4-bit families
// (q4_0 and the k-quants): two halves of 16, the low and the high nibbles of
// one uvec4. Each subgroup takes R rows at a time (a specialization
// constant: 1, 2, 4 or 8, chosen per matrix by timing them) and each lane a strided
// share of their items: lane l takes item l, l + S, ... (S lanes), so one load
// instruction of the subgroup reads S consecutive uvec4s, and the x values a
// lane loads for an item serve all R rows. subgroupAdd folds the lanes.
//
// Built a second time with EV_WG_REDUCE (gpu-gemv-wg.inc) for devices without
// subgroup arithmetic (the Raspberry Pi's v3dv has basic subgroups only): the
// workgroup's 64 invocations take the R rows together and fold through
// workgroup memory, 6 halving steps with a barrier each.
#version 450
#ifndef EV_WG_REDUCE
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#define F16 0u
#define Q8_0 1u
#define Q4_0 2u
#define Q4_K 3u
#define Q5_K 4u
#define Q6_K 5u
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer W { uvec4 w[]; };
layout(std430, binding = 1) readonly buffer S { uint sc[]; };
layout(std430, binding = 2) readonly buffer X { vec4 x[]; };
layout(std430, binding = 3) writeonly buffer O { float o[]; };
// the format: a specialization constant, so that each format's pipeline holds
// its own code only (a software driver runs both sides of a branch, masked)
layout(constant_id = 0) const uint FMT = 0u;
layout(constant_id = 1) const uint R = 8u;
// items: items per row
layout(push_constant) uniform P { uint rows; uint items; uint unused; } p;

float half_at(uint h) { return unpackHalf2x16(sc[h >> 1] >> ((h & 1u) * 16u)).x; }
uint byte_at(uint v, uint i) { return (v >> (8u * i)) & 255u; }
// the 4 signed bytes of v, as floats
vec4 s8(uint v) { return vec4(ivec4(int(v << 24), int(v << 16), int(v << 8), int(v)) >> 24); }
// the low (hi = 0) or high (hi = 4) nibbles of v's 4 bytes
uvec4 n4(uint v, uint hi) { return (uvec4(v, v >> 8, v >> 16, v >> 24) >> hi) & 15u; }
// bits sh.. of h's 4 bytes, nb bits each, moved up to bit 4
uvec4 hb(uint h, uint sh, uint nb)
{
	return ((uvec4(h, h >> 8, h >> 16, h >> 24) >> sh) & ((1u << nb) - 1u)) << 4;
}
// the 16 nibbles (low: hi = 0, high: hi = 4) of q times xv
float dot4(uvec4 q, uint hi, vec4 xv[4])
{
	return dot(vec4(n4(q.x, hi)), xv[0]) + dot(vec4(n4(q.y, hi)), xv[1]) +
	       dot(vec4(n4(q.z, hi)), xv[2]) + dot(vec4(n4(q.w, hi)), xv[3]);
}
// the same with nb more bits of each from h (bits sh..), above the nibble
float dot4h(uvec4 q, uint hi, uvec4 h, uint sh, uint nb, vec4 xv[4])
{
	return dot(vec4(n4(q.x, hi) | hb(h.x, sh, nb)), xv[0]) + dot(vec4(n4(q.y, hi) | hb(h.y, sh, nb)), xv[1]) +
	       dot(vec4(n4(q.z, hi) | hb(h.z, sh, nb)), xv[2]) + dot(vec4(n4(q.w, hi) | hb(h.w, sh, nb)), xv[3]);
}
// q4_K/q5_K: the 6-bit scale and min of sub-block j from the 12 bytes in m.yzw
vec2 scale_min(uvec4 m, uint j)
{
	uint a[3] = uint[3](m.y, m.z, m.w);
	if (j < 4u)
		return vec2(byte_at(a[j >> 2], j & 3u) & 63u, byte_at(a[(j + 4u) >> 2], (j + 4u) & 3u) & 63u);
	uint b4 = byte_at(a[(j + 4u) >> 2], (j + 4u) & 3u);
	return vec2((b4 & 15u) | ((byte_at(a[(j - 4u) >> 2], j & 3u) >> 6) << 4),
		    (b4 >> 4) | ((byte_at(a[j >> 2], j & 3u) >> 6) << 4));
}

#ifdef EV_WG_REDUCE
shared float red[R * 64u];
#endif

void main()
{
#ifdef EV_WG_REDUCE
	uint lane = gl_LocalInvocationID.x, sg = 64u, first = gl_WorkGroupID.x, step = gl_NumWorkGroups.x;
#else
	/* a subgroup wider than the workgroup (Adreno reports 128 lanes) is partly
	 * filled: its lanes are the workgroup's 64 */
	uint lane = gl_SubgroupInvocationID, sg = min(gl_SubgroupSize, gl_WorkGroupSize.x);
	uint first = gl_WorkGroupID.x * gl_NumSubgroups + gl_SubgroupID, step = gl_NumWorkGroups.x * gl_NumSubgroups;
#endif
	uint groups = (p.rows + R - 1u) / R;
	uint nsb = p.items >> 3; /* k-quants: super-blocks per row */
	for (uint g = first; g < groups; g += step) { /* the same trip count for the whole workgroup */
		float acc[R];
		uint row[R];
		for (uint i = 0u; i < R; i++) {
			acc[i] = 0.0;
			row[i] = min(g * R + i, p.rows - 1u); /* a last group past the end repeats a row */
		}
		if (FMT == F16) {
			for (uint u = lane; u < p.items; u += sg) {
				vec4 x0 = x[2u * u], x1 = x[2u * u + 1u];
				for (uint i = 0u; i < R; i++) {
					uvec4 q = w[row[i] * p.items + u];
					acc[i] += dot(vec4(unpackHalf2x16(q.x), unpackHalf2x16(q.y)), x0) +
						  dot(vec4(unpackHalf2x16(q.z), unpackHalf2x16(q.w)), x1);
				}
			}
		} else if (FMT == Q8_0) {
			for (uint u = lane; u < p.items; u += sg) {
				vec4 x0 = x[4u * u], x1 = x[4u * u + 1u], x2 = x[4u * u + 2u], x3 = x[4u * u + 3u];
				for (uint i = 0u; i < R; i++) {
					uvec4 q = w[row[i] * p.items + u];
					float d = dot(s8(q.x), x0) + dot(s8(q.y), x1) + dot(s8(q.z), x2) + dot(s8(q.w), x3);
					acc[i] += d * half_at(row[i] * (p.items >> 1) + (u >> 1));
				}
			}
		} else {
			/* the 4-bit families: an item = the low nibbles of a uvec4 times xl (16
			 * weights from lo) and its high nibbles times xh (16 from hi) */
			for (uint u = lane; u < p.items; u += sg) {
				uint sb = u >> 3, k = u & 7u, lo, hi;
				vec4 xl[4], xh[4];
				if (FMT == Q4_0) {
					lo = 32u * u;
					hi = lo + 16u;
				} else if (FMT == Q6_K) { /* k = 4n + 2b + h: ql[64n + 32b + 16h ..] */
					lo = 256u * sb + 128u * (k >> 2) + 32u * ((k >> 1) & 1u) + 16u * (k & 1u);
					hi = lo + 64u;
				} else { /* q4_K, q5_K: k = 2c + h: qs[32c + 16h ..] */
					lo = 256u * sb + 64u * (k >> 1) + 16u * (k & 1u);
					hi = lo + 32u;
				}
				for (uint j = 0u; j < 4u; j++) {
					xl[j] = x[(lo >> 2) + j];
					xh[j] = x[(hi >> 2) + j];
				}
				float sl = dot(xl[0] + xl[1] + xl[2] + xl[3], vec4(1.0));
				float sh = dot(xh[0] + xh[1] + xh[2] + xh[3], vec4(1.0));
				for (uint i = 0u; i < R; i++) {
					uint r = row[i];
					if (FMT == Q4_0) {
						uvec4 q = w[r * p.items + u];
						acc[i] += (dot4(q, 0u, xl) + dot4(q, 4u, xh) - 8.0 * (sl + sh)) *
							  half_at(r * p.items + u);
					} else if (FMT == Q4_K || FMT == Q5_K) {
						uint b = (r * nsb + sb) * 4u, c = k >> 1;
						uvec4 m = uvec4(sc[b], sc[b + 1u], sc[b + 2u], sc[b + 3u]);
						vec2 d = unpackHalf2x16(m.x), s0 = scale_min(m, 2u * c),
						     s1 = scale_min(m, 2u * c + 1u);
						float dl, dh;
						if (FMT == Q4_K) {
							uvec4 q = w[r * p.items + u];
							dl = dot4(q, 0u, xl);
							dh = dot4(q, 4u, xh);
						} else { /* qh (2 uvec4) then qs (8) per super-block */
							uint base = (r * nsb + sb) * 10u;
							uvec4 q = w[base + 2u + k], h = w[base + (k & 1u)];
							dl = dot4h(q, 0u, h, 2u * c, 1u, xl);
							dh = dot4h(q, 4u, h, 2u * c + 1u, 1u, xh);
						}
						acc[i] += d.x * (s0.x * dl + s1.x * dh) - d.y * (s0.y * sl + s1.y * sh);
					} else { /* q6_K: ql (8 uvec4) then qh (4) per super-block */
						uint base = (r * nsb + sb) * 12u, bb = (k >> 1) & 1u;
						uvec4 q = w[base + k], h = w[base + 8u + 2u * (k >> 2) + (k & 1u)];
						uint s = (r * nsb + sb) * 4u, js = 8u * (k >> 2) + 2u * bb + (k & 1u);
						int scl = int(sc[s + (js >> 2)] << (24u - 8u * (js & 3u))) >> 24;
						int sch = int(sc[s + ((js + 4u) >> 2)] << (24u - 8u * ((js + 4u) & 3u))) >> 24;
						float dl = dot4h(q, 0u, h, 2u * bb, 2u, xl);
						float dh = dot4h(q, 4u, h, 4u + 2u * bb, 2u, xh);
						acc[i] += half_at(p.rows * nsb * 8u + r * nsb + sb) *
							  (float(scl) * (dl - 32.0 * sl) + float(sch) * (dh - 32.0 * sh));
					}
				}
			}
		}
#ifdef EV_WG_REDUCE
		for (uint i = 0u; i < R; i++)
			red[i * 64u + lane] = acc[i];
		for (uint h = 32u; h > 0u; h >>= 1) {
			barrier();
			if (lane < h)
				for (uint i = 0u; i < R; i++)
					red[i * 64u + lane] += red[i * 64u + lane + h];
		}
		barrier();
		if (lane < R && g * R + lane < p.rows)
			o[g * R + lane] = red[lane * 64u];
		barrier(); /* red is written again by the next group of rows */
#else
		for (uint i = 0u; i < R; i++) {
			float s = subgroupAdd(acc[i]);
			if (lane == 0u && g * R + i < p.rows)
				o[g * R + i] = s;
		}
#endif
	}
}
