// The first element that is NaN or ±Infinity: the Model API's check of every input and target array (the
// TypeScript reference is firstNonFinite in src/errors.ts). It runs on every predict and trainOnBatch call, so on
// a large inference batch a scalar JavaScript loop costs as much as a tenth of the call; here it is vectorised
// and split over threads.
#pragma once

#include <cstdint>

namespace nrt::ops {

// Index of the first non-finite x[i], or -1 when all n are finite.
int64_t first_non_finite(const float* x, int64_t n, int threads);

}  // namespace nrt::ops
