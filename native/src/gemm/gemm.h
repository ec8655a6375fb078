// Single-precision GEMM for the three products training needs:
//   C = A·B    (forward, x·W)         Trans::no,  Trans::no
//   C = Aᵀ·B   (kernel gradient xᵀ·dz) Trans::yes, Trans::no
//   C = A·Bᵀ   (input gradient dz·Wᵀ)  Trans::no,  Trans::yes
// with C = beta·C + op(A)·op(B) (beta 0: C is only written, so it may hold garbage), and an optional epilogue
// that sees every finished block of C while it is still in cache (bias + activation in the forward pass, the
// optimizer step on a kernel gradient).
// All matrices are row-major; op(A) is m×k, op(B) is k×n.
#pragma once

#include <cstdint>

namespace nrt::gemm {

enum class Trans { no, yes };

// Called once per finished block: rows [row0, row0 + rows) and columns [col0, col0 + cols) of C,
// c = &C[row0, col0]. Blocks never overlap and cover C; different blocks may be passed from different threads
// at the same time.
struct Epilogue {
  void (*apply)(const void* context, float* c, int64_t ldc, int64_t row0, int64_t col0, int64_t rows,
                int64_t cols);
  const void* context;
};

struct GemmKernel;

// C = beta·C + op(A)·op(B) on up to `threads` threads of the shared pool, with the kernel chosen for this CPU.
// Returns false only if the packing buffers (a few megabytes per thread, kept for reuse) cannot be allocated.
[[nodiscard]] bool sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const Epilogue* epilogue = nullptr,
           int threads = 1);

// The same with a given kernel (tests run every kernel this CPU supports).
[[nodiscard]] bool sgemm_with(const GemmKernel& kernel, Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
                const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
                const Epilogue* epilogue, int threads);

}  // namespace nrt::gemm
