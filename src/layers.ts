import type { ActivationName } from './backends/backend.js';
import { checkActivation, DEFAULT_LEAKY_ALPHA, type ActivationInput } from './activations.js';
import { limits } from './backends/abi.js';
import { checkIntInRange, checkOptions, checkRange, fail, type OptionKeys } from './errors.js';
import { checkInitializer, type InitializerName } from './initializers.js';
import { regularizerKeys, type Regularizer } from './regularizers.js';

/** What the layer constructors return: a description, turned into engine layers by `sequential`. */
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

export interface BatchNormalizationConfig {
  kind: 'batchNormalization';
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  inputShape?: number[];
  name?: string;
}

export interface LayerNormalizationConfig {
  kind: 'layerNormalization';
  epsilon: number;
  center: boolean;
  scale: boolean;
  inputShape?: number[];
  name?: string;
}

export interface ActivationConfig {
  kind: 'activation';
  activation: ActivationName;
  alpha: number;
  inputShape?: number[];
  name?: string;
}

/** Flattens rows of any shape to vectors: a description only, as samples are already stored row-major. */
export interface FlattenConfig {
  kind: 'flatten';
  inputShape?: number[];
  name?: string;
}

export type LayerConfig =
  | DenseConfig | DropoutConfig | BatchNormalizationConfig | LayerNormalizationConfig | ActivationConfig | FlattenConfig;

/** Every layer kind nn.sequential takes, as users write them. */
export const layerKindNames = 'nn.dense, nn.dropout, nn.batchNormalization, nn.layerNormalization, nn.activation or nn.flatten';

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
    fail('inputShape', `a one-element array [features] with an integer in [1, ${limits.maxWidth}] (dense networks take flat vectors; nn.flatten({ inputShape: [28, 28] }) takes images)`, v);
  }
  return [v[0] as number];
}

/** Flatten's inputShape may have any number of dimensions; their product is the width the next layer sees. */
function checkFlattenShape(v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  const ok = Array.isArray(v) && v.length >= 1 && v.length <= 8 && v.every((d) => Number.isInteger(d) && d > 0)
    && v.reduce((a: number, b: number) => a * b, 1) <= limits.maxWidth;
  if (!ok) fail('inputShape', `an array of 1 to 8 positive integers whose product is at most ${limits.maxWidth}, e.g. [28, 28]`, v);
  return [...(v as number[])];
}

function checkBoolean(argument: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(argument, 'a boolean', v);
  return v;
}

/** Keras's defaults for both normalisation layers. */
export const DEFAULT_NORM_EPSILON = 1e-3;
export const DEFAULT_BN_MOMENTUM = 0.99;

export interface BatchNormalizationOptions {
  /** moving = moving·momentum + batch·(1 − momentum); default 0.99 (Keras; PyTorch's momentum is 1 − this) */
  momentum?: number;
  /** added to the variance; default 1e-3 (Keras) */
  epsilon?: number;
  /** learn the offset beta (default true) */
  center?: boolean;
  /** learn the factor gamma (default true) */
  scale?: boolean;
  inputShape?: number[];
  name?: string;
}

export const batchNormalizationOptionKeys: OptionKeys<BatchNormalizationOptions> = {
  momentum: true, epsilon: true, center: true, scale: true, inputShape: true, name: true,
};

/** Batch normalisation (Keras semantics: see BatchNormLayerSpec in backends/backend.ts). */
export function batchNormalization(options?: BatchNormalizationOptions): BatchNormalizationConfig {
  const o = checkOptions('nn.batchNormalization options', options, batchNormalizationOptionKeys);
  return {
    kind: 'batchNormalization',
    momentum: checkRange('momentum', o.momentum ?? DEFAULT_BN_MOMENTUM, 0, 1, true),
    epsilon: checkEpsilon(o.epsilon),
    center: checkBoolean('center', o.center, true),
    scale: checkBoolean('scale', o.scale, true),
    inputShape: checkInputShape(o.inputShape),
    name: checkName(o.name),
  };
}

export interface LayerNormalizationOptions {
  /** added to the variance; default 1e-3 (Keras; PyTorch's LayerNorm uses 1e-5) */
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  inputShape?: number[];
  name?: string;
}

export const layerNormalizationOptionKeys: OptionKeys<LayerNormalizationOptions> = {
  epsilon: true, center: true, scale: true, inputShape: true, name: true,
};

/** Layer normalisation over the features of each row, with a learned gamma and beta per feature. */
export function layerNormalization(options?: LayerNormalizationOptions): LayerNormalizationConfig {
  const o = checkOptions('nn.layerNormalization options', options, layerNormalizationOptionKeys);
  return {
    kind: 'layerNormalization',
    epsilon: checkEpsilon(o.epsilon),
    center: checkBoolean('center', o.center, true),
    scale: checkBoolean('scale', o.scale, true),
    inputShape: checkInputShape(o.inputShape),
    name: checkName(o.name),
  };
}

function checkEpsilon(v: unknown): number {
  if (v === undefined) return DEFAULT_NORM_EPSILON;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1) fail('epsilon', 'a number in (0, 1]', v);
  return v;
}

export interface ActivationOptions {
  /** negative slope of leakyRelu (default 0.3, as Keras) */
  alpha?: number;
  inputShape?: number[];
  name?: string;
}

export const activationOptionKeys: OptionKeys<ActivationOptions> = { alpha: true, inputShape: true, name: true };

/** An activation as a layer of its own: dense → batchNormalization → activation('relu'). */
export function activation(name: ActivationName, options?: ActivationOptions): ActivationConfig {
  const o = checkOptions('nn.activation options', options, activationOptionKeys);
  const alpha = o.alpha ?? DEFAULT_LEAKY_ALPHA;
  checkRange('alpha', alpha, 0, 1, true);
  return {
    kind: 'activation',
    activation: checkActivation('activation', name),
    alpha,
    inputShape: checkInputShape(o.inputShape),
    name: checkName(o.name),
  };
}

export interface FlattenOptions {
  /** the shape of one sample, e.g. [28, 28]; only on the first layer */
  inputShape?: number[];
  name?: string;
}

export const flattenOptionKeys: OptionKeys<FlattenOptions> = { inputShape: true, name: true };

/** Flattens each sample to a vector, so image data of shape [samples, 28, 28] trains without a reshape. */
export function flatten(options?: FlattenOptions): FlattenConfig {
  const o = checkOptions('nn.flatten options', options, flattenOptionKeys);
  return { kind: 'flatten', inputShape: checkFlattenShape(o.inputShape), name: checkName(o.name) };
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

export interface DropoutOptions {
  rate: number;
  inputShape?: number[];
  name?: string;
}

/** Inverted dropout: during training zero each unit with probability `rate`, scale the rest by 1/(1-rate). */
export function dropout(rate: number | DropoutOptions): DropoutConfig {
  const o = typeof rate === 'object' && rate !== null ? checkOptions('nn.dropout options', rate, dropoutOptionKeys) : { rate };
  const r = checkRange('dropout rate', o.rate, 0, 1);
  return { kind: 'dropout', rate: r, inputShape: checkInputShape(o.inputShape), name: checkName(o.name) };
}
