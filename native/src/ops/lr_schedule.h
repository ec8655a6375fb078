// Per-step learning-rate schedules (nrt_optimizer_desc.schedule), as Keras's LearningRateSchedule classes
// compute them, evaluated at `step` = the number of optimizer steps done before this one (Keras passes
// optimizer.iterations). The TypeScript twin is src/backends/ts/lr-schedule.ts.
//   constant           learning_rate
//   cosineDecay        d(s, from) = from·((1 − α)·½(1 + cos(π·s/decay_steps)) + α)
//                      no warmup target: d(min(step, decay_steps), learning_rate)
//                      else s = min(step, warmup + decay_steps): s < warmup ? lerp(learning_rate, target, s/warmup)
//                                                                          : d(s − warmup, target)
//   exponentialDecay   learning_rate·decay_rate^p, p = step/decay_steps (floored with staircase)
//   piecewiseConstant  values[i] for the first i with step ≤ boundaries[i]; values[count] past the last
#pragma once

#include <cstdint>

#include "neurite/neurite.h"

namespace nrt::ops {

double learning_rate_at(const nrt_optimizer_desc& o, int64_t step);

}  // namespace nrt::ops
