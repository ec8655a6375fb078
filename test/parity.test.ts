/**
 * The one parity suite: every backend runs the same models and must agree with the TypeScript reference
 * (forward, loss, weights after several steps of each optimizer, dropout masks, shuffled epochs) to 1e-5,
 * and must learn. Exclusions live in helpers/backends.ts, each with its reason.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as nn from '../src/index.js';
import type { BackendName } from '../src/backends/backend.js';
import { rngKey, rngU32, rngUniform } from '../src/rng.js';
import { testedBackends, prepareBackend, expectClose, excluded } from './helpers/backends.js';

function data(seed: number, rows: number, cols: number): nn.Tensor {
  // deterministic inputs in [-1, 1) from the library's own generator
  const key = rngKey(seed, 99, 0);
  return nn.tensor(Float32Array.from({ length: rows * cols }, (_, i) => 2 * rngUniform(key, i) - 1), [rows, cols]);
}

function labels(seed: number, rows: number, classes: number): Float32Array {
  const key = rngKey(seed, 98, 0);
  return Float32Array.from({ length: rows }, (_, i) => rngU32(key, i) % classes);
}

interface Setup {
  name: string;
  layers: () => nn.LayerConfig[];
  loss: nn.LossName;
  optimizer: () => nn.Optimizer;
  inputs: number;
  outputs: number;
}

const setups: Setup[] = [
  {
    name: 'sgd momentum, relu, categorical CE',
    layers: () => [nn.dense(7, { inputShape: [5], activation: 'relu' }), nn.dense(4, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
    optimizer: () => nn.sgd({ learningRate: 0.5, momentum: 0.9 }),
    inputs: 5,
    outputs: 4,
  },
  {
    name: 'nesterov, tanh + dropout, sparse CE',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'tanh' }), nn.dropout(0.3), nn.dense(3, { activation: 'softmax' })],
    loss: 'sparseCategoricalCrossentropy',
    optimizer: () => nn.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
    inputs: 7,
    outputs: 3,
  },
  {
    name: 'adam, leakyRelu + l2, 3 layers',
    layers: () => [
      nn.dense(17, { inputShape: [13], activation: 'leakyRelu', kernelRegularizer: nn.l2(0.01) }),
      nn.dense(9, { activation: 'relu' }),
      nn.dense(5, { activation: 'softmax' }),
    ],
    loss: 'categoricalCrossentropy',
    optimizer: () => nn.adam({ learningRate: 0.01 }),
    inputs: 13,
    outputs: 5,
  },
  {
    name: 'adamw, sigmoid, binary CE',
    layers: () => [nn.dense(8, { inputShape: [3], activation: 'relu' }), nn.dropout(0.5), nn.dense(2, { activation: 'sigmoid' })],
    loss: 'binaryCrossentropy',
    optimizer: () => nn.adamw({ learningRate: 0.01, weightDecay: 0.01 }),
    inputs: 3,
    outputs: 2,
  },
  {
    name: 'rmsprop, linear, MSE',
    layers: () => [nn.dense(16, { inputShape: [2], activation: 'sigmoid', useBias: false }), nn.dense(1)],
    loss: 'meanSquaredError',
    optimizer: () => nn.rmsprop({ learningRate: 0.01, momentum: 0.5 }),
    inputs: 2,
    outputs: 1,
  },
];

function targets(s: Setup, rows: number, seed: number): nn.Tensor {
  const l = labels(seed, rows, s.outputs);
  if (s.loss === 'sparseCategoricalCrossentropy') return nn.tensor(l, [rows]);
  if (s.loss === 'categoricalCrossentropy') return nn.oneHot(Int32Array.from(l), s.outputs);
  if (s.loss === 'binaryCrossentropy') return nn.tensor(Float32Array.from({ length: rows * s.outputs }, (_, i) => (i * 7 + 3) % 2), [rows, s.outputs]);
  return nn.tensor(data(seed + 1, rows, s.outputs).data.map((v) => v * 2), [rows, s.outputs]);
}

function build(s: Setup, backend: BackendName, seed = 7): nn.Sequential {
  const model = nn.sequential(s.layers(), { backend, seed });
  model.compile({ optimizer: s.optimizer(), loss: s.loss, metrics: ['accuracy'] });
  return model;
}

describe.each(testedBackends)('parity on %s', (backend) => {
  beforeAll(() => prepareBackend(backend));
  const run = (name: string, fn: () => Promise<void>) => it.skipIf(excluded(backend, name) !== undefined)(name, fn);

  run('same seed gives identical initial weights', async () => {
    for (const s of setups) {
      const a = build(s, backend, 123).getWeights();
      const b = build(s, 'ts', 123).getWeights();
      a.forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(b[i]!.data)));
    }
  });

  for (const s of setups) {
    run(`trainOnBatch steps match ts: ${s.name}`, async () => {
      const model = build(s, backend);
      const ref = build(s, 'ts');
      for (let step = 0; step < 6; step++) {
        const x = data(step, 11, s.inputs);
        const y = targets(s, 11, step);
        const [l, r] = [await model.trainOnBatch(x, y), await ref.trainOnBatch(x, y)];
        expectClose([l], [r], 1e-5, 1e-6, `loss at step ${step}`);
      }
      model.getWeights().forEach((w, i) => expectClose(w.data, ref.getWeights()[i]!.data, 1e-5, 1e-6, `weights[${i}]`));
      const x = data(50, 255, s.inputs);
      expectClose((await model.predict(x)).data, (await ref.predict(x)).data, 1e-5, 1e-6, 'predict');
      const y = targets(s, 255, 50);
      const [e, er] = [await model.evaluate(x, y), await ref.evaluate(x, y)];
      expectClose([e.loss], [er.loss], 1e-5, 1e-6, 'evaluate loss');
      expect(e.accuracy).toBe(er.accuracy);
      model.dispose();
      ref.dispose();
    });

    run(`shuffled epochs match ts: ${s.name}`, async () => {
      const model = build(s, backend);
      const ref = build(s, 'ts');
      const x = data(3, 100, s.inputs);
      const y = targets(s, 100, 3);
      const h = await model.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.2 });
      const hr = await ref.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.2 });
      expectClose(h.history.loss!, hr.history.loss!, 1e-5, 1e-6, 'epoch losses');
      expectClose(h.history.val_loss!, hr.history.val_loss!, 1e-5, 1e-6, 'val losses');
      model.getWeights().forEach((w, i) => expectClose(w.data, ref.getWeights()[i]!.data, 1e-5, 1e-6, `weights[${i}]`));
      model.dispose();
      ref.dispose();
    });
  }

  run('forward matches ts for every hidden activation on odd shapes', async () => {
    for (const activation of ['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh'] as const) {
      for (const [inputs, units, rows] of [[1, 1, 1], [7, 13, 255], [13, 64, 7], [255, 17, 3]] as const) {
        const layers = () => [nn.dense(units, { inputShape: [inputs], activation }), nn.dense(3, { activation: 'softmax' })];
        const model = nn.sequential(layers(), { backend, seed: 5 });
        const ref = nn.sequential(layers(), { backend: 'ts', seed: 5 });
        const x = data(inputs * 31 + units, rows, inputs);
        expectClose((await model.predict(x)).data, (await ref.predict(x)).data, 1e-5, 1e-6, `${activation} ${inputs}x${units} rows ${rows}`);
        model.dispose();
      }
    }
  });

  run('learns XOR with a hidden layer, not without', async () => {
    const x = nn.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
    const y = nn.tensor([[0], [1], [1], [0]]);
    const hidden = nn.sequential([nn.dense(8, { inputShape: [2], activation: 'tanh' }), nn.dense(1, { activation: 'sigmoid' })], { backend, seed: 3 });
    hidden.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await hidden.fit(x, y, { epochs: 300, batchSize: 4 });
    const withHidden = await hidden.evaluate(x, y);
    expect(withHidden.accuracy).toBe(1);
    expect(withHidden.loss).toBeLessThan(0.1);
    const linear = nn.sequential([nn.dense(1, { inputShape: [2], activation: 'sigmoid' })], { backend, seed: 3 });
    linear.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await linear.fit(x, y, { epochs: 300, batchSize: 4 });
    const without = await linear.evaluate(x, y);
    // a line cannot separate XOR: at best 3 of 4, and the loss stays near log 2
    expect(without.accuracy).toBeLessThanOrEqual(0.75);
    expect(without.loss).toBeGreaterThan(0.45);
  });

  run('Iris reaches ≥ 95 % test accuracy from a fixed seed', async () => {
    const iris = nn.loadIris();
    const split = nn.trainTestSplit(iris.x, Float32Array.from(iris.labels), { testSize: 0.2, seed: 1, stratify: true });
    const scaler = nn.standardScaler().fit(split.xTrain);
    const model = nn.sequential(
      [nn.dense(16, { inputShape: [4], activation: 'relu' }), nn.dense(8, { activation: 'relu' }), nn.dense(3, { activation: 'softmax' })],
      { backend, seed: 1 },
    );
    model.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await model.fit(scaler.transform(split.xTrain), split.yTrain, { epochs: 100, batchSize: 16 });
    const r = await model.evaluate(scaler.transform(split.xTest), split.yTest);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
  });

  run('the event loop keeps running during fit, and abort stops it', async () => {
    const s = setups[2]!;
    const model = build(s, backend);
    const x = data(9, 4000, s.inputs);
    const y = targets(s, 4000, 9);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const controller = new AbortController();
    let batches = 0;
    const fit = model.fit(x, y, {
      epochs: 1000,
      batchSize: 8,
      signal: controller.signal,
      callbacks: { onBatchEnd: () => void batches++ },
    });
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await expect(fit).rejects.toBeInstanceOf(nn.AbortError);
    clearInterval(timer);
    expect(batches).toBeGreaterThan(0);
    // a blocked loop would give 0 ticks until fit ends; a loaded CI machine still gives several in 300 ms
    expect(ticks).toBeGreaterThanOrEqual(5);
    // still usable after an abort
    expect(Number.isFinite(await model.trainOnBatch(x, y))).toBe(true);
    model.dispose();
  });

  run('bad input gets clear errors and the model stays usable', async () => {
    const s = setups[0]!;
    const model = build(s, backend);
    const y = targets(s, 4, 1);
    await expect(model.trainOnBatch(data(1, 4, 6), y)).rejects.toThrow(/x: expected shape \[samples, 5\]/);
    const nan = data(1, 4, 5);
    nan.data[7] = NaN;
    await expect(model.trainOnBatch(nan, y)).rejects.toThrow(/x: expected finite numbers \(found NaN at row 1, column 2\)/);
    await expect(model.trainOnBatch(data(1, 4, 5), nn.tensor([[1, 0, 0, 0]]))).rejects.toThrow(/y: expected shape \[4, 4\]/);
    await expect(model.trainOnBatch(data(1, 2, 5), nn.tensor([[0.5, 0.5, 0.5, 0], [1, 0, 0, 0]]))).rejects.toThrow(/one-hot rows/);
    await expect(model.fit(data(1, 4, 5), y, { batchSize: 0 })).rejects.toThrow(/batchSize: expected a positive integer, got 0/);
    await expect(model.fit(data(1, 4, 5), y, { batchSize: 2.5 })).rejects.toThrow(/batchSize/);
    expect(Number.isFinite(await model.trainOnBatch(data(1, 4, 5), y))).toBe(true);
    model.dispose();
    expect(() => model.getWeights()).toThrow(/disposed/);
  });
});
