/**
 * Where a streamed CSV file may be cut into pieces, and a quote-free piece's lines: the record boundaries of
 * readCsvRecords (csv.ts) found without reading the records, in text and in bytes.
 */
import { readCsvRecords, type CsvRecord } from './csv.js';

/**
 * Index just past the last complete record's line break in `text` (0 if none): where a piece may end. With
 * `first`, just past the first one.
 */
export function recordsEnd(text: string, delimiter: string, first = false): number {
  if (!text.includes('"') && !first) {
    // A trailing CR may be the first half of a CRLF whose LF is in the next piece.
    const end = text.endsWith('\r') ? text.length - 1 : text.length;
    return Math.max(text.lastIndexOf('\n', end - 1), text.lastIndexOf('\r', end - 1)) + 1;
  }
  // The quote rules of readCsvRecords: a quote opens a field only where nothing but whitespace precedes it in
  // the field, "" inside quotes is a quote, and a line break inside quotes belongs to the field.
  let inQuotes = false;
  let quoted = false;
  let blank = true;
  let cut = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      }
    } else if (ch === delimiter) {
      quoted = false;
      blank = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r') {
        if (i + 1 === text.length) break;
        if (text[i + 1] === '\n') i++;
      }
      cut = i + 1;
      if (first && !blank) return cut;
      quoted = false;
      blank = true;
    } else if (ch === '"' && !quoted && blank) {
      quoted = true;
      inQuotes = true;
    } else if (blank && ch.trim() !== '') {
      blank = false;
    }
  }
  return cut;
}

/** Records of a piece of text that ends at a record boundary; `line` is the piece's first line in the file. */
export function pieceRecords(text: string, delimiter: string, line: number): CsvRecord[] {
  if (!text.includes('"')) {
    // No quotes: a record is a line, and a line that is only whitespace without a delimiter is blank.
    const lines = text.split(/\r\n|\r|\n/);
    const out: CsvRecord[] = [];
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (!l.includes(delimiter) && l.trim() === '') continue;
      out.push({ fields: l.split(delimiter), line: line + i });
    }
    return out;
  }
  try {
    const records = readCsvRecords(text, delimiter);
    for (const r of records) r.line += line - 1;
    return records;
  } catch (err) {
    const e = err as Error;
    e.message = e.message.replace(/^parseCsv: /, '').replace(/\bline (\d+)/g, (_, n: string) => `line ${Number(n) + line - 1}`);
    throw e;
  }
}

export function lineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

// Bytes are searched as Buffers: Buffer's indexOf and lastIndexOf run memchr-like loops, a typed array's
// includes and lastIndexOf a generic element loop (a tenth of the parse time over a file).
export const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));

/** Just past the last line break of quote-free bytes (0 if none); a trailing CR may be half of a CRLF. */
export function linesEnd(bytes: Buffer): number {
  const last = bytes.length - (bytes[bytes.length - 1] === 13 ? 2 : 1);
  if (last < 0) return 0;
  return Math.max(bytes.lastIndexOf(10, last), bytes.lastIndexOf(13, last)) + 1;
}

/** A line that is only spaces and tabs, without a delimiter: readCsvRecords skips it (as any blank line). */
export function blankLine(text: string, start: number, end: number, delimiter: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === delimiter || (c !== 32 && c !== 9)) return false;
  }
  return true;
}
