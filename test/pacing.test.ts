/**
 * Long work never holds the event loop, on every backend, whatever the CPU's speed: the clock the shared pacer
 * reads (src/backends/pacing.ts) is replaced by one that advances a fixed step per read, so the ts and wasm
 * backends must yield after a fixed amount of work — across epoch boundaries too, where a per-epoch budget once
 * blocked the loop for a whole fit of short epochs. The native engine trains on a worker thread, so the loop is
 * free by construction; it runs the same checks.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { BackendName } from '../src/backends/backend.js';
import { BUDGET_MS, pacingClock } from '../src/backends/pacing.js';

const realNow = pacingClock.now;
afterEach(() => {
  pacingClock.now = realNow;
});

/** Each read of the pacer's clock advances it by `step` ms. */
function steppingClock(step: number): void {
  let t = 0;
  pacingClock.now = () => (t += step);
}

/** Counts turns of the event loop (one setImmediate per turn) until stopped. */
function turnCounter() {
  let turns = 0;
  let on = true;
  const tick = () => {
    turns++;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turns() {
      return turns;
    },
    stop: () => (on = false),
  };
}

function model(backend: BackendName) {
  const m = nn.sequential([nn.dense(8, { inputShape: [4], activation: 'relu' }), nn.dense(3, { activation: 'softmax' })], { backend, seed: 1 });
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  return m;
}

const rows = 16;
const x = nn.tensor(Float32Array.from({ length: rows * 4 }, (_, i) => Math.sin(i)), [rows, 4]);
const y = nn.tensor(Float32Array.from({ length: rows }, (_, i) => i % 3), [rows]);

describe.each(['ts', 'native', 'wasm'] as BackendName[])('pacing on %s', (backend) => {
  beforeAll(() => nn.ready(backend).then(() => undefined));

  it('the event loop turns at least every few batches, across epochs shorter than the budget', async () => {
    steppingClock(BUDGET_MS / 2);
    const m = model(backend);
    const counter = turnCounter();
    const epochs = 60; // two batches each
    await m.fit(x, y, { epochs, batchSize: 8 });
    counter.stop();
    expect(counter.turns).toBeGreaterThanOrEqual(epochs / 2);
    await m.predict(x); // predict and evaluate are paced too
    await m.evaluate(x, y, { batchSize: 1 });
  });

  it('an AbortSignal fired from a timer stops the fit between batches', async () => {
    steppingClock(BUDGET_MS / 2);
    const m = model(backend);
    const controller = new AbortController();
    let epochsDone = 0;
    setTimeout(() => controller.abort(), 5);
    const fit = m.fit(x, y, {
      epochs: 100_000,
      batchSize: 8,
      signal: controller.signal,
      callbacks: { onEpochEnd: () => void epochsDone++ },
    });
    await expect(fit).rejects.toBeInstanceOf(nn.AbortError);
    expect(epochsDone).toBeLessThan(100_000);
    expect(Number.isFinite((await m.evaluate(x, y)).loss)).toBe(true); // still usable
  });
});
