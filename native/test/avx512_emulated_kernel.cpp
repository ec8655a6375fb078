// The AVX-512 GEMM kernel source built against avx512_emulation.h (plain C++, baseline flags), exported as
// nrt::gemm::avx512f_emulated_kernel(), so test_gemm.cpp checks its tile, its vector traits (masks) and the
// shared edge and small-m code it instantiates (ukernel_template.h) on CPUs without AVX-512. Only the
// intrinsics' semantics are modelled, not their codegen.
#define NRT_AVX512_EMULATION 1
#include "gemm/gemm_ukernel_12x32_avx512f.cpp"
