// What gradient clipping costs on W1 (784-256-128-10 relu, sparse softmax CE, batch 128), native engine.
// Each round trains one epoch of every variant in turn (none, clipValue, clipNorm, globalClipNorm), so the
// variants share the machine's load; the report is each variant's time relative to no clip (median of the
// per-round ratios, and ratio of the fastest epochs). Clip bounds are small so that every clip bites every step
// (a clip that does not bite skips its pass over the gradient). The order of the variants rotates per round.
// Usage: npx tsx bench/native/clip-bench.ts [rounds] [threads] [optimizer: sgd|adam]
import type { BackendModel, LayerSpec, ModelSpec, OptimizerSpec } from '../../src/backends/backend.js';
import { createNativeBackend, nativeInfo } from '../../src/backends/native.js';

const rounds = Number(process.argv[2] ?? 15);
const threads = Number(process.argv[3] ?? 1);
const kind = (process.argv[4] ?? 'sgd') as 'sgd' | 'adam';
const widths = [784, 256, 128, 10];
const batch = 128;
const rows = batch * 16;

function spec(): ModelSpec {
  const layers: LayerSpec[] = widths.slice(1).map((units, i) => ({
    kind: 'dense', inputSize: widths[i]!, units, activation: i === widths.length - 2 ? 'softmax' : 'relu', alpha: 0.3, useBias: true, l2: 0,
  }));
  return { inputSize: widths[0]!, layers, seed: 1 };
}

const base: OptimizerSpec = kind === 'sgd'
  ? { kind: 'sgd', learningRate: 0.01, momentum: 0, nesterov: false }
  : { kind: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const variants: { name: string; optimizer: OptimizerSpec }[] = [
  { name: 'none', optimizer: base },
  { name: 'clipValue 1e-4', optimizer: { ...base, clipValue: 1e-4 } },
  { name: 'clipNorm 1e-3', optimizer: { ...base, clipNorm: 1e-3 } },
  { name: 'globalClipNorm 1e-3', optimizer: { ...base, globalClipNorm: 1e-3 } },
];

const x = new Float32Array(rows * widths[0]!);
for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 24) / 255;
const y = Float32Array.from({ length: rows }, (_, i) => i % 10);

function model(optimizer: OptimizerSpec): BackendModel {
  const m = createNativeBackend({ threads }).createModel(spec());
  m.setWeights(m.getWeights().map((w, i) => w.map((_, j) => Math.sin(i * 7919 + j) * 0.05)));
  m.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  return m;
}

const models = variants.map((v) => model(v.optimizer));
const times: number[][] = variants.map(() => []);
for (const m of models) await m.trainEpoch(x, y, rows, { batchSize: batch, shuffle: false, epoch: 0 }); // warm up
for (let r = 0; r < rounds; r++) {
  // the order rotates from round to round, so no variant always runs first (after another's cache state)
  for (let k = 0; k < models.length; k++) {
    const i = (k + r) % models.length;
    const m = models[i]!;
    const t0 = performance.now();
    await m.trainEpoch(x, y, rows, { batchSize: batch, shuffle: false, epoch: 0 });
    times[i]!.push(performance.now() - t0);
  }
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
console.log(`W1 batch ${batch}, ${kind}, ${threads} thread(s), ${rounds} rounds of ${rows / batch} steps per variant; ${JSON.stringify(nativeInfo())}`);
for (const [i, v] of variants.entries()) {
  const perRound = times[i]!.map((t, r) => t / times[0]![r]!);
  console.log(`${v.name.padEnd(20)} median per-round ratio ${median(perRound).toFixed(3)}   fastest/fastest ${(Math.min(...times[i]!) / Math.min(...times[0]!)).toFixed(3)}`);
}
for (const m of models) m.dispose();
