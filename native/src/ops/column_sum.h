// Column sums of a row-major block, accumulated in double (the bias gradient Σ_rows dz; a batch of a few
// hundred float terms would otherwise lose digits the TypeScript reference keeps).
#pragma once

#include <cstdint>

namespace nrt::ops {

// out[j] = Σ_i x[i·cols + j]
void column_sum(const float* x, int64_t rows, int64_t cols, float* out);

}  // namespace nrt::ops
