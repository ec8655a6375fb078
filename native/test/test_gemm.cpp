// Every GEMM kernel this CPU runs (plus the AVX-512 one through its emulation, which compiles the real kernel file
// and its shared edge code from ukernel_template.h), all three forms, odd and round shapes, the small-m path,
// beta 0/1/other, padded leading dimensions, the epilogue, one and two threads – against ref::gemm.
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/thread_pool.h"
#include "gemm/gemm.h"
#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"
#include "harness.h"
#include "reference.h"

namespace nrt::gemm {
const GemmKernel* avx512f_emulated_kernel();
}

using namespace nrt::gemm;

namespace {

std::vector<const GemmKernel*> kernels_under_test() {
  std::vector<const GemmKernel*> ks = supported_kernels();
  bool has_native_avx512 = false;
  for (auto* k : ks) has_native_avx512 |= k == avx512f_kernel();
  if (!has_native_avx512) ks.push_back(avx512f_emulated_kernel());
  return ks;
}

struct Coverage {
  std::vector<int> hits;
  int64_t ldc;
  int64_t n;
};

// Marks each element it sees and adds 1000·row + col, so the test can check that every element of C passed
// through exactly once, after the product was complete, with the right coordinates.
void mark_tile(const void* context, float* c, int64_t ldc, int64_t row0, int64_t col0, int64_t rows, int64_t cols) {
  auto* cov = static_cast<Coverage*>(const_cast<void*>(context));
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) {
      c[i * ldc + j] += static_cast<float>((row0 + i) % 7 + (col0 + j) % 5);
      __atomic_fetch_add(&cov->hits[(row0 + i) * cov->n + col0 + j], 1, __ATOMIC_RELAXED);
    }
}

// One problem with its double-precision answer, checked against any kernel and thread count.
struct Fixture {
  Trans ta, tb;
  int64_t m, n, k, lda, ldb, ldc;
  float beta;
  int pad;
  std::vector<float> a, b, c;
  std::vector<double> expected, magnitude;

  Fixture(Trans ta_, Trans tb_, int64_t m_, int64_t n_, int64_t k_, float beta_, int pad_)
      : ta(ta_), tb(tb_), m(m_), n(n_), k(k_), beta(beta_), pad(pad_) {
    lda = (ta == Trans::no ? k : m) + pad;
    ldb = (tb == Trans::no ? n : k) + pad;
    ldc = n + pad;
    const int64_t a_rows = ta == Trans::no ? m : k;
    const int64_t b_rows = tb == Trans::no ? k : n;
    const uint32_t seed = static_cast<uint32_t>(m * 131 + n * 31 + k * 7 + pad);
    a = ref::random_floats(static_cast<size_t>(a_rows * lda) + 1, seed);
    b = ref::random_floats(static_cast<size_t>(b_rows * ldb) + 1, seed + 1);
    c = ref::random_floats(static_cast<size_t>(m * ldc), seed + 2);
    // Padding holds NaN: a kernel reading outside the logical matrices poisons the result.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int64_t r = 0; r < a_rows; r++)
      for (int64_t q = lda - pad; q < lda; q++) a[r * lda + q] = nan;
    for (int64_t r = 0; r < b_rows; r++)
      for (int64_t q = ldb - pad; q < ldb; q++) b[r * ldb + q] = nan;
    if (beta == 0.0f)
      for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) c[i * ldc + j] = nan;  // beta 0 must not read C
    expected.assign(c.begin(), c.end());
    ref::gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, beta, expected, ldc, magnitude);
  }

  // Through the driver, reading B from b_data (default: b) and keeping it in `packed` if given. Returns false on
  // the first mismatch (reported).
  bool check(const GemmKernel& kernel, bool epilogue, int threads, PackedB* packed = nullptr,
             const float* b_data = nullptr) const {
    std::vector<float> out = c;
    Coverage cov{std::vector<int>(static_cast<size_t>(m * n), 0), ldc, n};
    const Epilogue ep{mark_tile, &cov};
    const bool ok = sgemm_with(kernel, ta, tb, m, n, k, a.data(), lda, b_data ? b_data : b.data(), ldb, beta,
                               out.data(), ldc, epilogue ? &ep : nullptr, threads, packed);
    CHECK(ok);
    return compare(kernel, out, epilogue ? &cov : nullptr, threads);
  }

  // Twice with one PackedB: the first product packs B into it, the second reads it (and B is then poisoned, so a
  // driver that packed B again would fail); both against the reference.
  bool check_packed(const GemmKernel& kernel, int threads) const {
    PackedB packed;
    std::vector<float> b_used = b;  // one buffer: a PackedB fits only the B it packed
    if (!check(kernel, true, threads, &packed, b_used.data())) return false;
    const bool small_m = kernel.small_m && tb == Trans::no && m <= 4;  // reads B unpacked, every time
    if (!small_m) std::fill(b_used.begin(), b_used.end(), std::numeric_limits<float>::quiet_NaN());
    return check(kernel, true, threads, &packed, b_used.data());
  }

  // The kernel's unpacked few-row product called directly (B not transposed), whatever rows the driver sends it.
  bool check_small_m(const GemmKernel& kernel) const {
    std::vector<float> out = c;
    const int64_t ars = ta == Trans::no ? lda : 1, acs = ta == Trans::no ? 1 : lda;
    kernel.small_m(m, n, k, a.data(), ars, acs, b.data(), ldb, beta, out.data(), ldc);
    return compare(kernel, out, nullptr, 1);
  }

  bool compare(const GemmKernel& kernel, const std::vector<float>& out, const Coverage* cov, int threads) const {
    const bool epilogue = cov != nullptr;
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = 0; j < n; j++) {
        double want = expected[i * ldc + j];
        if (epilogue) want += static_cast<double>(i % 7 + j % 5);
        const double got = out[i * ldc + j];
        const double tol = 2e-6 * (magnitude[i * ldc + j] + 1.0) + 1e-6 * std::fabs(want);
        if (!(std::fabs(got - want) <= tol)) {
          CHECK_MSG(false, "%s %s%s m=%lld n=%lld k=%lld beta=%g pad=%d threads=%d: C[%lld,%lld] = %.8g, want %.8g",
                    kernel.name, ta == Trans::yes ? "T" : "N", tb == Trans::yes ? "T" : "N", (long long)m,
                    (long long)n, (long long)k, beta, pad, threads, (long long)i, (long long)j, got, want);
          return false;
        }
        if (epilogue && cov->hits[i * n + j] != 1) {
          CHECK_MSG(false, "%s m=%lld n=%lld k=%lld: epilogue saw C[%lld,%lld] %d times", kernel.name,
                    (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, cov->hits[i * n + j]);
          return false;
        }
      }
    for (int64_t i = 0; i < m; i++)
      for (int64_t j = n; j < ldc; j++)
        if (out[i * ldc + j] != c[i * ldc + j]) {
          CHECK_MSG(false, "%s m=%lld n=%lld k=%lld: wrote C[%lld,%lld] in the padding", kernel.name, (long long)m,
                    (long long)n, (long long)k, (long long)i, (long long)j);
          return false;
        }
    return true;
  }
};

const Trans kForms[3][2] = {{Trans::no, Trans::no}, {Trans::yes, Trans::no}, {Trans::no, Trans::yes}};

}  // namespace

// Odd sizes (an edge tile for every MR and NR, a partial last vector in the small-m path) and round ones (whole
// tiles and vectors) in m, n and k, every form, beta 0 and 1. m <= 4 with B not transposed is the small-m path.
TEST(gemm_odd_and_round_shapes_every_kernel_every_form) {
  const int64_t dims[] = {1, 3, 7, 13, 16, 17, 64};
  const auto kernels = kernels_under_test();
  for (const auto& form : kForms)
    for (int64_t m : dims)
      for (int64_t n : dims)
        for (int64_t k : dims)
          for (float beta : {0.0f, 1.0f}) {
            const Fixture f(form[0], form[1], m, n, k, beta, 0);
            for (const GemmKernel* kernel : kernels)
              if (!f.check(*kernel, false, 1)) return;
          }
}

// 255 in one dimension at a time: many whole tiles, and an edge of nearly full width (255 = 7·32 + 31 = 15·16 +
// 15 = 31·8 + 7 = 63·4 + 3); in n with m = 1, the small-m path's blocks of 8 vectors, single vectors and tail.
TEST(gemm_255_in_each_dimension_every_kernel_every_form) {
  const int64_t others[] = {1, 4, 13, 64};
  const auto kernels = kernels_under_test();
  for (const auto& form : kForms)
    for (int axis = 0; axis < 3; axis++)
      for (int64_t x : others)
        for (int64_t y : others)
          for (float beta : {0.0f, 1.0f}) {
            const int64_t m = axis == 0 ? 255 : x, n = axis == 1 ? 255 : axis == 0 ? x : y, k = axis == 2 ? 255 : y;
            const Fixture f(form[0], form[1], m, n, k, beta, 0);
            for (const GemmKernel* kernel : kernels)
              if (!f.check(*kernel, false, 1)) return;
          }
}

// Each kernel's small-m code directly, for 1..4 rows of A in both layouts, beta 0/1/other, a padded C whose
// padding must survive the partial last vector: n = 1..35 gives that vector every width for every kernel.
TEST(gemm_small_m_every_kernel_direct) {
  std::vector<int64_t> widths = {63, 64, 127, 128, 129, 255, 256};
  for (int64_t n = 1; n <= 35; n++) widths.push_back(n);
  const auto kernels = kernels_under_test();
  for (Trans ta : {Trans::no, Trans::yes})
    for (int64_t m = 1; m <= 4; m++)
      for (int64_t n : widths)
        for (int64_t k : {1, 13, 64})
          for (float beta : {0.0f, 1.0f, 0.5f}) {
            const Fixture f(ta, Trans::no, m, n, k, beta, 3);
            for (const GemmKernel* kernel : kernels)
              if (kernel->small_m && !f.check_small_m(*kernel)) return;
          }
}

// A kernel that reads A in place (ukernel_rows_a) against its own packed tile, bit for bit: the same
// multiply-adds in the same order. Depths 1, 7, 13, 255 and 256, a padded lda, beta 0, 1 and 0.5, and C's padding
// columns, which neither may touch.
TEST(gemm_rows_a_kernel_matches_packed_tile) {
  for (const GemmKernel* kernel : kernels_under_test()) {
    if (!kernel->ukernel_rows_a) continue;
    const int64_t MR = kernel->mr, NR = kernel->nr, ldc = NR + 5;
    for (int64_t k : {1, 7, 13, 255, 256})
      for (float beta : {0.0f, 1.0f, 0.5f}) {
        const int64_t lda = k + 3;
        const std::vector<float> a = ref::random_floats(static_cast<size_t>(MR * lda), 91);
        const std::vector<float> b = ref::random_floats(static_cast<size_t>(k * NR), 92);
        std::vector<float> packed(static_cast<size_t>(MR * k));
        kernel->pack_a(false, MR, k, a.data(), lda, packed.data());
        std::vector<float> want = ref::random_floats(static_cast<size_t>(MR * ldc), 93), got = want;
        kernel->ukernel(k, packed.data(), b.data(), want.data(), ldc, beta);
        kernel->ukernel_rows_a(k, a.data(), lda, b.data(), got.data(), ldc, beta);
        CHECK_MSG(want == got, "%s rows-a tile: k=%lld beta=%g", kernel->name, (long long)k, beta);
      }
  }
}

TEST(gemm_beta_padding_and_epilogue) {
  const int64_t shapes[][3] = {{1, 17, 13},   {7, 64, 3}, {13, 33, 64},  {17, 255, 7},
                               {64, 13, 255}, {3, 1, 1},  {2, 255, 13}, {255, 7, 16}};
  const float betas[] = {0.0f, 1.0f, 0.5f};
  const auto kernels = kernels_under_test();
  for (const auto& form : kForms)
    for (const auto& s : shapes)
      for (float beta : betas)
        for (int pad : {0, 3}) {
          const Fixture f(form[0], form[1], s[0], s[1], s[2], beta, pad);
          for (const GemmKernel* kernel : kernels)
            if (!f.check(*kernel, true, 1)) return;
        }
}

TEST(gemm_large_shapes_cross_cache_blocks_and_threads) {
  // k > kc, m > mc and n spanning many panels: every blocking loop runs more than once; 2 and 3 threads split
  // rows or columns depending on the shape.
  const int64_t shapes[][3] = {{255, 256, 1000}, {1000, 255, 17}, {256, 1000, 3}, {17, 1000, 256},
                               {128, 256, 784}, {784, 256, 128}, {1000, 10, 128}, {4, 1000, 300}, {2, 64, 64}};
  const auto kernels = kernels_under_test();
  for (const auto& form : kForms)
    for (const auto& s : shapes) {
      const Fixture f(form[0], form[1], s[0], s[1], s[2], 1.0f, 1);
      for (const GemmKernel* kernel : kernels)
        for (int threads : {1, 2, 3})
          if (!f.check(*kernel, true, threads)) return;
    }
}

// B packed once (the weights at inference) and reused: every depth block and column panel where the driver looks
// for it, on one and several threads, whatever the split; the small-m path leaves it alone.
TEST(gemm_packed_b_every_kernel_every_form) {
  const int64_t shapes[][3] = {{1, 17, 13},  {7, 64, 3},     {13, 255, 7},   {255, 13, 255}, {64, 16, 784},
                               {3, 1, 1},    {17, 300, 300}, {1000, 10, 64}, {200, 40, 600}, {5, 33, 64},
                               {13, 255, 785}};  // columns split over threads, and a shorter last depth block
  const auto kernels = kernels_under_test();
  for (const auto& form : kForms)
    for (const auto& s : shapes)
      for (float beta : {0.0f, 1.0f}) {
        const Fixture f(form[0], form[1], s[0], s[1], s[2], beta, 1);
        for (const GemmKernel* kernel : kernels)
          for (int threads : {1, 2, 3})
            if (!f.check_packed(*kernel, threads)) return;
      }
}

// What a PackedB holds is repacked when the product no longer fits it (another B, shape or kernel), and after
// clear() when B changed in place; without clear() it is reused as is (the caller's contract).
TEST(gemm_packed_b_follows_its_b) {
  const int64_t m = 64, n = 40, k = 300;
  const std::vector<float> a = ref::random_floats(static_cast<size_t>(m * k), 91);
  std::vector<float> b = ref::random_floats(static_cast<size_t>(k * n), 92);
  const std::vector<float> b2 = ref::random_floats(b.size(), 93);
  const auto kernels = kernels_under_test();
  std::vector<float> got(static_cast<size_t>(m * n)), want(got.size());
  auto product = [&](const GemmKernel& kernel, const std::vector<float>& bm, PackedB* packed, std::vector<float>& c) {
    CHECK(sgemm_with(kernel, Trans::no, Trans::no, m, n, k, a.data(), k, bm.data(), n, 0.0f, c.data(), n, nullptr,
                     2, packed));
  };
  for (const GemmKernel* kernel : kernels) {
    PackedB packed;
    product(*kernel, b, &packed, got);
    product(*kernel, b2, &packed, got);  // another B: repacked
    product(*kernel, b2, nullptr, want);
    CHECK_MSG(got == want, "%s: a PackedB of another B was used", kernel->name);
    for (const GemmKernel* other : kernels) {  // another kernel: repacked for it
      product(*other, b2, &packed, got);
      product(*other, b2, nullptr, want);
      CHECK_MSG(got == want, "%s after %s: a PackedB of another kernel was used", other->name, kernel->name);
    }
    product(*kernel, b, &packed, got);
    b[5] += 1.0f;  // B changed in place
    product(*kernel, b, &packed, got);
    product(*kernel, b, nullptr, want);
    CHECK_MSG(got != want, "%s: the PackedB was not reused (the change in place should not show without clear())",
              kernel->name);
    packed.clear();
    product(*kernel, b, &packed, got);
    CHECK_MSG(got == want, "%s: clear() did not make the product pack B again", kernel->name);
  }
}

// The driver's check of A (predict's check of x): NaN, ±Infinity and the largest finite float, at the first,
// a middle and the last element of op(A), in both layouts, through the packed path (several row blocks, depth
// blocks and threads) and the few-row path, with padded rows so a bad value outside op(A) must not count.
TEST(gemm_flags_non_finite_a_every_kernel) {
  const int64_t shapes[][3] = {{1, 17, 13}, {4, 300, 7}, {7, 16, 1}, {13, 255, 300}, {300, 13, 785}, {255, 64, 16}};
  const float inf = std::numeric_limits<float>::infinity(), big = std::numeric_limits<float>::max();
  const auto kernels = kernels_under_test();
  // The driver finds A's NaN and ±Infinity through C before the epilogue runs: this one leaves no trace of them
  // in C, as relu does of NaN.
  const Epilogue zero_c{[](const void*, float* c, int64_t ldc, int64_t, int64_t, int64_t rows, int64_t cols) {
                          for (int64_t i = 0; i < rows; i++)
                            for (int64_t j = 0; j < cols; j++) c[i * ldc + j] = 0.0f;
                        },
                        nullptr};
  for (Trans ta : {Trans::no, Trans::yes})
    for (const auto& s : shapes) {
      const int64_t m = s[0], n = s[1], k = s[2], lda = (ta == Trans::no ? k : m) + 1;
      const int64_t rows = ta == Trans::no ? m : k;
      // Column 0 of B is zero: ±Infinity·0 is NaN, which must be found as well.
      std::vector<float> b = ref::random_floats(static_cast<size_t>(k * n), 7);
      for (int64_t p = 0; p < k; p++) b[static_cast<size_t>(p * n)] = 0.0f;
      std::vector<float> c(static_cast<size_t>(m * n));
      for (const GemmKernel* kernel : kernels)
        for (int threads : {1, 2, 3})
          for (int64_t at : {int64_t{0}, rows / 2 * lda + (lda - 1) / 2, (rows - 1) * lda + lda - 2})
            for (float bad : {std::numeric_limits<float>::quiet_NaN(), inf, -inf, big}) {
              std::vector<float> a = ref::random_floats(static_cast<size_t>(rows * lda), 8);
              for (int64_t r = 0; r < rows; r++) a[static_cast<size_t>(r * lda + lda - 1)] = inf;  // padding
              a[static_cast<size_t>(at)] = bad;
              std::atomic<bool> flag{false};
              CHECK(sgemm_with(*kernel, ta, Trans::no, m, n, k, a.data(), lda, b.data(), n, 0.0f, c.data(), n,
                               &zero_c, threads, nullptr, &flag));
              const bool want = bad != big;
              CHECK_MSG(flag.load() == want, "%s ta=%d %lldx%lldx%lld, %d threads: %g at %lld %s", kernel->name,
                        ta == Trans::yes, static_cast<long long>(m), static_cast<long long>(n),
                        static_cast<long long>(k), threads, static_cast<double>(bad), static_cast<long long>(at),
                        want ? "not flagged" : "flagged");
              if (flag.load() != want) return;
            }
    }
}

// What is non-finite in C but not in A is not A's: a NaN already in C (beta 1) and a product that overflows.
TEST(gemm_non_finite_c_alone_is_not_flagged) {
  const float big = std::numeric_limits<float>::max();
  for (const GemmKernel* kernel : kernels_under_test())
    for (Trans ta : {Trans::no, Trans::yes})
      for (int threads : {1, 2}) {
        const int64_t m = 30, n = 40, k = 50;
        std::vector<float> a = ref::random_floats(static_cast<size_t>(m * k), 11);
        std::vector<float> b = ref::random_floats(static_cast<size_t>(k * n), 12);
        std::vector<float> c(static_cast<size_t>(m * n), std::numeric_limits<float>::quiet_NaN());
        std::atomic<bool> flag{false};
        CHECK(sgemm_with(*kernel, ta, Trans::no, m, n, k, a.data(), ta == Trans::no ? k : m, b.data(), n, 1.0f,
                         c.data(), n, nullptr, threads, nullptr, &flag));
        CHECK_MSG(!flag.load(), "%s ta=%d: NaN in C flagged as A's", kernel->name, ta == Trans::yes);
        for (float& x : a) x = big;
        for (float& x : b) x = 2.0f;
        CHECK(sgemm_with(*kernel, ta, Trans::no, m, n, k, a.data(), ta == Trans::no ? k : m, b.data(), n, 0.0f,
                         c.data(), n, nullptr, threads, nullptr, &flag));
        CHECK_MSG(!std::isfinite(c[0]), "%s: the product was meant to overflow", kernel->name);
        CHECK_MSG(!flag.load(), "%s ta=%d: an overflow flagged as A's", kernel->name, ta == Trans::yes);
      }
}

TEST(gemm_1000_cubed_best_kernel) {
  const Fixture f(Trans::no, Trans::no, 1000, 1000, 1000, 0.0f, 0);
  CHECK(f.check(best_kernel(), true, 2));
}

TEST(gemm_k_zero_scales_c_and_runs_epilogue) {
  for (const GemmKernel* kernel : kernels_under_test()) {
    std::vector<float> c = {1, 2, 3, 4, 5, 6};
    Coverage cov{std::vector<int>(6, 0), 3, 3};
    const Epilogue ep{mark_tile, &cov};
    CHECK(sgemm_with(*kernel, Trans::no, Trans::no, 2, 3, 0, nullptr, 1, nullptr, 1, 0.5f, c.data(), 3, &ep, 1));
    CHECK_CLOSE(c[0], 0.5, 1e-7);                  // 0.5·1 + (0 % 7 + 0 % 5)
    CHECK_CLOSE(c[5], 3.0 + (1 % 7 + 2 % 5), 1e-7);  // 0.5·6 + 1 + 2
    for (int h : cov.hits) CHECK_EQ(h, 1);
  }
}

#if defined(NRT_HAVE_AVX2)
namespace nrt::gemm {
void pack_a_x86_6(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out);
void pack_a_x86_12(bool trans, int64_t mc, int64_t kc, const float* a, int64_t lda, float* out);
void pack_b_x86_32(bool trans, int64_t kc, int64_t nc, const float* b, int64_t ldb, float* out);
}  // namespace nrt::gemm

// The transposing packers (pack_x86.h) against pack.h, for the AVX2 kernel's 6-row A tile and the AVX-512
// kernel's 12×32 tile (they run here on AVX2 even where that kernel cannot). The buffers are compared past the
// packed block too: a partial group's 8-lane stores must never spill out of it.
TEST(gemm_x86_packing_matches_generic) {
  if (!__builtin_cpu_supports("avx2")) return;
  for (int64_t rows : {1, 6, 7, 12, 13, 25, 64, 255})
    for (int64_t depth : {1, 7, 8, 13, 17, 64, 100, 255})
      for (bool trans : {false, true}) {
        const int64_t ld = (trans ? rows : depth) + 3;
        std::vector<float> src = ref::random_floats(static_cast<size_t>((trans ? depth : rows) * ld), 77);
        const size_t a6_size = static_cast<size_t>((rows + 5) / 6 * 6 * depth) + 16;
        std::vector<float> fast6(a6_size, -1.0f), slow6(a6_size, -1.0f);
        pack_a_x86_6(trans, rows, depth, src.data(), ld, fast6.data());
        pack_a<6>(trans, rows, depth, src.data(), ld, slow6.data());
        CHECK_MSG(fast6 == slow6, "pack_a 6: rows %lld depth %lld trans %d", (long long)rows, (long long)depth, trans);
        const size_t a_size = static_cast<size_t>((rows + 11) / 12 * 12 * depth) + 16;
        std::vector<float> fast(a_size, -1.0f), slow(a_size, -1.0f);
        pack_a_x86_12(trans, rows, depth, src.data(), ld, fast.data());
        pack_a<12>(trans, rows, depth, src.data(), ld, slow.data());
        CHECK_MSG(fast == slow, "pack_a 12: rows %lld depth %lld trans %d", (long long)rows, (long long)depth, trans);
        const int64_t ldb = (trans ? depth : rows) + 3;
        std::vector<float> bsrc = ref::random_floats(static_cast<size_t>((trans ? rows : depth) * ldb), 78);
        const size_t b_size = static_cast<size_t>((rows + 31) / 32 * 32 * depth) + 16;
        std::vector<float> bfast(b_size, -1.0f), bslow(b_size, -1.0f);
        pack_b_x86_32(trans, depth, rows, bsrc.data(), ldb, bfast.data());
        pack_b<32>(trans, depth, rows, bsrc.data(), ldb, bslow.data());
        CHECK_MSG(bfast == bslow, "pack_b 32: cols %lld depth %lld trans %d", (long long)rows, (long long)depth, trans);
      }
}
#endif
