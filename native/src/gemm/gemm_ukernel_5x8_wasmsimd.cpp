// WebAssembly SIMD128: a 5×8 register tile (10 v128 accumulators, 2 for the B row, 1 splat of A, 1 product:
// 14 of the 15 xmm registers V8 allocates on x64, its 16th being a scratch register). Without relaxed SIMD there
// is no fused multiply-add, so each step is a mul and an add; per depth step 2 B loads and 5 splats feed 20 vector
// ops (4×8: 16), measured ~1.2× faster than 4×8 in Node 20 on x64; 6×8 needs 16 registers and spills.
// Compiled only by the Emscripten build (-msimd128), where it is the baseline.
#include <wasm_simd128.h>

#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"
#include "gemm/ukernel_template.h"

namespace nrt::gemm {

namespace {
constexpr int kMR = 5;
constexpr int kNR = 8;

// Vector traits for ukernel_template.h. No fused multiply-add without relaxed SIMD: fmadd is a mul and an add, in
// the operand order of the tile below. The partial last vector of a row is moved lane by lane (load32_zero,
// load64_zero, store*_lane), so it never reaches past the row, nor past the end of the heap.
struct Simd128Vec {
  using Vec = v128_t;
  using Tail = int;  // the number of lanes, 1..3
  static constexpr int kWidth = 4;
  static Vec zero() { return wasm_f32x4_splat(0.0f); }
  static Vec load(const float* p) { return wasm_v128_load(p); }
  static void store(float* p, Vec v) { wasm_v128_store(p, v); }
  static Vec splat(float x) { return wasm_f32x4_splat(x); }
  static Vec broadcast(const float* p) { return wasm_v128_load32_splat(p); }
  static Vec add(Vec a, Vec b) { return wasm_f32x4_add(a, b); }
  static Vec fmadd(Vec a, Vec b, Vec c) { return wasm_f32x4_add(c, wasm_f32x4_mul(a, b)); }
  static Tail tail(int count) { return count; }
  static Vec load_tail(const float* p, Tail count) {
    if (count == 1) return wasm_v128_load32_zero(p);
    const Vec two = wasm_v128_load64_zero(p);
    return count == 2 ? two : wasm_v128_load32_lane(p + 2, two, 2);
  }
  static void store_tail(float* p, Vec v, Tail count) {
    if (count == 1) {
      wasm_v128_store32_lane(p, v, 0);
      return;
    }
    wasm_v128_store64_lane(p, v, 0);
    if (count == 3) wasm_v128_store32_lane(p + 2, v, 2);
  }
};

// Written as loops over small arrays, in the order a row of A meets the B row, on purpose: V8 allocates
// registers in the order of the wasm code, and the hand-unrolled form (all five splats first) had clang emit
// the splats up front, leaving 17 live v128 values and spilling two accumulators to the stack every step
// (1.75× slower in Node 20). The unroll pragma keeps clang from interleaving two steps, for the same reason.
template <int MR, int NV>
void ukernel_tile(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  v128_t acc[MR][NV];
  for (int i = 0; i < MR; i++)
    for (int v = 0; v < NV; v++) acc[i][v] = wasm_f32x4_splat(0.0f);
#pragma clang loop unroll_count(1)
  for (int64_t p = 0; p < k; p++) {
    v128_t bv[NV];
    for (int v = 0; v < NV; v++) bv[v] = wasm_v128_load(b + 4 * v);
    for (int i = 0; i < MR; i++) {
      const v128_t ai = wasm_v128_load32_splat(a + i);
      for (int v = 0; v < NV; v++) acc[i][v] = wasm_f32x4_add(acc[i][v], wasm_f32x4_mul(ai, bv[v]));
    }
    a += MR;
    b += 4 * NV;
  }
  for (int i = 0; i < MR; i++) store_row<Simd128Vec>(c + i * ldc, acc[i][0], acc[i][1], beta);
}

void ukernel_5x8(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  ukernel_tile<kMR, kNR / 4>(k, a, b, c, ldc, beta);
}

const GemmKernel kWasmSimd = {
    "wasmsimd 5x8", kMR, kNR, /*mc*/ 125, /*kc*/ 256, /*nc*/ 2048, ukernel_5x8, pack_a<kMR>, pack_b<kNR>,
    small_m<Simd128Vec>,
};
}  // namespace

const GemmKernel* wasmsimd_kernel() { return &kWasmSimd; }

}  // namespace nrt::gemm
