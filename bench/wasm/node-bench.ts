// The wasm engine in Node, one thread: W1/W2 training samples/s, W3 batch-1 latency and batch-1024 samples/s.
// Run: node bench/wasm/run.mjs bench/wasm/node-bench.ts   (a benchmark, not a test: numbers vary with the machine)
import { loadWasmBackend } from '../../src/backends/wasm.js';
import { batch1Latency, batchThroughput, trainingThroughput, W1, W2 } from './workloads.js';

const targets = { w1: 38_000, w2: 8_000, w3Latency: 16, w3Throughput: 103_000 };

const wasm = await loadWasmBackend();
console.log(`wasm backend: simd128=${wasm.simd128}, gemm kernel "${wasm.gemmKernel}", node ${process.version}`);

const w1 = await trainingThroughput(wasm, W1, 128, 8192, 6);
console.log(`W1 train 784-256-128-10 batch 128:   ${Math.round(w1).toLocaleString('en-US')} samples/s (target ≥ ${targets.w1.toLocaleString('en-US')})`);
const w2 = await trainingThroughput(wasm, W2, 256, 4096, 8);
console.log(`W2 train 784-1024-1024-10 batch 256: ${Math.round(w2).toLocaleString('en-US')} samples/s (target ≥ ${targets.w2.toLocaleString('en-US')})`);
const latency = batch1Latency(wasm, W1, 2000, 9);
console.log(`W3 predict batch 1:                  ${latency.toFixed(2)} µs (target ≤ ${targets.w3Latency})`);
const throughput = batchThroughput(wasm, W1, 1024, 9);
console.log(`W3 predict batch 1024:               ${Math.round(throughput).toLocaleString('en-US')} samples/s (target ≥ ${targets.w3Throughput.toLocaleString('en-US')})`);
