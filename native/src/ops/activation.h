// Activations, forward and backward side by side. Forward works in place on a block of rows (a GEMM tile or
// whole rows); backward turns the upstream gradient g = dL/da into dL/dz in place, using the layer's output a
// (each activation so far has a derivative that is a function of its output; one that needs z says so in
// backward_needs_z, and the engine then keeps z for it).
// The first six compute in f64 rounded to f32, term for term as src/backends/ts/activations.ts does it; the
// others in f32 with the vectorisable approximations of ops/fast_math.h (see activation.cpp).
#pragma once

#include <cstdint>

#include "neurite/neurite.h"

namespace nrt::ops {

// x[rows×cols] (row stride ld) ← act(x). Softmax is row-wise, so for it cols must be the full row.
void activation_forward(nrt_activation act, double alpha, float* x, int64_t rows, int64_t cols, int64_t ld);

// Row-wise softmax, max-subtracted, in place.
void softmax_forward(float* x, int64_t rows, int64_t cols, int64_t ld);

// v[j] ← e^v[j] in f64 (fast::exp_f64), j < n, in one vectorised loop: the exponentials of softmax and of its
// cross-entropy (ops/losses.cpp). Callers hand it several rows at once where they fit: a 10-class row alone
// would leave the vector units waiting on its polynomial's chain of dependent steps.
void exp_f64_in_place(double* v, int64_t n);
// How many doubles the callers' buffers hold (on the stack: a WASM thread's is small).
constexpr int64_t kExpBuffer = 1024;

// The largest of r[0..n), n >= 1: the shift that keeps softmax's exponentials at most 1.
inline float row_max(const float* r, int64_t n) {
  float max = r[0];
  for (int64_t j = 1; j < n; j++) max = r[j] > max ? r[j] : max;
  return max;
}

// g[rows×cols] (contiguous) ← dL/dz given g = dL/da, the output a and (where backward_needs_z) z.
// relu'(0) = 0, leakyRelu'(0) = alpha; softmax: dz = a ⊙ (g − Σ g⊙a) per row.
// If bias_grad is not null, also bias_grad[j] = Σ_i dz[i, j] (accumulated in f64).
void activation_backward(nrt_activation act, double alpha, const float* a, const float* z, float* g, int64_t rows,
                         int64_t cols, float* bias_grad);

// True when activation_backward needs z as well as a: gelu, swish and mish are not monotonic, so their
// derivative is no function of the output. leakyRelu's alpha is in [0, 1] (the Model API's rule), so a > 0
// exactly when z > 0 and its derivative reads a.
inline bool backward_needs_z(nrt_activation act) {
  return act == NRT_ACTIVATION_GELU || act == NRT_ACTIVATION_SWISH || act == NRT_ACTIVATION_MISH;
}

}  // namespace nrt::ops
