import {
  AbortError,
  targetColumns,
  weightShapes,
  type BackendModel,
  type BackendName,
  type DenseLayerSpec,
  type LayerSpec,
  type LossName,
  type ModelSpec,
} from './backends/backend.js';
import { limits } from './backends/abi.js';
import { resolveBackend, type BackendChoice } from './backends/registry.js';
import { checkCallbacks, type Callback, type Logs, type TrainingModel } from './callbacks.js';
import { checkFinite, checkIntInRange, checkOptions, checkPositiveInt, checkRange, fail, NeuriteError, type OptionKeys } from './errors.js';
import { initialize } from './initializers.js';
import type { LayerConfig } from './layers.js';
import { checkLoss, checkLossMatchesOutput } from './losses.js';
import { optimizerSpec, resolveOptimizer, type Optimizer, type OptimizerName } from './optimizers.js';
import { scheduledRate } from './backends/ts/lr-schedule.js';
import { dropoutThreshold } from './rng.js';
import { Tensor, tensor, type TensorLike } from './tensor.js';

export interface SequentialOptions {
  /** 'auto' (default) picks native, then wasm (after `await nn.ready('wasm')`), then ts */
  backend?: BackendChoice;
  /** one seed makes a run repeatable: initial weights, shuffles and dropout masks (u32) */
  seed?: number;
  name?: string;
  /** threads for the native engine's kernels (default: the cores this process may use); ts and wasm use one */
  threads?: number;
}

export const sequentialOptionKeys: OptionKeys<SequentialOptions> = { backend: true, seed: true, name: true, threads: true };

export interface CompileOptions {
  optimizer: Optimizer | OptimizerName;
  loss: LossName | 'mse';
  metrics?: ('accuracy' | 'acc')[];
}

export const compileOptionKeys: OptionKeys<CompileOptions> = { optimizer: true, loss: true, metrics: true };

export interface FitOptions {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  /** fraction of the samples, taken from the end before shuffling (as Keras), held out for validation */
  validationSplit?: number;
  validationData?: [TensorLike, TensorLike];
  callbacks?: Callback[] | Callback;
  /** stops training between batches; fit then rejects with an AbortError */
  signal?: AbortSignal;
  initialEpoch?: number;
}

export const fitOptionKeys: OptionKeys<FitOptions> = {
  epochs: true,
  batchSize: true,
  shuffle: true,
  validationSplit: true,
  validationData: true,
  callbacks: true,
  signal: true,
  initialEpoch: true,
};

export interface EvaluateOptions {
  /** rows per forward pass (default 256); the result does not depend on it */
  batchSize?: number;
}

export const evaluateOptionKeys: OptionKeys<EvaluateOptions> = { batchSize: true };

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

export interface EvaluateResult {
  loss: number;
  accuracy?: number;
}

/** What a saved model carries besides weights (class names, normalisation statistics). */
export interface ModelExtras {
  classNames?: string[];
  standardization?: { mean: number[]; std: number[] };
}

export interface SaveOptions extends ModelExtras {
  /** also save the optimizer state so training can resume where it stopped */
  includeOptimizer?: boolean;
}

export const saveOptionKeys: OptionKeys<SaveOptions> = { includeOptimizer: true, classNames: true, standardization: true };

/**
 * The file formats live in io/; the entry points (api.ts, index.ts) plug them in here, so the model neither
 * imports them (no import cycle) nor, in a browser bundle, drags in node:fs.
 */
export const modelFormats: {
  save?: (model: Sequential, path: string | undefined, options: SaveOptions) => Promise<Uint8Array | void>;
  toOnnx?: (model: Sequential) => Uint8Array;
  loadWeights?: (model: Sequential, source: string | Uint8Array | ArrayBuffer) => Promise<void>;
} = {};

/** The layers a user described, resolved: sizes known, initialisers kept for building weights. */
interface ResolvedLayer {
  config: LayerConfig;
  spec: LayerSpec;
}

export class Sequential implements TrainingModel {
  readonly name: string;
  readonly seed: number;
  readonly spec: ModelSpec;
  readonly inputSize: number;
  readonly outputSize: number;
  stopTraining = false;
  /** class names and normalisation statistics that came with a loaded model (or to save with it) */
  extras: ModelExtras = {};

  private readonly layers: ResolvedLayer[];
  private engine: BackendModel | undefined;
  private compiled: { loss: LossName; optimizer: Optimizer; metrics: string[] } | undefined;
  private learningRate = 0;
  private busy = false;

  constructor(layers: LayerConfig[], options: SequentialOptions = {}) {
    checkOptions('nn.sequential options', options, sequentialOptionKeys);
    if (!Array.isArray(layers) || layers.length === 0 || layers.length > limits.maxLayers) {
      fail('layers', `an array of 1 to ${limits.maxLayers} layers (nn.dense(...), nn.dropout(...))`, layers);
    }
    const seed = options.seed ?? Math.floor(Math.random() * 0x100000000);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail('seed', 'an integer in [0, 2^32)', seed);
    this.seed = seed;
    this.name = options.name ?? 'sequential';

    const first = layers[0]!;
    if (!first || typeof first !== 'object' || !('kind' in first)) fail('layers[0]', 'a layer from nn.dense(...) or nn.dropout(...)', first);
    if (!first.inputShape) fail('layers[0].inputShape', 'the number of input features, e.g. dense(16, { inputShape: [4] })');
    let width = first.inputShape[0]!;
    this.inputSize = width;
    this.layers = layers.map((config, i) => {
      if (!config || (config.kind !== 'dense' && config.kind !== 'dropout')) {
        fail(`layers[${i}]`, 'a layer from nn.dense(...) or nn.dropout(...)', config);
      }
      if (i > 0 && config.inputShape && config.inputShape[0] !== width) {
        fail(`layers[${i}].inputShape`, `[${width}] (the previous layer's output)`, config.inputShape);
      }
      let spec: LayerSpec;
      if (config.kind === 'dense') {
        if (config.activation === 'softmax' && i !== layers.length - 1) {
          fail(`layers[${i}].activation`, "'softmax' only on the output layer; use relu/tanh/... in hidden layers", config.activation);
        }
        spec = {
          kind: 'dense',
          inputSize: width,
          units: config.units,
          activation: config.activation,
          alpha: config.alpha,
          useBias: config.useBias,
          l2: config.kernelRegularizer?.l2 ?? 0,
        };
        width = config.units;
      } else {
        spec = { kind: 'dropout', units: width, rate: config.rate, threshold: dropoutThreshold(config.rate) };
      }
      return { config, spec };
    });
    this.outputSize = width;
    this.spec = { inputSize: this.inputSize, layers: this.layers.map((l) => l.spec), seed };
    if (options.threads !== undefined) checkIntInRange('threads', options.threads, 1, limits.maxThreads);
    this.engine = resolveBackend(options.backend ?? 'auto').createModel(this.spec, { threads: options.threads });
    this.engine.setWeights(this.initialWeights());
  }

  /** Which engine runs this model. */
  get backend(): BackendName {
    return this.live().backend;
  }

  private live(): BackendModel {
    if (!this.engine) throw new NeuriteError('model: this model was disposed');
    return this.engine;
  }

  private initialWeights(): Float32Array[] {
    const out: Float32Array[] = [];
    for (const { config, spec } of this.layers) {
      if (config.kind !== 'dense' || spec.kind !== 'dense') continue;
      out.push(initialize(config.kernelInitializer, [spec.inputSize, spec.units], this.seed, out.length));
      if (spec.useBias) out.push(initialize(config.biasInitializer, [spec.units], this.seed, out.length));
    }
    return out;
  }

  /** The activation the loss is fused with: that of the last layer, which must be dense (not dropout). */
  private outputActivation() {
    const last = this.spec.layers[this.spec.layers.length - 1];
    return last?.kind === 'dense' ? (last as DenseLayerSpec).activation : undefined;
  }

  compile(options: CompileOptions): void {
    if (!options || typeof options !== 'object') fail('compile options', '{ optimizer, loss, metrics? }', options);
    checkOptions('compile options', options, compileOptionKeys);
    const loss = checkLoss(options.loss);
    checkLossMatchesOutput(loss, this.outputActivation());
    if (loss === 'sparseCategoricalCrossentropy' && this.outputSize < 2) {
      fail('loss', 'a softmax output with at least 2 units for sparseCategoricalCrossentropy', this.outputSize);
    }
    const optimizer = resolveOptimizer(options.optimizer);
    const metrics = options.metrics ?? [];
    if (!Array.isArray(metrics)) fail('metrics', "an array such as ['accuracy']", metrics);
    for (const m of metrics) if (m !== 'accuracy' && m !== 'acc') fail('metrics', "'accuracy' (the only metric so far)", m);
    this.compiled = { loss, optimizer, metrics: metrics.length ? ['accuracy'] : [] };
    this.learningRate = optimizer.learningRate;
    this.live().compile({ optimizer: optimizerSpec(optimizer), loss });
  }

  private requireCompiled(what: string) {
    if (!this.compiled) throw new NeuriteError(`${what}: call model.compile({ optimizer, loss }) first`);
    return this.compiled;
  }

  // ---- data checks: everything a backend receives has been validated here ----

  private inputs(x: TensorLike, argument: string): { data: Float32Array; count: number } {
    const t = asTensor(x, argument);
    const features = t.shape.length === 1 && this.inputSize === 1 ? 1 : t.shape[1];
    if (t.shape.length > 2 || features !== this.inputSize) {
      fail(argument, `shape [samples, ${this.inputSize}] (the model's inputShape), got [${t.shape.join(', ')}]`);
    }
    const count = t.shape[0]!;
    if (count === 0) fail(argument, 'at least one sample');
    checkFinite(argument, t.data, this.inputSize);
    return { data: fixedSize(t.data), count };
  }

  private targets(y: TensorLike, count: number, argument: string): Float32Array {
    const { loss } = this.requireCompiled(argument);
    const t = asTensor(y, argument);
    const out = this.outputSize;
    if (loss === 'sparseCategoricalCrossentropy') {
      if (t.size !== count || (t.shape.length === 2 && t.shape[1] !== 1)) {
        fail(argument, `${count} class indices, shape [${count}] (sparseCategoricalCrossentropy), got [${t.shape.join(', ')}]`);
      }
      for (let i = 0; i < count; i++) {
        const v = t.data[i]!;
        if (!Number.isInteger(v) || v < 0 || v >= out) fail(argument, `class indices in [0, ${out}) (found ${v} at row ${i})`);
      }
      return fixedSize(t.data);
    }
    const cols = t.shape.length === 1 ? 1 : t.shape[1];
    if (t.shape.length > 2 || cols !== out || t.shape[0] !== count) {
      fail(argument, `shape [${count}, ${out}] (one row per input sample, one column per output unit), got [${t.shape.join(', ')}]`);
    }
    checkFinite(argument, t.data, out);
    if (loss === 'categoricalCrossentropy') {
      for (let r = 0; r < count; r++) {
        let sum = 0;
        for (let c = 0; c < out; c++) {
          const v = t.data[r * out + c]!;
          if (v < 0 || v > 1) fail(argument, `one-hot rows (values in [0, 1]); row ${r} has ${v}. Use nn.oneHot(labels, ${out})`);
          sum += v;
        }
        if (Math.abs(sum - 1) > 1e-3) fail(argument, `one-hot rows summing to 1; row ${r} sums to ${sum}. Use nn.oneHot(labels, ${out})`);
      }
    } else if (loss === 'binaryCrossentropy') {
      for (let i = 0; i < t.size; i++) {
        const v = t.data[i]!;
        if (v < 0 || v > 1) fail(argument, `binary targets in [0, 1] (found ${v} at row ${Math.floor(i / out)})`);
      }
    }
    return fixedSize(t.data);
  }

  private enter(what: string): void {
    if (this.busy) throw new NeuriteError(`${what}: the model is busy with another fit/trainOnBatch call; await it first`);
    this.busy = true;
  }

  // ---- training ----

  async trainOnBatch(x: TensorLike, y: TensorLike): Promise<number> {
    this.requireCompiled('trainOnBatch');
    const { data, count } = this.inputs(x, 'x');
    const targets = this.targets(y, count, 'y');
    this.enter('trainOnBatch');
    try {
      return await this.live().trainBatch(data, targets, count);
    } finally {
      this.busy = false;
    }
  }

  async fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    checkOptions('fit options', options, fitOptionKeys);
    const compiled = this.requireCompiled('fit');
    const epochs = options.epochs ?? 1;
    checkPositiveInt('epochs', epochs);
    const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 32);
    const shuffle = options.shuffle ?? true;
    if (typeof shuffle !== 'boolean') fail('shuffle', 'a boolean', shuffle);
    const initialEpoch = options.initialEpoch ?? 0;
    if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) fail('initialEpoch', `an integer in [0, ${epochs})`, initialEpoch);
    const callbacks = checkCallbacks(options.callbacks);
    const signal = options.signal;
    if (signal !== undefined && !(typeof signal === 'object' && 'aborted' in signal)) fail('signal', 'an AbortSignal', signal);

    const { data: xAll, count: total } = this.inputs(x, 'x');
    const yAll = this.targets(y, total, 'y');
    const yCols = targetColumns(this.spec, compiled.loss);

    let train = { x: xAll, y: yAll, count: total };
    let val: { x: Float32Array; y: Float32Array; count: number } | undefined;
    if (options.validationData) {
      if (options.validationSplit !== undefined) fail('validationSplit', 'not both validationSplit and validationData');
      if (!Array.isArray(options.validationData) || options.validationData.length !== 2) fail('validationData', '[x, y]', options.validationData);
      const [vx, vy] = options.validationData;
      const vIn = this.inputs(vx, 'validationData[0]');
      val = { x: vIn.data, y: this.targets(vy, vIn.count, 'validationData[1]'), count: vIn.count };
    } else if (options.validationSplit !== undefined) {
      const split = checkRange('validationSplit', options.validationSplit, 0, 1);
      const nVal = Math.floor(total * split);
      if (split > 0 && (nVal === 0 || nVal === total)) {
        fail('validationSplit', `a fraction that leaves samples on both sides (${total} samples)`, split);
      }
      if (nVal > 0) {
        const nTrain = total - nVal;
        // subarray views: no copy of the caller's data
        train = { x: xAll.subarray(0, nTrain * this.inputSize), y: yAll.subarray(0, nTrain * yCols), count: nTrain };
        val = { x: xAll.subarray(nTrain * this.inputSize), y: yAll.subarray(nTrain * yCols), count: nVal };
      }
    }

    const history: History = { epoch: [], history: {} };
    const withAccuracy = compiled.metrics.includes('accuracy');
    const schedule = compiled.optimizer.schedule;
    const batchCallbacks = callbacks.filter((cb) => cb.onBatchEnd);
    this.enter('fit');
    this.stopTraining = false;
    let lastLogs: Logs | undefined;
    try {
      for (const cb of callbacks) await cb.onTrainBegin?.(this);
      for (let epoch = initialEpoch; epoch < epochs; epoch++) {
        if (signal?.aborted) throw new AbortError();
        if (schedule) this.setLearningRate(schedule.at(epoch));
        for (const cb of callbacks) await cb.onEpochBegin?.(epoch, this);
        const result = await this.live().trainEpoch(train.x, train.y, train.count, {
          batchSize,
          shuffle,
          epoch,
          signal,
          onBatch: batchCallbacks.length
            ? (batch, batches, loss) => {
                for (const cb of batchCallbacks) cb.onBatchEnd!(batch, { loss, batches, epoch });
              }
            : undefined,
        });
        const logs: Logs = { loss: result.loss };
        if (withAccuracy && result.accuracy !== undefined) logs.accuracy = result.accuracy;
        if (val) {
          const v = await this.live().evaluate(val.x, val.y, val.count, Math.max(batchSize, 256));
          logs.val_loss = v.loss;
          if (withAccuracy && v.accuracy !== undefined) logs.val_accuracy = v.accuracy;
        }
        logs.lr = this.currentLearningRate();
        history.epoch.push(epoch);
        for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
        lastLogs = logs;
        for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, this);
        if (this.stopTraining) break;
      }
    } finally {
      this.busy = false;
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(this, lastLogs);
    return history;
  }

  async evaluate(x: TensorLike, y: TensorLike, options: EvaluateOptions = {}): Promise<EvaluateResult> {
    checkOptions('evaluate options', options, evaluateOptionKeys);
    this.requireCompiled('evaluate');
    const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 256);
    const { data, count } = this.inputs(x, 'x');
    const targets = this.targets(y, count, 'y');
    const r = await this.live().evaluate(data, targets, count, batchSize);
    return r.accuracy === undefined ? { loss: r.loss } : { loss: r.loss, accuracy: r.accuracy };
  }

  /** Outputs for each input row, at inference (dropout off). Needs no compile. */
  async predict(x: TensorLike): Promise<Tensor> {
    const { data, count } = this.inputs(x, 'x');
    return new Tensor(await this.live().predict(data, count), [count, this.outputSize]);
  }

  /** Synchronous predict for small inputs (UI code, a single sample). */
  predictSync(x: TensorLike): Tensor {
    const { data, count } = this.inputs(x, 'x');
    return new Tensor(this.live().predictSync(data, count), [count, this.outputSize]);
  }

  // ---- weights ----

  /** Kernels [in, units] then biases [units] of each dense layer, as fresh tensors. */
  getWeights(): Tensor[] {
    const shapes = weightShapes(this.spec);
    return this.live().getWeights().map((w, i) => new Tensor(w, shapes[i]!));
  }

  setWeights(weights: (Tensor | Float32Array)[]): void {
    this.setWeightArrays(this.checkWeights(weights));
  }

  private checkWeights(weights: unknown): Float32Array[] {
    const shapes = weightShapes(this.spec);
    if (!Array.isArray(weights) || weights.length !== shapes.length) {
      fail('weights', `${shapes.length} tensors (${shapes.map((s) => `[${s.join(', ')}]`).join(', ')})`, weights);
    }
    return weights.map((w, i) => {
      const expected = shapes[i]!;
      const size = expected.reduce((a, b) => a * b, 1);
      const data = w instanceof Tensor ? w.data : w instanceof Float32Array ? w : undefined;
      if (!data) fail(`weights[${i}]`, `a Tensor of shape [${expected.join(', ')}]`, w);
      if (w instanceof Tensor && (w.shape.length !== expected.length || w.shape.some((d, j) => d !== expected[j]))) {
        fail(`weights[${i}]`, `shape [${expected.join(', ')}], got [${w.shape.join(', ')}]`);
      }
      if (data.length !== size) fail(`weights[${i}]`, `${size} values (shape [${expected.join(', ')}])`, data.length);
      checkFinite(`weights[${i}]`, data, expected[expected.length - 1]!);
      return data;
    });
  }

  getWeightArrays(): Float32Array[] {
    return this.live().getWeights();
  }

  setWeightArrays(weights: Float32Array[]): void {
    this.live().setWeights(weights);
  }

  getLearningRate(): number {
    return this.learningRate;
  }

  /** The rate the next step uses: under a per-step schedule, the schedule at the engine's step count. */
  private currentLearningRate(): number {
    const stepSchedule = this.compiled?.optimizer.stepSchedule;
    if (!stepSchedule) return this.learningRate;
    return scheduledRate(stepSchedule, this.compiled!.optimizer.learningRate, this.live().getOptimizerState().step);
  }

  setLearningRate(lr: number): void {
    this.requireCompiled('setLearningRate');
    if (this.compiled!.optimizer.stepSchedule) {
      // As Keras: the engine sets the rate at every step from the schedule, so a rate set from outside would be lost.
      throw new NeuriteError(
        `setLearningRate: the optimizer's learning rate follows a per-step schedule (nn.${this.compiled!.optimizer.stepSchedule.kind}); ` +
          'it cannot also be set by a callback (learningRateScheduler, reduceLROnPlateau) or by hand',
      );
    }
    if (!(typeof lr === 'number' && Number.isFinite(lr) && lr > 0)) fail('learningRate', 'a finite number > 0', lr);
    this.learningRate = lr;
    this.live().setLearningRate(lr);
  }

  /** Loss name and optimizer, for savers and the CLI. */
  get compileConfig(): { loss: LossName; optimizer: Optimizer } | undefined {
    return this.compiled && { loss: this.compiled.loss, optimizer: this.compiled.optimizer };
  }

  /** The layers as configured (for savers, summaries and the playground's diagram). */
  get layerConfigs(): LayerConfig[] {
    return this.layers.map((l) => l.config);
  }

  countParams(): number {
    return weightShapes(this.spec).reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
  }

  /** A Keras-style table: layer, output shape, parameter count. Returned and, by default, printed. */
  summary(print: (line: string) => void = console.log): string {
    const rows: [string, string, string][] = [];
    let denseIndex = 0;
    let dropoutIndex = 0;
    for (const { config, spec } of this.layers) {
      if (spec.kind === 'dense') {
        const params = spec.inputSize * spec.units + (spec.useBias ? spec.units : 0);
        rows.push([`${config.name ?? `dense_${++denseIndex}`} (Dense, ${spec.activation})`, `[null, ${spec.units}]`, String(params)]);
      } else {
        rows.push([`${config.name ?? `dropout_${++dropoutIndex}`} (Dropout ${spec.rate})`, `[null, ${spec.units}]`, '0']);
      }
    }
    const head: [string, string, string] = ['Layer (type)', 'Output shape', 'Param #'];
    const w = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((r) => r[i]!.length)) + 2);
    const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join('').trimEnd();
    const rule = '_'.repeat(w[0]! + w[1]! + w[2]!);
    const text = [
      `Model: ${this.name} (backend: ${this.backend}, input [null, ${this.inputSize}])`,
      rule,
      line(head),
      '='.repeat(rule.length),
      ...rows.map(line),
      '='.repeat(rule.length),
      `Total params: ${this.countParams().toLocaleString('en-US')}`,
    ].join('\n');
    print(text);
    return text;
  }

  /**
   * Save as safetensors (weights, PyTorch layout) with the architecture in its metadata. With a path (Node)
   * writes the file; without one returns the bytes (browsers: wrap them in a Blob to download).
   */
  async save(path?: string, options: SaveOptions = {}): Promise<Uint8Array | void> {
    checkOptions('save options', options, saveOptionKeys);
    if (!modelFormats.save) throw new NeuriteError('save: no model format is registered (import neurite from its package entry)');
    return modelFormats.save(this, path, { ...this.extras, ...options });
  }

  /**
   * Weights from a safetensors file (a path in Node, or the file's bytes): a PyTorch state_dict of the same
   * nn.Sequential (F32/F16/BF16/F64) or a neurite file of the same architecture. Tensors go to the dense layers
   * in order; a mismatch is an error listing what the file holds and what the model expects.
   */
  async loadWeights(source: string | Uint8Array | ArrayBuffer): Promise<void> {
    if (!modelFormats.loadWeights) throw new NeuriteError('loadWeights: no model format is registered (import neurite from its package entry)');
    return modelFormats.loadWeights(this, source);
  }

  /** The model as an ONNX (opset 13) graph: Gemm + activations, dropout removed, symbolic batch size. */
  toOnnx(): Uint8Array {
    if (!modelFormats.toOnnx) throw new NeuriteError('toOnnx: no model format is registered (import neurite from its package entry)');
    return modelFormats.toOnnx(this);
  }

  /** Frees the engine's memory now (native and wasm hold it outside the JS heap). */
  dispose(): void {
    this.engine?.dispose();
    this.engine = undefined;
  }

  /** Optimizer state, for savers that resume training. */
  getOptimizerState() {
    return this.live().getOptimizerState();
  }

  setOptimizerState(state: { step: number; slots: Float32Array[] }) {
    this.live().setOptimizerState(state);
  }
}

/**
 * An array an engine may read off the main thread (native workers) must not shrink meanwhile: a view of a
 * resizable ArrayBuffer or a growable SharedArrayBuffer is copied, anything else is passed as it is.
 */
function fixedSize(data: Float32Array): Float32Array {
  const buffer = data.buffer as { resizable?: boolean; growable?: boolean };
  return buffer.resizable || buffer.growable ? data.slice() : data;
}

/** Any accepted data form as a Tensor (tensor() does the conversion), with errors that name the argument. */
function asTensor(v: TensorLike, argument: string): Tensor {
  if (v instanceof Tensor) return v;
  if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    return fail(argument, 'a Tensor (nn.tensor(data, shape)), nested number arrays or a Float32Array', v);
  }
  try {
    return tensor(v);
  } catch (e) {
    return fail(argument, `rows of equal length (${(e as Error).message})`);
  }
}

/** `nn.sequential([...layers], { backend, seed })` */
export function sequential(layers: LayerConfig[], options?: SequentialOptions): Sequential {
  return new Sequential(layers, options);
}
