// The portable kernel: no intrinsics, built with the baseline flags of the target (SSE2 on x86-64, NEON on
// arm64, whatever else elsewhere), which the compiler vectorises these plain loops for. The fallback when no
// wider ISA is present, and the one tests trust most. The SIMD kernels share their edges through
// ukernel_template.h instead; this one has no vectors to describe.
#include <algorithm>

#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"

namespace nrt::gemm {

namespace {
constexpr int kMR = 4;
constexpr int kNR = 8;

// Writes an accumulator tile to c with the beta convention of gemm_kernel.h.
template <int MR, int NR>
inline void store_tile(const float (&acc)[MR][NR], float* c, int64_t ldc, float beta) {
  if (beta == 0.0f) {
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) c[i * ldc + j] = acc[i][j];
  } else if (beta == 1.0f) {
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) c[i * ldc + j] += acc[i][j];
  } else {
    for (int i = 0; i < MR; i++)
      for (int j = 0; j < NR; j++) c[i * ldc + j] = beta * c[i * ldc + j] + acc[i][j];
  }
}

// A portable microkernel: plain loops the compiler vectorises for whatever the baseline ISA is.
template <int MR, int NR>
void ukernel_generic(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  float acc[MR][NR] = {};
  for (int64_t p = 0; p < k; p++) {
    for (int i = 0; i < MR; i++) {
      const float ai = a[p * MR + i];
      for (int j = 0; j < NR; j++) acc[i][j] += ai * b[p * NR + j];
    }
  }
  store_tile<MR, NR>(acc, c, ldc, beta);
}

// Unpacked few-row product, portable form: c[m×n] = beta·c + op(A)·B, NB columns at a time (the fixed-size
// branch is the one the compiler vectorises).
template <int NB>
void small_m_generic(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_row_stride, int64_t a_col_stride,
                     const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; i++) {
    for (int64_t j0 = 0; j0 < n; j0 += NB) {
      const int64_t cols = std::min<int64_t>(NB, n - j0);
      float acc[NB] = {};
      for (int64_t p = 0; p < k; p++) {
        const float aip = a[i * a_row_stride + p * a_col_stride];
        const float* brow = b + p * ldb + j0;
        if (cols == NB) {
          for (int j = 0; j < NB; j++) acc[j] += aip * brow[j];
        } else {
          for (int64_t j = 0; j < cols; j++) acc[j] += aip * brow[j];
        }
      }
      float* crow = c + i * ldc + j0;
      for (int64_t j = 0; j < cols; j++) crow[j] = beta == 0.0f ? acc[j] : beta * crow[j] + acc[j];
    }
  }
}

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
