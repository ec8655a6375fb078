import type { OptimizerSpec } from './backends/backend.js';
import { checkOptions, checkPositive, checkRange, fail, type OptionKeys } from './errors.js';
import type { Schedule } from './schedules.js';

/**
 * Optimizer constructors with tfjs/Keras names and defaults. They only describe the optimizer; each backend
 * runs the update in its own kernel. `learningRate` may be a per-epoch schedule (schedules.ts).
 */
export type Optimizer = OptimizerSpec & { schedule?: Schedule };

/** What every optimizer takes: a fixed learning rate or a per-epoch schedule. */
export interface OptimizerOptions {
  learningRate?: number | Schedule;
}
export interface SgdOptions extends OptimizerOptions {
  momentum?: number;
  nesterov?: boolean;
}
export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}
export interface AdamWOptions extends AdamOptions {
  weightDecay?: number;
}
export interface RmspropOptions extends OptimizerOptions {
  rho?: number;
  momentum?: number;
  epsilon?: number;
}

export const sgdOptionKeys: OptionKeys<SgdOptions> = { learningRate: true, momentum: true, nesterov: true };
export const adamOptionKeys: OptionKeys<AdamOptions> = { learningRate: true, beta1: true, beta2: true, epsilon: true };
export const adamwOptionKeys: OptionKeys<AdamWOptions> = { ...adamOptionKeys, weightDecay: true };
export const rmspropOptionKeys: OptionKeys<RmspropOptions> = { learningRate: true, rho: true, momentum: true, epsilon: true };

function learningRate(lr: number | Schedule | undefined, fallback: number): { learningRate: number; schedule?: Schedule } {
  if (lr === undefined) return { learningRate: fallback };
  if (typeof lr === 'object' && lr !== null && typeof (lr as Schedule).at === 'function') {
    const s = lr as Schedule;
    return { learningRate: checkPositive('learningRate', s.at(0)), schedule: s };
  }
  return { learningRate: checkPositive('learningRate', lr) };
}

export function sgd(options?: SgdOptions): Optimizer {
  const o = checkOptions('nn.sgd options', options, sgdOptionKeys);
  const { momentum = 0, nesterov = false } = o;
  checkRange('momentum', momentum, 0, 1);
  if (typeof nesterov !== 'boolean') fail('nesterov', 'a boolean', nesterov);
  return { kind: 'sgd', ...learningRate(o.learningRate, 0.01), momentum, nesterov };
}

export function adam(options?: AdamOptions): Optimizer {
  const o = checkOptions('nn.adam options', options, adamOptionKeys);
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7 } = o;
  checkRange('beta1', beta1, 0, 1);
  checkRange('beta2', beta2, 0, 1);
  checkPositive('epsilon', epsilon);
  return { kind: 'adam', ...learningRate(o.learningRate, 0.001), beta1, beta2, epsilon };
}

/** Adam with decoupled weight decay (Loshchilov & Hutter): w -= lr·weightDecay·w before the Adam step. */
export function adamw(options?: AdamWOptions): Optimizer {
  const o = checkOptions('nn.adamw options', options, adamwOptionKeys);
  const { beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, weightDecay = 0.004 } = o;
  checkRange('beta1', beta1, 0, 1);
  checkRange('beta2', beta2, 0, 1);
  checkPositive('epsilon', epsilon);
  checkRange('weightDecay', weightDecay, 0, 1);
  return { kind: 'adamw', ...learningRate(o.learningRate, 0.001), beta1, beta2, epsilon, weightDecay };
}

export function rmsprop(options?: RmspropOptions): Optimizer {
  const o = checkOptions('nn.rmsprop options', options, rmspropOptionKeys);
  const { rho = 0.9, momentum = 0, epsilon = 1e-7 } = o;
  checkRange('rho', rho, 0, 1);
  checkRange('momentum', momentum, 0, 1);
  checkPositive('epsilon', epsilon);
  return { kind: 'rmsprop', ...learningRate(o.learningRate, 0.001), rho, momentum, epsilon };
}

const byName = { sgd, adam, adamw, rmsprop } as const;
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
    const { kind, schedule, ...rest } = o as Optimizer;
    return byName[kind]({ ...rest, learningRate: schedule ?? rest.learningRate } as never);
  }
  return fail('optimizer', "an optimizer name ('sgd', 'adam', 'adamw', 'rmsprop') or nn.sgd(...)/nn.adam(...)", o);
}

/** The plain spec a backend receives (schedule stays above the backend). */
export function optimizerSpec(o: Optimizer): OptimizerSpec {
  const { schedule: _schedule, ...spec } = o;
  return spec as OptimizerSpec;
}
