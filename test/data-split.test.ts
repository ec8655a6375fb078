import { describe, expect, it } from 'vitest';
import { permutation, rngKey, Stream } from '../src/rng.js';
import { Tensor } from '../src/tensor.js';
import { loadIris } from '../src/data/iris.js';
import { oneHot } from '../src/data/onehot.js';
import { shuffleArrays, takeRows, trainTestSplit } from '../src/data/split.js';

/** x whose single feature is the row id, and y = 10·id + 1: lets a test see exactly which rows went where. */
function ids(n: number) {
  const x = new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n, 1]);
  const y = new Tensor(Float32Array.from({ length: n }, (_, i) => 10 * i + 1), [n]);
  return { x, y };
}
const idsOf = (t: Tensor) => Array.from(t.data);
const count = (labels: ArrayLike<number>, k: number) => {
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) c[labels[i]!]!++;
  return c;
};

describe('trainTestSplit', () => {
  it('sizes by fraction (rounded up) or by count', () => {
    const { x, y } = ids(10);
    const a = trainTestSplit(x, y, { testSize: 0.3, seed: 1 });
    expect([a.xTrain.shape, a.xTest.shape, a.yTrain.shape, a.yTest.shape]).toEqual([[7, 1], [3, 1], [7], [3]]);
    expect(trainTestSplit(x, y, { testSize: 4 }).xTest.shape).toEqual([4, 1]);
    expect(trainTestSplit(x, y, { testSize: 0.25 }).xTest.shape).toEqual([3, 1]);
    expect(trainTestSplit(ids(100).x, ids(100).y, { testSize: 0.07 }).xTest.shape).toEqual([7, 1]);
  });

  it('partitions the rows and keeps x and y paired', () => {
    const { x, y } = ids(50);
    const s = trainTestSplit(x, y, { testSize: 0.2, seed: 7 });
    const all = [...idsOf(s.xTrain), ...idsOf(s.xTest)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 50 }, (_, i) => i));
    idsOf(s.xTrain).forEach((id, i) => expect(s.yTrain.data[i]).toBe(10 * id + 1));
    idsOf(s.xTest).forEach((id, i) => expect(s.yTest.data[i]).toBe(10 * id + 1));
  });

  it('is a function of the seed: the test rows are the first of permutation(n, rngKey(seed, Stream.data, 0))', () => {
    const { x, y } = ids(40);
    const a = trainTestSplit(x, y, { testSize: 10, seed: 3 });
    const b = trainTestSplit(x, y, { testSize: 10, seed: 3 });
    const c = trainTestSplit(x, y, { testSize: 10, seed: 4 });
    expect(idsOf(a.xTest)).toEqual(idsOf(b.xTest));
    expect(idsOf(a.xTrain)).toEqual(idsOf(b.xTrain));
    expect(idsOf(a.xTest)).not.toEqual(idsOf(c.xTest));
    const order = Array.from(permutation(40, rngKey(3, Stream.data, 0)));
    expect(idsOf(a.xTest)).toEqual(order.slice(0, 10));
    expect(idsOf(a.xTrain)).toEqual(order.slice(10));
    expect(idsOf(trainTestSplit(x, y, { testSize: 10 }).xTest)).toEqual(Array.from(permutation(40, rngKey(0, Stream.data, 0))).slice(0, 10));
  });

  it('without shuffle keeps order and holds out the last rows', () => {
    const { x, y } = ids(6);
    const s = trainTestSplit(x, y, { testSize: 2, shuffle: false });
    expect(idsOf(s.xTrain)).toEqual([0, 1, 2, 3]);
    expect(idsOf(s.xTest)).toEqual([4, 5]);
  });

  it('stratified on Iris: exactly 10/10/10 in a 30-row test set, for labels, one-hot and explicit stratify', () => {
    const iris = loadIris();
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const s = trainTestSplit(iris.x, iris.labels, { testSize: 30, seed, stratify: true });
      expect(s.yTest).toBeInstanceOf(Int32Array);
      expect(count(s.yTest, 3)).toEqual([10, 10, 10]);
      expect(count(s.yTrain, 3)).toEqual([40, 40, 40]);
    }
    const hot = trainTestSplit(iris.x, oneHot(iris.labels, 3), { testSize: 0.2, seed: 5, stratify: true });
    expect(hot.yTest.shape).toEqual([30, 3]);
    const hotLabels = Array.from({ length: 30 }, (_, r) => hot.yTest.data.subarray(r * 3, r * 3 + 3).indexOf(1));
    expect(count(hotLabels, 3)).toEqual([10, 10, 10]);
    const asFloats = trainTestSplit(iris.x, Float32Array.from(iris.labels), { testSize: 30, seed: 5, stratify: true });
    expect(count(asFloats.yTest.data, 3)).toEqual([10, 10, 10]);
    const explicit = trainTestSplit(iris.x, iris.x, { testSize: 30, seed: 5, stratify: iris.labels });
    expect(idsOf(explicit.xTest)).toEqual(idsOf(hot.xTest));
  });

  it('stratified: each class contributes its first rows in permutation order; rounding gives exact totals', () => {
    // Classes of 6, 3 and 1 rows; 5 test rows → shares 3, 1.5, 0.5: floors 3, 1, 0, the spare row goes to the
    // larger of the two tied remainders (class 1).
    const labels = Int32Array.from([0, 0, 1, 0, 2, 0, 1, 0, 1, 0]);
    const { x } = ids(10);
    const s = trainTestSplit(x, labels, { testSize: 5, seed: 11, stratify: true });
    expect(count(s.yTest, 3)).toEqual([3, 2, 0]);
    const order = Array.from(permutation(10, rngKey(11, Stream.data, 0)));
    const expectedTest = order.filter((i, _, all) => {
      const c = labels[i]!;
      const rank = all.filter((j) => labels[j] === c).indexOf(i);
      return rank < [3, 2, 0][c]!;
    });
    expect(idsOf(s.xTest)).toEqual(expectedTest);
    expect(idsOf(s.xTrain)).toEqual(order.filter((i) => !expectedTest.includes(i)));
  });

  it('different seeds give different stratified splits', () => {
    const iris = loadIris();
    const a = trainTestSplit(iris.x, iris.labels, { testSize: 30, seed: 1, stratify: true });
    const b = trainTestSplit(iris.x, iris.labels, { testSize: 30, seed: 2, stratify: true });
    expect(Array.from(a.xTest.data)).not.toEqual(Array.from(b.xTest.data));
  });

  it('rejects bad options with errors naming them', () => {
    const { x, y } = ids(10);
    expect(() => trainTestSplit(x, y, { testSize: 0 })).toThrow(/options.testSize must be a fraction in \(0, 1\) or a row count/);
    expect(() => trainTestSplit(x, y, { testSize: 10 })).toThrow(/gives 10 test rows out of 10/);
    expect(() => trainTestSplit(x, y, { testSize: 0.01 })).not.toThrow();
    expect(() => trainTestSplit(x, y, { testSize: 2.5 })).toThrow(/neither a fraction/);
    expect(() => trainTestSplit(x, y, { seed: -1 })).toThrow(/options.seed: seed must be an integer in \[0, 2\^32\)/);
    expect(() => trainTestSplit(x, y, { stratify: true, shuffle: false })).toThrow(/stratify needs shuffle: true/);
    const halves = Float32Array.from({ length: 10 }, (_, i) => i / 2);
    expect(() => trainTestSplit(x, halves, { stratify: true })).toThrow(/trainTestSplit: y \(stratify\): labels\[1\] is 0.5, expected a non-negative integer/);
    expect(() => trainTestSplit(x, ids(9).y)).toThrow(/x has 10 rows but y has 9/);
    expect(() => trainTestSplit(x, y, { stratify: [0, 1] })).toThrow(/options.stratify has 2 labels for 10 rows/);
  });
});

describe('shuffleArrays', () => {
  it('reorders x and y by permutation(n, rngKey(seed, Stream.data, 0)), same seed same order', () => {
    const { x, y } = ids(13);
    const a = shuffleArrays(x, y, 9);
    const order = Array.from(permutation(13, rngKey(9, Stream.data, 0)));
    expect(idsOf(a.x)).toEqual(order);
    expect(idsOf(a.y)).toEqual(order.map((i) => 10 * i + 1));
    expect(idsOf(shuffleArrays(x, y, 9).x)).toEqual(order);
    expect(idsOf(shuffleArrays(x, y, 10).x)).not.toEqual(order);
    const labels = shuffleArrays(x, Int32Array.from({ length: 13 }, (_, i) => i), 9).y;
    expect(labels).toBeInstanceOf(Int32Array);
    expect(Array.from(labels)).toEqual(order);
  });

  it('keeps trailing dimensions of each sample together', () => {
    const x = new Tensor(Float32Array.from({ length: 24 }, (_, i) => i), [3, 2, 4]);
    const s = shuffleArrays(x, [0, 1, 2], 1);
    expect(s.x.shape).toEqual([3, 2, 4]);
    Array.from(s.y.data).forEach((r, i) => expect(Array.from(s.x.data.subarray(i * 8, i * 8 + 8))).toEqual(Array.from(x.data.subarray(r * 8, r * 8 + 8))));
  });
});

describe('takeRows', () => {
  it('gathers rows and checks indices', () => {
    const x = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [3, 2]);
    expect(takeRows(x, [2, 0]).toArray()).toEqual([[5, 6], [1, 2]]);
    expect(() => takeRows(x, [3])).toThrow(/indices\[0\] is 3, expected an integer row in \[0, 3\)/);
  });
});
