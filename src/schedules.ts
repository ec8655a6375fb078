import { checkPositive, checkPositiveInt, checkRange } from './errors.js';

/**
 * Per-epoch learning-rate schedules: `at(epoch)` gives the rate for that epoch (0-based). Pass one as an
 * optimizer's learningRate (nn.adam({ learningRate: nn.cosineDecay(...) })) or to learningRateScheduler().
 * Per epoch, not per step, so the backend's whole-epoch loop never has to call back into JS.
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
export interface ExponentialDecayOptions {
  initial: number;
  rate: number;
  every?: number;
}
export interface CosineDecayOptions {
  initial: number;
  epochs: number;
  alpha?: number;
}

/** lr · factor^floor(epoch / every) */
export function stepDecay(options: StepDecayOptions): Schedule {
  const initial = checkPositive('initial', options.initial);
  const factor = checkRange('factor', options.factor ?? 0.5, 0, 1, true);
  const every = checkPositiveInt('every', options.every ?? 10);
  return { name: 'stepDecay', at: (e) => initial * factor ** Math.floor(e / every) };
}

/** lr · rate^(epoch / every) */
export function exponentialDecay(options: ExponentialDecayOptions): Schedule {
  const initial = checkPositive('initial', options.initial);
  const rate = checkRange('rate', options.rate, 0, 1, true);
  const every = checkPositive('every', options.every ?? 1);
  return { name: 'exponentialDecay', at: (e) => initial * rate ** (e / every) };
}

/** Half a cosine from initial down to initial·alpha over `epochs`, then flat (Loshchilov & Hutter, no restarts). */
export function cosineDecay(options: CosineDecayOptions): Schedule {
  const initial = checkPositive('initial', options.initial);
  const epochs = checkPositiveInt('epochs', options.epochs);
  const alpha = checkRange('alpha', options.alpha ?? 0, 0, 1, true);
  return {
    name: 'cosineDecay',
    at: (e) => {
      const progress = Math.min(e, epochs) / epochs;
      return initial * (alpha + (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    },
  };
}
