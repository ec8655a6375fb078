#include "core/finite_scan.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/target_clones.h"
#include "core/thread_pool.h"

namespace nrt {

namespace {

// A float is NaN or ±Infinity exactly when its magnitude bits, read as an unsigned integer, are at least those of
// +Infinity. Blocks reduce to their largest magnitude with an unsigned max (one vpmaxud per 8 floats in the AVX2
// clone; no early exit inside a block); only a block that has one is searched element by element. The scan runs
// before every predict, so on a cached batch it must keep up with the cache, not with a compare-and-or chain.
constexpr int64_t kBlock = 4096;
constexpr uint32_t kMagnitude = 0x7fffffffu;
constexpr uint32_t kInfinity = 0x7f800000u;

NRT_CLONE_INLINE uint32_t magnitude_bits(const float* x) {
  uint32_t bits;
  std::memcpy(&bits, x, sizeof bits);
  return bits & kMagnitude;
}

NRT_VECTOR_CLONES bool block_has_non_finite(const float* x, int64_t n) {
  uint32_t largest = 0;
  for (int64_t i = 0; i < n; i++) largest = std::max(largest, magnitude_bits(x + i));
  return largest >= kInfinity;
}

int64_t scan(const float* x, int64_t begin, int64_t end) {
  for (int64_t b = begin; b < end; b += kBlock) {
    const int64_t e = std::min(end, b + kBlock);
    if (!block_has_non_finite(x + b, e - b)) continue;
    for (int64_t i = b; i < e; i++)
      if (magnitude_bits(x + i) >= kInfinity) return i;
  }
  return -1;
}

// Below this many elements (16 MiB) one thread scans: it keeps up with memory, and a second thread costs more
// than it saves. The Model API scans on the JavaScript thread right before the training call the binding runs on
// a worker thread; waking a pool helper for that scan made the batch-1024 prediction that followed (when predict
// was still scanned that way), on 2 threads, 10-15 % slower on a 2-vCPU machine.
constexpr int64_t kMinPerThread = int64_t{1} << 22;

}  // namespace

bool has_non_finite(const float* x, int64_t n) { return scan(x, 0, n) >= 0; }

int64_t first_non_finite(const float* x, int64_t n, int threads) {
  const int t = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads, n / kMinPerThread)));
  if (t <= 1) return scan(x, 0, n);
  // Each thread scans one contiguous part; the first part with a hit holds the first index.
  std::atomic<int64_t> found[256];
  for (int i = 0; i < t; i++) found[i].store(-1, std::memory_order_relaxed);
  parallel_for(t, t, [&](int task) {
    const int64_t b = n * task / t, e = n * (task + 1) / t;
    found[task].store(scan(x, b, e), std::memory_order_relaxed);
  });
  for (int i = 0; i < t; i++)
    if (const int64_t at = found[i].load(std::memory_order_relaxed); at >= 0) return at;
  return -1;
}

}  // namespace nrt
