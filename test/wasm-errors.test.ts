// Bad input, traps inside WASM, memory growth and exhaustion: every failure is a JS Error that names what was
// wrong, and the module (and the model) keep working afterwards.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainSpec } from '../src/backends/backend.js';
import { loadWasmBackend, type WasmBackend } from '../src/backends/wasm.js';
import { NeuriteError } from '../src/errors.js';
import { expectClose } from './helpers/backends.js';
import { classes, initialWeights, makeSpec, uniform } from './wasm-helpers.js';

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});

const sgd: TrainSpec = { optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false }, loss: 'categoricalCrossentropy' };

function smallModel() {
  const spec = makeSpec(4, [{ dense: 8, activation: 'relu' }, { dense: 3, activation: 'softmax' }]);
  const model = wasm.createModel(spec);
  model.setWeights(initialWeights(spec));
  return model;
}

const probe = uniform(5 * 4, 3);

describe('wasm: bad input', () => {
  it('rejects wrong shapes and counts before entering WASM, naming the argument', async () => {
    const model = smallModel();
    const before = model.predictSync(probe, 5);
    model.compile(sgd);
    const { oneHot } = classes(5, 3, 1);
    expect(() => model.predictSync(probe, 4)).toThrow(/predictSync: x: expected 16 values \(shape \[4, 4\]\), got 20$/);
    expect(() => model.predictSync(probe, 0)).toThrow(/count: expected a positive integer/);
    expect(() => model.predictSync(probe, 2.5)).toThrow(/count: expected a positive integer/);
    expect(() => model.predictSync([1, 2, 3, 4] as unknown as Float32Array, 1)).toThrow(/x: expected a Float32Array/);
    await expect(model.trainBatch(probe, oneHot.subarray(0, 12), 5)).rejects.toThrow(/trainBatch: y: expected 15 values \(shape \[5, 3\]\)/);
    await expect(model.evaluate(probe, oneHot, 5, 0)).rejects.toThrow(/batchSize: expected a positive integer/);
    await expect(model.trainEpoch(probe, oneHot, 5, { batchSize: 2, shuffle: 'yes' as unknown as boolean, epoch: 0 })).rejects.toThrow(
      /options.shuffle: expected a boolean/,
    );
    expect(() => model.setWeights([new Float32Array(32)])).toThrow(/weights: expected 4 Float32Arrays/);
    expect(() => model.setWeights(initialWeights(model.spec).map((w, i) => (i === 2 ? w.subarray(1) : w)))).toThrow(
      /weights\[2\]: expected 24 values \(shape \[8, 3\]\)/,
    );
    expect(() => model.compile({ optimizer: { kind: 'sgd', learningRate: -1, momentum: 0, nesterov: false }, loss: 'meanSquaredError' })).toThrow(
      /learningRate: expected a finite number > 0/,
    );
    expect(() => model.compile({ ...sgd, loss: 'hinge' as never })).toThrow(/loss: expected one of/);
    expectClose('outputs after the errors', model.predictSync(probe, 5), before, { rtol: 0, atol: 0 });
  });

  it('needs compile before training and evaluating', async () => {
    const model = smallModel();
    const { oneHot } = classes(5, 3, 1);
    await expect(model.trainBatch(probe, oneHot, 5)).rejects.toThrow(/compile/);
    await expect(model.evaluate(probe, oneHot, 5, 2)).rejects.toThrow(/compile/);
  });

  it('passes on the core’s own checks (non-finite values, labels out of range) as errors', async () => {
    const model = smallModel();
    const before = model.predictSync(probe, 5);
    const bad = probe.slice();
    bad[6] = NaN;
    expect(() => model.predictSync(bad, 5)).toThrow(NeuriteError);
    expect(() => model.predictSync(bad, 5)).toThrow(/x/);
    const weights = initialWeights(model.spec);
    weights[0]![3] = Infinity;
    expect(() => model.setWeights(weights)).toThrow(/weights\[0\]/);
    model.compile({ ...sgd, loss: 'sparseCategoricalCrossentropy' });
    const labels = new Float32Array([0, 1, 2, 3, 1]);
    await expect(model.trainBatch(probe, labels, 5)).rejects.toThrow(/label|class|range|\[0, 3\)/i);
    expectClose('outputs after the errors', model.predictSync(probe, 5), before, { rtol: 0, atol: 0 });
    const { labels: good } = classes(5, 3, 2);
    expect(Number.isFinite(await model.trainBatch(probe, good, 5))).toBe(true);
  });

  it('rejects bad specs before creating anything', () => {
    expect(() => wasm.createModel(makeSpec(0, [{ dense: 2 }]))).toThrow(/spec.inputSize/);
    const spec = makeSpec(4, [{ dense: 8 }, { dropout: 0.5 }, { dense: 2 }]);
    (spec.layers[1] as { units: number }).units = 7;
    expect(() => wasm.createModel(spec)).toThrow(/spec.layers\[1\].units: expected 8/);
    const softmaxInside = makeSpec(4, [{ dense: 8, activation: 'softmax' }, { dense: 2 }]);
    expect(() => wasm.createModel(softmaxInside)).toThrow(/softmax/);
  });

  it('refuses a disposed model', async () => {
    const model = smallModel();
    model.dispose();
    model.dispose(); // twice is fine
    expect(() => model.predictSync(probe, 5)).toThrow(/disposed/);
    await expect(model.predict(probe, 5)).rejects.toThrow(/disposed/);
  });
});

describe('wasm: traps', () => {
  it.each([
    [0, 'unreachable'],
    [1, 'abort()'],
    [2, 'out-of-bounds store'],
  ] as const)('turns trap %i (%s) into an Error and stays usable', (kind, _name) => {
    const model = smallModel();
    const before = model.predictSync(probe, 5);
    const stack = wasm.module.stackSave();
    expect(() => wasm.debugTrap(kind)).toThrow(/trapped/);
    expect(wasm.module.stackSave()).toBe(stack);
    expectClose('same model after the trap', model.predictSync(probe, 5), before, { rtol: 0, atol: 0 });
    const other = smallModel();
    expectClose('new model after the trap', other.predictSync(probe, 5), before, { rtol: 0, atol: 0 });
    other.dispose();
    model.dispose();
  });
});

describe('wasm: memory', () => {
  it('grows the heap for a large batch and reads results through the new views', async () => {
    const spec = makeSpec(784, [{ dense: 256, activation: 'relu' }, { dense: 10, activation: 'softmax' }]);
    const model = wasm.createModel(spec);
    model.setWeights(initialWeights(spec));
    const count = 30_000; // 94 MB of inputs, far beyond the initial 16 MB heap
    const x = uniform(count * 784, 11, 0, 1);
    const heapBefore = wasm.module.HEAPU8.length;
    const all = model.predictSync(x, count);
    expect(wasm.module.HEAPU8.length).toBeGreaterThan(heapBefore + count * 784 * 4 - 16 * 2 ** 20);
    for (const row of [0, 1, 12_345, count - 1]) {
      const one = model.predictSync(x.subarray(row * 784, (row + 1) * 784), 1);
      expectClose(`row ${row}`, all.subarray(row * 10, (row + 1) * 10), one, { rtol: 1e-6 });
    }
    model.compile(sgd);
    const { oneHot } = classes(count, 10, 5);
    const loss = await model.trainBatch(x, oneHot, count);
    expect(loss).toBeGreaterThan(1);
    expect(loss).toBeLessThan(4);
    model.dispose();
  });

  it('reports exhausted memory as an error and keeps working', async () => {
    // 1 → 4096 → 1 on a million rows needs 16 GB of activations: more than wasm32 can address.
    const spec = makeSpec(1, [{ dense: 4096, activation: 'relu' }, { dense: 1 }]);
    const model = wasm.createModel(spec);
    model.setWeights(initialWeights(spec));
    model.compile({ ...sgd, loss: 'meanSquaredError' });
    const count = 1_000_000;
    const x = uniform(count, 1);
    await expect(model.trainBatch(x, x, count)).rejects.toThrow(/memory/i);
    const small = smallModel();
    expect(small.predictSync(probe, 5).length).toBe(15);
    expect(Number.isFinite(await model.trainBatch(x.subarray(0, 64), x.subarray(0, 64), 64))).toBe(true);
    small.dispose();
    model.dispose();
  });
});
