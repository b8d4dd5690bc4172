// probes/shaders/gpu-coopmat.comp: the cooperative-matrix (tensor-core) peak,
// VK_NV_cooperative_matrix: each subgroup (one a workgroup) multiplies an
// M x K fp16 matrix by K x N ones into 4 independent accumulators, D = A B + C,
// 8 multiply-adds a step; the shape (M, N, K) is one the driver lists
// (specialization constants 0-2), the workgroup the subgroup's width (3).
// Built twice: fp16 accumulators, and with EV_ACC32 fp32 ones. A holds a, B
// alternately b1 and b2: with integers (1, 2, -1) every partial sum is an
// integer below 2048 for the iteration counts the host picks, exact in fp16,
// so every element of accumulator j ends at j + iters x K (x a x (b1 + b2));
// the host checks them all.
#version 450
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
layout(constant_id = 0) const uint lM = 16;
layout(constant_id = 1) const uint lN = 16;
layout(constant_id = 2) const uint lK = 16;
layout(local_size_x_id = 3) in;
#ifdef EV_ACC32
#define ACC 32
#define ACCT float
#else
#define ACC 16
#define ACCT float16_t
#endif
#define MA fcoopmatNV<16, gl_ScopeSubgroup, lM, lK>
#define MB fcoopmatNV<16, gl_ScopeSubgroup, lK, lN>
#define MC fcoopmatNV<ACC, gl_ScopeSubgroup, lM, lN>
#define MF fcoopmatNV<32, gl_ScopeSubgroup, lM, lN>
layout(std430, binding = 0) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { uint iters; float a; float b1; float b2; } p;
void main()
{
	MA A = MA(float16_t(p.a));
	MB B1 = MB(float16_t(p.b1)), B2 = MB(float16_t(p.b2));
	MC c0 = MC(ACCT(0.0)), c1 = MC(ACCT(1.0)), c2 = MC(ACCT(2.0)), c3 = MC(ACCT(3.0));
	for (uint k = 0; k < p.iters; k++) {
		c0 = coopMatMulAddNV(A, B1, c0);
		c1 = coopMatMulAddNV(A, B1, c1);
		c2 = coopMatMulAddNV(A, B1, c2);
		c3 = coopMatMulAddNV(A, B1, c3);
		c0 = coopMatMulAddNV(A, B2, c0);
		c1 = coopMatMulAddNV(A, B2, c1);
		c2 = coopMatMulAddNV(A, B2, c2);
		c3 = coopMatMulAddNV(A, B2, c3);
	}
	uint base = 4 * gl_WorkGroupID.x * lM * lN;
#ifdef EV_ACC32
	MF f0 = c0, f1 = c1, f2 = c2, f3 = c3;
#else
	MF f0 = MF(c0), f1 = MF(c1), f2 = MF(c2), f3 = MF(c3);
#endif
	coopMatStoreNV(f0, o, base, lN, false);
	coopMatStoreNV(f1, o, base + lM * lN, lN, false);
	coopMatStoreNV(f2, o, base + 2 * lM * lN, lN, false);
	coopMatStoreNV(f3, o, base + 3 * lM * lN, lN, false);
}
