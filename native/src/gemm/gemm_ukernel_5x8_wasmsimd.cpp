// WebAssembly SIMD128: a 5×8 register tile (10 v128 accumulators, 2 for the B row, 1 splat of A, 1 product:
// 14 of the 15 xmm registers V8 allocates on x64, its 16th being a scratch register). Without relaxed SIMD there
// is no fused multiply-add, so each step is a mul and an add; per depth step 2 B loads and 5 splats feed 20 vector
// ops (4×8: 16), measured ~1.2× faster than 4×8 in Node 20 on x64; 6×8 needs 16 registers and spills.
// Compiled only by the Emscripten build (-msimd128), where it is the baseline.
#include <wasm_simd128.h>

#include "gemm/gemm_kernel.h"
#include "gemm/pack.h"

namespace nrt::gemm {

namespace {
constexpr int kMR = 5;
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
  for (int i = 0; i < MR; i++) store_row(c + i * ldc, acc[i][0], acc[i][1], beta);
}

void ukernel_5x8(int64_t k, const float* a, const float* b, float* c, int64_t ldc, float beta) {
  ukernel_tile<kMR, kNR / 4>(k, a, b, c, ldc, beta);
}

// R rows × V vectors of 4 columns straight from row-major B: no packing, for batch-1..4 inference where packing
// the weights would cost more than the product. R·V independent accumulators hide the add latency.
template <int R, int V>
inline void small_block(int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                        float beta, float* c, int64_t ldc) {
  v128_t acc[R][V];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = wasm_f32x4_splat(0.0f);
  for (int64_t p = 0; p < k; p++) {
    const float* brow = b + p * ldb;
    v128_t bv[V];
    for (int v = 0; v < V; v++) bv[v] = wasm_v128_load(brow + 4 * v);
    for (int r = 0; r < R; r++) {
      const v128_t ar = wasm_v128_load32_splat(a + r * ars + p * acs);
      for (int v = 0; v < V; v++) acc[r][v] = wasm_f32x4_add(acc[r][v], wasm_f32x4_mul(ar, bv[v]));
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) {
      float* cp = c + r * ldc + 4 * v;
      if (beta == 0.0f)
        wasm_v128_store(cp, acc[r][v]);
      else
        wasm_v128_store(cp, wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_splat(beta), wasm_v128_load(cp)), acc[r][v]));
    }
}

template <int R>
void small_rows(int64_t n, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb,
                float beta, float* c, int64_t ldc) {
  constexpr int V = R == 1 ? 8 : 4;
  int64_t j = 0;
  for (; j + 4 * V <= n; j += 4 * V) small_block<R, V>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc);
  for (; j + 4 <= n; j += 4) small_block<R, 1>(k, a, ars, acs, b + j, ldb, beta, c + j, ldc);
  if (j < n) small_m_generic<4>(R, n - j, k, a, ars, acs, b + j, ldb, beta, c + j, ldc);
}

void small_m_wasmsimd(int64_t m, int64_t n, int64_t k, const float* a, int64_t ars, int64_t acs, const float* b,
                      int64_t ldb, float beta, float* c, int64_t ldc) {
  int64_t i = 0;
  for (; i + 2 <= m; i += 2) small_rows<2>(n, k, a + i * ars, ars, acs, b, ldb, beta, c + i * ldc, ldc);
  if (i < m) small_rows<1>(n, k, a + i * ars, ars, acs, b, ldb, beta, c + i * ldc, ldc);
}

const GemmKernel kWasmSimd = {
    "wasmsimd 5x8", kMR, kNR, /*mc*/ 125, /*kc*/ 256, /*nc*/ 2048, ukernel_5x8, pack_a<kMR>, pack_b<kNR>,
    small_m_wasmsimd,
};
}  // namespace

const GemmKernel* wasmsimd_kernel() { return &kWasmSimd; }

}  // namespace nrt::gemm
