// probes/shaders/gpu-fma.comp: 8 independent vec4 chains x = fma(x, m, a) per
// invocation (32 FMAs in flight per thread; the GPU hides latency across
// threads), iters steps each; every chain written, so none can be dropped.
// m = 0.5, a = 1: the chains reach the fixed point 2 (fused or not), which the
// host checks.
#version 450
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer O { vec4 o[]; };
layout(push_constant) uniform P { uint iters; float m; float a; } p;
void main()
{
	uint i = gl_GlobalInvocationID.x;
	vec4 m = vec4(p.m), a = vec4(p.a);
	vec4 x0 = vec4(1.0), x1 = vec4(1.0625), x2 = vec4(1.125), x3 = vec4(1.1875);
	vec4 x4 = vec4(1.25), x5 = vec4(1.3125), x6 = vec4(1.375), x7 = vec4(1.4375);
	for (uint k = 0; k < p.iters; k++) {
		x0 = fma(x0, m, a); x1 = fma(x1, m, a); x2 = fma(x2, m, a); x3 = fma(x3, m, a);
		x4 = fma(x4, m, a); x5 = fma(x5, m, a); x6 = fma(x6, m, a); x7 = fma(x7, m, a);
	}
	o[8 * i + 0] = x0; o[8 * i + 1] = x1; o[8 * i + 2] = x2; o[8 * i + 3] = x3;
	o[8 * i + 4] = x4; o[8 * i + 5] = x5; o[8 * i + 6] = x6; o[8 * i + 7] = x7;
}
