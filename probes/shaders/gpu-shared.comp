// probes/shaders/gpu-shared.comp: workgroup (shared) memory bandwidth. Each
// workgroup fills a 4 KiB tile (256 uvec4, one per invocation, mixed with a
// seed from the host), then every invocation reads p.iters elements of it,
// four independent sums (four loads in flight), integer adds (exact, whatever
// the data), and writes one sum: no read can be dropped. iters is a multiple
// of 256, so every invocation reads each element iters / 256 times and the
// host knows every sum.
#version 450
layout(local_size_x = 256) in;
layout(std430, binding = 0) writeonly buffer O { uint o[]; };
layout(push_constant) uniform P { uint iters; uint seed; } p;
shared uvec4 tile[256];
void main()
{
	uint t = gl_LocalInvocationID.x;
	tile[t] = uvec4((t * 2654435761u) ^ p.seed, t, ~t, t ^ 0x5555u);
	barrier();
	uvec4 s0 = uvec4(0), s1 = uvec4(0), s2 = uvec4(0), s3 = uvec4(0);
	for (uint j = 0; j < p.iters; j += 4) {
		s0 += tile[(t + j) & 255u];
		s1 += tile[(t + j + 1u) & 255u];
		s2 += tile[(t + j + 2u) & 255u];
		s3 += tile[(t + j + 3u) & 255u];
	}
	uvec4 s = s0 + s1 + s2 + s3;
	o[gl_GlobalInvocationID.x] = s.x + s.y + s.z + s.w;
}
