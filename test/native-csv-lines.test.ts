// The native CSV line reader (nrt_csv_numeric_lines) against readNumericLine, its TypeScript twin: the same lines
// taken, the same numbers given, on generated lines full of the cases either one could get wrong; and the
// piece-level rules (line breaks, blank lines, where it stops, how many rows) the CSV reader relies on.
import { describe, expect, it } from 'vitest';
import { nativeAddon } from '../src/backends/native.js';
import { NUMERIC_TARGET, readNumericLine, TEXT_TARGET } from '../src/data/csv-numbers.js';
import { rngKey, rngU32 } from '../src/rng.js';

const addon = nativeAddon()!;
const bytesOf = (s: string) => new TextEncoder().encode(s);

/** Reads lines of `text` natively from cursor 0: the rows, the cursor after, and the text targets as strings. */
function native(text: string, slots: Int32Array, features: number, maxRows: number) {
  const bytes = bytesOf(text);
  const x = new Float32Array(Math.max(1, maxRows) * features).fill(-7);
  const t = new Float32Array(Math.max(1, maxRows)).fill(-7);
  const spans = new Int32Array(2 * Math.max(1, maxRows));
  const starts = new Int32Array(Math.max(1, maxRows));
  const cursor = new Float64Array(1);
  const rows = addon.csvNumericLines(bytes, cursor, 44, slots, features, x, t, spans, starts, 0, maxRows);
  const texts = Array.from({ length: rows }, (_, r) => new TextDecoder().decode(bytes.subarray(spans[2 * r]!, spans[2 * r + 1]!)));
  return { rows, cursor: cursor[0]!, x, t, texts, starts: Array.from(starts.subarray(0, rows)) };
}

describe('nrt_csv_numeric_lines', () => {
  // A field from pieces that each reader must agree on: digits of every length, signs, points, exponents of
  // every size, blanks, and things that are not numbers.
  function field(key: number, i: number): string {
    const pick = (k: number, n: number) => rngU32(key, i * 16 + k) % n;
    const digits = (n: number) => Array.from({ length: n }, (_, k) => String(rngU32(key, i * 16 + 8 + k) % 10)).join('');
    const kind = pick(0, 14);
    if (kind === 0) return '';
    if (kind === 1) return ['abc', 'NaN', '0x10', 'Infinity', '1_0', '--1', '+-1', '.', 'e5', '1e', '1e+', '1.2.3', '"1"', 'é'][pick(1, 14)]!;
    const int = digits(pick(2, 4) === 0 ? 1 + pick(3, 20) : pick(3, 4));
    const frac = pick(4, 3) === 0 ? '' : `.${digits(pick(5, 10))}`;
    const exp = pick(6, 4) === 0 ? `${['e', 'E'][pick(7, 2)]}${['', '+', '-'][pick(8, 3)]}${digits(pick(9, 6))}` : '';
    const sign = ['', '', '-', '+'][pick(10, 4)];
    const blank = () => ['', '', ' ', '\t', '  '][pick(11, 5)];
    return `${blank()}${sign}${int}${frac}${exp}${blank()}`;
  }

  it('takes the lines readNumericLine takes, with the same numbers, over 4000 generated lines', () => {
    const columns = 5;
    for (const targetKind of [NUMERIC_TARGET, TEXT_TARGET]) {
      // columns 0, 1, 3, 4 are features 0..3; column 2 the target
      const slots = Int32Array.from([0, 1, targetKind, 2, 3]);
      const features = 4;
      let taken = 0;
      for (let l = 0; l < 4000; l++) {
        const key = rngKey(l, targetKind + 3, 7);
        const count = rngU32(key, 999) % 20 === 0 ? columns + (rngU32(key, 998) % 2 ? 1 : -1) : columns;
        const fields = Array.from({ length: count }, (_, c) => (targetKind === TEXT_TARGET && c === 2 && rngU32(key, 997) % 2 ? ['cat', ' dög ', ''][rngU32(key, 996) % 3]! : field(key, c)));
        const line = fields.join(',');
        // what follows keeps the 8-byte reads of the native reader inside the buffer for every field
        const text = `${line}\n0,0,0,0,0\n`;
        const jsX = new Float32Array(features).fill(-7);
        const jsTarget = new Float64Array(1);
        const span = new Int32Array(2);
        const js = readNumericLine(text, 0, line.length, 44, slots, jsX, 0, jsTarget, span);
        const got = native(text, slots, features, 1);
        expect({ line, taken: got.rows === 1 }).toEqual({ line, taken: js });
        if (!js) continue;
        taken++;
        expect({ line, x: Array.from(got.x) }).toEqual({ line, x: Array.from(jsX) });
        if (targetKind === NUMERIC_TARGET) expect({ line, t: got.t[0] }).toEqual({ line, t: Math.fround(jsTarget[0]!) });
        else expect({ line, text: got.texts[0] }).toEqual({ line, text: text.slice(span[0], span[1]) });
        expect(got.cursor).toBe(bytesOf(line).length + 1);
      }
      // enough of both outcomes to mean something
      expect(taken).toBeGreaterThan(100);
      expect(taken).toBeLessThan(3900);
    }
  });

  it('holds every exact value: integers, -0, long and short fractions, the float32 rounding of each', () => {
    const slots = Int32Array.from([0]);
    for (const s of ['0', '-0', '7', '1234567', '12345678', '999999999999999', '0.1', '-.5', '5.', '3.40282346e22', '1e-22', '1E22', '0.000001', '16777217', '+42']) {
      const got = native(`${s}\n0,0,0,0,0,0,0\n`, slots, 1, 1);
      expect({ s, rows: got.rows }).toEqual({ s, rows: 1 });
      expect(Object.is(got.x[0], Math.fround(Number(s)))).toBe(true);
    }
  });

  it('reads runs of lines over CRLF, CR and LF; stops before a blank line, a quote, or maxRows; counts the cursor in bytes', () => {
    const slots = Int32Array.from([0, NUMERIC_TARGET]);
    const text = '1,2\r\n3,4\r5,6\n  \n7,8\n"9",1\n';
    const a = native(text, slots, 1, 100);
    expect([a.rows, Array.from(a.x.subarray(0, 3)), Array.from(a.t.subarray(0, 3)), a.starts, a.cursor]).toEqual([3, [1, 3, 5], [2, 4, 6], [0, 5, 9], 13]);
    const b = native(text, slots, 1, 2);
    expect([b.rows, b.cursor]).toEqual([2, 9]);
    // the last line may lack its line break; a text target may hold UTF-8 (bytes, not characters, in spans)
    const c = native('1,2\n3,4', slots, 1, 10);
    expect([c.rows, c.cursor]).toEqual([2, 7]);
    const d = native('1,é\n2,ü', Int32Array.from([0, TEXT_TARGET]), 1, 10);
    expect([d.rows, d.texts, d.cursor]).toEqual([2, ['é', 'ü'], 9]);
  });

  it('refuses slots, a delimiter or output arrays it cannot use, naming the call', () => {
    const x = new Float32Array(4);
    const t = new Float32Array(4);
    const ok = (slots: Int32Array, delimiter = 44, rows = 4) => addon.csvNumericLines(bytesOf('1,2\n'), new Float64Array(1), delimiter, slots, 1, x, t, new Int32Array(8), new Int32Array(4), 0, rows);
    expect(ok(Int32Array.from([0, -1]))).toBe(1);
    expect(() => ok(Int32Array.from([1, -1]))).toThrow(/csvNumericLines: bad delimiter, slots/);
    expect(() => ok(Int32Array.from([0, -3]))).toThrow(/csvNumericLines: bad delimiter, slots/);
    expect(() => ok(Int32Array.from([0, -1]), 32)).toThrow(/csvNumericLines: bad delimiter/);
    expect(() => ok(Int32Array.from([0, -1]), 44, 5)).toThrow(/must hold row \+ maxRows rows/);
    expect(() => (addon.csvNumericLines as (...a: unknown[]) => number)('1,2', new Float64Array(1))).toThrow(/csvNumericLines\(text: Uint8Array/);
  });
});
