// probes/shaders/gpu-read.comp: every invocation sums its grid-stride share of
// the buffer (uvec4 loads, integer adds: exact, whatever the data) and writes
// one sum, so no load can be dropped and the host can check every sum. Four
// accumulators: four loads in flight per invocation.
#version 450
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { uvec4 a[]; };
layout(std430, binding = 1) writeonly buffer O { uint o[]; };
layout(push_constant) uniform P { uint n; } p;
void main()
{
	uint i = gl_GlobalInvocationID.x, stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	uvec4 s0 = uvec4(0), s1 = uvec4(0), s2 = uvec4(0), s3 = uvec4(0);
	uint k = i;
	for (; k + 3 * stride < p.n; k += 4 * stride) {
		s0 += a[k];
		s1 += a[k + stride];
		s2 += a[k + 2 * stride];
		s3 += a[k + 3 * stride];
	}
	for (; k < p.n; k += stride)
		s0 += a[k];
	uvec4 s = s0 + s1 + s2 + s3;
	o[i] = s.x + s.y + s.z + s.w;
}
