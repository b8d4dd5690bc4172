// probes/shaders/gpu-dot8.comp: the INT8 dot-product peak
// (VK_KHR_shader_integer_dot_product: OpSDotKHR on 4 signed bytes packed in a
// 32-bit word, emitted through GL_EXT_spirv_intrinsics, which glslang 11 has
// where GL_EXT_integer_dot_product is missing). 8 independent chains per
// invocation x = sdot(x's 4 bytes, y) + a, iters steps: each step depends on
// the last, so nothing folds, and every invocation runs the same chains, so
// the host replays them once and checks every output exactly.
#version 450
#extension GL_EXT_spirv_intrinsics : require
spirv_instruction(extensions = ["SPV_KHR_integer_dot_product"], capabilities = [6019, 6018], id = 4450)
int sdot4x8(uint a, uint b, spirv_literal int packed_format);
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer O { ivec4 o[]; };
layout(push_constant) uniform P { uint iters; uint y; int a; } p;
void main()
{
	uint i = gl_GlobalInvocationID.x;
	int x0 = 1, x1 = 2, x2 = 3, x3 = 4, x4 = 5, x5 = 6, x6 = 7, x7 = 8;
	for (uint k = 0; k < p.iters; k++) {
		x0 = sdot4x8(uint(x0), p.y, 0) + p.a; x1 = sdot4x8(uint(x1), p.y, 0) + p.a;
		x2 = sdot4x8(uint(x2), p.y, 0) + p.a; x3 = sdot4x8(uint(x3), p.y, 0) + p.a;
		x4 = sdot4x8(uint(x4), p.y, 0) + p.a; x5 = sdot4x8(uint(x5), p.y, 0) + p.a;
		x6 = sdot4x8(uint(x6), p.y, 0) + p.a; x7 = sdot4x8(uint(x7), p.y, 0) + p.a;
	}
	o[2 * i] = ivec4(x0, x1, x2, x3);
	o[2 * i + 1] = ivec4(x4, x5, x6, x7);
}
