#include "ops/grad_clip.h"

#include <algorithm>
#include <cmath>

#include "core/target_clones.h"

namespace nrt::ops {

namespace {

template <bool kL2>
double sum_squares(const float* g, const float* w, int64_t n, double l2x2) {
  constexpr int kLanes = 8;
  double lane[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < kLanes; k++) {
      const double gi = kL2 ? static_cast<double>(static_cast<float>(g[i + k] + l2x2 * w[i + k])) : g[i + k];
      lane[k] += gi * gi;
    }
  for (int k = 0; i < n; i++, k++) {
    const double gi = kL2 ? static_cast<double>(static_cast<float>(g[i] + l2x2 * w[i])) : g[i];
    lane[k] += gi * gi;
  }
  double total = 0.0;
  for (int k = 0; k < kLanes; k++) total += lane[k];
  return total;
}

}  // namespace

NRT_VECTOR_CLONES
double gradient_sum_squares(const float* g, const float* w, int64_t n, double l2x2) {
  return l2x2 != 0.0 ? sum_squares<true>(g, w, n, l2x2) : sum_squares<false>(g, w, n, l2x2);
}

double clip_scale(double sum_squares, double c) {
  const double norm = std::sqrt(sum_squares);
  return norm > c ? c / norm : 1.0;
}

}  // namespace nrt::ops
