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
 * - Dense kernel is [in, units] row-major, bias is [units]. Weights are listed per layer in model order, as
 *   Keras lists them: dense kernel then bias (bias omitted when useBias is false); batchNormalization gamma, beta,
 *   movingMean, movingVariance (gamma omitted without scale, beta without center); layerNormalization gamma,
 *   beta. Every weight is a parameter of the engine; the moving statistics are the only ones not trainable
 *   (WeightInfo.trainable), and optimizer slots exist for trainable parameters only.
 * - Targets y: [count, outputSize] for meanSquaredError / meanAbsoluteError / huber / binaryCrossentropy /
 *   categoricalCrossentropy, [count] class indices (stored as float) for sparseCategoricalCrossentropy.
 * - Loss is the batch mean (MSE, MAE, Huber and binary cross-entropy: mean over all elements) plus Σ l2·‖W‖² of
 *   every kernel with an l2 regulariser (as Keras reports it). trainBatch returns the loss before the update.
 * - Sample weights (optional, one per row, validated ≥ 0 above): the data loss is Σ w_i·l_i / rows (Keras), l_i
 *   the row's loss (its mean over the outputs for the elementwise losses); the gradient scales likewise.
 *
 * THE CONTRACT between the Model API and the engines (one validator, nothing checked twice):
 * 1. The Model API (src/model.ts and the constructors it takes: layers, optimizers, losses, callbacks) validates
 *    everything a user passes, names the argument at fault, and rejects unknown option keys. It scans every
 *    input array for non-finite values exactly once, except predict's x. It keeps every size within `limits`
 *    (abi.ts).
 * 2. So a backend receives only well-formed specs and data, and trusts them: it does not check ranges, and it
 *    scans no data but predict's x. That one it checks while it reads x anyway (the engines in the first GEMM,
 *    through its output: a separate pass cost up to a tenth of a batch-1024 prediction), and throws
 *    NonFiniteInputError; the Model API then finds and names the first bad value. Sizes: x is [count, inputSize];
 *    y is [count, targetColumns(spec, loss)]; weights and optimizer slots have the sizes weightShapes() and the
 *    optimizer give. Calls come after compile where they need a loss. Any call may come while a fit is running
 *    (between batches): predict, evaluate and getWeights then see the weights of a whole number of steps, never a
 *    step half applied.
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

/**
 * Batch normalisation with Keras's semantics. Training: y = γ·(x − μ_B)/√(σ²_B + ε) + β with the batch mean
 * and the biased batch variance, and moving ← moving·momentum + batch·(1 − momentum) with those same values.
 * Inference: the moving statistics. Parameters: [gamma if scale, beta if center, movingMean, movingVariance];
 * the moving statistics are not trained.
 */
export interface BatchNormLayerSpec {
  kind: 'batchNormalization';
  units: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

/** Layer normalisation over each row's features: y = γ·(x − μ_row)/√(σ²_row + ε) + β (biased variance). */
export interface LayerNormLayerSpec {
  kind: 'layerNormalization';
  units: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
}

/** An activation on its own: out = act(x), units = input width. */
export interface ActivationLayerSpec {
  kind: 'activation';
  units: number;
  activation: ActivationName;
  alpha: number;
}

export type LayerSpec = DenseLayerSpec | DropoutLayerSpec | BatchNormLayerSpec | LayerNormLayerSpec | ActivationLayerSpec;

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
  /** huber: where the loss turns from quadratic to linear (default 1); ignored by the other losses */
  delta?: number;
}

/** Per trainable parameter, its optimizer slots in a fixed order (neurite.h lists them), and the step count. */
export interface OptimizerState {
  step: number;
  slots: Float32Array[];
}

export interface EpochOptions {
  batchSize: number;
  shuffle: boolean;
  /** epoch number: the shuffle key is rngKey(seed, Stream.shuffle, epoch) */
  epoch: number;
  /** called after every batch, in order (no backend thins these reports; the native one queues them from its
   * worker thread, about 3 µs a batch). Throwing stops the epoch after the current batch and rejects it. */
  onBatch?: (batch: number, batches: number, loss: number) => void;
  signal?: AbortSignal;
  /** one weight per row of x (gathered with the rows when shuffled); absent = all 1 */
  sampleWeight?: Float32Array;
  /** [count, outputSize]: filled with each row's training output of this epoch, in x's row order (for metrics
   * computed over the whole epoch); absent = not copied */
  outputs?: Float32Array;
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
  /**
   * Whether trainEpoch computes on a thread of its own (native; wasm's threaded build), the JavaScript thread
   * only awaiting it, rather than on the JavaScript thread in paced pieces (ts; wasm's single-threaded build).
   */
  readonly trainsOffThread: boolean;
  /** Optional: the engine's own scan for the API's finite check of inputs and targets (same answer as
   * firstNonFinite in errors.ts: the index of the first NaN or ±Infinity, or -1), when it is faster. */
  firstNonFinite?(data: Float32Array): number;

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

  /** One step on one batch (optional per-row sample weights); returns the loss before the update. */
  trainBatch(x: Float32Array, y: Float32Array, count: number, sampleWeight?: Float32Array): Promise<number>;
  /** One epoch over (x, y): shuffling, batching and updates all inside the backend. */
  trainEpoch(x: Float32Array, y: Float32Array, count: number, options: EpochOptions): Promise<EpochResult>;
  /** Loss and accuracy on (x, y) at inference (no dropout), in batches of batchSize; optional sample weights. */
  evaluate(x: Float32Array, y: Float32Array, count: number, batchSize: number, sampleWeight?: Float32Array): Promise<EvalResult>;
  /** Outputs [count, outputSize] at inference. Throws NonFiniteInputError if x holds NaN or ±Infinity. */
  predict(x: Float32Array, count: number): Promise<Float32Array>;
  /** Synchronous inference for small inputs (browser UIs, CLI predict). Checks x as predict does. */
  predictSync(x: Float32Array, count: number): Float32Array;

  dispose(): void;
}

/** How an engine runs a model (not what the model is). */
export interface EngineOptions {
  /** threads for the model's kernels (1 .. limits.maxThreads): native, and wasm up to the threads its build has
   * (WasmBackend.threads); ts runs on one. Default: available cores. */
  threads?: number;
}

export interface Backend {
  readonly name: BackendName;
  createModel(spec: ModelSpec, options?: EngineOptions): BackendModel;
}

/** One weight of a layer, in getWeights order. */
export interface WeightInfo {
  /** index of its layer in spec.layers */
  layer: number;
  /** Keras's name for it: kernel, bias, gamma, beta, movingMean, movingVariance */
  role: 'kernel' | 'bias' | 'gamma' | 'beta' | 'movingMean' | 'movingVariance';
  shape: number[];
  /** false for the moving statistics: the optimizer never updates them */
  trainable: boolean;
}

/** Every weight of the model in getWeights order (per layer, in model order, each layer in Keras's order). */
export function weightInfos(spec: ModelSpec): WeightInfo[] {
  const out: WeightInfo[] = [];
  spec.layers.forEach((layer, i) => {
    const add = (role: WeightInfo['role'], shape: number[], trainable = true) => out.push({ layer: i, role, shape, trainable });
    if (layer.kind === 'dense') {
      add('kernel', [layer.inputSize, layer.units]);
      if (layer.useBias) add('bias', [layer.units]);
    } else if (layer.kind === 'batchNormalization' || layer.kind === 'layerNormalization') {
      if (layer.scale) add('gamma', [layer.units]);
      if (layer.center) add('beta', [layer.units]);
      if (layer.kind === 'batchNormalization') {
        add('movingMean', [layer.units], false);
        add('movingVariance', [layer.units], false);
      }
    }
  });
  return out;
}

/** Shape of each parameter, in getWeights order (see weightInfos). */
export function weightShapes(spec: ModelSpec): number[][] {
  return weightInfos(spec).map((w) => w.shape);
}

/** Whether a layer holds trainable parameters (a layer below one that does needs no input gradient). */
export function hasTrainableWeights(layer: LayerSpec): boolean {
  if (layer.kind === 'dense') return true;
  if (layer.kind === 'batchNormalization' || layer.kind === 'layerNormalization') return layer.center || layer.scale;
  return false;
}

/**
 * Multiply-adds of one sample's forward pass. The backends with a worker thread run small calls on the calling
 * thread, where a call costs less than the hop to the worker and back, and larger ones on the worker.
 */
export function macsPerRow(spec: ModelSpec): number {
  return spec.layers.reduce((sum, l) => sum + (l.kind === 'dense' ? l.inputSize * l.units : 0), 0);
}

export function outputSize(spec: ModelSpec): number {
  return spec.layers.length ? spec.layers[spec.layers.length - 1]!.units : spec.inputSize;
}

/** Whether the loss reports an accuracy: the cross-entropies (not MSE, MAE or Huber, which read the outputs). */
export function lossHasAccuracy(loss: LossName): boolean {
  return loss !== 'meanSquaredError' && loss !== 'meanAbsoluteError' && loss !== 'huber';
}

/** Floats of y per sample: one class index for the sparse loss, else one per output unit (the C core's y_width). */
export function targetColumns(spec: ModelSpec, loss: LossName): number {
  return loss === 'sparseCategoricalCrossentropy' ? 1 : outputSize(spec);
}

/** What predict and predictSync throw when x holds NaN or ±Infinity (contract point 2). */
export class NonFiniteInputError extends Error {
  constructor() {
    super('x holds NaN or Infinity');
    this.name = 'NonFiniteInputError';
  }
}

export class AbortError extends Error {
  constructor(message = 'fit aborted') {
    super(message);
    this.name = 'AbortError';
  }
}
