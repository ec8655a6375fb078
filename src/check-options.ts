/**
 * Unknown option keys are errors. A stand-in with the same signature as the checkOptions another branch adds to
 * errors.ts: once that is merged, import it from there and delete this file.
 */
import { fail } from './errors.js';

/** Every key of T and nothing else (a missing or extra key is a compile error), so the list cannot drift. */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: true };

/** The options object as given (undefined: none) after checking that it is an object with only known keys. */
export function checkOptions<T extends object>(argument: string, value: T | undefined, keys: OptionKeys<T>): Partial<T> {
  const accepted = Object.keys(keys);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    fail(argument, `an object with any of the keys ${accepted.join(', ')}`, value);
  }
  for (const key of Object.keys(value)) {
    if (!accepted.includes(key)) fail(argument, `only the keys ${accepted.join(', ')}; unknown key '${key}'`);
  }
  return value;
}
