import type { StepScheduleSpec } from './backends/backend.js';
import { scheduledRate } from './backends/ts/lr-schedule.js';
import { checkOptions, checkPositive, checkPositiveInt, checkRange, fail, type OptionKeys } from './errors.js';
import { limits } from './backends/abi-generated.js';

/**
 * Two kinds of learning-rate schedule, told apart by their options:
 *
 * - Per step (Keras's LearningRateSchedule): nn.cosineDecay({ initialLearningRate, decaySteps, ... }),
 *   nn.exponentialDecay({ initialLearningRate, decaySteps, decayRate, staircase }), nn.piecewiseConstant(...).
 *   Pass one as an optimizer's learningRate. It travels to the engine as a descriptor and the engine evaluates it
 *   at every optimizer step (by the step count, as Keras does), inside its epoch loop: no call back into JS.
 * - Per epoch: nn.stepDecay, and nn.exponentialDecay({ initial, rate, every }) / nn.cosineDecay({ initial,
 *   epochs }) (their form before per-step schedules existed, kept as it was). `at(epoch)` gives the rate for
 *   that epoch (0-based); pass one as an optimizer's learningRate or to learningRateScheduler(). The model sets
 *   the rate between epochs.
 */
export interface Schedule {
  readonly name: string;
  at(epoch: number): number;
}

export interface StepDecayOptions {
  initial: number;
  factor?: number;
  every?: number;
}
export const stepDecayOptionKeys: OptionKeys<StepDecayOptions> = { initial: true, factor: true, every: true };

export interface ExponentialDecayOptions {
  initial: number;
  rate: number;
  every?: number;
}
export const exponentialDecayOptionKeys: OptionKeys<ExponentialDecayOptions> = { initial: true, rate: true, every: true };

export interface CosineDecayOptions {
  initial: number;
  epochs: number;
  alpha?: number;
}
export const cosineDecayOptionKeys: OptionKeys<CosineDecayOptions> = { initial: true, epochs: true, alpha: true };

/** lr · factor^floor(epoch / every) */
export function stepDecay(options: StepDecayOptions): Schedule {
  const o = checkOptions('nn.stepDecay options', options, stepDecayOptionKeys);
  const initial = checkPositive('initial', o.initial);
  const factor = checkRange('factor', o.factor ?? 0.5, 0, 1, true);
  const every = checkPositiveInt('every', o.every ?? 10);
  return { name: 'stepDecay', at: (e) => initial * factor ** Math.floor(e / every) };
}

/** A per-step schedule: the engine evaluates `spec` at every step; `atStep` is the same formula in TS. */
export interface StepSchedule {
  readonly name: string;
  readonly perStep: true;
  /** the rate at step 0 */
  readonly learningRate: number;
  readonly spec: StepScheduleSpec;
  atStep(step: number): number;
}

export interface CosineDecayStepOptions {
  initialLearningRate: number;
  decaySteps: number;
  /** the floor, as a fraction of the rate decayed from (default 0) */
  alpha?: number;
  /** linear warmup from initialLearningRate to warmupTarget over this many steps (needs warmupTarget) */
  warmupSteps?: number;
  /** the rate warmup reaches and decay starts from (Keras: warmup_target) */
  warmupTarget?: number;
}
export const cosineDecayStepOptionKeys: OptionKeys<CosineDecayStepOptions> = {
  initialLearningRate: true, decaySteps: true, alpha: true, warmupSteps: true, warmupTarget: true,
};

export interface ExponentialDecayStepOptions {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** decay in whole multiples of decaySteps (default false) */
  staircase?: boolean;
}
export const exponentialDecayStepOptionKeys: OptionKeys<ExponentialDecayStepOptions> = {
  initialLearningRate: true, decaySteps: true, decayRate: true, staircase: true,
};

function stepSchedule(name: string, learningRate: number, spec: StepScheduleSpec): StepSchedule {
  return { name, perStep: true, learningRate, spec, atStep: (step) => scheduledRate(spec, learningRate, step) };
}

/** A per-step schedule (nn.cosineDecay({ initialLearningRate, ... }) etc.), as opposed to a per-epoch one. */
export function isStepSchedule(v: unknown): v is StepSchedule {
  return typeof v === 'object' && v !== null && (v as StepSchedule).perStep === true;
}

/** The options select the per-step form (Keras's names) over the per-epoch one. */
function perStepForm(options: unknown): boolean {
  return typeof options === 'object' && options !== null && ('initialLearningRate' in options || 'decaySteps' in options);
}

function cosineDecayPerStep(options: CosineDecayStepOptions): StepSchedule {
  const o = checkOptions('nn.cosineDecay options', options, cosineDecayStepOptionKeys);
  const initial = checkPositive('initialLearningRate', o.initialLearningRate);
  const decaySteps = checkPositive('decaySteps', o.decaySteps);
  const alpha = checkRange('alpha', o.alpha ?? 0, 0, 1, true);
  const warmupSteps = o.warmupSteps ?? 0;
  if (typeof warmupSteps !== 'number' || !Number.isInteger(warmupSteps) || warmupSteps < 0) fail('warmupSteps', 'an integer >= 0', warmupSteps);
  // Keras ignores warmup_steps without a warmup_target; here that is refused rather than silently dropped.
  if (warmupSteps > 0 && o.warmupTarget === undefined) fail('warmupTarget', 'a finite number > 0 when warmupSteps is set', o.warmupTarget);
  const spec: StepScheduleSpec = { kind: 'cosineDecay', decaySteps, alpha, warmupSteps };
  if (o.warmupTarget !== undefined) spec.warmupTarget = checkPositive('warmupTarget', o.warmupTarget);
  return stepSchedule('cosineDecay', initial, spec);
}

function exponentialDecayPerStep(options: ExponentialDecayStepOptions): StepSchedule {
  const o = checkOptions('nn.exponentialDecay options', options, exponentialDecayStepOptionKeys);
  const initial = checkPositive('initialLearningRate', o.initialLearningRate);
  const decaySteps = checkPositive('decaySteps', o.decaySteps);
  const decayRate = checkPositive('decayRate', o.decayRate);
  const staircase = o.staircase ?? false;
  if (typeof staircase !== 'boolean') fail('staircase', 'a boolean', staircase);
  return stepSchedule('exponentialDecay', initial, { kind: 'exponentialDecay', decaySteps, decayRate, staircase });
}

/**
 * Per step: values[0] while step ≤ boundaries[0], values[i] while boundaries[i−1] < step ≤ boundaries[i], and the
 * last value after the last boundary (Keras's PiecewiseConstantDecay).
 */
export function piecewiseConstant(boundaries: number[], values: number[]): StepSchedule {
  const max = limits.maxScheduleBoundaries;
  if (!Array.isArray(boundaries) || boundaries.length < 1 || boundaries.length > max) {
    fail('nn.piecewiseConstant boundaries', `an array of 1 to ${max} step numbers`, boundaries);
  }
  boundaries.forEach((b, i) => {
    if (typeof b !== 'number' || !Number.isFinite(b) || b < 0) fail(`boundaries[${i}]`, 'a finite number >= 0', b);
    if (i > 0 && b <= boundaries[i - 1]!) fail(`boundaries[${i}]`, `a number greater than boundaries[${i - 1}] (${boundaries[i - 1]})`, b);
  });
  if (!Array.isArray(values) || values.length !== boundaries.length + 1) {
    fail('nn.piecewiseConstant values', `an array of ${boundaries.length + 1} learning rates (one more than the boundaries)`, values);
  }
  values.forEach((v, i) => checkPositive(`values[${i}]`, v));
  return stepSchedule('piecewiseConstant', values[0]!, { kind: 'piecewiseConstant', boundaries: [...boundaries], values: [...values] });
}

/** The schedule a spec describes (reading a saved model, or re-checking a spec). */
export function stepScheduleFromSpec(learningRate: number, s: StepScheduleSpec): StepSchedule {
  switch (s.kind) {
    case 'cosineDecay':
      return cosineDecayPerStep({ initialLearningRate: learningRate, decaySteps: s.decaySteps, alpha: s.alpha, warmupSteps: s.warmupSteps, ...(s.warmupTarget === undefined ? {} : { warmupTarget: s.warmupTarget }) });
    case 'exponentialDecay':
      return exponentialDecayPerStep({ initialLearningRate: learningRate, decaySteps: s.decaySteps, decayRate: s.decayRate, staircase: s.staircase });
    case 'piecewiseConstant':
      return piecewiseConstant(s.boundaries, s.values);
    default:
      return fail('learning-rate schedule kind', "'cosineDecay', 'exponentialDecay' or 'piecewiseConstant'", (s as { kind: unknown }).kind);
  }
}

/**
 * With { initialLearningRate, decaySteps, decayRate, staircase? }: per step, Keras's ExponentialDecay:
 * lr · decayRate^(step / decaySteps) (the exponent floored with staircase).
 * With { initial, rate, every? }: per epoch, lr · rate^(epoch / every).
 */
export function exponentialDecay(options: ExponentialDecayStepOptions): StepSchedule;
export function exponentialDecay(options: ExponentialDecayOptions): Schedule;
export function exponentialDecay(options: ExponentialDecayOptions | ExponentialDecayStepOptions): Schedule | StepSchedule {
  if (perStepForm(options)) return exponentialDecayPerStep(options as ExponentialDecayStepOptions);
  const o = checkOptions('nn.exponentialDecay options', options as ExponentialDecayOptions, exponentialDecayOptionKeys);
  const initial = checkPositive('initial', o.initial);
  const rate = checkRange('rate', o.rate, 0, 1, true);
  const every = checkPositive('every', o.every ?? 1);
  return { name: 'exponentialDecay', at: (e) => initial * rate ** (e / every) };
}

/**
 * With { initialLearningRate, decaySteps, alpha?, warmupSteps?, warmupTarget? }: per step, Keras's CosineDecay
 * (optional linear warmup, then half a cosine down to alpha·rate over decaySteps, then flat).
 * With { initial, epochs, alpha? }: per epoch, half a cosine from initial down to initial·alpha over `epochs`,
 * then flat (Loshchilov & Hutter, no restarts).
 */
export function cosineDecay(options: CosineDecayStepOptions): StepSchedule;
export function cosineDecay(options: CosineDecayOptions): Schedule;
export function cosineDecay(options: CosineDecayOptions | CosineDecayStepOptions): Schedule | StepSchedule {
  if (perStepForm(options)) return cosineDecayPerStep(options as CosineDecayStepOptions);
  const o = checkOptions('nn.cosineDecay options', options as CosineDecayOptions, cosineDecayOptionKeys);
  const initial = checkPositive('initial', o.initial);
  const epochs = checkPositiveInt('epochs', o.epochs);
  const alpha = checkRange('alpha', o.alpha ?? 0, 0, 1, true);
  return {
    name: 'cosineDecay',
    at: (e) => {
      const progress = Math.min(e, epochs) / epochs;
      return initial * (alpha + (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    },
  };
}
