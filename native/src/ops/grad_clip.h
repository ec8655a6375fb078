// Gradient clipping, as Keras's optimizers apply it before their update (clipvalue, clipnorm, global_clipnorm).
// The gradient clipped is the loss gradient plus the L2 term, rounded to f32 as the update would see it:
// f32(g + l2x2·w). A parameter's Σg² is summed in chunks of kNormChunk elements (the engine sums chunks on
// several threads), each in double over 16 interleaved lanes (element i into lane i mod 16, lanes added in order
// at the end), chunks added in order: that vectorises without reassociating, does not depend on the thread
// count, and is what the TypeScript reference does (sumSquares in src/backends/ts/optimizers.ts).
#pragma once

#include <cstdint>

namespace nrt::ops {

constexpr int64_t kNormChunk = 16384;

// Σ f32(g + l2x2·w)² over n elements (one chunk, n ≤ kNormChunk, in the engine).
double gradient_sum_squares(const float* g, const float* w, int64_t n, double l2x2);

// f32(c / max(√sum_squares, c)): the factor clipNorm (per tensor) and globalClipNorm (all tensors) multiply by;
// 1 when the norm is within c. tf.clip_by_norm / tf.clip_by_global_norm; PyTorch's clip_grad_norm_ differs only
// by the 1e-6 it adds to the norm. It is rounded to f32 because the gradient is multiplied by it in f32, as
// PyTorch multiplies by its float32 clip_coef: one vmulps per 8 elements, where a product in f64 rounded back
// to f32 cost 3 % of a W1 step.
float clip_scale(double sum_squares, double c);

// The clip itself, g ← clamp(f32(g + l2x2·w)·scale, f32(−v), f32(v)) with the product in f32, runs inside each
// optimizer's update loop (optimizer.h, Clip), so it costs no pass over the gradient of its own.

}  // namespace nrt::ops
