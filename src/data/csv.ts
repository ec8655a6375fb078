import { checkOptions, type OptionKeys } from '../errors.js';
import { Tensor } from '../tensor.js';

/**
 * CSV text → feature matrix and target. Browser-safe (no file access; loadCsv in csv-node.ts reads files).
 *
 * The reader follows RFC 4180: fields may be quoted with ", a quote inside a quoted field is written "", and
 * quoted fields may hold delimiters and line breaks. Lines may end in LF, CRLF or CR; blank lines are skipped;
 * a UTF-8 byte order mark is dropped. Values are trimmed before they are interpreted.
 */

export interface CsvOptions {
  /** first non-blank line names the columns; default true (false names them column1, column2, ...) */
  header?: boolean;
  /** one character, default ',' */
  delimiter?: string;
  /**
   * The target column, by header name or index (negative counts from the end). Default: the last column.
   * null: no target, every column is a feature.
   */
  target?: string | number | null;
  /**
   * 'auto' (default): a target column of numbers gives `y`, any other gives class `labels`.
   * 'numeric' insists on numbers; 'class' reads even numbers as class names (e.g. a digit column 0-9).
   */
  targetType?: 'auto' | 'numeric' | 'class';
  /**
   * Fixed class order for a class target, e.g. the training file's classNames when reading a test file, so that
   * indices agree between files. A value not in the list is an error. Default: the distinct values, sorted
   * (numerically when they are all numbers), which does not depend on row order.
   */
  classNames?: string[];
}

export const csvOptionKeys: OptionKeys<CsvOptions> = { header: true, delimiter: true, target: true, targetType: true, classNames: true };

/** A CSV read without a target column (options.target: null). */
export interface CsvFeatures {
  /** [rows, features] */
  x: Tensor;
  featureNames: string[];
}

export interface CsvData extends CsvFeatures {
  targetName: string;
  /**
   * One value per row: the number in the target column, or for a class target the class index (as a float,
   * the form sparseCategoricalCrossentropy takes).
   */
  y: Float32Array;
  /** class target only: the same indices as integers, into classNames */
  labels?: Int32Array;
  classNames?: string[];
}

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts (a quoted field can span lines) */
  line: number;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Split text into records of raw fields (quotes removed, nothing else changed). */
export function readCsvRecords(text: string, delimiter = ','): CsvRecord[] {
  if (typeof text !== 'string') throw new TypeError('parseCsv: text must be a string');
  checkDelimiter(delimiter);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false; // the current field was opened with a quote
  let inQuotes = false; // we are between its quotes
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endField = () => {
    fields.push(field);
    field = '';
    quoted = false;
  };
  const endRecord = () => {
    // A blank (or whitespace-only) line is a single unquoted field with nothing in it; `""` alone is a value.
    const blank = fields.length === 0 && !quoted && field.trim() === '';
    endField();
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
  };

  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        field += ch;
      }
      continue;
    }
    if (ch === delimiter) {
      endField();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (ch === '"' && !quoted && field.trim() === '') {
      // Opening quote (whitespace before it is tolerated and dropped).
      field = '';
      quoted = true;
      inQuotes = true;
      quoteLine = line;
    } else if (quoted) {
      if (ch !== ' ' && ch !== '\t') {
        throw new SyntaxError(`parseCsv: unexpected ${JSON.stringify(ch)} after a closing quote at line ${line}`);
      }
    } else {
      field += ch; // includes a stray quote inside an unquoted field, kept literally
    }
  }
  if (inQuotes) throw new SyntaxError(`parseCsv: quoted field starting at line ${quoteLine} is never closed`);
  if (field !== '' || quoted || fields.length > 0) endRecord();
  return records;
}

function checkDelimiter(delimiter: unknown): string {
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`parseCsv: options.delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  return delimiter;
}

function resolveTarget(target: CsvOptions['target'], names: string[], header: boolean): number | null {
  if (target === null) return null;
  if (target === undefined) return names.length - 1;
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < -names.length || target >= names.length) {
      throw new RangeError(`parseCsv: options.target ${target} is not a column index (the file has ${names.length} columns)`);
    }
    return target < 0 ? names.length + target : target;
  }
  if (typeof target === 'string') {
    if (!header) throw new RangeError(`parseCsv: options.target "${target}" is a name, which needs header: true (or give an index)`);
    const hits = names.flatMap((n, c) => (n === target ? [c] : []));
    if (hits.length === 0) {
      throw new RangeError(`parseCsv: options.target "${target}" is not a column; columns are ${names.map((n) => JSON.stringify(n)).join(', ')}`);
    }
    if (hits.length > 1) throw new RangeError(`parseCsv: options.target "${target}" names ${hits.length} columns`);
    return hits[0]!;
  }
  throw new TypeError(`parseCsv: options.target must be a column name, an index or null, got ${typeof target}`);
}

/** Parse CSV text into features x [rows, features] and the target column (see CsvOptions). */
export function parseCsv(text: string, options: CsvOptions & { target: null }): CsvFeatures;
export function parseCsv(text: string, options?: CsvOptions): CsvData;
export function parseCsv(text: string, options?: CsvOptions): CsvFeatures | CsvData {
  const o = checkOptions('parseCsv: options', options, csvOptionKeys);
  const header = o.header ?? true;
  if (typeof header !== 'boolean') throw new TypeError(`parseCsv: options.header must be a boolean, got ${JSON.stringify(header)}`);
  const delimiter = o.delimiter ?? ',';
  const targetType = o.targetType ?? 'auto';
  if (!['auto', 'numeric', 'class'].includes(targetType)) {
    throw new RangeError(`parseCsv: options.targetType must be 'auto', 'numeric' or 'class', got ${JSON.stringify(targetType)}`);
  }

  const records = readCsvRecords(text, delimiter);
  if (records.length === 0) throw new RangeError('parseCsv: the text holds no rows');
  const width = records[0]!.fields.length;
  const names = header ? records[0]!.fields.map((n) => n.trim()) : Array.from({ length: width }, (_, c) => `column${c + 1}`);
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) throw new RangeError('parseCsv: the text holds a header but no data rows');
  for (const r of rows) {
    if (r.fields.length !== width) {
      throw new RangeError(`parseCsv: line ${r.line} has ${r.fields.length} fields, expected ${width} like the first line`);
    }
  }

  const targetCol = resolveTarget(o.target, names, header);
  const featureCols = names.map((_, c) => c).filter((c) => c !== targetCol);
  if (featureCols.length === 0) throw new RangeError('parseCsv: no feature columns left besides the target');

  const where = (r: number, c: number) => `column "${names[c]}" at line ${rows[r]!.line} (row ${r} of x)`;
  const readNumber = (r: number, c: number, role: string): number => {
    const raw = rows[r]!.fields[c]!.trim();
    if (raw === '') throw new RangeError(`parseCsv: missing value in ${role} ${where(r, c)}; fill or drop incomplete rows first`);
    if (!NUMBER.test(raw)) {
      const hint = role === 'feature' ? '; feature columns must be numbers (make it the target if it holds class names)' : '';
      throw new RangeError(`parseCsv: non-numeric value ${JSON.stringify(raw)} in ${role} ${where(r, c)}${hint}`);
    }
    const v = Number(raw);
    if (!Number.isFinite(Math.fround(v))) throw new RangeError(`parseCsv: ${raw} in ${role} ${where(r, c)} is out of float32 range`);
    return v;
  };

  const x = new Float32Array(rows.length * featureCols.length);
  for (let r = 0; r < rows.length; r++) {
    featureCols.forEach((c, j) => {
      x[r * featureCols.length + j] = readNumber(r, c, 'feature');
    });
  }
  const features: CsvFeatures = { x: new Tensor(x, [rows.length, featureCols.length]), featureNames: featureCols.map((c) => names[c]!) };
  if (targetCol === null) return features;
  const targetName = names[targetCol]!;

  if (targetType === 'numeric' && o.classNames !== undefined) {
    throw new RangeError("parseCsv: options.classNames makes the target a class column, but options.targetType is 'numeric'");
  }
  const values = rows.map((r) => r.fields[targetCol]!.trim());
  // Empty cells do not decide the column's kind: a numeric target with a hole must report the hole.
  const allNumeric = values.every((v) => v === '' || NUMBER.test(v));
  const asClasses = targetType === 'class' || (targetType === 'auto' && (o.classNames !== undefined || !allNumeric));
  if (!asClasses) {
    return { ...features, targetName, y: Float32Array.from(values, (_, r) => readNumber(r, targetCol, 'target')) };
  }
  const missing = values.findIndex((v) => v === '');
  if (missing >= 0) throw new RangeError(`parseCsv: missing class in target ${where(missing, targetCol)}`);
  let classNames: string[];
  if (o.classNames !== undefined) {
    if (!Array.isArray(o.classNames) || o.classNames.some((n) => typeof n !== 'string') || new Set(o.classNames).size !== o.classNames.length) {
      throw new TypeError('parseCsv: options.classNames must be an array of distinct strings');
    }
    classNames = [...o.classNames];
  } else {
    classNames = [...new Set(values)];
    classNames.sort(allNumeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const index = new Map(classNames.map((n, i) => [n, i]));
  const labels = Int32Array.from(values, (v, r) => {
    const i = index.get(v);
    if (i === undefined) {
      throw new RangeError(`parseCsv: class ${JSON.stringify(v)} in target ${where(r, targetCol)} is not one of options.classNames (${classNames.join(', ')})`);
    }
    return i;
  });
  return { ...features, targetName, y: Float32Array.from(labels), labels, classNames };
}
