// What the Chromium bench page runs: the W3 workloads on the wasm backend, inside the page.
import { loadWasmBackend } from '../../src/backends/wasm.js';
import { batch1Latency, batchThroughput, W1 } from './workloads.js';

export async function runW3(): Promise<{ simd128: boolean; gemmKernel: string; userAgent: string; latencyUs: number; batch1024PerSecond: number }> {
  const wasm = await loadWasmBackend();
  return {
    simd128: wasm.simd128,
    gemmKernel: wasm.gemmKernel,
    userAgent: navigator.userAgent,
    latencyUs: batch1Latency(wasm, W1, 2000, 9).wall,
    batch1024PerSecond: batchThroughput(wasm, W1, 1024, 9).wall,
  };
}
