import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadIris } from '../src/data/iris.js';
import { parseCsv } from '../src/data/csv.js';

const row = (x: Float32Array, r: number) => Array.from(x.subarray(r * 4, r * 4 + 4));
const f32 = (values: number[]) => values.map(Math.fround);

describe('loadIris', () => {
  it('has 150 rows of 4 measurements, 50 per species in canonical order', () => {
    const iris = loadIris();
    expect(iris.x.shape).toEqual([150, 4]);
    expect(iris.labels.length).toBe(150);
    expect(iris.classNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(iris.featureNames).toEqual(['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
    for (let r = 0; r < 150; r++) expect(iris.labels[r]).toBe(Math.floor(r / 50));
  });

  it('matches well-known rows, including the two the UCI file has wrong', () => {
    const { x } = loadIris();
    expect(row(x.data, 0)).toEqual(f32([5.1, 3.5, 1.4, 0.2]));
    expect(row(x.data, 34)).toEqual(f32([4.9, 3.1, 1.5, 0.2])); // UCI: petal width 0.1
    expect(row(x.data, 37)).toEqual(f32([4.9, 3.6, 1.4, 0.1])); // UCI: 4.9,3.1,1.5,0.1
    expect(row(x.data, 50)).toEqual(f32([7.0, 3.2, 4.7, 1.4]));
    expect(row(x.data, 100)).toEqual(f32([6.3, 3.3, 6.0, 2.5]));
    expect(row(x.data, 149)).toEqual(f32([5.9, 3.0, 5.1, 1.8]));
  });

  it('has the published column sums and means', () => {
    const { x } = loadIris();
    const sums = [0, 0, 0, 0];
    for (let i = 0; i < 600; i++) sums[i % 4]! += Math.round(x.data[i]! * 10);
    // In tenths: exact integers, so no float tolerance is needed (R: colSums(iris) = 876.5 458.6 563.7 179.9).
    expect(sums).toEqual([8765, 4586, 5637, 1799]);
    expect(sums.map((s) => (s / 1500).toFixed(3))).toEqual(['5.843', '3.057', '3.758', '1.199']);
  });

  it('returns fresh arrays each call', () => {
    const a = loadIris();
    a.x.data[0] = 99;
    a.labels[0] = 2;
    a.classNames[0] = 'changed';
    const b = loadIris();
    expect(b.x.data[0]).toBe(Math.fround(5.1));
    expect(b.labels[0]).toBe(0);
    expect(b.classNames[0]).toBe('setosa');
  });

  it('data/iris.csv holds exactly the embedded table', () => {
    const csv = parseCsv(readFileSync(new URL('../data/iris.csv', import.meta.url), 'utf8'), { target: 'species' });
    const iris = loadIris();
    expect(csv.featureNames).toEqual(iris.featureNames);
    expect(csv.classNames).toEqual(iris.classNames);
    expect(csv.x.shape).toEqual([150, 4]);
    expect(Array.from(csv.x.data)).toEqual(Array.from(iris.x.data));
    expect(Array.from(csv.labels!)).toEqual(Array.from(iris.labels));
  });
});
