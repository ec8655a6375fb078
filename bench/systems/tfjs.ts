/**
 * TensorFlow.js 4.22 Layers API on its 'cpu' backend (pure JavaScript), its 'wasm' backend (XNNPACK, SIMD) or
 * tfjs-node's 'tensorflow' backend (when installed), with the same networks and optimizer as neurite:
 * tf.sequential → compile(sgd 0.1, sparse CE) → fit; predict + dataSync for inference (dataSync brings the
 * result to JS, as neurite's predict does).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FEATURES, runChild, type BenchData, type Engine, type Session } from '../lib/child.js';
import { medianCallMicros, rateFor } from '../lib/measure.js';
import { W1 } from '../lib/plan.js';

type Tf = typeof import('@tensorflow/tfjs');
type Model = import('@tensorflow/tfjs').Sequential;

const require = createRequire(import.meta.url);

async function load(backend: string): Promise<{ tf: Tf; notes: string[]; threads: string }> {
  // tfjs-node (libtensorflow) is the same API; it cannot be installed offline, but runs here if it ever is
  const tf = (backend === 'tensorflow' ? await import('@tensorflow/tfjs-node' as string) : await import('@tensorflow/tfjs')) as Tf;
  const notes: string[] = [];
  let threads = '1';
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The .wasm files ship in the package; a file path (with the trailing slash) makes it read them from disk.
    wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    await tf.setBackend('wasm');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    threads = multithread ? String(wasm.getThreadsCount()) : '1';
    notes.push(`tfjs-backend-wasm: SIMD ${simd}, multithreading ${multithread}`);
  } else {
    await tf.setBackend('cpu');
  }
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`tf.setBackend('${backend}') left the backend at '${tf.getBackend()}'`);
  return { tf, notes, threads };
}

function build(tf: Tf, sizes: readonly number[]): Model {
  const model = tf.sequential();
  sizes.slice(1).forEach((units, i) => {
    const last = i === sizes.length - 2;
    model.add(tf.layers.dense({ units, activation: last ? 'softmax' : 'relu', ...(i === 0 ? { inputShape: [sizes[0]!] } : {}) }));
  });
  model.compile({ optimizer: tf.train.sgd(W1.learningRate), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

function tfjsEngine(tf: Tf, data: () => BenchData): Engine {
  type Tensor = import('@tensorflow/tfjs').Tensor;
  return {
    version: tf.version.tfjs,
    async trainer(sizes, batch, samples): Promise<Session> {
      const d = data();
      const model = build(tf, sizes);
      const xs = tf.tensor2d(d.x.subarray(0, samples * FEATURES), [samples, FEATURES]);
      const ys = tf.tensor2d(Float32Array.from(d.labels.subarray(0, samples)), [samples, 1]);
      return {
        // one epoch per run, timed by the epoch callbacks (fit's set-up is not counted)
        async run() {
          let started = 0;
          let seconds = 0;
          await model.fit(xs, ys, {
            epochs: 1,
            batchSize: batch,
            shuffle: true,
            verbose: 0,
            callbacks: {
              onEpochBegin: async () => {
                started = performance.now();
              },
              onEpochEnd: async () => {
                seconds = (performance.now() - started) / 1000;
              },
            },
          });
          return samples / seconds;
        },
        dispose: () => {
          tf.dispose([xs, ys]);
          model.dispose();
        },
      };
    },
    async latency(sizes): Promise<Session> {
      const d = data();
      const model = build(tf, sizes);
      const rows = Array.from({ length: 64 }, (_, r) => tf.tensor2d(d.x.subarray(r * FEATURES, (r + 1) * FEATURES), [1, FEATURES]));
      const call = (i: number) => {
        const out = model.predict(rows[i & 63]!, { batchSize: 1 }) as Tensor;
        out.dataSync();
        out.dispose();
      };
      return {
        run: (calls) => medianCallMicros(call, calls),
        dispose: () => {
          tf.dispose(rows);
          model.dispose();
        },
      };
    },
    async throughput(sizes, batch): Promise<Session> {
      const model = build(tf, sizes);
      const x = tf.tensor2d(data().x.subarray(0, batch * FEATURES), [batch, FEATURES]);
      // batchSize: the whole input in one pass; predict's default of 32 would run batch 1024 as 32 slices
      const call = () => {
        const out = model.predict(x, { batchSize: batch }) as Tensor;
        out.dataSync();
        out.dispose();
      };
      return {
        run: (seconds) => rateFor(call, batch, seconds),
        dispose: () => {
          x.dispose();
          model.dispose();
        },
      };
    },
  };
}

await runChild(async (request, data) => {
  const backend = String(request.options.backend);
  const { tf, notes, threads } = await load(backend);
  const engine = tfjsEngine(tf, data);
  engine.threads = threads;
  engine.notes = [...notes, 'Layers API: model.fit (one epoch per run, timed by epoch callbacks); predict(x, { batchSize: rows }) + dataSync'];
  return engine;
});
