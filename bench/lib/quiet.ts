/**
 * Waiting for the other systems to go quiet before a run. Thread pools keep spinning after their work is done, so
 * that the next call finds them awake: PyTorch's OpenBLAS workers keep a core busy for about 130 ms after the last
 * product (measured on this machine kind), onnxruntime's intra-op pool spins, so does neurite's. Alternation puts
 * another system's run right after each of those calls, and a 2-thread run would then share one of its two cores
 * with a spinning thread of the system before it. Before each run the orchestrator waits until no child process has
 * used CPU for one window, so every system is measured as it would run alone.
 *
 * CPU time is read per thread from /proc/PID/task/TID/schedstat (nanoseconds; /proc/PID/stat counts 10 ms ticks).
 * Where there is no /proc (not Linux), nothing waits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './measure.js';

/** Nanoseconds of CPU the process's threads have run so far, or 0 if it has gone (or there is no /proc). */
export function processCpuNs(pid: number): number {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  let total = 0;
  for (const tid of tids) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read: its time left with it
    }
  }
  return total;
}

export interface QuietOptions {
  /** a window is quiet when all the processes together used less than `idleShare` of one core during it */
  windowMs: number;
  idleShare: number;
  /** give up (and say so) after this long: another user's load on a shared machine is not ours to wait out */
  maxMs: number;
}

export const QUIET: QuietOptions = { windowMs: 20, idleShare: 0.05, maxMs: 2000 };

export interface QuietWait {
  waitedMs: number;
  quiet: boolean;
}

/** Waits until the processes `pids` stay (nearly) idle for one window, or until `maxMs`. */
export async function untilQuiet(pids: readonly number[], options: QuietOptions = QUIET): Promise<QuietWait> {
  const started = performance.now();
  const cpu = () => pids.reduce((sum, pid) => sum + processCpuNs(pid), 0);
  let before = cpu();
  for (;;) {
    const windowStart = performance.now();
    await sleep(options.windowMs);
    const after = cpu();
    const windowNs = (performance.now() - windowStart) * 1e6;
    const waitedMs = performance.now() - started;
    if (after - before < options.idleShare * windowNs) return { waitedMs, quiet: true };
    if (waitedMs >= options.maxMs) return { waitedMs, quiet: false };
    before = after;
  }
}

/** What the waits of one suite came to, for the report. */
export interface QuietSummary {
  runs: number;
  /** runs whose wait ended because the children were quiet (the others gave up at maxMs) */
  quietRuns: number;
  medianWaitMs: number;
  maxWaitMs: number;
  options: QuietOptions;
}

export class QuietLog {
  private readonly waits: QuietWait[] = [];
  constructor(readonly options: QuietOptions = QUIET) {}

  async wait(pids: readonly number[]): Promise<void> {
    this.waits.push(await untilQuiet(pids, this.options));
  }

  summary(): QuietSummary | undefined {
    if (!this.waits.length) return undefined;
    const ms = this.waits.map((w) => w.waitedMs);
    return {
      runs: ms.length,
      quietRuns: this.waits.filter((w) => w.quiet).length,
      medianWaitMs: median(ms),
      maxWaitMs: Math.max(...ms),
      options: this.options,
    };
  }
}
