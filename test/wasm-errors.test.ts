// Traps inside WASM, memory growth and exhaustion: every failure is a JS Error that names what was wrong, and
// the module (and the model) keep working afterwards. Bad input at the edge: test/backend-boundary.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainSpec } from '../src/backends/backend.js';
import { loadWasmBackend, type WasmBackend } from '../src/backends/wasm.js';
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
