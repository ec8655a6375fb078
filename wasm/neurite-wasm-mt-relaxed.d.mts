/** Types of wasm/neurite-wasm-mt-relaxed.mjs, the threaded relaxed-SIMD build: the same module as neurite-wasm.mjs (see its types). */
import type { NeuriteWasmModule, NeuriteWasmOptions } from './neurite-wasm.mjs';

export type { NeuriteWasmModule, NeuriteWasmOptions };
declare function createNeuriteWasm(options?: NeuriteWasmOptions): Promise<NeuriteWasmModule>;
export default createNeuriteWasm;
