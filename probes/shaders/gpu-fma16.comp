// probes/shaders/gpu-fma16.comp: the FP32 FMA kernel in half precision
// (shaderFloat16): 8 independent f16vec4 chains x = fma(x, 0.5, 1) per
// invocation, written out as floats (no 16-bit storage needed); the fixed
// point 2 is exact in fp16 too.
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer O { vec4 o[]; };
layout(push_constant) uniform P { uint iters; float m; float a; } p;
void main()
{
	uint i = gl_GlobalInvocationID.x;
	f16vec4 m = f16vec4(float16_t(p.m)), a = f16vec4(float16_t(p.a));
	f16vec4 x0 = f16vec4(1.0hf), x1 = f16vec4(1.0625hf), x2 = f16vec4(1.125hf), x3 = f16vec4(1.1875hf);
	f16vec4 x4 = f16vec4(1.25hf), x5 = f16vec4(1.3125hf), x6 = f16vec4(1.375hf), x7 = f16vec4(1.4375hf);
	for (uint k = 0; k < p.iters; k++) {
		x0 = fma(x0, m, a); x1 = fma(x1, m, a); x2 = fma(x2, m, a); x3 = fma(x3, m, a);
		x4 = fma(x4, m, a); x5 = fma(x5, m, a); x6 = fma(x6, m, a); x7 = fma(x7, m, a);
	}
	o[8 * i + 0] = vec4(x0); o[8 * i + 1] = vec4(x1); o[8 * i + 2] = vec4(x2); o[8 * i + 3] = vec4(x3);
	o[8 * i + 4] = vec4(x4); o[8 * i + 5] = vec4(x5); o[8 * i + 6] = vec4(x6); o[8 * i + 7] = vec4(x7);
}
