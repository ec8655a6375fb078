#include "ops/optimizer.h"

#include <cmath>

namespace nrt::ops {

void sgd_update(float* w, const float* g, float* velocity, int64_t n, double lr, double momentum, bool nesterov,
                double l2x2) {
  if (momentum == 0.0 || velocity == nullptr) {
    for (int64_t i = 0; i < n; i++) {
      const double wi = w[i];
      const double gi = g[i] + l2x2 * wi;
      w[i] = static_cast<float>(wi - lr * gi);
    }
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    const double wi = w[i];
    const double gi = g[i] + l2x2 * wi;
    const float vi = static_cast<float>(momentum * velocity[i] - lr * gi);
    velocity[i] = vi;
    w[i] = static_cast<float>(nesterov ? wi + (momentum * vi - lr * gi) : wi + vi);
  }
}

void adam_update(float* w, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                 double epsilon, double weight_decay, int64_t t, double l2x2) {
  const double c1 = 1.0 / (1.0 - std::pow(beta1, static_cast<double>(t)));
  const double c2 = 1.0 / (1.0 - std::pow(beta2, static_cast<double>(t)));
  const double decay = lr * weight_decay;
  for (int64_t i = 0; i < n; i++) {
    const double wi = w[i];
    const double gi = g[i] + l2x2 * wi;
    const float mi = static_cast<float>(beta1 * m[i] + (1.0 - beta1) * gi);
    const float vi = static_cast<float>(beta2 * v[i] + (1.0 - beta2) * gi * gi);
    m[i] = mi;
    v[i] = vi;
    const double decayed = static_cast<float>(wi - decay * wi);
    w[i] = static_cast<float>(decayed - lr * (mi * c1) / (std::sqrt(vi * c2) + epsilon));
  }
}

void rmsprop_update(float* w, const float* g, float* v, float* mom, int64_t n, double lr, double rho,
                    double momentum, double epsilon, double l2x2) {
  for (int64_t i = 0; i < n; i++) {
    const double wi = w[i];
    const double gi = g[i] + l2x2 * wi;
    const float vi = static_cast<float>(rho * v[i] + (1.0 - rho) * gi * gi);
    v[i] = vi;
    const double step = lr * gi / (std::sqrt(static_cast<double>(vi)) + epsilon);
    if (momentum == 0.0 || mom == nullptr) {
      w[i] = static_cast<float>(wi - step);
    } else {
      const float mo = static_cast<float>(momentum * mom[i] + step);
      mom[i] = mo;
      w[i] = static_cast<float>(wi - mo);
    }
  }
}

}  // namespace nrt::ops
