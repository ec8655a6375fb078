/**
 * A CSV line of plain decimal numbers read straight from the text's character codes: no field strings, no
 * regular expression. Streamed CSV files of hundreds of numeric columns are otherwise parse-bound, several
 * times slower than training on them.
 *
 * Exactness: a field of at most 15 digits with a decimal exponent within ±22 is m · 10^e with m and 10^|e| both
 * exact doubles, so one multiplication or division rounds correctly (Clinger's fast path): the same double as
 * Number(text). Anything else (more digits, a larger exponent, another whitespace than space or tab, a quote,
 * an empty or malformed field, a wrong field count) returns false, and the caller reads the line the general way,
 * which also reports what is wrong with it.
 */

import { nativeAddon } from '../backends/native.js';

/**
 * readNumericLine over many lines of UTF-8 bytes, by the native core (nrt_csv_numeric_lines: the same lines taken,
 * the same numbers given), or undefined without the addon. From byte cursor[0], while each line is a plain
 * numeric one and at most maxRows: row r goes to row `row + r` of x (features at their slots), targets (a
 * numeric target), spans (a text target's bounds, 2 per row) and starts (the line's offset); returns the rows
 * read and leaves cursor[0] at the first line not read.
 */
export function nativeCsvLines() {
  return nativeAddon()?.csvNumericLines;
}

const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** Where each field goes: a feature index ≥ 0, or one of these. */
export const NUMERIC_TARGET = -1;
export const TEXT_TARGET = -2;

/**
 * Reads text[start, end) as fields separated by `delimiter` (a char code, not space or tab): field c goes to
 * x[at + slots[c]] when slots[c] ≥ 0, to target[0] when NUMERIC_TARGET, and for TEXT_TARGET its bounds (blanks
 * around it included) go to span. Returns false, having perhaps written some of x, when the line needs the
 * general reader.
 */
export function readNumericLine(
  text: string,
  start: number,
  end: number,
  delimiter: number,
  slots: Int32Array,
  x: Float32Array,
  at: number,
  target: Float64Array,
  span: Int32Array,
): boolean {
  const width = slots.length;
  let i = start;
  for (let field = 0; ; field++) {
    if (field === width) return false;
    const slot = slots[field]!;
    if (slot === TEXT_TARGET) {
      span[0] = i;
      while (i < end && text.charCodeAt(i) !== delimiter) {
        if (text.charCodeAt(i) === 34) return false; // a quote: the general reader's business
        i++;
      }
      span[1] = i;
    } else {
      let c = text.charCodeAt(i);
      while (c === 32 || c === 9) c = text.charCodeAt(++i);
      let negative = false;
      if (c === 45) {
        negative = true;
        c = text.charCodeAt(++i);
      } else if (c === 43) c = text.charCodeAt(++i);
      let m = 0;
      let digits = 0;
      let exponent = 0;
      while (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        digits++;
        c = text.charCodeAt(++i);
      }
      if (c === 46) {
        c = text.charCodeAt(++i);
        while (c >= 48 && c <= 57) {
          m = m * 10 + (c - 48);
          digits++;
          exponent--;
          c = text.charCodeAt(++i);
        }
      }
      if (digits === 0 || digits > 15) return false;
      if (c === 101 || c === 69) {
        c = text.charCodeAt(++i);
        let sign = 1;
        if (c === 45) {
          sign = -1;
          c = text.charCodeAt(++i);
        } else if (c === 43) c = text.charCodeAt(++i);
        let e = 0;
        let eDigits = 0;
        while (c >= 48 && c <= 57 && eDigits < 4) {
          e = e * 10 + (c - 48);
          eDigits++;
          c = text.charCodeAt(++i);
        }
        if (eDigits === 0 || (c >= 48 && c <= 57)) return false;
        exponent += sign * e;
      }
      if (exponent < -22 || exponent > 22) return false;
      const magnitude = exponent >= 0 ? m * POW10[exponent]! : m / POW10[-exponent]!;
      const v = negative ? -magnitude : magnitude;
      while (c === 32 || c === 9) c = text.charCodeAt(++i);
      if (i < end && c !== delimiter) return false;
      if (slot >= 0) x[at + slot] = v;
      else target[0] = v;
    }
    if (i >= end) return field + 1 === width;
    i++; // past the delimiter
  }
}
