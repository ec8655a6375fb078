// Single-precision GEMM for the three products training needs:
//   C = A·B    (forward, x·W)         Trans::no,  Trans::no
//   C = Aᵀ·B   (kernel gradient xᵀ·dz) Trans::yes, Trans::no
//   C = A·Bᵀ   (input gradient dz·Wᵀ)  Trans::no,  Trans::yes
// with C = beta·C + op(A)·op(B) (beta 0: C is only written, so it may hold garbage), and an optional epilogue
// that sees every finished block of C while it is still in cache (bias + activation in the forward pass, the
// optimizer step on a kernel gradient).
// All matrices are row-major; op(A) is m×k, op(B) is k×n.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/aligned_buffer.h"

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

// op(B) packed once into one kernel's panels, every depth block and all n columns, for a B that many products
// share unchanged: the weights at inference (onnxruntime's MLAS prepacks them the same way). Without it every
// product packs B again, on every thread that splits A's rows. Given to sgemm, it is filled by the first product
// that packs B and read by the next ones while it fits (same kernel, B and shape). Whoever changes B's values in
// place clears it.
class PackedB {
 public:
  void clear();

  // The driver's side.
  bool fits(const GemmKernel& kernel, Trans tb, const float* b, int64_t ldb, int64_t k, int64_t n) const;
  [[nodiscard]] bool pack(const GemmKernel& kernel, Trans tb, const float* b, int64_t ldb, int64_t k, int64_t n);
  int64_t depth_block() const { return kc_; }
  // The panels of the depth block starting at row pc of op(B), column 0; column j's panel is at + j·(its depth).
  const float* block(int64_t pc) const { return data_.data() + pc * n_padded_; }

 private:
  const GemmKernel* kernel_ = nullptr;
  Trans tb_ = Trans::no;
  const float* b_ = nullptr;
  int64_t ldb_ = 0, k_ = 0, n_ = 0, kc_ = 0, n_padded_ = 0;
  AlignedBuffer<float> data_;
};

// C = beta·C + op(A)·op(B) on up to `threads` threads of the shared pool, with the kernel chosen for this CPU.
// `packed_b`, if not null, keeps op(B) packed from one call to the next (see PackedB); a few-row product reads b
// itself, unpacked, and leaves it alone. Returns false only if the packing buffers (a few megabytes per thread,
// kept for reuse) cannot be allocated.
// `a_non_finite`, if not null, is set when op(A) holds a NaN or ±Infinity, and left alone otherwise: predict's
// check of its input. The driver looks for them in column 0 of each finished block of C (a non-finite element of
// A's row i makes all of C's row i non-finite), and reads A's rows only where it finds one, so x is not read from
// memory by a pass of its own. C is computed either way.
[[nodiscard]] bool sgemm(Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
           const float* b, int64_t ldb, float beta, float* c, int64_t ldc, const Epilogue* epilogue = nullptr,
           int threads = 1, PackedB* packed_b = nullptr, std::atomic<bool>* a_non_finite = nullptr);

// The same with a given kernel (tests run every kernel this CPU supports).
[[nodiscard]] bool sgemm_with(const GemmKernel& kernel, Trans trans_a, Trans trans_b, int64_t m, int64_t n, int64_t k,
                const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
                const Epilogue* epilogue, int threads, PackedB* packed_b = nullptr,
                std::atomic<bool>* a_non_finite = nullptr);

}  // namespace nrt::gemm
