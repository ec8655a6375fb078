// AVX-512F: a 12×32 register tile (24 zmm accumulators, 2 for the B row, 1 broadcast of A; 27 of 32 registers,
// so the compiler never spills). 12 rows divide the common batch sizes 12·k+8 (128 → 11 tiles, 97 % useful).
// Compiled with -mavx512f only; chosen at run time when the CPU and the OS (XSAVE zmm state) support it.
//
// NRT_AVX512_EMULATION builds this same file against a plain C++ model of the intrinsics (native/test), so its
// logic is tested on machines without AVX-512.
#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"

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

inline void store_row(float* c, __m512 lo, __m512 hi, float beta) {
  if (beta == 0.0f) {
    _mm512_storeu_ps(c, lo);
    _mm512_storeu_ps(c + 16, hi);
  } else if (beta == 1.0f) {
    _mm512_storeu_ps(c, _mm512_add_ps(_mm512_loadu_ps(c), lo));
    _mm512_storeu_ps(c + 16, _mm512_add_ps(_mm512_loadu_ps(c + 16), hi));
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
    _mm512_storeu_ps(c, _mm512_fmadd_ps(vb, _mm512_loadu_ps(c), lo));
    _mm512_storeu_ps(c + 16, _mm512_fmadd_ps(vb, _mm512_loadu_ps(c + 16), hi));
  }
}

#define NRT_ROW(i)                                   \
  ai = _mm512_set1_ps(a[i]);                         \
  c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0);        \
  c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);

void ukernel_12x32(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(),
         c11 = _mm512_setzero_ps(), c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps(),
         c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps(), c40 = _mm512_setzero_ps(),
         c41 = _mm512_setzero_ps(), c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps(),
         c60 = _mm512_setzero_ps(), c61 = _mm512_setzero_ps(), c70 = _mm512_setzero_ps(),
         c71 = _mm512_setzero_ps(), c80 = _mm512_setzero_ps(), c81 = _mm512_setzero_ps(),
         c90 = _mm512_setzero_ps(), c91 = _mm512_setzero_ps();
  // Rows 10 and 11 are named cA*, cB* so the token pasting of NRT_ROW stays simple.
  __m512 cA0 = _mm512_setzero_ps(), cA1 = _mm512_setzero_ps(), cB0 = _mm512_setzero_ps(),
         cB1 = _mm512_setzero_ps();
  for (int i = 0; i < kMR; i++) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#pragma GCC unroll 2
  for (int64_t p = 0; p < k; p++) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
    __m512 ai;
    NRT_ROW(0) NRT_ROW(1) NRT_ROW(2) NRT_ROW(3) NRT_ROW(4) NRT_ROW(5) NRT_ROW(6) NRT_ROW(7) NRT_ROW(8) NRT_ROW(9)
    ai = _mm512_set1_ps(a[10]);
    cA0 = _mm512_fmadd_ps(ai, b0, cA0);
    cA1 = _mm512_fmadd_ps(ai, b1, cA1);
    ai = _mm512_set1_ps(a[11]);
    cB0 = _mm512_fmadd_ps(ai, b0, cB0);
    cB1 = _mm512_fmadd_ps(ai, b1, cB1);
    a += kMR;
    b += kNR;
  }
  store_row(c + 0 * ldc, c00, c01, beta);
  store_row(c + 1 * ldc, c10, c11, beta);
  store_row(c + 2 * ldc, c20, c21, beta);
  store_row(c + 3 * ldc, c30, c31, beta);
  store_row(c + 4 * ldc, c40, c41, beta);
  store_row(c + 5 * ldc, c50, c51, beta);
  store_row(c + 6 * ldc, c60, c61, beta);
  store_row(c + 7 * ldc, c70, c71, beta);
  store_row(c + 8 * ldc, c80, c81, beta);
  store_row(c + 9 * ldc, c90, c91, beta);
  store_row(c + 10 * ldc, cA0, cA1, beta);
  store_row(c + 11 * ldc, cB0, cB1, beta);
}
#undef NRT_ROW

// Unpacked few-row product (batch-1..4 inference); masked loads and stores cover the last partial vector.
template <int R, int V>
inline void small_block(int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                        float beta, float* c, int64_t ldc, __mmask16 last_mask) {
  __m512 acc[R][V];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = _mm512_setzero_ps();
  for (int64_t p = 0; p < k; p++) {
    const float* brow = b + p * ldb;
    __m512 bv[V];
    for (int v = 0; v < V; v++)
      bv[v] = v == V - 1 ? _mm512_maskz_loadu_ps(last_mask, brow + 16 * v) : _mm512_loadu_ps(brow + 16 * v);
    for (int r = 0; r < R; r++) {
      const __m512 ar = _mm512_set1_ps(a[r * ars + p * acs]);
      for (int v = 0; v < V; v++) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) {
      float* cp = c + r * ldc + 16 * v;
      const __mmask16 mask = v == V - 1 ? last_mask : static_cast<__mmask16>(0xffff);
      __m512 out = acc[r][v];
      if (beta != 0.0f) out = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, cp), out);
      _mm512_mask_storeu_ps(cp, mask, out);
    }
}

template <int R>
void small_rows(int64_t n, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                float beta, float* c, int64_t ldc) {
  constexpr int V = R == 1 ? 8 : 4;
  const __mmask16 full = 0xffff;
  int64_t j = 0;
  for (; j + 16 * V <= n; j += 16 * V) small_block<R, V>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc, full);
  for (; j < n; j += 16) {
    const int64_t cols = n - j < 16 ? n - j : 16;
    const __mmask16 mask = static_cast<__mmask16>((1u << cols) - 1u);
    small_block<R, 1>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc, mask);
  }
}

void small_m_avx512(int64_t m, int64_t n, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b,
                    int64_t ldb, float beta, float* c, int64_t ldc) {
  int64_t i = 0;
  for (; i + 2 <= m; i += 2) small_rows<2>(n, k, a + i * ars, ars, acs, b, ldb, beta, c + i * ldc, ldc);
  if (i < m) small_rows<1>(n, k, a + i * ars, ars, acs, b, ldb, beta, c + i * ldc, ldc);
}

const GemmKernel kAvx512 = {
    "avx512f 12x32", kMR, kNR, /*mc*/ 192, /*kc*/ 384, /*nc*/ 4096, ukernel_12x32, NRT_PACK_A, NRT_PACK_B,
    small_m_avx512,
};
}  // namespace

const GemmKernel* NRT_AVX512_KERNEL_GETTER() { return &kAvx512; }

}  // namespace nrt::gemm
