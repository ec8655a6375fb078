// Packing with 8×8 register transposes (AVX2), for the two operand layouts where generic code gathers one
// float at a time: op(A) not transposed (forward: MR rows of x read 8 floats at a time) and op(B) transposed
// (dz·Wᵀ: NR rows of W). Templates on the tile, included by the AVX2 and AVX-512 kernel files (compiled with
// -mavx2 or -mavx512f, both of which provide these instructions); the other layouts use pack.h. Anonymous
// namespace for the same reason as pack.h.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "gemm/pack.h"

namespace nrt::gemm {
namespace {

// c[j] ← depth p + j of Rows (1..8) consecutive rows (row i at src + i·ld), zero past the last row: an 8×8
// transpose. The loads put rows i and i + 4 in the two 128-bit lanes of one register, so the transpose itself needs
// only in-lane shuffles: the lane-crossing step (vperm2f128, one per cycle on Zen 3) is done by the load ports.
template <int Rows>
inline void load_transposed8x8(const float* src, int64_t ld, __m256 c[8]) {
  static_assert(Rows >= 1 && Rows <= 8, "a group is 1 to 8 rows");
  for (int half = 0; half < 2; half++) {  // depths p..p+3, then p+4..p+7
    __m256 r[4];
    for (int i = 0; i < 4; i++) {
      const __m128 lo = i < Rows ? _mm_loadu_ps(src + i * ld + 4 * half) : _mm_setzero_ps();
      const __m128 hi = i + 4 < Rows ? _mm_loadu_ps(src + (i + 4) * ld + 4 * half) : _mm_setzero_ps();
      r[i] = _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
    }
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256* out = c + 4 * half;
    out[0] = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    out[1] = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    out[2] = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    out[3] = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  }
}

// A vmaskmovps mask selecting the first `count` (0..8) lanes.
inline __m256i first_lanes(int count) {
  alignas(32) static const int32_t ramp[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ramp + 8 - count));
}

// The first `count` (1..8) lanes of v to p.
inline void store_lanes(float* p, __m256 v, int count) {
  if (count == 8) {
    _mm256_storeu_ps(p, v);
    return;
  }
  _mm256_maskstore_ps(p, first_lanes(count), v);
}

// Rows G.. of one panel at 8 depths, groups of 8 rows from the last (G) down to group 0. A partial group is stored
// 8 lanes wide: the extra lanes land on the next depth's first rows, which a later store overwrites (the next j,
// group 0 written last, the next chunk, the scalar tail or the next panel). Only where that spill would leave the
// block (`spill_leaves`) is the last depth masked: vmaskmovps to memory is microcoded on AMD cores (one per chunk
// took an eighth of the packing time on Zen 3).
template <int MR, int G>
inline void pack_a_groups(const float* src, int64_t lda, float* dst, bool spill_leaves) {
  constexpr int rows = MR - G < 8 ? MR - G : 8;
  __m256 c[8];
  load_transposed8x8<rows>(src + G * lda, lda, c);
  for (int j = 0; j < 7; j++) _mm256_storeu_ps(dst + j * MR + G, c[j]);
  if (rows < 8 && spill_leaves)
    store_lanes(dst + 7 * MR + G, c[7], rows);
  else
    _mm256_storeu_ps(dst + 7 * MR + G, c[7]);
  if constexpr (G >= 8) pack_a_groups<MR, G - 8>(src, lda, dst, spill_leaves);
}

template <int MR>
void pack_a_x86(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out) {
  if (trans) {
    pack_a<MR>(trans, mc, kc, a, lda, out);
    return;
  }
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    if (mc - i0 < MR) {
      pack_a<MR>(false, mc - i0, kc, a + i0 * lda, lda, out + i0 * kc);
      continue;
    }
    const float* src = a + i0 * lda;
    float* panel = out + i0 * kc;
    // The next panel's rows, fetched while this one is packed: x arrives from memory (it is written by the caller,
    // or was evicted since), and streams of a few hundred bytes per row are too short for the hardware prefetcher.
    const float* next = i0 + 2 * MR <= mc ? src + MR * lda : nullptr;
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      if (next && p % 16 == 0)
        for (int i = 0; i < MR; i++) _mm_prefetch(reinterpret_cast<const char*>(next + i * lda + p), _MM_HINT_T0);
      const bool spill_leaves = p + 8 == kc && i0 + MR >= mc;
      pack_a_groups<MR, (MR - 1) / 8 * 8>(src + p, lda, panel + p * MR, spill_leaves);
    }
    for (; p < kc; p++)
      for (int i = 0; i < MR; i++) panel[p * MR + i] = src[i * lda + p];
  }
}

template <int NR>
void pack_b_x86(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* out) {
  static_assert(NR % 8 == 0, "NR must be a multiple of 8");
  if (!trans) {
    pack_b<NR>(trans, kc, nc, b, ldb, out);
    return;
  }
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    if (nc - j0 < NR) {
      pack_b<NR>(true, kc, nc - j0, b + j0 * ldb, ldb, out + j0 * kc);
      continue;
    }
    const float* src = b + j0 * ldb;
    float* panel = out + j0 * kc;
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      for (int g = 0; g < NR; g += 8) {
        __m256 c[8];
        load_transposed8x8<8>(src + g * ldb + p, ldb, c);
        for (int j = 0; j < 8; j++) _mm256_storeu_ps(panel + (p + j) * NR + g, c[j]);
      }
    }
    for (; p < kc; p++)
      for (int c = 0; c < NR; c++) panel[p * NR + c] = src[c * ldb + p];
  }
}

}  // namespace
}  // namespace nrt::gemm
