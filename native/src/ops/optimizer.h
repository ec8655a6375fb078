// Optimizer updates, one parameter array at a time. The arithmetic is done per element in double and rounded
// to f32 when stored, as the TypeScript reference does with JavaScript numbers; this is memory-bound work (one
// pass over w, g and the slots), so double precision costs nothing measurable next to the GEMMs.
// `l2x2` = 2·l2 for kernels with an L2 regulariser (0 for biases): the gradient used is f32(g + l2x2·w).
#pragma once

#include <cstdint>

#include "neurite/neurite.h"

namespace nrt::ops {

// One optimizer step t (from 1) on n parameters w with gradient g and the optimizer's state slots s0, s1
// (velocity; m, v; v, mom — null where the optimizer keeps fewer). Dispatches to the functions below; the
// engine calls it on whole bias vectors and, from the GEMM epilogue, on each finished tile of a kernel gradient.
void optimizer_update(const nrt_optimizer_desc& o, int64_t t, float* w, const float* g, float* s0, float* s1,
                      int64_t n, double l2x2);

// momentum 0: w -= lr·g.  Else v = momentum·v − lr·g; w += nesterov ? momentum·v − lr·g : v.
void sgd_update(float* w, const float* g, float* velocity, int64_t n, double lr, double momentum, bool nesterov,
                double l2x2);

// Adam (Kingma & Ba, Alg. 1) at step t (from 1). weight_decay > 0 gives AdamW: w -= lr·wd·w first (on the w
// before this step), then the Adam update.
void adam_update(float* w, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                 double epsilon, double weight_decay, int64_t t, double l2x2);

// v = ρ v + (1−ρ) g²; momentum 0: w -= lr·g/(√v + ε); else mom = momentum·mom + lr·g/(√v + ε), w -= mom.
void rmsprop_update(float* w, const float* g, float* v, float* mom, int64_t n, double lr, double rho,
                    double momentum, double epsilon, double l2x2);

}  // namespace nrt::ops
