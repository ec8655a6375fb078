#include "ops/activation.h"

#include <cmath>

#include "ops/column_sum.h"

namespace nrt::ops {

namespace {

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

void activation_forward(nrt_activation act, float alpha, float* x, int64_t rows, int64_t cols, int64_t ld) {
  if (act == NRT_ACTIVATION_SOFTMAX) {
    softmax_forward(x, rows, cols, ld);
    return;
  }
  for (int64_t i = 0; i < rows; i++) {
    float* r = x + i * ld;
    switch (act) {
      case NRT_ACTIVATION_LINEAR:
        break;
      case NRT_ACTIVATION_RELU:
        for (int64_t j = 0; j < cols; j++) r[j] = r[j] > 0.0f ? r[j] : 0.0f;
        break;
      case NRT_ACTIVATION_LEAKY_RELU:
        for (int64_t j = 0; j < cols; j++) r[j] = r[j] > 0.0f ? r[j] : alpha * r[j];
        break;
      case NRT_ACTIVATION_SIGMOID:
        for (int64_t j = 0; j < cols; j++) r[j] = sigmoid(r[j]);
        break;
      case NRT_ACTIVATION_TANH:
        for (int64_t j = 0; j < cols; j++) r[j] = std::tanh(r[j]);
        break;
      case NRT_ACTIVATION_SOFTMAX:
        break;
    }
  }
}

void softmax_forward(float* x, int64_t rows, int64_t cols, int64_t ld) {
  for (int64_t i = 0; i < rows; i++) {
    float* r = x + i * ld;
    float max = r[0];
    for (int64_t j = 1; j < cols; j++) max = r[j] > max ? r[j] : max;
    double sum = 0.0;
    for (int64_t j = 0; j < cols; j++) {
      const double e = std::exp(static_cast<double>(r[j]) - max);
      r[j] = static_cast<float>(e);
      sum += e;
    }
    const double inv = 1.0 / sum;
    for (int64_t j = 0; j < cols; j++) r[j] = static_cast<float>(r[j] * inv);
  }
}

void activation_backward(nrt_activation act, float alpha, const float* a, const float* z, float* g, int64_t rows,
                         int64_t cols, float* bias_grad) {
  const int64_t n = rows * cols;
  switch (act) {
    case NRT_ACTIVATION_LINEAR:
      break;
    case NRT_ACTIVATION_RELU:
      for (int64_t e = 0; e < n; e++) g[e] = a[e] > 0.0f ? g[e] : 0.0f;
      break;
    case NRT_ACTIVATION_LEAKY_RELU:
      // For alpha >= 0, a > 0 exactly when z > 0, so a stands in for z.
      if (alpha < 0.0f)
        for (int64_t e = 0; e < n; e++) g[e] = z[e] > 0.0f ? g[e] : alpha * g[e];
      else
        for (int64_t e = 0; e < n; e++) g[e] = a[e] > 0.0f ? g[e] : alpha * g[e];
      break;
    case NRT_ACTIVATION_SIGMOID:
      for (int64_t e = 0; e < n; e++) g[e] = g[e] * (a[e] * (1.0f - a[e]));
      break;
    case NRT_ACTIVATION_TANH:
      for (int64_t e = 0; e < n; e++) g[e] = g[e] * (1.0f - a[e] * a[e]);
      break;
    case NRT_ACTIVATION_SOFTMAX:
      for (int64_t i = 0; i < rows; i++) {
        const float* ar = a + i * cols;
        float* gr = g + i * cols;
        double dot = 0.0;
        for (int64_t j = 0; j < cols; j++) dot += static_cast<double>(gr[j]) * ar[j];
        for (int64_t j = 0; j < cols; j++) gr[j] = static_cast<float>(ar[j] * (gr[j] - dot));
      }
      break;
  }
  if (bias_grad) column_sum(g, rows, cols, bias_grad);
}

}  // namespace nrt::ops
