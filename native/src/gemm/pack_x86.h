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

// r[j] ← column j of the 8×8 block whose rows are r[0..8).
inline void transpose8x8(__m256 r[8]) {
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
      // Rows in groups of 8 (the last group zero-padded); column j of a group holds depth p + j. A partial
      // group is stored 8 lanes wide (masked stores are slow on some x86 cores): the extra lanes land on the
      // next depth's first rows, which the later stores (next j, or group 0 written last) overwrite. Only the
      // chunk's last depth, whose spill would leave the chunk, is masked.
      for (int g = (MR - 1) / 8 * 8; g >= 0; g -= 8) {
        const int rows = MR - g < 8 ? MR - g : 8;
        __m256 r[8];
        for (int i = 0; i < 8; i++) r[i] = i < rows ? _mm256_loadu_ps(src + (g + i) * lda + p) : _mm256_setzero_ps();
        transpose8x8(r);
        for (int j = 0; j < 7; j++) _mm256_storeu_ps(panel + (p + j) * MR + g, r[j]);
        store_lanes(panel + (p + 7) * MR + g, r[7], rows);
      }
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
        __m256 r[8];
        for (int c = 0; c < 8; c++) r[c] = _mm256_loadu_ps(src + (g + c) * ldb + p);
        transpose8x8(r);
        for (int j = 0; j < 8; j++) _mm256_storeu_ps(panel + (p + j) * NR + g, r[j]);
      }
    }
    for (; p < kc; p++)
      for (int c = 0; c < NR; c++) panel[p * NR + c] = src[c * ldb + p];
  }
}

}  // namespace
}  // namespace nrt::gemm
