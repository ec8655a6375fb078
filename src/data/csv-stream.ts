/**
 * nn.csvBatches and nn.csvStats: a CSV file (plain or gzipped) read in pieces. Node only. Memory holds one piece
 * of text (about 1 MB) and the rows being batched, never the file, so files much larger than memory train.
 *
 * The file's pieces and rows are csv-file.ts's business. Values: every column but the target is a number; the target is a
 * number, or a class name when options.classNames lists the classes (a stream cannot collect them before it has
 * read everything: csvStats does that in one pass, with the feature means and deviations for standardising).
 */
import { checkOptions, type OptionKeys } from '../errors.js';
import { Batcher, floatRows } from './batcher.js';
import { CsvFile, NUMBER, PieceRows, type CsvStreamFormat, type TargetMode } from './csv-file.js';
import { BATCH_OPTION_KEYS, BatchStream, parseBatchOptions, type BatchOptions, type StreamBatch } from './stream.js';

export type { CsvStreamFormat } from './csv-file.js';
export { pieceRecords, recordsEnd } from './csv-pieces.js';

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

const MAX_DISTINCT = 1000;

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
    const batcher = new Batcher(floatRows(f), this.options, epoch);
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
