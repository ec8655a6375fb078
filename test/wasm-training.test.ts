// The wasm engine against the TypeScript reference: same forward, losses, weights and optimizer state after
// several steps, for every optimizer and loss, with dropout and l2, and through sliced, shuffled epochs.
// Then the Model API on 'wasm': XOR and Iris learn, and trainEpoch leaves the event loop breathing.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendModel, LossName, OptimizerSpec } from '../src/backends/backend.js';
import { registerBackend } from '../src/backends/registry.js';
import { tsBackend } from '../src/backends/ts/index.js';
import { loadWasmBackend, wasmProvider, type WasmBackend } from '../src/backends/wasm.js';
import { loadIris } from '../src/data/iris.js';
import { oneHot } from '../src/data/onehot.js';
import { dense } from '../src/layers.js';
import { sequential } from '../src/model.js';
import { adam } from '../src/optimizers.js';
import { permutation, rngKey, Stream } from '../src/rng.js';
import { classes, expectClose, initialWeights, makeSpec, uniform, type LayerShorthand } from './wasm-helpers.js';

let wasm: WasmBackend;
beforeAll(async () => {
  registerBackend(wasmProvider);
  wasm = await loadWasmBackend();
});

const optimizers: [string, OptimizerSpec][] = [
  ['sgd', { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false }],
  ['sgd momentum', { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: false }],
  ['sgd nesterov', { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true }],
  ['adam', { kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }],
  ['adamw', { kind: 'adamw', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.01 }],
  ['rmsprop', { kind: 'rmsprop', learningRate: 0.005, rho: 0.9, momentum: 0, epsilon: 1e-7 }],
  ['rmsprop momentum', { kind: 'rmsprop', learningRate: 0.005, rho: 0.9, momentum: 0.5, epsilon: 1e-7 }],
];

interface Case {
  loss: LossName;
  layers: LayerShorthand[];
  inputs: number;
}

const cases: Record<string, Case> = {
  categorical: {
    loss: 'categoricalCrossentropy',
    inputs: 13,
    layers: [{ dense: 17, activation: 'relu', l2: 0.001 }, { dropout: 0.25 }, { dense: 7, activation: 'tanh' }, { dense: 5, activation: 'softmax' }],
  },
  sparse: {
    loss: 'sparseCategoricalCrossentropy',
    inputs: 7,
    layers: [{ dense: 33, activation: 'leakyRelu', alpha: 0.2 }, { dropout: 0.5 }, { dense: 4, activation: 'softmax', useBias: false }],
  },
  binary: { loss: 'binaryCrossentropy', inputs: 5, layers: [{ dense: 9, activation: 'sigmoid' }, { dense: 3, activation: 'sigmoid', l2: 0.01 }] },
  mse: { loss: 'meanSquaredError', inputs: 6, layers: [{ dense: 12, activation: 'tanh' }, { dropout: 0.1 }, { dense: 2 }] },
  'mse softmax': { loss: 'meanSquaredError', inputs: 3, layers: [{ dense: 8, activation: 'relu' }, { dense: 4, activation: 'softmax' }] },
};

function targets(c: Case, count: number, seed: number): Float32Array {
  const out = (c.layers[c.layers.length - 1] as { dense: number }).dense;
  if (c.loss === 'sparseCategoricalCrossentropy') return classes(count, out, seed).labels;
  if (c.loss === 'categoricalCrossentropy') return classes(count, out, seed).oneHot;
  if (c.loss === 'binaryCrossentropy') return uniform(count * out, seed).map((v) => (v > 0 ? 1 : 0));
  return uniform(count * out, seed);
}

function pair(c: Case, optimizer: OptimizerSpec): [BackendModel, BackendModel] {
  const spec = makeSpec(c.inputs, c.layers, 1234);
  const weights = initialWeights(spec);
  const models = [tsBackend.createModel(spec), wasm.createModel(spec)] as [BackendModel, BackendModel];
  for (const m of models) {
    m.setWeights(weights);
    m.compile({ optimizer, loss: c.loss });
  }
  return models;
}

function expectSameState(ref: BackendModel, model: BackendModel, what: string): void {
  const a = model.getWeights();
  const b = ref.getWeights();
  a.forEach((w, i) => expectClose(w, b[i]!, 1e-5, `${what}: weights[${i}]`));
  const sa = model.getOptimizerState();
  const sb = ref.getOptimizerState();
  expect(sa.step, `${what}: step`).toBe(sb.step);
  expect(sa.slots.length, `${what}: slots`).toBe(sb.slots.length);
  sa.slots.forEach((s, i) => expectClose(s, sb.slots[i]!, 1e-5, `${what}: slot ${i}`));
}

describe('wasm matches the ts backend', () => {
  for (const [caseName, c] of Object.entries(cases)) {
    for (const [optName, optimizer] of optimizers) {
      it(`${caseName}, ${optName}: steps, epochs, evaluate, predict`, async () => {
        const [ref, model] = pair(c, optimizer);
        const count = 23;
        const x = uniform(count * c.inputs, 21);
        const y = targets(c, count, 22);
        const yCols = y.length / count;

        expectClose(model.predictSync(x, count), ref.predictSync(x, count), 1e-5, 'initial forward');
        for (let step = 0; step < 4; step++) {
          const rows = step === 3 ? 1 : 8; // odd batch sizes, and a single row
          const xs = x.subarray(step * c.inputs, (step + rows) * c.inputs);
          const ys = y.subarray(step * yCols, (step + rows) * yCols);
          expectClose([await model.trainBatch(xs, ys, rows)], [await ref.trainBatch(xs, ys, rows)], 1e-5, `loss of step ${step}`);
        }
        expectSameState(ref, model, 'after trainBatch');

        for (const [epoch, batchSize, shuffle] of [[0, 5, true], [1, 7, true], [2, 64, false]] as const) {
          const seen: number[][] = [[], []];
          const opts = (k: number) => ({ batchSize, shuffle, epoch, onBatch: (b: number, n: number, loss: number) => seen[k]!.push(b, n, loss) });
          const r = await model.trainEpoch(x, y, count, opts(0));
          const e = await ref.trainEpoch(x, y, count, opts(1));
          expectClose([r.loss], [e.loss], 1e-5, `epoch ${epoch} loss`);
          expect(r.accuracy === undefined).toBe(e.accuracy === undefined);
          if (e.accuracy !== undefined) expectClose([r.accuracy!], [e.accuracy], 1e-6, `epoch ${epoch} accuracy`);
          // wasm reports every batch, in order; the last one (which every backend reports) has the same loss
          const batches = Math.ceil(count / batchSize);
          expect(seen[0]!.filter((_, i) => i % 3 === 0)).toEqual([...Array(batches).keys()]);
          expectClose(seen[0]!.slice(-3), seen[1]!.slice(-3), 1e-5, `epoch ${epoch} last batch`);
          expectSameState(ref, model, `after epoch ${epoch}`);
        }

        const ev = await model.evaluate(x, y, count, 6);
        const evRef = await ref.evaluate(x, y, count, 6);
        expectClose([ev.loss], [evRef.loss], 1e-5, 'evaluate loss');
        expect(ev.accuracy === undefined).toBe(evRef.accuracy === undefined);
        if (evRef.accuracy !== undefined) expectClose([ev.accuracy!], [evRef.accuracy], 1e-6, 'evaluate accuracy');
        expectClose(await model.predict(x, count), await ref.predict(x, count), 1e-5, 'predict');

        // setLearningRate keeps the optimizer state
        model.setLearningRate(optimizer.learningRate / 2);
        ref.setLearningRate(optimizer.learningRate / 2);
        const xs = x.subarray(0, 4 * c.inputs);
        const ys = y.subarray(0, 4 * yCols);
        expectClose([await model.trainBatch(xs, ys, 4)], [await ref.trainBatch(xs, ys, 4)], 1e-5, 'loss after setLearningRate');
        expectSameState(ref, model, 'after setLearningRate');
        model.dispose();
        ref.dispose();
      });
    }
  }

  it('restores optimizer state: a copy continues exactly like the original', async () => {
    const c = cases.categorical!;
    const [, model] = pair(c, optimizers[4]![1]);
    const count = 16;
    const x = uniform(count * c.inputs, 31);
    const y = targets(c, count, 32);
    await model.trainEpoch(x, y, count, { batchSize: 4, shuffle: true, epoch: 0 });
    const copy = wasm.createModel(model.spec);
    copy.setWeights(model.getWeights());
    copy.compile({ optimizer: optimizers[4]![1], loss: c.loss });
    copy.setOptimizerState(model.getOptimizerState());
    const a = await model.trainEpoch(x, y, count, { batchSize: 4, shuffle: true, epoch: 1 });
    const b = await copy.trainEpoch(x, y, count, { batchSize: 4, shuffle: true, epoch: 1 });
    expect(b.loss).toBe(a.loss);
    copy.getWeights().forEach((w, i) => expectClose(w, model.getWeights()[i]!, 0, `weights[${i}]`));
  });

  it('runs an epoch as the batches of permutation(count, rngKey(seed, shuffle, epoch))', async () => {
    const c = cases.mse!;
    const [a, b] = [wasm.createModel(makeSpec(c.inputs, c.layers, 99)), wasm.createModel(makeSpec(c.inputs, c.layers, 99))];
    const w = initialWeights(a.spec);
    const optimizer = optimizers[0]![1];
    for (const m of [a, b]) {
      m.setWeights(w);
      m.compile({ optimizer, loss: c.loss });
    }
    const count = 50;
    const x = uniform(count * c.inputs, 41);
    const y = targets(c, count, 42);
    await a.trainEpoch(x, y, count, { batchSize: 8, shuffle: true, epoch: 3 });
    const order = permutation(count, rngKey(99, Stream.shuffle, 3));
    for (let start = 0; start < count; start += 8) {
      const rows = [...order.subarray(start, start + 8)];
      const xs = new Float32Array(rows.flatMap((r) => [...x.subarray(r * c.inputs, (r + 1) * c.inputs)]));
      const ys = new Float32Array(rows.flatMap((r) => [...y.subarray(r * 2, r * 2 + 2)]));
      await b.trainBatch(xs, ys, rows.length);
    }
    b.getWeights().forEach((wb, i) => expectClose(a.getWeights()[i]!, wb, 1e-6, `weights[${i}]`));
  });
});

describe('wasm through the Model API', () => {
  it('learns XOR', async () => {
    const model = sequential([dense(8, { inputShape: [2], activation: 'tanh' }), dense(1, { activation: 'sigmoid' })], { backend: 'wasm', seed: 3 });
    expect(model.backend).toBe('wasm');
    model.compile({ optimizer: adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const y = [[0], [1], [1], [0]];
    const history = await model.fit(x, y, { epochs: 300, batchSize: 4 });
    const losses = history.history.loss!;
    expect(losses[losses.length - 1]!).toBeLessThan(0.1);
    const out = (await model.predict(x)).data;
    expect([...out].map((v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    model.dispose();
  });

  it('learns Iris', async () => {
    const iris = loadIris();
    const model = sequential([dense(16, { inputShape: [4], activation: 'relu' }), dense(3, { activation: 'softmax' })], { backend: 'wasm', seed: 5 });
    model.compile({ optimizer: adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const y = oneHot(iris.labels, 3);
    const history = await model.fit(iris.x, y, { epochs: 100, batchSize: 16 });
    expect(history.history.accuracy![history.history.accuracy!.length - 1]!).toBeGreaterThan(0.9);
    const r = await model.evaluate(iris.x, y);
    expect(r.accuracy!).toBeGreaterThan(0.9);
    model.dispose();
  });

  it('keeps the event loop running during a long epoch, and stops on abort', async () => {
    const spec = makeSpec(256, [{ dense: 256, activation: 'relu' }, { dense: 10, activation: 'softmax' }]);
    const model = wasm.createModel(spec);
    model.setWeights(initialWeights(spec));
    model.compile({ optimizer: optimizers[0]![1], loss: 'categoricalCrossentropy' });
    const count = 8192;
    const x = uniform(count * 256, 51, 0, 1);
    const y = classes(count, 10, 52).oneHot;

    // gaps between timer ticks: a blocking epoch would show one gap as long as the epoch
    const gaps: number[] = [];
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }, 1);
    const started = performance.now();
    await model.trainEpoch(x, y, count, { batchSize: 32, shuffle: true, epoch: 0 });
    const took = performance.now() - started;
    clearInterval(timer);
    expect(took).toBeGreaterThan(100); // long enough for the check to mean something
    gaps.sort((a, b) => a - b);
    expect(gaps.length).toBeGreaterThan(took / 60);
    expect(gaps[gaps.length >> 1]!).toBeLessThan(40); // the median; single long gaps are the OS scheduler's
    expect(gaps[gaps.length - 1]!).toBeLessThan(took / 2);

    const controller = new AbortController();
    let reported = 0;
    const aborted = model.trainEpoch(x, y, count, {
      batchSize: 32,
      shuffle: true,
      epoch: 1,
      signal: controller.signal,
      onBatch: (batch) => {
        reported = batch + 1;
        if (batch === 3) controller.abort();
      },
    });
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(reported).toBeLessThan(count / 32);
    expect(model.predictSync(x.subarray(0, 256), 1).length).toBe(10);
    model.dispose();
  });
});
