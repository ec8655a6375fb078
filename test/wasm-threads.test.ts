// The threaded WASM build in Node: it is the build Node gets, its `threads` option splits the work without
// changing the results, it matches the single-threaded build bit for bit on one thread, and its idle workers
// do not keep a finished script alive.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { createWasmBackend, loadWasmBackend, type WasmBackend } from '../src/backends/wasm.js';
import type { ModelSpec } from '../src/backends/backend.js';
import { firstNonFinite } from '../src/errors.js';
import { expectClose } from './helpers/backends.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = (file: string) => pathToFileURL(join(root, 'src', file)).href;

/** Runs an ES module script in a fresh Node process (TypeScript sources through the bench's loader hook). */
function runScript(script: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'neurite-wasm-threads-'));
  try {
    writeFileSync(join(dir, 'script.mjs'), script);
    return spawnSync(process.execPath, ['--import', join(root, 'bench/lib/register-ts.mjs'), join(dir, 'script.mjs')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, ...env },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

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
