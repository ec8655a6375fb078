import { firstNonFinite } from '../errors.js';
import { Tensor, tensor, toTensor2d, type TensorLike } from '../tensor.js';

/**
 * Input checks shared by the data helpers. They exist so that a bad value is reported where it entered, with
 * its row and column, instead of surfacing epochs later as a NaN loss.
 */

/** A Tensor whose first dimension counts samples (any rank >= 1); nested arrays and flat arrays are accepted. */
export function asSamples(x: TensorLike, name: string): Tensor {
  let t: Tensor;
  if (x instanceof Tensor) t = x;
  else if (Array.isArray(x) || x instanceof Float32Array) t = tensor(x as number[]);
  else throw new TypeError(`${name}: expected a Tensor, nested arrays or a Float32Array`);
  if (t.shape.length === 0) throw new RangeError(`${name}: expected at least one dimension (samples first), got a scalar`);
  return t;
}

/** Number of values per sample (product of every dimension after the first). */
export function sampleSize(t: Tensor): number {
  return t.shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Throws on the first NaN or ±Infinity, naming x[row][col] of a [rows, cols] view of the data. */
export function assertFinite(data: ArrayLike<number>, cols: number, name: string): void {
  const i = firstNonFinite(data);
  if (i < 0) return;
  const where = cols > 0 ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
  throw new RangeError(`${name}: value at ${where} is ${data[i]}; every value must be a finite number`);
}

/**
 * A 2-D [rows, cols] tensor of finite values: the shape every column-wise helper works on. A flat array is read
 * as rows of `cols` values (one column when cols is not given), as toTensor2d does.
 */
export function finiteMatrix(x: TensorLike, name: string, cols?: number): Tensor {
  const m = toTensor2d(x, name, cols);
  assertFinite(m.data, m.shape[1]!, name);
  return m;
}
