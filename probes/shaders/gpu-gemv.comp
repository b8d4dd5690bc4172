// probes/shaders/gpu-gemv.comp: one matrix of a decode step, out = W x, W in
// f16, q8_0 or q4_0 rows exactly as GGUF lays them out (q8_0: per 32 weights
// an fp16 scale and 32 int8; q4_0: an fp16 scale and 16 bytes of nibbles, low
// nibbles the first 16 weights, both less 8), x in f32. Each subgroup of a
// workgroup of 64 takes a row at a time: each lane a strided share of the
// row's 32-weight blocks, then subgroupAdd (no barrier). Bytes are read from
// 32-bit words (rows and blocks are only 2-byte aligned), so no 8- or 16-bit
// storage feature is needed.
#version 450
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer W { uint w[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { uint rows; uint cols; uint row_bytes; uint fmt; } p;

// 4 bytes from a 2-byte aligned offset (rows and blocks are only 2-byte aligned)
uint word_at(uint off)
{
	uint k = off >> 2;
	return (off & 2u) == 0u ? w[k] : (w[k] >> 16) | (w[k + 1u] << 16);
}
float half_at(uint off) { return unpackHalf2x16((w[off >> 2] >> ((off & 2u) * 8u)) & 0xffffu).x; }

float block(uint row0, uint b)
{
	float s = 0.0;
	uint c0 = b * 32u;
	if (p.fmt == 0u) {
		for (uint j = 0u; j < 32u; j += 2u) {
			vec2 h = unpackHalf2x16(word_at(row0 + (c0 + j) * 2u));
			s += h.x * x[c0 + j] + h.y * x[c0 + j + 1u];
		}
		return s;
	}
	if (p.fmt == 1u) {
		uint o = row0 + b * 34u + 2u;
		for (uint j = 0u; j < 32u; j += 4u) {
			uint v = word_at(o + j);
			/* the 4 int8 quants, sign-extended by shifting each to the top */
			ivec4 q = ivec4(int(v << 24), int(v << 16), int(v << 8), int(v)) >> 24;
			s += float(q.x) * x[c0 + j] + float(q.y) * x[c0 + j + 1u] + float(q.z) * x[c0 + j + 2u] +
			     float(q.w) * x[c0 + j + 3u];
		}
		return s * half_at(o - 2u);
	}
	uint o = row0 + b * 18u + 2u;
	for (uint j = 0u; j < 16u; j += 4u) {
		uint v = word_at(o + j);
		for (uint k = 0u; k < 4u; k++) {
			uint q = (v >> (8u * k)) & 0xffu;
			s += float(int(q & 15u) - 8) * x[c0 + j + k] + float(int(q >> 4) - 8) * x[c0 + 16u + j + k];
		}
	}
	return s * half_at(o - 2u);
}

void main()
{
	uint lane = gl_SubgroupInvocationID, nb = p.cols / 32u;
	uint step = gl_NumWorkGroups.x * gl_NumSubgroups;
	for (uint r = gl_WorkGroupID.x * gl_NumSubgroups + gl_SubgroupID; r < p.rows; r += step) {
		float s = 0.0;
		for (uint b = lane; b < nb; b += gl_SubgroupSize)
			s += block(r * p.row_bytes, b);
		s = subgroupAdd(s);
		if (subgroupElect())
			o[r] = s;
	}
}
