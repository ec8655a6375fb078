import type { ActivationName } from './backends/backend.js';
import { checkActivation, DEFAULT_LEAKY_ALPHA } from './activations.js';
import { checkPositiveInt, checkRange, fail } from './errors.js';
import { checkInitializer, type InitializerName } from './initializers.js';
import type { Regularizer } from './regularizers.js';

/** What `dense(...)` and `dropout(...)` return: a description, turned into engine layers by `sequential`. */
export interface DenseConfig {
  kind: 'dense';
  units: number;
  inputShape?: number[];
  activation: ActivationName;
  alpha: number;
  useBias: boolean;
  kernelInitializer: InitializerName;
  biasInitializer: InitializerName;
  kernelRegularizer?: Regularizer;
  name?: string;
}

export interface DropoutConfig {
  kind: 'dropout';
  rate: number;
  inputShape?: number[];
  name?: string;
}

export type LayerConfig = DenseConfig | DropoutConfig;

export interface DenseOptions {
  inputShape?: number[];
  activation?: ActivationName;
  /** negative slope of leakyRelu (default 0.3, as Keras) */
  alpha?: number;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  kernelRegularizer?: Regularizer;
  name?: string;
}

function checkInputShape(v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 1 || !Number.isInteger(v[0]) || v[0] <= 0) {
    fail('inputShape', 'a one-element array [features] with a positive integer (dense networks take flat vectors)', v);
  }
  return [v[0] as number];
}

/** A fully connected layer: out = activation(x·W + b), W of shape [inputs, units]. */
export function dense(units: number, options: DenseOptions = {}): DenseConfig {
  checkPositiveInt('units', units);
  const activation = checkActivation('activation', options.activation ?? 'linear');
  const alpha = options.alpha ?? DEFAULT_LEAKY_ALPHA;
  checkRange('alpha', alpha, 0, 1, true);
  if (options.useBias !== undefined && typeof options.useBias !== 'boolean') fail('useBias', 'a boolean', options.useBias);
  const reg = options.kernelRegularizer;
  if (reg !== undefined && (typeof reg !== 'object' || reg === null || typeof reg.l2 !== 'number' || !(reg.l2 >= 0))) {
    fail('kernelRegularizer', 'nn.l2(factor) with factor ≥ 0', reg);
  }
  return {
    kind: 'dense',
    units,
    inputShape: checkInputShape(options.inputShape),
    activation,
    alpha,
    useBias: options.useBias ?? true,
    kernelInitializer: checkInitializer('kernelInitializer', options.kernelInitializer ?? 'glorotUniform'),
    biasInitializer: checkInitializer('biasInitializer', options.biasInitializer ?? 'zeros'),
    kernelRegularizer: reg,
    name: options.name,
  };
}

export interface DropoutOptions {
  rate: number;
  inputShape?: number[];
  name?: string;
}

/** Inverted dropout: during training zero each unit with probability `rate`, scale the rest by 1/(1-rate). */
export function dropout(rate: number | DropoutOptions): DropoutConfig {
  const opts = typeof rate === 'object' && rate !== null ? rate : { rate };
  checkRange('dropout rate', opts.rate, 0, 1);
  return { kind: 'dropout', rate: opts.rate, inputShape: checkInputShape(opts.inputShape), name: opts.name };
}
