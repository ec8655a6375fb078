import { Tensor, type TensorLike } from '../tensor.js';
import { asSamples, assertFinite, finiteMatrix } from './check.js';

/**
 * Feature scaling. A fitted scaler is plain numbers (min/max or mean/std per column) so that a saved model can
 * carry the statistics of its training set and apply exactly them to new data: refitting on test data would leak
 * it into the model and shift every feature.
 *
 * Statistics are computed in float64 and results rounded once to float32.
 */

/** x · factor elementwise, any shape: `scale(pixels, 1 / 255)` maps bytes to [0, 1]. */
export function scale(x: TensorLike, factor: number): Tensor {
  if (typeof factor !== 'number' || !Number.isFinite(factor)) {
    throw new RangeError(`scale: factor must be a finite number, got ${String(factor)}`);
  }
  const t = asSamples(x, 'scale: x');
  const cols = t.shape.length >= 2 ? t.size / t.shape[0]! : 1;
  assertFinite(t.data, cols, 'scale: x');
  const out = new Float32Array(t.size);
  for (let i = 0; i < out.length; i++) out[i] = t.data[i]! * factor;
  return new Tensor(out, [...t.shape]);
}

export interface MinMaxScalerStats {
  kind: 'minMax';
  /** per-column minimum and maximum of the data the scaler was fitted on */
  min: number[];
  max: number[];
  /** output interval: min maps to range[0], max to range[1] */
  range: [number, number];
}

export interface StandardScalerStats {
  kind: 'standard';
  mean: number[];
  /**
   * Per-column population standard deviation (divisor n), used as the divisor. A column that was constant in
   * the fitted data stores 1 (scikit-learn's convention): it transforms to 0 instead of 0/0 = NaN.
   */
  std: number[];
}

export type ScalerStats = MinMaxScalerStats | StandardScalerStats;

export interface ScalerTransforms {
  /** Apply the stored statistics to x [rows, columns] (a flat array is one or more rows of `columns` values). */
  transform(x: TensorLike): Tensor;
  /** Undo transform (e.g. to report predictions of a scaled regression target in original units). */
  inverseTransform(x: TensorLike): Tensor;
}

/** The fitted statistics plus transforms. JSON.stringify of it gives exactly the stats (see toJSON). */
export type FittedMinMaxScaler = MinMaxScalerStats & ScalerTransforms & { toJSON(): MinMaxScalerStats };
export type FittedStandardScaler = StandardScalerStats & ScalerTransforms & { toJSON(): StandardScalerStats };

/** Per-column minimum and maximum (float64) of a finite [rows, cols] matrix. */
function columnMinMax(m: Tensor): { min: number[]; max: number[] } {
  const [rows, cols] = m.shape as [number, number];
  const min = new Array<number>(cols).fill(Infinity);
  const max = new Array<number>(cols).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = m.data[r * cols + c]!;
      if (v < min[c]!) min[c] = v;
      if (v > max[c]!) max[c] = v;
    }
  }
  return { min, max };
}

function fitMatrix(x: TensorLike, name: string): Tensor {
  const m = finiteMatrix(x, name);
  if (m.shape[0] === 0) throw new RangeError(`${name}: needs at least one row to fit statistics`);
  return m;
}

/** Apply out = (v - shift[c]) * mul[c] + add[c] column-wise, after checking width and finiteness. */
function affineColumns(x: TensorLike, name: string, shift: number[], mul: number[], add: number[]): Tensor {
  const cols = shift.length;
  const m = finiteMatrix(x, name, cols);
  if (m.shape[1] !== cols) {
    throw new RangeError(`${name}: the scaler was fitted on ${cols} columns, x has ${m.shape[1]}`);
  }
  const out = new Float32Array(m.size);
  for (let i = 0; i < out.length; i++) {
    const c = i % cols;
    out[i] = (m.data[i]! - shift[c]!) * mul[c]! + add[c]!;
  }
  return new Tensor(out, [...m.shape]);
}

function checkStatArray(values: unknown, what: string, length?: number): number[] {
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
    throw new TypeError(`${what}: expected a non-empty array of finite numbers`);
  }
  if (length !== undefined && values.length !== length) {
    throw new RangeError(`${what}: has ${values.length} values, expected ${length} (one per column)`);
  }
  return [...(values as number[])];
}

function checkRange(range: unknown, what: string): [number, number] {
  if (
    !Array.isArray(range) ||
    range.length !== 2 ||
    !range.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    !(range[0] < range[1])
  ) {
    throw new RangeError(`${what}: expected [low, high] finite numbers with low < high, got ${JSON.stringify(range)}`);
  }
  return [range[0], range[1]];
}

function fittedMinMax(stats: MinMaxScalerStats): FittedMinMaxScaler {
  const { min, max, range } = stats;
  const [lo, hi] = range;
  // A constant column has span 0; dividing by 1 instead maps its fitted value to `lo` (scikit-learn does the same).
  const toUnit = min.map((v, c) => (max[c]! - v === 0 ? 1 : max[c]! - v));
  const mul = toUnit.map((s) => (hi - lo) / s);
  const inverseMul = toUnit.map((s) => s / (hi - lo));
  return {
    kind: 'minMax',
    min,
    max,
    range,
    transform: (x) => affineColumns(x, 'minMaxScaler.transform: x', min, mul, min.map(() => lo)),
    inverseTransform: (x) => affineColumns(x, 'minMaxScaler.inverseTransform: x', min.map(() => lo), inverseMul, min),
    toJSON: () => ({ kind: 'minMax', min: [...min], max: [...max], range: [lo, hi] }),
  };
}

function fittedStandard(stats: StandardScalerStats): FittedStandardScaler {
  const { mean, std } = stats;
  const zeros = mean.map(() => 0);
  return {
    kind: 'standard',
    mean,
    std,
    transform: (x) => affineColumns(x, 'standardScaler.transform: x', mean, std.map((s) => 1 / s), zeros),
    inverseTransform: (x) => affineColumns(x, 'standardScaler.inverseTransform: x', zeros, std, mean),
    toJSON: () => ({ kind: 'standard', mean: [...mean], std: [...std] }),
  };
}

export interface MinMaxScalerOptions {
  /** where the fitted min and max land (default [0, 1]) */
  range?: [number, number];
}

/** Rescale every column linearly so its fitted min/max land on `range` (default [0, 1]). */
export function minMaxScaler(options: MinMaxScalerOptions = {}): {
  fit(x: TensorLike): FittedMinMaxScaler;
  fromJSON(stats: MinMaxScalerStats): FittedMinMaxScaler;
} {
  const range = checkRange(options.range ?? [0, 1], 'minMaxScaler: options.range');
  return {
    fit(x) {
      const { min, max } = columnMinMax(fitMatrix(x, 'minMaxScaler.fit: x'));
      return fittedMinMax({ kind: 'minMax', min, max, range });
    },
    fromJSON: (stats) => restoreMinMax(stats),
  };
}

/** Center every column on its fitted mean and divide by its fitted standard deviation. */
export function standardScaler(): {
  fit(x: TensorLike): FittedStandardScaler;
  fromJSON(stats: StandardScalerStats): FittedStandardScaler;
} {
  return {
    fit(x) {
      const m = fitMatrix(x, 'standardScaler.fit: x');
      const [rows, cols] = m.shape as [number, number];
      const mean = new Array<number>(cols).fill(0);
      for (let i = 0; i < m.size; i++) mean[i % cols]! += m.data[i]!;
      for (let c = 0; c < cols; c++) mean[c]! /= rows;
      // Two passes: Σ(v - mean)² does not cancel catastrophically the way Σv² - n·mean² does.
      const sq = new Array<number>(cols).fill(0);
      for (let i = 0; i < m.size; i++) {
        const d = m.data[i]! - mean[i % cols]!;
        sq[i % cols]! += d * d;
      }
      // Float32 values sum exactly in float64 (for fewer than 2^29 rows), so a constant column gets a variance of
      // exactly 0 here, never a rounding residue: comparing with 0 is the right test for "constant".
      const std = sq.map((s) => (s === 0 ? 1 : Math.sqrt(s / rows)));
      return fittedStandard({ kind: 'standard', mean, std });
    },
    fromJSON: (stats) => restoreStandard(stats),
  };
}

function restoreMinMax(stats: MinMaxScalerStats): FittedMinMaxScaler {
  const min = checkStatArray(stats?.min, 'minMaxScaler.fromJSON: stats.min');
  const max = checkStatArray(stats.max, 'minMaxScaler.fromJSON: stats.max', min.length);
  min.forEach((v, c) => {
    if (v > max[c]!) throw new RangeError(`minMaxScaler.fromJSON: column ${c} has min ${v} > max ${max[c]}`);
  });
  const range = checkRange(stats.range ?? [0, 1], 'minMaxScaler.fromJSON: stats.range');
  return fittedMinMax({ kind: 'minMax', min, max, range });
}

function restoreStandard(stats: StandardScalerStats): FittedStandardScaler {
  const mean = checkStatArray(stats?.mean, 'standardScaler.fromJSON: stats.mean');
  const std = checkStatArray(stats.std, 'standardScaler.fromJSON: stats.std', mean.length);
  std.forEach((s, c) => {
    if (!(s > 0)) throw new RangeError(`standardScaler.fromJSON: stats.std[${c}] is ${s}; it must be > 0`);
  });
  return fittedStandard({ kind: 'standard', mean, std });
}

/** Rebuild a fitted scaler from its JSON (as stored in a saved model), whichever kind it is. */
export function scalerFromJSON(stats: ScalerStats): FittedMinMaxScaler | FittedStandardScaler {
  if (stats?.kind === 'minMax') return restoreMinMax(stats);
  if (stats?.kind === 'standard') return restoreStandard(stats);
  throw new TypeError(`scalerFromJSON: stats.kind must be 'minMax' or 'standard', got ${JSON.stringify((stats as { kind?: unknown })?.kind)}`);
}
