import { describe, expect, it } from 'vitest';
import { tensor, Tensor } from '../src/tensor.js';
import { minMaxScaler, scale, scalerFromJSON, standardScaler } from '../src/data/normalize.js';
import { loadIris } from '../src/data/iris.js';
import { expectClose } from './helpers/backends.js';

const rows = (t: Tensor) => t.toArray();

describe('scale', () => {
  it('multiplies every value by the factor and keeps the shape', () => {
    const out = scale(new Tensor(Float32Array.from([0, 51, 255, 127.5, 10, 20]), [2, 3]), 1 / 255);
    expect(out.shape).toEqual([2, 3]);
    expectClose('scaled', rows(out).flat(), [[0, 0.2, 1], [0.5, 10 / 255, 20 / 255]].flat(), { rtol: 0, atol: 5e-7 });
    expect(Array.from(scale([1, 2, 3], 2).data)).toEqual([2, 4, 6]);
  });

  it('rejects a non-finite factor and non-finite values, naming row and column', () => {
    expect(() => scale([[1, 2]], NaN)).toThrow(/scale: factor must be a finite number, got NaN/);
    expect(() => scale([[1, 2], [3, Infinity]], 2)).toThrow(/scale: x: value at row 1, column 1 is Infinity/);
  });
});

describe('minMaxScaler', () => {
  const x = [[1, 10, 4], [3, 20, 4], [5, 30, 4]];

  it('maps each column min..max onto [0, 1], a constant column to 0 (not NaN)', () => {
    const s = minMaxScaler().fit(x);
    expect(s.min).toEqual([1, 10, 4]);
    expect(s.max).toEqual([5, 30, 4]);
    expectClose('transform', rows(s.transform(x)).flat(), [[0, 0, 0], [0.5, 0.5, 0], [1, 1, 0]].flat(), { rtol: 0, atol: 5e-6 });
  });

  it('applies the stored training statistics to new data (no refit)', () => {
    const s = minMaxScaler().fit(x);
    // (7-1)/4 = 1.5, (0-10)/20 = -0.5, (5-4)/1 = 1 (constant column divides by 1)
    expectClose('transform', rows(s.transform([[7, 0, 5]])).flat(), [[1.5, -0.5, 1]].flat(), { rtol: 0, atol: 5e-6 });
    // a flat array is read as rows of the fitted width
    expectClose('transform', rows(s.transform([7, 0, 5, 1, 10, 4])).flat(), [[1.5, -0.5, 1], [0, 0, 0]].flat(), { rtol: 0, atol: 5e-6 });
  });

  it('honours a custom range and inverts', () => {
    const s = minMaxScaler({ range: [-1, 1] }).fit(x);
    expectClose('transform', rows(s.transform(x)).flat(), [[-1, -1, -1], [0, 0, -1], [1, 1, -1]].flat(), { rtol: 0, atol: 5e-6 });
    expectClose('inverse of transform', rows(s.inverseTransform(s.transform([[2, 25, 4]]))).flat(), [[2, 25, 4]].flat(), { rtol: 0, atol: 5e-6 });
    expect(() => minMaxScaler({ range: [1, 1] })).toThrow(/options.range/);
  });

  it('round-trips through JSON', () => {
    const s = minMaxScaler({ range: [0, 2] }).fit(x);
    const json = JSON.parse(JSON.stringify(s));
    expect(json).toEqual({ kind: 'minMax', min: [1, 10, 4], max: [5, 30, 4], range: [0, 2] });
    const restored = scalerFromJSON(json);
    expect(Array.from(restored.transform([[2, 12, 3]]).data)).toEqual(Array.from(s.transform([[2, 12, 3]]).data));
    expect(Array.from(minMaxScaler().fromJSON(json).transform([[5, 30, 4]]).data)).toEqual([2, 2, 0]);
  });

  it('rejects NaN, empty input and the wrong width with clear errors', () => {
    expect(() => minMaxScaler().fit([[1, 2], [NaN, 3]])).toThrow(/minMaxScaler.fit: x: value at row 1, column 0 is NaN/);
    expect(() => minMaxScaler().fit(new Tensor(new Float32Array(0), [0, 3]))).toThrow(/at least one row/);
    const s = minMaxScaler().fit(x);
    expect(() => s.transform([[1, 2]])).toThrow(/fitted on 3 columns, x has 2/);
    expect(() => s.transform([[1, 2, -Infinity]])).toThrow(/minMaxScaler.transform: x: value at row 0, column 2 is -Infinity/);
    expect(() => scalerFromJSON({ kind: 'minMax', min: [2], max: [1], range: [0, 1] })).toThrow(/column 0 has min 2 > max 1/);
  });
});

describe('standardScaler', () => {
  const x = [[1, 5, -2], [2, 5, 0], [3, 5, 2], [4, 5, 4]];

  it('computes population mean and std by hand, constant columns dividing by 1', () => {
    const s = standardScaler().fit(x);
    expect(s.mean).toEqual([2.5, 5, 1]);
    // col 0: deviations ±1.5, ±0.5 → var (2.25+0.25+0.25+2.25)/4 = 1.25; col 2: ±3, ±1 → var 5
    expect(s.std[0]).toBeCloseTo(Math.sqrt(1.25), 12);
    expect(s.std[1]).toBe(1);
    expect(s.std[2]).toBeCloseTo(Math.sqrt(5), 12);
    const r = Math.sqrt(1.25);
    expectClose('transform', rows(s.transform(x)).flat(), [
      [-1.5 / r, 0, -3 / Math.sqrt(5)],
      [-0.5 / r, 0, -1 / Math.sqrt(5)],
      [0.5 / r, 0, 1 / Math.sqrt(5)],
      [1.5 / r, 0, 3 / Math.sqrt(5)],
    ].flat(), { rtol: 0, atol: 5e-6 });
  });

  it('applies stored statistics to test data', () => {
    const s = standardScaler().fit(x);
    expectClose('transform', rows(s.transform([[6.5, 7, 1]])).flat(), [[4 / Math.sqrt(1.25), 2, 0]].flat(), { rtol: 0, atol: 5e-6 });
    expectClose('inverse of transform', rows(s.inverseTransform(s.transform([[6.5, 7, 1]]))).flat(), [[6.5, 7, 1]].flat(), { rtol: 0, atol: 5e-6 });
  });

  it('treats a long column of one non-representable value (0.1) as constant: std 1, output 0', () => {
    const v = Math.fround(0.1);
    const data = new Float32Array(3001 * 2);
    for (let r = 0; r < 3001; r++) {
      data[2 * r] = v;
      data[2 * r + 1] = r;
    }
    const s = standardScaler().fit(new Tensor(data, [3001, 2]));
    expect(s.std[0]).toBe(1);
    const out = s.transform(new Tensor(data, [3001, 2])).data;
    for (let r = 0; r < 3001; r++) expect(out[2 * r]).toBe(0);
  });

  it('standardises Iris to mean 0, std 1 per column', () => {
    const { x: iris } = loadIris();
    const s = standardScaler().fit(iris);
    expect(s.mean.map((m) => m.toFixed(3))).toEqual(['5.843', '3.057', '3.758', '1.199']);
    const z = s.transform(iris).data;
    for (let c = 0; c < 4; c++) {
      let sum = 0;
      let sq = 0;
      for (let r = 0; r < 150; r++) sum += z[r * 4 + c]!;
      for (let r = 0; r < 150; r++) sq += (z[r * 4 + c]! - sum / 150) ** 2;
      expect(sum / 150).toBeCloseTo(0, 5);
      expect(Math.sqrt(sq / 150)).toBeCloseTo(1, 5);
    }
  });

  it('round-trips through JSON and validates restored stats', () => {
    const s = standardScaler().fit(x);
    const json = JSON.parse(JSON.stringify(s));
    expect(Object.keys(json).sort()).toEqual(['kind', 'mean', 'std']);
    const restored = scalerFromJSON(json);
    expect(Array.from(restored.transform([[0, 1, 2]]).data)).toEqual(Array.from(s.transform([[0, 1, 2]]).data));
    expect(() => scalerFromJSON({ kind: 'standard', mean: [0, 1], std: [1, 0] })).toThrow(/stats.std\[1\] is 0/);
    expect(() => scalerFromJSON({ kind: 'standard', mean: [0, 1], std: [1] })).toThrow(/has 1 values, expected 2/);
    expect(() => scalerFromJSON({ kind: 'robust' } as never)).toThrow(/stats.kind must be 'minMax' or 'standard'/);
  });

  it('rejects non-finite inputs naming row and column', () => {
    expect(() => standardScaler().fit(tensor([[1, 2], [3, 4], [5, NaN]]))).toThrow(/standardScaler.fit: x: value at row 2, column 1 is NaN/);
    const s = standardScaler().fit(x);
    expect(() => s.transform([[1, 2, 3], [Infinity, 0, 0]])).toThrow(/standardScaler.transform: x: value at row 1, column 0 is Infinity/);
  });
});
