#include "ops/activation.h"

#include <cmath>

#include "core/profile.h"
#include "core/target_clones.h"
#include "ops/column_sum.h"
#include "ops/fast_math.h"

namespace nrt::ops {

// The activations added after the first six compute in float32 with the branch-free approximations of
// fast_math.h, one vectorisable loop each (forward over one row of a tile, backward over the whole block), so
// they cost about what relu does next to the GEMM. Their references are the float64 formulas of
// src/backends/ts/activations.ts; the C++ tests hold each to them within 1e-6 (relative to max(1, |value|)).
namespace {

constexpr float kSeluLambda = 1.05070098735548049342f;
constexpr float kSeluAlpha = 1.67326324235437728481f;
constexpr float kInvSqrt2 = 0.70710678118654752440f;
constexpr float kInvSqrt2Pi = 0.39894228040143267794f;

// Every element-wise backward is one pass over g: g[e] ← dz(e) = g[e]·f'(…). With bias_grad it also sums the
// columns of dz in that pass (blocked_column_sum, so the same sums as column_sum's), where a second pass over g
// would cost as much as relu's whole backward.
template <class Derivative>
NRT_CLONE_INLINE void backward_pass(float* g, int64_t rows, int64_t cols, float* bias_grad, Derivative dz) {
  if (bias_grad == nullptr) {
    const int64_t n = rows * cols;
    for (int64_t e = 0; e < n; e++) g[e] = dz(e);
    return;
  }
  blocked_column_sum(rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    const float v = dz(e);
    g[e] = v;
    return static_cast<double>(v);
  });
}

// gelu(z) = z·Φ(z), Φ(z) = (1 + erf(z/√2))/2; gelu'(z) = Φ(z) + z·φ(z), φ(z) = e^(−z²/2)/√(2π).
// Below z = −5.65 (erf's clamp at −4), Φ < 1e-8 is taken as 0, so z·Φ stays 0 for any finite z.
inline float normal_cdf(float v) {
  const float cdf = 0.5f + 0.5f * fast::erf(v * kInvSqrt2);
  return v < -5.65f ? 0.0f : cdf;
}
NRT_VECTOR_CLONES void gelu_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) x[j] = x[j] * normal_cdf(x[j]);
}
// The backward takes Φ(z) = a/z from the forward's output instead of a second erf (a third of gelu's cost on
// W1); a/z is Φ to 2 ulp. At z = 0 it is 0/0, and Φ(0) = 1/2.
NRT_VECTOR_CLONES void gelu_backward(const float* a, const float* z, float* g, int64_t rows, int64_t cols,
                                     float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    const float v = z[e];
    const float quotient = a[e] / v;
    const float cdf = v == 0.0f ? 0.5f : quotient;
    // φ is 0 past |z| = 12.6 (e^−80): computing it there would pass through subnormals (see fast_math.h)
    const float vs = (v < 0.0f ? -v : v) > 12.6f ? 12.6f : v;
    const float pdf_near = kInvSqrt2Pi * fast::exp(-0.5f * vs * vs);
    const float pdf = (v < 0.0f ? -v : v) > 12.6f ? 0.0f : pdf_near;
    return g[e] * (cdf + v * pdf);
  });
}

// swish(z) = z·s, s = sigmoid(z); swish'(z) = s·(1 + z·(1 − s)). sigmoid from e^−|z| in (0, 1], so s is 0
// (not z/e^88) for z ≪ 0. The backward takes s = a/z (s(0) = 1/2) from the forward's output: no second exp.
inline float sigmoid(float v) {
  const float e = fast::exp(v < 0.0f ? v : -v);
  const float inv = 1.0f / (1.0f + e);
  return v < 0.0f ? e * inv : inv;
}
// sigmoid and tanh as vectorisable loops over fast::exp and fast::expm1 (they were a double libm call per
// element: 10 and 28 ns, 60 and 180 times relu's cost, a third of a sigmoid W1 step).
NRT_VECTOR_CLONES void sigmoid_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) x[j] = sigmoid(x[j]);
}
// tanh(z) = sign(z)·t/(t + 2), t = e^(2|z|) − 1: relative precision near 0 from expm1; past |z| = 9 the quotient
// rounds to 1 in float32, so the clamp there changes nothing and keeps t finite.
NRT_VECTOR_CLONES void tanh_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    const float v = x[j];
    const float av = v < 0.0f ? -v : v;
    const float t = fast::expm1(2.0f * (av > 9.0f ? 9.0f : av));
    const float r = t / (t + 2.0f);
    x[j] = v < 0.0f ? -r : r;
  }
}
NRT_VECTOR_CLONES void swish_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) x[j] = x[j] * sigmoid(x[j]);
}
NRT_VECTOR_CLONES void swish_backward(const float* a, const float* z, float* g, int64_t rows, int64_t cols,
                                      float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    const float quotient = a[e] / z[e];
    const float s = z[e] == 0.0f ? 0.5f : quotient;
    return g[e] * (s * (1.0f + z[e] * (1.0f - s)));
  });
}

// elu(z) = z for z > 0, else e^z − 1 (alpha 1); elu' = 1 for a > 0, else a + 1 (both sides give 1 at 0).
NRT_VECTOR_CLONES void elu_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    const float m = fast::expm1(x[j]);
    x[j] = x[j] > 0.0f ? x[j] : m;
  }
}
NRT_VECTOR_CLONES void elu_backward(const float* a, float* g, int64_t rows, int64_t cols, float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad,
                [=](int64_t e) NRT_CLONE_INLINE_LAMBDA { return a[e] > 0.0f ? g[e] : g[e] * (a[e] + 1.0f); });
}

// selu(z) = λ·z for z > 0, else λ·α·(e^z − 1); selu' = λ for a > 0, else a + λ·α.
NRT_VECTOR_CLONES void selu_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    const float m = kSeluAlpha * fast::expm1(x[j]);
    x[j] = kSeluLambda * (x[j] > 0.0f ? x[j] : m);
  }
}
NRT_VECTOR_CLONES void selu_backward(const float* a, float* g, int64_t rows, int64_t cols, float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    return g[e] * (a[e] > 0.0f ? kSeluLambda : a[e] + kSeluLambda * kSeluAlpha);
  });
}

// softplus(z) = max(z, 0) + log(1 + e^−|z|), which neither overflows nor loses e^z for z ≪ 0;
// softplus' = sigmoid(z) = 1 − e^−a = −expm1(−a).
NRT_VECTOR_CLONES void softplus_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    const float v = x[j];
    // fast::exp gives exactly 0 for e^−|z| below e^−86.6, so a = 0 there and the backward's products stay normal
    const float av = v < 0.0f ? -v : v;
    x[j] = (v > 0.0f ? v : 0.0f) + fast::log1p_unit(fast::exp(-av));
  }
}
NRT_VECTOR_CLONES void softplus_backward(const float* a, float* g, int64_t rows, int64_t cols, float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad,
                [=](int64_t e) NRT_CLONE_INLINE_LAMBDA { return g[e] * -fast::expm1(-a[e]); });
}

// softsign(z) = z/(1 + |z|); softsign' = 1/(1 + |z|)² = (1 − |a|)².
NRT_VECTOR_CLONES void softsign_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) x[j] = x[j] / (1.0f + (x[j] < 0.0f ? -x[j] : x[j]));
}
NRT_VECTOR_CLONES void softsign_backward(const float* a, float* g, int64_t rows, int64_t cols, float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    const float d = 1.0f - (a[e] < 0.0f ? -a[e] : a[e]);
    return g[e] * (d * d);
  });
}

// mish(z) = z·tanh(softplus(z)). With u = e^z, tanh(log(1 + u)) = m/(m + 2) where m = u(u + 2): one exp and
// one division. u is capped at e^20, where m/(m+2) is already 1 in float32 and m cannot overflow.
// mish' = t + z·sech²·sigmoid(z), t = m/d, sech² = 1 − t² = 4(m+1)/d², sigmoid = u/(1+u), d = m + 2: over one
// common denominator, mish' = (m·d·(1+u) + 4z(m+1)u) / (d²·(1+u)), one division instead of three. Past z = 10
// mish' is 1 to within 8e-8 (1 − t and the second term are below 4z·e^−2z), and the cap there keeps d²·(1+u)
// below 6e21.
NRT_VECTOR_CLONES void mish_forward(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j++) {
    const float u = fast::exp(x[j] < 20.0f ? x[j] : 20.0f);
    const float m = u * (u + 2.0f);
    x[j] = x[j] * (m / (m + 2.0f));
  }
}
NRT_VECTOR_CLONES void mish_backward(const float* z, float* g, int64_t rows, int64_t cols, float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    const float v = z[e] < 10.0f ? z[e] : 10.0f;
    const float u = fast::exp(v);
    const float m = u * (u + 2.0f);
    const float d = m + 2.0f;
    const float u1 = 1.0f + u;
    // u before z: for z ≪ 0, u = 0 and the product is 0 where 4z alone would overflow to −∞ (and ∞·0 is NaN)
    const float d_mish = (m * d * u1 + 4.0f * u * (m + 1.0f) * v) / (d * d * u1);
    return g[e] * (z[e] > 10.0f ? 1.0f : d_mish);
  });
}

// relu, leakyRelu, sigmoid and tanh read their derivative from a (sigmoid and tanh in double, as the TS
// reference). relu's is also the bias sum's pass: the profile counts it as bias_grad.
NRT_VECTOR_CLONES void relu_backward(const float* a, float* g, int64_t rows, int64_t cols, float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA { return a[e] > 0.0f ? g[e] : 0.0f; });
}
NRT_VECTOR_CLONES void leaky_relu_backward(const float* a, float* g, int64_t rows, int64_t cols, double alpha,
                                           float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    return a[e] > 0.0f ? g[e] : static_cast<float>(alpha * g[e]);
  });
}
NRT_VECTOR_CLONES void sigmoid_backward(const float* a, float* g, int64_t rows, int64_t cols, float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    const double s = a[e];
    return static_cast<float>(static_cast<double>(g[e]) * s * (1.0 - s));
  });
}
NRT_VECTOR_CLONES void tanh_backward(const float* a, float* g, int64_t rows, int64_t cols, float* bias_grad) {
  backward_pass(g, rows, cols, bias_grad, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA {
    const double t = a[e];
    return static_cast<float>(static_cast<double>(g[e]) * (1.0 - t * t));
  });
}

}  // namespace

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
      case NRT_ACTIVATION_SIGMOID: sigmoid_forward(r, cols); break;
      case NRT_ACTIVATION_TANH: tanh_forward(r, cols); break;
      case NRT_ACTIVATION_GELU: gelu_forward(r, cols); break;
      case NRT_ACTIVATION_SWISH: swish_forward(r, cols); break;
      case NRT_ACTIVATION_ELU: elu_forward(r, cols); break;
      case NRT_ACTIVATION_SELU: selu_forward(r, cols); break;
      case NRT_ACTIVATION_SOFTPLUS: softplus_forward(r, cols); break;
      case NRT_ACTIVATION_SOFTSIGN: softsign_forward(r, cols); break;
      case NRT_ACTIVATION_MISH: mish_forward(r, cols); break;
    }
  }
}

NRT_VECTOR_CLONES void exp_f64_in_place(double* v, int64_t n) {
  for (int64_t j = 0; j < n; j++) v[j] = fast::exp_f64(v[j]);
}

namespace {

// r ← f32(e) · 1/Σe, rounded as the reference does: f32(e), then f32(f32(e) · 1/Σ).
void normalize_row(float* r, const double* e, int64_t n) {
  double sum = 0.0;
  for (int64_t j = 0; j < n; j++) {
    r[j] = static_cast<float>(e[j]);
    sum += e[j];
  }
  const double inv = 1.0 / sum;
  for (int64_t j = 0; j < n; j++) r[j] = static_cast<float>(r[j] * inv);
}

}  // namespace

void softmax_forward(float* x, int64_t rows, int64_t cols, int64_t ld) {
  double e[kExpBuffer];
  const int64_t per_block = cols <= kExpBuffer ? kExpBuffer / cols : 0;  // whole rows that fit the buffer at once
  if (per_block == 0) {
    // Wider rows: e^(z − max) of the whole row into r (f32), kExpBuffer columns at a time, then r · 1/Σ.
    for (int64_t i = 0; i < rows; i++) {
      float* r = x + i * ld;
      const float max = row_max(r, cols);
      double sum = 0.0;
      for (int64_t j0 = 0; j0 < cols; j0 += kExpBuffer) {
        const int64_t width = cols - j0 < kExpBuffer ? cols - j0 : kExpBuffer;
        for (int64_t j = 0; j < width; j++) e[j] = static_cast<double>(r[j0 + j]) - max;
        exp_f64_in_place(e, width);
        for (int64_t j = 0; j < width; j++) {
          r[j0 + j] = static_cast<float>(e[j]);
          sum += e[j];
        }
      }
      const double inv = 1.0 / sum;
      for (int64_t j = 0; j < cols; j++) r[j] = static_cast<float>(r[j] * inv);
    }
    return;
  }
  for (int64_t i0 = 0; i0 < rows; i0 += per_block) {
    const int64_t block = rows - i0 < per_block ? rows - i0 : per_block;
    for (int64_t b = 0; b < block; b++) {
      const float* r = x + (i0 + b) * ld;
      const float max = row_max(r, cols);
      for (int64_t j = 0; j < cols; j++) e[b * cols + j] = static_cast<double>(r[j]) - max;
    }
    exp_f64_in_place(e, block * cols);
    for (int64_t b = 0; b < block; b++) normalize_row(x + (i0 + b) * ld, e + b * cols, cols);
  }
}

void activation_backward(nrt_activation act, double alpha, const float* a, const float* z,
                         float* g, int64_t rows, int64_t cols, float* bias_grad) {
  switch (act) {
    case NRT_ACTIVATION_LINEAR:
      if (bias_grad) column_sum(g, rows, cols, bias_grad);
      return;
    case NRT_ACTIVATION_SOFTMAX:
      for (int64_t i = 0; i < rows; i++) {
        const float* ar = a + i * cols;
        float* gr = g + i * cols;
        double dot = 0.0;
        for (int64_t j = 0; j < cols; j++) dot += static_cast<double>(ar[j]) * gr[j];
        for (int64_t j = 0; j < cols; j++) gr[j] = static_cast<float>(ar[j] * (gr[j] - dot));
      }
      if (bias_grad) column_sum(g, rows, cols, bias_grad);
      return;
    case NRT_ACTIVATION_RELU: {
      NRT_PROFILE_SCOPE(bias_grad);  // the mask rides along the bias sums (or is the whole pass without them)
      return relu_backward(a, g, rows, cols, bias_grad);
    }
    case NRT_ACTIVATION_LEAKY_RELU: return leaky_relu_backward(a, g, rows, cols, alpha, bias_grad);
    case NRT_ACTIVATION_SIGMOID: return sigmoid_backward(a, g, rows, cols, bias_grad);
    case NRT_ACTIVATION_TANH: return tanh_backward(a, g, rows, cols, bias_grad);
    case NRT_ACTIVATION_GELU: return gelu_backward(a, z, g, rows, cols, bias_grad);
    case NRT_ACTIVATION_SWISH: return swish_backward(a, z, g, rows, cols, bias_grad);
    case NRT_ACTIVATION_ELU: return elu_backward(a, g, rows, cols, bias_grad);
    case NRT_ACTIVATION_SELU: return selu_backward(a, g, rows, cols, bias_grad);
    case NRT_ACTIVATION_SOFTPLUS: return softplus_backward(a, g, rows, cols, bias_grad);
    case NRT_ACTIVATION_SOFTSIGN: return softsign_backward(a, g, rows, cols, bias_grad);
    case NRT_ACTIVATION_MISH: return mish_backward(z, g, rows, cols, bias_grad);
  }
}

}  // namespace nrt::ops
