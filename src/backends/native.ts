/**
 * The 'native' backend: the C++ core as a Node-API addon (prebuilt in the package, or built by cmake-js;
 * native-load.ts finds it). This file loads the addon and adapts its NativeModel to BackendModel: descriptors are encoded
 * by abi.ts, failed calls become Errors through abi.statusError, and nothing is validated (backend.ts states the
 * contract). The addon runs epochs, and larger batches, evaluations and predictions, on worker threads; calls may
 * overlap, and the core serialises them per model (a predict during fit runs between two batches).
 *
 * NEURITE_NATIVE_ADDON overrides the addon's path (e.g. a sanitizer build); NEURITE_THREADS sets the default
 * thread count.
 */
import { abiVersion, decodeMetrics, encodeLayers, encodeLoss, encodeOptimizer, limits, statusError } from './abi.js';
import {
  AbortError, macsPerRow, outputSize, type Backend, type BackendModel, type EngineOptions, type EpochOptions, type EpochResult,
  type EvalResult, type ModelSpec, type OptimizerState, type TrainSpec,
} from './backend.js';
import { loadNativeAddon } from './native-load.js';
import type { BackendProvider } from './registry.js';

/** The addon's NativeModel (native/bindings/node/model_wrap.h): nrt_* calls, translated and nothing more. */
interface NativeModelHandle {
  parameterCount(): number;
  getParameter(index: number): Float32Array;
  setParameter(index: number, values: Float32Array): void;
  compile(optimizer: Uint8Array, loss: Uint8Array): void;
  setLearningRate(lr: number): void;
  optimizerSlotCount(): number;
  getOptimizerSlot(index: number): Float32Array;
  setOptimizerSlot(index: number, values: Float32Array): void;
  getStep(): number;
  setStep(step: number): void;
  trainBatch(x: Float32Array, y: Float32Array, w: Float32Array | null, count: number): Promise<number>;
  trainEpoch(x: Float32Array, y: Float32Array, w: Float32Array | null, count: number, batchSize: number,
    shuffle: boolean, epoch: number, onBatch: EpochOptions['onBatch'], outputs: Float32Array | null): Promise<Uint8Array>;
  evaluate(x: Float32Array, y: Float32Array, w: Float32Array | null, count: number, batchSize: number): Promise<Uint8Array>;
  predict(x: Float32Array, count: number, out: Float32Array): Promise<void>;
  predictSync(x: Float32Array, count: number, out: Float32Array): void;
  setThreads(threads: number): void;
  abort(): void;
  dispose(): void;
}

interface NativeAddon {
  NativeModel: new (layers: Uint8Array, inputSize: number, seed: number, threads: number, macsPerRow: number) => NativeModelHandle;
  info(): NativeInfo;
  firstNonFinite(data: Float32Array, threads: number): number;
  bytesToFloats(bytes: Uint8Array, divisor: number, out: Float32Array): void;
  exchangeByteRows(store: Uint8Array, source: Uint8Array, slots: Uint32Array, sources: Uint32Array, count: number, width: number,
    divisor: number, out: Float32Array): void;
  exchangeFloatRows(store: Float32Array, source: Float32Array, slots: Uint32Array, sources: Uint32Array, count: number, width: number,
    out: Float32Array): void;
  csvNumericLines(text: Uint8Array, cursor: Float64Array, delimiter: number, slots: Int32Array, features: number, x: Float32Array,
    targets: Float32Array, spans: Int32Array, starts: Int32Array, row: number, maxRows: number): number;
}

/** What the loaded addon reports about itself. */
export interface NativeInfo {
  abiVersion: number;
  /** the GEMM microkernel chosen for this CPU, e.g. "avx2_fma 6x16" */
  gemmKernel: string;
  hardwareThreads: number;
  /** native models created and not yet freed, in this process */
  liveModels: number;
}

export interface NativeBackendOptions {
  /** threads each model's kernels use; 0 = the machine's hardware threads; default NEURITE_THREADS or 0 */
  threads?: number;
}

let loaded: { addon: NativeAddon } | { error: string } | undefined;

function load(): { addon: NativeAddon } | { error: string } {
  return (loaded ??= loadNativeAddon<NativeAddon>(abiVersion));
}

/** The loaded addon itself (tests drive its raw calls), or undefined when it is unavailable. */
export function nativeAddon(): NativeAddon | undefined {
  const r = load();
  return 'addon' in r ? r.addon : undefined;
}

/** The addon's self-description, or undefined when it is unavailable (see nativeUnavailableReason). */
export function nativeInfo(): NativeInfo | undefined {
  const r = load();
  return 'addon' in r ? r.addon.info() : undefined;
}

/** Why the native backend cannot be used here, or undefined when it can. */
export function nativeUnavailableReason(): string | undefined {
  const r = load();
  return 'error' in r ? r.error : defaultFailure;
}

/** An addon call with its failure (an Error carrying the core's `status`) turned into the Error users see. */
function translate(what: string, e: unknown): Error {
  const status = (e as { status?: unknown }).status;
  return typeof status === 'number' ? statusError('native', what, status, (e as Error).message) : (e as Error);
}

function call<T>(what: string, body: () => T): T {
  try {
    return body();
  } catch (e) {
    throw translate(what, e);
  }
}

async function callAsync<T>(what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    throw translate(what, e);
  }
}

class NativeBackendModel implements BackendModel {
  readonly backend = 'native' as const;
  readonly trainsOffThread = true;

  constructor(
    readonly spec: ModelSpec,
    private readonly handle: NativeModelHandle,
    /** the core's vectorised, threaded scan (nrt_first_non_finite) */
    readonly firstNonFinite: (data: Float32Array) => number,
  ) {}

  setWeights(weights: Float32Array[]): void {
    call('setWeights', () => weights.forEach((w, i) => this.handle.setParameter(i, w)));
  }

  getWeights(): Float32Array[] {
    return call('getWeights', () => Array.from({ length: this.handle.parameterCount() }, (_, i) => this.handle.getParameter(i)));
  }

  compile(train: TrainSpec): void {
    call('compile', () => this.handle.compile(encodeOptimizer(train.optimizer), encodeLoss(train)));
  }

  setLearningRate(lr: number): void {
    call('setLearningRate', () => this.handle.setLearningRate(lr));
  }

  getOptimizerState(): OptimizerState {
    return call('getOptimizerState', () => ({
      step: this.handle.getStep(),
      slots: Array.from({ length: this.handle.optimizerSlotCount() }, (_, i) => this.handle.getOptimizerSlot(i)),
    }));
  }

  setOptimizerState(state: OptimizerState): void {
    call('setOptimizerState', () => {
      state.slots.forEach((s, i) => this.handle.setOptimizerSlot(i, s));
      this.handle.setStep(state.step);
    });
  }

  trainBatch(x: Float32Array, y: Float32Array, count: number, sampleWeight?: Float32Array): Promise<number> {
    return callAsync('trainBatch', () => this.handle.trainBatch(x, y, sampleWeight ?? null, count));
  }

  async trainEpoch(x: Float32Array, y: Float32Array, count: number, options: EpochOptions): Promise<EpochResult> {
    const { signal } = options;
    if (signal?.aborted) throw new AbortError();
    // The worker looks at the flag abort() sets between batches.
    const onAbort = () => this.handle.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return decodeMetrics(await callAsync('trainEpoch', () =>
        this.handle.trainEpoch(x, y, options.sampleWeight ?? null, count, options.batchSize, options.shuffle,
          options.epoch, options.onBatch, options.outputs ?? null)));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async evaluate(
    x: Float32Array, y: Float32Array, count: number, batchSize: number, sampleWeight?: Float32Array,
  ): Promise<EvalResult> {
    return decodeMetrics(await callAsync('evaluate', () => this.handle.evaluate(x, y, sampleWeight ?? null, count, batchSize)));
  }

  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    const out = new Float32Array(count * outputSize(this.spec));
    await callAsync('predict', () => this.handle.predict(x, count, out));
    return out;
  }

  predictSync(x: Float32Array, count: number): Float32Array {
    const out = new Float32Array(count * outputSize(this.spec));
    call('predict', () => this.handle.predictSync(x, count, out));
    return out;
  }

  dispose(): void {
    this.handle.dispose();
  }
}

/** A native backend whose models use `options.threads` threads; throws if the addon is unavailable. */
export function createNativeBackend(options: NativeBackendOptions = {}): Backend {
  const r = load();
  if ('error' in r) throw new Error(`native backend: ${r.error}`);
  const threads = options.threads ?? Number(process.env.NEURITE_THREADS ?? 0);
  if (!Number.isInteger(threads) || threads < 0 || threads > limits.maxThreads) {
    const source = options.threads === undefined ? 'NEURITE_THREADS' : 'threads';
    throw new RangeError(`native backend: ${source}: expected an integer in [0, ${limits.maxThreads}], got ${String(threads)}`);
  }
  const { NativeModel, firstNonFinite } = r.addon;
  return {
    name: 'native',
    createModel: (spec: ModelSpec, engine?: EngineOptions) => {
      const modelThreads = engine?.threads ?? threads;
      return new NativeBackendModel(
        spec,
        call('createModel', () => new NativeModel(encodeLayers(spec), spec.inputSize, spec.seed >>> 0, modelThreads, macsPerRow(spec))),
        (data) => firstNonFinite(data, modelThreads),
      );
    },
  };
}

let defaultBackend: Backend | undefined;
let defaultFailure: string | undefined;

/** The native backend with default threads, or null when it is unavailable (see nativeUnavailableReason). */
export function loadNativeBackend(): Backend | null {
  if (defaultBackend) return defaultBackend;
  if (nativeUnavailableReason() !== undefined) return null;
  try {
    defaultBackend = createNativeBackend();
  } catch (e) {
    defaultFailure = e instanceof Error ? e.message : String(e); // e.g. a bad NEURITE_THREADS
    return null;
  }
  return defaultBackend;
}

/** For registry.registerBackend in the Node entry. */
export const nativeProvider: BackendProvider = {
  name: 'native',
  get: () => loadNativeBackend() ?? undefined,
  ready: async () => {
    const backend = loadNativeBackend();
    if (!backend) throw new Error(`native backend: ${nativeUnavailableReason() ?? 'unavailable'}`);
    return backend;
  },
  unavailableReason: nativeUnavailableReason,
};
