/**
 * TsModel: a BackendModel in plain TypeScript, the reference the native and WASM engines are tested against.
 *
 * A training step is forward → loss (before the update) → backward → optimizer update, on Float32Array
 * buffers that are allocated for the largest batch seen and reused. Arguments are not validated here:
 * the Model API (src/model.ts) checks user input before it reaches a backend (the contract is in backend.ts).
 * Long work yields to the event loop through the shared pacer (../pacing.ts).
 */
import {
  AbortError, NonFiniteInputError, targetColumns, type BackendModel, type EpochOptions, type EpochResult,
  type EvalResult, type LossName, type ModelSpec, type TrainSpec,
} from '../backend.js';
import { firstNonFinite } from '../../errors.js';
import { permutation, rngKey, Stream } from '../../rng.js';
import { float32s } from './floats.js';
import { accuracyDenominator, hasAccuracy } from './losses.js';
import { beforeWork } from '../pacing.js';
import { Network } from './network.js';
import { applyOptimizer, initialSlotValue, nadamU, nadamUProduct, slotsPerParameter } from './optimizers.js';

/** rows per forward pass in predict: bounds the activation buffers for large inputs */
const PREDICT_CHUNK = 1024;

export class TsModel implements BackendModel {
  readonly backend = 'ts' as const;
  readonly trainsOffThread = false;
  readonly spec: ModelSpec;

  private network: Network;
  private train: TrainSpec | null = null;
  private slots: Float32Array[] = [];
  /** optimizer steps since compile: t − 1 of the next update, and the dropout step */
  private step = 0;
  /** nadam: Π_{i ≤ nadamStep} u_i, carried from step to step as Keras carries it */
  private nadamProduct = 1;
  private nadamStep = 0;
  private disposed = false;
  // Gather buffers for shuffled batches, grown like the network's buffers.
  private xBatch = new Float32Array(0);
  private yBatch = new Float32Array(0);
  private wBatch = new Float32Array(0);

  constructor(spec: ModelSpec) {
    this.spec = spec;
    this.network = new Network(spec, float32s);
  }

  setWeights(weights: Float32Array[]): void {
    this.live();
    this.network.params.forEach((param, i) => param.set(weights[i]!));
  }

  getWeights(): Float32Array[] {
    this.live();
    return this.network.params.map((param) => Float32Array.from(param));
  }

  compile(train: TrainSpec): void {
    this.live();
    this.network.checkLoss(train.loss);
    this.train = { loss: train.loss, optimizer: { ...train.optimizer }, delta: train.delta ?? 1 };
    const perParameter = slotsPerParameter(train.optimizer);
    const initial = initialSlotValue(train.optimizer);
    this.slots = [];
    for (const param of this.trainedParams()) {
      for (let s = 0; s < perParameter; s++) this.slots.push(new Float32Array(param.length).fill(initial));
    }
    this.step = 0;
    this.nadamProduct = 1;
    this.nadamStep = 0;
  }

  setLearningRate(lr: number): void {
    this.compiled().optimizer.learningRate = lr;
  }

  getOptimizerState(): { step: number; slots: Float32Array[] } {
    this.compiled();
    return { step: this.step, slots: this.slots.map((slot) => Float32Array.from(slot)) };
  }

  setOptimizerState(state: { step: number; slots: Float32Array[] }): void {
    this.compiled();
    this.slots.forEach((slot, i) => slot.set(state.slots[i]!));
    this.step = state.step;
  }

  async trainBatch(x: Float32Array, y: Float32Array, count: number, sampleWeight?: Float32Array): Promise<number> {
    await beforeWork();
    return this.trainStep(x, y, sampleWeight ?? null, count, this.compiled().loss).loss;
  }

  async trainEpoch(x: Float32Array, y: Float32Array, count: number, options: EpochOptions): Promise<EpochResult> {
    const { loss: lossName } = this.compiled();
    const { batchSize, onBatch, signal, sampleWeight, outputs } = options;
    const outCols = this.network.outputUnits;
    const xCols = this.spec.inputSize;
    const yCols = targetColumns(this.spec, lossName);
    const order = options.shuffle ? permutation(count, rngKey(this.spec.seed, Stream.shuffle, options.epoch)) : null;
    if (order) this.reserveBatch(Math.min(batchSize, count), xCols, yCols, !!sampleWeight);
    const batches = Math.ceil(count / batchSize);
    let lossSum = 0;
    let correct = 0;
    let judged = 0;
    for (let b = 0; b < batches; b++) {
      await beforeWork();
      if (signal?.aborted) throw new AbortError();
      const start = b * batchSize;
      const rows = Math.min(batchSize, count - start);
      let xb: Float32Array;
      let yb: Float32Array;
      let wb: Float32Array | null = null;
      if (order) {
        gatherRows(x, this.xBatch, order, start, rows, xCols);
        gatherRows(y, this.yBatch, order, start, rows, yCols);
        if (sampleWeight) gatherRows(sampleWeight, this.wBatch, order, start, rows, 1);
        xb = this.xBatch;
        yb = this.yBatch;
        if (sampleWeight) wb = this.wBatch;
      } else {
        xb = x.subarray(start * xCols, (start + rows) * xCols);
        yb = y.subarray(start * yCols, (start + rows) * yCols);
        if (sampleWeight) wb = sampleWeight.subarray(start, start + rows);
      }
      const result = this.trainStep(xb, yb, wb, rows, lossName);
      if (outputs) {
        // the training outputs of this batch (written by forward and the fused loss), back at their rows
        const out = this.network.outputs();
        for (let r = 0; r < rows; r++) {
          const to = (order ? order[start + r]! : start + r) * outCols;
          for (let c = 0; c < outCols; c++) outputs[to + c] = out[r * outCols + c]!;
        }
      }
      lossSum += result.loss * rows;
      correct += result.correct;
      judged += accuracyDenominator(lossName, rows, this.network.outputUnits);
      onBatch?.(b, batches, result.loss);
    }
    return {
      loss: lossSum / count,
      accuracy: hasAccuracy(lossName) ? correct / judged : undefined,
    };
  }

  async evaluate(
    x: Float32Array, y: Float32Array, count: number, batchSize: number, sampleWeight?: Float32Array,
  ): Promise<EvalResult> {
    const { loss: lossName } = this.compiled();
    const xCols = this.spec.inputSize;
    const yCols = targetColumns(this.spec, lossName);
    let lossSum = 0;
    let correct = 0;
    let judged = 0;
    for (let start = 0; start < count; start += batchSize) {
      await beforeWork();
      const rows = Math.min(batchSize, count - start);
      const xb = x.subarray(start * xCols, (start + rows) * xCols);
      const yb = y.subarray(start * yCols, (start + rows) * yCols);
      this.network.forward(xb, rows, false, this.step);
      const wb = sampleWeight ? sampleWeight.subarray(start, start + rows) : null;
      lossSum += this.network.loss(lossName, yb, rows, false, wb, this.train!.delta) * rows;
      if (hasAccuracy(lossName)) {
        correct += this.network.correct(lossName, yb, rows);
        judged += accuracyDenominator(lossName, rows, this.network.outputUnits);
      }
    }
    return {
      loss: lossSum / count + this.network.regularization(),
      accuracy: hasAccuracy(lossName) ? correct / judged : undefined,
    };
  }

  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    this.live();
    const out = new Float32Array(count * this.network.outputUnits);
    for (let start = 0; start < count; start += PREDICT_CHUNK) {
      await beforeWork();
      this.predictRows(x, out, start, Math.min(PREDICT_CHUNK, count - start));
    }
    return out;
  }

  predictSync(x: Float32Array, count: number): Float32Array {
    this.live();
    const out = new Float32Array(count * this.network.outputUnits);
    for (let start = 0; start < count; start += PREDICT_CHUNK) {
      this.predictRows(x, out, start, Math.min(PREDICT_CHUNK, count - start));
    }
    return out;
  }

  dispose(): void {
    this.disposed = true;
    // Drop every large buffer now rather than whenever the caller lets go of this object.
    this.network = new Network({ ...this.spec, layers: [] }, float32s);
    this.slots = [];
    this.xBatch = new Float32Array(0);
    this.yBatch = new Float32Array(0);
    this.wBatch = new Float32Array(0);
  }

  // ---- internals ---------------------------------------------------------------------------------------

  /** forward, loss before the update, backward, update; also counts correct outputs for epoch accuracy */
  private trainStep(x: Float32Array, y: Float32Array, w: Float32Array | null, rows: number, lossName: LossName) {
    const { network } = this;
    network.forward(x, rows, true, this.step);
    const loss = network.loss(lossName, y, rows, true, w, this.train!.delta) + network.regularization();
    const correct = hasAccuracy(lossName) ? network.correct(lossName, y, rows) : 0;
    network.backward(x, rows);
    this.step++;
    const optimizer = this.train!.optimizer;
    applyOptimizer(
      optimizer, this.trainedParams(), network.grads.filter((_, i) => network.trainable[i]), this.slots, this.step,
      optimizer.kind === 'nadam' ? this.uProduct(optimizer.beta1) : 1,
    );
    return { loss, correct };
  }

  /** the parameters the optimizer updates (all but batch normalisation's moving statistics), in params order */
  private trainedParams() {
    return this.network.params.filter((_, i) => this.network.trainable[i]);
  }

  /** nadam's Π_{i ≤ step} u_i: multiplied on per step, recomputed when the step jumps (restored state) */
  private uProduct(beta1: number): number {
    const t = this.step;
    if (this.nadamStep + 1 === t) this.nadamProduct *= nadamU(beta1, t);
    else if (this.nadamStep !== t) this.nadamProduct = nadamUProduct(beta1, t);
    this.nadamStep = t;
    return this.nadamProduct;
  }

  private predictRows(x: Float32Array, out: Float32Array, start: number, rows: number): void {
    const inCols = this.spec.inputSize;
    const outCols = this.network.outputUnits;
    const slice = x.subarray(start * inCols, (start + rows) * inCols);
    if (firstNonFinite(slice) >= 0) throw new NonFiniteInputError();
    const output = this.network.forward(slice, rows, false, this.step);
    out.set(output.subarray(0, rows * outCols), start * outCols);
  }

  private reserveBatch(rows: number, xCols: number, yCols: number, weights: boolean): void {
    if (this.xBatch.length < rows * xCols) this.xBatch = new Float32Array(rows * xCols);
    if (this.yBatch.length < rows * yCols) this.yBatch = new Float32Array(rows * yCols);
    if (weights && this.wBatch.length < rows) this.wBatch = new Float32Array(rows);
  }

  private compiled(): TrainSpec {
    this.live();
    if (!this.train) throw new Error('ts backend: compile() the model before training or evaluating it');
    return this.train;
  }

  private live(): void {
    if (this.disposed) throw new Error('ts backend: the model was disposed');
  }
}

/** dst[r] = src[order[start + r]] for rows of `cols` values */
function gatherRows(
  src: Float32Array, dst: Float32Array, order: Uint32Array, start: number, rows: number, cols: number,
): void {
  for (let r = 0; r < rows; r++) {
    const from = order[start + r]! * cols;
    const to = r * cols;
    for (let c = 0; c < cols; c++) dst[to + c] = src[from + c]!;
  }
}
