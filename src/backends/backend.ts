/**
 * The backend interface: the one seam between the Model API and the engines (ts, native, wasm).
 *
 * The unit of work is a whole training step (forward, loss, backward, optimizer update of one batch) and a
 * whole epoch (shuffle, every batch, progress), never a single operation: crossing N-API or WASM per matmul is
 * what makes small networks slow. A backend owns the model's weights, gradients and optimizer state.
 * Everything above this file (model.ts, callbacks, CLI) knows nothing of which backend runs it.
 *
 * Layout conventions shared by every backend:
 * - Samples are rows: x is [count, inputSize] row-major Float32Array.
 * - Dense kernel is [in, units] row-major, bias is [units]. Weights are listed per dense layer in order:
 *   kernel then bias (bias omitted when useBias is false).
 * - Targets y: [count, outputSize] for meanSquaredError / binaryCrossentropy / categoricalCrossentropy,
 *   [count] class indices (stored as float) for sparseCategoricalCrossentropy.
 * - Loss is the batch mean (MSE and binary cross-entropy: mean over all elements) plus Σ l2·‖W‖² of every
 *   kernel with an l2 regulariser (as Keras reports it). trainBatch returns the loss before the update.
 *
 * THE CONTRACT between the Model API and the engines (one validator, nothing checked twice):
 * 1. The Model API (src/model.ts and the constructors it takes: layers, optimizers, losses, callbacks) validates
 *    everything a user passes, names the argument at fault, and rejects unknown option keys. It scans every
 *    input array for non-finite values exactly once. It keeps every size within `limits` (abi.ts).
 * 2. So a backend receives only well-formed specs and data, and trusts them: it does not check ranges, and it
 *    never scans data. Sizes: x is [count, inputSize]; y is [count, targetColumns(spec, loss)]; weights and
 *    optimizer slots have the sizes weightShapes() and the optimizer give. Calls come after compile where they
 *    need a loss. Any call may come while a fit is running (between batches): predict, evaluate and getWeights
 *    then see the weights of a whole number of steps, never a step half applied.
 * 3. The C++ core checks only what memory safety needs: array lengths against what it will read or write, enum
 *    codes, indices (sparse labels included), sizes that would overflow. It reports those as a status, which
 *    abi.statusError turns into an Error; reaching one means a bug above it, not a user error.
 * 4. The bindings (native/bindings/*) and native.ts/wasm.ts only translate: typed arrays to pointer + length,
 *    specs to descriptors (abi.ts), statuses to Errors, and long work off the thread or into paced slices.
 */
import type { ActivationName, LossName } from './abi-generated.js';

export type { ActivationName, LossName } from './abi-generated.js';

export type BackendName = 'ts' | 'native' | 'wasm';

/** A dense layer as the engine sees it: out = act(x·W + b). */
export interface DenseLayerSpec {
  kind: 'dense';
  inputSize: number;
  units: number;
  activation: ActivationName;
  /** slope for x < 0 when activation is leakyRelu (Keras default 0.3; tfjs 0.2): set by the API layer */
  alpha: number;
  useBias: boolean;
  /** L2 regularisation factor on the kernel: loss += l2·Σw², grad += 2·l2·w. 0 = none. */
  l2: number;
}

/** Inverted dropout: in training keep a unit with probability 1-rate and scale it by 1/(1-rate). */
export interface DropoutLayerSpec {
  kind: 'dropout';
  units: number;
  rate: number;
  /** integer keep threshold from rng.dropoutThreshold(rate): keep when (rngU32 >>> 8) >= threshold */
  threshold: number;
}

export type LayerSpec = DenseLayerSpec | DropoutLayerSpec;

export interface ModelSpec {
  inputSize: number;
  layers: LayerSpec[];
  /** u32 seed of the counter-based generator (rng.ts): shuffles and dropout masks derive from it */
  seed: number;
}

/**
 * A per-step learning-rate schedule the engine evaluates at each optimizer step (Keras's LearningRateSchedule
 * classes). Its initial rate is the optimizer's learningRate (for piecewiseConstant, values[0]).
 */
export type StepScheduleSpec =
  | { kind: 'cosineDecay'; decaySteps: number; alpha: number; warmupSteps: number; warmupTarget?: number }
  | { kind: 'exponentialDecay'; decaySteps: number; decayRate: number; staircase: boolean }
  | { kind: 'piecewiseConstant'; boundaries: number[]; values: number[] };

/**
 * What every optimizer has: the rate, an optional per-step schedule, and gradient clipping as Keras applies it
 * before the update (to the loss gradient with its L2 term). At most one clip is set; absent or 0 = off.
 */
export interface OptimizerCommon {
  learningRate: number;
  stepSchedule?: StepScheduleSpec;
  /** clamp each gradient element to [−clipValue, clipValue] */
  clipValue?: number;
  /** per parameter: g·c / max(‖g‖, c) */
  clipNorm?: number;
  /** all parameters together: g·c / max(‖all g‖, c) */
  globalClipNorm?: number;
}

export type OptimizerSpec = OptimizerCommon & (
  | { kind: 'sgd'; momentum: number; nesterov: boolean }
  | { kind: 'adam'; beta1: number; beta2: number; epsilon: number }
  | { kind: 'adamw'; beta1: number; beta2: number; epsilon: number; weightDecay: number }
  | { kind: 'rmsprop'; rho: number; momentum: number; epsilon: number }
  | { kind: 'nadam'; beta1: number; beta2: number; epsilon: number }
  | { kind: 'adagrad'; initialAccumulatorValue: number; epsilon: number }
);

export interface TrainSpec {
  optimizer: OptimizerSpec;
  loss: LossName;
}

/** Per parameter, its optimizer slots in a fixed order (neurite.h lists them), and the optimizer step count. */
export interface OptimizerState {
  step: number;
  slots: Float32Array[];
}

export interface EpochOptions {
  batchSize: number;
  shuffle: boolean;
  /** epoch number: the shuffle key is rngKey(seed, Stream.shuffle, epoch) */
  epoch: number;
  /** called after each batch (throttling is the backend's choice; it must be called for the last batch) */
  onBatch?: (batch: number, batches: number, loss: number) => void;
  signal?: AbortSignal;
}

export interface EpochResult {
  /** mean of the batch losses, weighted by batch size */
  loss: number;
  /** training accuracy over the epoch measured on the training outputs (undefined for MSE) */
  accuracy?: number;
}

export interface EvalResult {
  loss: number;
  accuracy?: number;
}

/** A model living inside one backend. Arrays passed in are only read; arrays returned are fresh copies. */
export interface BackendModel {
  readonly backend: BackendName;
  readonly spec: ModelSpec;

  /** Replace all parameters (getWeights order and sizes; validated by the caller). */
  setWeights(weights: Float32Array[]): void;
  getWeights(): Float32Array[];

  /** Set optimizer and loss; resets optimizer state and the step counter. */
  compile(train: TrainSpec): void;
  /** Change the learning rate between steps (schedules, ReduceLROnPlateau) without resetting state. */
  setLearningRate(lr: number): void;
  /** Optimizer state as flat arrays (per parameter: slots in a fixed order) and the step counter, for saving. */
  getOptimizerState(): OptimizerState;
  setOptimizerState(state: OptimizerState): void;

  /** One step on one batch; returns the loss before the update. */
  trainBatch(x: Float32Array, y: Float32Array, count: number): Promise<number>;
  /** One epoch over (x, y): shuffling, batching and updates all inside the backend. */
  trainEpoch(x: Float32Array, y: Float32Array, count: number, options: EpochOptions): Promise<EpochResult>;
  /** Loss and accuracy on (x, y) at inference (no dropout), in batches of batchSize. */
  evaluate(x: Float32Array, y: Float32Array, count: number, batchSize: number): Promise<EvalResult>;
  /** Outputs [count, outputSize] at inference. */
  predict(x: Float32Array, count: number): Promise<Float32Array>;
  /** Synchronous inference for small inputs (browser UIs, CLI predict). */
  predictSync(x: Float32Array, count: number): Float32Array;

  dispose(): void;
}

/** How an engine runs a model (not what the model is). */
export interface EngineOptions {
  /** threads for the model's kernels (1 .. limits.maxThreads); native only (ts and wasm run on one thread).
   * Default: available cores. */
  threads?: number;
}

export interface Backend {
  readonly name: BackendName;
  createModel(spec: ModelSpec, options?: EngineOptions): BackendModel;
}

/** Shape of each parameter (kernel [in, units], then bias [units] of each dense layer), in getWeights order. */
export function weightShapes(spec: ModelSpec): number[][] {
  const shapes: number[][] = [];
  for (const layer of spec.layers) {
    if (layer.kind !== 'dense') continue;
    shapes.push([layer.inputSize, layer.units]);
    if (layer.useBias) shapes.push([layer.units]);
  }
  return shapes;
}

export function outputSize(spec: ModelSpec): number {
  return spec.layers.length ? spec.layers[spec.layers.length - 1]!.units : spec.inputSize;
}

/** Floats of y per sample: one class index for the sparse loss, else one per output unit (the C core's y_width). */
export function targetColumns(spec: ModelSpec, loss: LossName): number {
  return loss === 'sparseCategoricalCrossentropy' ? 1 : outputSize(spec);
}

export class AbortError extends Error {
  constructor(message = 'fit aborted') {
    super(message);
    this.name = 'AbortError';
  }
}
