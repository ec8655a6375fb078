// Column sums of a row-major block, accumulated in double (the bias gradient Σ_rows dz; a batch of a few
// hundred float terms would otherwise lose digits the TypeScript reference keeps).
#pragma once

#include <cstdint>

#include "core/target_clones.h"

namespace nrt::ops {

// out[j] = Σ_i value(i·cols + j). Blocks of 256 columns keep the double accumulators in L1 while the rows
// stream past, and every caller sums in this one order, so a sum taken inside another pass (the activations'
// backward, which computes each value as it goes) equals column_sum's.
template <class Value>
NRT_CLONE_INLINE void blocked_column_sum(int64_t rows, int64_t cols, float* out, Value value) {
  constexpr int64_t kBlock = 256;
  double acc[kBlock];
  for (int64_t j0 = 0; j0 < cols; j0 += kBlock) {
    const int64_t w = cols - j0 < kBlock ? cols - j0 : kBlock;
    for (int64_t j = 0; j < w; j++) acc[j] = 0.0;
    for (int64_t i = 0; i < rows; i++) {
      const int64_t row = i * cols + j0;
      for (int64_t j = 0; j < w; j++) acc[j] += value(row + j);
    }
    for (int64_t j = 0; j < w; j++) out[j0 + j] = static_cast<float>(acc[j]);
  }
}

// out[j] = Σ_i x[i·cols + j]
void column_sum(const float* x, int64_t rows, int64_t cols, float* out);

}  // namespace nrt::ops
