// GEMM throughput of the three training forms on the shapes that matter, next to the single-core FMA peak and
// to what the microkernel does alone (its register tile on panels that stay in L1, without a cache miss).
//   gemm-bench [threads] [seconds-per-case]
// Set NEURITE_GEMM_KERNEL=scalar|avx2|avx512 to measure another kernel.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/aligned_buffer.h"
#include "gemm/gemm.h"
#include "gemm/gemm_kernel.h"
#include "peak_flops.h"

using nrt::gemm::Trans;

namespace {

double measure(Trans ta, Trans tb, int64_t m, int64_t n, int64_t k, int threads, double seconds) {
  nrt::AlignedBuffer<float> a, b, c;
  if (!a.reserve(static_cast<size_t>(m * k)) || !b.reserve(static_cast<size_t>(k * n)) ||
      !c.reserve(static_cast<size_t>(m * n)))
    return 0;
  for (int64_t i = 0; i < m * k; i++) a.data()[i] = static_cast<float>((i * 7) % 13) * 0.01f;
  for (int64_t i = 0; i < k * n; i++) b.data()[i] = static_cast<float>((i * 5) % 11) * 0.01f;
  const int64_t lda = ta == Trans::no ? k : m, ldb = tb == Trans::no ? n : k;
  auto run = [&] {
    if (!nrt::gemm::sgemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, 0.0f, c.data(), n, nullptr, threads))
      std::abort();
  };
  run();  // warm caches and packing buffers
  // The fastest of many runs: this machine is shared, and the minimum is what the code can do.
  const auto start = std::chrono::steady_clock::now();
  double best = 1e30;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
    if (std::chrono::duration<double>(t1 - start).count() >= seconds) break;
  }
  return 2.0 * m * n * k / best * 1e-9;
}

// The kernel's register tile alone, over and over on one packed A panel (MR×kc) and one B panel (kc×NR) that stay
// in L1 (kc 128: 6 KB and 16 KB for the 12×32 tile), accumulating into one C tile. One core. Timed as the FMA
// peak is (best_of_trials, peak_flops.h: the best of 200 trials of about 1 ms), so that the share compares like
// with like: on these VMs longer trials measure less (the 12x32 tile on an Intel Xeon: 200-211 GFLOPS in 7 ms
// trials, 206-226 in 1 ms ones), as they take in more of the host's interruptions. What a GEMM loses below this
// figure goes to its blocking and the caches; what this loses below the peak is the tile's own (its loads, its C
// tile's loads and stores, the call).
double measure_ukernel_in_l1() {
  const nrt::gemm::GemmKernel& K = nrt::gemm::best_kernel();
  constexpr int64_t kc = 128;
  const int64_t mr = K.mr, nr = K.nr;
  std::vector<float> a(static_cast<size_t>(mr * kc)), b(static_cast<size_t>(kc * nr)), c(static_cast<size_t>(mr * nr));
  for (size_t i = 0; i < a.size(); i++) a[i] = static_cast<float>((i * 7) % 13) * 1e-3f;
  for (size_t i = 0; i < b.size(); i++) b[i] = static_cast<float>((i * 5) % 11) * 1e-3f;
  using Clock = std::chrono::steady_clock;
  const auto trial = [&] {  // calls in groups of 64 until 1 ms has passed: GFLOPS
    const auto t0 = Clock::now();
    int64_t calls = 0;
    double elapsed = 0;
    do {
      for (int i = 0; i < 64; i++) K.ukernel(kc, a.data(), b.data(), c.data(), nr, 1.0f);
      calls += 64;
      elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (elapsed < 1e-3);
    return 2.0 * mr * nr * kc * static_cast<double>(calls) / elapsed * 1e-9;
  };
  trial();
  const auto run = [](void* t) { return (*static_cast<decltype(trial)*>(t))(); };
  const double best = best_of_trials(run, const_cast<void*>(static_cast<const void*>(&trial)));
  if (!(c[0] == c[0])) std::abort();  // the tile's result is read, so the calls are not dead code
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 0.5;
  if (argc > 5) {  // gemm-bench threads seconds m n k: one NN product, for profiling
    const double g = measure(Trans::no, Trans::no, std::atoll(argv[3]), std::atoll(argv[4]), std::atoll(argv[5]),
                             threads, seconds);
    std::printf("%.1f GFLOPS\n", g);
    return 0;
  }
  const char* isa = "";
  const double peak = peak_gflops(&isa);
  std::printf("kernel %s, %d thread(s); single-core FMA peak (%s): %.1f GFLOPS\n",
              nrt::gemm::best_kernel().name, threads, isa, peak);
  const int64_t shapes[][3] = {{128, 256, 784}, {256, 1024, 1024}, {1024, 1024, 1024}};
  const char* names[] = {"C=A*B  ", "C=At*B ", "C=A*Bt "};
  const Trans forms[3][2] = {{Trans::no, Trans::no}, {Trans::yes, Trans::no}, {Trans::no, Trans::yes}};
  const double tile = measure_ukernel_in_l1();
  std::printf("microkernel in L1 (1 core, kc 128): %.1f GFLOPS, %.1f%% of peak\n", tile,
              peak > 0 ? 100.0 * tile / peak : 0.0);
  std::printf("%-9s %-16s %9s %8s\n", "form", "m x n x k", "GFLOPS", "% peak");
  for (const auto& s : shapes)
    for (int f = 0; f < 3; f++) {
      const double g = measure(forms[f][0], forms[f][1], s[0], s[1], s[2], threads, seconds);
      char shape[32];
      std::snprintf(shape, sizeof shape, "%lldx%lldx%lld", (long long)s[0], (long long)s[1], (long long)s[2]);
      std::printf("%-9s %-16s %9.1f %7.1f%%\n", names[f], shape, g, peak > 0 ? 100.0 * g / (peak * threads) : 0.0);
    }
  // The products of one W1 training step (784-256-128-10, batch 128), each in the form the engine uses.
  struct Step {
    const char* what;
    Trans ta, tb;
    int64_t m, n, k;
  };
  const Step w1[] = {
      {"fwd x*W1", Trans::no, Trans::no, 128, 256, 784},   {"fwd h1*W2", Trans::no, Trans::no, 128, 128, 256},
      {"fwd h2*W3", Trans::no, Trans::no, 128, 10, 128},   {"dW3=h2t*dz", Trans::yes, Trans::no, 128, 10, 128},
      {"dh2=dz*W3t", Trans::no, Trans::yes, 128, 128, 10}, {"dW2=h1t*dz", Trans::yes, Trans::no, 256, 128, 128},
      {"dh1=dz*W2t", Trans::no, Trans::yes, 128, 256, 128}, {"dW1=xt*dz", Trans::yes, Trans::no, 784, 256, 128},
  };
  std::printf("\nW1 training step (batch 128):\n%-12s %-14s %9s %9s\n", "product", "m x n x k", "GFLOPS", "us");
  double total_us = 0, total_flop = 0;
  for (const Step& st : w1) {
    const double g = measure(st.ta, st.tb, st.m, st.n, st.k, threads, seconds / 4);
    const double flop = 2.0 * st.m * st.n * st.k;
    const double us = flop / (g * 1e3);
    total_us += us;
    total_flop += flop;
    char shape[32];
    std::snprintf(shape, sizeof shape, "%lldx%lldx%lld", (long long)st.m, (long long)st.n, (long long)st.k);
    std::printf("%-12s %-14s %9.1f %9.1f\n", st.what, shape, g, us);
  }
  std::printf("%-12s %-14s %9.1f %9.1f  (GEMMs alone: %.0f samples/s)\n", "total", "", total_flop / (total_us * 1e3),
              total_us, 128.0 / (total_us * 1e-6));
  return 0;
}
