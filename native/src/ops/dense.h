// The dense layer, forward and backward side by side, each fused around the GEMM:
//   forward:  z = x·W + b, out = act(z): bias and activation run as the GEMM epilogue on each output tile while
//             it is in cache (softmax, which needs whole rows, runs right after);
//   backward: dz = g ⊙ act'(·) in one pass that also sums the bias gradient, then dx = dz·Wᵀ and dW = xᵀ·dz,
//             whose epilogue may apply the optimizer to each finished tile of W (so W is updated while its
//             gradient tile is in cache, and dx, computed first, still sees the old W).
#pragma once

#include <cstdint>

#include "gemm/gemm.h"
#include "neurite/neurite.h"

namespace nrt::ops {

struct DenseParams {
  int64_t in, units;
  const float* kernel;  // [in, units]
  const float* bias;    // [units] or null
  nrt_activation activation;
  double alpha;
  gemm::PackedB* packed_kernel = nullptr;  // where the GEMM keeps the kernel packed (inference), or null
  std::atomic<bool>* x_non_finite = nullptr;  // set if x holds NaN or ±Infinity (predict's check), or null
};

// x [rows×in] → out [rows×units]. If z is not null it also receives the pre-activation. With
// apply_activation false only z is written (the loss applies the output activation itself); then z is required.
// Returns false if the GEMM could not allocate its packing buffers.
[[nodiscard]] bool dense_forward(const DenseParams& p, const float* x, int64_t rows, float* out, float* z,
                                 bool apply_activation, int threads);

// g [rows×units] holds dL/d(out), or dL/dz when g_is_dz; it is turned into dz in place. Writes
// bias_grad [units] (if not null), x_grad [rows×in] = dz·Wᵀ (if not null) and then kernel_grad [in×units],
// passing each finished tile of it to kernel_epilogue (if not null). out and z are the forward's (z only read
// for leakyRelu with alpha < 0).
[[nodiscard]] bool dense_backward(const DenseParams& p, const float* x, const float* out, const float* z, float* g,
                                  int64_t rows, bool g_is_dz, float* kernel_grad, float* bias_grad, float* x_grad,
                                  const gemm::Epilogue* kernel_epilogue, int threads);

}  // namespace nrt::ops
