// AVX2 + FMA: a 6×16 register tile (12 ymm accumulators, 2 for the B row, 1 broadcast of A) – the BLIS Haswell
// shape. Per depth step: 2 loads of B, 6 broadcasts, 12 FMAs, which keeps both FMA ports busy on Haswell..Zen.
// Compiled with -mavx2 -mfma only; chosen at run time when the CPU has both.
#include <immintrin.h>

#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"

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

// r[j] ← column j of the 8×8 block whose rows are r[0..8).
inline void transpose8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Packing with 8×8 register transposes where the generic code would gather one float at a time: op(A) not
// transposed (the forward pass: 6 rows of x read 8 floats at a time) and op(B) transposed (dz·Wᵀ: 16 rows of W).
void pack_a_avx2(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out) {
  if (trans) {
    pack_a<kMR>(trans, mc, kc, a, lda, out);
    return;
  }
  const __m256i six = _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0);
  for (int64_t i0 = 0; i0 < mc; i0 += kMR) {
    if (mc - i0 < kMR) {
      pack_a<kMR>(false, mc - i0, kc, a + i0 * lda, lda, out + i0 * kc);
      continue;
    }
    const float* src = a + i0 * lda;
    float* panel = out + i0 * kc;
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      __m256 r[8];
      for (int i = 0; i < kMR; i++) r[i] = _mm256_loadu_ps(src + i * lda + p);
      r[6] = r[7] = _mm256_setzero_ps();
      transpose8(r);
      // Column j holds the 6 values of depth p + j; an 8-wide store spills 2 lanes into the next depth's slot,
      // which the next store overwrites, so only the last one needs a mask.
      for (int j = 0; j < 7; j++) _mm256_storeu_ps(panel + (p + j) * kMR, r[j]);
      _mm256_maskstore_ps(panel + (p + 7) * kMR, six, r[7]);
    }
    for (; p < kc; p++)
      for (int i = 0; i < kMR; i++) panel[p * kMR + i] = src[i * lda + p];
  }
}

void pack_b_avx2(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* out) {
  if (!trans) {
    pack_b<kNR>(trans, kc, nc, b, ldb, out);
    return;
  }
  for (int64_t j0 = 0; j0 < nc; j0 += kNR) {
    if (nc - j0 < kNR) {
      pack_b<kNR>(true, kc, nc - j0, b + j0 * ldb, ldb, out + j0 * kc);
      continue;
    }
    const float* src = b + j0 * ldb;
    float* panel = out + j0 * kc;
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      for (int half = 0; half < 2; half++) {
        __m256 r[8];
        for (int c = 0; c < 8; c++) r[c] = _mm256_loadu_ps(src + (half * 8 + c) * ldb + p);
        transpose8(r);
        for (int j = 0; j < 8; j++) _mm256_storeu_ps(panel + (p + j) * kNR + half * 8, r[j]);
      }
    }
    for (; p < kc; p++)
      for (int c = 0; c < kNR; c++) panel[p * kNR + c] = src[c * ldb + p];
  }
}

const GemmKernel kAvx2 = {
    "avx2_fma 6x16", kMR, kNR, /*mc*/ 144, /*kc*/ 256, /*nc*/ 3072, ukernel_6x16, pack_a_avx2, pack_b_avx2,
    small_m_avx2,
};
}  // namespace

const GemmKernel* avx2_fma_kernel() { return &kAvx2; }

}  // namespace nrt::gemm
