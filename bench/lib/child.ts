/**
 * The part of every JavaScript child process that is not about its system: read the start request, set the
 * system up, then answer the orchestrator's commands (lib/protocol.ts) one at a time until told to finish.
 * A system that cannot start (not installed, addon missing) answers "unavailable" with the reason and exits.
 */
import { createInterface } from 'node:readline';
import { loadFashionMnist } from '../../src/data/mnist.js';
import { rngKey, rngUniform } from '../../src/rng.js';
import { peakRssMiB } from './measure.js';
import { DATA_ROWS, type DataKind } from './plan.js';
import { REPLY_PREFIX, type Command, type Reply, type StartRequest, type Task } from './protocol.js';

export const FEATURES = 784;
export const CLASSES = 10;

export interface BenchData {
  /** [count, 784] pixels in [0, 1] */
  x: Float32Array;
  labels: Int32Array;
  count: number;
}

/**
 * Something measured again every round: a model being trained, a model or session answering calls. `run`
 * returns one figure (samples/s, or µs for latency); `amount` is the task's calls or seconds.
 */
export interface Session {
  run(amount: number): Promise<number>;
  dispose(): void;
}

/** One system, as the child loop sees it. Each method builds its own fresh network of the given layer sizes. */
export interface Engine {
  version: string;
  threads?: string;
  notes?: string[];
  /** a model of `sizes` whose run() trains one pass over the first `samples` rows and returns samples/s */
  trainer?(sizes: readonly number[], batch: number, samples: number): Promise<Session>;
  /** a model whose run(calls) returns the median µs of `calls` single batch-1 forward calls, each timed alone */
  latency?(sizes: readonly number[]): Promise<Session>;
  /** a model whose run(seconds) returns forward samples/s at `batch` over that many seconds of calls */
  throughput?(sizes: readonly number[], batch: number): Promise<Session>;
}

export function readStart(): StartRequest {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: <system>.ts <start request JSON> (the suite passes it)');
  return JSON.parse(raw) as StartRequest;
}

let cached: BenchData | undefined;

/** Fashion-MNIST's 60,000 training images, or noise of the same shape for the quick run. */
export function benchData(kind: DataKind): BenchData {
  if (cached) return cached;
  if (kind === 'fashion-mnist') {
    const set = loadFashionMnist().train;
    cached = { x: set.x.data, labels: set.labels, count: set.labels.length };
  } else {
    const count = DATA_ROWS.synthetic;
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

function reply(r: Reply): void {
  process.stdout.write(`${REPLY_PREFIX}${JSON.stringify(r)}\n`);
}

function log(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

async function open(engine: Engine, task: Task, system: string): Promise<Session> {
  const missing = (what: string) => new Error(`${system} has no ${what} (the suite should not have asked)`);
  if (task.kind === 'train') {
    if (!engine.trainer) throw missing('training (inference only)');
    return engine.trainer(task.sizes, task.batch, task.samples);
  }
  if (task.kind === 'latency') {
    if (!engine.latency) throw missing('latency()');
    return engine.latency(task.sizes);
  }
  if (!engine.throughput) throw missing('throughput()');
  return engine.throughput(task.sizes, task.batch);
}

/**
 * The whole life of a child: `setup` returns the system's Engine or throws the reason it is unavailable; it
 * gets the data as a function, loaded on first call (inference-only systems need just a few rows). A failed
 * command is answered with its error; the orchestrator decides what that means for the figures.
 */
export async function runChild(setup: (request: StartRequest, data: () => BenchData) => Promise<Engine>): Promise<void> {
  const request = readStart();
  let engine: Engine;
  try {
    engine = await setup(request, () => benchData(request.data));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    log(`unavailable: ${reason}`);
    reply({ type: 'ready', available: false, reason });
    process.exit(0);
  }
  reply({ type: 'ready', available: true, version: engine.version, threads: engine.threads, notes: engine.notes ?? [] });

  const sessions = new Map<string, Session>();
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const command = JSON.parse(line) as Command;
    if (command.op === 'finish') {
      for (const s of sessions.values()) s.dispose();
      reply({ type: 'done', id: command.id, peakRssMiB: peakRssMiB() });
      break;
    }
    if (command.op === 'release') {
      sessions.get(command.key)?.dispose();
      sessions.delete(command.key);
      reply({ type: 'result', id: command.id, value: 1 });
      continue;
    }
    try {
      const { task } = command;
      let session = sessions.get(task.key);
      if (!session) {
        session = await open(engine, task, request.system);
        sessions.set(task.key, session);
      }
      const value = await session.run(task.kind === 'latency' ? task.calls : task.kind === 'throughput' ? task.seconds : 0);
      if (!(Number.isFinite(value) && value > 0)) throw new Error(`${task.kind} came out as ${value}: expected a finite positive number`);
      reply({ type: 'result', id: command.id, value });
    } catch (e) {
      if (e instanceof Error && e.stack) log(e.stack);
      reply({ type: 'error', id: command.id, error: e instanceof Error ? e.message : String(e) });
    }
  }
  process.exit(0); // a library's timer or worker must not keep a finished child alive
}
