// Shared by the wasm tests below the Model API: model specs and deterministic data (comparisons: helpers/backends.ts).
import type { ActivationName, LayerSpec, ModelSpec } from '../src/backends/backend.js';
import { weightShapes } from '../src/backends/backend.js';
import { initialize } from '../src/initializers.js';
import { dropoutThreshold, rngKey, rngUniform } from '../src/rng.js';

export type LayerShorthand =
  | { dense: number; activation?: ActivationName; l2?: number; useBias?: boolean; alpha?: number }
  | { dropout: number };

/** A ModelSpec from a compact list, sizes chained as the Model API would. */
export function makeSpec(inputSize: number, layers: LayerShorthand[], seed = 7): ModelSpec {
  let width = inputSize;
  const out: LayerSpec[] = layers.map((l) => {
    if ('dropout' in l) return { kind: 'dropout', units: width, rate: l.dropout, threshold: dropoutThreshold(l.dropout) };
    const spec: LayerSpec = {
      kind: 'dense',
      inputSize: width,
      units: l.dense,
      activation: l.activation ?? 'linear',
      alpha: l.alpha ?? 0.3,
      useBias: l.useBias ?? true,
      l2: l.l2 ?? 0,
    };
    width = l.dense;
    return spec;
  });
  return { inputSize, layers: out, seed };
}

/** Glorot-uniform kernels (as the Model API makes them) and small nonzero biases, so biases matter too. */
export function initialWeights(spec: ModelSpec): Float32Array[] {
  return weightShapes(spec).map((shape, i) =>
    shape.length === 2 ? initialize('glorotUniform', shape, spec.seed, i) : uniform(shape[0]!, spec.seed + i, -0.1, 0.1),
  );
}

/** Uniform values in [lo, hi) from the shared RNG: the same data in Node and in the page. */
export function uniform(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const key = rngKey(seed, 99, 0);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rngUniform(key, i);
  return out;
}

/** One-hot rows for `count` samples of `classes` classes; labels (as floats) too. */
export function classes(count: number, classCount: number, seed: number): { oneHot: Float32Array; labels: Float32Array } {
  const key = rngKey(seed, 98, 0);
  const oneHot = new Float32Array(count * classCount);
  const labels = new Float32Array(count);
  for (let r = 0; r < count; r++) {
    const c = Math.floor(rngUniform(key, r) * classCount);
    labels[r] = c;
    oneHot[r * classCount + c] = 1;
  }
  return { oneHot, labels };
}
