// The portable kernel: no intrinsics, built with the baseline flags of the target (SSE2 on x86-64, NEON on
// arm64, whatever else elsewhere). The fallback when no wider ISA is present, and the one tests trust most.
#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"

namespace nrt::gemm {

namespace {
constexpr int kMR = 4;
constexpr int kNR = 8;

void ukernel_4x8(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  ukernel_generic<kMR, kNR>(k, a, b, c, ldc, beta);
}

const GemmKernel kScalar = {
    "scalar 4x8", kMR, kNR, /*mc*/ 128, /*kc*/ 256, /*nc*/ 2048, ukernel_4x8, pack_a<kMR>, pack_b<kNR>,
    small_m_generic<32>,
};
}  // namespace

const GemmKernel* scalar_kernel() { return &kScalar; }

}  // namespace nrt::gemm
