/**
 * The array type every TS kernel reads and writes.
 *
 * Training only ever passes Float32Array (one element type keeps V8's compiled kernels monomorphic);
 * Float64Array is accepted so the gradient checks can run the very same code in double precision.
 */
export type Floats = Float32Array | Float64Array;

/** Makes the buffers of a network: Float32Array in the backend, Float64Array in gradient checks. */
export type FloatsFactory = (length: number) => Floats;

export const float32s: FloatsFactory = (length) => new Float32Array(length);
export const float64s: FloatsFactory = (length) => new Float64Array(length);
