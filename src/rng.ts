/**
 * The counter-based random generator every backend shares.
 *
 * Why counter-based: a value is a pure function of (seed, stream, counter), so the TypeScript backend,
 * the C++ core and the WASM build produce the same shuffles and dropout masks bit for bit, without
 * carrying generator state across the boundary. Only 32-bit integer multiply/xor/shift is used, which
 * JavaScript (Math.imul) and C++ (uint32_t) compute identically. The C++ twin is native/src/core/rng.h.
 *
 *   hash32(x)           lowbias32 (C. Wellons): a bijection on u32 with good avalanche
 *   rngKey(seed, a, b)  = hash32(hash32(hash32(seed ^ 0x6e657572) ^ a) ^ b)
 *   rngU32(key, i)      = hash32(hash32((i + key) mod 2^32) ^ key)
 *   rngUniform(key, i)  = (rngU32(key, i) >>> 8) * 2^-24          in [0, 1), exact in f32
 */

export function hash32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

export function rngKey(seed: number, a: number, b: number): number {
  return hash32(hash32(hash32((seed ^ 0x6e657572) >>> 0) ^ (a >>> 0)) ^ (b >>> 0));
}

export function rngU32(key: number, i: number): number {
  return hash32(hash32((i + key) >>> 0) ^ key);
}

export function rngUniform(key: number, i: number): number {
  return (rngU32(key, i) >>> 8) * 5.960464477539063e-8; // 2^-24
}

/** Stream ids: what a key is for. `b` is the layer index, epoch or step as each says. */
export const Stream = {
  /** initial weights: b = parameter index (kernel/bias of each dense layer, in getWeights order) */
  init: 1,
  /** per-epoch shuffle of the training set: b = epoch */
  shuffle: 2,
  /** dropout mask: key = rngKey(seed, dropout + layerIndex * 65536... ) see dropoutKey */
  dropout: 3,
  /** data helpers (trainTestSplit, shuffle of arrays): b = 0 */
  data: 4,
} as const;

/** Dropout key of layer `layer` at training step `step` (steps count batches trained since compile). */
export function dropoutKey(seed: number, layer: number, step: number): number {
  return rngKey(seed, Stream.dropout + ((layer & 0xffff) << 16), step);
}

/**
 * Integer keep-threshold for dropout: a unit is kept when (rngU32 >>> 8) >= threshold.
 * Computed once in JS and handed to every backend, so no float comparison can differ between them.
 */
export function dropoutThreshold(rate: number): number {
  return Math.round(rate * 16777216);
}

/** Fisher–Yates permutation of 0..n-1 from key; j = floor(u32 * (i + 1) / 2^32) is exact in f64 and u64. */
export function permutation(n: number, key: number): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((rngU32(key, i) * (i + 1)) / 4294967296);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Standard normal from two uniforms (Box–Muller). Only used by initialisers, which run in TS for all backends. */
export function rngNormal(key: number, i: number): number {
  const u1 = 1 - rngUniform(key, 2 * i); // (0, 1]: log stays finite
  const u2 = rngUniform(key, 2 * i + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
