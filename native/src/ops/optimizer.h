// Optimizer updates, one parameter array at a time. The arithmetic is done per element in double and rounded
// to f32 when stored, as the TypeScript reference does with JavaScript numbers; this is memory-bound work (one
// pass over w, g and the slots), so double precision costs nothing measurable next to the GEMMs.
// `l2x2` = 2·l2 for kernels with an L2 regulariser (0 for biases): the gradient used is f32(g + l2x2·w).
#pragma once

#include <cmath>
#include <cstdint>

#include "core/target_clones.h"

#include "neurite/neurite.h"

namespace nrt::ops {

// What one optimizer step shares across all its parameters, computed once per step by the engine.
struct StepParams {
  int64_t t = 1;              // the step, from 1
  double learning_rate = 0;   // o.learning_rate, or the per-step schedule at step t − 1 (lr_schedule.h)
  float grad_scale = 1.0f;    // clipNorm / globalClipNorm: f32(c / max(‖g‖, c)) (grad_clip.h); 1 = none
  double clip_value = 0.0;    // clipValue: > 0 clamps each element to [−v, v]; 0 = none
  double u_product = 1.0;     // nadam: Π_{i ≤ t} u_i (nadam_u_product)
};

// A clip applied to each gradient element inside the update loop: g ← clamp(g·scale, lower, upper) in f32, the
// bounds being f32(∓clipValue) (±∞ for none).
struct Clip {
  float scale = 1.0f;
  float lower = 0.0f;
  float upper = 0.0f;
};

// One optimizer step on n parameters w with gradient g and the optimizer's state slots s0, s1 (velocity; m, v;
// v, mom; accumulator — null where the optimizer keeps fewer). With a clip in p, each element's gradient is
// clamp(f32(g + l2x2·w)·scale, f32(−v), f32(v)) in f32 (grad_clip.h), computed in the update's own loop; g is
// not written.
// Dispatches to the functions below; the engine calls it on whole bias vectors and, from the GEMM epilogue, on
// each finished tile of a kernel gradient.
void optimizer_update(const nrt_optimizer_desc& o, const StepParams& p, float* w, const float* g, float* s0,
                      float* s1, int64_t n, double l2x2);

// Nadam's momentum schedule as Keras computes it: u_i = β1·(1 − 0.5·0.96^i), and Π_{i=1..t} u_i multiplied in
// step order (Keras keeps the product as a variable updated before each step).
NRT_CLONE_INLINE double nadam_u(double beta1, int64_t i) {  // inline: nadam_update's clones call it
  return beta1 * (1.0 - 0.5 * std::pow(0.96, static_cast<double>(i)));
}
double nadam_u_product(double beta1, int64_t t);

// momentum 0: w -= lr·g.  Else v = momentum·v − lr·g; w += nesterov ? momentum·v − lr·g : v.
void sgd_update(float* w, const float* g, float* velocity, int64_t n, double lr, double momentum, bool nesterov,
                double l2x2, const Clip* clip = nullptr);

// Adam (Kingma & Ba, Alg. 1) at step t (from 1). weight_decay > 0 gives AdamW: w -= lr·wd·w first (on the w
// before this step), then the Adam update.
void adam_update(float* w, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                 double epsilon, double weight_decay, int64_t t, double l2x2, const Clip* clip = nullptr);

// v = ρ v + (1−ρ) g²; momentum 0: w -= lr·g/(√v + ε); else mom = momentum·mom + lr·g/(√v + ε), w -= mom.
void rmsprop_update(float* w, const float* g, float* v, float* mom, int64_t n, double lr, double rho,
                    double momentum, double epsilon, double l2x2, const Clip* clip = nullptr);

// Nadam as Keras 3 computes it (keras/src/optimizers/nadam.py), at step t with u_product = Π_{i ≤ t} u_i:
//   m += (g − m)(1 − β1);  v += (g² − v)(1 − β2)
//   m̂ = u_{t+1}·m/(1 − u_product·u_{t+1}) + (1 − u_t)·g/(1 − u_product);  v̂ = v/(1 − β2^t)
//   w −= m̂·lr/(√v̂ + ε)
void nadam_update(float* w, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                  double epsilon, int64_t t, double u_product, double l2x2, const Clip* clip = nullptr);

// Adagrad as Keras 3 computes it (ε inside the root): a += g²;  w −= lr·g/√(a + ε). The accumulator starts at
// initial_accumulator_value (the engine fills the slot at compile).
void adagrad_update(float* w, const float* g, float* accumulator, int64_t n, double lr, double epsilon,
                    double l2x2, const Clip* clip = nullptr);

}  // namespace nrt::ops
