/**
 * onnxruntime-node 1.30 (inference only): W1's network exported by neurite (model.toOnnx(), opset 13),
 * run on the CPU execution provider with `threads` intra-op threads. onnxruntime-node has no synchronous API,
 * but its run() is not run on another thread either: it waits one setImmediate, then computes on the JavaScript
 * thread (node_modules/onnxruntime-node/dist/backend.js), blocking the event loop meanwhile. Its batch-1 latency
 * includes that setImmediate. Against it, neurite's batch-1024 figure is its awaited predict, which computes on a
 * worker thread; its batch-1 figure is predictSync, on the JavaScript thread.
 */
import * as nn from '../../src/index.js';
import { createRequire } from 'node:module';
import { FEATURES, runChild, type BenchData, type Engine, type Session as BenchSession } from '../lib/child.js';
import { medianCallMicros, rateFor } from '../lib/measure.js';

type Ort = typeof import('onnxruntime-node');
type Session = import('onnxruntime-node').InferenceSession;

const require = createRequire(import.meta.url);

function exportNetwork(sizes: readonly number[]): Uint8Array {
  const layers = sizes.slice(1).map((units, i) =>
    i === 0
      ? nn.dense(units, { inputShape: [sizes[0]!], activation: 'relu' })
      : nn.dense(units, { activation: i === sizes.length - 2 ? 'softmax' : 'relu' }),
  );
  const model = nn.sequential(layers, { backend: 'ts', seed: 1 });
  const bytes = model.toOnnx();
  model.dispose();
  return bytes;
}

function onnxEngine(ort: Ort, threads: number, data: () => BenchData): Engine {
  const session = (sizes: readonly number[]) =>
    ort.InferenceSession.create(exportNetwork(sizes), {
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  const feed = (s: Session, x: Float32Array, count: number) => ({ [s.inputNames[0]!]: new ort.Tensor('float32', x, [count, FEATURES]) });
  return {
    version: (require('onnxruntime-node/package.json') as { version: string }).version,
    async latency(sizes): Promise<BenchSession> {
      const s = await session(sizes);
      const d = data();
      const feeds = Array.from({ length: 64 }, (_, r) => feed(s, d.x.subarray(r * FEATURES, (r + 1) * FEATURES), 1));
      return { run: (calls) => medianCallMicros((i) => s.run(feeds[i & 63]!), calls), dispose: () => void s.release() };
    },
    async throughput(sizes, batch): Promise<BenchSession> {
      const s = await session(sizes);
      const input = feed(s, data().x.subarray(0, batch * FEATURES), batch);
      return { run: (seconds) => rateFor(() => s.run(input), batch, seconds), dispose: () => void s.release() };
    },
  };
}

await runChild(async (request, data) => {
  const ort = (await import('onnxruntime-node')) as Ort;
  const threads = Number(request.options.threads ?? 1);
  const engine = onnxEngine(ort, threads, data);
  engine.threads = String(threads);
  engine.notes = ['inference only: W1 exported with model.toOnnx(); CPU execution provider; await session.run() per call'];
  return engine;
});
