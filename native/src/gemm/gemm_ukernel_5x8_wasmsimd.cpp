// WebAssembly SIMD128: a 5×8 register tile (10 v128 accumulators, 2 for the B row, 1 splat of A, 1 product:
// 14 of the 15 xmm registers V8 allocates on x64, its 16th being a scratch register). Per depth step 2 B loads
// and 5 splats feed 10 multiply-adds, measured ~1.2× faster than 4×8 in Node 20 on x64; 6×8 needs 16 registers
// and spills.
//
// Compiled twice (native/bindings/wasm/wasm.cmake), so the two kernels cannot drift apart:
//   "wasmsimd 5x8"         SIMD128 alone: each multiply-add is an f32x4.mul and an f32x4.add;
//   "wasmrelaxedsimd 5x8"  with NRT_WASM_RELAXED (-mrelaxed-simd): f32x4.relaxed_madd, a fused multiply-add
//                          wherever the CPU has one (20-25 % faster products in V8 on a Zen 3; with FMA the
//                          6×8 tile fits the registers too, but measured no faster). Relaxed SIMD is standard
//                          since Chromium 114, Firefox 120 and Node 22; the loader picks this build only where
//                          WebAssembly.validate accepts the instruction. clang 14 (Emscripten 3.1.6) writes it
//                          with its prototype opcode, which scripts/patch-relaxed-simd.mjs rewrites to the
//                          standard one after the link.
// Compiled only by the Emscripten build (-msimd128), where it is the baseline.
#include <wasm_simd128.h>

#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"
#include "gemm/ukernel_template.h"

namespace nrt::gemm {

namespace {
constexpr int kMR = 5;
constexpr int kNR = 8;

// Vector traits for ukernel_template.h. Without relaxed SIMD there is no fused multiply-add: fmadd is a mul and an
// add. relaxed_madd(a, b, c) is a·b + c, fused or not as the CPU does it, so the last bit may differ between
// machines (never between calls on one). The partial last vector of a row is moved lane by lane (load32_zero,
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
#if defined(NRT_WASM_RELAXED)
  static Vec fmadd(Vec a, Vec b, Vec c) { return __builtin_wasm_fma_f32x4(a, b, c); }
#else
  static Vec fmadd(Vec a, Vec b, Vec c) { return wasm_f32x4_add(c, wasm_f32x4_mul(a, b)); }
#endif
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
      for (int v = 0; v < NV; v++) acc[i][v] = Simd128Vec::fmadd(ai, bv[v], acc[i][v]);
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
#if defined(NRT_WASM_RELAXED)
    "wasmrelaxedsimd 5x8",
#else
    "wasmsimd 5x8",
#endif
    kMR, kNR, /*mc*/ 125, /*kc*/ 256, /*nc*/ 2048, ukernel_5x8, pack_a<kMR>, pack_b<kNR>,
    small_m<Simd128Vec>,
};
}  // namespace

const GemmKernel* wasmsimd_kernel() { return &kWasmSimd; }

}  // namespace nrt::gemm
