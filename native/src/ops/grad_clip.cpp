#include "ops/grad_clip.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/target_clones.h"

namespace nrt::ops {

namespace {

// GCC vector types: 4 doubles (one AVX2 register in the x86-64-v3 clone, two SSE2 ones in the baseline, two
// SIMD128 ones in WASM). Written out because the auto-vectoriser kept 16-byte vectors inside target_clones.
using f4 = float __attribute__((vector_size(16)));
using d4 = double __attribute__((vector_size(32)));

template <bool kL2>
NRT_CLONE_INLINE double squared(float g, float w, double l2x2) {
  const double gi = kL2 ? static_cast<double>(static_cast<float>(g + l2x2 * w)) : g;
  return gi * gi;
}

template <bool kL2>
NRT_CLONE_INLINE double sum_squares(const float* g, const float* w, int64_t n, double l2x2) {
  constexpr int kLanes = 16;  // 4 accumulators of 4: enough independent adds to hide their latency
  d4 acc[4] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int k = 0; k < 4; k++) {  // lanes 4k..4k+3 take elements i+4k..i+4k+3
      f4 gv;
      std::memcpy(&gv, g + i + 4 * k, sizeof gv);
      d4 gd = __builtin_convertvector(gv, d4);
      if constexpr (kL2) {
        f4 wv;
        std::memcpy(&wv, w + i + 4 * k, sizeof wv);
        gd = __builtin_convertvector(__builtin_convertvector(gd + l2x2 * __builtin_convertvector(wv, d4), f4), d4);
      }
      acc[k] += gd * gd;
    }
  double lane[kLanes];
  for (int k = 0; k < 4; k++)
    for (int j = 0; j < 4; j++) lane[4 * k + j] = acc[k][j];
  for (int k = 0; i < n; i++, k++) lane[k] += squared<kL2>(g[i], kL2 ? w[i] : 0.0f, l2x2);
  double total = 0.0;
  for (int k = 0; k < kLanes; k++) total += lane[k];
  return total;
}

}  // namespace

NRT_VECTOR_CLONES
double gradient_sum_squares(const float* g, const float* w, int64_t n, double l2x2) {
  return l2x2 != 0.0 ? sum_squares<true>(g, w, n, l2x2) : sum_squares<false>(g, w, n, l2x2);
}

float clip_scale(double sum_squares, double c) {
  const double norm = std::sqrt(sum_squares);
  return norm > c ? static_cast<float>(c / norm) : 1.0f;
}

}  // namespace nrt::ops
