// The native finite check (nrt_first_non_finite, vectorised and threaded) against the TypeScript reference
// firstNonFinite, on odd and round sizes, and the Model API using it for native models.
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { nativeAddon } from '../src/backends/native.js';
import { firstNonFinite } from '../src/errors.js';
import { rngKey, rngUniform } from '../src/rng.js';

const addon = nativeAddon() as unknown as { firstNonFinite(data: Float32Array, threads: number): number };

describe('nrt_first_non_finite', () => {
  it.each([1, 7, 13, 255, 256, 4096, 4097, 300_001, 1 << 20])('agrees with firstNonFinite on %i values', (n) => {
    const key = rngKey(n, 1, 2);
    const x = Float32Array.from({ length: n }, (_, i) => (rngUniform(key, i) - 0.5) * 1e30);
    for (const threads of [1, 2, 3]) expect(addon.firstNonFinite(x, threads)).toBe(-1);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of new Set([0, Math.floor(n / 2), n - 1, Math.floor(rngUniform(key, n) * n)])) {
        const y = x.slice();
        y[at] = bad;
        if (at + 3 < n) y[n - 1] = NaN; // a later one must not win
        const expected = firstNonFinite(y);
        expect(expected).toBe(at);
        for (const threads of [1, 2, 3]) expect(addon.firstNonFinite(y, threads)).toBe(expected);
      }
    }
  });

  it('rejects arguments that are not a Float32Array and a thread count', () => {
    expect(() => (addon.firstNonFinite as (...a: unknown[]) => number)(new Float64Array(3), 1)).toThrow(/firstNonFinite\(data: Float32Array, threads: number\)/);
    expect(() => (addon.firstNonFinite as (...a: unknown[]) => number)(new Float32Array(3))).toThrow(/Float32Array/);
  });

  it('is the scan a native model gives the Model API', () => {
    const model = nn.sequential([nn.dense(2, { inputShape: [3] })], { backend: 'native' });
    const engine = (model as unknown as { engine: { firstNonFinite?: (d: Float32Array) => number } }).engine;
    expect(engine.firstNonFinite?.(new Float32Array([0, 1, NaN]))).toBe(2);
  });
});
