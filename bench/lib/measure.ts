/** Timing helpers every JavaScript system uses the same way. */
import { readFileSync } from 'node:fs';

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Median µs of `calls` calls of `fn`, each timed on its own (hrtime costs ~0.1 µs, small next to a
 * forward pass; timing calls one by one keeps a GC pause or a scheduler hiccup out of the median).
 */
export async function medianCallMicros(fn: (i: number) => unknown, calls: number): Promise<number> {
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    const r = fn(i);
    if (r instanceof Promise) await r;
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  return median(Array.from(times));
}

/** Samples/s of back-to-back calls of `fn` (each handles `batch` samples) for about `seconds`. */
export async function rateFor(fn: () => unknown, batch: number, seconds: number): Promise<number> {
  let samples = 0;
  const start = performance.now();
  do {
    const r = fn();
    if (r instanceof Promise) await r;
    samples += batch;
  } while (performance.now() - start < seconds * 1000);
  return samples / ((performance.now() - start) / 1000);
}

/** Peak resident set of this process in MiB (VmHWM; maxRSS where /proc is missing). */
export function peakRssMiB(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}
