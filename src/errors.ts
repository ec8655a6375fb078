/** Errors that name the argument at fault and what was expected. */

export class NeuriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NeuriteError';
  }
}

export function fail(argument: string, expected: string, got?: unknown): never {
  const gotText = got === undefined ? '' : `, got ${describe(got)}`;
  throw new NeuriteError(`${argument}: expected ${expected}${gotText}`);
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return typeof v === 'object' ? `an object (${Object.keys(v as object).slice(0, 5).join(', ')})` : typeof v;
}

export function checkPositiveInt(argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) fail(argument, 'a positive integer', v);
  return v;
}

/** An integer in [lo, hi]. */
export function checkIntInRange(argument: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) fail(argument, `an integer in [${lo}, ${hi}]`, v);
  return v;
}

export function checkPositive(argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(argument, 'a finite number > 0', v);
  return v;
}

/** v in [lo, hi) unless inclusive flags say otherwise */
export function checkRange(argument: string, v: unknown, lo: number, hi: number, hiInclusive = false): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= lo && (hiInclusive ? v <= hi : v < hi);
  if (!ok) fail(argument, `a number in [${lo}, ${hi}${hiInclusive ? ']' : ')'}`, v);
  return v as number;
}

export function checkOneOf<T extends string>(argument: string, v: unknown, names: readonly T[]): T {
  if (typeof v !== 'string' || !names.includes(v as T)) fail(argument, `one of ${names.map((n) => `'${n}'`).join(', ')}`, v);
  return v as T;
}

/**
 * Index of the first NaN or ±Infinity in `data`, or -1. Every finite-value check in the library goes through
 * here, because it runs on every fit/predict input and must cost a small fraction of a forward pass.
 */
export function firstNonFinite(data: ArrayLike<number>): number {
  const n = data.length;
  if (data instanceof Float32Array) {
    // A float32 is NaN or ±Infinity exactly when its exponent bits are all ones: integer ops over four
    // independent lanes, then a plain search only when something was found.
    const bits = new Int32Array(data.buffer, data.byteOffset, n);
    const EXP = 0x7f800000;
    let e0 = 0, e1 = 0, e2 = 0, e3 = 0;
    const n4 = n - (n % 4);
    for (let i = 0; i < n4; i += 4) {
      e0 |= ((bits[i]! & EXP) + 0x00800000) >>> 31;
      e1 |= ((bits[i + 1]! & EXP) + 0x00800000) >>> 31;
      e2 |= ((bits[i + 2]! & EXP) + 0x00800000) >>> 31;
      e3 |= ((bits[i + 3]! & EXP) + 0x00800000) >>> 31;
    }
    for (let i = n4; i < n; i++) e0 |= ((bits[i]! & EXP) + 0x00800000) >>> 31;
    if ((e0 | e1 | e2 | e3) === 0) return -1;
  }
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v - v !== 0) return i;
  }
  return -1;
}

/** Throws on the first non-finite value of a [rows, cols] data array, naming its row and column. */
export function checkFinite(argument: string, data: Float32Array, cols: number): void {
  const i = firstNonFinite(data);
  if (i < 0) return;
  const row = Math.floor(i / cols);
  fail(argument, `finite numbers (found ${data[i]} at row ${row}, column ${i - row * cols})`);
}
