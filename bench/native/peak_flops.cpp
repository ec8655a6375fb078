#include "peak_flops.h"

double best_of_trials(double (*trial)(void* context), void* context) {
  double best = 0;
  for (int i = 0; i < 200; i++) {
    const double g = trial(context);
    best = g > best ? g : best;
  }
  return best;
}

double peak_gflops(const char** isa) {
#if defined(NRT_HAVE_AVX512)
  if (__builtin_cpu_supports("avx512f")) {
    *isa = "avx512f";
    return peak_gflops_avx512();
  }
#endif
#if defined(NRT_HAVE_AVX2)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    *isa = "avx2+fma";
    return peak_gflops_avx2();
  }
#endif
  *isa = "none";
  return 0.0;
}
