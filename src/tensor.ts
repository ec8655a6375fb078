/** A minimal tensor: row-major Float32Array data and a shape. Enough for a feed-forward network's API. */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: number[];

  constructor(data: Float32Array, shape: number[]) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new RangeError(`tensor: data has ${data.length} values but shape [${shape.join(', ')}] needs ${size}`);
    }
    this.data = data;
    this.shape = shape;
  }

  get size(): number {
    return this.data.length;
  }

  /** Rows of a 2-D tensor as nested arrays (handy for printing and tests). */
  toArray(): number[][] {
    if (this.shape.length !== 2) throw new Error(`toArray: needs a 2-D tensor, got shape [${this.shape.join(', ')}]`);
    const [rows, cols] = this.shape as [number, number];
    const out: number[][] = [];
    for (let r = 0; r < rows; r++) out.push(Array.from(this.data.subarray(r * cols, (r + 1) * cols)));
    return out;
  }
}

/** What the Model API accepts as data: a Tensor, nested rows, a flat array, or a typed array of labels. */
export type TensorLike = Tensor | number[] | number[][] | Float32Array | Int32Array | Uint8Array;

/** Nested rows into one Float32Array (set row by row: no intermediate number[] for 60,000 × 784 inputs). */
function flatten(values: number[] | number[][]): { flat: ArrayLike<number>; shape: number[] } {
  if (values.length > 0 && Array.isArray(values[0])) {
    const rows = values as number[][];
    const cols = rows[0]!.length;
    const flat = new Float32Array(rows.length * cols);
    rows.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== cols) {
        throw new RangeError(`tensor: row ${r} has ${Array.isArray(row) ? row.length : 'no'} values, expected ${cols}`);
      }
      flat.set(row, r * cols);
    });
    return { flat, shape: [rows.length, cols] };
  }
  return { flat: values as number[], shape: [values.length] };
}

/** `tensor(data, shape?)`: from a flat array/Float32Array with a shape, or from nested rows. */
export function tensor(data: ArrayLike<number> | number[][], shape?: number[]): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (data instanceof Float32Array || ArrayBuffer.isView(data)) {
    flat = data as ArrayLike<number>;
    inferred = [flat.length];
  } else if (Array.isArray(data)) {
    const f = flatten(data as number[] | number[][]);
    flat = f.flat;
    inferred = f.shape;
  } else {
    throw new TypeError('tensor: data must be an array, nested rows or a Float32Array');
  }
  const finalShape = shape ?? inferred;
  if (!Array.isArray(finalShape) || finalShape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new TypeError(`tensor: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  const arr = flat instanceof Float32Array ? flat : Float32Array.from(flat);
  return new Tensor(arr, [...finalShape]);
}

/** Accept a Tensor, nested rows or a flat array and return a 2-D tensor [rows, cols] (cols given for flat input). */
export function toTensor2d(x: TensorLike, name: string, cols?: number): Tensor {
  let t: Tensor;
  if (x instanceof Tensor) t = x;
  else if (Array.isArray(x) || x instanceof Float32Array) t = tensor(x as number[]);
  else throw new TypeError(`${name}: expected a Tensor, nested arrays or a Float32Array`);
  if (t.shape.length === 1) {
    const c = cols ?? 1;
    if (t.size % c !== 0) throw new RangeError(`${name}: ${t.size} values do not split into rows of ${c}`);
    return new Tensor(t.data, [t.size / c, c]);
  }
  if (t.shape.length !== 2) throw new RangeError(`${name}: expected a 2-D tensor [samples, features], got shape [${t.shape.join(', ')}]`);
  return t;
}
