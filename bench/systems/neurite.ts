/**
 * neurite through its public Model API (nn.sequential → compile → fit / predictSync / predict), on the backend
 * the request names: ts, native or wasm, with the Model API's `threads` option. Imported from the sources, so
 * the suite measures the working tree, not a dist/ that may be older.
 */
import * as nn from '../../src/index.js';
import { nativeInfo, nativeUnavailableReason } from '../../src/backends/native.js';
import { wasmProvider, type WasmBackend } from '../../src/backends/wasm.js';
import { FEATURES, runChild, type BenchData, type Engine, type Session } from '../lib/child.js';
import { medianCallMicros, rateFor } from '../lib/measure.js';
import { W1 } from '../lib/plan.js';
import { readFileSync } from 'node:fs';

type BackendName = 'ts' | 'native' | 'wasm';

const libraryVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Checks that `backend` can run here; returns the threads it will use and what to print about it. */
async function prepare(backend: BackendName, threads: number): Promise<{ threads: string; notes: string[] }> {
  if (backend === 'ts') return { threads: '1', notes: ['the pure-TypeScript reference backend, on the main thread'] };
  if (backend === 'native') {
    const reason = nativeUnavailableReason();
    if (reason) throw new Error(reason);
    return { threads: String(threads), notes: [`GEMM kernel ${nativeInfo()!.gemmKernel}`] };
  }
  await nn.ready('wasm');
  const wasm = (await wasmProvider.ready()) as WasmBackend; // the instance the Node entry registered
  // A build without threads runs one whatever `threads` asks: say what it computes with, not what was asked.
  const used = Math.min(wasm.threads, threads);
  const notes = [`${wasm.threads > 1 ? 'threaded build' : `single-threaded build (${wasm.threadsUnavailable})`}, GEMM kernel ${wasm.gemmKernel}, simd128 ${wasm.simd128}`];
  if (used !== threads) notes.push(`asked for ${threads} threads; this wasm build runs ${used}`);
  return { threads: String(used), notes };
}

function build(sizes: readonly number[], backend: BackendName, threads: number): nn.Sequential {
  const layers = sizes.slice(1).map((units, i) =>
    i === 0
      ? nn.dense(units, { inputShape: [sizes[0]!], activation: 'relu' })
      : nn.dense(units, { activation: i === sizes.length - 2 ? 'softmax' : 'relu' }),
  );
  const model = nn.sequential(layers, { backend, seed: 1, ...(backend === 'ts' ? {} : { threads }) });
  model.compile({ optimizer: nn.sgd({ learningRate: W1.learningRate }), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/**
 * predict 'await' (the default): batch-1024 through `await model.predict`, computed on a worker thread, the event
 * loop free meanwhile. 'sync': through `model.predictSync`, on the JavaScript thread, as onnxruntime-node's run()
 * computes: the like-for-like comparison with it.
 */
function neuriteEngine(backend: BackendName, threads: number, data: () => BenchData, predict: 'await' | 'sync'): Engine {
  return {
    version: libraryVersion,
    async trainer(sizes, batch, samples): Promise<Session> {
      const d = data();
      const x = nn.tensor(d.x.subarray(0, samples * FEATURES), [samples, FEATURES]);
      const y = Float32Array.from(d.labels.subarray(0, samples));
      const model = build(sizes, backend, threads);
      return {
        // One epoch per run, timed by the epoch callbacks: fit()'s one-off argument checks are not counted.
        async run() {
          let started = 0;
          let seconds = 0;
          await model.fit(x, y, {
            epochs: 1,
            batchSize: batch,
            shuffle: true,
            callbacks: {
              onEpochBegin: () => {
                started = performance.now();
              },
              onEpochEnd: () => {
                seconds = (performance.now() - started) / 1000;
              },
            },
          });
          return samples / seconds;
        },
        dispose: () => model.dispose(),
      };
    },
    async latency(sizes): Promise<Session> {
      const d = data();
      const model = build(sizes, backend, threads);
      const rows = Array.from({ length: 64 }, (_, r) => nn.tensor(d.x.subarray(r * FEATURES, (r + 1) * FEATURES), [1, FEATURES]));
      return {
        run: (calls) => medianCallMicros((i) => model.predictSync(rows[i & 63]!), calls),
        dispose: () => model.dispose(),
      };
    },
    async throughput(sizes, batch): Promise<Session> {
      const model = build(sizes, backend, threads);
      const x = nn.tensor(data().x.subarray(0, batch * FEATURES), [batch, FEATURES]);
      return {
        run: (seconds) => rateFor(predict === 'sync' ? () => model.predictSync(x) : () => model.predict(x), batch, seconds),
        dispose: () => model.dispose(),
      };
    },
  };
}

await runChild(async (request, data) => {
  const backend = request.options.backend as BackendName;
  const threads = Number(request.options.threads ?? 1);
  const predict = request.options.predict ?? 'await';
  if (predict !== 'await' && predict !== 'sync') throw new Error(`options.predict must be 'await' or 'sync', got ${String(predict)}`);
  const prepared = await prepare(backend, threads);
  const engine = neuriteEngine(backend, threads, data, predict);
  engine.threads = prepared.threads;
  engine.notes = [
    ...prepared.notes,
    predict === 'sync'
      ? 'batch-1024 through predictSync: on the JavaScript thread, blocking the event loop, as onnxruntime-node computes'
      : 'training through model.fit (one epoch per run, timed by onEpochBegin/onEpochEnd); batch-1 through predictSync, batch-1024 through await predict',
  ];
  return engine;
});
