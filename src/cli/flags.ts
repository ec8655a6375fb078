/** Reading command-line values, and wording errors in terms of the flags the user typed. */
import { existsSync, readdirSync } from 'node:fs';
import { basename, isAbsolute, join, normalize } from 'node:path';
import type { CsvOptions } from '../data/csv.js';
import { packageFile } from '../data/package-files.js';

/** "1 epoch", "2 epochs", "1,000 rows". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? word : many}`;
}

export function intOption(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isInteger(n) || n <= 0) throw new Error(`--${flag}: expected a positive integer, got '${v}'`);
  return n;
}

export function numOption(flag: string, v: string | undefined, fallback: number, lo: number, hi: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < lo || n >= hi) throw new Error(`--${flag}: expected a number in [${lo}, ${hi}), got '${v}'`);
  return n;
}

export function choiceOption<T extends string>(flag: string, v: string | undefined, fallback: T, choices: readonly T[]): T {
  if (v === undefined) return fallback;
  if (!choices.includes(v as T)) {
    const list = choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` : choices[0];
    throw new Error(`--${flag}: expected ${list}, got '${v}'`);
  }
  return v as T;
}

/**
 * API argument names as the CLI spells them. The library's errors name its own arguments ("activation: expected
 * ..."); a user of the command line typed flags, so the message is reworded before it is shown.
 */
const FLAG_FOR: [RegExp, string][] = [
  [/\boptions\.target\b/g, '--target'],
  [/\boptions\.delimiter\b/g, '--delimiter'],
  [/\(keepIndexColumn: true keeps it\)/g, '(--keep-index keeps it)'],
  [/\(header: true reads it as names\)/g, '(--header reads it as names)'],
  [/, which needs header: true \(or give an index\)/g, ', which needs a header row (or give a column number, 0 = the first)'],
  [/and pass their directory\b/g, 'and give their folder with --dir'],
  [/^activation: /, '--activation: '],
  [/^(?:learningRate|learning rate): /, '--lr: '],
  [/^batchSize: /, '--batch-size: '],
  [/^epochs: /, '--epochs: '],
  [/^dropout rate: /, '--dropout: '],
  [/^units: /, '--layers: '],
  [/^seed: /, '--seed: '],
  [/^backend: /, '--backend: '],
];

export function flagMessage(message: string): string {
  let m = message;
  for (const [pattern, flag] of FLAG_FOR) m = m.replace(pattern, flag);
  return m;
}

/** Rethrows `err` with its message in flag terms, prefixed by `flag` when it does not name one yet. */
export function asFlagError(err: unknown, flag?: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  let m = flagMessage(e.message).replace(/^(?:loadCsv|parseCsv|loadMnist|loadFashionMnist): /, '');
  if (flag && !m.startsWith('--')) m = `${flag} ${m}`;
  e.message = m;
  return e;
}

export interface CsvFlags {
  header?: boolean | string;
  'no-header'?: boolean | string;
  delimiter?: string | boolean;
  'keep-index'?: boolean | string;
}

const DELIMITER_NAMES: Record<string, string> = { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t', pipe: '|', space: ' ' };

/** CSV reading options from --header / --no-header, --delimiter, --keep-index. */
export function csvOptions(values: CsvFlags): Pick<CsvOptions, 'header' | 'delimiter' | 'keepIndexColumn'> {
  if (values.header && values['no-header']) throw new Error('--header and --no-header: give one or the other');
  const options: Pick<CsvOptions, 'header' | 'delimiter' | 'keepIndexColumn'> = {};
  if (values.header) options.header = true;
  if (values['no-header']) options.header = false;
  if (typeof values.delimiter === 'string') {
    const d = DELIMITER_NAMES[values.delimiter] ?? values.delimiter;
    if (d.length !== 1 || d === '"' || d === '\n' || d === '\r') {
      throw new Error(`--delimiter: expected one character, or comma, semicolon, tab, pipe or space, got '${values.delimiter}'`);
    }
    options.delimiter = d;
  }
  if (values['keep-index']) options.keepIndexColumn = true;
  return options;
}

/** CSV files that ship in neurite's data/ folder. */
export function packagedCsvFiles(): string[] {
  try {
    return readdirSync(packageFile('data')).filter((f) => f.endsWith('.csv')).sort();
  } catch {
    return [];
  }
}

/**
 * The file `--data` names. A path that exists is used as it is. One that does not, but names a CSV file that ships
 * with neurite ("iris.csv" or "data/iris.csv", as the README writes it), is that file: after `npm install neurite`
 * it lives in node_modules/neurite/data, not in the user's folder. Returns the path and, if it was so resolved, a
 * note saying which file is read.
 */
export function resolveDataFile(path: string): { path: string; note?: string } {
  if (existsSync(path)) return { path };
  const name = basename(path);
  const asTyped = normalize(path);
  if (!isAbsolute(path) && (asTyped === name || asTyped === join('data', name)) && packagedCsvFiles().includes(name)) {
    const packaged = packageFile('data', name);
    return { path: packaged, note: `${path} is not in this folder: reading the copy that ships with neurite, ${packaged}` };
  }
  const shipped = packagedCsvFiles();
  const hint = shipped.length > 0 ? ` (neurite ships ${shipped.join(', ')}: --data ${shipped[0]} reads it)` : '';
  throw new Error(`--data: cannot read ${path}: no such file${hint}`);
}
