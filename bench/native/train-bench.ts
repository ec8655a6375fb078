// Training and inference throughput of the native engine on the reference workloads:
//   W1  784-256-128-10 relu, softmax CE (sparse), SGD lr 0.1, batch 128      samples/s on 1 and 2 threads
//   W2  784-1024-1024-10 relu, same loss/optimizer, batch 256                 samples/s on 1 thread
//   W3  W1's forward pass: batch 1 latency (predictSync) and batch 1024 throughput (predict)
// Usage: npx tsx bench/native/train-bench.ts [seconds-per-case]   (NEURITE_NATIVE_ADDON overrides the addon path)
// It drives the engine through the backend interface (src/backends/native.ts), as the Model API does, without
// the API's input checks. Each case reports its fastest repetition and the median: on a shared machine the
// fastest one is what the code does, the median what it got.
import type { BackendModel, LayerSpec, ModelSpec } from '../../src/backends/backend.js';
import { createNativeBackend, nativeInfo } from '../../src/backends/native.js';

const seconds = Number(process.argv[2] ?? 3);

function spec(widths: number[]): ModelSpec {
  const layers: LayerSpec[] = [];
  for (let i = 1; i < widths.length; i++) {
    layers.push({
      kind: 'dense', inputSize: widths[i - 1]!, units: widths[i]!, activation: i === widths.length - 1 ? 'softmax' : 'relu',
      alpha: 0.3, useBias: true, l2: 0,
    });
  }
  return { inputSize: widths[0]!, layers, seed: 1 };
}

function model(widths: number[], threads: number): BackendModel {
  const m = createNativeBackend({ threads }).createModel(spec(widths));
  m.setWeights(m.getWeights().map((w, i) => w.map((_, j) => Math.sin(i * 7919 + j) * 0.05)));
  m.compile({ optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false }, loss: 'sparseCategoricalCrossentropy' });
  return m;
}

function data(rows: number, cols: number) {
  const x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 24) / 255;
  const y = Float32Array.from({ length: rows }, (_, i) => i % 10);
  return { x, y };
}

async function trainRate(widths: number[], batch: number, threads: number, rows: number) {
  const m = model(widths, threads);
  const { x, y } = data(rows, widths[0]);
  await m.trainEpoch(x.subarray(0, batch * 4 * widths[0]!), y.subarray(0, batch * 4), batch * 4, { batchSize: batch, shuffle: true, epoch: 0 }); // warm-up
  const times = [];
  const start = performance.now();
  for (let epoch = 0; performance.now() - start < seconds * 1000 || times.length < 3; epoch++) {
    const t0 = performance.now();
    await m.trainEpoch(x, y, rows, { batchSize: batch, shuffle: true, epoch });
    times.push((performance.now() - t0) / 1000);
  }
  m.dispose();
  return summary(times, rows);
}

/** { best, median } rates of `per` items over the repetition times (seconds). */
function summary(times: number[], per: number) {
  const sorted = [...times].sort((a, b) => a - b);
  return { best: per / sorted[0]!, median: per / sorted[Math.floor(sorted.length / 2)]! };
}

const fmt = (r: { best: number; median: number }, unit: string) => `${r.best.toFixed(0)} ${unit} (fastest), ${r.median.toFixed(0)} (median)`;

async function inference(threads: number) {
  const widths = [784, 256, 128, 10];
  const m = model(widths, threads);
  const one = data(1, 784).x;
  for (let i = 0; i < 1000; i++) m.predictSync(one, 1);
  // batch 1: rounds of 100 calls (a single call is too short to time alone)
  const rounds = [];
  let start = performance.now();
  while (performance.now() - start < (seconds * 1000) / 2) {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) m.predictSync(one, 1);
    rounds.push((performance.now() - t0) / 100 / 1000);
  }
  const latency = summary(rounds, 1);
  const big = data(1024, 784).x;
  await m.predict(big, 1024);
  const calls = [];
  start = performance.now();
  while (performance.now() - start < (seconds * 1000) / 2) {
    const t0 = performance.now();
    await m.predict(big, 1024);
    calls.push((performance.now() - t0) / 1000);
  }
  m.dispose();
  return { latencyUs: { best: 1e6 / latency.best, median: 1e6 / latency.median }, rate: summary(calls, 1024) };
}

const info = nativeInfo()!;
console.log(`native engine: ${info.gemmKernel}, ${info.hardwareThreads} hardware threads, ${seconds} s per case`);
const w1 = [784, 256, 128, 10];
const w2 = [784, 1024, 1024, 10];
for (const threads of [1, 2]) {
  console.log(`W1 784-256-128-10 batch 128, ${threads} thread(s): ${fmt(await trainRate(w1, 128, threads, 16384), 'samples/s')}`);
}
console.log(`W2 784-1024-1024-10 batch 256, 1 thread: ${fmt(await trainRate(w2, 256, 1, 4096), 'samples/s')}`);
for (const threads of [1, 2]) {
  const r = await inference(threads);
  console.log(
    `W3 forward, ${threads} thread(s): batch 1 ${r.latencyUs.best.toFixed(2)} µs (fastest), ${r.latencyUs.median.toFixed(2)} µs (median); ` +
      `batch 1024 ${fmt(r.rate, 'samples/s')}`,
  );
}
