// The threaded wasm build in Node: W1/W2 training and W3 batch-1024 inference on 2 threads against 1 thread of
// the same module and against the single-threaded build, alternated round by round (ratios from the same minutes).
// Run: node --import ./bench/lib/register-ts.mjs bench/wasm/threads-bench.ts [rounds] [seconds per measurement]
// (not through run.mjs: a bundle would separate the threaded module from its worker file)
import { createWasmBackend } from '../../src/backends/wasm.js';
import type { ModelSpec } from '../../src/backends/backend.js';
import { describeMachine, machineTag } from '../lib/machine.js';
import { median } from '../lib/measure.js';
import { batchThroughput, trainingThroughput, W1, W2, type Backendish } from './workloads.js';

const rounds = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 3);
const mt = await createWasmBackend('threads');
const st = await createWasmBackend('single');
const withThreads = (threads: number): Backendish => ({ createModel: (spec: ModelSpec) => mt.createModel(spec, { threads }) });
const systems: Record<string, Backendish> = { 'threaded build, 2 threads': withThreads(2), 'threaded build, 1 thread': withThreads(1), 'single-threaded build': st };

const workloads = {
  'W1 training (samples/s)': (b: Backendish) => trainingThroughput(b, W1, 128, 8192, seconds),
  'W2 training (samples/s)': (b: Backendish) => trainingThroughput(b, W2, 256, 2048, seconds),
  'W3 inference, batch 1024 (samples/s)': async (b: Backendish) => batchThroughput(b, W1, 1024, 9),
};

console.log(machineTag(describeMachine()));
console.log(`threaded build: ${mt.threads} threads, kernel ${mt.gemmKernel}; ${rounds} rounds, systems alternated within each round`);
for (const [workload, run] of Object.entries(workloads)) {
  const rates: Record<string, number[]> = Object.fromEntries(Object.keys(systems).map((s) => [s, []]));
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const names = Object.keys(systems);
    const order = r % 2 ? names.reverse() : names;
    for (const name of order) rates[name]!.push((await run(systems[name]!)).wall);
    ratios.push(rates['threaded build, 2 threads']![r]! / rates['threaded build, 1 thread']![r]!);
  }
  console.log(`\n${workload}`);
  for (const [name, list] of Object.entries(rates)) console.log(`  ${name.padEnd(28)} ${Math.round(median(list)).toLocaleString('en-US')}`);
  console.log(`  2 threads / 1 thread: median ${median(ratios).toFixed(2)} (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`);
  const vsSingle = rates['threaded build, 1 thread']!.map((v, i) => v / rates['single-threaded build']![i]!);
  console.log(`  threaded build 1 thread / single-threaded build: median ${median(vsSingle).toFixed(2)}`);
}
