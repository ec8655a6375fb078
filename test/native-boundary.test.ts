/**
 * The addon's boundary: whatever a caller passes (wrong types, wrong lengths, NaN, negative or fractional
 * counts, unknown names, calls after dispose or during a run) becomes a TypeError/RangeError/Error naming the
 * argument, and the process and the model stay usable.
 */
import { describe, it, expect } from 'vitest';
import { makeSpec, nativeBackend, uniform, initialWeights } from './native-helpers.js';
import type { BackendModel, ModelSpec, TrainSpec } from '../src/backends/backend.js';

const spec = makeSpec(5, [{ units: 7, activation: 'relu' }, { units: 4, activation: 'softmax' }]);
const train: TrainSpec = { optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false }, loss: 'sparseCategoricalCrossentropy' };

function fresh(): BackendModel {
  const m = nativeBackend().createModel(spec);
  m.setWeights(initialWeights(spec));
  m.compile(train);
  return m;
}

const x4 = uniform(20, 1);
const y4 = Float32Array.from([0, 1, 2, 3]);

describe('native boundary: model construction', () => {
  const backend = nativeBackend();
  const bad: Array<[string, unknown, RegExp]> = [
    ['non-object spec', 42, /spec: expected an object, got 42/],
    ['fractional input size', { ...spec, inputSize: 2.5 }, /spec\.inputSize: expected an integer/],
    ['zero input size', { ...spec, inputSize: 0 }, /spec\.inputSize: expected an integer in \[1, /],
    ['negative seed', { ...spec, seed: -1 }, /spec\.seed/],
    ['layers not an array', { ...spec, layers: {} }, /spec\.layers: expected an array/],
    ['unknown layer kind', { ...spec, layers: [{ kind: 'conv', units: 3 }] }, /spec\.layers\[0\]\.kind: expected one of 'dense', 'dropout', got "conv"/],
    ['unknown activation', { ...spec, layers: [{ ...spec.layers[0], activation: 'gelu' }] }, /activation: expected one of/],
    ['NaN alpha', { ...spec, layers: [{ ...spec.layers[0], alpha: NaN }] }, /spec\.layers\[0\]\.alpha: expected a finite number/],
    ['negative l2', { ...spec, layers: [{ ...spec.layers[0], l2: -1 }] }, /spec\.layers\[0\]\.l2/],
    ['inconsistent inputSize', { ...spec, layers: [{ ...spec.layers[0], inputSize: 6 }] }, /inputSize: expected 5/],
    ['dropout rate 1', { ...spec, layers: [{ kind: 'dropout', units: 5, rate: 1, threshold: 0 }] }, /rate: expected a finite number in \[0, 1\)/],
    ['dropout width', { ...spec, layers: [{ kind: 'dropout', units: 4, rate: 0.5, threshold: 8388608 }] }, /keeps the width/],
    ['useBias not boolean', { ...spec, layers: [{ ...spec.layers[0], useBias: 1 }] }, /useBias: expected a boolean, got 1/],
  ];
  for (const [what, s, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => backend.createModel(s as ModelSpec)).toThrow(message);
    });
  }
});

describe('native boundary: calls', () => {
  it('setWeights checks count, type, length and finiteness, all or nothing', () => {
    const m = fresh();
    const good = initialWeights(spec);
    const before = m.getWeights();
    expect(() => m.setWeights(good.slice(1))).toThrow(/weights: expected 4 arrays, got 3/);
    expect(() => m.setWeights([new Float64Array(35), ...good.slice(1)] as unknown as Float32Array[])).toThrow(TypeError);
    expect(() => m.setWeights([new Float32Array(34), ...good.slice(1)])).toThrow(/weights\[0\]: expected 35 values, got 34/);
    const poisoned = good.map((w) => w.slice());
    poisoned[3]![1] = NaN;
    expect(() => m.setWeights(poisoned)).toThrow(/weights\[3\].*not finite/);
    // nothing was changed by the rejected call
    m.getWeights().forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(before[i]!)));
    m.dispose();
  });

  it('compile names bad optimizer fields and impossible losses', () => {
    const m = nativeBackend().createModel(spec);
    expect(() => m.compile({ optimizer: { kind: 'sgd', learningRate: -1, momentum: 0, nesterov: false }, loss: 'categoricalCrossentropy' })).toThrow(/optimizer\.learningRate/);
    expect(() => m.compile({ optimizer: { kind: 'adam', learningRate: 0.1 } as never, loss: 'categoricalCrossentropy' })).toThrow(/optimizer\.beta1: expected a number, got undefined/);
    expect(() => m.compile({ optimizer: { kind: 'adagrad' } as never, loss: 'categoricalCrossentropy' })).toThrow(/optimizer\.kind: expected one of 'sgd', 'adam', 'adamw', 'rmsprop'/);
    expect(() => m.compile({ optimizer: train.optimizer, loss: 'hinge' as never })).toThrow(/train\.loss: expected one of/);
    expect(() => m.compile({ optimizer: train.optimizer, loss: 'binaryCrossentropy' })).toThrow(/needs the last layer to be dense with a sigmoid activation/);
    m.dispose();
  });

  it('training before compile is refused', async () => {
    const m = nativeBackend().createModel(spec);
    await expect(m.trainBatch(x4, y4, 4)).rejects.toThrow(/compile\(\) the model/);
    expect(() => m.getOptimizerState()).toThrow(/not compiled/);
    m.dispose();
  });

  it('trainBatch checks types, lengths, counts, NaN and labels', async () => {
    const m = fresh();
    await expect(m.trainBatch([1, 2, 3] as unknown as Float32Array, y4, 4)).rejects.toThrow(/x: expected a Float32Array, got an array of length 3/);
    await expect(m.trainBatch(x4, y4, -1)).rejects.toThrow(/count: expected an integer in \[1, /);
    await expect(m.trainBatch(x4, y4, 1.5)).rejects.toThrow(/count: expected an integer/);
    await expect(m.trainBatch(x4, y4, '4' as unknown as number)).rejects.toThrow(TypeError);
    await expect(m.trainBatch(x4, y4, 5)).rejects.toThrow(/x: expected 25 values, got 20/);
    await expect(m.trainBatch(x4, y4.subarray(0, 3), 4)).rejects.toThrow(/y: expected 4 values, got 3/);
    const nan = x4.slice();
    nan[7] = NaN;
    await expect(m.trainBatch(nan, y4, 4)).rejects.toThrow(/x\[7\] \(row 1, column 2\) is not finite/);
    const inf = x4.slice();
    inf[19] = -Infinity;
    await expect(m.trainBatch(inf, y4, 4)).rejects.toThrow(RangeError);
    await expect(m.trainBatch(x4, Float32Array.from([0, 1, 4, 3]), 4)).rejects.toThrow(/y\[2\] = 4 is not a class index in \[0, 4\)/);
    await expect(m.trainBatch(x4, Float32Array.from([0, 1, 2.5, 3]), 4)).rejects.toThrow(/not a class index/);
    // still fine afterwards
    expect(Number.isFinite(await m.trainBatch(x4, y4, 4))).toBe(true);
    m.dispose();
  });

  it('trainEpoch, evaluate and predict check their options', async () => {
    const m = fresh();
    await expect(m.trainEpoch(x4, y4, 4, { batchSize: 0, shuffle: true, epoch: 0 })).rejects.toThrow(/batchSize: expected an integer in \[1, /);
    await expect(m.trainEpoch(x4, y4, 4, { batchSize: 2, shuffle: 1 as unknown as boolean, epoch: 0 })).rejects.toThrow(/shuffle: expected a boolean/);
    await expect(m.trainEpoch(x4, y4, 4, { batchSize: 2, shuffle: true, epoch: -1 })).rejects.toThrow(/epoch: expected an integer/);
    await expect(m.trainEpoch(x4, y4, 4, { batchSize: 2, shuffle: true, epoch: 0, onBatch: 5 as never })).rejects.toThrow(/onBatch: expected a function/);
    await expect(m.evaluate(x4, y4, 4, 2.5)).rejects.toThrow(/batchSize/);
    await expect(m.predict(x4, 3)).rejects.toThrow(/x: expected 15 values, got 20/);
    expect(() => m.predictSync(x4, Number.NaN)).toThrow(/count: expected an integer/);
    expect(() => m.predictSync(new Float32Array(0), 0)).not.toThrow();
    expect(m.predictSync(new Float32Array(0), 0).length).toBe(0);
    expect(() => m.setLearningRate(Infinity)).toThrow(/lr: expected a finite number/);
    expect(() => m.setOptimizerState({ step: -1, slots: [] })).toThrow(/state\.step/);
    expect(() => m.setOptimizerState({ step: 0, slots: [new Float32Array(1)] })).toThrow(/state\.slots: expected 0 arrays/);
    m.dispose();
  });

  it('refuses views on resizable buffers for work that runs off the main thread', async () => {
    const m = fresh();
    // ES2024 resizable buffers (Node 20 has them; the project's TypeScript lib is ES2022)
    const Resizable = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer;
    const buffer = new Resizable(80, { maxByteLength: 160 });
    const x = new Float32Array(buffer, 0, 20);
    x.set(x4);
    await expect(m.trainBatch(x, y4, 4)).rejects.toThrow(/resizable or growable buffer/);
    expect(m.predictSync(x, 4).length).toBe(16); // synchronous use is safe
    m.dispose();
  });

  it('every call after dispose throws, and dispose twice is harmless', async () => {
    const m = fresh();
    m.dispose();
    m.dispose();
    expect(() => m.getWeights()).toThrow(/disposed/);
    expect(() => m.predictSync(x4, 4)).toThrow(/disposed/);
    await expect(m.trainBatch(x4, y4, 4)).rejects.toThrow(/disposed/);
    await expect(m.trainEpoch(x4, y4, 4, { batchSize: 2, shuffle: true, epoch: 0 })).rejects.toThrow(/disposed/);
    expect(() => m.compile(train)).toThrow(/disposed/);
  });
});
