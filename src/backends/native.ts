/**
 * The 'native' backend: the C++ core as a Node-API addon (prebuilt or built by cmake-js; native-load.ts finds
 * it). This file only loads the addon and adapts its NativeModel class to BackendModel: the addon
 * validates every argument itself, runs epochs (and larger batches, evaluations and predictions) on a worker
 * thread, and refuses calls on a model while one of its runs is in flight. No math happens here.
 *
 * NEURITE_NATIVE_ADDON overrides the addon's path (e.g. a sanitizer build); NEURITE_THREADS sets the default
 * thread count.
 */
import {
  AbortError,
  type Backend,
  type BackendModel,
  type EpochOptions,
  type EpochResult,
  type EvalResult,
  type ModelSpec,
  type EngineOptions,
  type TrainSpec,
} from './backend.js';
import { loadNativeAddon } from './native-load.js';
import type { BackendProvider } from './registry.js';

/**
 * The addon's NativeModel (native/bindings/node/model_wrap.h): the BackendModel methods as they are, plus an
 * epoch call with plain arguments (the options object and AbortSignal are unpacked on this side) and controls.
 */
type NativeModelHandle = Pick<
  BackendModel,
  | 'setWeights' | 'getWeights' | 'compile' | 'setLearningRate' | 'getOptimizerState' | 'setOptimizerState'
  | 'trainBatch' | 'evaluate' | 'predict' | 'predictSync' | 'dispose'
> & {
  trainEpoch(
    x: Float32Array,
    y: Float32Array,
    count: number,
    batchSize: number,
    shuffle: boolean,
    epoch: number,
    onBatch: EpochOptions['onBatch'],
  ): Promise<EpochResult>;
  setThreads(threads: number): void;
  abort(): void;
  readonly busy: boolean;
  readonly disposed: boolean;
};

interface NativeAddon {
  NativeModel: new (spec: ModelSpec, threads?: number) => NativeModelHandle;
  info(): NativeInfo;
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

const ABI_VERSION = 1;

let loaded: { addon: NativeAddon } | { error: string } | undefined;

function load(): { addon: NativeAddon } | { error: string } {
  return (loaded ??= loadNativeAddon<NativeAddon>(ABI_VERSION));
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

class NativeBackendModel implements BackendModel {
  readonly backend = 'native' as const;

  constructor(
    readonly spec: ModelSpec,
    private readonly handle: NativeModelHandle,
  ) {}

  setWeights(weights: Float32Array[]): void {
    this.handle.setWeights(weights);
  }

  getWeights(): Float32Array[] {
    return this.handle.getWeights();
  }

  compile(train: TrainSpec): void {
    this.handle.compile(train);
  }

  setLearningRate(lr: number): void {
    this.handle.setLearningRate(lr);
  }

  getOptimizerState(): { step: number; slots: Float32Array[] } {
    return this.handle.getOptimizerState();
  }

  setOptimizerState(state: { step: number; slots: Float32Array[] }): void {
    this.handle.setOptimizerState(state);
  }

  async trainBatch(x: Float32Array, y: Float32Array, count: number): Promise<number> {
    return this.handle.trainBatch(x, y, count);
  }

  async trainEpoch(x: Float32Array, y: Float32Array, count: number, options: EpochOptions): Promise<EpochResult> {
    const { signal } = options;
    if (signal?.aborted) throw new AbortError();
    const run = this.handle.trainEpoch(
      x, y, count, options.batchSize, options.shuffle, options.epoch, options.onBatch,
    );
    // The worker looks at the flag abort() sets between batches.
    const onAbort = () => this.handle.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await run;
    } catch (e) {
      if ((e as { code?: unknown }).code === 'NEURITE_ABORTED') throw new AbortError();
      throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async evaluate(x: Float32Array, y: Float32Array, count: number, batchSize: number): Promise<EvalResult> {
    return this.handle.evaluate(x, y, count, batchSize);
  }

  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    return this.handle.predict(x, count);
  }

  predictSync(x: Float32Array, count: number): Float32Array {
    return this.handle.predictSync(x, count);
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
  if (!Number.isInteger(threads) || threads < 0 || threads > 256) {
    throw new RangeError(`native backend: threads: expected an integer in [0, 256], got ${String(threads)}`);
  }
  const { NativeModel } = r.addon;
  return {
    name: 'native',
    createModel: (spec: ModelSpec, engine?: EngineOptions) => new NativeBackendModel(spec, new NativeModel(spec, engine?.threads ?? threads)),
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
