import type { OptimizerSpec } from './backends/backend.js';
import { checkOptions, checkPositive, checkRange, fail, type OptionKeys } from './errors.js';
import { isStepSchedule, stepScheduleFromSpec, type Schedule, type StepSchedule } from './schedules.js';

/**
 * Optimizer constructors with tfjs/Keras names and defaults. They only describe the optimizer; each backend
 * runs the update in its own kernel. `learningRate` may be a per-step schedule (nn.cosineDecay({
 * initialLearningRate, decaySteps }) etc.: the engine evaluates it at every step) or a per-epoch one
 * (nn.stepDecay(...): the model sets the rate between epochs), see schedules.ts. Every optimizer takes Keras's
 * gradient clipping options: clipValue, clipNorm, globalClipNorm (at most one).
 */
export type Optimizer = OptimizerSpec & { schedule?: Schedule };

/** Options every optimizer takes (OptimizerOptions is its older name). */
export interface CommonOptimizerOptions {
  learningRate?: number | Schedule | StepSchedule;
  /** clip each gradient element to [−clipValue, clipValue] (Keras clipvalue) */
  clipValue?: number;
  /** scale each parameter's gradient g to g·c/max(‖g‖, c) (Keras clipnorm) */
  clipNorm?: number;
  /** scale every gradient by c/max(‖all gradients‖, c) (Keras global_clipnorm, tf.clip_by_global_norm) */
  globalClipNorm?: number;
}
type Lr = CommonOptimizerOptions;

export type SgdOptions = Lr & { momentum?: number; nesterov?: boolean };
export type AdamOptions = Lr & { beta1?: number; beta2?: number; epsilon?: number };
export type AdamWOptions = AdamOptions & { weightDecay?: number };
export type RmspropOptions = Lr & { rho?: number; momentum?: number; epsilon?: number };
export type NadamOptions = AdamOptions;
export type AdagradOptions = Lr & { initialAccumulatorValue?: number; epsilon?: number };
export type OptimizerOptions = CommonOptimizerOptions;

// Listed (and so named in errors) after each optimizer's own keys.
const clipKeys = { clipValue: true, clipNorm: true, globalClipNorm: true } as const;
export const sgdOptionKeys: OptionKeys<SgdOptions> = { learningRate: true, momentum: true, nesterov: true, ...clipKeys };
export const adamOptionKeys: OptionKeys<AdamOptions> = { learningRate: true, beta1: true, beta2: true, epsilon: true, ...clipKeys };
export const adamwOptionKeys: OptionKeys<AdamWOptions> = {
  learningRate: true, beta1: true, beta2: true, epsilon: true, weightDecay: true, ...clipKeys,
};
export const rmspropOptionKeys: OptionKeys<RmspropOptions> = { learningRate: true, rho: true, momentum: true, epsilon: true, ...clipKeys };
export const nadamOptionKeys: OptionKeys<NadamOptions> = adamOptionKeys;
export const adagradOptionKeys: OptionKeys<AdagradOptions> = { learningRate: true, initialAccumulatorValue: true, epsilon: true, ...clipKeys };

type Common = Pick<Optimizer, 'learningRate' | 'stepSchedule' | 'schedule' | 'clipValue' | 'clipNorm' | 'globalClipNorm'>;

/** The rate, its schedule (per step or per epoch) and the clip, checked; fields left out when unset. */
function common(o: CommonOptimizerOptions, fallback: number): Common {
  const out: Common = { learningRate: fallback };
  const lr = o.learningRate;
  if (isStepSchedule(lr)) {
    out.learningRate = lr.learningRate;
    out.stepSchedule = lr.spec;
  } else if (typeof lr === 'object' && lr !== null && typeof (lr as Schedule).at === 'function') {
    out.learningRate = checkPositive('learningRate', (lr as Schedule).at(0));
    out.schedule = lr as Schedule;
  } else if (lr !== undefined) {
    out.learningRate = checkPositive('learningRate', lr);
  }
  const clips = (['clipValue', 'clipNorm', 'globalClipNorm'] as const).filter((k) => o[k] !== undefined);
  // Keras refuses more than one as well: which would apply first is not obvious.
  if (clips.length > 1) fail('gradient clipping', 'at most one of clipValue, clipNorm, globalClipNorm', `${clips.join(' and ')}`);
  for (const k of clips) out[k] = checkPositive(k, o[k]);
  return out;
}

export function sgd(options?: SgdOptions): Optimizer {
  const o = checkOptions('nn.sgd options', options, sgdOptionKeys);
  const { momentum = 0, nesterov = false } = o;
  checkRange('momentum', momentum, 0, 1);
  if (typeof nesterov !== 'boolean') fail('nesterov', 'a boolean', nesterov);
  return { kind: 'sgd', ...common(o, 0.01), momentum, nesterov };
}

export function adam(options?: AdamOptions): Optimizer {
  const o = checkOptions('nn.adam options', options, adamOptionKeys);
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = o;
  checkRange('beta1', beta1, 0, 1);
  checkRange('beta2', beta2, 0, 1);
  checkPositive('epsilon', epsilon);
  return { kind: 'adam', ...common(o, 0.001), beta1, beta2, epsilon };
}

/** Adam with decoupled weight decay (Loshchilov & Hutter): w -= lr·weightDecay·w before the Adam step. */
export function adamw(options?: AdamWOptions): Optimizer {
  const o = checkOptions('nn.adamw options', options, adamwOptionKeys);
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, weightDecay = 0.004 } = o;
  checkRange('beta1', beta1, 0, 1);
  checkRange('beta2', beta2, 0, 1);
  checkPositive('epsilon', epsilon);
  checkRange('weightDecay', weightDecay, 0, 1);
  return { kind: 'adamw', ...common(o, 0.001), beta1, beta2, epsilon, weightDecay };
}

export function rmsprop(options?: RmspropOptions): Optimizer {
  const o = checkOptions('nn.rmsprop options', options, rmspropOptionKeys);
  const { rho = 0.9, momentum = 0, epsilon = 1e-7 } = o;
  checkRange('rho', rho, 0, 1);
  checkRange('momentum', momentum, 0, 1);
  checkPositive('epsilon', epsilon);
  return { kind: 'rmsprop', ...common(o, 0.001), rho, momentum, epsilon };
}

/** Adam with Nesterov momentum, as Keras 3 computes it (momentum schedule u_t = β1·(1 − ½·0.96^t)); Keras's defaults. */
export function nadam(options?: NadamOptions): Optimizer {
  const o = checkOptions('nn.nadam options', options, nadamOptionKeys);
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = o;
  checkRange('beta1', beta1, 0, 1);
  checkRange('beta2', beta2, 0, 1);
  checkPositive('epsilon', epsilon);
  return { kind: 'nadam', ...common(o, 0.001), beta1, beta2, epsilon };
}

/** Adagrad as Keras 3 computes it (w −= lr·g/√(a + ε)), with Keras's defaults. */
export function adagrad(options?: AdagradOptions): Optimizer {
  const o = checkOptions('nn.adagrad options', options, adagradOptionKeys);
  const { initialAccumulatorValue = 0.1, epsilon = 1e-7 } = o;
  if (typeof initialAccumulatorValue !== 'number' || !Number.isFinite(initialAccumulatorValue) || initialAccumulatorValue < 0) {
    fail('initialAccumulatorValue', 'a finite number >= 0', initialAccumulatorValue);
  }
  checkPositive('epsilon', epsilon);
  return { kind: 'adagrad', ...common(o, 0.001), initialAccumulatorValue, epsilon };
}

const byName = { sgd, adam, adamw, rmsprop, nadam, adagrad } as const;
export type OptimizerName = keyof typeof byName;

/** An optimizer from a name ('adam') or a constructed one; a clear error for anything else. */
export function resolveOptimizer(o: unknown): Optimizer {
  if (typeof o === 'string') {
    const make = (byName as Record<string, () => Optimizer>)[o];
    if (!make) fail('optimizer', `one of ${Object.keys(byName).map((n) => `'${n}'`).join(', ')}`, o);
    return make();
  }
  if (o && typeof o === 'object' && typeof (o as Optimizer).kind === 'string' && Object.hasOwn(byName, (o as Optimizer).kind)) {
    // Through its constructor again: a hand-made { kind: 'sgd', lr: 0.1 } gets the checks nn.sgd(...) applies,
    // so a backend only ever sees a spec with every field present and in range.
    const { kind, schedule, stepSchedule, ...rest } = o as Optimizer;
    // A spec marks an unset clip as 0 (or leaves it out); the constructor's options leave it out.
    for (const k of ['clipValue', 'clipNorm', 'globalClipNorm'] as const) if (rest[k] === 0 || rest[k] === undefined) delete rest[k];
    const lr = stepSchedule ? stepScheduleFromSpec(rest.learningRate, stepSchedule) : schedule ?? rest.learningRate;
    return byName[kind]({ ...rest, learningRate: lr } as never);
  }
  return fail('optimizer', `an optimizer name (${Object.keys(byName).map((n) => `'${n}'`).join(', ')}) or nn.sgd(...)/nn.adam(...)`, o);
}

/** The plain spec a backend receives (schedule stays above the backend). */
export function optimizerSpec(o: Optimizer): OptimizerSpec {
  const { schedule: _schedule, ...spec } = o;
  return spec as OptimizerSpec;
}
