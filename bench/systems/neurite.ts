/**
 * neurite through its public Model API (nn.sequential → compile → fit / predictSync / predict), on the backend
 * the request names: ts, native (at a given thread count) or wasm. Imported from the sources, so the suite
 * measures the working tree, not a dist/ that may be older.
 *
 * The native thread count is not a Model option: the bench registers, in place of the Node entry's 'native'
 * provider (default: all hardware threads), one whose models use `threads` threads (createNativeBackend).
 */
import * as nn from '../../src/index.js';
import { createNativeBackend, nativeInfo, nativeUnavailableReason } from '../../src/backends/native.js';
import { wasmProvider, type WasmBackend } from '../../src/backends/wasm.js';
import { FEATURES, runChild, type BenchData, type Engine } from '../lib/child.js';
import { medianCallMicros, rateFor } from '../lib/measure.js';
import { W1 } from '../lib/plan.js';
import { readFileSync } from 'node:fs';

type BackendName = 'ts' | 'native' | 'wasm';

const libraryVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Make `backend` selectable by name; returns what to print about it. */
async function prepare(backend: BackendName, threads: number): Promise<{ threads: string; notes: string[] }> {
  if (backend === 'ts') return { threads: '1', notes: ['the pure-TypeScript reference backend, on the main thread'] };
  if (backend === 'native') {
    const reason = nativeUnavailableReason();
    if (reason) throw new Error(reason);
    const engine = createNativeBackend({ threads });
    nn.registerBackend({ name: 'native', get: () => engine, ready: async () => engine, unavailableReason: () => undefined });
    const info = nativeInfo()!;
    return { threads: String(threads), notes: [`GEMM kernel ${info.gemmKernel}`] };
  }
  await nn.ready('wasm');
  const wasm = (await wasmProvider.ready()) as WasmBackend; // the instance the Node entry registered: for its kernel name
  return { threads: '1', notes: [`GEMM kernel ${wasm.gemmKernel}, simd128 ${wasm.simd128}`] };
}

function build(sizes: readonly number[], backend: BackendName): nn.Sequential {
  const layers = sizes.slice(1).map((units, i) =>
    i === 0
      ? nn.dense(units, { inputShape: [sizes[0]!], activation: 'relu' })
      : nn.dense(units, { activation: i === sizes.length - 2 ? 'softmax' : 'relu' }),
  );
  const model = nn.sequential(layers, { backend, seed: 1 });
  model.compile({ optimizer: nn.sgd({ learningRate: W1.learningRate }), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

function neuriteEngine(backend: BackendName, data: () => BenchData): Engine {
  return {
    version: libraryVersion,
    async train(sizes, batch, samples, passes) {
      const d = data();
      const x = nn.tensor(d.x.subarray(0, samples * FEATURES), [samples, FEATURES]);
      const y = Float32Array.from(d.labels.subarray(0, samples));
      const model = build(sizes, backend);
      const seconds: number[] = [];
      let started = 0;
      // Each epoch is one run: the callbacks time the epoch itself, not fit()'s one-off argument checks.
      await model.fit(x, y, {
        epochs: passes,
        batchSize: batch,
        shuffle: true,
        callbacks: {
          onEpochBegin: () => {
            started = performance.now();
          },
          onEpochEnd: () => {
            seconds.push((performance.now() - started) / 1000);
          },
        },
      });
      model.dispose();
      return seconds.map((s) => samples / s);
    },
    async latency(sizes, calls, runs) {
      const d = data();
      const model = build(sizes, backend);
      const rows = Array.from({ length: 64 }, (_, r) => nn.tensor(d.x.subarray(r * FEATURES, (r + 1) * FEATURES), [1, FEATURES]));
      const call = (i: number) => model.predictSync(rows[i & 63]!);
      await medianCallMicros(call, Math.min(calls, 2000)); // warm-up: JIT tiers, caches
      const out: number[] = [];
      for (let r = 0; r < runs; r++) out.push(await medianCallMicros(call, calls));
      model.dispose();
      return out;
    },
    async throughput(sizes, batch, seconds, runs) {
      const d = data();
      const model = build(sizes, backend);
      const x = nn.tensor(d.x.subarray(0, batch * FEATURES), [batch, FEATURES]);
      const call = () => model.predict(x);
      await rateFor(call, batch, seconds / 2);
      const out: number[] = [];
      for (let r = 0; r < runs; r++) out.push(await rateFor(call, batch, seconds));
      model.dispose();
      return out;
    },
  };
}

await runChild(async (request, data) => {
  const backend = request.options.backend as BackendName;
  const threads = Number(request.options.threads ?? 1);
  const prepared = await prepare(backend, threads);
  const engine = neuriteEngine(backend, data);
  engine.threads = prepared.threads;
  engine.notes = [
    ...prepared.notes,
    'training through model.fit (one epoch per run, timed by onEpochBegin/onEpochEnd); batch-1 through predictSync, batch-1024 through await predict',
  ];
  return engine;
});
