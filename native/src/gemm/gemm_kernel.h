// What one instruction set contributes to the GEMM: a register-tiled microkernel, its packing routines (compiled
// with the same flags, so the copies vectorise alike) and the cache blocking that suits its tile.
#pragma once

#include <cstdint>
#include <vector>

namespace nrt::gemm {

// c[MR×NR] (row stride ldc) = beta·c + Σ_p a[p·MR + i]·b[p·NR + j] over p < k, from packed panels.
// beta == 0 never reads c.
using MicrokernelFn = void (*)(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta);

// The same tile with A read in place: a[i·lda + p] instead of a packed panel (op(A) not transposed).
using RowsAMicrokernelFn = void (*)(int64_t k, const float* a, int64_t lda, const float* b, float* c, int64_t ldc,
                                    float beta);

// Packs rows [0, mc) × depth [0, kc) of op(A) into MR-row panels (p-major inside a panel), zero-padding the last
// panel. a points at op(A)[0, 0]: op(A)[i, p] = trans ? a[p·lda + i] : a[i·lda + p].
using PackAFn = void (*)(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out);
// Packs depth [0, kc) × columns [0, nc) of op(B) into NR-column panels, zero-padding the last panel.
// op(B)[p, j] = trans ? b[j·ldb + p] : b[p·ldb + j].
using PackBFn = void (*)(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* out);
// Unpacked path for a few rows (batch-1 inference): c[m×n] = beta·c + op(A)·B with B not transposed, m <= MR.
using SmallMFn = void (*)(int64_t m, int64_t n, int64_t k, const float* a, int64_t a_row_stride,
                          int64_t a_col_stride, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

struct GemmKernel {
  const char* name;  // "isa MRxNR"
  int mr, nr;
  int mc, kc, nc;  // cache blocking: A block mc×kc stays in L2, B panel kc×nr in L1, B block kc×nc in L3
  MicrokernelFn ukernel;
  PackAFn pack_a;
  PackBFn pack_b;
  SmallMFn small_m;  // may be null
  // May be null (then A is always packed). With it, op(A) not transposed is read where it lies, in whole MR-row
  // panels; only a partial last panel is packed. The AVX-512 kernel has it: on an Intel Xeon (AVX-512) x·W at W1's
  // forward shape (1024×256×784) ran 1.06× as fast in place (median of 5 alternated pairs). The AVX2 tile read in
  // place was no faster there (0.99×), so AVX2 packs; wasm packs too.
  RowsAMicrokernelFn ukernel_rows_a = nullptr;
};

// Kernels compiled into this build (each returns null where the ISA was not compiled in). arm64 runs the scalar
// kernel, which its baseline flags vectorise with NEON.
const GemmKernel* scalar_kernel();
const GemmKernel* avx2_fma_kernel();
const GemmKernel* avx512f_kernel();
const GemmKernel* wasmsimd_kernel();

// The best kernel this CPU runs; NEURITE_GEMM_KERNEL=scalar|avx2|avx512|wasmsimd forces one if supported.
const GemmKernel& best_kernel();
// Every kernel compiled in and supported by this CPU, best first.
std::vector<const GemmKernel*> supported_kernels();

}  // namespace nrt::gemm
