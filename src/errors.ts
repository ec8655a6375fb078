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

/** First non-finite value of a data array, reported with its row and column. */
export function checkFinite(argument: string, data: Float32Array, cols: number): void {
  // Fast pass on the bits: a float32 is NaN or ±Infinity exactly when its exponent bits are all ones. Integer
  // ops over four independent lanes; this runs on every predict/fit input, so it must cost a small fraction of
  // a forward pass even for large batches.
  const n = data.length;
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
  if ((e0 | e1 | e2 | e3) === 0) return;
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      const row = Math.floor(i / cols);
      fail(argument, `finite numbers (found ${v} at row ${row}, column ${i - row * cols})`);
    }
  }
}
