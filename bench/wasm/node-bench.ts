// The wasm engine in Node, one thread: W1/W2 training samples/s, W3 batch-1 latency and batch-1024 samples/s.
// Run: node bench/wasm/run.mjs bench/wasm/node-bench.ts   (a benchmark, not a test: numbers vary with the machine)
// Each line gives the wall-clock figure and, in parentheses, the same from this process's CPU time, which
// stays meaningful when other jobs share the cores.
import { loadWasmBackend } from '../../src/backends/wasm.js';
import { batch1Latency, batchThroughput, trainingThroughput, W1, W2, type Rate } from './workloads.js';

const perSecond = (r: Rate) =>
  `${Math.round(r.wall).toLocaleString('en-US')} samples/s (cpu-time ${r.cpu ? Math.round(r.cpu).toLocaleString('en-US') : '?'})`;

const wasm = await loadWasmBackend();
console.log(`wasm backend: simd128=${wasm.simd128}, gemm kernel "${wasm.gemmKernel}", node ${process.version}`);

const w1 = await trainingThroughput(wasm, W1, 128, 8192, 6);
console.log(`W1 train 784-256-128-10 batch 128:   ${perSecond(w1)}; target ≥ 38,000`);
const w2 = await trainingThroughput(wasm, W2, 256, 4096, 8);
console.log(`W2 train 784-1024-1024-10 batch 256: ${perSecond(w2)}; target ≥ 8,000`);
const latency = batch1Latency(wasm, W1, 2000, 9);
console.log(`W3 predict batch 1:                  ${latency.wall.toFixed(2)} µs (cpu-time ${latency.cpu?.toFixed(2) ?? '?'}); target ≤ 16`);
const throughput = batchThroughput(wasm, W1, 1024, 9);
console.log(`W3 predict batch 1024:               ${perSecond(throughput)}; target ≥ 103,000`);
