/**
 * Shared by the native-*.test.ts files: specs built the way the Model API builds them, deterministic data from
 * the library's own generator, and the native backend (whose absence fails the tests instead of skipping them).
 */
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
