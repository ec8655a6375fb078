// The first element that is NaN or ±Infinity: the Model API's check of every input and target array (the
// TypeScript reference is firstNonFinite in src/errors.ts). It runs on every trainOnBatch and fit call, so on a
// large batch a scalar JavaScript loop costs as much as a tenth of the call; here it is vectorised and split over
// threads. predict checks its input inside the first GEMM instead, through the product's output (gemm.h): a pass of
// its own would read x from memory once more.
#pragma once

#include <cstdint>

namespace nrt {

// Index of the first non-finite x[i], or -1 when all n are finite.
int64_t first_non_finite(const float* x, int64_t n, int threads);

// Whether any of x[0..n) is NaN or ±Infinity, on the calling thread.
bool has_non_finite(const float* x, int64_t n);

}  // namespace nrt
