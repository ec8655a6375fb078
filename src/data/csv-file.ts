/**
 * A CSV file being streamed (csv-stream.ts): its layout (names, target column), read from its first record, and
 * passes over its data rows, one piece at a time, into reused arrays (PieceRows).
 *
 * Records are split by readCsvRecords (csv.ts, RFC 4180), one piece at a time: a piece ends after the last line
 * break outside quotes (a quoted field may span lines, and pieces; csv-pieces.ts). Pieces without a quote
 * character take a faster split that gives the same records, and until the first quote the pieces stay bytes,
 * whose plain numeric lines the native core reads (csv-numbers.ts); every other line is read here, the general
 * way, which also words the errors.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { asBuffer, blankLine, lineBreaks, linesEnd, pieceRecords, recordsEnd } from './csv-pieces.js';
import type { CsvRecord } from './csv.js';
import { nativeCsvLines, NUMERIC_TARGET, readNumericLine, TEXT_TARGET } from './csv-numbers.js';
import { fileBytes, openForReading } from './stream.js';

export interface CsvStreamFormat {
  /** the target column, by header name or index (negative counts from the end); default the last column */
  target?: string | number;
  /** the first line names the columns (default true); false names them column1, column2, ... */
  header?: boolean;
  /** one character, default ',' */
  delimiter?: string;
}

/** The number syntax parseCsv accepts (no hex, no Infinity, no empty cell). */
export const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const CLASS_HINT = '; for a class column pass options.classNames (nn.csvStats(path) lists the values in one pass)';

/** The first bytes of a file, gunzipped when they are gzip, as text (for the header, before any pass). */
function headText(path: string, bytes: number): { text: string; whole: boolean; gzip: boolean } {
  const fd = openForReading(path);
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, bytes));
    readSync(fd, head, 0, head.length, 0);
    const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    const raw = gzip ? gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }) : head;
    return { text: new TextDecoder().decode(raw), whole: head.length === size, gzip };
  } finally {
    closeSync(fd);
  }
}

/** How the target column is read: a number, its text, or a class index from a map of names. */
export type TargetMode = 'number' | 'text' | Map<string, number>;

/** The rows of one piece of a file, in arrays reused from piece to piece. */
export class PieceRows {
  /** [count, features] */
  x = new Float32Array(0);
  /** the target as a number or class index (modes 'number' and a map) */
  t = new Float32Array(0);
  /** the target's text (mode 'text') */
  texts: string[] = [];
  /** the file line of each row, for messages */
  lines = new Int32Array(0);
  /** the native reader's text-target bounds (2 per row) and line starts, in bytes of the piece */
  spans = new Int32Array(0);
  starts = new Int32Array(0);
  count = 0;
  /** the first bad row's error: the rows before it are in the arrays */
  error: unknown;

  reserve(rows: number, features: number): void {
    if (rows <= this.t.length) return;
    const capacity = Math.max(rows, this.t.length * 2, 64);
    const grow = <A extends Float32Array | Int32Array>(a: A, make: (n: number) => A, width: number): A => {
      const b = make(capacity * width);
      b.set(a);
      return b;
    };
    this.x = grow(this.x, (n) => new Float32Array(n), features);
    this.t = grow(this.t, (n) => new Float32Array(n), 1);
    this.lines = grow(this.lines, (n) => new Int32Array(n), 1);
    this.spans = grow(this.spans, (n) => new Int32Array(n), 2);
    this.starts = grow(this.starts, (n) => new Int32Array(n), 1);
  }
}

const utf8 = new TextDecoder();

/** A CSV file's layout (names, target column), read from its first record, and passes over its data rows. */
export class CsvFile {
  readonly names: string[];
  readonly target: number;
  readonly featureColumns: number[];
  readonly gzip: boolean;
  private readonly delimiter: string;
  private readonly delimiterCode: number;
  private readonly header: boolean;

  constructor(
    readonly what: string,
    readonly path: string,
    format: CsvStreamFormat,
  ) {
    if (typeof path !== 'string' || path === '') throw new TypeError(`${what}: path must be a file path`);
    const delimiter = format.delimiter ?? ',';
    if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(`${what}: options.delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
    }
    const header = format.header ?? true;
    if (typeof header !== 'boolean') throw new TypeError(`${what}: options.header must be a boolean, got ${JSON.stringify(header)}`);
    this.delimiter = delimiter;
    this.delimiterCode = delimiter.charCodeAt(0);
    this.header = header;
    let first: CsvRecord | undefined;
    let gzip = false;
    for (let bytes = 1 << 16; !first; bytes *= 4) {
      const head = headText(path, bytes);
      gzip = head.gzip;
      const text = head.text.replace(/^\uFEFF/, '');
      const end = recordsEnd(text, delimiter, true) || (head.whole ? text.length : 0);
      first = this.parse(() => pieceRecords(text.slice(0, end), delimiter, 1))[0];
      if (!first && (head.whole || bytes > 1 << 26)) throw new RangeError(`${what}: ${path} holds no rows`);
    }
    this.gzip = gzip;
    const width = first.fields.length;
    this.names = header ? first.fields.map((n) => n.trim()) : Array.from({ length: width }, (_, c) => `column${c + 1}`);
    this.target = this.resolveTarget(format.target);
    this.featureColumns = this.names.map((_, c) => c).filter((c) => c !== this.target);
    if (this.featureColumns.length === 0) throw new RangeError(`${what}: ${path}: no feature columns left besides the target`);
  }

  private resolveTarget(target: string | number | undefined): number {
    const n = this.names.length;
    if (target === undefined) return n - 1;
    if (typeof target === 'number') {
      if (!Number.isInteger(target) || target < -n || target >= n) throw new RangeError(`${this.what}: options.target ${target} is not a column index (${this.path} has ${n} columns)`);
      return target < 0 ? n + target : target;
    }
    if (typeof target !== 'string') throw new TypeError(`${this.what}: options.target must be a column name or index, got ${typeof target}`);
    if (!this.header) throw new RangeError(`${this.what}: options.target "${target}" is a name, which needs header: true (or give an index)`);
    const hits = this.names.flatMap((name, c) => (name === target ? [c] : []));
    if (hits.length !== 1) {
      const why = hits.length === 0 ? `is not a column; columns are ${this.names.map((s) => JSON.stringify(s)).join(', ')}` : `names ${hits.length} columns`;
      throw new RangeError(`${this.what}: options.target "${target}" ${why}`);
    }
    return hits[0]!;
  }

  /**
   * The data rows (header skipped), one piece at a time, read into `out` (reused): features as numbers, the
   * target as `mode` says. A bad row stops the reading: `out` then holds the rows before it and the error.
   *
   * Pieces are bytes up to the last line break while the file shows no quote and the delimiter is ASCII (not a
   * space or tab): their plain numeric lines are read from the bytes by the native core, every other line is
   * decoded and read here. At the first quote the rest of the file is decoded as it comes and split into records
   * by the quote rules (recordsEnd), as every file was before.
   */
  async *rows(mode: TargetMode, out: PieceRows): AsyncGenerator<PieceRows> {
    const reader = fileBytes(this.path, this.gzip);
    const decoder = new TextDecoder();
    const state = { line: 1, skip: this.header };
    const code = this.delimiterCode;
    let bytes = code < 128 && code !== 32 && code !== 9; // still reading pieces of bytes
    let pendingBytes: Buffer = Buffer.alloc(0);
    let pending = '';
    try {
      let firstPiece = true;
      for await (const chunk of reader as AsyncIterable<Uint8Array>) {
        let input: Uint8Array = chunk;
        if (bytes) {
          let piece = pendingBytes.length > 0 ? Buffer.concat([pendingBytes, chunk]) : asBuffer(chunk);
          if (firstPiece && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) piece = piece.subarray(3);
          firstPiece = false;
          input = piece;
          if (piece.indexOf(34) < 0) {
            const end = linesEnd(piece);
            pendingBytes = piece.subarray(end);
            if (end === 0) continue;
            this.readBytes(piece.subarray(0, end), state, mode, out);
            yield out;
            if (out.error) return;
            continue;
          }
          bytes = false; // a quote: text from here on
        }
        let text = pending + decoder.decode(input, { stream: true });
        if (firstPiece && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        firstPiece = false;
        const end = recordsEnd(text, this.delimiter);
        pending = text.slice(end);
        if (end === 0) continue;
        this.readPiece(text.slice(0, end), state, mode, out);
        yield out;
        if (out.error) return;
      }
      if (bytes) {
        if (pendingBytes.length > 0) {
          this.readBytes(pendingBytes, state, mode, out);
          yield out;
        }
        return;
      }
      const rest = pending + decoder.decode();
      if (rest !== '') {
        this.readPiece(rest, state, mode, out);
        yield out;
      }
    } finally {
      reader.destroy();
    }
  }

  private readPiece(text: string, state: { line: number; skip: boolean }, mode: TargetMode, out: PieceRows): void {
    out.count = 0;
    out.error = undefined;
    const first = state.line;
    try {
      if (text.includes('"') || this.delimiter === ' ' || this.delimiter === '\t') {
        state.line += lineBreaks(text);
        for (const r of this.parse(() => pieceRecords(text, this.delimiter, first))) {
          if (state.skip) state.skip = false;
          else this.readRecord(r, mode, out);
        }
        return;
      }
      // Quote-free: line by line.
      let cr = text.indexOf('\r'); // the next CR, looked for again only once passed (not once per line)
      // state.line moves on as lines are read (the loop counts them: no second scan of the text).
      for (let i = 0, line = first; i < text.length; line++, state.line = line) {
        let end = text.indexOf('\n', i);
        if (end < 0) end = text.length;
        if (cr >= 0 && cr < i) cr = text.indexOf('\r', i);
        if (cr >= 0 && cr < end) end = cr;
        this.readLine(text, i, end, line, state, mode, out);
        i = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
      }
    } catch (err) {
      out.error = err;
    }
  }

  /**
   * A quote-free piece of whole lines, as bytes: runs of plain numeric lines read by the native core
   * (csvNumericLines), and each line it leaves (the header, a blank line, a value it does not take) decoded
   * and read by readLine, which also words the error. Without the addon, the piece is decoded and read as text.
   */
  private readBytes(piece: Buffer, state: { line: number; skip: boolean }, mode: TargetMode, out: PieceRows): void {
    const native = nativeCsvLines();
    if (!native || piece.length >= 2 ** 31) return this.readPiece(utf8.decode(piece), state, mode, out);
    out.count = 0;
    out.error = undefined;
    const f = this.featureColumns.length;
    const slots = this.slots(mode);
    const cursor = this.cursor;
    cursor[0] = 0;
    try {
      while (cursor[0]! < piece.length) {
        if (!state.skip) {
          out.reserve(out.count + 256, f);
          const first = out.count;
          const room = out.t.length - first;
          const rows = native(piece, cursor, this.delimiterCode, slots, f, out.x, out.t, out.spans, out.starts, first, room);
          for (let r = 0; r < rows; r++) out.lines[first + r] = state.line + r;
          out.count = first + rows;
          const bad = mode === 'number' ? -1 : this.textTargets(piece, first, rows, mode, out);
          if (bad < 0) {
            state.line += rows;
            if (rows === room) continue;
            if (cursor[0]! >= piece.length) break;
          } else {
            // A target readLine must see (it words the error): the rows before it stay.
            out.count = first + bad;
            state.line += bad;
            cursor[0] = out.starts[first + bad]!;
          }
        }
        const i = cursor[0]!;
        let end = piece.indexOf(10, i);
        if (end < 0) end = piece.length;
        const cr = piece.indexOf(13, i);
        if (cr >= 0 && cr < end) end = cr;
        const text = utf8.decode(piece.subarray(i, end));
        this.readLine(text, 0, text.length, state.line, state, mode, out);
        state.line++;
        cursor[0] = piece[end] === 13 && piece[end + 1] === 10 ? end + 2 : end + 1;
      }
    } catch (err) {
      out.error = err;
    }
  }

  /** The text targets of rows [first, first + rows) that the native reader bounded; the first it cannot take, or -1. */
  private textTargets(piece: Uint8Array, first: number, rows: number, mode: TargetMode, out: PieceRows): number {
    for (let r = 0; r < rows; r++) {
      const n = first + r;
      const value = utf8.decode(piece.subarray(out.spans[2 * n]!, out.spans[2 * n + 1]!)).trim();
      if (value === '') return r;
      if (mode === 'text') out.texts[n] = value;
      else {
        const index = (mode as Map<string, number>).get(value);
        if (index === undefined) return r;
        out.t[n] = index;
      }
    }
    return -1;
  }

  /**
   * One line of quote-free text[i, end), line `line` of the file: skipped when blank or the header; else read
   * through readNumericLine when it can be, else the general way (which also reports what is wrong with it).
   */
  private readLine(text: string, i: number, end: number, line: number, state: { skip: boolean }, mode: TargetMode, out: PieceRows): void {
    const delimiter = this.delimiterCode;
    if (blankLine(text, i, end, delimiter)) return;
    if (state.skip) {
      state.skip = false;
      return;
    }
    const f = this.featureColumns.length;
    out.reserve(out.count + 1, f);
    const n = out.count;
    if (readNumericLine(text, i, end, delimiter, this.slots(mode), out.x, n * f, this.numericTarget, this.span) && this.fastTarget(text, mode, out, n)) {
      out.lines[n] = line;
      out.count++;
      return;
    }
    const l = text.slice(i, end);
    if (!(l.includes(this.delimiter) || l.trim() !== '')) return;
    this.readRecord({ fields: l.split(this.delimiter), line }, mode, out);
  }

  /** The target of a line readNumericLine read; false sends the line to readRecord (which reports it). */
  private fastTarget(text: string, mode: TargetMode, out: PieceRows, n: number): boolean {
    if (mode === 'number') {
      out.t[n] = this.numericTarget[0]!;
      return true;
    }
    const value = text.slice(this.span[0], this.span[1]).trim();
    if (value === '') return false;
    if (mode === 'text') {
      out.texts[n] = value;
      return true;
    }
    const index = mode.get(value);
    if (index === undefined) return false;
    out.t[n] = index;
    return true;
  }

  /** One record read the general way: every check, every error message. */
  private readRecord(record: CsvRecord, mode: TargetMode, out: PieceRows): void {
    const r = this.checked(record);
    const f = this.featureColumns.length;
    out.reserve(out.count + 1, f);
    const n = out.count;
    for (let j = 0; j < f; j++) out.x[n * f + j] = this.number(r, this.featureColumns[j]!, 'feature');
    if (mode === 'number') out.t[n] = this.number(r, this.target, 'target', CLASS_HINT);
    else {
      const value = r.fields[this.target]!.trim();
      if (value === '') throw new RangeError(`${this.where(r.line)}: missing value in target column "${this.names[this.target]}"`);
      if (mode === 'text') out.texts[n] = value;
      else {
        const index = mode.get(value);
        if (index === undefined) {
          throw new RangeError(`${this.where(r.line)}: class ${JSON.stringify(value)} in target column "${this.names[this.target]}" is not one of options.classNames (${[...mode.keys()].join(', ')})`);
        }
        out.t[n] = index;
      }
    }
    out.lines[n] = r.line;
    out.count++;
  }

  private readonly numericTarget = new Float64Array(1);
  private readonly cursor = new Float64Array(1);
  private readonly span = new Int32Array(2);
  private slotCache: Int32Array | undefined;

  /** readNumericLine's slot of each column: the feature's index, or where the target goes. */
  private slots(mode: TargetMode): Int32Array {
    if (!this.slotCache) {
      this.slotCache = new Int32Array(this.names.length);
      this.featureColumns.forEach((c, j) => (this.slotCache![c] = j));
    }
    this.slotCache[this.target] = mode === 'number' ? NUMERIC_TARGET : TEXT_TARGET; // only the target's depends on mode
    return this.slotCache;
  }

  /** Record syntax errors (an unclosed quote, ...) name the reader and the file. */
  private parse(body: () => CsvRecord[]): CsvRecord[] {
    try {
      return body();
    } catch (err) {
      (err as Error).message = `${this.what}: ${this.path}: ${(err as Error).message}`;
      throw err;
    }
  }

  /** The record, once it is known to have the first line's width. */
  checked(r: CsvRecord): CsvRecord {
    if (r.fields.length !== this.names.length) {
      throw new RangeError(`${this.where(r.line)} has ${r.fields.length} fields, expected ${this.names.length} like the first line`);
    }
    return r;
  }

  where(line: number): string {
    return `${this.what}: ${this.path}: line ${line}`;
  }

  /** A field as a float32-range number, or an error naming its column and line. */
  number(r: CsvRecord, c: number, role: string, hint = ''): number {
    const raw = r.fields[c]!.trim();
    const v = NUMBER.test(raw) ? Number(raw) : NaN;
    if (Number.isFinite(Math.fround(v))) return v;
    // Only a bad value pays for the message.
    const at = `in ${role} column "${this.names[c]}" at line ${r.line}`;
    if (raw === '') throw new RangeError(`${this.what}: ${this.path}: missing value ${at}`);
    if (Number.isNaN(v)) throw new RangeError(`${this.what}: ${this.path}: non-numeric value ${JSON.stringify(raw)} ${at}${hint}`);
    throw new RangeError(`${this.what}: ${this.path}: ${raw} ${at} is out of float32 range`);
  }
}

