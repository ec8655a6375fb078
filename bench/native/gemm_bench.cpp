// GEMM throughput of the three training forms on the shapes that matter, next to the single-core FMA peak.
//   gemm-bench [threads] [seconds-per-case]
// Set NEURITE_GEMM_KERNEL=scalar|avx2|avx512 to measure another kernel.
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
  long reps = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    run();
    reps++;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds);
  return 2.0 * m * n * k * reps / elapsed * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  const double seconds = argc > 2 ? std::atof(argv[2]) : 0.5;
  const char* isa = "";
  const double peak = peak_gflops(&isa);
  std::printf("kernel %s, %d thread(s); single-core FMA peak (%s): %.1f GFLOPS\n",
              nrt::gemm::best_kernel().name, threads, isa, peak);
  const int64_t shapes[][3] = {{128, 256, 784}, {256, 1024, 1024}, {1024, 1024, 1024}};
  const char* names[] = {"C=A*B  ", "C=At*B ", "C=A*Bt "};
  const Trans forms[3][2] = {{Trans::no, Trans::no}, {Trans::yes, Trans::no}, {Trans::no, Trans::yes}};
  std::printf("%-9s %-16s %9s %8s\n", "form", "m x n x k", "GFLOPS", "% peak");
  for (const auto& s : shapes)
    for (int f = 0; f < 3; f++) {
      const double g = measure(forms[f][0], forms[f][1], s[0], s[1], s[2], threads, seconds);
      char shape[32];
      std::snprintf(shape, sizeof shape, "%lldx%lldx%lld", (long long)s[0], (long long)s[1], (long long)s[2]);
      std::printf("%-9s %-16s %9.1f %7.1f%%\n", names[f], shape, g, peak > 0 ? 100.0 * g / (peak * threads) : 0.0);
    }
  return 0;
}
