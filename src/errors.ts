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

/** Why a file could not be read, in words: "no such file", "it is a directory", or the system's message. */
export function fileErrorReason(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
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
export function checkFinite(argument: string, data: Float32Array, cols: number, scan: (data: Float32Array) => number = firstNonFinite): void {
  const i = scan(data);
  if (i < 0) return;
  const row = Math.floor(i / cols);
  fail(argument, `finite numbers (found ${data[i]} at row ${row}, column ${i - row * cols})`);
}

/**
 * The keys of an options type, as a value: `{ epochs: true, batchSize: true, ... }`. A literal of this type must
 * name every key of T and nothing else, so the runtime list checkOptions uses cannot drift from the interface
 * the docs and the editor show (a missing key, an extra one or a misspelling is a compile error).
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/**
 * An options object as the caller gave it (undefined means none), after checking that it is a plain object whose
 * every key is one the function reads. A misspelled key would otherwise be dropped without a word and the
 * default used instead: `fit(x, y, { epoch: 50 })` training for one epoch.
 */
export function checkOptions<T extends object>(argument: string, value: T | undefined, keys: OptionKeys<T>): Partial<T> {
  const accepted = Object.keys(keys);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    fail(argument, `an object with any of the keys ${accepted.join(', ')}`, value);
  }
  for (const key of Object.keys(value)) if (!accepted.includes(key)) unknownName(argument, 'key', key, accepted);
  return value;
}

/** "fit options: unknown key 'epoch' (did you mean 'epochs'?); accepted keys: epochs, batchSize, ..." */
export function unknownName(argument: string, noun: string, typed: string, accepted: readonly string[]): never {
  const near = nearestName(typed, accepted);
  throw new NeuriteError(
    `${argument}: unknown ${noun} '${typed}'${near ? ` (did you mean '${near}'?)` : ''}; accepted ${noun}s: ${accepted.join(', ')}`,
  );
}

/**
 * The accepted name a mistyped one most likely meant, or undefined. Compared without case, '_' and '-' (so
 * Keras' batch_size finds batchSize), by edit distance up to a third of the length, or by initials either way
 * (lr for learningRate, --learning-rate for --lr).
 */
export function nearestName(typed: string, names: readonly string[]): string | undefined {
  const fold = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const initials = (s: string) => (s.match(/[a-zA-Z][a-z0-9]*/g) ?? []).map((w) => w[0]!.toLowerCase()).join('');
  const t = fold(typed);
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(t.length / 3)) + 1;
  for (const name of names) {
    const n = fold(name);
    const abbreviated = (t.length >= 2 && t === initials(name)) || (n.length >= 2 && n === initials(typed));
    const d = abbreviated ? 0 : editDistance(t, n);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Edit distance counting an insertion, deletion, substitution or swap of two neighbours as one edit. */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) next[j] = Math.min(next[j]!, before[j - 2]! + 1);
    }
    [before, row] = [row, next];
  }
  return row[b.length]!;
}
