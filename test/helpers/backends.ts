import { it } from 'vitest';
import * as nn from '../../src/index.js';
import type { BackendName } from '../../src/backends/backend.js';

/**
 * The backends the shared suites run on. Every backend listed here must load: a backend that fails to load
 * fails its tests (it is never silently skipped).
 */
export const testedBackends: BackendName[] = ['ts', 'native', 'wasm'];

/** The reference every other backend is held against. */
export const referenceBackend: BackendName = 'ts';

/** The backends held against the reference in test/backend-ops.test.ts. */
export const comparedBackends = testedBackends.filter((b) => b !== referenceBackend);

/**
 * The one exclusion list: a case named here does not run on that backend. Each entry says why. An excluded case
 * is reported as skipped with its reason in its name (never counted as passed), and backend-ops fails on an
 * entry that names no case of its suite. Keep it empty.
 */
export interface Exclusion {
  suite: 'backend-ops' | 'golden';
  backend: BackendName;
  /** the case name exactly as the suite spells it */
  test: string;
  why: string;
}

export const exclusions: Exclusion[] = [];

const looked = new Set<Exclusion>();

export function excluded(suite: Exclusion['suite'], backend: BackendName, test: string): string | undefined {
  const hit = exclusions.find((e) => e.suite === suite && e.backend === backend && e.test === test);
  if (hit) looked.add(hit);
  return hit?.why;
}

/** Entries of `suite` that no case looked up: stale names, which would otherwise exclude nothing unnoticed. */
export function unusedExclusions(suite: Exclusion['suite']): Exclusion[] {
  return exclusions.filter((e) => e.suite === suite && !looked.has(e));
}

/** `it(name, fn)`, or for an excluded case a skipped test whose name carries the reason. */
export function itUnlessExcluded(suite: Exclusion['suite'], backend: BackendName, name: string, fn: () => Promise<void>): void {
  const why = excluded(suite, backend, name);
  if (why === undefined) it(name, fn);
  else it.skip(`${name} [excluded on ${backend}: ${why}]`, fn);
}

export async function prepareBackend(name: BackendName): Promise<void> {
  await nn.ready(name);
}

export interface Tolerance {
  /** relative to |expected| (default 1e-5) */
  rtol?: number;
  /** absolute (default 1e-6); { rtol: 0, atol: 0 } asks for bit-equal values */
  atol?: number;
}

/**
 * The one comparison of the test suites: |actual − expected| ≤ atol + rtol·|expected| elementwise (NaN never
 * passes), throwing with `what`, the first offending index and both values.
 */
export function expectClose(
  what: string,
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  { rtol = 1e-5, atol = 1e-6 }: Tolerance = {},
): void {
  const a = typeof actual === 'number' ? [actual] : actual;
  const b = typeof expected === 'number' ? [expected] : expected;
  if (a.length !== b.length) throw new Error(`${what}: length ${a.length}, expected ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const diff = Math.abs(a[i]! - b[i]!);
    if (!(diff <= atol + rtol * Math.abs(b[i]!))) {
      const at = typeof expected === 'number' ? '' : `[${i}]`;
      throw new Error(`${what}${at}: ${a[i]} vs expected ${b[i]} (|diff| ${diff.toExponential(2)} > ${atol} + ${rtol}·|expected|)`);
    }
  }
}
