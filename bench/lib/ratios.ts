/**
 * Ratios from alternated runs: one ratio per round (both values measured in the same round, moments apart),
 * then their median, with the smallest and largest as the spread. A ratio of two medians taken at different
 * times would mix the machine's drift into the comparison.
 */
import { median } from './measure.js';

export interface PairedRatio {
  median: number;
  min: number;
  max: number;
  /** round pairs it is computed from */
  pairs: number;
}

/**
 * How many times better `a` is than `b`, round by round: a/b for rates, b/a when lower is better (latency).
 * Undefined when either is missing or their rounds do not pair up (a system that failed part-way).
 */
export function pairedRatio(a: readonly number[] | undefined, b: readonly number[] | undefined, lowerIsBetter = false): PairedRatio | undefined {
  if (!a || !b || a.length === 0 || a.length !== b.length) return undefined;
  const ratios = a.map((x, i) => (lowerIsBetter ? b[i]! / x : x / b[i]!));
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), pairs: ratios.length };
}

/** Each run as a share of a fixed bound (the FMA bound, measured once in the run). */
export function shareOf(runs: readonly number[] | undefined, bound: number | undefined, lowerIsBetter = false): PairedRatio | undefined {
  if (!runs || runs.length === 0 || !bound) return undefined;
  return pairedRatio(runs, runs.map(() => bound), lowerIsBetter);
}

function times(r: number): string {
  return r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toFixed(3);
}

/** "1.23× (1.10–1.35)": the median ratio, then the range over the round pairs */
export function formatRatio(r: PairedRatio | undefined): string {
  if (!r) return '—';
  return r.pairs > 1 ? `${times(r.median)}× (${times(r.min)}–${times(r.max)})` : `${times(r.median)}×`;
}

/** "61 % (58–63)" */
export function formatShare(r: PairedRatio | undefined): string {
  if (!r) return '—';
  const pct = (v: number) => (100 * v).toFixed(0);
  return r.pairs > 1 ? `${pct(r.median)} % (${pct(r.min)}–${pct(r.max)})` : `${pct(r.median)} %`;
}
