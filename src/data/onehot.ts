import { Tensor, type TensorLike } from '../tensor.js';
import { asSamples, sampleSize } from './check.js';

/** Class indices as the data layer hands them out. */
export type Labels = Int32Array;

/**
 * Check that `labels` are integer class indices in [0, numClasses) and return them as an Int32Array
 * (a fresh copy). `name` prefixes the error so the caller's argument is the one named.
 */
export function toLabels(labels: ArrayLike<number>, numClasses: number | undefined, name: string): Labels {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new TypeError(`${name}: expected an array of class indices`);
  }
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (!Number.isInteger(v) || v < 0 || (numClasses !== undefined && v >= numClasses)) {
      const expected = numClasses === undefined ? 'a non-negative integer' : `an integer in [0, ${numClasses})`;
      throw new RangeError(`${name}: labels[${i}] is ${v}, expected ${expected}`);
    }
    out[i] = v;
  }
  return out;
}

/** One-hot rows: [n, numClasses] with a 1 at each label's index, for categoricalCrossentropy targets. */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`oneHot: numClasses must be a positive integer, got ${String(numClasses)}`);
  }
  const checked = toLabels(labels, numClasses, 'oneHot');
  const out = new Float32Array(checked.length * numClasses);
  for (let i = 0; i < checked.length; i++) out[i * numClasses + checked[i]!] = 1;
  return new Tensor(out, [checked.length, numClasses]);
}

/**
 * Index of the largest value of each row (the first one on ties, as the accuracy metric counts it): turns
 * softmax outputs or one-hot targets back into class indices. A row holding NaN keeps the first non-NaN max.
 */
export function argMax(x: TensorLike): Int32Array {
  const t = asSamples(x, 'argMax: x');
  if (t.shape.length < 2) {
    throw new RangeError(`argMax: expected rows [samples, classes], got shape [${t.shape.join(', ')}]`);
  }
  const rows = t.shape[0]!;
  const cols = sampleSize(t);
  if (cols === 0) throw new RangeError(`argMax: rows of x are empty (shape [${t.shape.join(', ')}])`);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let best = 0;
    let bestValue = t.data[base]!;
    for (let c = 1; c < cols; c++) {
      const v = t.data[base + c]!;
      if (v > bestValue || (Number.isNaN(bestValue) && !Number.isNaN(v))) {
        best = c;
        bestValue = v;
      }
    }
    out[r] = best;
  }
  return out;
}
