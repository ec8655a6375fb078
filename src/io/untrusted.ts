import { describe, NeuriteError } from '../errors.js';

/**
 * Readers for values that came out of a file. A file is hostile until proven otherwise: every field is looked up
 * as an own property (a key like "__proto__" or "constructor" must not reach Object.prototype), every number is
 * range-checked before it sizes anything, and every failure names the file kind and the path of the bad field.
 */

export class FileFormatError extends NeuriteError {
  constructor(message: string) {
    super(message);
    this.name = 'FileFormatError';
  }
}

/** Where a value sits in a file, for error messages: `model.json: modelTopology.config.layers[2].units`. */
export class Where {
  constructor(
    readonly source: string,
    readonly path: string = '',
  ) {}

  key(name: string): Where {
    const safe = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
    return new Where(this.source, this.path ? (safe.startsWith('"') ? `${this.path}[${safe}]` : `${this.path}.${safe}`) : safe);
  }

  index(i: number): Where {
    return new Where(this.source, `${this.path}[${i}]`);
  }

  fail(expected: string, got?: unknown): never {
    const gotText = got === undefined ? '' : `, got ${short(got)}`;
    throw new FileFormatError(`${this.source}: ${this.path || 'value'}: expected ${expected}${gotText}`);
  }

  /** A problem that is not about one field's type (sizes that disagree, a missing tensor, ...). */
  error(message: string): never {
    throw new FileFormatError(`${this.source}: ${this.path ? `${this.path}: ` : ''}${message}`);
  }
}

/** describe() without echoing a megabyte-long string from a hostile file back into an error message. */
function short(v: unknown): string {
  if (typeof v === 'string' && v.length > 80) return `${JSON.stringify(v.slice(0, 80))}… (${v.length} characters)`;
  return describe(v);
}

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObject(v: unknown, at: Where): JsonObject {
  if (!isObject(v)) at.fail('an object', v);
  return v;
}

/** An own property of a parsed JSON object, undefined when absent. */
export function field(o: JsonObject, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, name) ? o[name] : undefined;
}

export function requireField(o: JsonObject, name: string, at: Where): unknown {
  if (!Object.prototype.hasOwnProperty.call(o, name)) at.key(name).fail('a value (the field is missing)');
  return o[name];
}

export function asArray(v: unknown, at: Where, maxLength: number): unknown[] {
  if (!Array.isArray(v)) at.fail('an array', v);
  if (v.length > maxLength) at.fail(`at most ${maxLength} entries`, v);
  return v;
}

export function asString(v: unknown, at: Where, maxLength = 1024): string {
  if (typeof v !== 'string') at.fail('a string', v);
  if (v.length > maxLength) at.fail(`a string of at most ${maxLength} characters`, v);
  return v;
}

export function asBoolean(v: unknown, at: Where): boolean {
  if (typeof v !== 'boolean') at.fail('true or false', v);
  return v;
}

/** An integer in [lo, hi]. */
export function asInt(v: unknown, at: Where, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) at.fail(`an integer in [${lo}, ${hi}]`, v);
  return v;
}

/** A finite number in [lo, hi) (or [lo, hi] when hiInclusive). */
export function asNumber(v: unknown, at: Where, lo: number, hi: number, hiInclusive = false): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= lo && (hiInclusive ? v <= hi : v < hi);
  if (!ok) at.fail(`a number in [${lo}, ${hi}${hiInclusive ? ']' : ')'}`, v);
  return v as number;
}

export function asOneOf<T extends string>(v: unknown, at: Where, names: readonly T[]): T {
  if (typeof v !== 'string' || !(names as readonly string[]).includes(v)) at.fail(`one of ${names.map((n) => `'${n}'`).join(', ')}`, v);
  return v as T;
}

/** Far deeper than any file of ours or tfjs's (a few levels); shallow enough to refuse nesting bombs early. */
export const MAX_JSON_DEPTH = 64;

/**
 * Nesting depth of JSON text, by a linear scan that skips strings. Deep nesting would not overflow V8's
 * (iterative) parser, but 16 MiB of "[[[[..." would become millions of objects: refused before parsing.
 */
function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** JSON.parse of untrusted text; the readers above then walk only the known paths, never the whole tree. */
export function parseJson(text: string, at: Where): unknown {
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) at.error(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch (err) {
    return at.error(`not valid JSON (${(err as Error).message.slice(0, 200)})`);
  }
}

/** UTF-8 bytes to text, rejecting invalid sequences instead of turning them into U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, at: Where): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return at.error('not valid UTF-8 text');
  }
}
