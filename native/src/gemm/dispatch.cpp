// Picks the GEMM kernel at run time. Each ISA's kernel lives in its own file compiled with its own flags (never
// -march=native), so one binary runs everywhere and uses the widest vectors the CPU and OS support.
#include <cstdlib>
#include <cstring>

#include "gemm/gemm_kernel.h"

namespace nrt::gemm {

#if !defined(NRT_HAVE_AVX2)
const GemmKernel* avx2_fma_kernel() { return nullptr; }
#endif
#if !defined(NRT_HAVE_AVX512)
const GemmKernel* avx512f_kernel() { return nullptr; }
#endif
#if !defined(NRT_HAVE_WASMSIMD)
const GemmKernel* wasmsimd_kernel() { return nullptr; }
#endif

namespace {

bool cpu_runs(const GemmKernel* kernel) {
  if (kernel == nullptr) return false;
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  // libgcc's check includes the OS side (XCR0 enables the ymm/zmm state), not only CPUID.
  if (kernel == avx512f_kernel()) return __builtin_cpu_supports("avx512f");
  if (kernel == avx2_fma_kernel()) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return true;  // scalar, and wasmsimd, which is only compiled where it is the baseline
}

const GemmKernel* choose() {
  const char* forced = std::getenv("NEURITE_GEMM_KERNEL");
  if (forced && *forced) {
    for (const GemmKernel* k : supported_kernels())
      if (std::strncmp(k->name, forced, std::strlen(forced)) == 0) return k;
  }
  return supported_kernels().front();
}

}  // namespace

std::vector<const GemmKernel*> supported_kernels() {
  std::vector<const GemmKernel*> kernels;
  for (const GemmKernel* k : {avx512f_kernel(), avx2_fma_kernel(), wasmsimd_kernel()})
    if (cpu_runs(k)) kernels.push_back(k);
  kernels.push_back(scalar_kernel());
  return kernels;
}

const GemmKernel& best_kernel() {
  static const GemmKernel* kernel = choose();
  return *kernel;
}

}  // namespace nrt::gemm
