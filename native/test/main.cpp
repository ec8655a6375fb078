// Runs the registered tests; prints one line per test and a final "N passed, N failed".
#include <chrono>
#include <cstring>

#include "harness.h"
#include "neurite/neurite.h"

namespace harness {

namespace {
int current_failures = 0;
}

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

void record_failure(const char* file, int line, const std::string& message) {
  if (current_failures < 20) std::printf("    %s:%d: %s\n", file, line, message.c_str());
  current_failures++;
}

int failures_in_current_test() { return current_failures; }

}  // namespace harness

int main(int argc, char** argv) {
  const char* filter = argc > 1 ? argv[1] : nullptr;
  std::printf("neurite core tests, GEMM kernel: %s, %d hardware threads\n", nrt_gemm_kernel_name(),
              nrt_hardware_threads());
  int passed = 0, failed = 0;
  for (const auto& t : harness::registry()) {
    if (filter && !std::strstr(t.name, filter)) continue;
    harness::current_failures = 0;
    const auto start = std::chrono::steady_clock::now();
    t.fn();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (harness::current_failures == 0) {
      passed++;
      std::printf("ok   %s (%.0f ms)\n", t.name, ms);
    } else {
      failed++;
      std::printf("FAIL %s (%d failures)\n", t.name, harness::current_failures);
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 && passed > 0 ? 0 : 1;
}
