// WebAssembly SIMD128: a 4×8 register tile (8 v128 accumulators, 2 for the B row, 1 splat of A, 1 product).
// Without relaxed SIMD there is no fused multiply-add, so each step is a mul and an add; V8 maps v128 values to
// the 16 xmm registers of x64, and this tile leaves room to spare. Compiled only by the Emscripten build
// (-msimd128), where it is the baseline, so it needs no run-time check.
#include <wasm_simd128.h>

#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"

namespace nrt::gemm {

namespace {
constexpr int kMR = 4;
constexpr int kNR = 8;

inline void store_row(float* c, v128_t lo, v128_t hi, float beta) {
  if (beta == 0.0f) {
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
  } else if (beta == 1.0f) {
    wasm_v128_store(c, wasm_f32x4_add(wasm_v128_load(c), lo));
    wasm_v128_store(c + 4, wasm_f32x4_add(wasm_v128_load(c + 4), hi));
  } else {
    const v128_t vb = wasm_f32x4_splat(beta);
    wasm_v128_store(c, wasm_f32x4_add(wasm_f32x4_mul(vb, wasm_v128_load(c)), lo));
    wasm_v128_store(c + 4, wasm_f32x4_add(wasm_f32x4_mul(vb, wasm_v128_load(c + 4)), hi));
  }
}

void ukernel_4x8(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
         c31 = c00;
  for (int64_t p = 0; p < k; p++) {
    const v128_t b0 = wasm_v128_load(b);
    const v128_t b1 = wasm_v128_load(b + 4);
    v128_t ai = wasm_v128_load32_splat(a + 0);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(ai, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(ai, b1));
    ai = wasm_v128_load32_splat(a + 1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(ai, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(ai, b1));
    ai = wasm_v128_load32_splat(a + 2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(ai, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(ai, b1));
    ai = wasm_v128_load32_splat(a + 3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(ai, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(ai, b1));
    a += kMR;
    b += kNR;
  }
  store_row(c + 0 * ldc, c00, c01, beta);
  store_row(c + 1 * ldc, c10, c11, beta);
  store_row(c + 2 * ldc, c20, c21, beta);
  store_row(c + 3 * ldc, c30, c31, beta);
}

const GemmKernel kWasmSimd = {
    "wasmsimd 4x8", kMR, kNR, /*mc*/ 128, /*kc*/ 256, /*nc*/ 2048, ukernel_4x8, pack_a<kMR>, pack_b<kNR>,
    small_m_generic<32>,
};
}  // namespace

const GemmKernel* wasmsimd_kernel() { return &kWasmSimd; }

}  // namespace nrt::gemm
