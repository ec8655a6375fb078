// Float32 exp, expm1, log1p and erf for the element-wise activation loops. Each is branch-free straight-line
// code (clamps and selects, no table, no libm call), so GCC and clang vectorise the loops that call them; a
// scalar double libm call per element would cost more than the GEMM epilogue it sits in. Accuracy, checked in
// native/test/test_ops.cpp against the double libm over the whole useful range: exp, expm1 and log1p within
// 2e-7 relative, erf within 2e-7 absolute. Plain C++: activation.cpp's AVX2 clones contract them into FMA
// (CMakeLists.txt), other builds round each product and sum.
#pragma once

#include <cstdint>
#include <cstring>

namespace nrt::ops::fast {

inline float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

inline uint32_t float_to_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

inline double bits_to_double(uint64_t u) {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}

inline uint64_t double_to_bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

// e^x = 2^n · e^r with n = round(x / ln 2) and r = x − n·ln 2 in [−ln2/2, ln2/2] (ln 2 split in two so r is
// exact), e^r − 1 = r + r²·P(r) by Cephes' polynomial. Both exp and expm1 come from this one reduction.
//
// Subnormal floats are kept out of every product: an operation on them takes a slow microcode path on many x86
// CPUs (a gelu step on W1 ran 20 % slower from exp(−z²/2) alone). So squares of tiny numbers become squares of 0
// (their contribution is far below float precision) and exp underflows to exactly 0 below −86.6, where 2^n
// times e^r could leave the normal range.
struct Reduced {
  float em1;    // e^r − 1, exact near r = 0
  float scale;  // 2^n
};
inline Reduced reduce(float x) {
  x = x < -86.6f ? -86.6f : x;
  x = x > 88.37f ? 88.37f : x;
  // round to nearest with the 1.5·2^23 trick: t's low mantissa bits hold n
  const float t = x * 1.44269504088896341f + 12582912.0f;
  const float n = t - 12582912.0f;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float rs = (r < 0.0f ? -r : r) < 1e-10f ? 0.0f : r;
  // (bits(t) + 127) << 23 = (n + 127) << 23 modulo 2^32: the bits of 2^n
  return {p * (rs * rs) + r, bits_to_float((float_to_bits(t) + 127u) << 23)};
}

// e^x; large x gives 2.4e38, never infinity (callers rely on that), and x below −86.6 exactly 0.
inline float exp(float x) {
  const Reduced q = reduce(x);
  const float e = (q.em1 + 1.0f) * q.scale;
  return x < -86.6f ? 0.0f : e;
}

// e^x − 1 = 2^n·(e^r − 1) + (2^n − 1): exact near 0 (n = 0) where exp(x) − 1 would cancel. Below −30 it is −1
// to float precision, and the clamp keeps 2^n far from the subnormal range.
inline float expm1(float x) {
  const Reduced q = reduce(x < -30.0f ? -30.0f : x);
  return q.em1 * q.scale + (q.scale - 1.0f);
}

// log(1 + u) for u in [0, 1]: 2·atanh(s) with s = u/(2+u) in [0, 1/3], whose odd series in s converges fast
// (seven terms, truncation below 2e-9 relative) and keeps full relative precision for tiny u.
inline float log1p_unit(float u) {
  const float s = u / (2.0f + u);
  const float sq = s < 1e-10f ? 0.0f : s;
  const float s2 = sq * sq;
  float p = 1.0f / 13.0f;
  p = p * s2 + 1.0f / 11.0f;
  p = p * s2 + 1.0f / 9.0f;
  p = p * s2 + 1.0f / 7.0f;
  p = p * s2 + 1.0f / 5.0f;
  p = p * s2 + 1.0f / 3.0f;
  p = p * s2 + 1.0f;
  return 2.0f * s * p;
}

// erf(x) = x·P(x²)/Q(x²) on [−4, 4] (erf(±4) rounds to ±1 in float32): the rational approximation of Eigen's
// generic_fast_erf_float and XLA's ErfImpl32.
inline float erf(float x) {
  x = x < -4.0f ? -4.0f : x;
  x = x > 4.0f ? 4.0f : x;
  const float xs = (x < 0.0f ? -x : x) < 1e-10f ? 0.0f : x;
  const float x2 = xs * xs;
  float p = -2.72614225801306e-10f;
  p = p * x2 + 2.77068142495902e-08f;
  p = p * x2 + -2.10102402082508e-06f;
  p = p * x2 + -5.69250639462346e-05f;
  p = p * x2 + -7.34990630326855e-04f;
  p = p * x2 + -2.95459980854025e-03f;
  p = p * x2 + -1.60960333262415e-02f;
  float q = -1.45660718464996e-05f;
  q = q * x2 + -2.13374055278905e-04f;
  q = q * x2 + -1.68282697438203e-03f;
  q = q * x2 + -7.37332916720468e-03f;
  q = q * x2 + -1.42647390514189e-02f;
  return x * p / q;
}

// Float64 e^x within 2 ulp of libm's, for softmax and its cross-entropy, whose f64 intermediates follow the
// TypeScript reference term for term (ops/losses.cpp): rounded to float32 they give libm's results (a 2-ulp
// difference in a double moves its float32 rounding about once in 2^28 values). libm's exp is a call per element
// that no compiler vectorises; this is straight-line code that vectorises like the float32 functions above. (W3's
// softmax at batch 1024 ran alone on the calling thread, while the helper waited: with libm's exp it took about
// 3 % of that thread's time in a 2-thread prediction; perf, Zen 3, AVX2.)
// Same reduction as reduce(): n = round(x / ln 2) by the 1.5·2^52 trick, r = x − n·ln 2 in [−ln2/2, ln2/2] with
// fdlibm's two-part ln 2 (n·ln2_hi is exact), then e^r by its Taylor series to r^13 (truncation below 1e-17
// relative there). Below −708, e^x is taken as 0 (libm's is below 3.3e-308 there, 0 in float32, and nothing next
// to the 1 that softmax's sum always holds), which also keeps subnormals out of every product (see above); above
// 709, as e^709 (about 8.2e307) rather than infinity.
// 1/k! for k = 0..13, computed at compile time (exact k!, one rounded division: the literals' values).
struct InvFactorials {
  double v[14];
  constexpr InvFactorials() : v() {
    double factorial = 1.0;
    for (int k = 0; k < 14; k++) {
      if (k > 0) factorial *= k;
      v[k] = 1.0 / factorial;
    }
  }
  constexpr double operator[](int k) const { return v[k]; }
};
inline constexpr InvFactorials kInvFactorial{};

inline double exp_f64(double x) {
  const double c = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
  const double t = c * 1.4426950408889634074 + 6755399441055744.0;
  const double n = t - 6755399441055744.0;
  const double r = (c - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  // Σ r^k/k! for k ≤ 13, by Horner's rule from the highest term
  double p = kInvFactorial[13];
#pragma GCC unroll 13
  for (int k = 12; k >= 0; k--) p = p * r + kInvFactorial[k];
  // t's low mantissa bits hold 2^51 + n; (bits(t) + 1023) << 52 keeps n + 1023 as the exponent: the bits of 2^n
  const double e = p * bits_to_double((double_to_bits(t) + 1023u) << 52);
  return x < -708.0 ? 0.0 : e;
}

}  // namespace nrt::ops::fast
