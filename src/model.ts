import {
  NonFiniteInputError,
  targetColumns,
  weightShapes,
  type BackendModel,
  type BackendName,
  type LayerSpec,
  type LossName,
  type ModelSpec,
} from './backends/backend.js';
import { limits } from './backends/abi.js';
import { resolveBackend, type BackendChoice } from './backends/registry.js';
import type { Logs, TrainingModel } from './callbacks.js';
import { parseLoopOptions, runEpochs, type EpochRunner, type History, type Loop, type LoopOptions } from './epochs.js';
import { checkFinite, checkIntInRange, checkOptions, checkPositiveInt, checkRange, fail, firstNonFinite, NeuriteError, type OptionKeys } from './errors.js';
import { initialize } from './initializers.js';
import { layerKindNames, type LayerConfig } from './layers.js';
import { checkLossMatchesOutput, resolveLoss, type LossConfig } from './losses.js';
import { checkMetrics, computeMetrics, needsOutputs, type MetricName } from './metrics.js';
import { resolveWeights, type ClassWeight } from './sample-weights.js';
import { optimizerSpec, resolveOptimizer, type Optimizer, type OptimizerName } from './optimizers.js';
import { scheduledRate } from './backends/ts/lr-schedule.js';
import { dropoutThreshold } from './rng.js';
import { evaluateDataset, fitDataset, type DatasetSource, type FitDatasetOptions, type TrainingHost } from './fit-dataset.js';
import { Tensor, tensor, type TensorLike } from './tensor.js';
import type { ModelExtras } from './io/description.js';
import { saveOptionKeys, type SaveOptions } from './io/save-options.js';

export type { ModelExtras, SaveOptions };

export type { History } from './epochs.js';

export interface SequentialOptions {
  /** 'auto' (default) picks native, then wasm (after `await nn.ready('wasm')`), then ts */
  backend?: BackendChoice;
  /** one seed makes a run repeatable: initial weights, shuffles and dropout masks (u32) */
  seed?: number;
  name?: string;
  /** threads for the kernels (default: the cores this process may use). native: any; wasm: the threaded build's
   * (Node, cross-origin-isolated pages; at most 16), one on the single-threaded build; ts: one */
  threads?: number;
}

export const sequentialOptionKeys: OptionKeys<SequentialOptions> = { backend: true, seed: true, name: true, threads: true };

export interface CompileOptions {
  optimizer: Optimizer | OptimizerName;
  /** a name ('mse', 'mae', 'huber', ...) or a loss with hyperparameters (nn.huber({ delta })) */
  loss: LossName | 'mse' | 'mae' | LossConfig;
  /** computed over the whole epoch / set (src/metrics.ts): accuracy, precision, recall, f1, auc, mae, mse, rmse, r2 */
  metrics?: (MetricName | 'acc')[];
}

export const compileOptionKeys: OptionKeys<CompileOptions> = { optimizer: true, loss: true, metrics: true };

export interface FitOptions extends LoopOptions {
  batchSize?: number;
  shuffle?: boolean;
  /** fraction of the samples, taken from the end before shuffling (as Keras), held out for validation */
  validationSplit?: number;
  validationData?: [TensorLike, TensorLike];
  /** one weight ≥ 0 per sample: the loss is Σ w_i·l_i / N (Keras); with validationSplit the held-out part
   * weighs the validation loss */
  sampleWeight?: Tensor | ArrayLike<number>;
  /** a weight per class ({ 0: 1, 1: 5 } or [1, 5]), multiplied into each row's sample weight */
  classWeight?: ClassWeight;
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
  sampleWeight: true,
  classWeight: true,
};

export interface TrainOnBatchOptions {
  sampleWeight?: Tensor | ArrayLike<number>;
  classWeight?: ClassWeight;
}

export const trainOnBatchOptionKeys: OptionKeys<TrainOnBatchOptions> = { sampleWeight: true, classWeight: true };

export interface PredictOptions {
  /** rows per forward pass (default: the whole input); the outputs do not depend on it */
  batchSize?: number;
}

export const predictOptionKeys: OptionKeys<PredictOptions> = { batchSize: true };

export interface EvaluateOptions {
  /** rows per forward pass (default 256); the result does not depend on it */
  batchSize?: number;
  /** one weight ≥ 0 per sample: the loss is Σ w_i·l_i / N (metrics are not weighted) */
  sampleWeight?: Tensor | ArrayLike<number>;
}

export const evaluateOptionKeys: OptionKeys<EvaluateOptions> = { batchSize: true, sampleWeight: true };

export interface EvaluateResult {
  loss: number;
  accuracy?: number;
  /** every other compiled metric, by name (precision, recall, f1, auc, mae, mse, rmse, r2) */
  [metric: string]: number | undefined;
}

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
export interface ResolvedLayer {
  config: LayerConfig;
  /** null for flatten, which the engines never see */
  spec: LayerSpec | null;
}

const knownKinds: readonly string[] = ['dense', 'dropout', 'batchNormalization', 'layerNormalization', 'activation', 'flatten'];

export class Sequential implements TrainingModel {
  readonly name: string;
  readonly seed: number;
  readonly spec: ModelSpec;
  readonly inputSize: number;
  /** the shape of one sample as the first layer's inputShape gave it ([features], or e.g. [28, 28] with flatten) */
  readonly inputShape: number[];
  readonly outputSize: number;
  stopTraining = false;
  /** class names and normalisation statistics that came with a loaded model (or to save with it) */
  extras: ModelExtras = {};

  private readonly layers: ResolvedLayer[];
  private engine: BackendModel | undefined;
  private compiled: { loss: LossName; delta: number; optimizer: Optimizer; metrics: MetricName[] } | undefined;
  private learningRate = 0;
  private busy = false;

  constructor(layers: LayerConfig[], options: SequentialOptions = {}) {
    checkOptions('nn.sequential options', options, sequentialOptionKeys);
    if (!Array.isArray(layers) || layers.length === 0 || layers.length > limits.maxLayers) {
      fail('layers', `an array of 1 to ${limits.maxLayers} layers (${layerKindNames})`, layers);
    }
    const seed = options.seed ?? Math.floor(Math.random() * 0x100000000);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail('seed', 'an integer in [0, 2^32)', seed);
    this.seed = seed;
    this.name = options.name ?? 'sequential';

    const first = layers[0]!;
    if (!first || typeof first !== 'object' || !('kind' in first)) fail('layers[0]', `a layer from ${layerKindNames}`, first);
    if (!first.inputShape) fail('layers[0].inputShape', 'the number of input features, e.g. dense(16, { inputShape: [4] }), or the shape of a sample, e.g. flatten({ inputShape: [28, 28] })');
    this.inputShape = [...first.inputShape];
    let width = first.inputShape.reduce((a, b) => a * b, 1);
    this.inputSize = width;
    this.layers = layers.map((config, i) => {
      if (!config || typeof config !== 'object' || !knownKinds.includes(config.kind)) fail(`layers[${i}]`, `a layer from ${layerKindNames}`, config);
      if (i > 0 && config.inputShape && (config.inputShape.length !== 1 || config.inputShape[0] !== width)) {
        fail(`layers[${i}].inputShape`, `[${width}] (the previous layer's output)`, config.inputShape);
      }
      let spec: LayerSpec | null;
      switch (config.kind) {
        case 'dense':
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
          break;
        case 'dropout':
          spec = { kind: 'dropout', units: width, rate: config.rate, threshold: dropoutThreshold(config.rate) };
          break;
        case 'batchNormalization':
          spec = { kind: 'batchNormalization', units: width, momentum: config.momentum, epsilon: config.epsilon, center: config.center, scale: config.scale };
          break;
        case 'layerNormalization':
          spec = { kind: 'layerNormalization', units: width, epsilon: config.epsilon, center: config.center, scale: config.scale };
          break;
        case 'activation':
          if (config.activation === 'softmax' && i !== layers.length - 1) {
            fail(`layers[${i}].activation`, "'softmax' only on the output layer; use relu/tanh/... in hidden layers", config.activation);
          }
          spec = { kind: 'activation', units: width, activation: config.activation, alpha: config.alpha };
          break;
        case 'flatten':
          // rows are stored flat already: flatten only tells the model which sample shape to accept
          if (i > 0 && config.inputShape) fail(`layers[${i}].inputShape`, 'no inputShape (only the first layer takes one)', config.inputShape);
          spec = null;
          break;
      }
      return { config, spec };
    });
    this.outputSize = width;
    this.spec = { inputSize: this.inputSize, layers: this.layers.flatMap((l) => (l.spec ? [l.spec] : [])), seed };
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

  /** The finite check's scan: the engine's own when it has one (native: vectorised and threaded). */
  private get scanner(): (data: Float32Array) => number {
    const engine = this.engine;
    return engine?.firstNonFinite ? (data) => engine.firstNonFinite!(data) : firstNonFinite;
  }

  private initialWeights(): Float32Array[] {
    const out: Float32Array[] = [];
    for (const { config, spec } of this.layers) {
      if (config.kind === 'dense' && spec?.kind === 'dense') {
        out.push(initialize(config.kernelInitializer, [spec.inputSize, spec.units], this.seed, out.length));
        if (spec.useBias) out.push(initialize(config.biasInitializer, [spec.units], this.seed, out.length));
      } else if (spec?.kind === 'batchNormalization' || spec?.kind === 'layerNormalization') {
        // Keras's initialisers: gamma ones, beta zeros, moving mean zeros, moving variance ones
        if (spec.scale) out.push(new Float32Array(spec.units).fill(1));
        if (spec.center) out.push(new Float32Array(spec.units));
        if (spec.kind === 'batchNormalization') out.push(new Float32Array(spec.units), new Float32Array(spec.units).fill(1));
      }
    }
    return out;
  }

  /** The activation the loss is fused with: that of the last layer, which must be dense or an activation layer. */
  private outputActivation() {
    const last = this.spec.layers[this.spec.layers.length - 1];
    return last?.kind === 'dense' || last?.kind === 'activation' ? last.activation : undefined;
  }

  /**
   * Batch normalisation needs at least two rows per training batch: one row has no batch variance, and a layer
   * trained on it would learn nothing (its output is beta). Checked before any step, so the model stays as it was.
   */
  checkTrainingBatches(count: number, batchSize: number, argument: string): void {
    const at = this.layers.findIndex((l) => l.spec?.kind === 'batchNormalization');
    if (at < 0) return;
    const batch = Math.min(batchSize, count);
    const last = count % batch === 0 ? batch : count % batch;
    if (batch >= 2 && last >= 2) return;
    const name = this.layers[at]!.config.name ?? `batch_normalization (layers[${at}])`;
    fail(
      argument,
      `training batches of at least 2 rows: layer ${name} normalises with the batch's variance, which one row does not have ` +
        `(${count} rows in batches of ${batchSize} leave a batch of 1 row; change batchSize or drop a row)`,
    );
  }

  compile(options: CompileOptions): void {
    if (!options || typeof options !== 'object') fail('compile options', '{ optimizer, loss, metrics? }', options);
    checkOptions('compile options', options, compileOptionKeys);
    const { name: loss, delta } = resolveLoss(options.loss);
    checkLossMatchesOutput(loss, this.outputActivation());
    if (loss === 'sparseCategoricalCrossentropy' && this.outputSize < 2) {
      fail('loss', 'a softmax output with at least 2 units for sparseCategoricalCrossentropy', this.outputSize);
    }
    const optimizer = resolveOptimizer(options.optimizer);
    const metrics = checkMetrics(options.metrics, loss, this.outputSize);
    this.compiled = { loss, delta, optimizer, metrics };
    this.learningRate = optimizer.learningRate;
    this.live().compile({ optimizer: optimizerSpec(optimizer), loss, delta });
  }

  private requireCompiled(what: string) {
    if (!this.compiled) throw new NeuriteError(`${what}: call model.compile({ optimizer, loss }) first`);
    return this.compiled;
  }

  // ---- data checks: everything a backend receives has been validated here ----

  /** x as a checked Tensor's data; `scan: false` leaves the finite check to the backend (see namePredictError). */
  private inputs(x: TensorLike, argument: string, scan = true): { data: Float32Array; count: number } {
    const t = asTensor(x, argument);
    const features = t.shape.length === 1 && this.inputSize === 1 ? 1 : t.shape[1];
    const asSampleShape = this.inputShape.length > 1 && t.shape.length === this.inputShape.length + 1
      && this.inputShape.every((d, i) => t.shape[i + 1] === d);
    if (!asSampleShape && (t.shape.length > 2 || features !== this.inputSize)) {
      const shaped = this.inputShape.length > 1 ? ` or [samples, ${this.inputShape.join(', ')}]` : '';
      fail(argument, `shape [samples, ${this.inputSize}]${shaped} (the model's inputShape), got [${t.shape.join(', ')}]`);
    }
    const count = t.shape[0]!;
    if (count === 0) fail(argument, 'at least one sample');
    if (scan) checkFinite(argument, t.data, this.inputSize, this.scanner);
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
    checkFinite(argument, t.data, out, this.scanner);
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

  async trainOnBatch(x: TensorLike, y: TensorLike, options: TrainOnBatchOptions = {}): Promise<number> {
    checkOptions('trainOnBatch options', options, trainOnBatchOptionKeys);
    const { loss } = this.requireCompiled('trainOnBatch');
    const { data, count } = this.inputs(x, 'x');
    const targets = this.targets(y, count, 'y');
    this.checkTrainingBatches(count, count, 'x');
    const weights = resolveWeights(options, loss, targets, count, this.outputSize);
    this.enter('trainOnBatch');
    try {
      return await this.live().trainBatch(data, targets, count, weights);
    } finally {
      this.busy = false;
    }
  }

  async fit(x: TensorLike, y: TensorLike, options: FitOptions = {}): Promise<History> {
    checkOptions('fit options', options, fitOptionKeys);
    const compiled = this.requireCompiled('fit');
    const loop = parseLoopOptions(options);
    const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 32);
    const shuffle = options.shuffle ?? true;
    if (typeof shuffle !== 'boolean') fail('shuffle', 'a boolean', shuffle);

    const { data: xAll, count: total } = this.inputs(x, 'x');
    const yAll = this.targets(y, total, 'y');
    const yCols = targetColumns(this.spec, compiled.loss);
    const wAll = resolveWeights(options, compiled.loss, yAll, total, this.outputSize);

    let train: Split = { x: xAll, y: yAll, w: wAll, count: total };
    let val: Split | undefined;
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
        train = { x: xAll.subarray(0, nTrain * this.inputSize), y: yAll.subarray(0, nTrain * yCols), w: wAll?.subarray(0, nTrain), count: nTrain };
        val = { x: xAll.subarray(nTrain * this.inputSize), y: yAll.subarray(nTrain * yCols), w: wAll?.subarray(nTrain), count: nVal };
      }
    }

    this.checkTrainingBatches(train.count, batchSize, 'batchSize');
    // Only copy the epoch's outputs back when a metric other than accuracy needs them.
    const outputs = needsOutputs(compiled.metrics) ? new Float32Array(train.count * this.outputSize) : undefined;
    return this.train('fit', loop, {
      train: async (epoch, onBatch) => {
        const r = await this.live().trainEpoch(train.x, train.y, train.count, {
          batchSize, shuffle, epoch, signal: loop.signal, onBatch, sampleWeight: train.w, outputs,
        });
        return outputs ? { ...r, logs: computeMetrics(compiled.metrics, compiled.loss, outputs, train.y, train.count, this.outputSize) } : r;
      },
      validate: val && (() => this.evaluateSplit(val, Math.max(batchSize, 256), '')),
    });
  }

  /**
   * Trains on batches `{ xs, ys }` from a stream: a function returning a (sync or async) iterable, called once
   * per epoch, or an iterable that can be iterated again each epoch. See fit-dataset.ts.
   */
  fitDataset(source: DatasetSource, options?: FitDatasetOptions): Promise<History> {
    return fitDataset(this.host(), source, options);
  }

  /** Loss (and accuracy) over every batch of a stream, as evaluate gives over arrays. */
  async evaluateDataset(source: DatasetSource): Promise<EvaluateResult> {
    return { ...(await evaluateDataset(this.host(), source)) };
  }

  /** The epoch loop of fit and fitDataset (epochs.ts), inside this model's busy flag. */
  private async train(what: string, loop: Loop, runner: EpochRunner): Promise<History> {
    const { metrics, optimizer } = this.requireCompiled(what);
    this.enter(what);
    this.stopTraining = false;
    let result: Awaited<ReturnType<typeof runEpochs>>;
    try {
      result = await runEpochs(this, loop, runner, metrics.includes('accuracy'), optimizer.schedule);
    } finally {
      this.busy = false;
    }
    for (const cb of loop.callbacks) await cb.onTrainEnd?.(this, result.lastLogs);
    return result.history;
  }

  /** What fit-dataset.ts needs of this model: its engine, data checks and epoch loop. */
  private host(): TrainingHost {
    return {
      engine: () => this.live(),
      requireCompiled: (what) => void this.requireCompiled(what),
      inputs: (x, argument) => this.inputs(x, argument),
      targets: (y, count, argument) => this.targets(y, count, argument),
      train: (what, loop, runner) => this.train(what, loop, runner),
    };
  }

  async evaluate(x: TensorLike, y: TensorLike, options: EvaluateOptions = {}): Promise<EvaluateResult> {
    checkOptions('evaluate options', options, evaluateOptionKeys);
    const { loss } = this.requireCompiled('evaluate');
    const batchSize = checkPositiveInt('batchSize', options.batchSize ?? 256);
    const { data, count } = this.inputs(x, 'x');
    const targets = this.targets(y, count, 'y');
    const w = resolveWeights({ sampleWeight: options.sampleWeight }, loss, targets, count, this.outputSize);
    const logs = await this.evaluateSplit({ x: data, y: targets, w, count }, batchSize, '');
    return logs as EvaluateResult;
  }

  /** Loss, accuracy (when compiled with it) and the other metrics of one set, keyed with `prefix`. */
  private async evaluateSplit(set: Split, batchSize: number, prefix: string): Promise<Logs> {
    const { metrics, loss } = this.requireCompiled('evaluate');
    const r = await this.live().evaluate(set.x, set.y, set.count, batchSize, set.w);
    const logs: Logs = { [`${prefix}loss`]: r.loss };
    if (r.accuracy !== undefined && (metrics.includes('accuracy') || prefix === '')) logs[`${prefix}accuracy`] = r.accuracy;
    if (needsOutputs(metrics)) {
      const out = await this.predictRows(set.x, set.count, batchSize);
      Object.assign(logs, computeMetrics(metrics, loss, out, set.y, set.count, this.outputSize, prefix));
    }
    return logs;
  }

  /** Outputs for each input row, at inference (dropout off), `batchSize` rows per pass. Needs no compile. */
  async predict(x: TensorLike, options: PredictOptions = {}): Promise<Tensor> {
    checkOptions('predict options', options, predictOptionKeys);
    const { data, count } = this.inputs(x, 'x', false);
    const batchSize = options.batchSize === undefined ? count : checkPositiveInt('batchSize', options.batchSize);
    try {
      return new Tensor(await this.predictRows(data, count, batchSize), [count, this.outputSize]);
    } catch (e) {
      return this.namePredictError(e, data);
    }
  }

  /**
   * The backend checks predict's x for NaN and ±Infinity as it reads it (backend.ts, contract point 2): on its
   * NonFiniteInputError the API's own scan names the first bad value, as for every other input.
   */
  private namePredictError(e: unknown, x: Float32Array): never {
    if (e instanceof NonFiniteInputError) checkFinite('x', x, this.inputSize, this.scanner);
    throw e;
  }

  /** The engine's predict, called on slices of at most batchSize rows (each engine bounds its own buffers too). */
  private async predictRows(x: Float32Array, count: number, batchSize: number): Promise<Float32Array> {
    if (batchSize >= count) return this.live().predict(x, count);
    const out = new Float32Array(count * this.outputSize);
    for (let start = 0; start < count; start += batchSize) {
      const rows = Math.min(batchSize, count - start);
      const slice = x.subarray(start * this.inputSize, (start + rows) * this.inputSize);
      out.set(await this.live().predict(slice, rows), start * this.outputSize);
    }
    return out;
  }

  /** Synchronous predict for small inputs (UI code, a single sample). */
  predictSync(x: TensorLike): Tensor {
    const { data, count } = this.inputs(x, 'x', false);
    try {
      return new Tensor(this.live().predictSync(data, count), [count, this.outputSize]);
    } catch (e) {
      return this.namePredictError(e, data);
    }
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

  /** The rate of the next step: the per-step schedule's value at the current step, when there is one. */
  getLearningRate(): number {
    return this.currentLearningRate();
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
  get compileConfig(): { loss: LossName; delta: number; optimizer: Optimizer; metrics: MetricName[] } | undefined {
    return this.compiled && { ...this.compiled, metrics: [...this.compiled.metrics] };
  }

  /** The layers as configured (for savers, summaries and the playground's diagram). */
  get layerConfigs(): LayerConfig[] {
    return this.layers.map((l) => l.config);
  }

  /** Each configured layer with what the engines run for it (null for flatten). */
  get resolvedLayers(): readonly ResolvedLayer[] {
    return this.layers;
  }

  countParams(): number {
    return weightShapes(this.spec).reduce((sum, s) => sum + s.reduce((a, b) => a * b, 1), 0);
  }

  /** A Keras-style table: layer, output shape, parameter count. Returned and, by default, printed. */
  summary(print: (line: string) => void = console.log): string {
    const rows: [string, string, string][] = [];
    const counters: Record<string, number> = {};
    const auto = (prefix: string) => `${prefix}_${(counters[prefix] = (counters[prefix] ?? 0) + 1)}`;
    let width = this.inputSize;
    for (const { config, spec } of this.layers) {
      if (!spec) {
        rows.push([`${config.name ?? auto('flatten')} (Flatten)`, `[null, ${width}]`, '0']);
        continue;
      }
      width = spec.units;
      if (spec.kind === 'dense') {
        const params = spec.inputSize * spec.units + (spec.useBias ? spec.units : 0);
        rows.push([`${config.name ?? auto('dense')} (Dense, ${spec.activation})`, `[null, ${spec.units}]`, String(params)]);
      } else if (spec.kind === 'dropout') {
        rows.push([`${config.name ?? auto('dropout')} (Dropout ${spec.rate})`, `[null, ${spec.units}]`, '0']);
      } else if (spec.kind === 'activation') {
        rows.push([`${config.name ?? auto('activation')} (Activation, ${spec.activation})`, `[null, ${spec.units}]`, '0']);
      } else {
        const bn = spec.kind === 'batchNormalization';
        const params = spec.units * ((spec.scale ? 1 : 0) + (spec.center ? 1 : 0) + (bn ? 2 : 0));
        const label = bn ? 'BatchNormalization' : 'LayerNormalization';
        rows.push([`${config.name ?? auto(bn ? 'batch_normalization' : 'layer_normalization')} (${label})`, `[null, ${spec.units}]`, String(params)]);
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
  save(path: string, options?: SaveOptions): Promise<void>;
  save(path?: undefined, options?: SaveOptions): Promise<Uint8Array>;
  save(path?: string, options?: SaveOptions): Promise<Uint8Array | void>;
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

/** Rows handed to an engine: inputs, targets, optional per-row weights. */
interface Split {
  x: Float32Array;
  y: Float32Array;
  w?: Float32Array;
  count: number;
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
