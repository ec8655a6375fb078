// What the Chromium bench page runs: W3 (784-256-128-10 at inference) on neurite's wasm engine, tfjs-backend-wasm
// and onnxruntime-web, side by side in one page, one run per call of run() so the Node side can alternate them.
// The peers load from the files bench/node_modules holds (served by wasm/server.ts), neurite from its sources.
import * as nn from '../../src/browser.js';
import { wasmProvider, type WasmBackend } from '../../src/backends/wasm.js';

const SIZES = [784, 256, 128, 10];
const FEATURES = SIZES[0]!;
const LARGE_BATCH = 1024;

export type PageSystem = 'neurite' | 'tfjs-wasm' | 'ort-web';

export interface PageSystemInfo {
  id: PageSystem;
  available: boolean;
  reason?: string;
  version?: string;
  /** threads it computes with, as the system states them */
  threads?: number;
  notes: string[];
}

export interface PageInfo {
  userAgent: string;
  crossOriginIsolated: boolean;
  /** the smallest step of performance.now() seen: 100 µs on a plain page, 5 µs on an isolated one */
  timerResolutionUs: number;
  systems: PageSystemInfo[];
}

export type PageTask = { kind: 'latency'; chunks: number; chunkMs: number } | { kind: 'throughput'; seconds: number };

interface Runner {
  latencyCall(i: number): unknown;
  throughputCall(): unknown;
}

const runners = new Map<PageSystem, Runner>();

function input(rows: number): Float32Array {
  const x = new Float32Array(rows * FEATURES);
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) >>> 8) / 16777216; // fixed noise in [0, 1)
  return x;
}

function timerResolutionUs(): number {
  let smallest = Infinity;
  let last = performance.now();
  for (let i = 0; i < 200_000 && smallest > 0.001; i++) {
    const t = performance.now();
    if (t > last) {
      smallest = Math.min(smallest, t - last);
      last = t;
    }
  }
  return smallest * 1000;
}

function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`${src} did not load (is the package installed in bench/?)`));
    document.head.appendChild(s);
  });
}

function network(backend: 'wasm' | 'ts', threads: number): nn.Sequential {
  const layers = SIZES.slice(1).map((units, i) =>
    i === 0 ? nn.dense(units, { inputShape: [FEATURES], activation: 'relu' }) : nn.dense(units, { activation: i === SIZES.length - 2 ? 'softmax' : 'relu' }),
  );
  return nn.sequential(layers, { backend, seed: 1, ...(backend === 'wasm' ? { threads } : {}) });
}

async function neurite(threads: number): Promise<PageSystemInfo> {
  await nn.ready('wasm');
  const wasm = (await wasmProvider.ready()) as WasmBackend;
  const used = Math.min(wasm.threads, threads);
  const model = network('wasm', threads);
  const rows = Array.from({ length: 64 }, (_, r) => nn.tensor(input(64).subarray(r * FEATURES, (r + 1) * FEATURES), [1, FEATURES]));
  const big = nn.tensor(input(LARGE_BATCH), [LARGE_BATCH, FEATURES]);
  runners.set('neurite', { latencyCall: (i) => model.predictSync(rows[i & 63]!), throughputCall: () => model.predict(big) });
  const notes = [
    `${wasm.threads > 1 ? 'threaded build' : `single-threaded build (${wasm.threadsUnavailable})`}, GEMM kernel ${wasm.gemmKernel}, simd128 ${wasm.simd128}`,
    `Model API: predictSync for batch 1, await predict for batch 1024 (${wasm.offThread ? 'on the runner thread: the page stays free' : 'on the page\'s thread, in paced pieces'})`,
  ];
  return { id: 'neurite', available: true, threads: used, notes };
}

// The little of tfjs and onnxruntime-web this page uses, typed here: their packages live in bench/node_modules,
// which a root-only install (CI, the library's typecheck) does not have.
interface TfTensor {
  dataSync(): ArrayLike<number>;
  dispose(): void;
}
interface Tf {
  version: { tfjs: string };
  wasm: { setWasmPaths(prefix: string): void; setThreadsCount(n: number): void; getThreadsCount(): number };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  env(): { getAsync(flag: string): Promise<unknown> };
  tensor2d(values: Float32Array, shape: [number, number]): TfTensor;
  sequential(): { add(layer: unknown): void; predict(x: TfTensor, options: { batchSize: number }): TfTensor };
  layers: { dense(config: Record<string, unknown>): unknown };
}
interface OrtSession {
  inputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<unknown>;
}
interface Ort {
  env: { wasm: { wasmPaths?: string; numThreads?: number }; versions?: { web?: string } };
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => unknown;
}

async function tfjs(threads: number): Promise<PageSystemInfo> {
  await loadScript('/tfjs/tf.min.js');
  await loadScript('/tfjs-wasm/tf-backend-wasm.min.js');
  const tf = (globalThis as unknown as { tf: Tf }).tf;
  tf.wasm.setWasmPaths('/tfjs-wasm/');
  tf.wasm.setThreadsCount(threads); // used only by the threaded build, which it picks on an isolated page
  if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') failed");
  await tf.ready();
  const multithread = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean;
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const model = tf.sequential();
  SIZES.slice(1).forEach((units, i) =>
    model.add(tf.layers.dense({ units, activation: i === SIZES.length - 2 ? 'softmax' : 'relu', ...(i === 0 ? { inputShape: [FEATURES] } : {}) })),
  );
  const rows = Array.from({ length: 64 }, (_, r) => tf.tensor2d(input(64).subarray(r * FEATURES, (r + 1) * FEATURES), [1, FEATURES]));
  const big = tf.tensor2d(input(LARGE_BATCH), [LARGE_BATCH, FEATURES]);
  // batchSize: the whole input in one pass; predict's default of 32 would run batch 1024 as 32 slices
  const call = (x: TfTensor, rows: number) => {
    const out = model.predict(x, { batchSize: rows });
    out.dataSync();
    out.dispose();
  };
  runners.set('tfjs-wasm', { latencyCall: (i) => call(rows[i & 63]!, 1), throughputCall: () => call(big, LARGE_BATCH) });
  return {
    id: 'tfjs-wasm',
    available: true,
    version: tf.version.tfjs,
    threads: multithread ? tf.wasm.getThreadsCount() : 1,
    notes: [`tfjs-backend-wasm: SIMD ${simd}, multithreading ${multithread}`, 'Layers API: predict(x, { batchSize: rows }) + dataSync'],
  };
}

async function ortWeb(threads: number): Promise<PageSystemInfo> {
  const url = '/ort/ort.wasm.min.mjs'; // a variable: the bundler must leave this import to the page
  const ort = (await import(/* @vite-ignore */ url)) as Ort;
  ort.env.wasm.wasmPaths = '/ort/';
  ort.env.wasm.numThreads = threads;
  const onnx = network('ts', 1);
  const session = await ort.InferenceSession.create(onnx.toOnnx(), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  onnx.dispose();
  const feed = (x: Float32Array, rows: number) => ({ [session.inputNames[0]!]: new ort.Tensor('float32', x, [rows, FEATURES]) });
  const feeds = Array.from({ length: 64 }, (_, r) => feed(input(64).subarray(r * FEATURES, (r + 1) * FEATURES), 1));
  const big = feed(input(LARGE_BATCH), LARGE_BATCH);
  runners.set('ort-web', { latencyCall: (i) => session.run(feeds[i & 63]!), throughputCall: () => session.run(big) });
  // onnxruntime-web drops to 1 thread where SharedArrayBuffer is missing (a page that is not isolated)
  const used = crossOriginIsolated ? (ort.env.wasm.numThreads ?? threads) : 1;
  return { id: 'ort-web', available: true, version: ort.env.versions?.web, threads: used, notes: ['wasm execution provider (ort.wasm.min.mjs); await session.run() per call'] };
}

/**
 * Loads every system but those in `skip` (each with the reason, e.g. its package is not installed); one that
 * cannot load is reported with the reason too.
 */
export async function setup(config: { threads: number; skip: Partial<Record<PageSystem, string>> }): Promise<PageInfo> {
  const loaders: Record<PageSystem, (threads: number) => Promise<PageSystemInfo>> = { neurite, 'tfjs-wasm': tfjs, 'ort-web': ortWeb };
  const systems: PageSystemInfo[] = [];
  for (const id of Object.keys(loaders) as PageSystem[]) {
    const reason = config.skip[id];
    if (reason) {
      systems.push({ id, available: false, reason, notes: [] });
      continue;
    }
    try {
      const info = await loaders[id](config.threads);
      if (info.threads !== config.threads) info.notes.push(`asked for ${config.threads} thread(s); runs ${info.threads ?? 'an unknown number'}`);
      systems.push(info);
    } catch (e) {
      systems.push({ id, available: false, reason: e instanceof Error ? e.message : String(e), notes: [] });
    }
  }
  return { userAgent: navigator.userAgent, crossOriginIsolated, timerResolutionUs: timerResolutionUs(), systems };
}

/** calls per latency chunk, per system: set on its first (warm-up) run so every later run times the same count */
const chunkCalls = new Map<PageSystem, number>();

async function timeCalls(call: (i: number) => unknown, calls: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const r = call(i);
    if (r instanceof Promise) await r;
  }
  return performance.now() - start;
}

/**
 * One run. Latency: `chunks` chunks of back-to-back batch-1 calls, each chunk timed as a whole (the page's timer
 * is 5–100 µs, as long as a call or longer), each lasting at least chunkMs; the run's figure is the median chunk's
 * µs per call. Throughput: batch-1024 samples/s over `seconds` of back-to-back calls.
 */
export async function run(system: PageSystem, task: PageTask): Promise<number> {
  const r = runners.get(system);
  if (!r) throw new Error(`${system} is not loaded on this page`);
  if (task.kind === 'throughput') {
    let samples = 0;
    const start = performance.now();
    do {
      const out = r.throughputCall();
      if (out instanceof Promise) await out;
      samples += LARGE_BATCH;
    } while (performance.now() - start < task.seconds * 1000);
    return samples / ((performance.now() - start) / 1000);
  }
  let calls = chunkCalls.get(system);
  if (calls === undefined) {
    // first calls are slow (compilation, allocation, JIT tiers): warm up before sizing the chunks
    const warm = performance.now();
    for (let i = 0; i < 10 || performance.now() - warm < 4 * task.chunkMs; i++) await timeCalls(r.latencyCall, 1);
    calls = 1;
    while ((await timeCalls(r.latencyCall, calls)) < task.chunkMs) calls *= 2;
    chunkCalls.set(system, calls);
  }
  const perCall: number[] = [];
  for (let c = 0; c < task.chunks; c++) perCall.push(((await timeCalls(r.latencyCall, calls)) * 1000) / calls);
  perCall.sort((a, b) => a - b);
  return perCall[perCall.length >> 1]!;
}

/** calls per latency chunk that each system settled on */
export function chunkSizes(): Record<string, number> {
  return Object.fromEntries(chunkCalls);
}
