/**
 * The edge between TypeScript and the C++ core, on both engines that cross it (native and wasm), by the contract
 * in src/backends/backend.ts: the core checks what memory safety needs (lengths, enum codes, label indices) and
 * reports it as an Error naming the array, never a crash, and the model stays usable; calls may overlap a fit
 * and then see the weights of a whole number of steps. User-facing validation is the Model API's
 * (test/api.test.ts, test/options.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { encodeLayers } from '../src/backends/abi.js';
import { layerDescLayout } from '../src/backends/abi-generated.js';
import type { BackendModel, BackendName, ModelSpec, TrainSpec } from '../src/backends/backend.js';
import { nativeAddon } from '../src/backends/native.js';
import { resolveBackend } from '../src/backends/registry.js';
import { NeuriteError } from '../src/errors.js';
import { initialWeights, makeSpec, uniform } from './wasm-helpers.js';

const engines: BackendName[] = ['native', 'wasm'];
const spec = makeSpec(5, [{ dense: 7, activation: 'relu' }, { dense: 4, activation: 'softmax' }]);
const train: TrainSpec = { optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false }, loss: 'sparseCategoricalCrossentropy' };
const x4 = uniform(20, 1);
const y4 = Float32Array.from([0, 1, 2, 3]);

describe.each(engines)('the core behind %s checks what memory safety needs', (backend) => {
  let fresh: (s?: ModelSpec) => BackendModel;
  beforeAll(async () => {
    await nn.ready(backend);
    fresh = (s = spec) => {
      const m = resolveBackend(backend).createModel(s);
      m.setWeights(initialWeights(s));
      m.compile(train);
      return m;
    };
  });

  it('refuses arrays whose length does not match the row count, and stays usable', async () => {
    const m = fresh();
    const before = m.predictSync(x4, 4);
    await expect(m.trainBatch(x4.subarray(0, 19), y4, 4)).rejects.toThrow(/x has 19 values, 4 rows of 5 need 20/);
    await expect(m.trainBatch(x4, y4.subarray(0, 3), 4)).rejects.toThrow(/y has 3 values/);
    await expect(m.evaluate(x4, y4, 5, 2)).rejects.toThrow(NeuriteError);
    expect(() => m.predictSync(x4, 5)).toThrow(/x has 20 values, 5 rows of 5 need 25/);
    expect(() => m.setWeights([new Float32Array(3)])).toThrow(/parameter 0 needs 35 values, got 3/);
    expect(Array.from(m.predictSync(x4, 4))).toEqual(Array.from(before));
    expect(Number.isFinite(await m.trainBatch(x4, y4, 4))).toBe(true);
    m.dispose();
  });

  it('refuses sparse labels it would use as indices out of range', async () => {
    const m = fresh();
    await expect(m.trainBatch(x4, Float32Array.from([0, 1, 4, 3]), 4)).rejects.toThrow(/y\[2\] = 4 is not a class index in \[0, 4\)/);
    await expect(m.trainEpoch(x4, Float32Array.from([0, 1, 2, 1.5]), 4, { batchSize: 2, shuffle: true, epoch: 0 })).rejects.toThrow(/y\[3\] = 1.5/);
    m.dispose();
  });

  it('refuses descriptors with codes it does not know, before allocating anything', () => {
    const good = encodeLayers(spec);
    const bad = good.slice();
    new DataView(bad.buffer).setInt32(8, 99, true); // layers[0].activation
    expect(() => createRaw(backend, spec, bad)).toThrow(/layers\[0\]\.activation: no activation has code 99/);
    const wide = makeSpec(5, [{ dense: 7 }, { dropout: 0.5 }]);
    const narrowed = encodeLayers(wide);
    new DataView(narrowed.buffer).setInt32(layerDescLayout.size + layerDescLayout.fields.units.offset, 6, true); // the dropout layer's units
    expect(() => createRaw(backend, wide, narrowed)).toThrow(/dropout\) has 6 units but its input has 7/);
  });

  it('every call after dispose throws, and dispose twice is harmless', async () => {
    const m = fresh();
    m.dispose();
    m.dispose();
    expect(() => m.getWeights()).toThrow(/disposed/);
    expect(() => m.predictSync(x4, 4)).toThrow(/disposed/);
    await expect(m.trainBatch(x4, y4, 4)).rejects.toThrow(/disposed/);
  });
});

/** createModel with hand-made descriptor bytes, as a buggy encoder would send them. */
function createRaw(backend: BackendName, s: ModelSpec, bytes: Uint8Array): void {
  if (backend === 'wasm') {
    const mod = (resolveBackend('wasm') as unknown as { module: import('../wasm/neurite-wasm.mjs').NeuriteWasmModule }).module;
    const p = mod._malloc(bytes.length);
    mod.HEAPU8.set(bytes, p);
    const status = mod._nrt_model_create(s.inputSize, p, s.layers.length, 0, p);
    mod._free(p);
    if (status !== 0) throw new Error(mod.UTF8ToString(mod._nrt_last_error()));
    return;
  }
  const addon = nativeAddon();
  if (!addon) throw new Error('the native addon must be available for these tests');
  new addon.NativeModel(bytes, s.inputSize, 0, 1, 0);
}

describe.each(['ts', 'native', 'wasm'] as BackendName[])('calls during a fit on %s', (backend) => {
  beforeAll(() => nn.ready(backend).then(() => undefined));

  it('predict and evaluate run while fit runs, on the weights of a whole number of steps', async () => {
    // out = w·x + b with x = 1: a torn read (w after step k, b after step k+1) would give a sum that no step gave.
    const build = () => {
      const m = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend, seed: 3 });
      m.compile({ optimizer: nn.sgd({ learningRate: 0.01 }), loss: 'mse' });
      return m;
    };
    const rows = 4000;
    const x = nn.tensor(Float32Array.from({ length: rows }, (_, i) => (i % 7) / 7), [rows, 1]);
    const y = nn.tensor(Float32Array.from({ length: rows }, (_, i) => 3 * ((i % 7) / 7) - 1), [rows, 1]);
    // Every state the reference passes through, step by step (batches of 1 without shuffling).
    const ref = build();
    const one = nn.tensor([[1]]);
    // Enough epochs that the fit outlasts a few predict calls even on a fast machine under the full suite's load
    // (at 5, CI on an Intel Xeon with AVX-512 once saw the wasm-single fit end before the first predict returned).
    const epochs = 20;
    const states = [(await ref.predict(one)).data[0]!];
    for (let e = 0; e < epochs; e++) {
      for (let i = 0; i < rows; i++) {
        await ref.trainOnBatch(nn.tensor(x.data.subarray(i, i + 1), [1, 1]), nn.tensor(y.data.subarray(i, i + 1), [1, 1]));
        states.push((await ref.predict(one)).data[0]!);
      }
    }
    const m = build();
    let done = false;
    const fitting = m.fit(x, y, { epochs, batchSize: 1, shuffle: false }).then(() => (done = true));
    const seen: number[] = [];
    let whileRunning = 0;
    while (!done) {
      const out = (await m.predict(one)).data[0]!;
      expect(Number.isFinite((await m.evaluate(one, one)).loss)).toBe(true);
      if (!done) whileRunning++;
      seen.push(out);
      await new Promise((r) => setTimeout(r, 1));
    }
    await fitting;
    expect(whileRunning).toBeGreaterThan(0);
    for (const v of seen) expect(states.some((s) => Math.abs(s - v) <= 1e-6 * Math.max(1, Math.abs(s)))).toBe(true);
  }, 60_000);
});
