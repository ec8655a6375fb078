// The C++ RNG against values computed by src/rng.ts in Node (node: see the comment above each table).
#include <vector>

#include "core/rng.h"
#include "harness.h"
#include "neurite/neurite.h"

using namespace nrt;

// hash32(x) for x in [0, 1, 2, 0xdeadbeef, 0xffffffff, 12345, 0x80000000]
TEST(rng_hash32_matches_typescript) {
  const uint32_t in[] = {0u, 1u, 2u, 0xdeadbeefu, 0xffffffffu, 12345u, 0x80000000u};
  const uint32_t out[] = {0u, 1753845952u, 3507691905u, 3861431939u, 1734902346u, 2435775735u, 3427483940u};
  for (int i = 0; i < 7; i++) CHECK_EQ(hash32(in[i]), out[i]);
}

// rngKey(seed, a, b)
TEST(rng_key_matches_typescript) {
  CHECK_EQ(rng_key(42, 2, 0), 3484010468u);
  CHECK_EQ(rng_key(0, 3 + (1 << 16), 5), 1864293281u);
  CHECK_EQ(rng_key(0xffffffffu, 1, 0xffffffffu), 1821589713u);
  CHECK_EQ(rng_key(123456789, 4, 0), 2715111126u);
  CHECK_EQ(nrt_rng_key(42, 2, 0), 3484010468u);
}

// rngU32(rngKey(42, Stream.shuffle, 0), i)
TEST(rng_u32_matches_typescript) {
  const uint32_t key = rng_key(42, stream::shuffle, 0);
  CHECK_EQ(key, 3484010468u);
  const uint32_t idx[] = {0u, 1u, 2u, 3u, 1000u, 0xffffffffu};
  const uint32_t out[] = {67963782u, 4023008203u, 1290032034u, 2666299840u, 1381925093u, 4246301391u};
  for (int i = 0; i < 6; i++) CHECK_EQ(rng_u32(key, idx[i]), out[i]);
  CHECK_EQ(nrt_rng_u32(key, 1000), 1381925093u);
}

// dropoutKey(seed, layer, step)
TEST(rng_dropout_key_matches_typescript) {
  CHECK_EQ(dropout_key(7, 2, 3), 960836080u);
  CHECK_EQ(dropout_key(42, 0, 0), 3296246194u);
  CHECK_EQ(dropout_key(1, 65537, 9), 1873581297u);  // the layer index is taken mod 2^16
}

// permutation(n, key)
TEST(rng_permutation_matches_typescript) {
  const uint32_t key = rng_key(42, stream::shuffle, 0);
  std::vector<uint32_t> p(10);
  permutation(10, key, p.data());
  const uint32_t expected[] = {5, 1, 7, 4, 2, 8, 6, 0, 9, 3};
  for (int i = 0; i < 10; i++) CHECK_EQ(p[i], expected[i]);
  uint32_t one = 99;
  permutation(1, key, &one);
  CHECK_EQ(one, 0u);
  uint32_t two[2];
  nrt_permutation(2, key, two);
  CHECK_EQ(two[0], 0u);
  CHECK_EQ(two[1], 1u);
  permutation(0, key, nullptr);  // no access
}

// Above 2^21 rows the f64 product of rng.ts is rounded; the C++ twin rounds the same way.
TEST(rng_large_permutation_matches_typescript) {
  const uint32_t n = 3000000;
  const uint32_t key = rng_key(9, 2, 7);
  CHECK_EQ(key, 3241520576u);
  std::vector<uint32_t> p(n);
  permutation(n, key, p.data());
  const uint32_t first[] = {2346844, 161108, 972712, 2557531, 548679};
  for (int i = 0; i < 5; i++) CHECK_EQ(p[i], first[i]);
  CHECK_EQ(p[n - 1], 2079063u);
  uint32_t h = 0;
  for (uint32_t i = 0; i < n; i++) h = h * 31u + p[i];
  CHECK_EQ(h, 297930u);
}
