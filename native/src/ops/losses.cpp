#include "ops/losses.h"

#include <cmath>

namespace nrt::ops {

namespace {

inline int64_t argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t j = 1; j < n; j++)
    if (x[j] > x[best]) best = j;
  return best;
}

}  // namespace

double softmax_cross_entropy(const float* z, const float* y, bool sparse, int64_t rows, int64_t n,
                             double grad_scale, float* a, float* grad, double* correct) {
  double total = 0.0;
  double hits = 0.0;
  for (int64_t i = 0; i < rows; i++) {
    const float* zr = z + i * n;
    float* ar = a + i * n;
    float max = zr[0];
    for (int64_t j = 1; j < n; j++) max = zr[j] > max ? zr[j] : max;
    double sum = 0.0;
    for (int64_t j = 0; j < n; j++) sum += std::exp(static_cast<double>(zr[j]) - max);
    const double log_sum = std::log(sum) + max;
    const double inv = 1.0 / sum;
    for (int64_t j = 0; j < n; j++) ar[j] = static_cast<float>(std::exp(static_cast<double>(zr[j]) - max) * inv);
    if (sparse) {
      const int64_t label = static_cast<int64_t>(y[i]);
      total += log_sum - zr[label];
      if (grad) {
        float* gr = grad + i * n;
        for (int64_t j = 0; j < n; j++)
          gr[j] = static_cast<float>((static_cast<double>(ar[j]) - (j == label ? 1.0 : 0.0)) * grad_scale);
      }
      if (argmax(ar, n) == label) hits += 1.0;
    } else {
      const float* yr = y + i * n;
      double dot = 0.0;
      for (int64_t j = 0; j < n; j++) dot += static_cast<double>(yr[j]) * zr[j];
      total += log_sum - dot;  // the contract's form; equals −Σ y·log softmax(z) when Σ y = 1
      if (grad) {
        float* gr = grad + i * n;
        for (int64_t j = 0; j < n; j++)
          gr[j] = static_cast<float>((static_cast<double>(ar[j]) - yr[j]) * grad_scale);
      }
      if (argmax(ar, n) == argmax(yr, n)) hits += 1.0;
    }
  }
  if (correct) *correct += hits;
  return total;
}

double sigmoid_binary_cross_entropy(const float* z, const float* y, int64_t rows, int64_t n, double grad_scale,
                                    float* a, float* grad, double* correct) {
  const int64_t count = rows * n;
  double total = 0.0;
  double hits = 0.0;
  for (int64_t e = 0; e < count; e++) {
    const double ze = z[e], ye = y[e];
    total += (ze > 0.0 ? ze : 0.0) - ze * ye + std::log1p(std::exp(-std::fabs(ze)));
    const double s = 1.0 / (1.0 + std::exp(-ze));
    a[e] = static_cast<float>(s);
    if (grad) grad[e] = static_cast<float>((s - ye) * grad_scale);
    if ((a[e] > 0.5f) == (y[e] > 0.5f)) hits += 1.0;
  }
  if (correct) *correct += hits;
  return total;
}

double squared_error(const float* a, const float* y, int64_t rows, int64_t n, double grad_scale, float* grad) {
  const int64_t count = rows * n;
  double total = 0.0;
  for (int64_t e = 0; e < count; e++) {
    const double d = static_cast<double>(a[e]) - y[e];
    total += d * d;
    if (grad) grad[e] = static_cast<float>(2.0 * d * grad_scale);
  }
  return total;
}

double l2_penalty(const float* w, int64_t n, double l2) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; i++) sum += static_cast<double>(w[i]) * w[i];
  return l2 * sum;
}

}  // namespace nrt::ops
