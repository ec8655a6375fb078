#include "ops/optimizer.h"

#include <cmath>

// Expressions follow src/backends/ts/optimizers.ts term for term (same association, same f64 intermediates,
// the same values rounded to f32 when stored), so the engines agree to the last bit wherever the gradients do.

namespace nrt::ops {

namespace {

// The TS backend adds 2·l2·w into the f32 gradient array before the update; round the same way.
inline double gradient(const float* g, const float* w, int64_t i, double l2x2) {
  return l2x2 == 0.0 ? static_cast<double>(g[i]) : static_cast<double>(static_cast<float>(g[i] + l2x2 * w[i]));
}

}  // namespace

void sgd_update(float* w, const float* g, float* velocity, int64_t n, double lr, double momentum, bool nesterov,
                double l2x2) {
  if (momentum == 0.0 || velocity == nullptr) {
    for (int64_t i = 0; i < n; i++) {
      const double gi = gradient(g, w, i, l2x2);
      w[i] = static_cast<float>(w[i] - lr * gi);
    }
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    const double gi = gradient(g, w, i, l2x2);
    const double v = momentum * velocity[i] - lr * gi;
    velocity[i] = static_cast<float>(v);
    w[i] = static_cast<float>(nesterov ? w[i] + momentum * v - lr * gi : w[i] + v);
  }
}

void adam_update(float* w, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                 double epsilon, double weight_decay, int64_t t, double l2x2) {
  const double correction1 = 1.0 - std::pow(beta1, static_cast<double>(t));
  const double correction2 = 1.0 - std::pow(beta2, static_cast<double>(t));
  const double decay = lr * weight_decay;
  for (int64_t i = 0; i < n; i++) {
    const double gi = gradient(g, w, i, l2x2);  // on the weights before decay, as the gradient was
    if (weight_decay != 0.0) w[i] = static_cast<float>(w[i] - decay * w[i]);
    const double mi = beta1 * m[i] + (1.0 - beta1) * gi;
    const double vi = beta2 * v[i] + (1.0 - beta2) * gi * gi;
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
    w[i] = static_cast<float>(w[i] - (lr * (mi / correction1)) / (std::sqrt(vi / correction2) + epsilon));
  }
}

void rmsprop_update(float* w, const float* g, float* v, float* mom, int64_t n, double lr, double rho,
                    double momentum, double epsilon, double l2x2) {
  for (int64_t i = 0; i < n; i++) {
    const double gi = gradient(g, w, i, l2x2);
    const double vi = rho * v[i] + (1.0 - rho) * gi * gi;
    v[i] = static_cast<float>(vi);
    const double step = (lr * gi) / (std::sqrt(vi) + epsilon);
    if (mom != nullptr && momentum != 0.0) {
      const double mi = momentum * mom[i] + step;
      mom[i] = static_cast<float>(mi);
      w[i] = static_cast<float>(w[i] - mi);
    } else {
      w[i] = static_cast<float>(w[i] - step);
    }
  }
}

}  // namespace nrt::ops
