/**
 * Little-endian floating-point data in the widths other tools write (PyTorch saves float16, bfloat16 and float64
 * state_dicts as readily as float32), decoded to the float32 that neurite computes in. Rounding to float32 is
 * the only loss; values a float32 cannot hold become ±Infinity, which the loaders' finite-value checks refuse.
 */

export type FloatFormat = 'F32' | 'F16' | 'BF16' | 'F64';

export const BYTES_PER_VALUE: Record<FloatFormat, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** IEEE 754 binary16 bits to a number: sign, 5 exponent bits (bias 15), 10 fraction bits; subnormals below 2^-14. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * `count` values of `format` starting at bytes[start], as float32: into `out` from `offset` when given, else
 * into a fresh array (never a view into `bytes`).
 */
export function decodeFloats(bytes: Uint8Array, start: number, count: number, format: FloatFormat, into?: { out: Float32Array; offset: number }): Float32Array {
  const out = into ? into.out.subarray(into.offset, into.offset + count) : new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, count * BYTES_PER_VALUE[format]);
  switch (format) {
    case 'F32':
      if (littleEndianHost) new Uint8Array(out.buffer, out.byteOffset, 4 * count).set(bytes.subarray(start, start + 4 * count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToNumber(view.getUint16(2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32: shift the bits into place
      const bits = new Uint32Array(out.buffer, out.byteOffset, count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      break;
    }
  }
  return into ? into.out : out;
}

/**
 * The shortest decimal that rounds to the same float32, as numpy prints a float32: 0.15000000596046448 → 0.15.
 * Files store attributes such as a LeakyReLU slope as float32; the number the user wrote is this decimal.
 */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let digits = 1; digits <= 9; digits++) {
    const d = Number(v.toPrecision(digits));
    if (Math.fround(d) === v) return d;
  }
  return v;
}
