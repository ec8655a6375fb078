// FlushDenormals: while one is alive, the calling thread's float arithmetic treats subnormal numbers (below
// 1.2e-38 in float32) as zero, on input and on output: x86's MXCSR FTZ and DAZ bits, arm64's FPCR.FZ.
//
// Why: x86 CPUs run an operation on a subnormal through a slow microcode path, and training makes them where a
// derivative saturates (softplus' = sigmoid(z) for z ≪ 0 times a small gradient, and so on through the GEMMs).
// On W1 with softplus hidden layers the step ran 1.19× relu's time with them and 1.05× without (Zen 3, AVX2).
// A float32 model cannot use a value 2^−126 below its others; TensorFlow flushes them on CPU for the same reason.
// The TypeScript reference keeps them, so the engines can differ by that much (the parity tests' tolerance
// covers it). WASM has no control of the floating-point environment: there the build keeps IEEE subnormals.
//
// The previous state is restored when the guard goes, so a call from JavaScript's thread returns to V8 with the
// environment it came in with. The thread pool's helpers hold one for their whole life (thread_pool.cpp).
#pragma once

#if (defined(__SSE2__) || defined(_M_X64)) && !defined(__EMSCRIPTEN__)
#include <xmmintrin.h>
#endif

namespace nrt {

class FlushDenormals {
 public:
#if (defined(__SSE2__) || defined(_M_X64)) && !defined(__EMSCRIPTEN__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  static constexpr unsigned kFlushToZero = 0x8000;      // MXCSR bit 15: subnormal results become 0
  static constexpr unsigned kDenormalsAreZero = 0x0040;  // MXCSR bit 6: subnormal inputs read as 0
  unsigned saved_;
#elif defined(__aarch64__) && defined(__GNUC__)
  FlushDenormals() {
    asm volatile("mrs %0, fpcr" : "=r"(saved_));
    set(saved_ | kFlushToZero);
  }
  ~FlushDenormals() { set(saved_); }

 private:
  static void set(unsigned long long fpcr) { asm volatile("msr fpcr, %0" : : "r"(fpcr)); }
  static constexpr unsigned long long kFlushToZero = 1ull << 24;  // FPCR.FZ: subnormal inputs and results as 0
  unsigned long long saved_;
#else
  FlushDenormals() = default;
#endif

 public:
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;
};

}  // namespace nrt
