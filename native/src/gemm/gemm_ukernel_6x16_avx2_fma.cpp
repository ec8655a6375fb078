// AVX2 + FMA: a 6×16 register tile (12 ymm accumulators, 2 for the B row, 1 broadcast of A) – the BLIS Haswell
// shape. Per depth step: 2 loads of B, 6 broadcasts, 12 FMAs, which keeps both FMA ports busy on Haswell..Zen.
// Compiled with -mavx2 -mfma only; chosen at run time when the CPU has both.
#include <immintrin.h>

#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"
#include "gemm/pack_x86.h"

namespace nrt::gemm {

namespace {
constexpr int kMR = 6;
constexpr int kNR = 16;

inline void store_row(float* c, __m256 lo, __m256 hi, float beta) {
  if (beta == 0.0f) {
    _mm256_storeu_ps(c, lo);
    _mm256_storeu_ps(c + 8, hi);
  } else if (beta == 1.0f) {
    _mm256_storeu_ps(c, _mm256_add_ps(_mm256_loadu_ps(c), lo));
    _mm256_storeu_ps(c + 8, _mm256_add_ps(_mm256_loadu_ps(c + 8), hi));
  } else {
    const __m256 vb = _mm256_set1_ps(beta);
    _mm256_storeu_ps(c, _mm256_fmadd_ps(vb, _mm256_loadu_ps(c), lo));
    _mm256_storeu_ps(c + 8, _mm256_fmadd_ps(vb, _mm256_loadu_ps(c + 8), hi));
  }
}

void ukernel_6x16(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int i = 0; i < kMR; i++) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
#pragma GCC unroll 4
  for (int64_t p = 0; p < k; p++) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    __m256 ai = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(ai, b0, c00);
    c01 = _mm256_fmadd_ps(ai, b1, c01);
    ai = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(ai, b0, c10);
    c11 = _mm256_fmadd_ps(ai, b1, c11);
    ai = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(ai, b0, c20);
    c21 = _mm256_fmadd_ps(ai, b1, c21);
    ai = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(ai, b0, c30);
    c31 = _mm256_fmadd_ps(ai, b1, c31);
    ai = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(ai, b0, c40);
    c41 = _mm256_fmadd_ps(ai, b1, c41);
    ai = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(ai, b0, c50);
    c51 = _mm256_fmadd_ps(ai, b1, c51);
    a += kMR;
    b += kNR;
  }
  store_row(c + 0 * ldc, c00, c01, beta);
  store_row(c + 1 * ldc, c10, c11, beta);
  store_row(c + 2 * ldc, c20, c21, beta);
  store_row(c + 3 * ldc, c30, c31, beta);
  store_row(c + 4 * ldc, c40, c41, beta);
  store_row(c + 5 * ldc, c50, c51, beta);
}

// R rows × V vectors of 8 columns straight from row-major B: no packing, for batch-1..4 inference where packing
// the weights would cost more than the product. R·V independent accumulators hide the FMA latency.
template <int R, int V>
inline void small_block(int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                        float beta, float* c, int64_t ldc) {
  __m256 acc[R][V];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = _mm256_setzero_ps();
  for (int64_t p = 0; p < k; p++) {
    const float* brow = b + p * ldb;
    __m256 bv[V];
    for (int v = 0; v < V; v++) bv[v] = _mm256_loadu_ps(brow + 8 * v);
    for (int r = 0; r < R; r++) {
      const __m256 ar = _mm256_set1_ps(a[r * ars + p * acs]);
      for (int v = 0; v < V; v++) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) {
      float* cp = c + r * ldc + 8 * v;
      if (beta == 0.0f)
        _mm256_storeu_ps(cp, acc[r][v]);
      else
        _mm256_storeu_ps(cp, _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(cp), acc[r][v]));
    }
}

template <int R>
void small_rows(int64_t n, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                float beta, float* c, int64_t ldc) {
  constexpr int V = R == 1 ? 8 : 4;
  int64_t j = 0;
  for (; j + 8 * V <= n; j += 8 * V) small_block<R, V>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc);
  for (; j + 8 <= n; j += 8) small_block<R, 1>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc);
  if (j < n) small_m_generic<8>(R, n - j, k, a, ars, acs, b + j, ldb, beta, c + j, ldc);
}

void small_m_avx2(int64_t m, int64_t n, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b,
                  int64_t ldb, float beta, float* c, int64_t ldc) {
  int64_t i = 0;
  for (; i + 2 <= m; i += 2) small_rows<2>(n, k, a + i * ars, ars, acs, b, ldb, beta, c + i * ldc, ldc);
  if (i < m) small_rows<1>(n, k, a + i * ars, ars, acs, b, ldb, beta, c + i * ldc, ldc);
}

const GemmKernel kAvx2 = {
    "avx2_fma 6x16", kMR, kNR, /*mc*/ 144, /*kc*/ 256, /*nc*/ 3072, ukernel_6x16, pack_a_x86<kMR>, pack_b_x86<kNR>,
    small_m_avx2,
};
}  // namespace

const GemmKernel* avx2_fma_kernel() { return &kAvx2; }

// For the tests: the AVX-512 kernel's tile (12×32) packed by these AVX2 routines, checked against pack.h on a
// CPU without AVX-512 (native/test/test_gemm.cpp).
void pack_a_x86_12(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out) {
  pack_a_x86<12>(trans, mc, kc, a, lda, out);
}
void pack_b_x86_32(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* out) {
  pack_b_x86<32>(trans, kc, nc, b, ldb, out);
}

}  // namespace nrt::gemm
