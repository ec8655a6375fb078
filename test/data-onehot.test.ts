import { describe, expect, it } from 'vitest';
import { argMax, oneHot } from '../src/data/onehot.js';
import { Tensor } from '../src/tensor.js';

describe('oneHot', () => {
  it('puts a single 1 at each label', () => {
    const t = oneHot([2, 0, 1, 2], 3);
    expect(t.shape).toEqual([4, 3]);
    expect(t.toArray()).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(oneHot(Int32Array.from([0]), 1).toArray()).toEqual([[1]]);
    expect(oneHot(new Uint8Array([9]), 10).toArray()[0]![9]).toBe(1);
    expect(oneHot([], 4).shape).toEqual([0, 4]);
  });

  it('names the offending index and value', () => {
    expect(() => oneHot([0, 1, 3], 3)).toThrow(/oneHot: labels\[2\] is 3, expected an integer in \[0, 3\)/);
    expect(() => oneHot([-1], 3)).toThrow(/labels\[0\] is -1/);
    expect(() => oneHot([0, 1.5], 3)).toThrow(/labels\[1\] is 1.5/);
    expect(() => oneHot([NaN], 3)).toThrow(/labels\[0\] is NaN/);
    expect(() => oneHot([0], 0)).toThrow(/numClasses must be a positive integer, got 0/);
    expect(() => oneHot([0], 2.5)).toThrow(/numClasses must be a positive integer/);
  });
});

describe('argMax', () => {
  it('returns the index of each row maximum, the first one on ties', () => {
    const x = new Tensor(Float32Array.from([0.1, 0.7, 0.2, 5, 5, 1, -3, -2, -1, 0, 0, 0]), [4, 3]);
    expect(Array.from(argMax(x))).toEqual([1, 0, 2, 0]);
    expect(Array.from(argMax([[NaN, 1, 2]]))).toEqual([2]);
  });

  it('inverts oneHot', () => {
    const labels = Int32Array.from({ length: 37 }, (_, i) => (i * 7) % 5);
    expect(Array.from(argMax(oneHot(labels, 5)))).toEqual(Array.from(labels));
  });

  it('needs rows', () => {
    expect(() => argMax([1, 2, 3])).toThrow(/argMax: expected rows \[samples, classes\], got shape \[3\]/);
    expect(() => argMax(new Tensor(new Float32Array(0), [2, 0]))).toThrow(/rows of x are empty/);
  });
});
