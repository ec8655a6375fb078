// The threaded WASM build in Node: it is the build Node gets, its `threads` option splits the work without
// changing the results, it matches the single-threaded build bit for bit on one thread, and its idle workers
// do not keep a finished script alive.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { createWasmBackend, loadWasmBackend, type WasmBackend } from '../src/backends/wasm.js';
import { NonFiniteInputError, type ModelSpec } from '../src/backends/backend.js';
import { firstNonFinite } from '../src/errors.js';
import { statusCodes } from '../src/backends/abi.js';
import type { Engine } from '../src/backends/wasm-engine.js';
import { expectClose } from './helpers/backends.js';
import { runNodeScript, srcUrl as src } from './helpers/node-script.js';

const runScript = (script: string, env: Record<string, string> = {}) => runNodeScript(script, { env });

/** A model of every kind of step the threads split: GEMMs of several shapes, column sums, an optimizer with state. */
function spec(activation: 'relu' | 'gelu' | 'tanh', seed: number): ModelSpec {
  const model = nn.sequential(
    [
      nn.dense(200, { activation, inputShape: [97] }),
      nn.dropout(0.1),
      nn.dense(61, { activation: 'swish' }),
      nn.dense(7, { activation: 'softmax' }),
    ],
    { backend: 'ts', seed },
  );
  return (model as unknown as { spec: ModelSpec }).spec;
}

async function train(backend: WasmBackend, threads: number | undefined, activation: 'relu' | 'gelu' | 'tanh'): Promise<{ losses: number[]; out: Float32Array; weights: Float32Array[] }> {
  const rows = 300;
  const x = Float32Array.from({ length: rows * 97 }, (_, i) => Math.sin(i * 0.61) * 2);
  const y = new Float32Array(rows * 7);
  for (let r = 0; r < rows; r++) y[r * 7 + (r % 7)] = 1;
  const model = backend.createModel(spec(activation, 3), { threads });
  model.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
  const losses: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) losses.push((await model.trainEpoch(x, y, rows, { batchSize: 64, shuffle: true, epoch })).loss);
  const out = await model.predict(x, rows);
  const weights = model.getWeights();
  model.dispose();
  return { losses, out, weights };
}

describe('the threaded wasm build in Node', () => {
  it('is the build Node loads, with a thread per core (at most 16)', async () => {
    const backend = await loadWasmBackend();
    expect(backend.module._nrtw_threads_build()).toBe(1);
    expect(backend.threadsUnavailable).toBeUndefined();
    expect(backend.threads).toBe(Math.min(16, availableParallelism()));
  });

  it.each(['relu', 'gelu', 'tanh'] as const)('matches the single-threaded build bit for bit on one thread (%s)', async (activation) => {
    const [threaded, single] = await Promise.all([createWasmBackend('threads'), createWasmBackend('single')]);
    expect(single.module._nrtw_threads_build()).toBe(0);
    expect(single.threads).toBe(1);
    const a = await train(threaded, 1, activation);
    const b = await train(single, undefined, activation);
    expect(a.losses).toEqual(b.losses);
    expect(a.out).toEqual(b.out);
    a.weights.forEach((w, i) => expect(w).toEqual(b.weights[i]));
  });

  it.each(['relu', 'gelu', 'tanh'] as const)('trains on 2 threads as on 1 (%s)', async (activation) => {
    const threaded = await createWasmBackend('threads');
    const one = await train(threaded, 1, activation);
    const two = await train(threaded, 2, activation);
    expectClose('losses, 2 threads vs 1', two.losses, one.losses, { rtol: 1e-5 });
    expectClose('outputs, 2 threads vs 1', two.out, one.out, { rtol: 1e-4, atol: 1e-6 });
    two.weights.forEach((w, i) => expectClose(`weights[${i}], 2 threads vs 1`, w, one.weights[i]!, { rtol: 1e-4, atol: 1e-6 }));
  });

  it.each(['threads', 'single'] as const)('runs the finite check in the core, as firstNonFinite does (%s build)', async (build) => {
    const backend = await createWasmBackend(build);
    const model = backend.createModel(spec('relu', 1), { threads: 2 });
    for (const n of [1, 7, 13, 255, 20_000, 300_001]) {
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e20);
      expect(model.firstNonFinite(x)).toBe(-1);
      for (const at of [0, n >> 1, n - 1]) {
        const y = x.slice();
        y[at] = at % 2 ? -Infinity : NaN;
        expect(model.firstNonFinite(y)).toBe(firstNonFinite(y));
      }
    }
    model.dispose();
  });

  it('through the Model API: threads on wasm', async () => {
    await nn.ready('wasm');
    // 1024 x 64 x 129: enough work for the core to split it over 2 threads
    const x = nn.tensor(Float32Array.from({ length: 1024 * 64 }, (_, i) => Math.cos(i)), [1024, 64]);
    const out = [1, 2].map((threads) => {
      const m = nn.sequential([nn.dense(129, { activation: 'relu', inputShape: [64] }), nn.dense(3)], { backend: 'wasm', seed: 9, threads });
      return m.predictSync(x).data;
    });
    expect(out[1]).toEqual(out[0]);
  });

  it('lets a script that used it exit on its own', () => {
    const r = runScript(`
      import { loadWasmBackend } from '${src('backends/wasm.ts')}';
      import * as nn from '${src('index.ts')}';
      const backend = await loadWasmBackend();
      const m = nn.sequential([nn.dense(64, { activation: 'relu', inputShape: [32] }), nn.dense(2)], { backend: 'wasm', threads: 2 });
      m.predictSync(nn.tensor(new Float32Array(512 * 32), [512, 32]));
      console.log('threads', backend.threads);`);
    expect(r.error, 'the child did not exit by itself within 30 s').toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/threads [2-9]/);
  });

  it('rejects a bad NEURITE_WASM_BUILD, naming it', () => {
    const r = runScript(
      `import { loadWasmBackend } from '${src('backends/wasm.ts')}';
      try { await loadWasmBackend(); console.log('no error'); } catch (e) { console.log(e.message); }`,
      { NEURITE_WASM_BUILD: 'both' },
    );
    expect(r.stdout).toMatch(/NEURITE_WASM_BUILD: expected 'single' or 'threads', got 'both'/);
  });
});

/** The model's engine object (its `runner` switch), to run the same calls on and off the runner thread. */
function engineOf(model: ReturnType<WasmBackend['createModel']>): { runner: boolean } {
  return (model as unknown as { engine: { runner: boolean } }).engine;
}

describe('long calls on the runner thread (threaded build)', () => {
  const rows = 700;
  const x = Float32Array.from({ length: rows * 97 }, (_, i) => Math.sin(i * 0.37) * 1.5);
  const y = new Float32Array(rows * 7);
  for (let r = 0; r < rows; r++) y[r * 7 + ((r * 5) % 7)] = 1;

  async function session(runner: boolean, threads: number) {
    const backend = await createWasmBackend('threads');
    const model = backend.createModel(spec('gelu', 5), { threads });
    engineOf(model).runner = runner;
    model.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    const batches: number[] = [];
    const epochs = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      epochs.push(await model.trainEpoch(x, y, rows, { batchSize: 32, shuffle: true, epoch, onBatch: (b, _n, loss) => batches.push(b, loss) }));
    }
    const evaluation = await model.evaluate(x, y, rows, 50);
    const out = await model.predict(x, rows);
    const weights = model.getWeights();
    model.dispose();
    return { epochs, batches, evaluation, out, weights };
  }

  it('is what Node gets, and the single-threaded build has none', async () => {
    expect((await createWasmBackend('threads')).offThread).toBe(true);
    expect((await createWasmBackend('single')).offThread).toBe(false);
  });

  it('takes the large calls only: a small one runs on the calling thread, before the call returns', async () => {
    const backend = await createWasmBackend('threads');
    const model = backend.createModel(spec('relu', 8), { threads: 2 });
    const jobs = () => (engineOf(model) as unknown as { jobs: number }).jobs;
    const before = jobs();
    await model.predict(x.subarray(0, 97 * 100), 100); // 100 rows × 32k multiply-adds: under 4M
    expect(jobs()).toBe(before);
    await model.predict(x.subarray(0, 97 * 140), 140);
    expect(jobs()).toBe(before + 1);
    model.dispose();
  });

  it.each([1, 2])('gives the results of the paced calls on the JavaScript thread (%i thread(s))', async (threads) => {
    const on = await session(true, threads);
    const off = await session(false, threads);
    expect(on.epochs).toEqual(off.epochs);
    expect(on.batches).toEqual(off.batches); // every batch reported, in order, with the same loss
    expect(on.out).toEqual(off.out);
    on.weights.forEach((w, i) => expect(w).toEqual(off.weights[i]));
    // evaluate: the same batches, their means combined over other chunks (the paced path sizes its chunks by the
    // clock), so loss and accuracy agree to the last few bits, not bit for bit
    expect(on.evaluation.loss).toBeCloseTo(off.evaluation.loss, 12);
    expect(on.evaluation.accuracy).toBeCloseTo(off.evaluation.accuracy!, 12);
  });

  it('keeps the JavaScript thread free: timers run while a long predict computes', async () => {
    const backend = await createWasmBackend('threads');
    const model = backend.createModel(spec('relu', 2), { threads: 2 });
    const big = Float32Array.from({ length: 60_000 * 97 }, (_, i) => Math.cos(i));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const started = performance.now();
    const out = await model.predict(big, 60_000);
    const took = performance.now() - started;
    clearInterval(timer);
    // A blocked thread would run no timer until the end; one that is free runs one every few milliseconds.
    expect(ticks).toBeGreaterThan(Math.min(5, took / 20));
    expect(out.subarray(0, 21)).toEqual(model.predictSync(big.subarray(0, 97 * 3), 3));
    model.dispose();
  });

  it('runs overlapping predicts of one model one after another, each with its own input', async () => {
    const backend = await createWasmBackend('threads');
    const model = backend.createModel(spec('tanh', 4), { threads: 2 });
    // each above the size the runner takes (limits.offThreadMacs: 4M multiply-adds, 131 rows of this model)
    const inputs = [300, 2551, 140].map((n, k) => Float32Array.from({ length: n * 97 }, (_, i) => Math.sin(i * (k + 1))));
    const outs = await Promise.all(inputs.map((input) => model.predict(input, input.length / 97)));
    outs.forEach((out, k) => expect(out).toEqual(model.predictSync(inputs[k]!, inputs[k]!.length / 97)));
    model.dispose();
  });

  it('frees a model disposed while its job runs only once the job is done', async () => {
    const backend = await createWasmBackend('threads');
    const model = backend.createModel(spec('relu', 6), { threads: 2 });
    const input = Float32Array.from({ length: 4000 * 97 }, (_, i) => Math.sin(i));
    const expected = model.predictSync(input, 4000);
    const pending = model.predict(input, 4000);
    model.dispose();
    expect(await pending).toEqual(expected);
    await expect(model.predict(input, 1)).rejects.toThrow(/predict: the model was disposed/);
  });

  it("reports the core's error from the runner thread, message and all", async () => {
    const backend = await createWasmBackend('threads');
    const model = backend.createModel(spec('relu', 6), { threads: 2 });
    const input = Float32Array.from({ length: 200 * 97 }, () => 0.5);
    input[173 * 97 + 5] = NaN;
    await expect(model.predict(input, 200)).rejects.toThrow(NonFiniteInputError);
    // Below the backend (which never passes bad lengths): the core's message is the runner thread's, copied into
    // the job, not this thread's (nrt_last_error is per thread).
    const engine = engineOf(model) as unknown as Engine;
    const handle = (model as unknown as { handle: number }).handle;
    const r = await engine.runJob('predict', (job) => backend.module._nrtw_predict_async(job, handle, 0, 5n, 2n, 0, 20n));
    expect(r.status).toBe(statusCodes.invalidArgument);
    expect(r.message).toBe('x has 5 values, 2 rows of 97 need 194');
    expect(backend.module.UTF8ToString(backend.module._nrt_last_error())).not.toMatch(/x has 5 values/);
    model.dispose();
  });
});
