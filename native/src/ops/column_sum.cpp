#include "ops/column_sum.h"

#include <algorithm>

#include "core/profile.h"

namespace nrt::ops {

void column_sum(const float* x, int64_t rows, int64_t cols, float* out) {
  NRT_PROFILE_SCOPE(bias_grad);
  // Blocks of 256 columns keep the double accumulators in L1 while the rows stream past.
  constexpr int64_t kBlock = 256;
  double acc[kBlock];
  for (int64_t j0 = 0; j0 < cols; j0 += kBlock) {
    const int64_t w = std::min(kBlock, cols - j0);
    for (int64_t j = 0; j < w; j++) acc[j] = 0.0;
    for (int64_t i = 0; i < rows; i++) {
      const float* r = x + i * cols + j0;
      for (int64_t j = 0; j < w; j++) acc[j] += r[j];
    }
    for (int64_t j = 0; j < w; j++) out[j0 + j] = static_cast<float>(acc[j]);
  }
}

}  // namespace nrt::ops
