// What the test page loads: neurite's browser entry, plus a few routines the Node side calls with
// page.evaluate (plain arrays in and out, since only JSON-like values cross).
import * as nn from '../../src/browser.js';
import { loadWasmBackend } from '../../src/backends/wasm.js';

export { nn };

export interface LayerDescription {
  units: number;
  activation: nn.ActivationName;
}

function build(inputs: number, layers: LayerDescription[], seed: number): nn.Sequential {
  return nn.sequential(
    layers.map((l, i) => nn.dense(l.units, { activation: l.activation, ...(i === 0 ? { inputShape: [inputs] } : {}) })),
    { backend: 'wasm', seed },
  );
}

/** Which build runs here: SIMD128 or not, relaxed SIMD or not, the GEMM kernel the core chose, its threads and why not more. */
export async function wasmInfo(): Promise<{
  ready: string; simd128: boolean; relaxedSimd: boolean; gemmKernel: string; available: string[]; threads: number; threadsUnavailable?: string;
  offThread: boolean; crossOriginIsolated: boolean; hardwareConcurrency: number;
}> {
  const ready = await nn.ready('wasm');
  const backend = await loadWasmBackend();
  return {
    ready, simd128: backend.simd128, relaxedSimd: backend.relaxedSimd, gemmKernel: backend.gemmKernel, available: nn.availableBackends(),
    threads: backend.threads, threadsUnavailable: backend.threadsUnavailable, offThread: nn.wasmInfo()!.offThread,
    crossOriginIsolated: globalThis.crossOriginIsolated === true, hardwareConcurrency: navigator.hardwareConcurrency,
  };
}

/** Outputs of a model with the given weights on x (rows of `inputs`). */
export async function predictWith(inputs: number, layers: LayerDescription[], weights: number[][], x: number[]): Promise<{ backend: string; out: number[] }> {
  await nn.ready('wasm');
  const model = build(inputs, layers, 1);
  model.setWeights(weights.map((w) => new Float32Array(w)));
  const t = nn.tensor(new Float32Array(x), [x.length / inputs, inputs]);
  const out = Array.from((await model.predict(t)).data);
  const sync = Array.from(model.predictSync(t).data);
  if (sync.some((v, i) => v !== out[i])) throw new Error('predictSync and predict disagree');
  const backend = model.backend;
  model.dispose();
  return { backend, out };
}

/** The Iris network both fits in the page train. */
function irisModel(): nn.Sequential {
  const model = build(4, [{ units: 16, activation: 'relu' }, { units: 3, activation: 'softmax' }], 11);
  model.compile({ optimizer: nn.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** A short fit on Iris in the page; returns the loss history and the final accuracy. */
export async function trainIris(epochs: number): Promise<{ loss: number[]; accuracy: number }> {
  await nn.ready('wasm');
  const iris = nn.loadIris();
  const model = irisModel();
  const history = await model.fit(iris.x, nn.oneHot(iris.labels, 3), { epochs, batchSize: 16 });
  const r = await model.evaluate(iris.x, nn.oneHot(iris.labels, 3));
  model.dispose();
  return { loss: history.history.loss!, accuracy: r.accuracy! };
}

/**
 * Whether the page stays responsive during a fit on its own thread: a fit far longer than any test runs is
 * aborted by a timer after `ms`. A page that the fit blocked could fire neither the timer nor the abort, so the
 * fit would not end as aborted (and the ticks of an interval would stay at 0) however fast the CPU is; a fit of
 * fixed length, instead, can end inside one time budget on a fast CPU and never need to yield.
 */
export async function abortFitAfter(ms: number): Promise<{ aborted: boolean; batches: number; ticks: number }> {
  await nn.ready('wasm');
  const iris = nn.loadIris();
  const model = irisModel();
  let ticks = 0;
  let batches = 0;
  const timer = setInterval(() => ticks++, 1);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  let aborted = false;
  try {
    await model.fit(iris.x, nn.oneHot(iris.labels, 3), {
      epochs: 1_000_000, batchSize: 16, signal: controller.signal, callbacks: { onBatchEnd: () => void batches++ },
    });
  } catch (e) {
    aborted = e instanceof nn.AbortError;
  }
  clearInterval(timer);
  model.dispose();
  return { aborted, batches, ticks };
}

/** Bad input inside the page: the error message, and whether the module still works afterwards. */
export async function badInput(): Promise<{ message: string; stillWorks: boolean }> {
  await nn.ready('wasm');
  const model = build(2, [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], 2);
  let message = '';
  try {
    model.predictSync(nn.tensor([1, 2, 3], [1, 3]));
  } catch (e) {
    message = (e as Error).message;
  }
  const out = model.predictSync(nn.tensor([0.5, -0.5], [1, 2])).data;
  model.dispose();
  return { message, stillWorks: out.length === 1 && Number.isFinite(out[0]) };
}

/**
 * The same training on 2 threads and on 1 (same seed, same data): the largest difference of the predictions
 * after it. Threads split the GEMMs by rows and columns, not the sums, so the two agree to rounding at most.
 */
export async function threadsAgree(): Promise<{ maxDiff: number; loss: number[] }> {
  await nn.ready('wasm');
  const rows = 512;
  const x = nn.tensor(Float32Array.from({ length: rows * 64 }, (_, i) => Math.sin(i * 0.37)), [rows, 64]);
  const y = nn.oneHot(Array.from({ length: rows }, (_, r) => r % 10), 10);
  const outputs: Float32Array[] = [];
  let loss: number[] = [];
  for (const threads of [2, 1]) {
    const model = nn.sequential(
      [nn.dense(96, { activation: 'relu', inputShape: [64] }), nn.dense(48, { activation: 'tanh' }), nn.dense(10, { activation: 'softmax' })],
      { backend: 'wasm', seed: 5, threads },
    );
    model.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    loss = (await model.fit(x, y, { epochs: 3, batchSize: 128 })).history.loss!;
    outputs.push((await model.predict(x)).data);
    model.dispose();
  }
  return { maxDiff: outputs[0]!.reduce((m, v, i) => Math.max(m, Math.abs(v - outputs[1]![i]!)), 0), loss };
}
