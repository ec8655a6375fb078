/**
 * Inverted dropout, forward and backward. Shapes: x, out, mask, upstream, dx are [rows, units] row-major.
 *
 *   forward   mask[e] = keep(e) ? scale : 0,  out = x ⊙ mask        (training only; identity at inference)
 *   backward  dx = upstream ⊙ mask
 *
 * keep(e) for element e = row·units + col of the batch: (rngU32(key, e) >>> 8) >= threshold, with
 * key = dropoutKey(seed, layerIndex, step). The mask is a pure function of (seed, layer, step, e), which is
 * how the native and WASM cores draw the very same units without sharing generator state.
 */
import { rngU32 } from '../../rng.js';
import type { Floats } from './floats.js';

/** 1/(1−rate) rounded to f32, as every backend multiplies by it. */
export function dropoutScale(rate: number): number {
  return Math.fround(1 / (1 - rate));
}

export function dropoutForward(
  x: Floats, out: Floats, mask: Floats, count: number, key: number, threshold: number, scale: number,
): void {
  for (let e = 0; e < count; e++) {
    const keep = rngU32(key, e) >>> 8 >= threshold;
    mask[e] = keep ? scale : 0;
    out[e] = keep ? x[e]! * scale : 0;
  }
}

export function dropoutBackward(upstream: Floats, mask: Floats, dx: Floats, count: number): void {
  for (let e = 0; e < count; e++) dx[e] = upstream[e]! * mask[e]!;
}
