#include "ops/dropout.h"

#include "core/rng.h"

namespace nrt::ops {

void dropout_forward(const float* in, float* out, float* mask, int64_t n, uint32_t key, uint32_t threshold,
                     float scale) {
  for (int64_t e = 0; e < n; e++) {
    const bool kept = (rng_u32(key, static_cast<uint32_t>(e)) >> 8) >= threshold;
    const float m = kept ? scale : 0.0f;
    mask[e] = m;
    out[e] = in[e] * m;
  }
}

void dropout_backward(const float* mask, float* g, int64_t n) {
  for (int64_t e = 0; e < n; e++) g[e] *= mask[e];
}

}  // namespace nrt::ops
