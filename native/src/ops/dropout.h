// Inverted dropout with masks from the shared counter-based RNG (core/rng.h), identical to every backend's:
// element e = row·units + col of the batch is kept iff (rngU32(key, e) >> 8) >= threshold, kept values are
// scaled by 1/(1 − rate) as f32, and backward multiplies by the same mask·scale.
#pragma once

#include <cstdint>

namespace nrt::ops {

// out = in ⊙ mask, mask[e] = kept ? scale : 0 (kept for the backward pass). n = rows·units elements.
void dropout_forward(const float* in, float* out, float* mask, int64_t n, uint32_t key, uint32_t threshold,
                     float scale);
// g ← g ⊙ mask
void dropout_backward(const float* mask, float* g, int64_t n);

}  // namespace nrt::ops
