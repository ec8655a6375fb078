// What every SIMD kernel shares, written once: where a tile reads A (packed or in place), the store of a finished
// register tile (the beta convention of gemm_kernel.h) and the unpacked few-row product (SmallMFn) with its edge
// columns. An ISA file keeps only its vector traits, its register tile and its cache blocking, and instantiates
// these templates in its own translation unit, so they compile with that file's flags (-mavx2 -mfma, -mavx512f,
// -msimd128): the role of ggml's simd-mappings.h, with templates instead of macros.
//
// Vector traits V (all loads and stores unaligned):
//   Vec, kWidth                  a vector of kWidth floats
//   zero() load(p) store(p, v)   splat(x): x in every lane; broadcast(p): *p in every lane
//   add(a, b), fmadd(a, b, c)    a + b; a·b + c (fused where the ISA has it)
//   Tail, tail(count)            selects the first count (1..kWidth-1) lanes
//   load_tail(p, t)              those lanes from p, the others 0; store_tail(p, v, t) writes only those lanes.
//                                Neither touches memory past them: the last row of B or C may end a page.
//
// Anonymous namespace for the reason given in pack.h: an instantiation compiled with -mavx512f must never be
// merged by the linker with one from another file.
#pragma once

#include <cstdint>

namespace nrt::gemm {
namespace {

// Where a register tile reads A: a packed panel (MR floats per depth step, what pack_a writes), or the rows of
// op(A) where they lie (row i at a + i·lda), for x·W, whose x would otherwise be copied into panels on every
// call. A kernel writes its tile once, as a template on these, so its two entry points cannot drift.
template <int MR>
struct PackedA {
  const float* a;
  float at(int i) const { return a[i]; }
  void next() { a += MR; }
};
// Rows 3q, 3q+1, 3q+2 at r[q], r[q] + lda, r[q] + 2·lda: MR/3 base registers and one index, scaled by 4 and 8 in
// the address, keep all rows in general registers, where MR row pointers would not fit.
template <int MR>
struct RowsA {
  static_assert(MR % 3 == 0, "rows are addressed in threes");
  const float* r[MR / 3];
  int64_t lda;
  RowsA(const float* a, int64_t ld) : lda(ld) {
    for (int q = 0; q < MR / 3; q++) r[q] = a + 3 * q * ld;
  }
  float at(int i) const { return r[i / 3][(i % 3) * lda]; }
  void next() {
    for (auto& row : r) row++;
  }
};

// One row of a register tile two vectors wide (every SIMD tile is: NR = 2·kWidth) into c = beta·c + (lo, hi).
// beta 1 (every depth block after the first) needs no multiply; beta 0 never reads c.
template <class V>
inline void store_row(float* c, typename V::Vec lo, typename V::Vec hi, float beta) {
  constexpr int W = V::kWidth;
  if (beta == 0.0f) {
    V::store(c, lo);
    V::store(c + W, hi);
  } else if (beta == 1.0f) {
    V::store(c, V::add(V::load(c), lo));
    V::store(c + W, V::add(V::load(c + W), hi));
  } else {
    const typename V::Vec vb = V::splat(beta);
    V::store(c, V::fmadd(vb, V::load(c), lo));
    V::store(c + W, V::fmadd(vb, V::load(c + W), hi));
  }
}

// R rows × NV vectors of columns straight from row-major B: no packing, for batch-1..4 inference, where packing
// the weights would cost more than the product. R·NV independent accumulators hide the FMA (or add) latency.
// kTail: the last vector holds only the columns `tail` selects.
//
// B's rows are fetched kSmallPrefetchRows ahead. Each step reads only a few cache lines of a row, then jumps
// ldb floats, and the hardware prefetcher does not run far enough ahead of that to hide L3's latency. W1's 800 KB
// kernel does not fit a 512 KB L2, so a batch-1 product streams it from L3 on every call. Fetching 6 rows ahead
// made W3 batch-1 0.84× the time on 1 thread and 0.81× on 2 threads. At 4 rows it was 0.83× and 0.86×; at 8 rows,
// 0.87× on 1 thread. These are alternated medians on a Zen 3 with AVX2. WASM has no prefetch, so the hint
// compiles to nothing there.
constexpr int64_t kSmallPrefetchRows = 6;
template <class V, int R, int NV, bool kTail>
inline void small_block(int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                        float beta, float* c, int64_t ldc, typename V::Tail tail) {
  using Vec = typename V::Vec;
  constexpr int W = V::kWidth;
  Vec acc[R][NV];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = V::zero();
  const auto step = [&](int64_t p) {
    const float* brow = b + p * ldb;
    Vec bv[NV];
    for (int v = 0; v < NV; v++)
      bv[v] = kTail && v == NV - 1 ? V::load_tail(brow + W * v, tail) : V::load(brow + W * v);
    for (int r = 0; r < R; r++) {
      const Vec ar = V::broadcast(a + r * ars + p * acs);
      for (int v = 0; v < NV; v++) acc[r][v] = V::fmadd(ar, bv[v], acc[r][v]);
    }
  };
  // Two loops rather than a test in one: the test made the product 5 % slower. Only whole lines of rows that
  // exist are fetched; a tail block is one vector wide, so its first line is the only one.
  int64_t p = 0;
  for (; p + kSmallPrefetchRows < k; p++) {
    const float* ahead = b + (p + kSmallPrefetchRows) * ldb;
    for (int q = 0; q < (kTail ? 1 : NV * W); q += 16) __builtin_prefetch(ahead + q);
    step(p);
  }
  for (; p < k; p++) step(p);
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NV; v++) {
      float* cp = c + r * ldc + W * v;
      const bool partial = kTail && v == NV - 1;
      Vec out = acc[r][v];
      if (beta != 0.0f) out = V::fmadd(V::splat(beta), partial ? V::load_tail(cp, tail) : V::load(cp), out);
      if (partial)
        V::store_tail(cp, out, tail);
      else
        V::store(cp, out);
    }
}

// R rows across all n columns: blocks of NV vectors, then single vectors, then the partial last one.
template <class V, int R>
void small_rows(int64_t n, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                float beta, float* c, int64_t ldc) {
  constexpr int W = V::kWidth;
  constexpr int NV = R == 1 ? 8 : 4;
  const typename V::Tail none{};
  int64_t j = 0;
  for (; j + W * NV <= n; j += W * NV)
    small_block<V, R, NV, false>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc, none);
  for (; j + W <= n; j += W) small_block<V, R, 1, false>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc, none);
  if (j < n)
    small_block<V, R, 1, true>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc, V::tail(static_cast<int>(n - j)));
}

// The SmallMFn of a SIMD kernel: rows in pairs (each load of B serves two rows), then the odd one.
template <class V>
void small_m(int64_t m, int64_t n, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
             float beta, float* c, int64_t ldc) {
  int64_t i = 0;
  for (; i + 2 <= m; i += 2) small_rows<V, 2>(n, k, a + i * ars, ars, acs, b, ldb, beta, c + i * ldc, ldc);
  if (i < m) small_rows<V, 1>(n, k, a + i * ars, ars, acs, b, ldb, beta, c + i * ldc, ldc);
}

}  // namespace
}  // namespace nrt::gemm
