// AVX-512F: a 12×32 register tile (24 zmm accumulators, 2 for the B row, 1 broadcast of A; 27 of 32 registers,
// so the compiler never spills). 12 rows divide the common batch sizes 12·k+8 (128 → 11 tiles, 97 % useful).
// Compiled with -mavx512f only; chosen at run time when the CPU and the OS (XSAVE zmm state) support it.
//
// NRT_AVX512_EMULATION builds this same file against a plain C++ model of the intrinsics (native/test), so its
// logic is tested on machines without AVX-512.
#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"
#include "gemm/ukernel_template.h"

#if defined(NRT_AVX512_EMULATION)
#include "avx512_emulation.h"
#define NRT_AVX512_KERNEL_GETTER avx512f_emulated_kernel
#define NRT_PACK_A pack_a<kMR>
#define NRT_PACK_B pack_b<kNR>
#else
#include <immintrin.h>

#include "gemm/pack_x86.h"
#define NRT_AVX512_KERNEL_GETTER avx512f_kernel
#define NRT_PACK_A pack_a_x86<kMR>  // tested for this tile through the AVX2 build (pack_a_x86_12)
#define NRT_PACK_B pack_b_x86<kNR>
#endif

namespace nrt::gemm {

namespace {
constexpr int kMR = 12;
constexpr int kNR = 32;

// Vector traits for ukernel_template.h. Masked loads and stores cover the partial last vector of a row.
struct Avx512fVec {
  using Vec = __m512;
  using Tail = __mmask16;
  static constexpr int kWidth = 16;
  static Vec zero() { return _mm512_setzero_ps(); }
  static Vec load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, Vec v) { _mm512_storeu_ps(p, v); }
  static Vec splat(float x) { return _mm512_set1_ps(x); }
  static Vec broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Vec add(Vec a, Vec b) { return _mm512_add_ps(a, b); }
  static Vec fmadd(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
  static Tail tail(int count) { return static_cast<Tail>((1u << count) - 1u); }
  static Vec load_tail(const float* p, Tail t) { return _mm512_maskz_loadu_ps(t, p); }
  static void store_tail(float* p, Vec v, Tail t) { _mm512_mask_storeu_ps(p, t, v); }
};

#define NRT_ROW(i, ci0, ci1)                         \
  ai = _mm512_set1_ps(a.at(i));                      \
  ci0 = _mm512_fmadd_ps(ai, b0, ci0);                \
  ci1 = _mm512_fmadd_ps(ai, b1, ci1);

template <class A>
inline void tile_12x32(int64_t k, A a, const float* b, float* c, int64_t ldc, float beta) {
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(),
         c11 = _mm512_setzero_ps(), c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps(),
         c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps(), c40 = _mm512_setzero_ps(),
         c41 = _mm512_setzero_ps(), c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps(),
         c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps(), c70 = _mm512_setzero_ps(),
         c71 = _mm512_setzero_ps(), c80 = _mm512_setzero_ps(), c81 = _mm512_setzero_ps(),
         c90 = _mm512_setzero_ps(), c91 = _mm512_setzero_ps(), cA0 = _mm512_setzero_ps(),
         cA1 = _mm512_setzero_ps(), cB0 = _mm512_setzero_ps(), cB1 = _mm512_setzero_ps();
  for (int i = 0; i < kMR; i++) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
  // Otherwise GCC keeps the twelve row addresses of C from the prefetches for the stores, in vector registers
  // once the in-place rows of A have taken the general ones, and spills a B vector inside the loop for it
  // (the in-place tile ran at two thirds of the packed one's speed).
  __asm__("" : "+r"(c));
#pragma GCC unroll 2
  for (int64_t p = 0; p < k; p++) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
    __m512 ai;
    NRT_ROW(0, c00, c01) NRT_ROW(1, c10, c11) NRT_ROW(2, c20, c21) NRT_ROW(3, c30, c31)
    NRT_ROW(4, c40, c41) NRT_ROW(5, c50, c51) NRT_ROW(6, c60, c61) NRT_ROW(7, c70, c71)
    NRT_ROW(8, c80, c81) NRT_ROW(9, c90, c91) NRT_ROW(10, cA0, cA1) NRT_ROW(11, cB0, cB1)
    a.next();
    b += kNR;
  }
  store_row<Avx512fVec>(c + 0 * ldc, c00, c01, beta);
  store_row<Avx512fVec>(c + 1 * ldc, c10, c11, beta);
  store_row<Avx512fVec>(c + 2 * ldc, c20, c21, beta);
  store_row<Avx512fVec>(c + 3 * ldc, c30, c31, beta);
  store_row<Avx512fVec>(c + 4 * ldc, c40, c41, beta);
  store_row<Avx512fVec>(c + 5 * ldc, c50, c51, beta);
  store_row<Avx512fVec>(c + 6 * ldc, c60, c61, beta);
  store_row<Avx512fVec>(c + 7 * ldc, c70, c71, beta);
  store_row<Avx512fVec>(c + 8 * ldc, c80, c81, beta);
  store_row<Avx512fVec>(c + 9 * ldc, c90, c91, beta);
  store_row<Avx512fVec>(c + 10 * ldc, cA0, cA1, beta);
  store_row<Avx512fVec>(c + 11 * ldc, cB0, cB1, beta);
}
#undef NRT_ROW

void ukernel_12x32(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  tile_12x32(k, PackedA<kMR>{a}, b, c, ldc, beta);
}
void ukernel_12x32_rows_a(int64_t k, const float* a, int64_t lda, const float* b, float* c, int64_t ldc,
                          float beta) {
  tile_12x32(k, RowsA<kMR>(a, lda), b, c, ldc, beta);
}

const GemmKernel kAvx512 = {
    "avx512f 12x32", kMR, kNR, /*mc*/ 192, /*kc*/ 384, /*nc*/ 4096, ukernel_12x32, NRT_PACK_A, NRT_PACK_B,
    small_m<Avx512fVec>, ukernel_12x32_rows_a,
};
}  // namespace

const GemmKernel* NRT_AVX512_KERNEL_GETTER() { return &kAvx512; }

}  // namespace nrt::gemm
