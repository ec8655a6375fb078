import * as nn from '../../src/index.js';
import type { BackendName } from '../../src/backends/backend.js';

/**
 * The backends the shared suites run on. Every backend listed here must load: a backend that fails to load
 * fails its tests (it is never silently skipped).
 */
export const testedBackends: BackendName[] = ['ts', 'native', 'wasm'];

/** Per-backend exclusions: test name → why it cannot run there (as tfjs's setup_test.ts does). Keep it short. */
export const exclusions: Record<BackendName, Record<string, string>> = {
  ts: {},
  native: {},
  wasm: {},
};

export function excluded(backend: BackendName, test: string): string | undefined {
  return exclusions[backend][test];
}

export async function prepareBackend(name: BackendName): Promise<void> {
  await nn.ready(name);
}

/** |a − b| ≤ atol + rtol·|b| elementwise, with the first offending index in the message. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5, atol = 1e-6, what = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} ≠ ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
      throw new Error(`${what}[${i}]: ${a} vs expected ${b} (|diff| ${Math.abs(a - b).toExponential(2)} > ${atol} + ${rtol}·|expected|)`);
    }
  }
}
