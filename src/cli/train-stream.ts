/**
 * `neurite train --stream`: the training and test data read in pieces (nn.csvBatches, nn.idxBatches) rather than
 * loaded, so a CSV or IDX file larger than memory trains. What train.ts needs from here is the same description
 * of the data as its in-memory path gives, with the two sets as sources for fitDataset / evaluateDataset.
 *
 * CSV: one pass first (nn.csvStats) finds the rows, the target's values and the features' mean and deviation;
 * the test rows are a seeded random fraction (each row by a hash of its index, so no pass has to hold them),
 * and features are standardised with the whole file's statistics. IDX: the data set's own train and test files.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as nn from '../index.js';
import { rngKey, rngUniform, Stream } from '../rng.js';

/** Rows held in the training stream's shuffle buffer (7.7 MB of 28×28 images). */
const SHUFFLE_BUFFER = 10_000;

export interface StreamData {
  /** the training batches, shuffled through a buffer with the run's seed */
  train(batchSize: number): nn.DatasetSource;
  test(): nn.DatasetSource;
  trainRows: number;
}

export interface StreamPrepared {
  stream: StreamData;
  classes?: string[];
  features: number;
  description: string;
  standardization?: { mean: number[]; std: number[] };
  image: boolean;
}

type Values = Record<string, string | boolean | undefined>;

export async function prepareStream(values: Values, seed: number, testSplit: number): Promise<StreamPrepared> {
  const dataset = (values.dataset as string | undefined) ?? (values.data ? 'csv' : undefined);
  if (dataset === 'mnist' || dataset === 'fashion-mnist') return idxSet(dataset, values.dir as string | undefined, seed);
  if (dataset !== 'csv') throw new Error(`--stream: expected --data FILE.csv or --dataset mnist|fashion-mnist, got ${dataset ? `'${dataset}'` : 'neither'}`);
  return csvSet(values.data as string, values.target as string | undefined, values.task as string | undefined, seed, testSplit);
}

function idxSet(dataset: 'mnist' | 'fashion-mnist', dir: string | undefined, seed: number): StreamPrepared {
  const folder = dir ?? (dataset === 'fashion-mnist' ? nn.FASHION_MNIST_DIR : undefined);
  if (!folder) throw new Error('--dataset mnist: give the folder of the four IDX files with --dir');
  const file = (base: string) => {
    const found = [base, `${base}.gz`].map((name) => join(folder, name)).find((p) => existsSync(p));
    if (!found) throw new Error(`${join(folder, base)}(.gz): no such file`);
    return found;
  };
  const f = nn.MNIST_FILE_NAMES;
  const [trainImages, trainLabels, testImages, testLabels] = [f.trainImages, f.trainLabels, f.testImages, f.testLabels].map(file) as [string, string, string, string];
  const probe = nn.idxBatches(trainImages, trainLabels); // reads the headers: sizes and mismatches are reported now
  const test = nn.idxBatches(testImages, testLabels, { batchSize: 1024 });
  if (test.features !== probe.features) throw new Error(`${testImages}: images of ${test.imageShape.join('×')}, but the training images are ${probe.imageShape.join('×')}`);
  return {
    stream: {
      train: (batchSize) => nn.idxBatches(trainImages, trainLabels, { batchSize, shuffleBuffer: SHUFFLE_BUFFER, seed }),
      test: () => test,
      trainRows: probe.fileRows,
    },
    classes: [...(dataset === 'mnist' ? nn.MNIST_CLASS_NAMES : nn.FASHION_MNIST_CLASS_NAMES)],
    features: probe.features,
    description: `${dataset}, streamed from ${folder}: ${probe.fileRows} training and ${test.fileRows} test images (${probe.imageShape.join('×')}, pixels / 255)`,
    image: true,
  };
}

async function csvSet(path: string, target: string | undefined, task: string | undefined, seed: number, testSplit: number): Promise<StreamPrepared> {
  // --target is a name, or a column number as in the in-memory path's loadCsv
  const column = target !== undefined && /^-?\d+$/.test(target) ? Number(target) : target;
  const stats = await nn.csvStats(path, { target: column });
  const values = stats.targetValues;
  const kind = task ?? (!stats.numericTarget || (values !== undefined && values.length <= 20 && values.every((v) => Number.isInteger(Number(v)))) ? 'classification' : 'regression');
  if (kind !== 'classification' && kind !== 'regression') throw new Error(`--task: expected classification or regression, got '${kind}'`);
  if (kind === 'classification' && values === undefined) throw new Error(`${path}: the target '${stats.targetName}' has more than 1000 distinct values: too many classes`);
  if (kind === 'regression' && !stats.numericTarget) throw new Error(`${path}: --task regression needs a numeric target; '${stats.targetName}' holds names`);
  const classes = kind === 'classification' ? values : undefined;

  const key = rngKey(seed, Stream.data, 0x5e1ec7);
  const inTest = (row: number) => rngUniform(key, row) < testSplit;
  let trainRows = 0;
  for (let r = 0; r < stats.rows; r++) if (!inTest(r)) trainRows++;
  if (trainRows === 0 || trainRows === stats.rows) throw new Error(`--test-split: ${testSplit} of ${stats.rows} rows leaves one side empty`);
  const { mean, std } = stats;
  const read = (filter: (row: number) => boolean, options: nn.CsvBatchOptions, rows: number, batchSize: number): nn.DatasetSource => {
    const reader = nn.csvBatches(path, { ...options, target: column, classNames: classes, filter, batchSize });
    async function* standardized() {
      for await (const batch of reader) {
        const x = batch.xs.data;
        for (let i = 0; i < x.length; i++) x[i] = (x[i]! - mean[i % mean.length]!) / std[i % std.length]!;
        yield batch;
      }
    }
    return Object.assign(standardized, { batches: Math.ceil(rows / batchSize) });
  };
  return {
    stream: {
      train: (batchSize) => read((r) => !inTest(r), { shuffleBuffer: SHUFFLE_BUFFER, seed }, trainRows, batchSize),
      test: () => read(inTest, {}, stats.rows - trainRows, 1024),
      trainRows,
    },
    classes,
    features: stats.featureNames.length,
    description:
      `${path}, streamed: ${stats.rows} rows (${trainRows} to train, ${stats.rows - trainRows} to test), ${stats.featureNames.length} features, ` +
      `target '${stats.targetName}'; standardised with the whole file's mean and deviation`,
    standardization: { mean, std },
    image: false,
  };
}
