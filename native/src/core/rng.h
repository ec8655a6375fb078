// The C++ twin of src/rng.ts: the counter-based generator every backend shares, bit for bit.
// A value is a pure function of (seed, stream, counter), so shuffles and dropout masks match the TypeScript
// backend without carrying generator state. Only u32 multiply/xor/shift, which Math.imul computes identically.
#pragma once

#include <cstdint>

namespace nrt {

// lowbias32 (C. Wellons)
inline uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

inline uint32_t rng_key(uint32_t seed, uint32_t a, uint32_t b) {
  return hash32(hash32(hash32(seed ^ 0x6e657572u) ^ a) ^ b);
}

inline uint32_t rng_u32(uint32_t key, uint32_t i) { return hash32(hash32(i + key) ^ key); }

namespace stream {
constexpr uint32_t init = 1;
constexpr uint32_t shuffle = 2;
constexpr uint32_t dropout = 3;
constexpr uint32_t data = 4;
}  // namespace stream

inline uint32_t dropout_key(uint32_t seed, uint32_t layer, uint32_t step) {
  return rng_key(seed, stream::dropout + ((layer & 0xffffu) << 16), step);
}

// Fisher–Yates with j = floor(u32 * (i + 1) / 2^32), computed in f64 exactly as src/rng.ts does: the product
// is exact below 2^53 (n <= 2^21, where it equals (u64(u32) * (i + 1)) >> 32); above that TypeScript rounds it
// once, and so do we, so the shuffles stay identical for any n.
inline uint32_t permutation_pick(uint32_t key, uint32_t i) {
  const double product = static_cast<double>(rng_u32(key, i)) * (static_cast<double>(i) + 1.0);
  return static_cast<uint32_t>(product * (1.0 / 4294967296.0));
}

inline void permutation(uint32_t n, uint32_t key, uint32_t* p) {
  for (uint32_t i = 0; i < n; i++) p[i] = i;
  for (uint32_t i = n; i-- > 1;) {
    uint32_t j = permutation_pick(key, i);
    if (j > i) j = i;  // cannot happen (rounding stays below i + 1); kept so no input can index out of bounds
    const uint32_t t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
}

}  // namespace nrt
