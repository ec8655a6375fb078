// Losses, each computing the loss, the output activation, the gradient and the accuracy counts in one pass.
// Cross-entropies work from the logits z (stable: logsumexp, log1p), so they own the output activation.
// Every function returns Σ of the per-row (cross-entropy) or per-element (BCE, MSE, MAE, Huber) losses in double;
// the caller divides by the batch (or element) count. `grad` may be null (evaluation), as may `correct`.
// `w` (may be null = all 1) holds one weight per row: row i's loss terms and gradient are scaled by w[i], which
// gives Keras's sample weighting, Σ w_i·l_i / N, once the caller divides by N (the rows, not Σ w).
#pragma once

#include <cstdint>

namespace nrt::ops {

// Softmax cross-entropy from logits z [rows×n]. y is one-hot/probabilities [rows×n] or, when sparse, class
// indices [rows]. Writes a = softmax(z), grad = (a − y)/grad_divisor; loss_row = logsumexp(z) − Σ y·z.
// correct += rows where argmax(a) == argmax(y) (or == label), first maximum winning.
double softmax_cross_entropy(const float* z, const float* y, const float* w, bool sparse, int64_t rows, int64_t n,
                             double grad_divisor, float* a, float* grad, double* correct);

// Sigmoid binary cross-entropy from logits: Σ max(z,0) − z·y + log1p(exp(−|z|)); a = sigmoid(z),
// grad = (a − y)/grad_divisor; correct += elements where (a > 0.5) == (y > 0.5).
double sigmoid_binary_cross_entropy(const float* z, const float* y, const float* w, int64_t rows, int64_t n,
                                    double grad_divisor, float* a, float* grad, double* correct);

// Σ (a − y)²; grad = 2(a − y)/grad_divisor (dL/da; the caller passes it back through the output activation).
double squared_error(const float* a, const float* y, const float* w, int64_t rows, int64_t n, double grad_divisor,
                     float* grad);

// Σ |a − y|; grad = sign(a − y)/grad_divisor, with sign(0) = 0 (PyTorch's L1 subgradient).
double absolute_error(const float* a, const float* y, const float* w, int64_t rows, int64_t n, double grad_divisor,
                      float* grad);

// Σ huber(a − y): ½d² for |d| ≤ delta, delta·(|d| − ½delta) beyond; grad = clamp(d, −delta, delta)/grad_divisor.
double huber_error(const float* a, const float* y, const float* w, int64_t rows, int64_t n, double delta,
                   double grad_divisor, float* grad);

// Σ_i l2·Σ w² for one kernel (added to the reported loss).
double l2_penalty(const float* w, int64_t n, double l2);

}  // namespace nrt::ops
