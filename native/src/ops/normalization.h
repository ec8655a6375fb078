// Batch and layer normalisation, forward and backward side by side, each one fused kernel: the batch forward
// computes the batch statistics, normalises, scales and shifts, and moves the moving statistics in two passes
// over x; the backward computes dγ, dβ and dx in two passes over dy. The formulas (and the order of every double
// operation, so both round to the same float32 values) are those of src/backends/ts/normalization.ts:
//
//   batch, training   μ_j, σ²_j (biased) over the rows; s_j = 1/√(σ²_j + ε); x̂ = (x − μ_j)·s_j; y = γ_j·x̂ + β_j
//                     moving_μ ← moving_μ·momentum + μ_j·(1 − momentum), moving_σ² likewise
//   batch, inference  the same with the moving statistics
//   batch, backward   dγ_j = Σ dy·x̂, dβ_j = Σ dy, dx = γ_j·s_j/rows · (rows·dy − dβ_j − x̂·dγ_j)
//   layer             μ_r, σ²_r over each row; backward g = dy·γ_j, dx = s_r/n · (n·g − Σ g − x̂·Σ g·x̂)
//
// gamma and beta may be null (the layer has no scale or no center: γ = 1, β = 0). Arrays are [rows × units];
// inv_std is [units] for batch and [rows] for layer normalisation.
#pragma once

#include <cstdint>

namespace nrt::ops {

struct NormParams {
  int64_t units;
  const float* gamma;  // [units] or null
  const float* beta;   // [units] or null
  double epsilon;
};

// Writes y, xhat and inv_std; moves moving_mean and moving_variance. `scratch` holds 2·units doubles.
void batch_norm_training_forward(const NormParams& p, const float* x, int64_t rows, float* y, float* xhat,
                                 double* inv_std, float* moving_mean, float* moving_variance, double momentum,
                                 double* scratch);
// y from the moving statistics. `scratch` holds 2·units doubles.
void batch_norm_inference_forward(const NormParams& p, const float* x, int64_t rows, float* y,
                                  const float* moving_mean, const float* moving_variance, double* scratch);
// Writes gamma_grad and beta_grad (if not null) and dx (if not null; it must not alias dy).
// `scratch` holds 3·units doubles.
void batch_norm_backward(const NormParams& p, const float* dy, const float* xhat, const double* inv_std,
                         int64_t rows, float* gamma_grad, float* beta_grad, float* dx, double* scratch);

// xhat and inv_std may be null (inference).
void layer_norm_forward(const NormParams& p, const float* x, int64_t rows, float* y, float* xhat, double* inv_std);
// As batch_norm_backward; `scratch` holds 2·units doubles.
void layer_norm_backward(const NormParams& p, const float* dy, const float* xhat, const double* inv_std,
                         int64_t rows, float* gamma_grad, float* beta_grad, float* dx, double* scratch);

}  // namespace nrt::ops
