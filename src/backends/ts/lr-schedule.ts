/**
 * Per-step learning-rate schedules, as Keras's LearningRateSchedule classes compute them, at `step` = optimizer
 * steps done before this one (Keras passes optimizer.iterations). The C++ twin is native/src/ops/lr_schedule.cpp;
 * the formulas are written out there.
 */
import type { OptimizerSpec, StepScheduleSpec } from '../backend.js';

function cosine(s: StepScheduleSpec & { kind: 'cosineDecay' }, step: number, from: number): number {
  const decayed = 0.5 * (1 + Math.cos(Math.PI * (step / s.decaySteps)));
  return from * ((1 - s.alpha) * decayed + s.alpha);
}

/** The rate of a schedule whose initial rate is `learningRate`, at `step`. */
export function scheduledRate(s: StepScheduleSpec, learningRate: number, step: number): number {
  switch (s.kind) {
    case 'cosineDecay': {
      if (s.warmupTarget === undefined) return cosine(s, Math.min(step, s.decaySteps), learningRate);
      const at = Math.min(step, s.decaySteps + s.warmupSteps);
      if (at < s.warmupSteps) return (s.warmupTarget - learningRate) * (at / s.warmupSteps) + learningRate;
      return cosine(s, at - s.warmupSteps, s.warmupTarget);
    }
    case 'exponentialDecay': {
      let p = step / s.decaySteps;
      if (s.staircase) p = Math.floor(p);
      return learningRate * Math.pow(s.decayRate, p);
    }
    case 'piecewiseConstant': {
      let i = 0;
      while (i < s.boundaries.length && step > s.boundaries[i]!) i++;
      return s.values[i]!;
    }
  }
}

/** The optimizer's rate for the update after `step` steps. */
export function learningRateAt(o: OptimizerSpec, step: number): number {
  return o.stepSchedule ? scheduledRate(o.stepSchedule, o.learningRate, step) : o.learningRate;
}
