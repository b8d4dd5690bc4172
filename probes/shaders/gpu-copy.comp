// probes/shaders/gpu-copy.comp: b = a, uvec4 at a time.
#version 450
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer A { uvec4 a[]; };
layout(std430, binding = 1) writeonly buffer B { uvec4 b[]; };
layout(push_constant) uniform P { uint n; } p;
void main()
{
	uint i = gl_GlobalInvocationID.x, stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint k = i; k < p.n; k += stride)
		b[k] = a[k];
}
