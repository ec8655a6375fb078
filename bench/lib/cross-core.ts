/**
 * How far apart the two CPUs are: the round trip of one cache line between two threads (this one and a worker),
 * each spinning until the other has answered. On a 2-vCPU VM the hypervisor places the vCPUs where it likes, and
 * the place changes: two cores sharing an L3 pass a line in about 100-200 ns, cores on different CCDs (or a vCPU
 * time-sliced with another guest) take several times longer, and then every parallel region of a 2-thread step pays
 * for the data its threads hand each other. The suite measures it before every stage, so a 2-thread speed-up can
 * be read next to the distance it was measured at (seen on one AMD EPYC Zen 5 VM within an hour: 136 to 479 ns,
 * with W1's 2-thread speed-up 1.7x at the first and 1.2-1.3x at the second).
 */
import { Worker } from 'node:worker_threads';
import { median } from './measure.js';

const WORKER = `
const { workerData } = require('node:worker_threads');
const flag = new Int32Array(workerData.buffer);
const n = workerData.trips;
Atomics.store(flag, 1, 1); // ready
for (let i = 0; i < n; i++) {
  while (Atomics.load(flag, 0) !== 2 * i + 1) {}
  Atomics.store(flag, 0, 2 * i + 2);
}`;

/** Nanoseconds per round trip, the median of `probes` probes of `trips` round trips each. */
export async function crossCoreRoundTripNs(trips = 50_000, probes = 3): Promise<number> {
  const results: number[] = [];
  for (let p = 0; p < probes; p++) {
    const buffer = new SharedArrayBuffer(128);
    const flag = new Int32Array(buffer);
    const worker = new Worker(WORKER, { eval: true, workerData: { buffer, trips } });
    const exited = new Promise<void>((resolve, reject) => {
      worker.once('exit', () => resolve());
      worker.once('error', reject);
    });
    // wait (without blocking the event loop, which starts the worker) until the worker is spinning
    while (Atomics.load(flag, 1) !== 1) await new Promise((r) => setTimeout(r, 1));
    const t0 = performance.now();
    for (let i = 0; i < trips; i++) {
      Atomics.store(flag, 0, 2 * i + 1);
      while (Atomics.load(flag, 0) !== 2 * i + 2) {}
    }
    results.push(((performance.now() - t0) * 1e6) / trips);
    await exited;
  }
  return median(results);
}
