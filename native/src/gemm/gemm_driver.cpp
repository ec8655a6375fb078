// The GEMM driver: BLIS-style blocking around a register-tiled microkernel, and the split across threads.
//
// Loop nest (per thread, over its slab of C):   jc (nc columns) → pc (kc depth, pack B block) →
//   ic (mc rows, pack A block) → jr (NR) → ir (MR) → microkernel.
// The B micro-panel (kc×NR) stays in L1 across the ir loop, the packed A block in L2. The epilogue runs on each
// mc×nc block of C right after its last depth block, while the block is still in L2.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cmath>
#include <cstdlib>

#include "core/aligned_buffer.h"
#include "core/finite_scan.h"
#include "core/thread_pool.h"
#include "gemm/gemm.h"
#include "gemm/gemm_kernel.h"

namespace nrt::gemm {

namespace {

constexpr int kMaxTile = 16 * 32;  // largest MR×NR of any kernel

struct Scratch {
  AlignedBuffer<float> a;
  AlignedBuffer<float> b;
  alignas(64) float tile[kMaxTile];
};

// One per thread: pool helpers and binding threads each pack into their own buffers, grown once.
Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

inline const float* a_at(Trans t, const float* a, int64_t lda, int64_t i, int64_t p) {
  return t == Trans::no ? a + i * lda + p : a + p * lda + i;
}
inline const float* b_at(Trans t, const float* b, int64_t ldb, int64_t p, int64_t j) {
  return t == Trans::no ? b + p * ldb + j : b + j * ldb + p;
}

void scale(int64_t rows, int64_t cols, float beta, float* c, int64_t ldc) {
  if (beta == 1.0f) return;
  for (int64_t i = 0; i < rows; i++) {
    float* row = c + i * ldc;
    if (beta == 0.0f)
      std::fill(row, row + cols, 0.0f);
    else
      for (int64_t j = 0; j < cols; j++) row[j] *= beta;
  }
}

void merge_tile(const float* tile, int64_t ldt, int64_t rows, int64_t cols, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < rows; i++) {
    const float* src = tile + i * ldt;
    float* dst = c + i * ldc;
    if (beta == 0.0f)
      for (int64_t j = 0; j < cols; j++) dst[j] = src[j];
    else if (beta == 1.0f)
      for (int64_t j = 0; j < cols; j++) dst[j] += src[j];
    else
      for (int64_t j = 0; j < cols; j++) dst[j] = beta * dst[j] + src[j];
  }
}

// Whether rows [0, rows) × columns [0, cols) of a (row i at a + i·ld) hold NaN or ±Infinity.
bool rows_have_non_finite(const float* a, int64_t rows, int64_t cols, int64_t ld) {
  for (int64_t i = 0; i < rows; i++)
    if (has_non_finite(a + i * ld, cols)) return true;
  return false;
}

// Whether c[i·ldc] holds NaN or ±Infinity for some i < rows.
bool column_has_non_finite(const float* c, int64_t rows, int64_t ldc) {
  for (int64_t i = 0; i < rows; i++)
    if (!std::isfinite(c[i * ldc])) return true;
  return false;
}

struct Problem {
  const GemmKernel* kernel;
  Trans ta, tb;
  int64_t m, n, k;
  const float* a;
  int64_t lda;
  const float* b;
  int64_t ldb;
  float beta;
  float* c;
  int64_t ldc;
  const Epilogue* epilogue;
  const PackedB* packed;  // op(B) already packed for this kernel, or null
  std::atomic<bool>* a_non_finite;  // set if op(A) holds NaN or ±Infinity, or null: no check
};

// Whether rows [i0, i0 + rows) of op(A) hold NaN or ±Infinity, read where they lie.
bool a_rows_have_non_finite(const Problem& P, int64_t i0, int64_t rows) {
  return P.ta == Trans::no ? rows_have_non_finite(P.a + i0 * P.lda, rows, P.k, P.lda)
                           : rows_have_non_finite(P.a + i0, P.k, rows, P.lda);
}

// C[m0:m1, n0:n1] on the calling thread. Returns false if the packing buffers could not be allocated.
// NEURITE_GEMM_BLOCKING="mc,kc,nc" overrides every kernel's cache blocking (for tuning on a new machine).
struct Blocking {
  int64_t mc = 0, kc = 0, nc = 0;
};
const Blocking& blocking_override() {
  static const Blocking b = [] {
    Blocking r;
    if (const char* env = std::getenv("NEURITE_GEMM_BLOCKING")) {
      long long mc = 0, kc = 0, nc = 0;
      if (std::sscanf(env, "%lld,%lld,%lld", &mc, &kc, &nc) == 3 && mc > 0 && kc > 0 && nc > 0) r = {mc, kc, nc};
    }
    return r;
  }();
  return b;
}

// Equal depth blocks (784 → 3 × 262, not 256 + 256 + 256 + 16): a thin last block would pay the C-tile loads
// and stores of a whole pass for a few multiply-adds. The driver and PackedB block the depth alike.
int64_t equal_depth_block(const GemmKernel& K, int64_t k) {
  const Blocking& over = blocking_override();
  const int64_t kc_target = over.kc ? over.kc : K.kc;
  const int64_t k_blocks = (k + kc_target - 1) / kc_target;
  return (k + k_blocks - 1) / k_blocks;
}

bool gemm_slab(const Problem& P, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  const GemmKernel& K = *P.kernel;
  const int64_t MR = K.mr, NR = K.nr;
  const Blocking& over = blocking_override();
  const int64_t MC = over.mc ? (over.mc + MR - 1) / MR * MR : K.mc;
  const int64_t NC = over.nc ? (over.nc + NR - 1) / NR * NR : K.nc;
  const int64_t KC = P.packed ? P.packed->depth_block() : equal_depth_block(K, P.k);
  Scratch& s = scratch();
  const int64_t kc_max = KC;
  const int64_t mc_max = (std::min<int64_t>(MC, m1 - m0) + MR - 1) / MR * MR;
  const int64_t nc_max = (std::min<int64_t>(NC, n1 - n0) + NR - 1) / NR * NR;
  if (!s.a.reserve(static_cast<size_t>(mc_max * kc_max)) ||
      (!P.packed && !s.b.reserve(static_cast<size_t>(nc_max * kc_max))))
    return false;
  float* apack = s.a.data();
  float* const bscratch = s.b.data();
  const bool rows_a = K.ukernel_rows_a != nullptr && P.ta == Trans::no;

  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = std::min(NC, n1 - jc);
    for (int64_t pc = 0; pc < P.k; pc += KC) {
      const int64_t kc = std::min(KC, P.k - pc);
      const bool first = pc == 0;
      const bool last = pc + kc == P.k;
      const float beta = first ? P.beta : 1.0f;
      const float* bpack = bscratch;
      if (P.packed)
        bpack = P.packed->block(pc) + jc * kc;
      else
        K.pack_b(P.tb == Trans::yes, kc, nc, b_at(P.tb, P.b, P.ldb, pc, jc), P.ldb, bscratch);
      for (int64_t ic = m0; ic < m1; ic += MC) {
        const int64_t mc = std::min(MC, m1 - ic);
        // Whole row panels of op(A) not transposed are read where they lie when the kernel can (x·W at inference
        // and in the forward pass: no copy of x per call); the rest of the block is packed.
        const int64_t in_place = rows_a ? mc / MR * MR : 0;
        const float* ablock = a_at(P.ta, P.a, P.lda, ic, pc);
        if (in_place < mc)
          K.pack_a(P.ta == Trans::yes, mc - in_place, kc, a_at(P.ta, P.a, P.lda, ic + in_place, pc), P.lda,
                   apack + in_place * kc);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int64_t cols = std::min(NR, nc - jr);
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int64_t rows = std::min(MR, mc - ir);
            float* ct = P.c + (ic + ir) * P.ldc + jc + jr;
            const float* bp = bpack + jr * kc;
            const bool whole = rows == MR && cols == NR;  // else via the edge tile
            float* out = whole ? ct : s.tile;
            const int64_t ldo = whole ? P.ldc : NR;
            const float beta_out = whole ? beta : 0.0f;
            if (ir < in_place)
              K.ukernel_rows_a(kc, ablock + ir * P.lda, P.lda, bp, out, ldo, beta_out);
            else
              K.ukernel(kc, apack + ir * kc, bp, out, ldo, beta_out);
            if (!whole) merge_tile(s.tile, NR, rows, cols, beta, ct, P.ldc);
          }
        }
        // op(A) is checked through C, before the epilogue changes it (relu takes NaN to 0): a NaN or ±Infinity in
        // row i of op(A) makes C[i, j] NaN or ±Infinity for every j (its product with any float is, and a float sum
        // never comes back from there), so column 0 of each finished block tells which rows to look at. Only then
        // are they read (a C that overflowed, or a NaN in C scaled by beta, is not A's). Column 0 is in every
        // thread's slab when the threads split the rows, and in one thread's when they split the columns: each row
        // is looked at once. Checking A itself cost a pass over it per block, which for rows read in place was the
        // first read from memory: it took all the time the in-place kernel had saved.
        if (last && jc == 0 && P.a_non_finite && column_has_non_finite(P.c + ic * P.ldc, mc, P.ldc) &&
            a_rows_have_non_finite(P, ic, mc))
          P.a_non_finite->store(true, std::memory_order_relaxed);
        // The finished mc×nc block is still in L2: long rows make the epilogue's loops (bias, activation, an
        // optimizer step over the kernel) run as whole vectors rather than 16-wide stubs.
        if (last && P.epilogue)
          P.epilogue->apply(P.epilogue->context, P.c + ic * P.ldc + jc, P.ldc, ic, jc, mc, nc);
      }
    }
  }
  return true;
}


// Few rows, B not transposed: no packing (inference on single samples).
void gemm_small_m(const Problem& P, int64_t n0, int64_t n1) {
  const int64_t ars = P.ta == Trans::no ? P.lda : 1;
  const int64_t acs = P.ta == Trans::no ? 1 : P.lda;
  P.kernel->small_m(P.m, n1 - n0, P.k, P.a, ars, acs, P.b + n0, P.ldb, P.beta, P.c + n0, P.ldc);
  if (P.epilogue) P.epilogue->apply(P.epilogue->context, P.c + n0, P.ldc, 0, n0, P.m, n1 - n0);
}

// Below this many multiply-adds a second thread costs more to wake than it saves; and a few-row product (streaming
// B) is split only once B outgrows this many bytes. Waking a helper is a futex natively (microseconds) but an
// Atomics.wait/notify between Web Workers in WASM (tens of microseconds: W3 batch-1 took 72 µs on 2 threads
// against 44 µs on 1 with the native thresholds), so WASM asks for 8 times the work.
#if defined(__EMSCRIPTEN__)
constexpr int64_t kMinWorkPerThread = int64_t{1} << 20;
constexpr int64_t kSmallMSplitBytes = int64_t{8} << 20;
#else
constexpr int64_t kMinWorkPerThread = int64_t{1} << 17;
constexpr int64_t kSmallMSplitBytes = int64_t{256} << 10;
#endif

}  // namespace

bool PackedB::pack(const GemmKernel& K, Trans tb, const float* b, int64_t ldb, int64_t k, int64_t n) {
  clear();
  const int64_t kc = equal_depth_block(K, k);
  const int64_t n_padded = (n + K.nr - 1) / K.nr * K.nr;
  if (!data_.reserve(static_cast<size_t>(k * n_padded))) return false;
  // Block by block as the driver reads them: block pc starts at pc·n_padded, and its column panels follow one
  // another, each as deep as the block (what pack_b writes for all n columns at once).
  for (int64_t pc = 0; pc < k; pc += kc)
    K.pack_b(tb == Trans::yes, std::min(kc, k - pc), n, b_at(tb, b, ldb, pc, 0), ldb, data_.data() + pc * n_padded);
  kernel_ = &K;
  tb_ = tb;
  b_ = b;
  ldb_ = ldb;
  k_ = k;
  n_ = n;
  kc_ = kc;
  n_padded_ = n_padded;
  return true;
}

void PackedB::clear() { kernel_ = nullptr; }

bool PackedB::fits(const GemmKernel& kernel, Trans tb, const float* b, int64_t ldb, int64_t k, int64_t n) const {
  return kernel_ == &kernel && tb_ == tb && b_ == b && ldb_ == ldb && k_ == k && n_ == n;
}

bool sgemm_with(const GemmKernel& kernel, Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, const float* a,
                int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc,
                const Epilogue* epilogue, int threads, PackedB* packed_b, std::atomic<bool>* a_non_finite) {
  if (m <= 0 || n <= 0) return true;
  if (k <= 0) {
    scale(m, n, beta, c, ldc);
    if (epilogue) epilogue->apply(epilogue->context, c, ldc, 0, 0, m, n);
    return true;
  }
  Problem P{&kernel, ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, epilogue, nullptr, a_non_finite};
  const int64_t work = m * n * k;
  int t = std::max(1, std::min<int>(threads, ThreadPool::shared().max_threads()));
  if (work < kMinWorkPerThread * 2) t = 1;
  else t = static_cast<int>(std::min<int64_t>(t, work / kMinWorkPerThread));

  if (kernel.small_m && tb == Trans::no && m <= 4) {
    // Streaming B dominates here, not arithmetic: natively a second thread pays off once B outgrows half an L2
    // (and then each thread keeps its own columns of B in its own L2 from one call to the next). Columns are split
    // in multiples of 64 (whole vectors for every kernel).
    t = std::max(1, std::min<int>(threads, ThreadPool::shared().max_threads()));
    if (k * n * static_cast<int64_t>(sizeof(float)) < kSmallMSplitBytes) t = 1;
    const int64_t chunks = (n + 63) / 64;
    t = static_cast<int>(std::min<int64_t>(t, chunks));
    // The few-row product has no blocks to check through: A is small here, so it is read as it is.
    if (a_non_finite && a_rows_have_non_finite(P, 0, m)) a_non_finite->store(true, std::memory_order_relaxed);
    parallel_for(t, t, [&](int task) {
      const int64_t c0 = chunks * task / t * 64, c1 = std::min(n, chunks * (task + 1) / t * 64);
      if (c0 < c1) gemm_small_m(P, c0, c1);
    });
    return true;
  }

  // Packed once here, before the threads split the work, when this product is the first to pack this B; out of
  // memory, it packs per thread as without.
  if (packed_b && (packed_b->fits(kernel, tb, b, ldb, k, n) || packed_b->pack(kernel, tb, b, ldb, k, n)))
    P.packed = packed_b;
  const int64_t MR = kernel.mr, NR = kernel.nr;
  const int64_t m_panels = (m + MR - 1) / MR, n_panels = (n + NR - 1) / NR;
  // Splitting columns makes every thread pack all of A (m×k); splitting rows, all of B (k×n): duplicate the
  // smaller one, unless that dimension has too few panels to share.
  bool split_columns = m <= n;
  if (split_columns && n_panels < t) split_columns = m_panels < n_panels;
  if (!split_columns && m_panels < t) split_columns = n_panels >= m_panels;
  const int64_t panels = split_columns ? n_panels : m_panels;
  t = static_cast<int>(std::min<int64_t>(t, panels));

  std::atomic<bool> ok{true};
  parallel_for(t, t, [&](int task) {
    const int64_t p0 = panels * task / t, p1 = panels * (task + 1) / t;
    if (p0 == p1) return;
    const bool done = split_columns ? gemm_slab(P, 0, m, p0 * NR, std::min(n, p1 * NR))
                                    : gemm_slab(P, p0 * MR, std::min(m, p1 * MR), 0, n);
    if (!done) ok.store(false, std::memory_order_relaxed);
  });
  return ok.load();
}

bool sgemm(Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float beta, float* c, int64_t ldc, const Epilogue* epilogue, int threads,
           PackedB* packed_b, std::atomic<bool>* a_non_finite) {
  return sgemm_with(best_kernel(), ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc, epilogue, threads, packed_b,
                    a_non_finite);
}

}  // namespace nrt::gemm
