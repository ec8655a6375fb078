import { checkOptions, type OptionKeys } from '../errors.js';
import { Tensor } from '../tensor.js';
import { checkDelimiter, readCsvRecords, type CsvRecord } from './csv-records.js';
import { sniffDelimiter } from './csv-sniff.js';

export { readCsvRecords, type CsvRecord };

/**
 * CSV text → feature matrix and target. Browser-safe (no file access; loadCsv in csv-node.ts reads files).
 * Records come from readCsvRecords (RFC 4180, csv-records.ts); values are trimmed before they are interpreted.
 */

export interface CsvOptions {
  /**
   * Whether the first non-blank line names the columns. 'auto' (default): it does unless every field in it is a
   * number, in which case it is read as data (and `notes` says so). false names the columns column1, column2, ...
   */
  header?: boolean | 'auto';
  /** one character, or 'auto' (default): comma, semicolon or tab, whichever splits the first lines evenly */
  delimiter?: string;
  /**
   * The target column, by header name or index (negative counts from the end). Default: the last column.
   * null: no target, every column is a feature. Indices count the file's columns, a dropped index column included.
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
  /**
   * A first column with no name (or pandas' "Unnamed: 0") and distinct values is the row index that pandas'
   * `to_csv()` writes; it is dropped, and `notes` says so. true keeps it as a feature. Default false.
   */
  keepIndexColumn?: boolean;
}

export const csvOptionKeys: OptionKeys<CsvOptions> = {
  header: true, delimiter: true, target: true, targetType: true, classNames: true, keepIndexColumn: true,
};

/** A CSV read without a target column (options.target: null). */
export interface CsvFeatures {
  /** [rows, features] */
  x: Tensor;
  featureNames: string[];
  /** what the reader decided on its own (a dropped index column, a first line read as data), for the user */
  notes: string[];
  /** the delimiter used (the detected one when options.delimiter was 'auto') */
  delimiter: string;
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

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Cells that mean "no value" (pandas' and R's spellings of NaN and NA). Read as a number they would slip through
 * as NaN, and as a class they would silently become one more class; either way the row is incomplete.
 */
const MISSING = new Set(['', 'NaN', 'nan', '-NaN', '-nan', 'NA', 'N/A', 'n/a', '#N/A', '<NA>', 'NULL', 'null']);

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

/** A leading column with no name (or pandas' "Unnamed: 0") and distinct values: the index pandas writes. */
function isIndexColumn(names: string[], rows: CsvRecord[]): boolean {
  if (names.length < 2 || (names[0] !== '' && names[0] !== 'Unnamed: 0')) return false;
  const seen = new Set<string>();
  for (const r of rows) {
    const v = r.fields[0]!.trim();
    if (MISSING.has(v) || seen.has(v)) return false;
    seen.add(v);
  }
  return true;
}

function preview(rows: CsvRecord[]): string {
  const head = rows.slice(0, 3).map((r) => r.fields[0]!.trim());
  return head.join(', ') + (rows.length > 3 ? ', …' : '');
}

/** Parse CSV text into features x [rows, features] and the target column (see CsvOptions). */
export function parseCsv(text: string, options: CsvOptions & { target: null }): CsvFeatures;
export function parseCsv(text: string, options?: CsvOptions): CsvData;
export function parseCsv(text: string, options: CsvOptions = {}): CsvFeatures | CsvData {
  checkOptions('parseCsv: options', options, csvOptionKeys);
  const headerOption = options.header ?? 'auto';
  if (headerOption !== true && headerOption !== false && headerOption !== 'auto') {
    throw new TypeError(`parseCsv: options.header must be true, false or 'auto', got ${JSON.stringify(headerOption)}`);
  }
  const delimiter = options.delimiter ?? 'auto';
  const targetType = options.targetType ?? 'auto';
  if (!['auto', 'numeric', 'class'].includes(targetType)) {
    throw new RangeError(`parseCsv: options.targetType must be 'auto', 'numeric' or 'class', got ${JSON.stringify(targetType)}`);
  }
  if (options.keepIndexColumn !== undefined && typeof options.keepIndexColumn !== 'boolean') {
    throw new TypeError(`parseCsv: options.keepIndexColumn must be a boolean, got ${JSON.stringify(options.keepIndexColumn)}`);
  }
  if (typeof text !== 'string') throw new TypeError('parseCsv: text must be a string');
  const used = delimiter === 'auto' ? sniffDelimiter(text) : checkDelimiter(delimiter);
  const notes: string[] = [];

  const records = readCsvRecords(text, used);
  if (records.length === 0) throw new RangeError('parseCsv: the text holds no rows');
  const width = records[0]!.fields.length;
  let header = headerOption === true;
  if (headerOption === 'auto') {
    header = !records[0]!.fields.every((f) => NUMBER.test(f.trim()));
    if (!header) {
      notes.push(`line ${records[0]!.line} holds only numbers, so it is read as data, not as column names (header: true reads it as names)`);
    }
  }
  const names = header ? records[0]!.fields.map((n) => n.trim()) : Array.from({ length: width }, (_, c) => `column${c + 1}`);
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) throw new RangeError('parseCsv: the text holds a header but no data rows');
  for (const r of rows) {
    if (r.fields.length !== width) {
      const hint = width === 1 ? `; is the delimiter ${JSON.stringify(used)} right?` : '';
      throw new RangeError(`parseCsv: line ${r.line} has ${r.fields.length} fields, expected ${width} like the first line${hint}`);
    }
  }

  const targetCol = resolveTarget(options.target, names, header);
  let dropped: number | undefined;
  if (header && !options.keepIndexColumn && targetCol !== 0 && isIndexColumn(names, rows)) {
    dropped = 0;
    const name = names[0] === '' ? 'has no name' : `is named ${JSON.stringify(names[0])}`;
    notes.push(`column 1 ${name} and distinct values (${preview(rows)}): read as the row index pandas' to_csv() writes, and dropped (keepIndexColumn: true keeps it)`);
  }
  const featureCols = names.map((_, c) => c).filter((c) => c !== targetCol && c !== dropped);
  if (featureCols.length === 0) throw new RangeError('parseCsv: no feature columns left besides the target');

  const where = (r: number, c: number) => `column "${names[c]}" at line ${rows[r]!.line} (row ${r} of x)`;
  const readNumber = (r: number, c: number, role: string): number => {
    const raw = rows[r]!.fields[c]!.trim();
    if (MISSING.has(raw)) {
      const what = raw === '' ? 'missing value' : `missing value ${JSON.stringify(raw)}`;
      throw new RangeError(`parseCsv: ${what} in ${role} ${where(r, c)}; fill or drop incomplete rows first`);
    }
    if (!NUMBER.test(raw)) {
      const hint = role === 'feature' ? '; feature columns must be numbers (make it the target if it holds class names)' : '';
      const comma = used !== ',' && /^[+-]?\d+,\d+$/.test(raw) ? '; it looks like a decimal comma: write 1.5, not 1,5' : '';
      throw new RangeError(`parseCsv: non-numeric value ${JSON.stringify(raw)} in ${role} ${where(r, c)}${comma || hint}`);
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
  const features: CsvFeatures = {
    x: new Tensor(x, [rows.length, featureCols.length]),
    featureNames: featureCols.map((c) => names[c]!),
    notes,
    delimiter: used,
  };
  if (targetCol === null) return features;
  const targetName = names[targetCol]!;

  if (targetType === 'numeric' && options.classNames !== undefined) {
    throw new RangeError("parseCsv: options.classNames makes the target a class column, but options.targetType is 'numeric'");
  }
  const values = rows.map((r) => r.fields[targetCol]!.trim());
  // Missing cells do not decide the column's kind: a numeric target with a hole must report the hole.
  const allNumeric = values.every((v) => MISSING.has(v) || NUMBER.test(v));
  const asClasses = targetType === 'class' || (targetType === 'auto' && (options.classNames !== undefined || !allNumeric));
  if (!asClasses) {
    return { ...features, targetName, y: Float32Array.from(values, (_, r) => readNumber(r, targetCol, 'target')) };
  }
  const known = new Set(options.classNames ?? []);
  const missing = values.findIndex((v) => MISSING.has(v) && !known.has(v));
  if (missing >= 0) {
    const what = values[missing] === '' ? 'missing class' : `missing class ${JSON.stringify(values[missing])}`;
    throw new RangeError(`parseCsv: ${what} in target ${where(missing, targetCol)}; fill or drop incomplete rows first`);
  }
  let classNames: string[];
  if (options.classNames !== undefined) {
    if (!Array.isArray(options.classNames) || options.classNames.some((n) => typeof n !== 'string') || new Set(options.classNames).size !== options.classNames.length) {
      throw new TypeError('parseCsv: options.classNames must be an array of distinct strings');
    }
    classNames = [...options.classNames];
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
