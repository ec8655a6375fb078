/**
 * nn.csvBatches and nn.csvStats: a CSV file (plain or gzipped) read in pieces. Node only. Memory holds one piece
 * of text (about 1 MB) and the rows being batched, never the file, so files much larger than memory train.
 *
 * Records are split by readCsvRecords (csv.ts, RFC 4180), one piece at a time: a piece ends after the last line
 * break outside quotes (a quoted field may span lines, and pieces). Pieces without a quote character take a
 * faster split that gives the same records. Values: every column but the target is a number; the target is a
 * number, or a class name when options.classNames lists the classes (a stream cannot collect them before it has
 * read everything: csvStats does that in one pass, with the feature means and deviations for standardising).
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { checkOptions, type OptionKeys } from '../errors.js';
import { readCsvRecords, type CsvRecord } from './csv.js';
import { NUMERIC_TARGET, readNumericLine, TEXT_TARGET } from './csv-numbers.js';
import { Batcher, floatRows } from './batcher.js';
import { BATCH_OPTION_KEYS, BatchStream, fileBytes, openForReading, parseBatchOptions, type BatchOptions, type StreamBatch } from './stream.js';

export interface CsvStreamFormat {
  /** the target column, by header name or index (negative counts from the end); default the last column */
  target?: string | number;
  /** the first line names the columns (default true); false names them column1, column2, ... */
  header?: boolean;
  /** one character, default ',' */
  delimiter?: string;
}

export interface CsvBatchOptions extends BatchOptions, CsvStreamFormat {
  /** the target is a class column: its value's index in this list is ys (sparse labels). Default: a number */
  classNames?: string[];
}

export type CsvStatsOptions = CsvStreamFormat;

export interface CsvStats {
  rows: number;
  featureNames: string[];
  targetName: string;
  /** per feature, over all rows */
  mean: number[];
  /** population standard deviation per feature; 1 where a column is constant (as standardScaler) */
  std: number[];
  /** every target value is a number */
  numericTarget: boolean;
  /** the distinct target values, sorted as parseCsv sorts class names; undefined when there are more than 1000 */
  targetValues?: string[];
}

const FORMAT_KEYS = { target: true, header: true, delimiter: true } as const;
const BATCH_KEYS: OptionKeys<CsvBatchOptions> = { ...BATCH_OPTION_KEYS, ...FORMAT_KEYS, classNames: true };
const STATS_KEYS: OptionKeys<CsvStatsOptions> = FORMAT_KEYS;

/** The number syntax parseCsv accepts (no hex, no Infinity, no empty cell). */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const MAX_DISTINCT = 1000;

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

function lineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}

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
type TargetMode = 'number' | 'text' | Map<string, number>;

/** The rows of one piece of a file, in arrays reused from piece to piece. */
class PieceRows {
  /** [count, features] */
  x = new Float32Array(0);
  /** the target as a number or class index (modes 'number' and a map) */
  t = new Float32Array(0);
  /** the target's text (mode 'text') */
  texts: string[] = [];
  /** the file line of each row, for messages */
  lines = new Int32Array(0);
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
  }
}

/** A line that is only spaces and tabs, without a delimiter: readCsvRecords skips it (as any blank line). */
function blankLine(text: string, start: number, end: number, delimiter: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === delimiter || (c !== 32 && c !== 9)) return false;
  }
  return true;
}

/** A CSV file's layout (names, target column), read from its first record, and passes over its data rows. */
class CsvFile {
  readonly names: string[];
  readonly target: number;
  readonly featureColumns: number[];
  readonly gzip: boolean;
  private readonly delimiter: string;
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
   * The data rows (header skipped), one piece of text at a time, read into `out` (reused): features as numbers,
   * the target as `mode` says. A bad row stops the reading: `out` then holds the rows before it and the error.
   */
  async *rows(mode: TargetMode, out: PieceRows): AsyncGenerator<PieceRows> {
    const reader = fileBytes(this.path, this.gzip);
    const decoder = new TextDecoder();
    const state = { line: 1, skip: this.header };
    let pending = '';
    try {
      let firstPiece = true;
      for await (const chunk of reader as AsyncIterable<Uint8Array>) {
        let text = pending + decoder.decode(chunk, { stream: true });
        if (firstPiece && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        firstPiece = false;
        const end = recordsEnd(text, this.delimiter);
        pending = text.slice(end);
        if (end === 0) continue;
        this.readPiece(text.slice(0, end), state, mode, out);
        yield out;
        if (out.error) return;
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
      // Quote-free: line by line, each through readNumericLine when it can, else the general way.
      const slots = this.slots(mode);
      const delimiter = this.delimiter.charCodeAt(0);
      const f = this.featureColumns.length;
      let cr = text.indexOf('\r'); // the next CR, looked for again only once passed (not once per line)
      // state.line moves on as lines are read (the loop counts them: no second scan of the text).
      for (let i = 0, line = first; i < text.length; line++, state.line = line) {
        let end = text.indexOf('\n', i);
        if (end < 0) end = text.length;
        if (cr >= 0 && cr < i) cr = text.indexOf('\r', i);
        if (cr >= 0 && cr < end) end = cr;
        const next = text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
        if (blankLine(text, i, end, delimiter)) {
          i = next;
          continue;
        }
        if (state.skip) {
          state.skip = false;
          i = next;
          continue;
        }
        out.reserve(out.count + 1, f);
        const n = out.count;
        if (readNumericLine(text, i, end, delimiter, slots, out.x, n * f, this.numericTarget, this.span) && this.fastTarget(text, mode, out, n)) {
          out.lines[n] = line;
          out.count++;
        } else {
          const l = text.slice(i, end);
          if (!(l.includes(this.delimiter) || l.trim() !== '')) {
            i = next;
            continue;
          }
          this.readRecord({ fields: l.split(this.delimiter), line }, mode, out);
        }
        i = next;
      }
    } catch (err) {
      out.error = err;
    }
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
  private readonly span = new Int32Array(2);
  private slotCache: Int32Array | undefined;

  /** readNumericLine's slot of each column: the feature's index, or where the target goes. */
  private slots(mode: TargetMode): Int32Array {
    const slots = (this.slotCache ??= new Int32Array(this.names.length));
    this.featureColumns.forEach((c, j) => (slots[c] = j));
    slots[this.target] = mode === 'number' ? NUMERIC_TARGET : TEXT_TARGET;
    return slots;
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

const CLASS_HINT = '; for a class column pass options.classNames (nn.csvStats(path) lists the values in one pass)';

export class CsvBatchStream extends BatchStream {
  readonly features: number;
  readonly featureNames: string[];
  readonly targetName: string;
  readonly classNames: string[] | undefined;
  private readonly file: CsvFile;

  constructor(path: string, options: CsvBatchOptions = {}) {
    const given = checkOptions('csvBatches options', options, BATCH_KEYS);
    super(parseBatchOptions('csvBatches', given));
    const names = given.classNames;
    if (names !== undefined && (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string') || new Set(names).size !== names.length)) {
      throw new TypeError('csvBatches: options.classNames must be a non-empty array of distinct strings');
    }
    this.classNames = names && [...names];
    this.file = new CsvFile('csvBatches', path, given);
    this.featureNames = this.file.featureColumns.map((c) => this.file.names[c]!);
    this.targetName = this.file.names[this.file.target]!;
    this.features = this.featureNames.length;
  }

  protected async *pass(epoch: number): AsyncGenerator<StreamBatch> {
    const f = this.features;
    const batcher = new Batcher(floatRows(f), f, this.options, epoch);
    const { file, options } = this;
    const mode: TargetMode = this.classNames ? new Map(this.classNames.map((n, i) => [n, i])) : 'number';
    let row = 0; // index among data rows: the filter's argument
    let kept = 0;
    for await (const piece of file.rows(mode, new PieceRows())) {
      let n = piece.count;
      if (options.filter) {
        // The kept rows moved to the front, in order.
        n = 0;
        for (let r = 0; r < piece.count; r++) {
          if (!options.filter(row + r)) continue;
          if (n !== r) {
            piece.x.copyWithin(n * f, r * f, (r + 1) * f);
            piece.t[n] = piece.t[r]!;
          }
          n++;
        }
      }
      row += piece.count;
      kept += n;
      // At most a batch at a time, so a bad row stops the stream at the batch that would hold it: the batches
      // before it are handed on (and trained) first.
      for (let from = 0; from < n; from += options.batchSize) yield* batcher.add(piece.x, piece.t, from, Math.min(n, from + options.batchSize));
      if (piece.error) throw piece.error;
    }
    yield* batcher.finish();
    this.counted = kept;
  }
}

/**
 * Batches { xs: [rows, features], ys: target per row } from a CSV file, read in pieces:
 * `model.fitDataset(nn.csvBatches('big.csv', { target: 'label', classNames, batchSize: 64, shuffleBuffer: 10000 }))`.
 * Each iteration (epoch) reads the file again.
 */
export function csvBatches(path: string, options?: CsvBatchOptions): CsvBatchStream {
  return new CsvBatchStream(path, options);
}

/** One pass over a CSV file: row count, feature means and deviations, and the target's distinct values. */
export async function csvStats(path: string, options?: CsvStatsOptions): Promise<CsvStats> {
  const file = new CsvFile('csvStats', path, checkOptions('csvStats options', options, STATS_KEYS));
  const columns = file.featureColumns;
  const f = columns.length;
  // Welford's running mean and sum of squared deviations: no cancellation however large the mean.
  const mean = new Float64Array(f);
  const m2 = new Float64Array(f);
  let rows = 0;
  let numericTarget = true;
  let distinct: Set<string> | undefined = new Set<string>();
  for await (const piece of file.rows('text', new PieceRows())) {
    for (let r = 0; r < piece.count; r++) {
      rows++;
      for (let j = 0; j < f; j++) {
        const v = piece.x[r * f + j]!;
        const d = v - mean[j]!;
        mean[j]! += d / rows;
        m2[j]! += d * (v - mean[j]!);
      }
      const t = piece.texts[r]!;
      if (numericTarget && !NUMBER.test(t)) numericTarget = false;
      if (distinct) {
        distinct.add(t);
        if (distinct.size > MAX_DISTINCT) distinct = undefined;
      }
    }
    if (piece.error) throw piece.error;
  }
  if (rows === 0) throw new RangeError(`csvStats: ${path} holds a header but no data rows`);
  const targetValues = distinct && [...distinct].sort(numericTarget ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    rows,
    featureNames: columns.map((c) => file.names[c]!),
    targetName: file.names[file.target]!,
    mean: Array.from(mean),
    std: Array.from(m2, (s) => (s === 0 ? 1 : Math.sqrt(s / rows))),
    numericTarget,
    targetValues,
  };
}
