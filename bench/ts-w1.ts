/**
 * W1 on the pure-TS backend: 784-256-128-10 relu, softmax + categorical cross-entropy, SGD lr 0.1, batch 128,
 * one epoch over synthetic data of Fashion-MNIST shape. Prints samples/s of each run and the median.
 *
 *   npx --yes tsx bench/ts-w1.ts [--samples 10000] [--runs 5]
 *
 * The data is uniform noise in [0, 1) with random one-hot labels: the arithmetic of a training step does
 * not depend on the values (no sparsity shortcuts in the kernels), so noise times the same as real images.
 */
import { tsBackend } from '../src/backends/ts/index';
import type { ModelSpec } from '../src/backends/backend';
import { weightShapes } from '../src/backends/backend';
import { rngKey, rngNormal, rngUniform, Stream } from '../src/rng';

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const samples = argument('samples', 10_000);
const runs = argument('runs', 5);
const batchSize = 128;
const inputSize = 784;
const classes = 10;

const spec: ModelSpec = {
  inputSize,
  seed: 42,
  layers: [
    { kind: 'dense', inputSize: 784, units: 256, activation: 'relu', alpha: 0, useBias: true, l2: 0 },
    { kind: 'dense', inputSize: 256, units: 128, activation: 'relu', alpha: 0, useBias: true, l2: 0 },
    { kind: 'dense', inputSize: 128, units: 10, activation: 'softmax', alpha: 0, useBias: true, l2: 0 },
  ],
};

const dataKey = rngKey(7, Stream.data, 0);
const x = new Float32Array(samples * inputSize);
for (let i = 0; i < x.length; i++) x[i] = rngUniform(dataKey, i);
const y = new Float32Array(samples * classes);
for (let r = 0; r < samples; r++) y[r * classes + Math.floor(rngUniform(dataKey, x.length + r) * classes)] = 1;

/** He-normal kernels, zero biases: what the Model API would hand over */
function initialWeights(): Float32Array[] {
  return weightShapes(spec).map((shape, p) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(size);
    if (shape.length === 2) {
      const key = rngKey(spec.seed, Stream.init, p);
      const std = Math.sqrt(2 / shape[0]!);
      for (let i = 0; i < size; i++) w[i] = rngNormal(key, i) * std;
    }
    return w;
  });
}

const rates: number[] = [];
for (let run = 0; run < runs; run++) {
  const model = tsBackend.createModel(spec);
  model.setWeights(initialWeights());
  model.compile({ loss: 'categoricalCrossentropy', optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false } });
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const result = await model.trainEpoch(x, y, samples, { batchSize, shuffle: true, epoch: run });
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const rate = samples / seconds;
  rates.push(rate);
  // samples per CPU-second tells a slow kernel from a busy machine: on a shared box the two differ
  console.log(
    `run ${run + 1}: ${rate.toFixed(0)} samples/s (${seconds.toFixed(2)} s wall, ` +
      `${(samples / cpuSeconds).toFixed(0)} samples per CPU-second, loss ${result.loss.toFixed(4)})`,
  );
  model.dispose();
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)]!;
const best = rates[rates.length - 1]!;
console.log(
  `W1 ts backend, ${samples} samples, batch ${batchSize}: median ${median.toFixed(0)} samples/s ` +
    `(best ${best.toFixed(0)}; a busy machine pulls the median down)`,
);
