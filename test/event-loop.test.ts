/**
 * Event-loop and abort behaviour during training, moved unchanged from test/parity.test.ts (every backend, through
 * the Model API) and test/wasm-training.test.ts (wasm, below the Model API) when those folded into
 * test/backend-ops.test.ts. Kept apart because pacing is being rewritten, with a deterministic test to replace these.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { BackendName, OptimizerSpec } from '../src/backends/backend.js';
import { loadWasmBackend, type WasmBackend } from '../src/backends/wasm.js';
import { rngKey, rngU32, rngUniform } from '../src/rng.js';
import { prepareBackend, testedBackends } from './helpers/backends.js';
import { classes, initialWeights, makeSpec, uniform } from './wasm-helpers.js';

// ---- from test/parity.test.ts: its data, its third setup and its model builder ----

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

// at index 2, as in parity.test.ts, so that the moved test reads unchanged
const setups: Setup[] = [];
setups[2] = {
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
};

function targets(s: Setup, rows: number, seed: number): nn.Tensor {
  return nn.oneHot(Int32Array.from(labels(seed, rows, s.outputs)), s.outputs);
}

function build(s: Setup, backend: BackendName, seed = 7): nn.Sequential {
  const model = nn.sequential(s.layers(), { backend, seed });
  model.compile({ optimizer: s.optimizer(), loss: s.loss, metrics: ['accuracy'] });
  return model;
}

describe.each(testedBackends)('event loop on %s', (backend) => {
  beforeAll(() => prepareBackend(backend));
  it('the event loop keeps running during fit, and abort stops it', async () => {
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
});

// ---- from test/wasm-training.test.ts ----

let wasm: WasmBackend;
beforeAll(async () => {
  wasm = await loadWasmBackend();
});

const optimizers: [string, OptimizerSpec][] = [['sgd', { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false }]];

describe('wasm through the Model API', () => {
  it('keeps the event loop running during a long epoch, and stops on abort', async () => {
    const spec = makeSpec(256, [{ dense: 256, activation: 'relu' }, { dense: 10, activation: 'softmax' }]);
    const model = wasm.createModel(spec);
    model.setWeights(initialWeights(spec));
    model.compile({ optimizer: optimizers[0]![1], loss: 'categoricalCrossentropy' });
    const count = 16384;
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
