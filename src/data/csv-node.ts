import { readFileSync } from 'node:fs';
import { checkOptions, fileErrorReason } from '../errors.js';
import { csvOptionKeys, parseCsv, type CsvData, type CsvFeatures, type CsvOptions } from './csv.js';

/** Read a UTF-8 CSV file and parse it with parseCsv (Node only). Errors name the file. */
export function loadCsv(path: string, options: CsvOptions & { target: null }): CsvFeatures;
export function loadCsv(path: string, options?: CsvOptions): CsvData;
export function loadCsv(path: string, options?: CsvOptions): CsvFeatures | CsvData {
  checkOptions('loadCsv: options', options, csvOptionKeys); // before the file is read: a typo costs no I/O
  if (typeof path !== 'string' || path === '') throw new TypeError('loadCsv: path must be a non-empty string');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`loadCsv: cannot read ${path}: ${fileErrorReason(err)}`, { cause: err });
  }
  try {
    return parseCsv(text, options);
  } catch (err) {
    const e = err as Error;
    e.message = e.message.replace(/^parseCsv: /, `loadCsv: ${path}: `);
    throw e;
  }
}
