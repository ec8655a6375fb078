/**
 * The 'wasm' backend: the C++ core compiled by Emscripten with SIMD128, for browsers and Node, with no native
 * build. The module, its heap and its error handling are in wasm-engine.ts; this file is the model: it copies
 * arrays into the heap, encodes descriptors through abi.ts, and calls nrt_*. It validates nothing (the Model API
 * did, and the core checks lengths and codes before it touches memory: backend.ts states the contract).
 *
 * Why epochs run in slices: WASM cannot yield in the middle of a call, and a whole epoch would freeze a tab (or
 * Node's event loop) for seconds. trainEpoch asks the binding to train consecutive batches for what is left of
 * the shared pacer's budget (pacing.ts), yields, reports progress, looks at the AbortSignal, and goes on. The
 * epoch order is computed inside WASM with the shared counter-based RNG, so slicing changes nothing in the result.
 *
 * The threaded build has a better way: a runner thread (native/bindings/wasm/runner.h). There predict and evaluate
 * run whole, and the epoch in slices of RUNNER_SLICE_MS, on that thread, each call copied into a heap block of its
 * own, while this thread awaits the job and stays free: nothing here is paced or blocked.
 */
import type { NeuriteWasmModule } from '../../wasm/neurite-wasm.mjs';
import { firstNonFinite } from '../errors.js';
import { decodeMetrics, encodeLayers, encodeLoss, encodeOptimizer } from './abi.js';
import { limits, metricsLayout } from './abi-generated.js';
import {
  AbortError, lossHasAccuracy, macsPerRow, outputSize, targetColumns, type Backend, type BackendModel, type EngineOptions, type EpochOptions, type EpochResult,
  type EvalResult, type LossName, type ModelSpec, type OptimizerState, type TrainSpec,
} from './backend.js';
import { beforeWork, budgetLeft, ChunkSizer, pacingClock } from './pacing.js';
import type { BackendProvider } from './registry.js';
import { Engine, HeapBuffer, instantiate, WASM_BUILDS, WASM_SIMDS, type WasmBuild, type WasmSimd } from './wasm-engine.js';

/** Below this many values the JavaScript scan is as fast as a copy into the heap and a call. */
const FAST_SCAN_MIN = 1 << 14;
/** Buffers above this size are given back after the call instead of being kept by the model. */
const KEEP_BYTES = 1 << 20;
/**
 * On the runner thread: the length of an epoch slice (how often progress is reported and the AbortSignal looked
 * at), and the most input bytes one predict or evaluate job copies into the heap (longer inputs take several).
 */
const RUNNER_SLICE_MS = 50;
const RUNNER_JOB_BYTES = 64 << 20;
const big = BigInt;

/** What a WasmModel holds in the WASM heap, freed by dispose() or, if it is dropped without, by the finalizer. */
interface HeapResources {
  engine: Engine;
  handle: number;
  buffers: HeapBuffer[];
}

function releaseResources({ engine, handle, buffers }: HeapResources): void {
  for (const b of buffers) b.release();
  engine.mod._nrt_model_destroy(handle);
}

const finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<HeapResources>(releaseResources) : undefined;

class WasmModel implements BackendModel {
  readonly backend = 'wasm' as const;
  private handle: number;
  private loss: LossName | undefined;
  private readonly x: HeapBuffer;
  private readonly y: HeapBuffer;
  private readonly out: HeapBuffer;
  private readonly w: HeapBuffer;
  private readonly token = {};
  private readonly resources: HeapResources;
  /** threads this model's kernels use */
  private readonly threads: number;
  /** how many rows fit the pacer's budget, learnt across predict calls (the first call starts at 16) */
  private readonly predictChunks = new ChunkSizer(16);
  /** multiply-adds of one row's forward pass: what decides whether a call goes to the runner thread */
  private readonly macsPerRow: number;
  /** jobs of this model on the runner thread; dispose() frees the model only once they are done */
  private jobsInFlight = 0;
  private disposeWhenIdle = false;

  constructor(
    private readonly engine: Engine,
    readonly spec: ModelSpec,
    threads: number | undefined,
  ) {
    [this.x, this.y, this.out, this.w] = [new HeapBuffer(engine), new HeapBuffer(engine), new HeapBuffer(engine), new HeapBuffer(engine)];
    this.macsPerRow = macsPerRow(spec);
    const { mod } = engine;
    this.handle = engine.guard('createModel', () =>
      engine.withBytes('createModel', encodeLayers(spec), (layers) => {
        engine.check('createModel', mod._nrt_model_create(spec.inputSize, layers, spec.layers.length, spec.seed >>> 0, engine.scratch));
        return engine.heap.HEAPU32[engine.scratch >>> 2]!;
      }),
    );
    this.resources = { engine, handle: this.handle, buffers: [this.x, this.y, this.out, this.w] };
    finalizer?.register(this, this.resources, this.token);
    // More threads than the module has workers run on the ones it has (the single-threaded build: one).
    this.threads = Math.min(threads ?? engine.threads, engine.threads);
    if (threads !== undefined) engine.check('createModel', mod._nrt_model_set_threads(this.handle, this.threads));
  }

  get trainsOffThread(): boolean {
    return this.engine.runner;
  }

  private get mod(): NeuriteWasmModule {
    return this.engine.mod;
  }

  /** Runs one call into WASM on this model: trap guard, and large heap blocks given back afterwards. */
  private call<T>(what: string, body: (h: number) => T): T {
    if (!this.handle) throw new Error(`wasm backend: ${what}: the model was disposed`);
    try {
      return this.engine.guard(what, () => body(this.handle));
    } finally {
      for (const b of [this.x, this.y, this.out, this.w]) if (b.bytes > KEEP_BYTES) b.release();
    }
  }

  /**
   * Whether `rows` rows (a training step counts `factor` = 3 times a forward pass) go to the runner thread: from
   * limits.offThreadMacs on (abi.json, the native addon's line too). Below, a call takes under a millisecond here,
   * less than twice the runner's round trip (wake it, then be woken: 30-80 µs measured in Node on a 2-vCPU Zen 3),
   * and needs no slicing.
   */
  private offThread(rows: number, factor = 1): boolean {
    return this.engine.runner && rows * this.macsPerRow * factor >= limits.offThreadMacs;
  }

  /**
   * Rows [0, count) in runs of at most RUNNER_JOB_BYTES of input (`floatsPerRow` floats a row), a multiple of
   * `unit` rows each: one job per run, one after another.
   */
  private async onRunnerByRows(count: number, floatsPerRow: number, run: (row: number, rows: number) => Promise<void>, unit = 1): Promise<void> {
    const perJob = Math.max(unit, Math.floor(RUNNER_JOB_BYTES / (floatsPerRow * 4) / unit) * unit);
    for (let row = 0; row < count; row += perJob) await run(row, Math.min(perJob, count - row));
  }

  /**
   * `arrays` copied one after another into a fresh heap block, followed by `extraBytes` (8-byte aligned) for
   * results; body gets each array's address, then the results'. The block is freed after.
   */
  private async withHeapCopy(what: string, arrays: Float32Array[], extraBytes: number, body: (ptrs: number[], extraPtr: number) => Promise<void>): Promise<void> {
    const floats = arrays.reduce((sum, a) => sum + a.length, 0);
    const extraAt = Math.ceil((floats * 4) / 8) * 8;
    const block = this.engine.alloc(what, extraAt + extraBytes);
    try {
      let at = block;
      const ptrs = arrays.map((a) => {
        const ptr = at;
        this.engine.f32(ptr, a.length).set(a);
        at += a.length * 4;
        return ptr;
      });
      await body(ptrs, block + extraAt);
    } finally {
      this.mod._free(block);
    }
  }

  /**
   * One long call on the runner thread: `submit(handle, job)` calls an nrtw_*_async on heap blocks that stay
   * allocated until it returns. The model outlives the job even if disposed meanwhile.
   */
  private async onRunner(what: string, submit: (h: number, job: number) => void): Promise<{ status: number; message: string }> {
    if (!this.handle) throw new Error(`wasm backend: ${what}: the model was disposed`);
    const h = this.handle;
    this.jobsInFlight++;
    try {
      return await this.engine.runJob(what, (job) => submit(h, job));
    } finally {
      if (--this.jobsInFlight === 0 && this.disposeWhenIdle) this.release();
    }
  }

  setWeights(weights: Float32Array[]): void {
    this.call('setWeights', (h) =>
      weights.forEach((w, i) => this.engine.check('setWeights', this.mod._nrt_model_set_parameter(h, i, this.x.put('setWeights', w), big(w.length)))),
    );
  }

  getWeights(): Float32Array[] {
    return this.call('getWeights', (h) =>
      Array.from({ length: this.mod._nrt_model_parameter_count(h) }, (_, i) => {
        const n = Number(this.mod._nrt_model_parameter_size(h, i));
        const p = this.out.reserve('getWeights', n * 4);
        this.engine.check('getWeights', this.mod._nrt_model_get_parameter(h, i, p, big(n)));
        return this.engine.f32(p, n).slice();
      }),
    );
  }

  compile(train: TrainSpec): void {
    this.call('compile', (h) =>
      this.engine.withBytes('compile', encodeOptimizer(train.optimizer), (o) =>
        this.engine.withBytes('compile', encodeLoss(train), (l) =>
          this.engine.check('compile', this.mod._nrt_model_compile(h, o, l)),
        ),
      ),
    );
    this.loss = train.loss;
  }

  setLearningRate(lr: number): void {
    this.call('setLearningRate', (h) => this.engine.check('setLearningRate', this.mod._nrt_model_set_learning_rate(h, lr)));
  }

  getOptimizerState(): OptimizerState {
    return this.call('getOptimizerState', (h) => {
      const { mod, engine } = this;
      engine.check('getOptimizerState', mod._nrt_model_get_step(h, engine.scratch));
      const step = Number(new BigInt64Array(engine.heap.HEAPU8.buffer, engine.scratch, 1)[0]);
      const slots = Array.from({ length: mod._nrt_model_optimizer_slot_count(h) }, (_, i) => {
        const n = Number(mod._nrt_model_optimizer_slot_size(h, i));
        const p = this.out.reserve('getOptimizerState', n * 4);
        engine.check('getOptimizerState', mod._nrt_model_get_optimizer_slot(h, i, p, big(n)));
        return engine.f32(p, n).slice();
      });
      return { step, slots };
    });
  }

  setOptimizerState(state: OptimizerState): void {
    this.call('setOptimizerState', (h) => {
      state.slots.forEach((s, i) =>
        this.engine.check('setOptimizerState', this.mod._nrt_model_set_optimizer_slot(h, i, this.x.put('setOptimizerState', s), big(s.length))),
      );
      this.engine.check('setOptimizerState', this.mod._nrt_model_set_step(h, big(state.step)));
    });
  }

  async trainBatch(x: Float32Array, y: Float32Array, count: number, sampleWeight?: Float32Array): Promise<number> {
    await beforeWork();
    return this.trainBatchSync(x, y, count, sampleWeight);
  }

  /** trainBatch without the Promise (benchmarks, and callers that pace their own work). */
  trainBatchSync(x: Float32Array, y: Float32Array, count: number, sampleWeight?: Float32Array): number {
    return this.call('trainBatch', (h) => {
      const xp = this.x.put('trainBatch', x);
      const yp = this.y.put('trainBatch', y);
      const wp = sampleWeight ? this.w.put('trainBatch', sampleWeight) : 0;
      const wn = big(sampleWeight?.length ?? 0);
      this.engine.check('trainBatch', this.mod._nrt_model_train_batch(h, xp, big(x.length), yp, big(y.length), wp, wn, big(count), this.engine.scratch));
      return this.engine.heap.HEAPF64[this.engine.scratch >>> 3]!;
    });
  }

  async trainEpoch(x: Float32Array, y: Float32Array, count: number, options: EpochOptions): Promise<EpochResult> {
    const { batchSize, shuffle, epoch, onBatch, signal, sampleWeight, outputs } = options;
    if (signal?.aborted) throw new AbortError();
    const { engine, mod } = this;
    const batches = Math.ceil(count / batchSize);
    // One block for the epoch: x, y, the sample weights and the training outputs (each when asked for), the row
    // order, each batch's loss, the running totals, the done count.
    const wAt = x.length * 4 + y.length * 4;
    const wLength = sampleWeight?.length ?? 0;
    const outputsAt = wAt + wLength * 4;
    const outputsLength = outputs?.length ?? 0;
    const orderAt = outputsAt + outputsLength * 4;
    const lossesAt = Math.ceil((orderAt + count * 4) / 8) * 8;
    const totalsAt = lossesAt + batches * 8;
    const doneAt = totalsAt + 3 * 8;
    const block = engine.alloc('trainEpoch', doneAt + 8);
    const [xp, yp, orderp] = [block, block + x.length * 4, block + orderAt];
    const wp = sampleWeight ? block + wAt : 0;
    const outputsp = outputs ? block + outputsAt : 0;
    try {
      this.call('trainEpoch', () => {
        engine.f32(xp, x.length).set(x);
        engine.f32(yp, y.length).set(y);
        if (sampleWeight) engine.f32(wp, wLength).set(sampleWeight);
        if (shuffle) mod._nrt_permutation(count, mod._nrt_rng_key(this.spec.seed >>> 0, 2, epoch >>> 0) >>> 0, orderp);
        else engine.heap.HEAPU32.subarray(orderp >>> 2, (orderp >>> 2) + count).forEach((_, i, a) => (a[i] = i));
        engine.heap.HEAPF64.fill(0, (block + totalsAt) >>> 3, (block + totalsAt) / 8 + 3);
      });
      const doneCount = () => Number(new BigInt64Array(engine.heap.HEAPU8.buffer, block + doneAt, 1)[0]);
      const onRunner = this.offThread(count, 3);
      for (let batch = 0; batch < batches; ) {
        let status = 0;
        let message: string | undefined;
        let done: number;
        if (!onRunner) await beforeWork(); // a paced slice waits for the pacer's turn
        if (signal?.aborted) throw new AbortError();
        if (onRunner) {
          ({ status, message } = await this.onRunner('trainEpoch', (h, job) =>
            mod._nrtw_train_slice_async(job, h, xp, big(x.length), yp, big(y.length), wp, big(wLength), big(count),
              orderp, big(batchSize), big(batch), big(batches), RUNNER_SLICE_MS, block + lossesAt + batch * 8,
              block + totalsAt, block + doneAt, outputsp, big(outputsLength))));
          done = doneCount();
        } else {
          done = this.call('trainEpoch', (h) => {
            status = mod._nrtw_train_slice(h, xp, big(x.length), yp, big(y.length), wp, big(wLength), big(count), orderp,
              big(batchSize), big(batch), big(batches), budgetLeft(), block + lossesAt + batch * 8, block + totalsAt,
              block + doneAt, outputsp, big(outputsLength));
            return doneCount();
          });
        }
        if (onBatch) {
          const losses = engine.heap.HEAPF64.slice((block + lossesAt) / 8 + batch, (block + lossesAt) / 8 + batch + done);
          for (let i = 0; i < done; i++) onBatch(batch + i, batches, losses[i]!);
        }
        batch += done;
        engine.check(`trainEpoch (batch ${batch} of ${batches})`, status, message);
      }
      const totals = engine.heap.HEAPF64.slice((block + totalsAt) / 8, (block + totalsAt) / 8 + 3);
      if (outputs) outputs.set(engine.f32(outputsp, outputsLength));
      const result: EpochResult = { loss: totals[0]! / count };
      if (lossHasAccuracy(this.loss!) && totals[2]! > 0) result.accuracy = totals[1]! / totals[2]!;
      return result;
    } finally {
      mod._free(block);
    }
  }

  async evaluate(
    x: Float32Array, y: Float32Array, count: number, batchSize: number, sampleWeight?: Float32Array,
  ): Promise<EvalResult> {
    const xCols = this.spec.inputSize;
    const yCols = targetColumns(this.spec, this.loss!);
    // In chunks of whole batches: jobs on the runner thread, or pieces sized to the pacer's budget here. The
    // chunk means are combined weighted by rows.
    let loss = 0;
    let correct = 0;
    let hasAccuracy = false;
    const add = (m: { loss: number; accuracy?: number }, rows: number) => {
      loss += m.loss * rows;
      correct += (m.accuracy ?? 0) * rows;
      hasAccuracy = m.accuracy !== undefined;
    };
    if (this.offThread(count)) {
      await this.onRunnerByRows(count, xCols + yCols + (sampleWeight ? 1 : 0), async (row, rows) => {
        const xs = x.subarray(row * xCols, (row + rows) * xCols);
        const ys = y.subarray(row * yCols, (row + rows) * yCols);
        const ws = sampleWeight?.subarray(row, row + rows) ?? new Float32Array(0);
        await this.withHeapCopy('evaluate', [xs, ys, ws], metricsLayout.size, async ([xp, yp, wp], mp) => {
          const r = await this.onRunner('evaluate', (h, job) => this.mod._nrtw_evaluate_async(job, h, xp!, big(xs.length), yp!,
            big(ys.length), ws.length ? wp! : 0, big(ws.length), big(rows), big(batchSize), mp));
          this.engine.check('evaluate', r.status, r.message);
          add(decodeMetrics(this.engine.heap.HEAPU8, mp), rows);
        });
      }, batchSize);
    } else {
      const chunks = new ChunkSizer(batchSize);
      for (let row = 0; row < count; ) {
        await beforeWork();
        const rows = Math.min(chunks.rows(budgetLeft()), count - row);
        const started = pacingClock.now();
        add(this.call('evaluate', (h) => {
          const xs = x.subarray(row * xCols, (row + rows) * xCols);
          const ys = y.subarray(row * yCols, (row + rows) * yCols);
          const [xp, yp] = [this.x.put('evaluate', xs), this.y.put('evaluate', ys)];
          const ws = sampleWeight?.subarray(row, row + rows);
          const wp = ws ? this.w.put('evaluate', ws) : 0;
          this.engine.check('evaluate', this.mod._nrt_model_evaluate(h, xp, big(xs.length), yp, big(ys.length), wp,
            big(ws?.length ?? 0), big(rows), big(batchSize), this.engine.scratch));
          return decodeMetrics(this.engine.heap.HEAPU8, this.engine.scratch);
        }), rows);
        chunks.measured(rows, pacingClock.now() - started);
        row += rows;
      }
    }
    return hasAccuracy ? { loss: loss / count, accuracy: correct / count } : { loss: loss / count };
  }

  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    const inCols = this.spec.inputSize;
    const outCols = outputSize(this.spec);
    const out = new Float32Array(count * outCols);
    if (this.offThread(count)) {
      await this.onRunnerByRows(count, inCols, async (row, rows) => {
        const xs = x.subarray(row * inCols, (row + rows) * inCols);
        const n = rows * outCols;
        await this.withHeapCopy('predict', [xs], n * 4, async ([xp], op) => {
          const r = await this.onRunner('predict', (h, job) => this.mod._nrtw_predict_async(job, h, xp!, big(xs.length), big(rows), op, big(n)));
          this.engine.check('predict', r.status, r.message);
          out.set(this.engine.f32(op, n), row * outCols);
        });
      });
      return out;
    }
    const chunks = this.predictChunks;
    for (let row = 0; row < count; ) {
      await beforeWork();
      const rows = Math.min(chunks.rows(budgetLeft()), count - row);
      const started = pacingClock.now();
      out.set(this.predictSync(x.subarray(row * inCols, (row + rows) * inCols), rows), row * outCols);
      chunks.measured(rows, pacingClock.now() - started);
      row += rows;
    }
    return out;
  }

  /** The finite check on the core's vectorised scan (threaded in the threaded build): copy in, scan. */
  firstNonFinite(data: Float32Array): number {
    if (data.length < FAST_SCAN_MIN) return firstNonFinite(data);
    return this.call('finite check', () => {
      const p = this.x.put('finite check', data);
      return Number(this.mod._nrt_first_non_finite(p, big(data.length), this.threads));
    });
  }

  predictSync(x: Float32Array, count: number): Float32Array {
    return this.call('predict', (h) => {
      const xp = this.x.put('predict', x);
      const n = count * outputSize(this.spec);
      const op = this.out.reserve('predict', n * 4);
      this.engine.check('predict', this.mod._nrt_model_predict(h, xp, big(x.length), big(count), op, big(n)));
      return this.engine.f32(op, n).slice();
    });
  }

  dispose(): void {
    if (!this.handle) return;
    finalizer?.unregister(this.token);
    this.handle = 0;
    // A job on the runner thread still uses the model: it is freed when the last one is done (onRunner).
    if (this.jobsInFlight > 0) this.disposeWhenIdle = true;
    else this.release();
  }

  private release(): void {
    releaseResources(this.resources);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The backend and its provider.

export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  createModel(spec: ModelSpec, options?: EngineOptions): WasmModel;
  /** true when the running module was compiled with SIMD128 */
  readonly simd128: boolean;
  /** true when it is a -relaxed build: its GEMM kernel uses relaxed SIMD's fused multiply-add */
  readonly relaxedSimd: boolean;
  /** the GEMM microkernel the core picked, e.g. "wasmrelaxedsimd 5x8" */
  readonly gemmKernel: string;
  /** threads a model can use: the cores (at most 16) in the threaded build, 1 in the single-threaded one */
  readonly threads: number;
  /** why the single-threaded build runs, when it does (no SharedArrayBuffer, a page not cross-origin isolated…) */
  readonly threadsUnavailable: string | undefined;
  /**
   * true when predict, evaluate and fit's epochs run on a thread of their own (the threaded build, where
   * Atomics.waitAsync exists): the JavaScript thread is never blocked by them. Otherwise they run on it in pieces
   * of a few milliseconds between yields.
   */
  readonly offThread: boolean;
  /** for tests of the trap handling: runs a deliberate trap inside WASM (0 unreachable, 1 abort, 2 OOB store) */
  debugTrap(kind: 0 | 1 | 2): void;
  /** the raw module, for tests and benchmarks */
  readonly module: NeuriteWasmModule;
}

export type { WasmModel };

function makeBackend(engine: Engine): WasmBackend {
  return {
    name: 'wasm',
    createModel: (spec, options) => new WasmModel(engine, spec, options?.threads),
    threads: engine.threads,
    threadsUnavailable: engine.threadsUnavailable,
    get offThread() {
      return engine.runner;
    },
    simd128: engine.mod._nrtw_simd128() === 1,
    relaxedSimd: engine.relaxedSimd,
    gemmKernel: engine.kernelName,
    debugTrap: (kind) => engine.guard('debugTrap', () => engine.mod._nrtw_debug_trap(kind)),
    module: engine.mod,
  };
}

let backend: WasmBackend | undefined;
let loading: Promise<WasmBackend> | undefined;
let failure: string | undefined;

/** A wasm backend on a module of its own, of the given build (tests and benchmarks compare the builds). */
export async function createWasmBackend(build: WasmBuild, simd?: WasmSimd): Promise<WasmBackend> {
  return makeBackend(await instantiate(build, simd));
}

/** A variable of Node's environment that must hold one of `allowed` when set (browsers have none). */
function fromEnvironment<T extends string>(name: string, allowed: readonly T[]): T | undefined {
  const value = typeof process === 'object' ? process.env?.[name] : undefined;
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`${name}: expected ${allowed.map((a) => `'${a}'`).join(' or ')}, got '${value}'`);
  }
  return value as T;
}

/**
 * Instantiates the module once (threaded where it can run, relaxed SIMD where the engine has it); later calls get
 * the same backend. In Node, NEURITE_WASM_BUILD=single|threads and NEURITE_WASM_SIMD=relaxed|simd128 force a build
 * (the test suites run once per build this way).
 */
export function loadWasmBackend(): Promise<WasmBackend> {
  loading ??= Promise.resolve().then(() =>
    instantiate(fromEnvironment('NEURITE_WASM_BUILD', WASM_BUILDS), fromEnvironment('NEURITE_WASM_SIMD', WASM_SIMDS)),
  ).then(
    (engine) => (backend = makeBackend(engine)),
    (e: unknown) => {
      failure = e instanceof Error ? e.message : String(e);
      loading = undefined; // a later ready() may try again
      throw new Error(`wasm backend unavailable: ${failure}`);
    },
  );
  return loading;
}

/** What the loaded WASM engine is: see wasmInfo(). */
export interface WasmInfo {
  /** 'threads' (neurite-wasm-mt.mjs: Node, cross-origin-isolated pages) or 'single' (everywhere else) */
  build: 'threads' | 'single';
  /** threads a model can use (the `threads` model option goes up to this) */
  threads: number;
  /** why the single-threaded build runs, when it does */
  threadsUnavailable?: string;
  simd128: boolean;
  /**
   * true for the relaxed-SIMD builds, taken where the engine validates relaxed SIMD (Chromium 114+): their GEMM
   * kernel multiplies and adds in one instruction, fused where the CPU has FMA
   */
  relaxedSimd: boolean;
  /** the GEMM microkernel the core picked */
  gemmKernel: string;
  /**
   * true when predict, evaluate and fit run on a thread of their own (the threaded build), leaving the JavaScript
   * thread free; false when they run on it in pieces of a few milliseconds between yields
   */
  offThread: boolean;
}

/** The loaded WASM engine's build, threads and kernel; undefined until `await nn.ready('wasm')` succeeded. */
export function wasmInfo(): WasmInfo | undefined {
  if (!backend) return undefined;
  return {
    build: backend.module._nrtw_threads_build() === 1 ? 'threads' : 'single',
    threads: backend.threads,
    ...(backend.threadsUnavailable === undefined ? {} : { threadsUnavailable: backend.threadsUnavailable }),
    simd128: backend.simd128,
    relaxedSimd: backend.relaxedSimd,
    gemmKernel: backend.gemmKernel,
    offThread: backend.offThread,
  };
}

export const wasmProvider: BackendProvider = {
  name: 'wasm',
  get: () => backend,
  ready: () => loadWasmBackend(),
  unavailableReason: () => (backend ? undefined : (failure ?? "the WASM module is not instantiated yet: await nn.ready('wasm')")),
};
