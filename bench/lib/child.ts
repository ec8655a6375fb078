/**
 * The part of every JavaScript child process that is not about its system: read the request, load the data,
 * run the workloads the plan names through the system's Engine, calibrate the scaling grid, write the result.
 * A system that cannot start (not installed, addon missing) is written back as unavailable with the reason.
 */
import { writeFileSync } from 'node:fs';
import { loadFashionMnist } from '../../src/data/mnist.js';
import { rngKey, rngUniform } from '../../src/rng.js';
import { median, peakRssMiB } from './measure.js';
import { describeSamples, scalingSizes, W1, W2, W3, type Workload } from './plan.js';
import type { ChildRequest, Figure, ScalingCell, SystemResult } from './protocol.js';

export const FEATURES = 784;
export const CLASSES = 10;

export interface BenchData {
  /** [count, 784] pixels in [0, 1] */
  x: Float32Array;
  labels: Int32Array;
  count: number;
}

/** One system, as the driver sees it. Every method builds its own fresh network of the given layer sizes. */
export interface Engine {
  version: string;
  threads?: string;
  notes?: string[];
  /** training samples/s of each of `passes` passes (epochs) over the first `samples` rows */
  train?(sizes: readonly number[], batch: number, samples: number, passes: number): Promise<number[]>;
  /** batch-1 forward latency in µs: per run, the median of `calls` single calls */
  latency?(sizes: readonly number[], calls: number, runs: number): Promise<number[]>;
  /** forward samples/s at `batch`, per run `seconds` of back-to-back calls */
  throughput?(sizes: readonly number[], batch: number, seconds: number, runs: number): Promise<number[]>;
}

export function readRequest(): ChildRequest {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: <system>.ts <request JSON> (the suite passes it)');
  return JSON.parse(raw) as ChildRequest;
}

let cached: BenchData | undefined;

/** Fashion-MNIST's 60,000 training images, or noise of the same shape for the smoke run. */
export function benchData(kind: ChildRequest['data']): BenchData {
  if (cached) return cached;
  if (kind === 'fashion-mnist') {
    const set = loadFashionMnist().train;
    cached = { x: set.x.data, labels: set.labels, count: set.labels.length };
  } else {
    const count = 4096;
    const key = rngKey(3, 77, 0);
    const x = new Float32Array(count * FEATURES);
    for (let i = 0; i < x.length; i++) x[i] = rngUniform(key, i);
    const labels = new Int32Array(count);
    for (let r = 0; r < count; r++) labels[r] = r % CLASSES;
    cached = { x, labels, count };
  }
  return cached;
}

/** One-hot rows of `labels` (for the systems that take no class indices). */
export function oneHot(labels: Int32Array, count: number): Float32Array {
  const y = new Float32Array(count * CLASSES);
  for (let r = 0; r < count; r++) y[r * CLASSES + labels[r]!] = 1;
  return y;
}

function figure(runs: number[], detail: string): Figure {
  if (runs.length === 0 || runs.some((v) => !(Number.isFinite(v) && v > 0))) {
    throw new Error(`a measurement came out as ${JSON.stringify(runs)}: expected finite positive numbers`);
  }
  return { median: median(runs), runs, detail };
}

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

async function measure(engine: Engine, request: ChildRequest, data: BenchData, result: SystemResult): Promise<void> {
  const { plan } = request;
  const rows = (samples: number, batch: number) => {
    // the whole data set when asked for it, else a whole number of batches that fits in it (smoke: less)
    if (samples <= data.count && (samples === data.count || samples % batch === 0 || samples < batch)) return samples;
    return Math.max(batch, Math.floor(Math.min(samples, data.count) / batch) * batch);
  };
  /** measured runs after the warm-up ones */
  const passes = (sizes: readonly number[], batch: number, samples: number, count: number) => {
    if (!engine.train) throw new Error(`${request.system} cannot train (inference only) but training was requested`);
    return engine.train(sizes, batch, samples, count);
  };
  /** measured runs after the warm-up ones */
  const train = async (sizes: readonly number[], batch: number, samples: number) =>
    (await passes(sizes, batch, samples, plan.warmup + plan.runs)).slice(plan.warmup);
  const figures: Partial<Record<Workload, Figure>> = {};
  for (const w of request.workloads) {
    if (w === 'w1' || w === 'w2') {
      const spec = w === 'w1' ? W1 : W2;
      const samples = rows(w === 'w1' ? plan.w1Samples : plan.w2Samples, spec.batch);
      const runs = await train(spec.sizes, spec.batch, samples);
      figures[w] = figure(runs, `${describeSamples(samples, spec.batch)}, batch ${spec.batch}`);
    } else if (w === 'w3Latency') {
      if (!engine.latency) throw new Error('w3Latency requested from a system without latency()');
      figures[w] = figure(await engine.latency(W3.sizes, plan.w3Calls, plan.runs), `median of ${plan.w3Calls.toLocaleString('en-US')} single calls per run`);
    } else {
      if (!engine.throughput) throw new Error('w3Throughput requested from a system without throughput()');
      figures[w] = figure(await engine.throughput(W3.sizes, W3.largeBatch, plan.w3Seconds, plan.runs), `${plan.w3Seconds} s of batch-${W3.largeBatch} calls per run`);
    }
    const f = figures[w]!;
    log(`${w}: ${f.median.toPrecision(4)} (${f.runs.map((v) => v.toPrecision(4)).join(', ')}) — ${f.detail}`);
  }
  result.figures = figures;

  if (request.scaling) {
    const cells: ScalingCell[] = [];
    for (const hidden of plan.scalingHidden) {
      for (const batch of plan.scalingBatches) {
        const sizes = scalingSizes(hidden);
        // a short first pass tells how many batches make a run of about plan.scalingSeconds
        const probe = rows(batch * Math.max(2, Math.ceil(plan.scalingProbe / batch)), batch);
        const [rate] = await passes(sizes, batch, probe, 1);
        const batches = Math.max(2, Math.round((rate! * plan.scalingSeconds) / batch));
        const samples = rows(batches * batch, batch);
        const runs = await train(sizes, batch, samples);
        const cell = { hidden, batch, samples, ...figure(runs, '') };
        cells.push({ hidden: cell.hidden, batch: cell.batch, median: cell.median, runs: cell.runs, samples });
        log(`scaling 784-${hidden}-${hidden / 2}-10 batch ${batch}: ${cell.median.toPrecision(4)} samples/s`);
      }
    }
    result.scaling = cells;
  }
}

/**
 * The whole life of a child: `setup` returns the system's Engine or throws the reason it is unavailable; it
 * gets the data as a function, loaded on first call (inference-only systems need just a few rows).
 * Failures after set-up are errors, not "unavailable": they make the child exit non-zero.
 */
export async function runChild(setup: (request: ChildRequest, data: () => BenchData) => Promise<Engine>): Promise<void> {
  const request = readRequest();
  const started = performance.now();
  const result: SystemResult = { id: request.system, available: false, notes: [], figures: {} };
  let engine: Engine;
  try {
    engine = await setup(request, () => benchData(request.data));
  } catch (e) {
    result.reason = e instanceof Error ? e.message : String(e);
    writeFileSync(request.out, JSON.stringify(result, null, 2));
    log(`unavailable: ${result.reason}`);
    return;
  }
  result.available = true;
  result.version = engine.version;
  result.threads = engine.threads;
  result.notes = engine.notes ?? [];
  await measure(engine, request, benchData(request.data), result);
  result.peakRssMiB = peakRssMiB();
  result.wallSeconds = (performance.now() - started) / 1000;
  writeFileSync(request.out, JSON.stringify(result, null, 2));
}
