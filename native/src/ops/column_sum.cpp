#include "ops/column_sum.h"

#include "core/profile.h"

namespace nrt::ops {

void column_sum(const float* x, int64_t rows, int64_t cols, float* out) {
  NRT_PROFILE_SCOPE(bias_grad);
  blocked_column_sum(rows, cols, out, [=](int64_t e) NRT_CLONE_INLINE_LAMBDA { return static_cast<double>(x[e]); });
}

}  // namespace nrt::ops
