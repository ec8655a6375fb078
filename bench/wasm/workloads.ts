// The wasm benchmark workloads, shared by the Node and the Chromium benches (plain data in, numbers out).
//   W1  784-256-128-10 relu, softmax + categorical cross-entropy, SGD lr 0.1, batch 128: training samples/s
//   W2  784-1024-1024-10 (same), batch 256: training samples/s
//   W3  W1's network at inference: batch-1 latency (µs) and batch-1024 samples/s
// Synthetic data of the right shapes: speed does not depend on the values.
import type { BackendModel, ModelSpec } from '../../src/backends/backend.js';
import { weightShapes } from '../../src/backends/backend.js';
import { initialize } from '../../src/initializers.js';
import { rngKey, rngUniform } from '../../src/rng.js';

export interface Backendish {
  createModel(spec: ModelSpec): BackendModel;
}

/**
 * A rate measured on the wall clock and, where the host can tell (Node: process.cpuUsage), on this process's CPU
 * time too: on a machine shared with other jobs the wall rate drops while the CPU-time rate shows the engine.
 */
export interface Rate {
  wall: number;
  cpu?: number;
}

type CpuClock = (() => number) | undefined;
const cpuClock: CpuClock =
  typeof process === 'object' && typeof process.cpuUsage === 'function'
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : undefined;

class Stopwatch {
  private readonly wall0 = performance.now();
  private readonly cpu0 = cpuClock?.();
  elapsed(): { wall: number; cpu?: number } {
    return { wall: performance.now() - this.wall0, cpu: cpuClock && this.cpu0 !== undefined ? cpuClock() - this.cpu0 : undefined };
  }
  /** units per second */
  rate(units: number): Rate {
    const e = this.elapsed();
    return { wall: (units * 1000) / e.wall, cpu: e.cpu ? (units * 1000) / e.cpu : undefined };
  }
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
}

function medianRate(rates: Rate[]): Rate {
  const cpu = rates.map((r) => r.cpu).filter((c): c is number => c !== undefined);
  return { wall: median(rates.map((r) => r.wall)), cpu: cpu.length ? median(cpu) : undefined };
}

export function mlp(sizes: number[], seed = 1): ModelSpec {
  return {
    inputSize: sizes[0]!,
    seed,
    layers: sizes.slice(1).map((units, i) => ({
      kind: 'dense' as const,
      inputSize: sizes[i]!,
      units,
      activation: i === sizes.length - 2 ? ('softmax' as const) : ('relu' as const),
      alpha: 0,
      useBias: true,
      l2: 0,
    })),
  };
}

function data(count: number, inputs: number, classes: number): { x: Float32Array; y: Float32Array } {
  const key = rngKey(3, 77, 0);
  const x = new Float32Array(count * inputs);
  for (let i = 0; i < x.length; i++) x[i] = rngUniform(key, i);
  const y = new Float32Array(count * classes);
  for (let r = 0; r < count; r++) y[r * classes + (r % classes)] = 1;
  return { x, y };
}

function build(backend: Backendish, sizes: number[]): BackendModel {
  const spec = mlp(sizes);
  const model = backend.createModel(spec);
  model.setWeights(weightShapes(spec).map((shape, i) => (shape.length === 2 ? initialize('heUniform', shape, 1, i) : new Float32Array(shape[0]!))));
  model.compile({ optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false }, loss: 'categoricalCrossentropy' });
  return model;
}

/** Training samples/s over whole epochs (the path fit() takes), after one warm-up epoch. */
export async function trainingThroughput(backend: Backendish, sizes: number[], batchSize: number, count: number, seconds: number): Promise<Rate> {
  const model = build(backend, sizes);
  const { x, y } = data(count, sizes[0]!, sizes[sizes.length - 1]!);
  await model.trainEpoch(x, y, count, { batchSize, shuffle: true, epoch: 0 });
  let samples = 0;
  const clock = new Stopwatch();
  for (let epoch = 1; clock.elapsed().wall < seconds * 1000; epoch++) {
    await model.trainEpoch(x, y, count, { batchSize, shuffle: true, epoch });
    samples += count;
  }
  const rate = clock.rate(samples);
  model.dispose();
  return rate;
}

/**
 * Batch-1 predictSync latency in µs: the median over rounds of `calls` back-to-back calls, each round timed as
 * a whole (performance.now() is coarse in browsers without cross-origin isolation).
 */
export function batch1Latency(backend: Backendish, sizes: number[], calls: number, rounds: number): Rate {
  const model = build(backend, sizes);
  const { x } = data(64, sizes[0]!, sizes[sizes.length - 1]!);
  const rows = Array.from({ length: 64 }, (_, r) => x.subarray(r * sizes[0]!, (r + 1) * sizes[0]!));
  let sink = 0;
  for (let i = 0; i < calls; i++) sink += model.predictSync(rows[i & 63]!, 1)[0]!; // warm-up (JIT tiers)
  const perCall: Rate[] = [];
  for (let round = 0; round < rounds; round++) {
    const clock = new Stopwatch();
    for (let i = 0; i < calls; i++) sink += model.predictSync(rows[i & 63]!, 1)[0]!;
    const e = clock.elapsed();
    perCall.push({ wall: (e.wall * 1000) / calls, cpu: e.cpu === undefined ? undefined : (e.cpu * 1000) / calls });
  }
  model.dispose();
  if (!Number.isFinite(sink)) throw new Error('non-finite outputs');
  return medianRate(perCall);
}

/** Batch-1024 predictSync samples/s (median of rounds). */
export function batchThroughput(backend: Backendish, sizes: number[], batch: number, rounds: number): Rate {
  const model = build(backend, sizes);
  const { x } = data(batch, sizes[0]!, sizes[sizes.length - 1]!);
  for (let i = 0; i < 5; i++) model.predictSync(x, batch);
  const rates: Rate[] = [];
  for (let round = 0; round < rounds; round++) {
    const clock = new Stopwatch();
    let n = 0;
    while (clock.elapsed().wall < 200) {
      model.predictSync(x, batch);
      n += batch;
    }
    rates.push(clock.rate(n));
  }
  model.dispose();
  return medianRate(rates);
}

export const W1 = [784, 256, 128, 10];
export const W2 = [784, 1024, 1024, 10];
