/**
 * Types of the Emscripten modules wasm/neurite-wasm.mjs and wasm/neurite-wasm-mt.mjs (threaded) (built by scripts/build-wasm.sh from the C++ core and
 * native/bindings/wasm). The functions are the core's C ABI (native/include/neurite/neurite.h) plus the
 * binding's nrtw_* helpers. Pointers are byte offsets into the linear memory (wasm32, below 2 GiB); int64_t
 * arguments and results are BigInt (built with -sWASM_BIGINT). Functions returning nrt_status return 0 on success.
 */

export interface NeuriteWasmModule {
  /** Views of the linear memory. Replaced when memory grows: read them again after any call that may allocate. */
  readonly HEAPU8: Uint8Array;
  readonly HEAP32: Int32Array;
  readonly HEAPU32: Uint32Array;
  readonly HEAPF32: Float32Array;
  readonly HEAPF64: Float64Array;
  UTF8ToString(ptr: number): string;
  stackSave(): number;
  stackRestore(ptr: number): void;

  _malloc(bytes: number): number;
  _free(ptr: number): void;

  _nrt_last_error(): number;
  _nrt_abi_version(): number;
  _nrt_gemm_kernel_name(): number;
  /** threads a model uses by default: 1 in the single-threaded build */
  _nrt_hardware_threads(): number;

  _nrt_model_create(inputSize: number, layers: number, layerCount: number, seed: number, outModel: number): number;
  _nrt_model_destroy(model: number): void;
  _nrt_model_parameter_count(model: number): number;
  _nrt_model_parameter_size(model: number, index: number): bigint;
  _nrt_model_get_parameter(model: number, index: number, out: number, length: bigint): number;
  _nrt_model_set_parameter(model: number, index: number, values: number, length: bigint): number;

  _nrt_model_set_threads(model: number, threads: number): number;
  _nrt_model_compile(model: number, optimizer: number, loss: number): number;
  _nrt_model_set_learning_rate(model: number, learningRate: number): number;
  _nrt_model_optimizer_slot_count(model: number): number;
  _nrt_model_optimizer_slot_size(model: number, slot: number): bigint;
  _nrt_model_get_optimizer_slot(model: number, slot: number, out: number, length: bigint): number;
  _nrt_model_set_optimizer_slot(model: number, slot: number, values: number, length: bigint): number;
  _nrt_model_get_step(model: number, outStep: number): number;
  _nrt_model_set_step(model: number, step: bigint): number;

  _nrt_model_train_batch(
    model: number, x: number, xLength: bigint, y: number, yLength: bigint, w: number, wLength: bigint, count: bigint, outLoss: number,
  ): number;
  _nrt_model_evaluate(
    model: number, x: number, xLength: bigint, y: number, yLength: bigint, w: number, wLength: bigint, count: bigint,
    batchSize: bigint, outMetrics: number,
  ): number;
  _nrt_model_predict(model: number, x: number, xLength: bigint, count: bigint, out: number, outLength: bigint): number;

  _nrt_rng_key(seed: number, a: number, b: number): number;
  _nrt_rng_u32(key: number, i: number): number;
  _nrt_permutation(n: number, key: number, out: number): void;
  /** index of the first NaN or ±Infinity of data[0..length), or -1 */
  _nrt_first_non_finite(data: number, length: bigint, threads: number): bigint;

  /** 1 when compiled with -msimd128 */
  _nrtw_simd128(): number;
  /** 1 in the threaded build */
  _nrtw_threads_build(): number;
  /** the threaded build's loader: how many threads it started workers for (call before any model exists) */
  _nrtw_set_hardware_threads(threads: number): void;
  _nrtw_binding_version(): number;
  _nrtw_train_slice(
    model: number,
    x: number,
    xLength: bigint,
    y: number,
    yLength: bigint,
    w: number,
    wLength: bigint,
    total: bigint,
    order: number,
    batchSize: bigint,
    firstBatch: bigint,
    batchEnd: bigint,
    budgetMs: number,
    losses: number,
    totals: number,
    outDone: number,
    outputs: number,
    outputsLength: bigint,
  ): number;
  /** threaded build: starts the runner thread the *_async calls run on; 1 when it runs (0 in the single build) */
  _nrtw_start_runner(): number;
  /** a job for one *_async call (0 when out of memory); destroy it once done */
  _nrtw_job_create(): number;
  _nrtw_job_destroy(job: number): void;
  /** address of the job's int32 state: 0 queued or running, 1 done */
  _nrtw_job_state(job: number): number;
  /** the call's nrt_status, once done */
  _nrtw_job_status(job: number): number;
  /** the call's error message (a C string), once done with a status other than ok */
  _nrtw_job_error(job: number): number;
  _nrtw_predict_async(job: number, model: number, x: number, xLength: bigint, count: bigint, out: number, outLength: bigint): void;
  _nrtw_evaluate_async(
    job: number, model: number, x: number, xLength: bigint, y: number, yLength: bigint, w: number, wLength: bigint,
    count: bigint, batchSize: bigint, outMetrics: number,
  ): void;
  /** nrtw_train_slice's arguments after the job's */
  _nrtw_train_slice_async(job: number, ...args: Parameters<NeuriteWasmModule['_nrtw_train_slice']>): void;
  /** test hook: 0 unreachable, 1 abort(), 2 out-of-bounds store */
  _nrtw_debug_trap(kind: number): void;

  /** threaded build only: re-takes the heap views if a worker thread grew the memory */
  nrtRefreshHeap?: () => void;
  /** threaded build only: lets Node exit while the idle pthread workers exist */
  nrtUnrefWorkers?: () => void;
}

export interface NeuriteWasmOptions {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
  /** threaded build only: pthread workers to start with the module (threads: threads - 1 helpers and the runner) */
  nrtHelpers?: number;
}

declare function createNeuriteWasm(options?: NeuriteWasmOptions): Promise<NeuriteWasmModule>;
export default createNeuriteWasm;
