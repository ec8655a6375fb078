/**
 * The addon off the main thread: a long native epoch leaves the event loop free, reports progress, stops on
 * abort (AbortSignal or dispose), rejects cleanly when the progress callback throws, lets other calls run between
 * its batches, and frees native memory on dispose() or, failing that, when the model is garbage collected.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { encodeLayers } from '../src/backends/abi.js';
import { AbortError, type BackendModel, type ModelSpec, type TrainSpec } from '../src/backends/backend.js';
import { initialWeights, makeSpec, nativeBackend, uniform } from './native-helpers.js';

const spec = makeSpec(64, [{ units: 128, activation: 'relu' }, { units: 64, activation: 'tanh' }, { units: 10, activation: 'softmax' }]);
const train: TrainSpec = { optimizer: { kind: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, loss: 'sparseCategoricalCrossentropy' };
const rows = 60000;
const x = uniform(rows * 64, 1);
const y = Float32Array.from({ length: rows }, (_, i) => i % 10);

function model(s: ModelSpec = spec, threads?: number): BackendModel {
  const m = nativeBackend().createModel(s, threads === undefined ? undefined : { threads });
  m.setWeights(initialWeights(s));
  m.compile(train);
  return m;
}

describe('native async', () => {
  it('keeps the event loop running during a long epoch and reports batch progress', async () => {
    const m = model();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const progress: number[] = [];
    const start = Date.now();
    const r = await m.trainEpoch(x, y, rows, { batchSize: 32, shuffle: true, epoch: 0, onBatch: (b) => progress.push(b) });
    const ms = Date.now() - start;
    clearInterval(timer);
    expect(Number.isFinite(r.loss)).toBe(true);
    expect(ms).toBeGreaterThan(50); // long enough for the timer to matter
    expect(ticks).toBeGreaterThan(ms / 20);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress[progress.length - 1]).toBe(Math.ceil(rows / 32) - 1);
    m.dispose();
  });

  it('an AbortSignal stops the epoch between batches with an AbortError, and the model stays usable', async () => {
    const m = model();
    const controller = new AbortController();
    let batches = 0;
    const run = m.trainEpoch(x, y, rows, { batchSize: 4, shuffle: true, epoch: 0, signal: controller.signal, onBatch: () => batches++ });
    setTimeout(() => controller.abort(), 30);
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(m.getOptimizerState().step).toBeLessThan(rows / 4);
    expect(Number.isFinite(await m.trainBatch(x.subarray(0, 64 * 8), y.subarray(0, 8), 8))).toBe(true);
    // an already aborted signal does not start at all
    const step = m.getOptimizerState().step;
    await expect(m.trainEpoch(x, y, rows, { batchSize: 4, shuffle: true, epoch: 0, signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    expect(m.getOptimizerState().step).toBe(step);
    m.dispose();
  });

  it('a throwing progress callback rejects the Promise with its error and stops training', async () => {
    const m = model();
    const boom = new Error('boom from onBatch');
    await expect(m.trainEpoch(x, y, rows, { batchSize: 8, shuffle: false, epoch: 0, onBatch: () => { throw boom; } })).rejects.toBe(boom);
    expect(m.getOptimizerState().step).toBeLessThan(rows / 8);
    expect(Number.isFinite((await m.evaluate(x.subarray(0, 64 * 1000), y.subarray(0, 1000), 1000, 100)).loss)).toBe(true);
    m.dispose();
  });

  it('other calls run between the batches of an epoch in flight, on a whole number of steps', async () => {
    const m = model();
    let running = true;
    const run = m.trainEpoch(x.subarray(0, 64 * 20000), y.subarray(0, 20000), 20000, { batchSize: 16, shuffle: true, epoch: 1 })
      .finally(() => (running = false));
    const steps: number[] = [];
    while (running) {
      const state = m.getOptimizerState(); // the step count and the slots are read under the model's lock
      steps.push(state.step);
      expect(m.getWeights().length).toBe(6);
      expect(m.predictSync(x.subarray(0, 64), 1).length).toBe(10);
      expect((await m.predict(x.subarray(0, 64 * 512), 512)).length).toBe(5120);
      await new Promise((r) => setTimeout(r, 2));
    }
    await run;
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.some((s) => s > 0 && s < 1250)).toBe(true); // seen mid-epoch
    for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeGreaterThanOrEqual(steps[i - 1]!);
    m.dispose();
  });

  it('runs work up to 2^22 multiply-adds on the JS thread (a settled Promise) and more on a worker', async () => {
    // W1 (784-256-128-10): 234,752 multiply-adds a row, so 17 rows are 3,990,784 and 18 rows 4,225,536.
    const m = model(makeSpec(784, [{ units: 256, activation: 'relu' }, { units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }]), 1);
    const xs = uniform(18 * 784, 5);
    const settledWithinMicrotasks = async (rows: number) => {
      let settled = false;
      const p = m.predict(xs.subarray(0, rows * 784), rows).then(() => (settled = true));
      for (let i = 0; i < 20; i++) await null; // microtasks only: a worker's result needs a turn of the event loop
      const now = settled;
      await p;
      return now;
    };
    expect(await settledWithinMicrotasks(17)).toBe(true);
    expect(await settledWithinMicrotasks(18)).toBe(false);
    m.dispose();
  });

  it('a small predict while an epoch runs goes to a worker too, rather than wait for the model on the JS thread', async () => {
    // Small work runs inline (a settled Promise) when the model is free. During an epoch the model is locked batch by
    // batch: run inline, a call would block the JS thread until the current batch ends.
    // 1 thread, so that a CPU of a 2-vCPU machine is left for the JS thread to take the progress report on time
    const m = model(makeSpec(256, [{ units: 512, activation: 'relu' }, { units: 512, activation: 'relu' }, { units: 10, activation: 'softmax' }]), 1);
    const count = 16384;
    const xs = uniform(count * 256, 3);
    const ys = Float32Array.from({ length: count }, (_, i) => i % 10);
    let resolveFirst!: () => void;
    const firstBatchDone = new Promise<void>((r) => (resolveFirst = r));
    const started = performance.now();
    const epoch = m.trainEpoch(xs, ys, count, { batchSize: count / 4, shuffle: false, epoch: 0, onBatch: (b) => b === 0 && resolveFirst() });
    await firstBatchDone; // a later batch is running now, holding the model
    const t0 = performance.now();
    const pending = m.predict(xs.subarray(0, 256), 1);
    const blocked = performance.now() - t0;
    expect((await pending).length).toBe(10);
    await epoch;
    const batchMs = (performance.now() - started) / 4;
    expect(batchMs).toBeGreaterThan(20); // long enough for the check to mean something
    expect(blocked).toBeLessThan(batchMs / 4);
    m.dispose();
  });

  it('large trainBatch, evaluate and predict run as workers and resolve', async () => {
    const m = model();
    const loss = await m.trainBatch(x.subarray(0, 64 * 4096), y.subarray(0, 4096), 4096);
    expect(Number.isFinite(loss)).toBe(true);
    const e = await m.evaluate(x, y, rows, 1000);
    expect(e.accuracy).toBeGreaterThanOrEqual(0);
    const out = await m.predict(x, rows);
    expect(out.length).toBe(rows * 10);
    let sum = 0;
    for (let j = 0; j < 10; j++) sum += out[j]!;
    expect(sum).toBeCloseTo(1, 5);
    m.dispose();
  });

  it('dispose during a run aborts it and frees the model when the worker returns', async () => {
    const m = model();
    const run = m.trainEpoch(x, y, rows, { batchSize: 4, shuffle: true, epoch: 0 });
    m.dispose();
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(() => m.getWeights()).toThrow(/disposed/);
  });

  it('native memory is returned by dispose() and by the finalizer of forgotten models', () => {
    // A child process with --expose-gc creates models of 32 MB each (16 MB kernel + 16 MB gradient): 40 disposed
    // ones, then 80 dropped without dispose. Leaking would cost 1.3 GB and 2.6 GB. A fixed mmap threshold makes
    // glibc hand freed buffers back to the OS, so RSS shows what is really held.
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', memoryProbe], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072' },
    });
    expect(child.stderr).toBe('');
    const report = JSON.parse(child.stdout) as Record<string, number>;
    const mb = (b: number) => b / 2 ** 20;
    expect(report.liveAfterDispose).toBe(report.liveAtStart);
    // forgotten models: the finalizers ran for all but the last few still referenced from the loop
    expect(report.liveAfterGc! - report.liveAtStart!).toBeLessThanOrEqual(4);
    // AddressSanitizer (scripts/test-native.sh --addon-sanitize) quarantines freed memory: RSS says nothing there.
    if (!/libasan/.test(process.env.LD_PRELOAD ?? '')) {
      expect(mb(report.disposed! - report.baseline!)).toBeLessThan(100);
      expect(mb(report.collected! - report.baseline!)).toBeLessThan(300);
    }
  }, 120_000);
});

// Runs in a child process: loads the addon directly (no TypeScript needed) and measures RSS.
const memoryProbe = `
import { createRequire } from 'node:module';
const require = createRequire(process.cwd() + '/');
const addon = require(process.env.NEURITE_NATIVE_ADDON || './build/Release/neurite.node');
const layers = Uint8Array.from(${JSON.stringify(Array.from(encodeLayers(makeSpec(2048, [{ units: 2048, activation: 'relu', useBias: false }]))))});
const rss = () => process.memoryUsage().rss;
const w = new Float32Array(2048 * 2048).fill(0.5);
globalThis.gc();
const baseline = rss();
const liveAtStart = addon.info().liveModels;
for (let i = 0; i < 40; i++) {
  const m = new addon.NativeModel(layers, 2048, 1, 1, 2048 * 2048);
  m.setParameter(0, w);
  m.dispose();
}
const disposed = rss();
const liveAfterDispose = addon.info().liveModels;
for (let i = 0; i < 80; i++) {
  const m = new addon.NativeModel(layers, 2048, 1, 1, 2048 * 2048);
  m.setParameter(0, w);
  if (i % 4 === 3) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
}
for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setImmediate(r)); }
const collected = rss();
const liveAfterGc = addon.info().liveModels;
process.stdout.write(JSON.stringify({ baseline, disposed, collected, liveAtStart, liveAfterDispose, liveAfterGc }));
`;
