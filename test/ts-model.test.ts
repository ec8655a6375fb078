// Behaviour of the TS backend's model (TsModel) through the BackendModel interface: it learns, it is
// deterministic, and trainEpoch honours batching, progress, abort and the event loop.
import { describe, expect, it } from 'vitest';
import {
  AbortError, weightShapes, type DenseLayerSpec, type LayerSpec, type ModelSpec, type TrainSpec,
} from '../src/backends/backend';
import { tsBackend } from '../src/backends/ts/index';
import { dropoutThreshold, rngKey, rngNormal } from '../src/rng';

function dense(inputSize: number, units: number, activation: DenseLayerSpec['activation'], l2 = 0): DenseLayerSpec {
  return { kind: 'dense', inputSize, units, activation, alpha: 0.2, useBias: true, l2 };
}

/** Glorot-normal kernels and zero biases, as the Model API would hand them over. */
function initialWeights(spec: ModelSpec, seed = spec.seed): Float32Array[] {
  return weightShapes(spec).map((shape, p) => {
    const w = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (shape.length === 2) {
      const key = rngKey(seed, 1, p);
      const std = Math.sqrt(2 / (shape[0]! + shape[1]!));
      for (let i = 0; i < w.length; i++) w[i] = rngNormal(key, i) * std;
    }
    return w;
  });
}

function createModel(layers: LayerSpec[], train: TrainSpec, seed = 5) {
  const first = layers.find((l): l is DenseLayerSpec => l.kind === 'dense')!;
  const spec: ModelSpec = { inputSize: first.inputSize, layers, seed };
  const model = tsBackend.createModel(spec);
  model.setWeights(initialWeights(spec));
  model.compile(train);
  return model;
}

const adam = (learningRate: number): TrainSpec['optimizer'] => ({
  kind: 'adam', learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-7,
});
const sgd = (learningRate: number): TrainSpec['optimizer'] => ({ kind: 'sgd', learningRate, momentum: 0, nesterov: false });

/** A blob classification problem: `count` rows of `features`, 3 classes, one-hot targets. */
function blobs(count: number, features: number, seed = 9): { x: Float32Array; y: Float32Array; labels: Float32Array } {
  const key = rngKey(seed, 4, 0);
  const x = new Float32Array(count * features);
  const y = new Float32Array(count * 3);
  const labels = new Float32Array(count);
  for (let r = 0; r < count; r++) {
    const label = r % 3;
    labels[r] = label;
    y[r * 3 + label] = 1;
    for (let f = 0; f < features; f++) x[r * features + f] = (f % 3 === label ? 1.5 : 0) + rngNormal(key, r * features + f);
  }
  return { x, y, labels };
}

const xorX = Float32Array.of(0, 0, 0, 1, 1, 0, 1, 1);
const xorY = Float32Array.of(0, 1, 1, 0);

describe('TsModel', () => {
  it('learns XOR with a hidden layer (2-4-1 tanh/sigmoid, binaryCrossentropy, adam)', async () => {
    const model = createModel([dense(2, 4, 'tanh'), dense(4, 1, 'sigmoid')], {
      loss: 'binaryCrossentropy', optimizer: adam(0.05),
    });
    let loss = Infinity;
    for (let step = 0; step < 1000 && loss >= 0.05; step++) loss = await model.trainBatch(xorX, xorY, 4);
    expect(loss).toBeLessThan(0.05);
    const out = model.predictSync(xorX, 4);
    expect(Array.from(out, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect((await model.evaluate(xorX, xorY, 4, 4)).accuracy).toBe(1);
  });

  it('cannot learn XOR without the hidden layer (the loss stays near ln 2)', async () => {
    const model = createModel([dense(2, 1, 'sigmoid')], { loss: 'binaryCrossentropy', optimizer: adam(0.05) });
    let loss = Infinity;
    for (let step = 0; step < 1000; step++) loss = await model.trainBatch(xorX, xorY, 4);
    expect(loss).toBeGreaterThan(0.6);
  });

  it('trainBatch returns the loss before the update, including the L2 penalty', async () => {
    const layers = [dense(6, 5, 'relu', 0.01), dense(5, 3, 'softmax')];
    const model = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: sgd(0.5) });
    const { x, y } = blobs(12, 6);
    const before = await model.evaluate(x, y, 12, 12);
    const reported = await model.trainBatch(x, y, 12);
    expect(reported).toBeCloseTo(before.loss, 6);
    const after = await model.evaluate(x, y, 12, 12);
    expect(after.loss).toBeLessThan(before.loss);

    const weights = model.getWeights();
    let penalty = 0;
    for (const w of weights[0]!) penalty += 0.01 * w * w;
    const unregularised = createModel([dense(6, 5, 'relu'), dense(5, 3, 'softmax')], {
      loss: 'categoricalCrossentropy', optimizer: sgd(0.5),
    });
    unregularised.setWeights(weights);
    expect(after.loss - (await unregularised.evaluate(x, y, 12, 12)).loss).toBeCloseTo(penalty, 6);
  });

  it('trainEpoch with shuffle from a fixed seed gives identical weights twice, and other weights for another epoch', async () => {
    const { x, y } = blobs(200, 6);
    const train = async (epoch: number, shuffle: boolean) => {
      const model = createModel(
        [dense(6, 8, 'relu'), { kind: 'dropout', units: 8, rate: 0.25, threshold: dropoutThreshold(0.25) }, dense(8, 3, 'softmax')],
        { loss: 'categoricalCrossentropy', optimizer: adam(0.01) },
      );
      const result = await model.trainEpoch(x, y, 200, { batchSize: 32, shuffle, epoch });
      return { weights: model.getWeights(), result };
    };
    const first = await train(0, true);
    const second = await train(0, true);
    expect(second.weights).toEqual(first.weights);
    expect(second.result).toEqual(first.result);
    expect((await train(1, true)).weights).not.toEqual(first.weights);
    expect((await train(0, false)).weights).not.toEqual(first.weights);
  });

  it('sparse and categorical cross-entropy train identically on the same labels', async () => {
    const { x, y, labels } = blobs(64, 5);
    const layers = [dense(5, 6, 'tanh'), dense(6, 3, 'softmax')];
    const categorical = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: adam(0.02) });
    const sparse = createModel(layers, { loss: 'sparseCategoricalCrossentropy', optimizer: adam(0.02) });
    const a = await categorical.trainEpoch(x, y, 64, { batchSize: 16, shuffle: true, epoch: 2 });
    const b = await sparse.trainEpoch(x, labels, 64, { batchSize: 16, shuffle: true, epoch: 2 });
    expect(b.loss).toBeCloseTo(a.loss, 6);
    expect(b.accuracy).toBe(a.accuracy);
    sparse.getWeights().forEach((w, i) => {
      const reference = categorical.getWeights()[i]!;
      w.forEach((v, j) => expect(v).toBeCloseTo(reference[j]!, 6));
    });
  });

  it('epoch loss and accuracy are the batch-weighted means over the training outputs', async () => {
    const { x, y } = blobs(50, 4);
    // learning rate 0: every batch sees the same weights, so the epoch must equal one evaluate()
    const model = createModel([dense(4, 5, 'relu'), dense(5, 3, 'softmax')], {
      loss: 'categoricalCrossentropy', optimizer: sgd(0),
    });
    const epoch = await model.trainEpoch(x, y, 50, { batchSize: 16, shuffle: true, epoch: 0 });
    const evaluation = await model.evaluate(x, y, 50, 7);
    expect(epoch.loss).toBeCloseTo(evaluation.loss, 6);
    expect(epoch.accuracy).toBeCloseTo(evaluation.accuracy!, 12);
    const mse = createModel([dense(4, 3, 'linear')], { loss: 'meanSquaredError', optimizer: sgd(0) });
    expect((await mse.trainEpoch(x, y, 50, { batchSize: 16, shuffle: false, epoch: 0 })).accuracy).toBeUndefined();
  });

  it('reports progress for every batch, the last one included', async () => {
    const { x, y } = blobs(70, 4);
    const model = createModel([dense(4, 3, 'softmax')], { loss: 'categoricalCrossentropy', optimizer: sgd(0.1) });
    const seen: Array<[number, number]> = [];
    await model.trainEpoch(x, y, 70, { batchSize: 32, shuffle: true, epoch: 0, onBatch: (b, n) => seen.push([b, n]) });
    expect(seen).toEqual([[0, 3], [1, 3], [2, 3]]);
  });

  it('stops with AbortError when the signal is aborted between batches', async () => {
    const { x, y } = blobs(100, 4);
    const model = createModel([dense(4, 3, 'softmax')], { loss: 'categoricalCrossentropy', optimizer: sgd(0.1) });
    const controller = new AbortController();
    let batches = 0;
    const run = model.trainEpoch(x, y, 100, {
      batchSize: 10, shuffle: false, epoch: 0, signal: controller.signal,
      onBatch: (b) => { batches = b + 1; if (b === 2) controller.abort(); },
    });
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(batches).toBe(3);
    const aborted = new AbortController();
    aborted.abort();
    await expect(model.trainEpoch(x, y, 100, { batchSize: 10, shuffle: false, epoch: 0, signal: aborted.signal }))
      .rejects.toThrow(/aborted/);
  });

  it('lets timers run during a long epoch', async () => {
    const { x, y } = blobs(6000, 64);
    const model = createModel([dense(64, 128, 'relu'), dense(128, 3, 'softmax')], {
      loss: 'categoricalCrossentropy', optimizer: sgd(0.01),
    });
    let timerFired = false;
    setTimeout(() => { timerFired = true; }, 0);
    let firedBeforeLastBatch = false;
    const started = performance.now();
    await model.trainEpoch(x, y, 6000, {
      batchSize: 16, shuffle: true, epoch: 0,
      onBatch: (b, n) => { if (b === n - 1) firedBeforeLastBatch = timerFired; },
    });
    expect(performance.now() - started).toBeGreaterThan(30); // long enough that a yield was due
    expect(firedBeforeLastBatch).toBe(true);
  });

  it('predict (chunked, async) equals predictSync and a row-by-row forward pass', async () => {
    const count = 2500; // more than one 1024-row chunk
    const { x } = blobs(count, 5);
    const model = createModel([dense(5, 7, 'leakyRelu'), dense(7, 2, 'sigmoid')], {
      loss: 'binaryCrossentropy', optimizer: sgd(0.1),
    });
    const out = await model.predict(x, count);
    expect(out.length).toBe(count * 2);
    expect(model.predictSync(x, count)).toEqual(out);
    for (const row of [0, 1023, 1024, 2048, 2499]) {
      const single = model.predictSync(x.subarray(row * 5, row * 5 + 5), 1);
      expect(Array.from(single)).toEqual(Array.from(out.subarray(row * 2, row * 2 + 2)));
    }
  });

  it('dropout is the identity at inference and deterministic in training', async () => {
    const layers: LayerSpec[] = [dense(4, 16, 'relu'), { kind: 'dropout', units: 16, rate: 0.5, threshold: dropoutThreshold(0.5) }, dense(16, 3, 'softmax')];
    const { x, y } = blobs(20, 4);
    const a = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: sgd(0.1) });
    const b = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: sgd(0.1) });
    expect(a.predictSync(x, 20)).toEqual(a.predictSync(x, 20));
    const lossA = [await a.trainBatch(x, y, 20), await a.trainBatch(x, y, 20)];
    const lossB = [await b.trainBatch(x, y, 20), await b.trainBatch(x, y, 20)];
    expect(lossB).toEqual(lossA);
    // training loss (with dropout) differs from inference loss on the same weights, and the mask changes
    // with the step even when the weights do not
    const c = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: sgd(0) });
    const atStep0 = await c.trainBatch(x, y, 20);
    expect(atStep0).not.toBeCloseTo((await c.evaluate(x, y, 20, 20)).loss, 4);
    const atStep1 = await c.trainBatch(x, y, 20);
    expect(atStep1).not.toBe(atStep0);
    // the step counter is part of the optimizer state: restoring step 0 replays the step-0 mask
    c.setOptimizerState({ step: 0, slots: [] });
    expect(await c.trainBatch(x, y, 20)).toBe(atStep0);
  });

  it('weights and optimizer state round-trip as fresh copies, and training resumes identically', async () => {
    const { x, y } = blobs(40, 4);
    const layers = [dense(4, 6, 'tanh'), dense(6, 3, 'softmax')];
    const train: TrainSpec = { loss: 'categoricalCrossentropy', optimizer: adam(0.01) };
    const original = createModel(layers, train);
    await original.trainBatch(x, y, 40);
    const weights = original.getWeights();
    weights[0]![0] = 1234; // a fresh copy: the model must not see this
    expect(original.getWeights()[0]![0]).not.toBe(1234);

    const state = original.getOptimizerState();
    expect(state.step).toBe(1);
    expect(state.slots.length).toBe(4 * 2); // [m, v] for kernel, bias, kernel, bias
    const resumed = createModel(layers, train);
    resumed.setWeights(original.getWeights());
    resumed.setOptimizerState(state);
    expect(await resumed.trainBatch(x, y, 40)).toBe(await original.trainBatch(x, y, 40));
    expect(resumed.getWeights()).toEqual(original.getWeights());
    expect(resumed.getOptimizerState()).toEqual(original.getOptimizerState());
  });

  it('adam state slots hold [m, v] of each parameter in getWeights order', async () => {
    const { x, y } = blobs(9, 3);
    const layers = [dense(3, 3, 'softmax')];
    // one sgd step with lr 1 reveals the gradient: w1 = w0 − g
    const probe = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: sgd(1) });
    const w0 = probe.getWeights();
    await probe.trainBatch(x, y, 9);
    const grads = probe.getWeights().map((w, p) => w.map((v, i) => w0[p]![i]! - v));
    const model = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: adam(0.01) });
    await model.trainBatch(x, y, 9);
    const { slots } = model.getOptimizerState();
    grads.forEach((g, p) => g.forEach((gi, i) => {
      expect(slots[2 * p]![i]).toBeCloseTo(0.1 * gi, 5); // m = (1 − β1)·g
      expect(slots[2 * p + 1]![i]).toBeCloseTo(0.001 * gi * gi, 6); // v = (1 − β2)·g²
    }));
  });

  it('setLearningRate changes the step size without resetting state; compile resets it', async () => {
    const { x, y } = blobs(9, 3);
    const layers = [dense(3, 3, 'softmax')];
    const a = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: sgd(0.1) });
    const b = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: sgd(0.1) });
    b.setLearningRate(0);
    await a.trainBatch(x, y, 9);
    await b.trainBatch(x, y, 9);
    expect(b.getWeights()).toEqual(initialWeights({ inputSize: 3, layers, seed: 5 }));
    expect(a.getWeights()).not.toEqual(b.getWeights());
    const c = createModel(layers, { loss: 'categoricalCrossentropy', optimizer: adam(0.1) });
    await c.trainBatch(x, y, 9);
    c.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.1) });
    expect(c.getOptimizerState().step).toBe(0);
    expect(c.getOptimizerState().slots.every((s) => s.every((v) => v === 0))).toBe(true);
  });

  it('refuses a cross-entropy whose output layer cannot be fused, and use after dispose', () => {
    const model = tsBackend.createModel({ inputSize: 2, seed: 1, layers: [dense(2, 2, 'relu')] });
    expect(() => model.compile({ loss: 'categoricalCrossentropy', optimizer: sgd(0.1) })).toThrow(/softmax/);
    expect(() => model.compile({ loss: 'binaryCrossentropy', optimizer: sgd(0.1) })).toThrow(/sigmoid/);
    model.compile({ loss: 'meanSquaredError', optimizer: sgd(0.1) });
    model.dispose();
    expect(() => model.getWeights()).toThrow(/disposed/);
  });
});
