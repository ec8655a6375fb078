#include "ops/losses.h"

#include <cmath>

#include "ops/activation.h"

// Expressions follow src/backends/ts/losses.ts term for term (f64 intermediates, the same association), and the
// output activation is computed exactly as ops/activation.cpp's forward does, so accuracies match too.

namespace nrt::ops {

namespace {

inline int64_t argmax(const float* x, int64_t n) {
  int64_t best = 0;
  for (int64_t j = 1; j < n; j++)
    if (x[j] > x[best]) best = j;
  return best;
}

}  // namespace

double softmax_cross_entropy(const float* z, const float* y, const float* w, bool sparse, int64_t rows, int64_t n,
                             double grad_divisor, float* a, float* grad, double* correct) {
  // The exponentials e^(z − max), in f64, as exp_f64_in_place wants them: for a block of whole rows at once
  // when they fit its buffer, then kept for the gradient (the same values, so the same results); a row wider than
  // the buffer goes kExpBuffer columns at a time, and the gradient computes them again.
  double e[kExpBuffer];
  const bool whole = n <= kExpBuffer;
  const int64_t per_block = whole ? kExpBuffer / n : 1;
  double total = 0.0;
  double hits = 0.0;
  for (int64_t i0 = 0; i0 < rows; i0 += per_block) {
    const int64_t block = rows - i0 < per_block ? rows - i0 : per_block;
    if (whole) {
      for (int64_t b = 0; b < block; b++) {
        const float* zr = z + (i0 + b) * n;
        const double max = row_max(zr, n);
        for (int64_t j = 0; j < n; j++) e[b * n + j] = static_cast<double>(zr[j]) - max;
      }
      exp_f64_in_place(e, block * n);
    }
    for (int64_t b = 0; b < block; b++) {
      const int64_t i = i0 + b;
      const float* zr = z + i * n;
      float* ar = a + i * n;
      const double max = row_max(zr, n);
      // e^(z − max) for columns [j0, j0 + width) of row i
      const auto exps = [&](int64_t j0, int64_t width) -> const double* {
        if (whole) return e + b * n + j0;
        for (int64_t j = 0; j < width; j++) e[j] = static_cast<double>(zr[j0 + j]) - max;
        exp_f64_in_place(e, width);
        return e;
      };
      double sum = 0.0;
      for (int64_t j0 = 0; j0 < n; j0 += kExpBuffer) {
        const int64_t width = n - j0 < kExpBuffer ? n - j0 : kExpBuffer;
        const double* ec = exps(j0, width);
        for (int64_t j = 0; j < width; j++) {
          ar[j0 + j] = static_cast<float>(ec[j]);  // softmax_forward's rounding: f32(e), then · 1/Σ
          sum += ec[j];
        }
      }
      const double inv = 1.0 / sum;
      const int64_t label = sparse ? static_cast<int64_t>(y[i]) : -1;
      const float* yr = sparse ? nullptr : y + i * n;
      const double wi = w ? static_cast<double>(w[i]) : 1.0;
      if (sparse) {
        total += wi * (max + std::log(sum) - zr[label]);
      } else {
        double dot = 0.0;
        for (int64_t j = 0; j < n; j++) dot += static_cast<double>(yr[j]) * zr[j];
        total += wi * (max + std::log(sum) - dot);
      }
      if (grad) {
        float* gr = grad + i * n;
        for (int64_t j0 = 0; j0 < n; j0 += kExpBuffer) {
          const int64_t width = n - j0 < kExpBuffer ? n - j0 : kExpBuffer;
          const double* ec = exps(j0, width);
          for (int64_t j = j0; j < j0 + width; j++) {
            const double target = sparse ? (j == label ? 1.0 : 0.0) : static_cast<double>(yr[j]);
            gr[j] = static_cast<float>(wi * (ec[j - j0] / sum - target) / grad_divisor);
          }
        }
      }
      for (int64_t j = 0; j < n; j++) ar[j] = static_cast<float>(ar[j] * inv);
      if (argmax(ar, n) == (sparse ? label : argmax(yr, n))) hits += 1.0;
    }
  }
  if (correct) *correct += hits;
  return total;
}

double sigmoid_binary_cross_entropy(const float* z, const float* y, const float* w, int64_t rows, int64_t n,
                                    double grad_divisor, float* a, float* grad, double* correct) {
  const int64_t count = rows * n;
  double total = 0.0;
  double hits = 0.0;
  for (int64_t e = 0; e < count; e++) {
    const double v = z[e], t = y[e];
    const double wi = w ? static_cast<double>(w[e / n]) : 1.0;
    total += wi * ((v > 0.0 ? v : 0.0) - v * t + std::log1p(std::exp(-std::fabs(v))));
    const double s = 1.0 / (1.0 + std::exp(-v));
    a[e] = static_cast<float>(s);
    if (grad) grad[e] = static_cast<float>(wi * (s - t) / grad_divisor);
    if ((a[e] > 0.5f) == (y[e] > 0.5f)) hits += 1.0;
  }
  if (correct) *correct += hits;
  return total;
}

double squared_error(const float* a, const float* y, const float* w, int64_t rows, int64_t n, double grad_divisor,
                     float* grad) {
  const int64_t count = rows * n;
  double total = 0.0;
  for (int64_t e = 0; e < count; e++) {
    const double d = static_cast<double>(a[e]) - y[e];
    const double wi = w ? static_cast<double>(w[e / n]) : 1.0;
    total += wi * (d * d);
    if (grad) grad[e] = static_cast<float>(wi * (2.0 * d) / grad_divisor);
  }
  return total;
}

double absolute_error(const float* a, const float* y, const float* w, int64_t rows, int64_t n, double grad_divisor,
                      float* grad) {
  const int64_t count = rows * n;
  double total = 0.0;
  for (int64_t e = 0; e < count; e++) {
    const double d = static_cast<double>(a[e]) - y[e];
    const double wi = w ? static_cast<double>(w[e / n]) : 1.0;
    total += wi * std::fabs(d);
    if (grad) grad[e] = static_cast<float>(wi * (d > 0.0 ? 1.0 : d < 0.0 ? -1.0 : 0.0) / grad_divisor);
  }
  return total;
}

double huber_error(const float* a, const float* y, const float* w, int64_t rows, int64_t n, double delta,
                   double grad_divisor, float* grad) {
  const int64_t count = rows * n;
  double total = 0.0;
  for (int64_t e = 0; e < count; e++) {
    const double d = static_cast<double>(a[e]) - y[e];
    const double ad = std::fabs(d);
    const double wi = w ? static_cast<double>(w[e / n]) : 1.0;
    total += wi * (ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta));
    if (grad) grad[e] = static_cast<float>(wi * (ad <= delta ? d : d > 0.0 ? delta : -delta) / grad_divisor);
  }
  return total;
}

double l2_penalty(const float* w, int64_t n, double l2) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; i++) sum += static_cast<double>(w[i]) * w[i];
  return l2 * sum;
}

}  // namespace nrt::ops
