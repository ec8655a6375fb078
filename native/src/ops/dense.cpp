#include "ops/dense.h"

#include <cstring>

#include "core/profile.h"
#include "gemm/gemm.h"
#include "ops/activation.h"
#include "ops/column_sum.h"

namespace nrt::ops {

namespace {

struct ForwardEpilogue {
  const float* bias;
  float* z;  // copy of the pre-activation, or null
  int64_t units;
  nrt_activation activation;  // applied per tile unless linear/softmax
  double alpha;
};

void forward_tile(const void* context, float* c, int64_t ldc, int64_t row0, int64_t col0, int64_t rows,
                  int64_t cols) {
  NRT_PROFILE_SCOPE(act_forward);
  const auto& e = *static_cast<const ForwardEpilogue*>(context);
  for (int64_t i = 0; i < rows; i++) {
    float* r = c + i * ldc;
    if (e.bias) {
      const float* b = e.bias + col0;
      for (int64_t j = 0; j < cols; j++) r[j] += b[j];
    }
    if (e.z) std::memcpy(e.z + (row0 + i) * e.units + col0, r, static_cast<size_t>(cols) * sizeof(float));
  }
  if (e.activation != NRT_ACTIVATION_LINEAR && e.activation != NRT_ACTIVATION_SOFTMAX)
    activation_forward(e.activation, e.alpha, c, rows, cols, ldc);
}

}  // namespace

bool dense_forward(const DenseParams& p, const float* x, int64_t rows, float* out, float* z, bool apply_activation,
                   int threads) {
  float* target = apply_activation ? out : z;
  ForwardEpilogue e{p.bias, apply_activation ? z : nullptr, p.units,
                    apply_activation ? p.activation : NRT_ACTIVATION_LINEAR, p.alpha};
  const gemm::Epilogue epilogue{forward_tile, &e};
  const bool needs_epilogue = e.bias || e.z || e.activation != NRT_ACTIVATION_LINEAR;
  {
    NRT_PROFILE_SCOPE(gemm_forward);
    if (!gemm::sgemm(gemm::Trans::no, gemm::Trans::no, rows, p.units, p.in, x, p.in, p.kernel, p.units, 0.0f, target,
                     p.units, needs_epilogue ? &epilogue : nullptr, threads, p.packed_kernel, p.x_non_finite))
      return false;
  }
  if (apply_activation && p.activation == NRT_ACTIVATION_SOFTMAX) {
    NRT_PROFILE_SCOPE(act_forward);
    softmax_forward(out, rows, p.units, p.units);
  }
  return true;
}

bool dense_backward(const DenseParams& p, const float* x, const float* out, const float* z, float* g, int64_t rows,
                    bool g_is_dz, float* kernel_grad, float* bias_grad, float* x_grad,
                    const gemm::Epilogue* kernel_epilogue, int threads) {
  if (g_is_dz) {
    if (bias_grad) column_sum(g, rows, p.units, bias_grad);
  } else {
    NRT_PROFILE_SCOPE(act_backward);
    activation_backward(p.activation, p.alpha, out, z, g, rows, p.units, bias_grad);
  }
  // dx = dz·Wᵀ: [rows×units]·[units×in], before the kernel epilogue may update W
  if (x_grad) {
    NRT_PROFILE_SCOPE(gemm_dx);
    if (!gemm::sgemm(gemm::Trans::no, gemm::Trans::yes, rows, p.in, p.units, g, p.units, p.kernel, p.units, 0.0f,
                     x_grad, p.in, nullptr, threads))
      return false;
  }
  // dW = xᵀ·dz: [in×rows]·[rows×units]
  NRT_PROFILE_SCOPE(gemm_dw);
  return gemm::sgemm(gemm::Trans::yes, gemm::Trans::no, p.in, p.units, rows, x, p.in, g, p.units, 0.0f,
                     kernel_grad, p.units, kernel_epilogue, threads);
}

}  // namespace nrt::ops
