// Packing op(A) and op(B) into the panel layout the microkernels stream through (see gemm_kernel.h).
// Templates, so each ISA file instantiates them with its own compiler flags and tile sizes. They live in an
// anonymous namespace on purpose: an instantiation compiled with -mavx512f must never be merged by the linker
// with the same instantiation from another file and then run on a CPU without AVX-512.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace nrt::gemm {
namespace {

template <int MR>
void pack_a(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out) {
  const int64_t full = mc / MR * MR;  // rows in whole panels
  if (trans) {
    // op(A)[i, p] = a[p·lda + i]: walk the source row by row (sequential reads the prefetcher follows) and
    // drop each run of MR values into its panel.
    for (int64_t p = 0; p < kc; p++) {
      const float* src = a + p * lda;
      for (int64_t i0 = 0; i0 < full; i0 += MR)
        std::memcpy(out + i0 * kc + p * MR, src + i0, sizeof(float) * MR);  // fixed size: vector moves
      if (full < mc) {
        float* dst = out + full * kc + p * MR;
        for (int64_t r = 0; r < mc - full; r++) dst[r] = src[full + r];
        for (int64_t r = mc - full; r < MR; r++) dst[r] = 0.0f;
      }
    }
    return;
  }
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    const int64_t rows = std::min<int64_t>(MR, mc - i0);
    const float* src = a + i0 * lda;
    float* panel = out + i0 * kc;
    for (int64_t p = 0; p < kc; p++) {
      float* dst = panel + p * MR;
      for (int64_t r = 0; r < rows; r++) dst[r] = src[r * lda + p];
      for (int64_t r = rows; r < MR; r++) dst[r] = 0.0f;
    }
  }
}

template <int NR>
void pack_b(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* out) {
  const int64_t full = nc / NR * NR;  // columns in whole panels
  if (!trans) {
    // op(B)[p, j] = b[p·ldb + j]: read each source row once, sequentially, scattering NR-wide runs to panels.
    for (int64_t p = 0; p < kc; p++) {
      const float* src = b + p * ldb;
      for (int64_t j0 = 0; j0 < full; j0 += NR) std::memcpy(out + j0 * kc + p * NR, src + j0, sizeof(float) * NR);
      if (full < nc) {
        float* dst = out + full * kc + p * NR;
        for (int64_t c = 0; c < nc - full; c++) dst[c] = src[full + c];
        for (int64_t c = nc - full; c < NR; c++) dst[c] = 0.0f;
      }
    }
    return;
  }
  // op(B)[p, j] = b[j·ldb + p]: read each source row once, scatter it down one column of the panel (the panel,
  // kc×NR floats, stays in L1 while it fills).
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    const int64_t cols = std::min<int64_t>(NR, nc - j0);
    float* panel = out + j0 * kc;
    for (int64_t c = 0; c < cols; c++) {
      const float* src = b + (j0 + c) * ldb;
      for (int64_t p = 0; p < kc; p++) panel[p * NR + c] = src[p];
    }
    for (int64_t c = cols; c < NR; c++)
      for (int64_t p = 0; p < kc; p++) panel[p * NR + c] = 0.0f;
  }
}

}  // namespace
}  // namespace nrt::gemm
