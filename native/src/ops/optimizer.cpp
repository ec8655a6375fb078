#include "ops/optimizer.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include <limits>

#include "core/target_clones.h"

// Expressions follow src/backends/ts/optimizers.ts term for term (same association, same f64 intermediates,
// the same values rounded to f32 when stored), so the engines agree to the last bit wherever the gradients do.
// The loops are templates on whether an L2 term is present, so each compiles to one branch-free vector loop.

namespace nrt::ops {

namespace {

// The TS backend adds 2·l2·w into the f32 gradient array before the update; round the same way. A clip then
// scales and clamps it as the TS reference does in its f32 array: f32(clamp(g·scale, −v, v)) with g and scale
// f32. Rounding is monotone and a product of two floats is exact in f64, so that is clamp(g·scale, f32(−v),
// f32(v)) computed in f32, 8 lanes wide. A clip always scales and clamps (scale 1 and infinite bounds where it
// has none): three f32 operations per 8 elements cost nothing measurable, where a variant per kind of clip
// doubled the code of every loop. It runs inside the update's loop, not as a pass of its own.
template <bool kL2, bool kClip>
NRT_CLONE_INLINE double gradient(const float* __restrict g, const float* __restrict w, int64_t i, double l2x2,
                                 Clip clip) {
  float gi = kL2 ? static_cast<float>(g[i] + l2x2 * w[i]) : g[i];
  if constexpr (kClip) {  // a NaN stays NaN, as in the reference's Math.min(Math.max(…))
    gi *= clip.scale;
    gi = gi < clip.lower ? clip.lower : gi;
    gi = gi > clip.upper ? clip.upper : gi;
  }
  return gi;
}

template <bool kL2, bool kClip>
NRT_CLONE_INLINE void sgd_plain(float* __restrict w, const float* __restrict g, int64_t n, double lr, double l2x2, Clip clip) {
  for (int64_t i = 0; i < n; i++) w[i] = static_cast<float>(w[i] - lr * gradient<kL2, kClip>(g, w, i, l2x2, clip));
}

template <bool kL2, bool kClip, bool kNesterov>
NRT_CLONE_INLINE void sgd_momentum(float* __restrict w, const float* __restrict g, float* __restrict velocity, int64_t n, double lr, double momentum,
                         double l2x2, Clip clip) {
  for (int64_t i = 0; i < n; i++) {
    const double gi = gradient<kL2, kClip>(g, w, i, l2x2, clip);
    const double v = momentum * velocity[i] - lr * gi;
    velocity[i] = static_cast<float>(v);
    w[i] = static_cast<float>(kNesterov ? w[i] + momentum * v - lr * gi : w[i] + v);
  }
}

template <bool kL2, bool kClip, bool kDecay>
NRT_CLONE_INLINE void adam(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v, int64_t n, double lr, double beta1, double beta2,
                 double epsilon, double decay, double correction1, double correction2, double l2x2, Clip clip) {
  for (int64_t i = 0; i < n; i++) {
    const double gi = gradient<kL2, kClip>(g, w, i, l2x2, clip);  // on the weights before decay, as the gradient was
    if constexpr (kDecay) w[i] = static_cast<float>(w[i] - decay * w[i]);
    const double mi = beta1 * m[i] + (1.0 - beta1) * gi;
    const double vi = beta2 * v[i] + (1.0 - beta2) * gi * gi;
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
    w[i] = static_cast<float>(w[i] - (lr * (mi / correction1)) / (std::sqrt(vi / correction2) + epsilon));
  }
}

template <bool kL2, bool kClip, bool kMomentum>
NRT_CLONE_INLINE void rmsprop(float* __restrict w, const float* __restrict g, float* __restrict v, float* __restrict mom, int64_t n, double lr, double rho, double momentum,
                    double epsilon, double l2x2, Clip clip) {
  for (int64_t i = 0; i < n; i++) {
    const double gi = gradient<kL2, kClip>(g, w, i, l2x2, clip);
    const double vi = rho * v[i] + (1.0 - rho) * gi * gi;
    v[i] = static_cast<float>(vi);
    const double step = (lr * gi) / (std::sqrt(vi) + epsilon);
    if constexpr (kMomentum) {
      const double mi = momentum * mom[i] + step;
      mom[i] = static_cast<float>(mi);
      w[i] = static_cast<float>(w[i] - mi);
    } else {
      w[i] = static_cast<float>(w[i] - step);
    }
  }
}

template <bool kL2, bool kClip>
NRT_CLONE_INLINE void nadam(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v, int64_t n, double lr, double beta1, double beta2,
                  double epsilon, double u_t, double u_next, double u_product, double correction2, double l2x2, Clip clip) {
  const double momentum_weight = u_next / (1.0 - u_product * u_next);
  const double gradient_weight = (1.0 - u_t) / (1.0 - u_product);
  for (int64_t i = 0; i < n; i++) {
    const double gi = gradient<kL2, kClip>(g, w, i, l2x2, clip);
    const double mi = m[i] + (gi - m[i]) * (1.0 - beta1);
    const double vi = v[i] + (gi * gi - v[i]) * (1.0 - beta2);
    m[i] = static_cast<float>(mi);
    v[i] = static_cast<float>(vi);
    const double m_hat = momentum_weight * mi + gradient_weight * gi;
    w[i] = static_cast<float>(w[i] - (m_hat * lr) / (std::sqrt(vi / correction2) + epsilon));
  }
}

template <bool kL2, bool kClip>
NRT_CLONE_INLINE void adagrad(float* __restrict w, const float* __restrict g, float* __restrict a, int64_t n, double lr, double epsilon, double l2x2, Clip clip) {
  for (int64_t i = 0; i < n; i++) {
    const double gi = gradient<kL2, kClip>(g, w, i, l2x2, clip);
    const double ai = a[i] + gi * gi;
    a[i] = static_cast<float>(ai);
    w[i] = static_cast<float>(w[i] - (lr * gi) / std::sqrt(ai + epsilon));
  }
}

// Runs f with std::true_type and the clip when there is one, else std::false_type and a no-op clip.
template <class F>
NRT_CLONE_INLINE void with_clip(const Clip* clip, F&& f) {
  if (clip != nullptr) f(std::true_type{}, *clip);
  else f(std::false_type{}, Clip{});
}

}  // namespace

double nadam_u_product(double beta1, int64_t t) {
  double product = 1.0;
  for (int64_t i = 1; i <= t; i++) product *= nadam_u(beta1, i);
  return product;
}

NRT_VECTOR_CLONES
void nadam_update(float* w, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                  double epsilon, int64_t t, double u_product, double l2x2, const Clip* clip) {
  with_clip(clip, [&](auto c, Clip k) NRT_CLONE_INLINE_LAMBDA {
    constexpr bool C = decltype(c)::value;
    const double u_t = nadam_u(beta1, t), u_next = nadam_u(beta1, t + 1);
    const double c2 = 1.0 - std::pow(beta2, static_cast<double>(t));
    if (l2x2 != 0.0) nadam<true, C>(w, g, m, v, n, lr, beta1, beta2, epsilon, u_t, u_next, u_product, c2, l2x2, k);
    else nadam<false, C>(w, g, m, v, n, lr, beta1, beta2, epsilon, u_t, u_next, u_product, c2, l2x2, k);
  });
}

NRT_VECTOR_CLONES
void adagrad_update(float* w, const float* g, float* accumulator, int64_t n, double lr, double epsilon,
                    double l2x2, const Clip* clip) {
  with_clip(clip, [&](auto c, Clip k) NRT_CLONE_INLINE_LAMBDA {
    constexpr bool C = decltype(c)::value;
    if (l2x2 != 0.0) adagrad<true, C>(w, g, accumulator, n, lr, epsilon, l2x2, k);
    else adagrad<false, C>(w, g, accumulator, n, lr, epsilon, l2x2, k);
  });
}

NRT_VECTOR_CLONES
void sgd_update(float* w, const float* g, float* velocity, int64_t n, double lr, double momentum, bool nesterov,
                double l2x2, const Clip* clip) {
  with_clip(clip, [&](auto c, Clip k) NRT_CLONE_INLINE_LAMBDA {
    constexpr bool C = decltype(c)::value;
    const bool l2 = l2x2 != 0.0;
    if (momentum == 0.0 || velocity == nullptr) {
      if (l2) sgd_plain<true, C>(w, g, n, lr, l2x2, k);
      else sgd_plain<false, C>(w, g, n, lr, l2x2, k);
    } else if (nesterov) {
      if (l2) sgd_momentum<true, C, true>(w, g, velocity, n, lr, momentum, l2x2, k);
      else sgd_momentum<false, C, true>(w, g, velocity, n, lr, momentum, l2x2, k);
    } else {
      if (l2) sgd_momentum<true, C, false>(w, g, velocity, n, lr, momentum, l2x2, k);
      else sgd_momentum<false, C, false>(w, g, velocity, n, lr, momentum, l2x2, k);
    }
  });
}

NRT_VECTOR_CLONES
void adam_update(float* w, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                 double epsilon, double weight_decay, int64_t t, double l2x2, const Clip* clip) {
  with_clip(clip, [&](auto c, Clip k) NRT_CLONE_INLINE_LAMBDA {
    constexpr bool C = decltype(c)::value;
    const double c1 = 1.0 - std::pow(beta1, static_cast<double>(t));
    const double c2 = 1.0 - std::pow(beta2, static_cast<double>(t));
    const double decay = lr * weight_decay;
    const bool l2 = l2x2 != 0.0;
    if (weight_decay != 0.0) {
      if (l2) adam<true, C, true>(w, g, m, v, n, lr, beta1, beta2, epsilon, decay, c1, c2, l2x2, k);
      else adam<false, C, true>(w, g, m, v, n, lr, beta1, beta2, epsilon, decay, c1, c2, l2x2, k);
    } else {
      if (l2) adam<true, C, false>(w, g, m, v, n, lr, beta1, beta2, epsilon, decay, c1, c2, l2x2, k);
      else adam<false, C, false>(w, g, m, v, n, lr, beta1, beta2, epsilon, decay, c1, c2, l2x2, k);
    }
  });
}

NRT_VECTOR_CLONES
void rmsprop_update(float* w, const float* g, float* v, float* mom, int64_t n, double lr, double rho,
                    double momentum, double epsilon, double l2x2, const Clip* clip) {
  with_clip(clip, [&](auto c, Clip k) NRT_CLONE_INLINE_LAMBDA {
    constexpr bool C = decltype(c)::value;
    const bool l2 = l2x2 != 0.0;
    if (mom != nullptr && momentum != 0.0) {
      if (l2) rmsprop<true, C, true>(w, g, v, mom, n, lr, rho, momentum, epsilon, l2x2, k);
      else rmsprop<false, C, true>(w, g, v, mom, n, lr, rho, momentum, epsilon, l2x2, k);
    } else {
      if (l2) rmsprop<true, C, false>(w, g, v, mom, n, lr, rho, momentum, epsilon, l2x2, k);
      else rmsprop<false, C, false>(w, g, v, mom, n, lr, rho, momentum, epsilon, l2x2, k);
    }
  });
}

void optimizer_update(const nrt_optimizer_desc& o, const StepParams& p, float* w, const float* g, float* s0, float* s1,
                      int64_t n, double l2x2) {
  const bool clipped = p.grad_scale != 1.0f || p.clip_value > 0.0;
  const float bound = p.clip_value > 0.0 ? static_cast<float>(p.clip_value) : std::numeric_limits<float>::infinity();
  const Clip bounds{p.grad_scale, -bound, bound};
  const Clip* clip = clipped ? &bounds : nullptr;
  const int64_t t = p.t;
  const double lr = p.learning_rate;
  switch (o.kind) {
    case NRT_OPTIMIZER_SGD:
      sgd_update(w, g, s0, n, lr, o.momentum, o.nesterov != 0, l2x2, clip);
      break;
    case NRT_OPTIMIZER_ADAM:
      adam_update(w, g, s0, s1, n, lr, o.beta1, o.beta2, o.epsilon, 0.0, t, l2x2, clip);
      break;
    case NRT_OPTIMIZER_ADAMW:
      adam_update(w, g, s0, s1, n, lr, o.beta1, o.beta2, o.epsilon, o.weight_decay, t, l2x2, clip);
      break;
    case NRT_OPTIMIZER_RMSPROP:
      rmsprop_update(w, g, s0, s1, n, lr, o.rho, o.momentum, o.epsilon, l2x2, clip);
      break;
    case NRT_OPTIMIZER_NADAM:
      nadam_update(w, g, s0, s1, n, lr, o.beta1, o.beta2, o.epsilon, t, p.u_product, l2x2, clip);
      break;
    case NRT_OPTIMIZER_ADAGRAD:
      adagrad_update(w, g, s0, n, lr, o.epsilon, l2x2, clip);
      break;
  }
}

}  // namespace nrt::ops
