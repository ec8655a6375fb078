/**
 * The WASM module and its heap: loading the Emscripten build of the C++ core (SIMD128), turning traps and failed
 * core calls into Errors, and the heap buffers models copy their arrays into. One instance per JavaScript realm
 * serves every wasm model. The model itself is in wasm.ts.
 *
 * Two builds of the same sources (scripts/build-wasm.sh): wasm/neurite-wasm-mt.mjs runs the core's thread pool on
 * pthread workers over a SharedArrayBuffer, which exists in Node and in cross-origin-isolated pages (COOP/COEP
 * headers); wasm/neurite-wasm.mjs runs on one thread anywhere. instantiate() takes the threaded one where it can
 * run and falls back to the other, saying why (Engine.threadsUnavailable). Each comes twice: the -relaxed module's
 * GEMM kernel multiplies and adds in one relaxed-SIMD instruction (fused where the CPU has FMA), taken wherever
 * the engine validates relaxed SIMD (V8 11.4+, so Chromium 114+; Node 20 behind --experimental-wasm-relaxed-simd).
 */
import type { NeuriteWasmModule } from '../../wasm/neurite-wasm.mjs';
import { NeuriteError } from '../errors.js';
import { abiVersion, statusCodes, statusError } from './abi.js';

/** The binding this file speaks to (native/bindings/wasm/neurite_wasm.cpp). */
const BINDING_VERSION = 5;
/** Threads of the threaded build at most: each is a worker holding an instance of the module, and the core's
 * kernels stop gaining long before (a W2 step is a few milliseconds). */
const MAX_WASM_THREADS = 16;
/** How long the threaded build may take to start its workers before the single-threaded one is used instead. */
const THREADS_START_TIMEOUT_MS = 20_000;
/** wasm32 with the default maximum memory: nothing larger can ever be allocated. */
const MAX_HEAP_BYTES = 2 ** 31;

/** The instantiated module and what wraps every call into it. */
export class Engine {
  /** stderr of the module (abort messages), kept to explain the next trap */
  lastStderr = '';
  /** A small scratch area for out-parameters (loss, metrics, the new model's handle). */
  readonly scratch: number;
  readonly kernelName: string;
  /** Threads this module's models can use: 1 for the single-threaded build. */
  readonly threads: number;
  /**
   * Whether long calls (predict, evaluate, epoch slices) run on the threaded build's runner thread, leaving this
   * thread free (native/bindings/wasm/runner.h); otherwise they run here in paced pieces.
   */
  runner: boolean;
  /** jobs submitted so far (for tests: which calls went to the runner) */
  jobs = 0;
  /** Rejects the jobs in flight when a worker thread died (a trap there); then no job is submitted again. */
  private workerDied: { promise: Promise<never>; reject: (e: Error) => void };

  constructor(
    readonly mod: NeuriteWasmModule,
    /** whether this is a -relaxed module (its GEMM kernel uses relaxed SIMD's fused multiply-add) */
    readonly relaxedSimd: boolean,
    /** why the single-threaded build runs, when it does */
    readonly threadsUnavailable?: string,
    runner = false,
  ) {
    const scratch = mod._malloc(256);
    if (!scratch) throw new NeuriteError('wasm backend: could not allocate 256 bytes in a fresh module');
    this.scratch = scratch;
    this.kernelName = mod.UTF8ToString(mod._nrt_gemm_kernel_name());
    this.threads = mod._nrt_hardware_threads();
    this.runner = runner;
    let reject: (e: Error) => void = () => {};
    const promise = new Promise<never>((_, r) => (reject = r));
    promise.catch(() => {});  // observed by runJob() only while a job is in flight
    this.workerDied = { promise, reject };
  }

  /** A worker thread reported an error (Emscripten prints it): fail the jobs in flight, and run later calls here. */
  onWorkerError(text: string): void {
    this.runner = false;
    this.workerDied.reject(new NeuriteError(`wasm backend: a worker thread of the WASM engine failed: ${text}`));
  }

  /**
   * Submits a long call as a job (`submit(job)` calls one nrtw_*_async) and waits for it without blocking: the
   * runner thread does the work while this thread runs its event loop. Returns the call's status and, when it
   * failed, its message (pass both to check()).
   */
  async runJob(what: string, submit: (job: number) => void): Promise<{ status: number; message: string }> {
    const { mod } = this;
    const job = mod._nrtw_job_create();
    if (!job) throw new NeuriteError(`wasm backend: ${what}: out of memory in the WASM heap`);
    const at = mod._nrtw_job_state(job) >>> 2;
    let submitted = false;
    try {
      this.guard(what, () => submit(job));
      submitted = true;
      this.jobs++;
      // A pending Atomics.waitAsync does not keep Node's event loop alive: without this timer a script awaiting
      // the job would exit (code 13) when it has nothing else to do.
      const keepAlive = setInterval(() => {}, 2 ** 30);
      try {
        while (Atomics.load(this.heap.HEAP32, at) === 0) {
          const wait = waitAsync(this.heap.HEAP32, at, 0);
          if (wait.async) await Promise.race([wait.value, this.workerDied.promise]);
        }
      } finally {
        clearInterval(keepAlive);
      }
      const status = mod._nrtw_job_status(job);
      return { status, message: status === statusCodes.ok ? '' : mod.UTF8ToString(mod._nrtw_job_error(job)) };
    } finally {
      // A job that never finished (its worker died) may still be written to: leave its few bytes allocated.
      if (!submitted || Atomics.load(this.heap.HEAP32, at) !== 0) mod._nrtw_job_destroy(job);
    }
  }

  /** The heap views, current: in the threaded build a worker thread may have grown the memory since. */
  get heap(): NeuriteWasmModule {
    this.mod.nrtRefreshHeap?.();
    return this.mod;
  }

  /**
   * Runs `body` (which calls into WASM). A WebAssembly trap or an Emscripten abort becomes a NeuriteError naming
   * `what`; the C stack pointer, which a trap leaves wherever it was, is put back so later calls work.
   */
  guard<T>(what: string, body: () => T): T {
    const stack = this.mod.stackSave();
    try {
      return body();
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      this.mod.stackRestore(stack);
      const detail = this.lastStderr ? ` (${this.lastStderr})` : '';
      this.lastStderr = '';
      throw new NeuriteError(
        `wasm backend: ${what}: the WASM engine trapped: ${e.message}${detail}. The module is still usable; this ` +
          "model's state may be inconsistent, so set its weights again or create a new model.",
      );
    }
  }

  /** Throws the Error for an nrt_status other than ok, with nrt_last_error()'s message or the one given. */
  check(what: string, status: number, message?: string): void {
    if (status !== statusCodes.ok) {
      throw statusError('wasm', what, status, message ?? this.mod.UTF8ToString(this.mod._nrt_last_error()));
    }
  }

  /** malloc that names what it was for when the 2 GiB heap cannot hold it. */
  alloc(what: string, bytes: number): number {
    if (bytes > MAX_HEAP_BYTES) {
      throw new NeuriteError(`wasm backend: ${what}: needs ${formatBytes(bytes)} in the WASM heap, more than its 2 GiB limit; use smaller batches`);
    }
    const p = this.mod._malloc(Math.max(bytes, 16));
    if (!p) throw new NeuriteError(`wasm backend: ${what}: out of memory: could not allocate ${formatBytes(bytes)} in the WASM heap (limit 2 GiB)`);
    return p;
  }

  /** Float32 view of [ptr, ptr + length): taken fresh, since memory growth replaces the old views. */
  f32(ptr: number, length: number): Float32Array {
    return this.heap.HEAPF32.subarray(ptr >>> 2, (ptr >>> 2) + length);
  }

  /** Runs body(ptr) with `bytes` copied into a temporary heap block. */
  withBytes<T>(what: string, bytes: Uint8Array, body: (ptr: number) => T): T {
    const p = this.alloc(what, bytes.length);
    try {
      this.heap.HEAPU8.set(bytes, p);
      return body(p);
    } finally {
      this.mod._free(p);
    }
  }
}

/** Atomics.waitAsync (ES2024; Node 16+, Chromium 87+): the lib this package compiles against predates it. */
type WaitAsync = (array: Int32Array, index: number, value: number) => { async: boolean; value: Promise<unknown> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync as WaitAsync;
/** Whether this engine can await another thread's work: without Atomics.waitAsync the runner is not used. */
const canWaitAsync = typeof waitAsync === 'function';

function formatBytes(n: number): string {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${n} bytes`;
}

/** A block a model keeps in the WASM heap between calls, so batch-1 predict does not malloc every time. */
export class HeapBuffer {
  ptr = 0;
  bytes = 0;
  constructor(private readonly engine: Engine) {}
  /** A block of at least `bytes`; contents not kept. */
  reserve(what: string, bytes: number): number {
    if (bytes <= this.bytes) return this.ptr;
    this.release();
    this.ptr = this.engine.alloc(what, bytes);
    this.bytes = bytes;
    return this.ptr;
  }
  /** Copies `data` in (growing the block as needed); returns its address. */
  put(what: string, data: Float32Array): number {
    const p = this.reserve(what, data.length * 4);
    this.engine.f32(p, data.length).set(data);
    return p;
  }
  release(): void {
    if (this.ptr) this.engine.mod._free(this.ptr);
    this.ptr = 0;
    this.bytes = 0;
  }
}

/** A module of one SIMD function (i8x16.splat, i8x16.popcnt): tells "no SIMD here" apart from other failures. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** The builds: 'single' (neurite-wasm.mjs) or 'threads' (neurite-wasm-mt.mjs). */
export const WASM_BUILDS = ['single', 'threads'] as const;
export type WasmBuild = (typeof WASM_BUILDS)[number];

/** The SIMD of a build: 'relaxed' (the -relaxed modules: fused multiply-adds) or plain 'simd128'. */
export const WASM_SIMDS = ['relaxed', 'simd128'] as const;
export type WasmSimd = (typeof WASM_SIMDS)[number];

/** A module of one function using f32x4.relaxed_madd (0xfd 0x85 0x02) on three v128.const: relaxed SIMD or not. */
const RELAXED_SIMD_PROBE = (() => {
  const zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const body = [0, ...zero, ...zero, ...zero, 0xfd, 0x85, 0x02, 0x0b];
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, body.length + 2, 1, body.length, ...body]);
})();

/** Whether this engine runs the -relaxed builds. */
export function relaxedSimdAvailable(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** Why the threaded build cannot run here, or undefined when it can. */
function threadsUnavailable(): string | undefined {
  const node = typeof process === 'object' && typeof process.versions?.node === 'string';
  // Browsers hand out SharedArrayBuffer only to cross-origin-isolated pages (and their workers).
  if (!node && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) {
    return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  }
  if (typeof SharedArrayBuffer !== 'function') return 'this JavaScript engine has no SharedArrayBuffer';
  if (cores() < 2) return 'this machine has one core';
  return undefined;
}

/** Logical cores: Node's availableParallelism (it honours CPU affinity), else navigator.hardwareConcurrency. */
function cores(): number {
  const os = typeof process === 'object' ? (process.getBuiltinModule?.('os') as { availableParallelism?: () => number } | undefined) : undefined;
  const n = os?.availableParallelism?.() ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(n)));
}

/**
 * Loads the threaded build where it can run, else (or when it fails to start) the single-threaded one; each with
 * relaxed SIMD where the engine has it. `build` forces one: 'single' always works, 'threads' rejects where threads
 * cannot run. `simd` forces the SIMD: 'relaxed' rejects where the engine lacks it.
 */
export async function instantiate(build?: WasmBuild, simd?: WasmSimd): Promise<Engine> {
  if (typeof WebAssembly !== 'object') throw new Error('this JavaScript engine has no WebAssembly');
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new Error('this JavaScript engine lacks WebAssembly SIMD (128-bit), which the neurite wasm build needs');
  }
  const relaxedHere = relaxedSimdAvailable();
  if (simd === 'relaxed' && !relaxedHere) {
    throw new Error('the relaxed-SIMD wasm build cannot run here: this JavaScript engine does not validate relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)');
  }
  const relaxed = simd === undefined ? relaxedHere : simd === 'relaxed';
  if (build === 'single') return load('single', relaxed);
  const reason = threadsUnavailable();
  if (reason === undefined) {
    try {
      return await load('threads', relaxed);
    } catch (e) {
      if (build === 'threads') throw e;
      return load('single', relaxed, `the threaded build failed to start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (build === 'threads') throw new Error(`the threaded wasm build cannot run here: ${reason}`);
  return load('single', relaxed, reason);
}

async function load(build: WasmBuild, relaxed: boolean, threadsUnavailableReason?: string): Promise<Engine> {
  let engine: Engine | undefined;
  let failStart: ((e: Error) => void) | undefined;
  const options = {
    print: () => {},
    printErr: (text: string) => {
      // Emscripten reports a worker that failed (to load, or later: a trap on a worker thread) this way; the
      // module then waits for it forever.
      const workerError = /worker sent an error/.test(text);
      if (engine) {
        engine.lastStderr = text;
        if (workerError) engine.onWorkerError(text);
      } else if (workerError) failStart?.(new Error(text));
    },
  };
  let mod: NeuriteWasmModule;
  let runner = false;
  if (build === 'single') {
    // Loaded on first use only: the module inlines its binary (~270 KB of base64) that native users never need.
    // One import() per file, each naming it: bundlers follow only literal paths.
    const { default: createNeuriteWasm } = relaxed
      ? await import('../../wasm/neurite-wasm-relaxed.mjs')
      : await import('../../wasm/neurite-wasm.mjs');
    mod = await createNeuriteWasm(options);
  } else {
    const { default: createNeuriteWasmThreads } = relaxed
      ? await import('../../wasm/neurite-wasm-mt-relaxed.mjs')
      : await import('../../wasm/neurite-wasm-mt.mjs');
    const threads = cores();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = new Promise<never>((_, reject) => {
      failStart = reject;
      timer = setTimeout(() => reject(new Error(`its ${threads} workers did not start within ${THREADS_START_TIMEOUT_MS / 1000} s`)), THREADS_START_TIMEOUT_MS);
    });
    try {
      // A worker per core: threads - 1 helpers for the kernels, and the runner thread.
      mod = await Promise.race([createNeuriteWasmThreads({ ...options, nrtHelpers: threads }), started]);
    } finally {
      clearTimeout(timer);
    }
    // Before any model exists: the core's pool then asks for exactly the helpers started above.
    mod._nrtw_set_hardware_threads(threads);
  }
  if (mod._nrtw_binding_version() !== BINDING_VERSION || mod._nrt_abi_version() !== abiVersion) {
    throw new Error(
      `the ${build === 'threads' ? 'threaded' : 'single-threaded'} wasm module is binding ${mod._nrtw_binding_version()} / ABI ` +
        `${mod._nrt_abi_version()}, expected ${BINDING_VERSION} / ${abiVersion}: rebuild it with npm run build:wasm`,
    );
  }
  if (build === 'threads') {
    runner = canWaitAsync && mod._nrtw_start_runner() === 1;
    mod.nrtUnrefWorkers?.();
  }
  engine = new Engine(mod, relaxed, threadsUnavailableReason, runner);
  return engine;
}
