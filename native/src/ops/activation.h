// Activations, forward and backward side by side. Forward works in place on a block of rows (a GEMM tile or
// whole rows); backward turns the upstream gradient g = dL/da into dL/dz in place, using the layer's output a
// (every activation's derivative is a function of its output, except leakyRelu with alpha < 0, which reads z).
#pragma once

#include <cstdint>

#include "neurite/neurite.h"

namespace nrt::ops {

// x[rows×cols] (row stride ld) ← act(x). Softmax is row-wise, so for it cols must be the full row.
void activation_forward(nrt_activation act, float alpha, float* x, int64_t rows, int64_t cols, int64_t ld);

// Row-wise softmax, max-subtracted, in place.
void softmax_forward(float* x, int64_t rows, int64_t cols, int64_t ld);

// g[rows×cols] (contiguous) ← dL/dz given g = dL/da, the output a and (leakyRelu with alpha < 0 only) z.
// relu'(0) = 0, leakyRelu'(0) = alpha; softmax: dz = a ⊙ (g − Σ g⊙a) per row.
// If bias_grad is not null, also bias_grad[j] = Σ_i dz[i, j] (fused: one pass over g).
void activation_backward(nrt_activation act, float alpha, const float* a, const float* z, float* g, int64_t rows,
                         int64_t cols, float* bias_grad);

// True when activation_backward needs z rather than a.
inline bool backward_needs_z(nrt_activation act, float alpha) {
  return act == NRT_ACTIVATION_LEAKY_RELU && alpha < 0.0f;
}

}  // namespace nrt::ops
