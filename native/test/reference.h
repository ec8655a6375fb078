// Slow, obvious references the fast kernels are held against (double accumulation throughout).
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "gemm/gemm.h"

namespace ref {

using nrt::gemm::Trans;

inline double op_a(Trans t, const float* a, int64_t lda, int64_t i, int64_t p) {
  return t == Trans::no ? a[i * lda + p] : a[p * lda + i];
}
inline double op_b(Trans t, const float* b, int64_t ldb, int64_t p, int64_t j) {
  return t == Trans::no ? b[p * ldb + j] : b[j * ldb + p];
}

// c = beta·c + op(A)·op(B); also returns Σ|a·b| per element in `magnitude` (the scale of rounding error).
inline void gemm(Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                 int64_t ldb, float beta, std::vector<double>& c, int64_t ldc, std::vector<double>& magnitude) {
  magnitude.assign(c.size(), 0.0);
  for (int64_t i = 0; i < m; i++)
    for (int64_t j = 0; j < n; j++) {
      double sum = 0.0, mag = 0.0;
      for (int64_t p = 0; p < k; p++) {
        const double t = op_a(ta, a, lda, i, p) * op_b(tb, b, ldb, p, j);
        sum += t;
        mag += std::fabs(t);
      }
      double& cij = c[i * ldc + j];
      const double prior = beta == 0.0f ? 0.0 : beta * cij;
      mag += std::fabs(prior);
      cij = prior + sum;
      magnitude[i * ldc + j] = mag;
    }
}

inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

}  // namespace ref
