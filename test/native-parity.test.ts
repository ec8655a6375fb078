/**
 * The native engine against the TypeScript reference at the backend interface: forward outputs, losses,
 * weights and optimizer state after several steps of every optimizer, dropout masks, shuffled epochs and
 * evaluation agree to 1e-5 relative (1e-6 absolute). The shared suite test/parity.test.ts runs the same idea
 * through the Model API once the native backend is registered there.
 */
import { describe, it, expect } from 'vitest';
import type { BackendModel, LossName, ModelSpec, OptimizerSpec } from '../src/backends/backend.js';
import { TsModel } from '../src/backends/ts/index.js';
import {
  expectClose, initialWeights, labelsOf, makeSpec, nativeBackend, oneHot, uniform, type LayerDraft,
} from './native-helpers.js';

function pair(spec: ModelSpec): [BackendModel, BackendModel] {
  const native = nativeBackend().createModel(spec);
  const ts = new TsModel(spec);
  const w = initialWeights(spec);
  native.setWeights(w);
  ts.setWeights(w);
  return [native, ts];
}

function targets(loss: LossName, rows: number, classes: number, seed: number): Float32Array {
  const y = oneHot(rows, classes, seed);
  if (loss === 'sparseCategoricalCrossentropy') return labelsOf(y, rows, classes);
  if (loss === 'binaryCrossentropy') return Float32Array.from({ length: rows * classes }, (_, i) => (i * 7 + seed) % 2);
  if (loss === 'meanSquaredError') return uniform(rows * classes, seed + 50, -2, 2);
  return y;
}

const optimizers: Record<string, OptimizerSpec> = {
  sgd: { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false },
  momentum: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: false },
  nesterov: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
  adam: { kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  adamw: { kind: 'adamw', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.05 },
  rmsprop: { kind: 'rmsprop', learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7 },
  rmspropMomentum: { kind: 'rmsprop', learningRate: 0.005, rho: 0.9, momentum: 0.5, epsilon: 1e-7 },
};

interface Setup {
  name: string;
  inputs: number;
  layers: LayerDraft[];
  loss: LossName;
  classes: number;
}

const setups: Setup[] = [
  { name: 'relu + softmax, categorical CE', inputs: 5, loss: 'categoricalCrossentropy', classes: 4,
    layers: [{ units: 7, activation: 'relu' }, { units: 4, activation: 'softmax' }] },
  { name: 'tanh + dropout, sparse CE', inputs: 7, loss: 'sparseCategoricalCrossentropy', classes: 3,
    layers: [{ units: 13, activation: 'tanh' }, { dropout: 0.3 }, { units: 3, activation: 'softmax' }] },
  { name: 'leakyRelu + l2, 3 layers', inputs: 13, loss: 'categoricalCrossentropy', classes: 5,
    layers: [{ units: 17, activation: 'leakyRelu', l2: 0.01 }, { units: 9, activation: 'relu' }, { units: 5, activation: 'softmax' }] },
  { name: 'dropout first, leakyRelu, sigmoid, binary CE', inputs: 3, loss: 'binaryCrossentropy', classes: 2,
    layers: [{ dropout: 0.25 }, { units: 8, activation: 'leakyRelu', alpha: 0.2 }, { dropout: 0.5 }, { units: 2, activation: 'sigmoid' }] },
  { name: 'sigmoid without bias, linear, MSE', inputs: 2, loss: 'meanSquaredError', classes: 1,
    layers: [{ units: 16, activation: 'sigmoid', useBias: false }, { units: 1 }] },
  { name: 'softmax output with MSE', inputs: 6, loss: 'meanSquaredError', classes: 3,
    layers: [{ units: 10, activation: 'tanh', l2: 0.001 }, { units: 3, activation: 'softmax' }] },
];

describe('native vs ts: training steps', () => {
  for (const s of setups) {
    for (const [optName, optimizer] of Object.entries(optimizers)) {
      it(`${s.name}, ${optName}: losses, weights and optimizer state after 6 steps`, async () => {
        const spec = makeSpec(s.inputs, s.layers, 11);
        const [native, ts] = pair(spec);
        native.compile({ optimizer, loss: s.loss });
        ts.compile({ optimizer, loss: s.loss });
        for (let step = 0; step < 6; step++) {
          const rows = 11 + step;
          const x = uniform(rows * s.inputs, step);
          const y = targets(s.loss, rows, s.classes, step);
          expectClose([await native.trainBatch(x, y, rows)], [await ts.trainBatch(x, y, rows)], `loss at step ${step}`);
        }
        const wn = native.getWeights();
        const wt = ts.getWeights();
        wn.forEach((w, i) => expectClose(w, wt[i]!, `weights[${i}]`));
        const sn = native.getOptimizerState();
        const st = ts.getOptimizerState();
        expect(sn.step).toBe(st.step);
        expect(sn.slots.length).toBe(st.slots.length);
        sn.slots.forEach((v, i) => expectClose(v, st.slots[i]!, `slots[${i}]`, 1e-5, 1e-7));
        native.dispose();
      });
    }
  }
});

describe('native vs ts: epochs, evaluation, prediction', () => {
  for (const s of setups) {
    it(`${s.name}: 3 shuffled epochs with a partial last batch, then evaluate and predict`, async () => {
      const spec = makeSpec(s.inputs, s.layers, 23);
      const [native, ts] = pair(spec);
      const train = { optimizer: optimizers.adam!, loss: s.loss };
      native.compile(train);
      ts.compile(train);
      const rows = 100;
      const x = uniform(rows * s.inputs, 3);
      const y = targets(s.loss, rows, s.classes, 3);
      for (let epoch = 0; epoch < 3; epoch++) {
        const seenNative: number[][] = [];
        const seenTs: number[][] = [];
        const rn = await native.trainEpoch(x, y, rows, { batchSize: 16, shuffle: true, epoch, onBatch: (b, n, l) => seenNative.push([b, n, l]) });
        const rt = await ts.trainEpoch(x, y, rows, { batchSize: 16, shuffle: true, epoch, onBatch: (b, n, l) => seenTs.push([b, n, l]) });
        expectClose([rn.loss], [rt.loss], `epoch ${epoch} loss`);
        expect(rn.accuracy).toBe(rt.accuracy);
        // Progress may be thinned out, but the last batch is always reported, in order.
        const last = seenNative[seenNative.length - 1]!;
        expect(last[0]).toBe(6);
        expect(last[1]).toBe(7);
        expectClose([last[2]!], [seenTs[6]![2]!], 'last batch loss');
        for (let i = 1; i < seenNative.length; i++) expect(seenNative[i]![0]).toBeGreaterThan(seenNative[i - 1]![0]!);
      }
      native.getWeights().forEach((w, i) => expectClose(w, ts.getWeights()[i]!, `weights[${i}]`));
      const xv = uniform(255 * s.inputs, 50);
      const yv = targets(s.loss, 255, s.classes, 50);
      const [en, et] = [await native.evaluate(xv, yv, 255, 64), await ts.evaluate(xv, yv, 255, 64)];
      expectClose([en.loss], [et.loss], 'evaluate loss');
      expect(en.accuracy).toBe(et.accuracy);
      expectClose(await native.predict(xv, 255), await ts.predict(xv, 255), 'predict');
      const x3 = xv.subarray(0, 3 * s.inputs);
      expectClose(native.predictSync(x3, 3), ts.predictSync(x3, 3), "predictSync");
      native.dispose();
    });
  }

  it('unshuffled epochs train consecutive slices', async () => {
    const s = setups[2]!;
    const spec = makeSpec(s.inputs, s.layers, 5);
    const [native, ts] = pair(spec);
    const train = { optimizer: optimizers.nesterov!, loss: s.loss };
    native.compile(train);
    ts.compile(train);
    const x = uniform(37 * s.inputs, 8);
    const y = targets(s.loss, 37, s.classes, 8);
    const [rn, rt] = [
      await native.trainEpoch(x, y, 37, { batchSize: 5, shuffle: false, epoch: 0 }),
      await ts.trainEpoch(x, y, 37, { batchSize: 5, shuffle: false, epoch: 0 }),
    ];
    expectClose([rn.loss], [rt.loss], 'epoch loss');
    native.getWeights().forEach((w, i) => expectClose(w, ts.getWeights()[i]!, `weights[${i}]`));
    native.dispose();
  });
});

describe('native vs ts: forward on odd and round shapes', () => {
  for (const activation of ['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'softmax'] as const) {
    it(`${activation}`, async () => {
      for (const [inputs, units, rows] of [[1, 1, 1], [7, 13, 255], [13, 64, 7], [255, 17, 3], [64, 256, 128], [784, 10, 2]] as const) {
        const spec = makeSpec(inputs, [{ units, activation }, { units: 3, activation: 'softmax' }], 5);
        const [native, ts] = pair(spec);
        const x = uniform(rows * inputs, inputs * 31 + units);
        expectClose(await native.predict(x, rows), await ts.predict(x, rows), `${activation} ${inputs}x${units} rows ${rows}`);
        native.dispose();
      }
    });
  }

  it('a realistic MLP (784-256-128-10, batch 128) stays within 1e-5 over 5 SGD steps', async () => {
    const spec = makeSpec(784, [{ units: 256, activation: 'relu' }, { units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], 3);
    const [native, ts] = pair(spec);
    const train = { optimizer: optimizers.sgd!, loss: 'sparseCategoricalCrossentropy' as const };
    native.compile(train);
    ts.compile(train);
    for (let step = 0; step < 5; step++) {
      const x = uniform(128 * 784, 100 + step, 0, 1);
      const y = labelsOf(oneHot(128, 10, step), 128, 10);
      expectClose([await native.trainBatch(x, y, 128)], [await ts.trainBatch(x, y, 128)], `loss at step ${step}`);
    }
    native.getWeights().forEach((w, i) => expectClose(w, ts.getWeights()[i]!, `weights[${i}]`));
    native.dispose();
  });
});
