// probes/shaders/gpu-write.comp: every element written once per pass with a
// value the host can recompute (index and pass tag).
#version 450
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer A { uvec4 a[]; };
layout(push_constant) uniform P { uint n; uint tag; } p;
void main()
{
	uint i = gl_GlobalInvocationID.x, stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	for (uint k = i; k < p.n; k += stride)
		a[k] = uvec4(k, k ^ p.tag, k + p.tag, ~k);
}
