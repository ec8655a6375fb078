#include "ops/normalization.h"

#include <cmath>

namespace nrt::ops {

namespace {

// y = γ·x̂ + β with x̂ = (x − mean)·inv_std, rows outer so x and y are read and written in order.
void normalize_columns(const NormParams& p, const float* x, int64_t rows, float* y, float* xhat, const double* mean,
                       const double* inv_std) {
  const int64_t n = p.units;
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    float* hr = xhat ? xhat + r * n : nullptr;
    for (int64_t j = 0; j < n; j++) {
      const double h = (static_cast<double>(xr[j]) - mean[j]) * inv_std[j];
      if (hr) hr[j] = static_cast<float>(h);
      yr[j] = static_cast<float>((p.gamma ? p.gamma[j] * h : h) + (p.beta ? static_cast<double>(p.beta[j]) : 0.0));
    }
  }
}

}  // namespace

void batch_norm_training_forward(const NormParams& p, const float* x, int64_t rows, float* y, float* xhat,
                                 double* inv_std, float* moving_mean, float* moving_variance, double momentum,
                                 double* scratch) {
  const int64_t n = p.units;
  double* mean = scratch;
  double* variance = scratch + n;
  for (int64_t j = 0; j < n; j++) mean[j] = variance[j] = 0.0;
  for (int64_t r = 0; r < rows; r++)
    for (int64_t j = 0; j < n; j++) mean[j] += x[r * n + j];
  for (int64_t j = 0; j < n; j++) mean[j] /= static_cast<double>(rows);
  for (int64_t r = 0; r < rows; r++)
    for (int64_t j = 0; j < n; j++) {
      const double d = static_cast<double>(x[r * n + j]) - mean[j];
      variance[j] += d * d;
    }
  for (int64_t j = 0; j < n; j++) {
    const double v = variance[j] / static_cast<double>(rows);
    inv_std[j] = 1.0 / std::sqrt(v + p.epsilon);
    moving_mean[j] = static_cast<float>(moving_mean[j] * momentum + mean[j] * (1.0 - momentum));
    moving_variance[j] = static_cast<float>(moving_variance[j] * momentum + v * (1.0 - momentum));
  }
  normalize_columns(p, x, rows, y, xhat, mean, inv_std);
}

void batch_norm_inference_forward(const NormParams& p, const float* x, int64_t rows, float* y,
                                  const float* moving_mean, const float* moving_variance, double* scratch) {
  const int64_t n = p.units;
  double* mean = scratch;
  double* inv_std = scratch + n;
  for (int64_t j = 0; j < n; j++) {
    mean[j] = moving_mean[j];
    inv_std[j] = 1.0 / std::sqrt(static_cast<double>(moving_variance[j]) + p.epsilon);
  }
  normalize_columns(p, x, rows, y, nullptr, mean, inv_std);
}

void batch_norm_backward(const NormParams& p, const float* dy, const float* xhat, const double* inv_std,
                         int64_t rows, float* gamma_grad, float* beta_grad, float* dx, double* scratch) {
  const int64_t n = p.units;
  double* sum_dy = scratch;
  double* sum_dy_xhat = scratch + n;
  double* factor = scratch + 2 * n;
  for (int64_t j = 0; j < n; j++) sum_dy[j] = sum_dy_xhat[j] = 0.0;
  for (int64_t r = 0; r < rows; r++)
    for (int64_t j = 0; j < n; j++) {
      const double g = dy[r * n + j];
      sum_dy[j] += g;
      sum_dy_xhat[j] += g * xhat[r * n + j];
    }
  for (int64_t j = 0; j < n; j++) {
    if (gamma_grad) gamma_grad[j] = static_cast<float>(sum_dy_xhat[j]);
    if (beta_grad) beta_grad[j] = static_cast<float>(sum_dy[j]);
  }
  if (!dx) return;
  const double count = static_cast<double>(rows);
  for (int64_t j = 0; j < n; j++) factor[j] = ((p.gamma ? static_cast<double>(p.gamma[j]) : 1.0) * inv_std[j]) / count;
  for (int64_t r = 0; r < rows; r++)
    for (int64_t j = 0; j < n; j++) {
      const int64_t e = r * n + j;
      dx[e] = static_cast<float>(factor[j] * (count * dy[e] - sum_dy[j] - xhat[e] * sum_dy_xhat[j]));
    }
}

void layer_norm_forward(const NormParams& p, const float* x, int64_t rows, float* y, float* xhat, double* inv_std) {
  const int64_t n = p.units;
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * n;
    double mean = 0.0;
    for (int64_t j = 0; j < n; j++) mean += xr[j];
    mean /= static_cast<double>(n);
    double variance = 0.0;
    for (int64_t j = 0; j < n; j++) {
      const double d = static_cast<double>(xr[j]) - mean;
      variance += d * d;
    }
    const double s = 1.0 / std::sqrt(variance / static_cast<double>(n) + p.epsilon);
    if (inv_std) inv_std[r] = s;
    float* yr = y + r * n;
    float* hr = xhat ? xhat + r * n : nullptr;
    for (int64_t j = 0; j < n; j++) {
      const double h = (static_cast<double>(xr[j]) - mean) * s;
      if (hr) hr[j] = static_cast<float>(h);
      yr[j] = static_cast<float>((p.gamma ? p.gamma[j] * h : h) + (p.beta ? static_cast<double>(p.beta[j]) : 0.0));
    }
  }
}

void layer_norm_backward(const NormParams& p, const float* dy, const float* xhat, const double* inv_std,
                         int64_t rows, float* gamma_grad, float* beta_grad, float* dx, double* scratch) {
  const int64_t n = p.units;
  double* sum_dy = scratch;
  double* sum_dy_xhat = scratch + n;
  for (int64_t j = 0; j < n; j++) sum_dy[j] = sum_dy_xhat[j] = 0.0;
  const double count = static_cast<double>(n);
  for (int64_t r = 0; r < rows; r++) {
    const float* dr = dy + r * n;
    const float* hr = xhat + r * n;
    double sum_g = 0.0, sum_g_xhat = 0.0;
    for (int64_t j = 0; j < n; j++) {
      const double d = dr[j];
      const double h = hr[j];
      sum_dy[j] += d;
      sum_dy_xhat[j] += d * h;
      const double g = p.gamma ? d * p.gamma[j] : d;
      sum_g += g;
      sum_g_xhat += g * h;
    }
    if (!dx) continue;
    const double factor = inv_std[r] / count;
    float* xr = dx + r * n;
    for (int64_t j = 0; j < n; j++) {
      const double g = p.gamma ? static_cast<double>(dr[j]) * p.gamma[j] : static_cast<double>(dr[j]);
      xr[j] = static_cast<float>(factor * (count * g - sum_g - hr[j] * sum_g_xhat));
    }
  }
  for (int64_t j = 0; j < n; j++) {
    if (gamma_grad) gamma_grad[j] = static_cast<float>(sum_dy_xhat[j]);
    if (beta_grad) beta_grad[j] = static_cast<float>(sum_dy[j]);
  }
}

}  // namespace nrt::ops
