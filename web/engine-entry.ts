// What web/serve.mjs bundles as /neurite.js: neurite's browser entry (the public API with the WASM engine),
// plus one call the playground's footer uses to say which build runs.
import { loadWasmBackend } from '../src/backends/wasm.js';

export * from '../src/browser.js';

/** The running WASM build: SIMD128 or not and the GEMM kernel the core picked. The build has no threads. */
export async function wasmBuildInfo(): Promise<{ simd128: boolean; gemmKernel: string; threads: number }> {
  const backend = await loadWasmBackend();
  return { simd128: backend.simd128, gemmKernel: backend.gemmKernel, threads: 1 };
}
