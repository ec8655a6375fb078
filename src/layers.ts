import type { ActivationName } from './backends/backend.js';
import { checkActivation, DEFAULT_LEAKY_ALPHA, type ActivationInput } from './activations.js';
import { limits } from './backends/abi.js';
import { checkIntInRange, checkOptions, checkRange, fail, type OptionKeys } from './errors.js';
import { checkInitializer, type InitializerName } from './initializers.js';
import { regularizerKeys, type Regularizer } from './regularizers.js';

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
  /** one of activationNames, or 'silu' (an alias of 'swish'); default 'linear' */
  activation?: ActivationInput;
  /** negative slope of leakyRelu (default 0.3, as Keras) */
  alpha?: number;
  useBias?: boolean;
  kernelInitializer?: InitializerName;
  biasInitializer?: InitializerName;
  kernelRegularizer?: Regularizer;
  name?: string;
}

export const denseOptionKeys: OptionKeys<DenseOptions> = {
  inputShape: true,
  activation: true,
  alpha: true,
  useBias: true,
  kernelInitializer: true,
  biasInitializer: true,
  kernelRegularizer: true,
  name: true,
};

/** The object form of dropout's argument. */
export interface DropoutOptions {
  rate: number;
  inputShape?: number[];
  name?: string;
}

export const dropoutOptionKeys: OptionKeys<DropoutOptions> = { rate: true, inputShape: true, name: true };

function checkName(v: unknown): string | undefined {
  if (v !== undefined && typeof v !== 'string') fail('name', 'a string', v);
  return v;
}

function checkInputShape(v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length !== 1 || !Number.isInteger(v[0]) || v[0] <= 0 || v[0] > limits.maxWidth) {
    fail('inputShape', `a one-element array [features] with an integer in [1, ${limits.maxWidth}] (dense networks take flat vectors)`, v);
  }
  return [v[0] as number];
}

/** A fully connected layer: out = activation(x·W + b), W of shape [inputs, units]. */
export function dense(units: number, options?: DenseOptions): DenseConfig {
  checkIntInRange('units', units, 1, limits.maxWidth);
  const o = checkOptions('nn.dense options', options, denseOptionKeys);
  const activation = checkActivation('activation', o.activation ?? 'linear');
  const alpha = o.alpha ?? DEFAULT_LEAKY_ALPHA;
  checkRange('alpha', alpha, 0, 1, true);
  if (o.useBias !== undefined && typeof o.useBias !== 'boolean') fail('useBias', 'a boolean', o.useBias);
  const reg = o.kernelRegularizer;
  if (reg !== undefined) {
    checkOptions('kernelRegularizer', reg, regularizerKeys);
    if (typeof reg.l2 !== 'number' || !Number.isFinite(reg.l2) || reg.l2 < 0) fail('kernelRegularizer', 'nn.l2(factor) with factor ≥ 0', reg);
  }
  return {
    kind: 'dense',
    units,
    inputShape: checkInputShape(o.inputShape),
    activation,
    alpha,
    useBias: o.useBias ?? true,
    kernelInitializer: checkInitializer('kernelInitializer', o.kernelInitializer ?? 'glorotUniform'),
    biasInitializer: checkInitializer('biasInitializer', o.biasInitializer ?? 'zeros'),
    kernelRegularizer: reg,
    name: checkName(o.name),
  };
}

/** Inverted dropout: during training zero each unit with probability `rate`, scale the rest by 1/(1-rate). */
export function dropout(rate: number | DropoutOptions): DropoutConfig {
  const o = typeof rate === 'object' && rate !== null ? checkOptions('nn.dropout options', rate, dropoutOptionKeys) : { rate };
  const r = checkRange('dropout rate', o.rate, 0, 1);
  return { kind: 'dropout', rate: r, inputShape: checkInputShape(o.inputShape), name: checkName(o.name) };
}
