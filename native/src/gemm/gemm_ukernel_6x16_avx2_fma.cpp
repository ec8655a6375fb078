// AVX2 + FMA: a 6×16 register tile (12 ymm accumulators, 2 for the B row, 1 broadcast of A) – the BLIS Haswell
// shape. Per depth step: 2 loads of B, 6 broadcasts, 12 FMAs, which keeps both FMA ports busy on Haswell..Zen.
// Compiled with -mavx2 -mfma only; chosen at run time when the CPU has both.
#include <immintrin.h>

#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"
#include "gemm/pack_x86.h"
#include "gemm/ukernel_template.h"

namespace nrt::gemm {

namespace {
constexpr int kMR = 6;
constexpr int kNR = 16;

// Vector traits for ukernel_template.h. vmaskmovps covers the partial last vector of a row: its masked-off lanes
// are neither read nor written, so they cannot fault past the end of B or C.
struct Avx2FmaVec {
  using Vec = __m256;
  using Tail = __m256i;
  static constexpr int kWidth = 8;
  static Vec zero() { return _mm256_setzero_ps(); }
  static Vec load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Vec v) { _mm256_storeu_ps(p, v); }
  static Vec splat(float x) { return _mm256_set1_ps(x); }
  // Not _mm256_broadcast_ss: GCC's builtin takes the pointer, and then keeps array accumulators in memory.
  static Vec broadcast(const float* p) { return _mm256_set1_ps(*p); }
  static Vec add(Vec a, Vec b) { return _mm256_add_ps(a, b); }
  static Vec fmadd(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
  static Tail tail(int count) { return first_lanes(count); }
  static Vec load_tail(const float* p, Tail t) { return _mm256_maskload_ps(p, t); }
  static void store_tail(float* p, Vec v, Tail t) { _mm256_maskstore_ps(p, t, v); }
};

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
  store_row<Avx2FmaVec>(c + 0 * ldc, c00, c01, beta);
  store_row<Avx2FmaVec>(c + 1 * ldc, c10, c11, beta);
  store_row<Avx2FmaVec>(c + 2 * ldc, c20, c21, beta);
  store_row<Avx2FmaVec>(c + 3 * ldc, c30, c31, beta);
  store_row<Avx2FmaVec>(c + 4 * ldc, c40, c41, beta);
  store_row<Avx2FmaVec>(c + 5 * ldc, c50, c51, beta);
}

const GemmKernel kAvx2 = {
    "avx2_fma 6x16", kMR, kNR, /*mc*/ 144, /*kc*/ 256, /*nc*/ 3072, ukernel_6x16, pack_a_x86<kMR>, pack_b_x86<kNR>,
    small_m<Avx2FmaVec>,
};
}  // namespace

const GemmKernel* avx2_fma_kernel() { return &kAvx2; }

// For the tests: this kernel's A tile (6 rows) and the AVX-512 kernel's (12×32), packed by these AVX2 routines,
// checked against pack.h (native/test/test_gemm.cpp), the latter also on a CPU without AVX-512.
void pack_a_x86_6(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out) {
  pack_a_x86<kMR>(trans, mc, kc, a, lda, out);
}
void pack_a_x86_12(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out) {
  pack_a_x86<12>(trans, mc, kc, a, lda, out);
}
void pack_b_x86_32(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* out) {
  pack_b_x86<32>(trans, kc, nc, b, ldb, out);
}

}  // namespace nrt::gemm
