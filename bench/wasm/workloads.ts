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
export async function trainingThroughput(backend: Backendish, sizes: number[], batchSize: number, count: number, seconds: number): Promise<number> {
  const model = build(backend, sizes);
  const { x, y } = data(count, sizes[0]!, sizes[sizes.length - 1]!);
  await model.trainEpoch(x, y, count, { batchSize, shuffle: true, epoch: 0 });
  let samples = 0;
  const started = performance.now();
  for (let epoch = 1; performance.now() - started < seconds * 1000; epoch++) {
    await model.trainEpoch(x, y, count, { batchSize, shuffle: true, epoch });
    samples += count;
  }
  const rate = samples / ((performance.now() - started) / 1000);
  model.dispose();
  return rate;
}

/**
 * Batch-1 predictSync latency in µs: the median over rounds of `calls` back-to-back calls, each round timed as
 * a whole (performance.now() is coarse in browsers without cross-origin isolation).
 */
export function batch1Latency(backend: Backendish, sizes: number[], calls: number, rounds: number): number {
  const model = build(backend, sizes);
  const { x } = data(64, sizes[0]!, sizes[sizes.length - 1]!);
  const rows = Array.from({ length: 64 }, (_, r) => x.subarray(r * sizes[0]!, (r + 1) * sizes[0]!));
  let sink = 0;
  for (let i = 0; i < calls; i++) sink += model.predictSync(rows[i & 63]!, 1)[0]!; // warm-up (JIT tiers)
  const perCall: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    for (let i = 0; i < calls; i++) sink += model.predictSync(rows[i & 63]!, 1)[0]!;
    perCall.push(((performance.now() - started) * 1000) / calls);
  }
  model.dispose();
  if (!Number.isFinite(sink)) throw new Error('non-finite outputs');
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(perCall.length / 2)]!;
}

/** Batch-1024 predictSync samples/s (median of rounds). */
export function batchThroughput(backend: Backendish, sizes: number[], batch: number, rounds: number): number {
  const model = build(backend, sizes);
  const { x } = data(batch, sizes[0]!, sizes[sizes.length - 1]!);
  model.predictSync(x, batch);
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    let n = 0;
    while (performance.now() - started < 200) {
      model.predictSync(x, batch);
      n += batch;
    }
    rates.push(n / ((performance.now() - started) / 1000));
  }
  model.dispose();
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

export const W1 = [784, 256, 128, 10];
export const W2 = [784, 1024, 1024, 10];
