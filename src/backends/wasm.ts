/**
 * The 'wasm' backend: the C++ core compiled by Emscripten with SIMD128 (wasm/neurite-wasm.mjs), for browsers
 * and Node, with no native build.
 *
 * Why the checks below run in JavaScript first: once inside WASM, a wrong length is an out-of-bounds read of
 * someone else's buffer, not an exception. So every argument is validated here, copied into the WASM heap, and
 * only then handed to the core, whose own checks (finite values, label ranges) come back as status codes.
 * A trap inside WASM (a bug, or an allocation the core could not survive) becomes a JS Error; the C stack
 * pointer is restored so the module, and every other model in it, stays usable.
 *
 * Why epochs run in slices: WASM cannot yield in the middle of a call, and a whole epoch would freeze a tab
 * (or Node's event loop) for seconds. trainEpoch asks the binding to train consecutive batches for ~SLICE_MS,
 * yields, reports progress and looks at the AbortSignal, and goes on. The epoch order is computed inside WASM
 * with the shared counter-based RNG, so slicing changes nothing in the result.
 */
import type { NeuriteWasmModule } from '../../wasm/neurite-wasm.mjs';
import { fail, NeuriteError } from '../errors.js';
import {
  AbortError,
  outputSize,
  weightShapes,
  type ActivationName,
  type Backend,
  type BackendModel,
  type EpochOptions,
  type EpochResult,
  type EvalResult,
  type LossName,
  type ModelSpec,
  type OptimizerSpec,
  type TrainSpec,
} from './backend.js';
import type { BackendProvider } from './registry.js';

/**
 * Milliseconds of work between two yields to the event loop, so timers, I/O and (in a page) painting keep going
 * even on a busy machine: half a 60 Hz frame in browsers, where a yield (a MessageChannel message) costs
 * ~0.1 ms; 5 ms in Node, where setImmediate costs ~20 µs.
 */
const SLICE_MS = typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function' ? 5 : 8;
/** The binding this file speaks to (native/bindings/wasm/neurite_wasm.cpp) and the core's C ABI. */
const BINDING_VERSION = 1;
const ABI_VERSION = 1;
/** wasm32 with the default maximum memory: nothing larger can ever be allocated. */
const MAX_HEAP_BYTES = 2 ** 31;

// Codes of neurite.h (nrt_status, nrt_activation, nrt_loss, nrt_optimizer_kind).
const Status = { ok: 0, invalidArgument: 1, state: 2, outOfMemory: 3, aborted: 4, internal: 5 } as const;
const activationCode: Record<ActivationName, number> = { linear: 0, relu: 1, leakyRelu: 2, sigmoid: 3, tanh: 4, softmax: 5 };
const lossCode: Record<LossName, number> = {
  meanSquaredError: 0,
  binaryCrossentropy: 1,
  categoricalCrossentropy: 2,
  sparseCategoricalCrossentropy: 3,
};
const optimizerCode = { sgd: 0, adam: 1, adamw: 2, rmsprop: 3 } as const;
const LAYER_DESC_BYTES = 48;
const OPTIMIZER_DESC_BYTES = 64;

// ---------------------------------------------------------------------------------------------------------
// The module: one instance per JS realm, shared by every wasm model.

/** The instantiated module and what wraps every call into it. */
class Engine {
  /** stderr of the module (abort messages), kept to explain the next trap */
  lastStderr = '';
  /** A small scratch area for out-parameters (loss, metrics, step, done count, struct descriptions). */
  readonly scratch: number;
  readonly kernelName: string;

  constructor(readonly mod: NeuriteWasmModule) {
    const scratch = mod._malloc(1024);
    if (!scratch) throw new NeuriteError('wasm backend: could not allocate 1 KiB in a fresh module');
    this.scratch = scratch;
    this.kernelName = mod.UTF8ToString(mod._nrt_gemm_kernel_name());
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
        `${what}: the WASM engine trapped: ${e.message}${detail}. The module is still usable; this model's ` +
          'state may be inconsistent, so set its weights again or create a new model.',
      );
    }
  }

  lastError(): string {
    return this.mod.UTF8ToString(this.mod._nrt_last_error());
  }

  /** Turns an nrt_status into the Error the caller should see. */
  check(what: string, status: number): void {
    if (status === Status.ok) return;
    const message = this.lastError() || `status ${status}`;
    if (status === Status.aborted) throw new AbortError(`${what}: ${message}`);
    if (status === Status.outOfMemory) throw new NeuriteError(`${what}: out of memory in the WASM heap (${message})`);
    if (status === Status.internal) throw new Error(`${what}: internal error in the WASM engine: ${message}`);
    throw new NeuriteError(`${what}: ${message}`);
  }

  /** malloc that names what it was for when the 2 GiB heap cannot hold it. */
  alloc(what: string, bytes: number): number {
    if (bytes > MAX_HEAP_BYTES) {
      throw new NeuriteError(`${what}: needs ${formatBytes(bytes)} in the WASM heap, more than its 2 GiB limit; use smaller batches`);
    }
    const p = this.mod._malloc(Math.max(bytes, 16));
    if (!p) throw new NeuriteError(`${what}: out of memory: could not allocate ${formatBytes(bytes)} in the WASM heap (limit 2 GiB)`);
    return p;
  }

  /** Float32 view of [ptr, ptr + length): taken fresh, since memory growth replaces the old views. */
  f32(ptr: number, length: number): Float32Array {
    return this.mod.HEAPF32.subarray(ptr >>> 2, (ptr >>> 2) + length);
  }
}

function formatBytes(n: number): string {
  return n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(1)} MiB` : `${n} bytes`;
}

/** A module of one SIMD function (i8x16.splat, i8x16.popcnt): tells "no SIMD here" apart from other failures. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

async function instantiate(): Promise<Engine> {
  if (typeof WebAssembly !== 'object') throw new Error('this JavaScript engine has no WebAssembly');
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new Error('this JavaScript engine lacks WebAssembly SIMD (128-bit), which the neurite wasm build needs');
  }
  // Loaded on first use only: the module inlines its binary (~100 KB of base64) that native users never need.
  const { default: createNeuriteWasm } = await import('../../wasm/neurite-wasm.mjs');
  let engine: Engine | undefined;
  const mod = await createNeuriteWasm({
    print: () => {},
    printErr: (text: string) => {
      if (engine) engine.lastStderr = text;
    },
  });
  if (mod._nrtw_binding_version() !== BINDING_VERSION || mod._nrt_abi_version() !== ABI_VERSION) {
    throw new Error(
      `wasm/neurite-wasm.mjs is binding ${mod._nrtw_binding_version()} / ABI ${mod._nrt_abi_version()}, ` +
        `expected ${BINDING_VERSION} / ${ABI_VERSION}: rebuild it with npm run build:wasm`,
    );
  }
  engine = new Engine(mod);
  return engine;
}

// ---------------------------------------------------------------------------------------------------------
// Argument checks (before anything enters WASM).

function checkCount(argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0 || v > 2 ** 31) fail(argument, 'a positive integer (rows)', v);
  return v;
}

function checkData(argument: string, data: unknown, length: number, shape: string): Float32Array {
  if (!(data instanceof Float32Array)) fail(argument, `a Float32Array of shape ${shape}`, data);
  if (data.length !== length) fail(argument, `${length} values (shape ${shape})`, data.length);
  return data;
}

function checkFiniteNumber(argument: string, v: unknown, min = -Infinity, minInclusive = true): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && (minInclusive ? v >= min : v > min);
  if (!ok) fail(argument, `a finite number ${minInclusive ? '≥' : '>'} ${min}`, v);
  return v as number;
}

function checkSpec(spec: ModelSpec): void {
  if (!spec || typeof spec !== 'object') fail('spec', 'a ModelSpec { inputSize, layers, seed }', spec);
  const { inputSize, layers, seed } = spec;
  if (!Number.isInteger(inputSize) || inputSize <= 0) fail('spec.inputSize', 'a positive integer', inputSize);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail('spec.seed', 'an integer in [0, 2^32)', seed);
  if (!Array.isArray(layers)) fail('spec.layers', 'an array of layer specs', layers);
  let width = inputSize;
  layers.forEach((layer, i) => {
    const at = `spec.layers[${i}]`;
    if (!layer || typeof layer !== 'object') fail(at, 'a dense or dropout layer spec', layer);
    if (!Number.isInteger(layer.units) || layer.units <= 0) fail(`${at}.units`, 'a positive integer', layer.units);
    if (layer.kind === 'dense') {
      if (layer.inputSize !== width) fail(`${at}.inputSize`, `${width} (the previous layer's units)`, layer.inputSize);
      if (!(layer.activation in activationCode)) fail(`${at}.activation`, `one of ${Object.keys(activationCode).join(', ')}`, layer.activation);
      if (layer.activation === 'softmax' && i !== layers.length - 1) fail(`${at}.activation`, "'softmax' only on the output layer", layer.activation);
      checkFiniteNumber(`${at}.alpha`, layer.alpha);
      checkFiniteNumber(`${at}.l2`, layer.l2, 0);
      if (typeof layer.useBias !== 'boolean') fail(`${at}.useBias`, 'a boolean', layer.useBias);
      width = layer.units;
    } else if (layer.kind === 'dropout') {
      if (layer.units !== width) fail(`${at}.units`, `${width} (a dropout layer keeps its input's width)`, layer.units);
      if (!(typeof layer.rate === 'number' && layer.rate >= 0 && layer.rate < 1)) fail(`${at}.rate`, 'a number in [0, 1)', layer.rate);
      if (!Number.isInteger(layer.threshold) || layer.threshold < 0 || layer.threshold > 2 ** 24) {
        fail(`${at}.threshold`, 'an integer in [0, 2^24] (rng.dropoutThreshold(rate))', layer.threshold);
      }
    } else {
      fail(`${at}.kind`, "'dense' or 'dropout'", (layer as { kind: unknown }).kind);
    }
  });
}

function checkOptimizer(o: OptimizerSpec): void {
  if (!o || typeof o !== 'object' || !(o.kind in optimizerCode)) fail('optimizer.kind', "one of 'sgd', 'adam', 'adamw', 'rmsprop'", o?.kind);
  checkFiniteNumber('optimizer.learningRate', o.learningRate, 0, false);
  if (o.kind === 'sgd') {
    checkFiniteNumber('optimizer.momentum', o.momentum, 0);
    if (typeof o.nesterov !== 'boolean') fail('optimizer.nesterov', 'a boolean', o.nesterov);
  } else if (o.kind === 'rmsprop') {
    checkFiniteNumber('optimizer.rho', o.rho, 0);
    checkFiniteNumber('optimizer.momentum', o.momentum, 0);
    checkFiniteNumber('optimizer.epsilon', o.epsilon, 0);
  } else {
    checkFiniteNumber('optimizer.beta1', o.beta1, 0);
    checkFiniteNumber('optimizer.beta2', o.beta2, 0);
    checkFiniteNumber('optimizer.epsilon', o.epsilon, 0);
    if (o.kind === 'adamw') checkFiniteNumber('optimizer.weightDecay', o.weightDecay, 0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Yielding between slices.

/** Runs `callback` as a macrotask: setImmediate in Node, a MessageChannel message in browsers (setTimeout(0)
 * is clamped to 4 ms when nested). */
function makePostTask(): (callback: () => void) => void {
  const g = globalThis as { setImmediate?: (f: () => void) => void; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') return g.setImmediate;
  if (typeof g.MessageChannel === 'function') {
    const channel = new g.MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return (callback) => {
      waiting.push(callback);
      channel.port2.postMessage(0);
    };
  }
  return (callback) => setTimeout(callback, 0);
}

/**
 * Keeps WASM work from holding the event loop for more than SLICE_MS at a time, across calls: fit() runs epoch
 * after epoch with only microtasks in between, so a per-call budget would let 100 tiny epochs block a tab.
 * A marker macrotask tells whether the event loop has turned since the work began (then the budget is fresh).
 */
class Pacer {
  private turned = true;
  private since = 0;
  private readonly postTask = makePostTask();
  private readonly markTurn = () => {
    this.turned = true;
  };

  private start(): void {
    this.turned = false;
    this.since = performance.now();
    this.postTask(this.markTurn);
  }

  /** Call before each piece of async work: yields first when the running budget is spent. */
  async beforeWork(): Promise<void> {
    if (this.turned) return this.start();
    if (performance.now() - this.since < SLICE_MS) return;
    await new Promise<void>((resolve) => this.postTask(resolve));
    this.start();
  }

  /** Milliseconds of work left before the next yield (at least 1, so every slice makes progress). */
  budget(): number {
    return Math.max(1, SLICE_MS - (performance.now() - this.since));
  }
}

let pacer: Pacer | undefined;

// ---------------------------------------------------------------------------------------------------------
// A model.

/** Buffers a model keeps in the WASM heap between calls, so batch-1 predict does not malloc every time. */
class HeapBuffer {
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
  release(): void {
    if (this.ptr) this.engine.mod._free(this.ptr);
    this.ptr = 0;
    this.bytes = 0;
  }
}

/** Buffers above this size are given back after the call instead of being kept by the model. */
const KEEP_BYTES = 1 << 20;

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
  private readonly inputSize: number;
  private readonly outputSize: number;
  private readonly shapes: number[][];
  private loss: LossName | undefined;
  private readonly xBuffer: HeapBuffer;
  private readonly yBuffer: HeapBuffer;
  private readonly outBuffer: HeapBuffer;
  private readonly token = {};

  constructor(
    private readonly engine: Engine,
    readonly spec: ModelSpec,
  ) {
    checkSpec(spec);
    this.inputSize = spec.inputSize;
    this.outputSize = outputSize(spec);
    this.shapes = weightShapes(spec);
    this.xBuffer = new HeapBuffer(engine);
    this.yBuffer = new HeapBuffer(engine);
    this.outBuffer = new HeapBuffer(engine);

    const { mod } = engine;
    const layers = spec.layers;
    this.handle = engine.guard('createModel', () => {
      const desc = engine.alloc('createModel', Math.max(1, layers.length) * LAYER_DESC_BYTES);
      try {
        const view = new DataView(mod.HEAPU8.buffer);
        mod.HEAPU8.fill(0, desc, desc + layers.length * LAYER_DESC_BYTES);
        layers.forEach((layer, i) => {
          const at = desc + i * LAYER_DESC_BYTES;
          view.setInt32(at + 4, layer.units, true);
          if (layer.kind === 'dense') {
            view.setInt32(at, 0, true);
            view.setInt32(at + 8, activationCode[layer.activation], true);
            view.setInt32(at + 12, layer.useBias ? 1 : 0, true);
            view.setFloat64(at + 16, layer.alpha, true);
            view.setFloat64(at + 24, layer.l2, true);
          } else {
            view.setInt32(at, 1, true);
            view.setFloat64(at + 32, layer.rate, true);
            view.setUint32(at + 40, layer.threshold, true);
          }
        });
        const out = engine.scratch;
        engine.check('createModel', mod._nrt_model_create(spec.inputSize, desc, layers.length, spec.seed >>> 0, out));
        return mod.HEAPU32[out >>> 2]!;
      } finally {
        mod._free(desc);
      }
    });
    finalizer?.register(this, { engine, handle: this.handle, buffers: [this.xBuffer, this.yBuffer, this.outBuffer] }, this.token);
  }

  private live(what: string): number {
    if (!this.handle) throw new NeuriteError(`${what}: this wasm model was disposed`);
    return this.handle;
  }

  private get yColumns(): number {
    return this.loss === 'sparseCategoricalCrossentropy' ? 1 : this.outputSize;
  }

  private checkX(what: string, x: Float32Array, count: number): void {
    checkCount(`${what}: count`, count);
    checkData(`${what}: x`, x, count * this.inputSize, `[${count}, ${this.inputSize}]`);
  }

  private checkY(what: string, y: Float32Array, count: number): void {
    if (!this.loss) throw new NeuriteError(`${what}: call compile({ optimizer, loss }) first`);
    const shape = this.loss === 'sparseCategoricalCrossentropy' ? `[${count}] (class indices)` : `[${count}, ${this.outputSize}]`;
    checkData(`${what}: y`, y, count * this.yColumns, shape);
  }

  /** Copies `data` into `buffer` (grown as needed); returns its address. */
  private put(what: string, buffer: HeapBuffer, data: Float32Array): number {
    const p = buffer.reserve(what, data.length * 4);
    this.engine.f32(p, data.length).set(data);
    return p;
  }

  /** Gives large blocks back to the allocator: a model keeps only small, often-reused ones. */
  private trim(): void {
    for (const b of [this.xBuffer, this.yBuffer, this.outBuffer]) if (b.bytes > KEEP_BYTES) b.release();
  }

  // ---- weights ----

  setWeights(weights: Float32Array[]): void {
    const h = this.live('setWeights');
    if (!Array.isArray(weights) || weights.length !== this.shapes.length) {
      fail('setWeights: weights', `${this.shapes.length} Float32Arrays (${this.shapes.map((s) => `[${s.join(', ')}]`).join(', ')})`, weights);
    }
    weights.forEach((w, i) => {
      const shape = this.shapes[i]!;
      checkData(`setWeights: weights[${i}]`, w, shape.reduce((a, b) => a * b, 1), `[${shape.join(', ')}]`);
    });
    const { engine } = this;
    engine.guard('setWeights', () => {
      weights.forEach((w, i) => {
        const p = this.put('setWeights', this.xBuffer, w);
        engine.check(`setWeights: weights[${i}]`, engine.mod._nrt_model_set_parameter(h, i, p, BigInt(w.length)));
      });
    });
    this.trim();
  }

  getWeights(): Float32Array[] {
    const h = this.live('getWeights');
    const { engine } = this;
    return engine.guard('getWeights', () =>
      this.shapes.map((shape, i) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const p = this.outBuffer.reserve('getWeights', n * 4);
        engine.check('getWeights', engine.mod._nrt_model_get_parameter(h, i, p, BigInt(n)));
        return engine.f32(p, n).slice();
      }),
    );
  }

  // ---- training setup ----

  compile(train: TrainSpec): void {
    const h = this.live('compile');
    if (!train || typeof train !== 'object') fail('compile', '{ optimizer, loss }', train);
    checkOptimizer(train.optimizer);
    if (!(train.loss in lossCode)) fail('compile: loss', `one of ${Object.keys(lossCode).join(', ')}`, train.loss);
    const { engine } = this;
    const { mod } = engine;
    const o = train.optimizer;
    engine.guard('compile', () => {
      const at = engine.scratch;
      mod.HEAPU8.fill(0, at, at + OPTIMIZER_DESC_BYTES);
      const view = new DataView(mod.HEAPU8.buffer);
      view.setInt32(at, optimizerCode[o.kind], true);
      view.setFloat64(at + 8, o.learningRate, true);
      if (o.kind === 'sgd') {
        view.setInt32(at + 4, o.nesterov ? 1 : 0, true);
        view.setFloat64(at + 16, o.momentum, true);
      } else if (o.kind === 'rmsprop') {
        view.setFloat64(at + 16, o.momentum, true);
        view.setFloat64(at + 40, o.epsilon, true);
        view.setFloat64(at + 56, o.rho, true);
      } else {
        view.setFloat64(at + 24, o.beta1, true);
        view.setFloat64(at + 32, o.beta2, true);
        view.setFloat64(at + 40, o.epsilon, true);
        if (o.kind === 'adamw') view.setFloat64(at + 48, o.weightDecay, true);
      }
      engine.check('compile', mod._nrt_model_compile(h, at, lossCode[train.loss]));
    });
    this.loss = train.loss;
  }

  setLearningRate(lr: number): void {
    const h = this.live('setLearningRate');
    checkFiniteNumber('setLearningRate: lr', lr, 0, false);
    this.engine.guard('setLearningRate', () => this.engine.check('setLearningRate', this.engine.mod._nrt_model_set_learning_rate(h, lr)));
  }

  getOptimizerState(): { step: number; slots: Float32Array[] } {
    const h = this.live('getOptimizerState');
    const { engine } = this;
    const { mod } = engine;
    return engine.guard('getOptimizerState', () => {
      engine.check('getOptimizerState', mod._nrt_model_get_step(h, engine.scratch));
      const step = Number(new BigInt64Array(mod.HEAPU8.buffer, engine.scratch, 1)[0]);
      const slots: Float32Array[] = [];
      const count = mod._nrt_model_optimizer_slot_count(h);
      for (let i = 0; i < count; i++) {
        const n = Number(mod._nrt_model_optimizer_slot_size(h, i));
        const p = this.outBuffer.reserve('getOptimizerState', n * 4);
        engine.check('getOptimizerState', mod._nrt_model_get_optimizer_slot(h, i, p, BigInt(n)));
        slots.push(engine.f32(p, n).slice());
      }
      this.trim();
      return { step, slots };
    });
  }

  setOptimizerState(state: { step: number; slots: Float32Array[] }): void {
    const h = this.live('setOptimizerState');
    const { engine } = this;
    const { mod } = engine;
    if (!state || typeof state !== 'object') fail('setOptimizerState: state', '{ step, slots }', state);
    if (!Number.isInteger(state.step) || state.step < 0) fail('setOptimizerState: state.step', 'an integer ≥ 0', state.step);
    if (!this.loss) throw new NeuriteError('setOptimizerState: call compile({ optimizer, loss }) first');
    const count = mod._nrt_model_optimizer_slot_count(h);
    if (!Array.isArray(state.slots) || state.slots.length !== count) {
      fail('setOptimizerState: state.slots', `${count} Float32Arrays for this optimizer`, state.slots);
    }
    const sizes = state.slots.map((_, i) => Number(mod._nrt_model_optimizer_slot_size(h, i)));
    state.slots.forEach((s, i) => checkData(`setOptimizerState: state.slots[${i}]`, s, sizes[i]!, `[${sizes[i]}]`));
    engine.guard('setOptimizerState', () => {
      state.slots.forEach((s, i) => {
        const p = this.put('setOptimizerState', this.xBuffer, s);
        engine.check(`setOptimizerState: state.slots[${i}]`, mod._nrt_model_set_optimizer_slot(h, i, p, BigInt(s.length)));
      });
      engine.check('setOptimizerState: state.step', mod._nrt_model_set_step(h, BigInt(state.step)));
    });
    this.trim();
  }

  // ---- work ----

  async trainBatch(x: Float32Array, y: Float32Array, count: number): Promise<number> {
    this.live('trainBatch');
    this.checkX('trainBatch', x, count);
    this.checkY('trainBatch', y, count);
    await (pacer ??= new Pacer()).beforeWork();
    return this.trainBatchSync(x, y, count);
  }

  /** trainBatch without the Promise (benchmarks, and callers that batch their own work). */
  trainBatchSync(x: Float32Array, y: Float32Array, count: number): number {
    const h = this.live('trainBatch');
    this.checkX('trainBatch', x, count);
    this.checkY('trainBatch', y, count);
    const { engine } = this;
    try {
      return engine.guard('trainBatch', () => {
        const xp = this.put('trainBatch', this.xBuffer, x);
        const yp = this.put('trainBatch', this.yBuffer, y);
        engine.check('trainBatch', engine.mod._nrt_model_train_batch(h, xp, yp, BigInt(count), engine.scratch));
        return engine.mod.HEAPF64[engine.scratch >>> 3]!;
      });
    } finally {
      this.trim();
    }
  }

  async trainEpoch(x: Float32Array, y: Float32Array, count: number, options: EpochOptions): Promise<EpochResult> {
    this.live('trainEpoch');
    this.checkX('trainEpoch', x, count);
    this.checkY('trainEpoch', y, count);
    if (!options || typeof options !== 'object') fail('trainEpoch: options', '{ batchSize, shuffle, epoch }', options);
    const { batchSize, shuffle, epoch, onBatch, signal } = options;
    checkCount('trainEpoch: options.batchSize', batchSize);
    if (typeof shuffle !== 'boolean') fail('trainEpoch: options.shuffle', 'a boolean', shuffle);
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffffffff) fail('trainEpoch: options.epoch', 'an integer in [0, 2^32)', epoch);
    if (onBatch !== undefined && typeof onBatch !== 'function') fail('trainEpoch: options.onBatch', 'a function', onBatch);
    if (signal?.aborted) throw new AbortError();

    const { engine } = this;
    const { mod } = engine;
    const batches = Math.ceil(count / batchSize);
    // One block for the epoch: x, y, the row order, each batch's loss, and the running totals.
    const xBytes = x.length * 4;
    const yBytes = y.length * 4;
    const orderBytes = count * 4;
    const lossesAt = alignUp(xBytes + yBytes + orderBytes, 8);
    const totalsAt = lossesAt + batches * 8;
    const doneAt = totalsAt + 3 * 8;
    const block = engine.alloc('trainEpoch', doneAt + 8);
    const xp = block;
    const yp = block + xBytes;
    const orderp = yp + yBytes;
    try {
      engine.guard('trainEpoch', () => {
        engine.f32(xp, x.length).set(x);
        engine.f32(yp, y.length).set(y);
        if (shuffle) {
          mod._nrt_permutation(count, mod._nrt_rng_key(this.spec.seed >>> 0, 2, epoch >>> 0) >>> 0, orderp);
        } else {
          const order = mod.HEAPU32.subarray(orderp >>> 2, (orderp >>> 2) + count);
          for (let i = 0; i < count; i++) order[i] = i;
        }
        mod.HEAPF64.fill(0, (block + totalsAt) >>> 3, (block + totalsAt) / 8 + 3);
      });
      pacer ??= new Pacer();
      for (let batch = 0; batch < batches; ) {
        await pacer.beforeWork();
        const h = this.live('trainEpoch');
        if (signal?.aborted) throw new AbortError();
        let status = 0;
        const budget = pacer.budget();
        const done = engine.guard('trainEpoch', () => {
          status = mod._nrtw_train_slice(h, xp, yp, BigInt(count), orderp, BigInt(batchSize), BigInt(batch), BigInt(batches),
            budget, block + lossesAt + batch * 8, block + totalsAt, block + doneAt);
          return Number(new BigInt64Array(mod.HEAPU8.buffer, block + doneAt, 1)[0]);
        });
        if (onBatch) {
          const losses = mod.HEAPF64.slice((block + lossesAt) / 8 + batch, (block + lossesAt) / 8 + batch + done);
          for (let i = 0; i < done; i++) onBatch(batch + i, batches, losses[i]!);
        }
        batch += done;
        engine.check(`trainEpoch (batch ${batch} of ${batches})`, status);
      }
      const totals = mod.HEAPF64.slice((block + totalsAt) / 8, (block + totalsAt) / 8 + 3);
      const result: EpochResult = { loss: totals[0]! / count };
      if (this.loss !== 'meanSquaredError' && totals[2]! > 0) result.accuracy = totals[1]! / totals[2]!;
      return result;
    } finally {
      mod._free(block);
    }
  }

  async evaluate(x: Float32Array, y: Float32Array, count: number, batchSize: number): Promise<EvalResult> {
    this.live('evaluate');
    this.checkX('evaluate', x, count);
    this.checkY('evaluate', y, count);
    checkCount('evaluate: batchSize', batchSize);
    const { engine } = this;
    const { mod } = engine;
    const yCols = this.yColumns;
    // In chunks of whole batches, so the batches (and the result) are those of one call, each sized to what is
    // left of the time budget; the chunk means are combined weighted by their rows.
    let loss = 0;
    let correct = 0;
    let hasAccuracy = false;
    const chunks = new ChunkSizer(batchSize);
    try {
      for (let row = 0; row < count; ) {
        await (pacer ??= new Pacer()).beforeWork();
        const h = this.live('evaluate');
        const rows = Math.min(chunks.rows(pacer.budget()), count - row);
        const started = performance.now();
        const m = engine.guard('evaluate', () => {
          const xp = this.put('evaluate', this.xBuffer, x.subarray(row * this.inputSize, (row + rows) * this.inputSize));
          const yp = this.put('evaluate', this.yBuffer, y.subarray(row * yCols, (row + rows) * yCols));
          engine.check('evaluate', mod._nrt_model_evaluate(h, xp, yp, BigInt(rows), BigInt(batchSize), engine.scratch));
          const at = engine.scratch >>> 3;
          return { loss: mod.HEAPF64[at]!, accuracy: mod.HEAPF64[at + 1]!, has: mod.HEAP32[(engine.scratch + 16) >>> 2]! !== 0 };
        });
        chunks.measured(rows, performance.now() - started);
        loss += m.loss * rows;
        correct += m.accuracy * rows;
        hasAccuracy = m.has;
        row += rows;
      }
    } finally {
      this.trim();
    }
    return hasAccuracy ? { loss: loss / count, accuracy: correct / count } : { loss: loss / count };
  }

  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    this.live('predict');
    this.checkX('predict', x, count);
    const out = new Float32Array(count * this.outputSize);
    const chunks = new ChunkSizer(16);
    try {
      for (let row = 0; row < count; ) {
        await (pacer ??= new Pacer()).beforeWork();
        const rows = Math.min(chunks.rows(pacer.budget()), count - row);
        const started = performance.now();
        out.set(this.predictRows('predict', x.subarray(row * this.inputSize, (row + rows) * this.inputSize), rows), row * this.outputSize);
        chunks.measured(rows, performance.now() - started);
        row += rows;
      }
    } finally {
      this.trim();
    }
    return out;
  }

  predictSync(x: Float32Array, count: number): Float32Array {
    this.checkX('predictSync', x, count);
    try {
      return this.predictRows('predictSync', x, count);
    } finally {
      this.trim();
    }
  }

  private predictRows(what: string, x: Float32Array, count: number): Float32Array {
    const h = this.live(what);
    const { engine } = this;
    return engine.guard(what, () => {
      const xp = this.put(what, this.xBuffer, x);
      const outLength = count * this.outputSize;
      const op = this.outBuffer.reserve(what, outLength * 4);
      engine.check(what, engine.mod._nrt_model_predict(h, xp, BigInt(count), op));
      return engine.f32(op, outLength).slice();
    });
  }

  dispose(): void {
    if (!this.handle) return;
    finalizer?.unregister(this.token);
    releaseResources({ engine: this.engine, handle: this.handle, buffers: [this.xBuffer, this.yBuffer, this.outBuffer] });
    this.handle = 0;
  }
}

/** How many rows (a multiple of `unit`) fit a time budget, from the speed of the chunks so far. */
class ChunkSizer {
  private msPerRow = 0;
  constructor(private readonly unit: number) {}
  rows(budgetMs: number): number {
    if (this.msPerRow === 0) return this.unit;
    return Math.max(1, Math.floor(budgetMs / this.msPerRow / this.unit)) * this.unit;
  }
  measured(rows: number, ms: number): void {
    this.msPerRow = Math.max(ms, 0.01) / rows;
  }
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

// ---------------------------------------------------------------------------------------------------------
// The backend and its provider.

export interface WasmBackend extends Backend {
  readonly name: 'wasm';
  createModel(spec: ModelSpec): WasmModel;
  /** true when the running module was compiled with SIMD128 */
  readonly simd128: boolean;
  /** the GEMM microkernel the core picked, e.g. "wasm_simd128 4x8" */
  readonly gemmKernel: string;
  /** for tests of the trap handling: runs a deliberate trap inside WASM (0 unreachable, 1 abort, 2 OOB store) */
  debugTrap(kind: 0 | 1 | 2): void;
  /** the raw module, for tests and benchmarks */
  readonly module: NeuriteWasmModule;
}

export type { WasmModel };

function makeBackend(engine: Engine): WasmBackend {
  return {
    name: 'wasm',
    createModel: (spec) => new WasmModel(engine, spec),
    simd128: engine.mod._nrtw_simd128() === 1,
    gemmKernel: engine.kernelName,
    debugTrap: (kind) => engine.guard('debugTrap', () => engine.mod._nrtw_debug_trap(kind)),
    module: engine.mod,
  };
}

let backend: WasmBackend | undefined;
let loading: Promise<WasmBackend> | undefined;
let failure: string | undefined;

/** Instantiates the module once; later calls get the same backend. */
export function loadWasmBackend(): Promise<WasmBackend> {
  loading ??= instantiate().then(
    (engine) => (backend = makeBackend(engine)),
    (e: unknown) => {
      failure = e instanceof Error ? e.message : String(e);
      loading = undefined; // a later ready() may try again
      throw new Error(`wasm backend unavailable: ${failure}`);
    },
  );
  return loading;
}

export const wasmProvider: BackendProvider = {
  name: 'wasm',
  get: () => backend,
  ready: () => loadWasmBackend(),
  unavailableReason: () => (backend ? undefined : (failure ?? "the WASM module is not instantiated yet: await nn.ready('wasm')")),
};
