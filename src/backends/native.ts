/**
 * The 'native' backend: the C++ core as a Node-API addon (build/Release/neurite.node, built by cmake-js at
 * install time). This file only loads the addon and adapts its NativeModel class to BackendModel: the addon
 * validates every argument itself, runs epochs (and larger batches, evaluations and predictions) on a worker
 * thread, and refuses calls on a model while one of its runs is in flight. No math happens here.
 *
 * How the addon is found: from this module's directory upwards to the folder whose package.json is named
 * "neurite" (src/backends/ in a checkout, dist/ once bundled by tsup), then build/Release/neurite.node in it.
 * NEURITE_NATIVE_ADDON overrides the path (e.g. a sanitizer build); NEURITE_THREADS sets the default thread count.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** The directory holding neurite's package.json, searched upwards from `start`. */
function packageRoot(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'neurite') return dir;
      } catch {
        /* an unreadable package.json on the way up: keep looking */
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function addonPath(): string {
  const override = process.env.NEURITE_NATIVE_ADDON;
  if (override) return override;
  const here = dirname(fileURLToPath(import.meta.url));
  const root = packageRoot(here);
  if (!root) throw new Error(`no package.json named "neurite" above ${here}`);
  return join(root, 'build', 'Release', 'neurite.node');
}

let loaded: { addon: NativeAddon } | { error: string } | undefined;

function load(): { addon: NativeAddon } | { error: string } {
  if (loaded) return loaded;
  try {
    const path = addonPath();
    if (!existsSync(path)) {
      loaded = { error: `the addon was not built (${path} is missing; run \`npm run build:native\`)` };
    } else {
      const addon = createRequire(import.meta.url)(path) as NativeAddon;
      const abi = addon.info().abiVersion;
      loaded =
        abi === ABI_VERSION
          ? { addon }
          : { error: `the addon at ${path} speaks ABI ${abi}, this code expects ${ABI_VERSION}; rebuild it` };
    }
  } catch (e) {
    loaded = { error: `the addon did not load: ${e instanceof Error ? e.message : String(e)}` };
  }
  return loaded;
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
