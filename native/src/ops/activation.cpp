#include "ops/activation.h"

#include <cmath>

#include "ops/column_sum.h"

namespace nrt::ops {

void activation_forward(nrt_activation act, double alpha, float* x, int64_t rows, int64_t cols, int64_t ld) {
  if (act == NRT_ACTIVATION_SOFTMAX) {
    softmax_forward(x, rows, cols, ld);
    return;
  }
  for (int64_t i = 0; i < rows; i++) {
    float* r = x + i * ld;
    switch (act) {
      case NRT_ACTIVATION_LINEAR:
      case NRT_ACTIVATION_SOFTMAX:
        break;
      case NRT_ACTIVATION_RELU:
        for (int64_t j = 0; j < cols; j++) r[j] = r[j] > 0.0f ? r[j] : 0.0f;
        break;
      case NRT_ACTIVATION_LEAKY_RELU:
        for (int64_t j = 0; j < cols; j++) r[j] = r[j] > 0.0f ? r[j] : static_cast<float>(alpha * r[j]);
        break;
      case NRT_ACTIVATION_SIGMOID:
        for (int64_t j = 0; j < cols; j++) r[j] = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(r[j]))));
        break;
      case NRT_ACTIVATION_TANH:
        for (int64_t j = 0; j < cols; j++) r[j] = static_cast<float>(std::tanh(static_cast<double>(r[j])));
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

void activation_backward(nrt_activation act, double alpha, const float* a, [[maybe_unused]] const float* z,
                         float* g, int64_t rows, int64_t cols, float* bias_grad) {
  const int64_t n = rows * cols;
  switch (act) {
    case NRT_ACTIVATION_LINEAR:
      break;
    case NRT_ACTIVATION_RELU:
      for (int64_t e = 0; e < n; e++) g[e] = a[e] > 0.0f ? g[e] : 0.0f;
      break;
    case NRT_ACTIVATION_LEAKY_RELU: {
      for (int64_t e = 0; e < n; e++) g[e] = a[e] > 0.0f ? g[e] : static_cast<float>(alpha * g[e]);
      break;
    }
    case NRT_ACTIVATION_SIGMOID:
      for (int64_t e = 0; e < n; e++) {
        const double s = a[e];
        g[e] = static_cast<float>(static_cast<double>(g[e]) * s * (1.0 - s));
      }
      break;
    case NRT_ACTIVATION_TANH:
      for (int64_t e = 0; e < n; e++) {
        const double t = a[e];
        g[e] = static_cast<float>(static_cast<double>(g[e]) * (1.0 - t * t));
      }
      break;
    case NRT_ACTIVATION_SOFTMAX:
      for (int64_t i = 0; i < rows; i++) {
        const float* ar = a + i * cols;
        float* gr = g + i * cols;
        double dot = 0.0;
        for (int64_t j = 0; j < cols; j++) dot += static_cast<double>(ar[j]) * gr[j];
        for (int64_t j = 0; j < cols; j++) gr[j] = static_cast<float>(ar[j] * (gr[j] - dot));
      }
      break;
  }
  if (bias_grad) column_sum(g, rows, cols, bias_grad);
}

}  // namespace nrt::ops
