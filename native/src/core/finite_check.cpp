#include "core/finite_check.h"

#include <cstring>

#include "core/target_clones.h"

namespace nrt {

namespace {

// 1 if any of x[0..n) has an all-ones exponent (±Inf or NaN). A compare and an OR per element: vectorises
// with plain SSE2 (and wider in the AVX2 clone), unlike a max or an isfinite chain.
NRT_VECTOR_CLONES
uint32_t any_non_finite(const float* x, int64_t n) {
  constexpr uint32_t kExponent = 0x7f800000u;
  uint32_t any = 0;
  for (int64_t i = 0; i < n; i++) {
    uint32_t bits;
    std::memcpy(&bits, x + i, sizeof bits);
    any |= (bits & kExponent) == kExponent ? 1u : 0u;
  }
  return any;
}

}  // namespace

int64_t first_non_finite(const float* x, int64_t n) {
  constexpr uint32_t kExponent = 0x7f800000u;
  constexpr int64_t kBlock = 8192;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t count = start + kBlock < n ? kBlock : n - start;
    if (!any_non_finite(x + start, count)) continue;
    for (int64_t i = start; i < start + count; i++) {
      uint32_t bits;
      std::memcpy(&bits, x + i, sizeof bits);
      if ((bits & kExponent) == kExponent) return i;
    }
  }
  return -1;
}

}  // namespace nrt
