/**
 * Shared by the native-*.test.ts files: specs built the way the Model API builds them, deterministic data from
 * the library's own generator, and the native backend (whose absence fails the tests instead of skipping them).
 */
import { expect } from 'vitest';
import type { ActivationName, Backend, ModelSpec } from '../src/backends/backend.js';
import { loadNativeBackend, nativeUnavailableReason } from '../src/backends/native.js';
import { rngKey, rngUniform } from '../src/rng.js';
import { makeSpec as makeSharedSpec } from './wasm-helpers.js';

export function nativeBackend(): Backend {
  const backend = loadNativeBackend();
  if (!backend) throw new Error(`the native backend must be available for these tests: ${nativeUnavailableReason()}`);
  return backend;
}

export type LayerDraft =
  | { units: number; activation?: ActivationName; alpha?: number; useBias?: boolean; l2?: number }
  | { dropout: number };

/** The wasm tests' spec builder (test/wasm-helpers.ts), with this file's `{ units }` spelling. */
export function makeSpec(inputSize: number, drafts: LayerDraft[], seed = 7): ModelSpec {
  return makeSharedSpec(inputSize, drafts.map((d) => ('dropout' in d ? d : { ...d, dense: d.units })), seed);
}

/** n values in [lo, hi) from the counter-based generator. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const key = rngKey(seed, 97, 0);
  return Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * rngUniform(key, i));
}

/** Initial weights for a spec (Glorot-ish scale), the same for every backend. */
export function initialWeights(spec: ModelSpec, seed = 1): Float32Array[] {
  const out: Float32Array[] = [];
  let p = 0;
  for (const layer of spec.layers) {
    if (layer.kind !== 'dense') continue;
    const scale = Math.sqrt(6 / (layer.inputSize + layer.units));
    out.push(uniform(layer.inputSize * layer.units, seed * 1000 + p++, -scale, scale));
    if (layer.useBias) out.push(uniform(layer.units, seed * 1000 + p++, -0.1, 0.1));
  }
  return out;
}

export function oneHot(rows: number, classes: number, seed: number): Float32Array {
  const y = new Float32Array(rows * classes);
  const key = rngKey(seed, 96, 0);
  for (let r = 0; r < rows; r++) y[r * classes + Math.floor(rngUniform(key, r) * classes)] = 1;
  return y;
}

export function labelsOf(y: Float32Array, rows: number, classes: number): Float32Array {
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < classes; c++) if (y[r * classes + c] === 1) labels[r] = c;
  return labels;
}

/** |a − b| ≤ atol + rtol·|b| elementwise, naming the first offending index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 1e-5, atol = 1e-6): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
      throw new Error(`${what}[${i}]: ${a} vs expected ${b} (|diff| ${Math.abs(a - b).toExponential(2)})`);
    }
  }
}
