// Losses, each computing the loss, the output activation, the gradient and the accuracy counts in one pass.
// Cross-entropies work from the logits z (stable: logsumexp, log1p), so they own the output activation.
// Every function returns Σ of the per-row (cross-entropy) or per-element (BCE, MSE) losses in double; the
// caller divides by the batch (or element) count. `grad` may be null (evaluation), as may `correct`.
#pragma once

#include <cstdint>

namespace nrt::ops {

// Softmax cross-entropy from logits z [rows×n]. y is one-hot/probabilities [rows×n] or, when sparse, class
// indices [rows]. Writes a = softmax(z), grad = (a − y)/grad_divisor; loss_row = logsumexp(z) − Σ y·z.
// correct += rows where argmax(a) == argmax(y) (or == label), first maximum winning.
double softmax_cross_entropy(const float* z, const float* y, bool sparse, int64_t rows, int64_t n,
                             double grad_divisor, float* a, float* grad, double* correct);

// Sigmoid binary cross-entropy from logits: Σ max(z,0) − z·y + log1p(exp(−|z|)); a = sigmoid(z),
// grad = (a − y)/grad_divisor; correct += elements where (a > 0.5) == (y > 0.5).
double sigmoid_binary_cross_entropy(const float* z, const float* y, int64_t rows, int64_t n, double grad_divisor,
                                    float* a, float* grad, double* correct);

// Σ (a − y)²; grad = 2(a − y)/grad_divisor (dL/da; the caller passes it back through the output activation).
double squared_error(const float* a, const float* y, int64_t rows, int64_t n, double grad_divisor, float* grad);

// Σ_i l2·Σ w² for one kernel (added to the reported loss).
double l2_penalty(const float* w, int64_t n, double l2);

}  // namespace nrt::ops
