// Finding the first NaN or ±Inf in an input array, at memory speed: the exponent bits are compared as
// integers, which vectorises (a float compare chain with isfinite does not, without -ffast-math).
#pragma once

#include <cstdint>

namespace nrt {

// Index of the first non-finite value of x[0..n), or -1.
int64_t first_non_finite(const float* x, int64_t n);

}  // namespace nrt
