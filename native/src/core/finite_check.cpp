#include "core/finite_check.h"

#include <cstring>

namespace nrt {

int64_t first_non_finite(const float* x, int64_t n) {
  constexpr uint32_t kExponent = 0x7f800000u;
  constexpr int64_t kBlock = 4096;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t end = start + kBlock < n ? start + kBlock : n;
    uint32_t worst = 0;
    for (int64_t i = start; i < end; i++) {
      uint32_t bits;
      std::memcpy(&bits, x + i, sizeof bits);
      const uint32_t e = bits & kExponent;
      worst = e > worst ? e : worst;
    }
    if (worst == kExponent) {
      for (int64_t i = start; i < end; i++) {
        uint32_t bits;
        std::memcpy(&bits, x + i, sizeof bits);
        if ((bits & kExponent) == kExponent) return i;
      }
    }
  }
  return -1;
}

}  // namespace nrt
