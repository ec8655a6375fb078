import { rngKey, rngNormal, rngUniform, Stream } from './rng.js';
import { checkOneOf } from './errors.js';

/**
 * Weight initialisers. They run here, in TypeScript, for every backend and hand the values over with
 * setWeights: one implementation means the same seed gives bit-identical initial weights everywhere.
 * Parameter `index` (its position in getWeights order) picks the generator stream.
 */
export const initializerNames = ['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'zeros', 'ones'] as const;
export type InitializerName = (typeof initializerNames)[number];

export function checkInitializer(argument: string, name: unknown): InitializerName {
  return checkOneOf(argument, name, initializerNames);
}

/** Keras' correction so a normal truncated at 2σ keeps the intended standard deviation. */
const TRUNCATED_STD = 0.87962566103423978;

/** Normal truncated to ±2σ by redrawing (each redraw reads the next block of counters). */
function truncatedNormal(key: number, i: number, size: number): number {
  for (let attempt = 0; ; attempt++) {
    const z = rngNormal(key, i + attempt * size);
    if (Math.abs(z) <= 2) return z;
  }
}

export function initialize(name: InitializerName, shape: number[], seed: number, index: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  // kernel [in, units]: fanIn = in, fanOut = units; a bias has no fan: use its length for both.
  const fanIn = shape.length === 2 ? shape[0]! : size;
  const fanOut = shape.length === 2 ? shape[1]! : size;
  const key = rngKey(seed, Stream.init, index);
  switch (name) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'glorotUniform': {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) out[i] = (2 * rngUniform(key, i) - 1) * limit;
      return out;
    }
    case 'heUniform': {
      const limit = Math.sqrt(6 / fanIn);
      for (let i = 0; i < size; i++) out[i] = (2 * rngUniform(key, i) - 1) * limit;
      return out;
    }
    case 'glorotNormal': {
      const std = Math.sqrt(2 / (fanIn + fanOut)) / TRUNCATED_STD;
      for (let i = 0; i < size; i++) out[i] = truncatedNormal(key, i, size) * std;
      return out;
    }
    case 'heNormal': {
      const std = Math.sqrt(2 / fanIn) / TRUNCATED_STD;
      for (let i = 0; i < size; i++) out[i] = truncatedNormal(key, i, size) * std;
      return out;
    }
  }
}
