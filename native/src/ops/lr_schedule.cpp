#include "ops/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace nrt::ops {

namespace {

constexpr double kPi = 3.14159265358979323846;

double cosine(const nrt_optimizer_desc& o, double step, double from) {
  const double decayed = 0.5 * (1.0 + std::cos(kPi * (step / o.decay_steps)));
  return from * ((1.0 - o.alpha) * decayed + o.alpha);
}

}  // namespace

double learning_rate_at(const nrt_optimizer_desc& o, int64_t step) {
  const double s = static_cast<double>(step);
  switch (o.schedule) {
    case NRT_LR_SCHEDULE_COSINE_DECAY: {
      if (!o.has_warmup_target) return cosine(o, std::min(s, o.decay_steps), o.learning_rate);
      const double at = std::min(s, o.decay_steps + o.warmup_steps);
      if (at < o.warmup_steps) return (o.warmup_target - o.learning_rate) * (at / o.warmup_steps) + o.learning_rate;
      return cosine(o, at - o.warmup_steps, o.warmup_target);
    }
    case NRT_LR_SCHEDULE_EXPONENTIAL_DECAY: {
      double p = s / o.decay_steps;
      if (o.staircase) p = std::floor(p);
      return o.learning_rate * std::pow(o.decay_rate, p);
    }
    case NRT_LR_SCHEDULE_PIECEWISE_CONSTANT: {
      // compile() keeps boundary_count within the arrays
      int i = 0;
      while (i < o.boundary_count && s > o.boundaries[i]) i++;
      return o.values[i];
    }
    default:
      return o.learning_rate;
  }
}

}  // namespace nrt::ops
