import { permutation, rngKey, Stream } from '../rng.js';
import { checkOptions, type OptionKeys } from '../errors.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { asSamples, sampleSize } from './check.js';
import { argMax, toLabels, type Labels } from './onehot.js';

/**
 * Seeded splitting and shuffling of (x, y) pairs. Every random choice comes from one permutation,
 * permutation(n, rngKey(seed, Stream.data, 0)), so a split is a pure function of (data size, options) and the
 * same in every backend and on every machine.
 */

export interface TrainTestSplitOptions {
  /** fraction of the rows in (0, 1) (rounded up, as scikit-learn does) or a row count >= 1; default 0.25 */
  testSize?: number;
  /** u32 seed; default 0 */
  seed?: number;
  /**
   * Keep class proportions in both parts. `true` takes the classes from y (integer labels, a 1-D tensor of
   * integer values, or one-hot rows via argMax); an array gives the class of each row explicitly.
   */
  stratify?: boolean | ArrayLike<number>;
  /** false: no shuffling, the last rows are the test set (cannot be combined with stratify); default true */
  shuffle?: boolean;
}

export const trainTestSplitOptionKeys: OptionKeys<TrainTestSplitOptions> = { testSize: true, seed: true, stratify: true, shuffle: true };

export interface TrainTestSplit<Y> {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Y;
  yTest: Y;
}

/** Targets: a Tensor (rows first; nested or flat arrays are converted) or integer class labels. */
type Targets = TensorLike | Labels;

function checkSeed(seed: unknown, name: string): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`${name}: seed must be an integer in [0, 2^32), got ${String(seed)}`);
  }
  return seed;
}

/** Rows `indices` of a tensor whose first dimension counts samples. */
export function takeRows(x: Tensor, indices: ArrayLike<number>): Tensor {
  const width = sampleSize(x);
  const rows = x.shape[0]!;
  const out = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    if (!Number.isInteger(r) || r < 0 || r >= rows) {
      throw new RangeError(`takeRows: indices[${i}] is ${r}, expected an integer row in [0, ${rows})`);
    }
    out.set(x.data.subarray(r * width, (r + 1) * width), i * width);
  }
  return new Tensor(out, [indices.length, ...x.shape.slice(1)]);
}

function takeLabels(labels: Labels, indices: ArrayLike<number>): Labels {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = labels[indices[i]!]!;
  return out;
}

/** x as a samples-first tensor and y as labels or a tensor, both checked to hold the same number of rows. */
function pairRows(x: TensorLike, y: Targets, name: string): { xs: Tensor; ys: Tensor | Labels; rows: number } {
  const xs = asSamples(x, `${name}: x`);
  const ys = y instanceof Int32Array ? y : asSamples(y, `${name}: y`);
  const rows = xs.shape[0]!;
  const yRows = ys instanceof Int32Array ? ys.length : ys.shape[0]!;
  if (yRows !== rows) throw new RangeError(`${name}: x has ${rows} rows but y has ${yRows}`);
  return { xs, ys, rows };
}

function pick<Y>(ys: Tensor | Labels, indices: ArrayLike<number>): Y {
  return (ys instanceof Int32Array ? takeLabels(ys, indices) : takeRows(ys, indices)) as Y;
}

function resolveTestCount(testSize: unknown, rows: number): number {
  if (typeof testSize !== 'number' || !Number.isFinite(testSize) || testSize <= 0) {
    throw new RangeError(`trainTestSplit: options.testSize must be a fraction in (0, 1) or a row count >= 1, got ${String(testSize)}`);
  }
  let count: number;
  if (testSize < 1) {
    // toPrecision drops float noise first: 0.07 * 100 is 7.000000000000001, which must not round up to 8.
    count = Math.ceil(Number((testSize * rows).toPrecision(12)));
  } else {
    if (!Number.isInteger(testSize)) {
      throw new RangeError(`trainTestSplit: options.testSize ${testSize} is neither a fraction in (0, 1) nor a whole row count`);
    }
    count = testSize;
  }
  if (count < 1 || count > rows - 1) {
    throw new RangeError(
      `trainTestSplit: options.testSize ${testSize} gives ${count} test rows out of ${rows}; both parts need at least one row`,
    );
  }
  return count;
}

function stratifyLabels(stratify: true | ArrayLike<number>, ys: Tensor | Labels, rows: number): Labels {
  if (stratify !== true) {
    const labels = toLabels(stratify, undefined, 'trainTestSplit: options.stratify');
    if (labels.length !== rows) {
      throw new RangeError(`trainTestSplit: options.stratify has ${labels.length} labels for ${rows} rows`);
    }
    return labels;
  }
  if (ys instanceof Int32Array) return toLabels(ys, undefined, 'trainTestSplit: y (stratify)');
  if (ys.shape.length === 1 || sampleSize(ys) === 1) return toLabels(ys.data, undefined, 'trainTestSplit: y (stratify)');
  return argMax(new Tensor(ys.data, [rows, sampleSize(ys)]));
}

/**
 * How many test rows each class gets: its share of testCount, floored, then the rows still missing go to the
 * largest remainders (ties: larger class, then lower class index) so the total is exactly testCount.
 */
function testCountsPerClass(labels: Labels, testCount: number): number[] {
  const classCount: number[] = [];
  for (const c of labels) classCount[c] = (classCount[c] ?? 0) + 1;
  const n = labels.length;
  const counts = Array.from(classCount, (k = 0) => Math.floor((testCount * k) / n));
  const missing = testCount - counts.reduce((a, b) => a + b, 0);
  const order = Array.from(classCount, (k = 0, c) => ({ c, k, rest: (testCount * k) % n }))
    .filter((e) => e.k > 0)
    .sort((a, b) => b.rest - a.rest || b.k - a.k || a.c - b.c);
  for (let i = 0; i < missing; i++) counts[order[i]!.c]!++;
  return counts;
}

/**
 * Split (x, y) into a training and a test part. Deterministic for a given seed. Both parts come out in the order
 * of the seeded permutation (classes interleaved), so they can be trained on without another shuffle.
 * y keeps its kind: labels (Int32Array) give labels, anything else gives a Tensor.
 */
export function trainTestSplit(x: TensorLike, y: Labels, options?: TrainTestSplitOptions): TrainTestSplit<Labels>;
export function trainTestSplit(x: TensorLike, y: TensorLike, options?: TrainTestSplitOptions): TrainTestSplit<Tensor>;
export function trainTestSplit(
  x: TensorLike,
  y: Targets,
  options?: TrainTestSplitOptions,
): TrainTestSplit<Tensor | Labels> {
  const o = checkOptions('trainTestSplit: options', options, trainTestSplitOptionKeys);
  const { xs, ys, rows } = pairRows(x, y, 'trainTestSplit');
  const testCount = resolveTestCount(o.testSize ?? 0.25, rows);
  const seed = checkSeed(o.seed ?? 0, 'trainTestSplit: options.seed');
  const shuffle = o.shuffle ?? true;
  if (typeof shuffle !== 'boolean') throw new TypeError(`trainTestSplit: options.shuffle must be a boolean, got ${String(shuffle)}`);
  const stratify = o.stratify ?? false;

  let testIdx: Uint32Array;
  let trainIdx: Uint32Array;
  if (!shuffle) {
    if (stratify !== false) throw new RangeError('trainTestSplit: options.stratify needs shuffle: true');
    const all = Uint32Array.from({ length: rows }, (_, i) => i);
    trainIdx = all.subarray(0, rows - testCount);
    testIdx = all.subarray(rows - testCount);
  } else {
    const order = permutation(rows, rngKey(seed, Stream.data, 0));
    if (stratify === false) {
      testIdx = order.subarray(0, testCount);
      trainIdx = order.subarray(testCount);
    } else {
      // Each class takes its first rows in permutation order: the permutation restricted to one class is itself a
      // uniform permutation of that class, so this is a per-class shuffle drawn from the single seeded key.
      const labels = stratifyLabels(stratify, ys, rows);
      const quota = testCountsPerClass(labels, testCount);
      testIdx = new Uint32Array(testCount);
      trainIdx = new Uint32Array(rows - testCount);
      let t = 0;
      let r = 0;
      for (const i of order) {
        const c = labels[i]!;
        if (quota[c]! > 0) {
          quota[c]!--;
          testIdx[t++] = i;
        } else {
          trainIdx[r++] = i;
        }
      }
    }
  }
  return { xTrain: takeRows(xs, trainIdx), xTest: takeRows(xs, testIdx), yTrain: pick(ys, trainIdx), yTest: pick(ys, testIdx) };
}

/** x and y reordered by the same seeded permutation (rows stay paired). */
export function shuffleArrays(x: TensorLike, y: Labels, seed: number): { x: Tensor; y: Labels };
export function shuffleArrays(x: TensorLike, y: TensorLike, seed: number): { x: Tensor; y: Tensor };
export function shuffleArrays(x: TensorLike, y: Targets, seed: number): { x: Tensor; y: Tensor | Labels } {
  const { xs, ys, rows } = pairRows(x, y, 'shuffleArrays');
  const order = permutation(rows, rngKey(checkSeed(seed, 'shuffleArrays'), Stream.data, 0));
  return { x: takeRows(xs, order), y: pick(ys, order) };
}
