/** What `neurite train` trains on: an embedded or packaged data set, image files in --dir, or a CSV file. */
import * as nn from '../index.js';
import { asFlagError, csvOptions, plural, resolveDataFile, type CsvFlags } from './flags.js';

export const DATASETS = ['iris', 'mnist', 'fashion-mnist'] as const;

export interface Prepared {
  xTrain: nn.Tensor;
  yTrain: nn.Tensor | Float32Array;
  xTest: nn.Tensor;
  yTest: nn.Tensor | Float32Array;
  classes?: string[];
  features: number;
  /** first lines of the run's output: what is read, and anything decided on the user's behalf */
  description: string[];
  standardization?: { mean: number[]; std: number[] };
  image: boolean;
}

export type DataFlags = CsvFlags & { dataset?: string; dir?: string; data?: string; target?: string; task?: string };

function images(dataset: 'mnist' | 'fashion-mnist', dir: string | undefined): Prepared {
  let data: nn.MnistData;
  let what: string;
  try {
    if (dataset === 'mnist' && dir === undefined) {
      data = nn.loadMnistSample();
      what = 'mnist (the sample that ships with neurite; --dir DIR reads the full 70,000 from their IDX files)';
    } else {
      data = dataset === 'mnist' ? nn.loadMnist(dir) : nn.loadFashionMnist(dir);
      what = `${dataset} (${dir ?? nn.FASHION_MNIST_DIR})`;
    }
  } catch (err) {
    throw asFlagError(err, dir === undefined ? '--dataset fashion-mnist:' : '--dir:');
  }
  const [rows, cols] = data.imageShape;
  return {
    xTrain: data.train.x,
    yTrain: Float32Array.from(data.train.labels),
    xTest: data.test.x,
    yTest: Float32Array.from(data.test.labels),
    classes: data.classNames,
    features: rows * cols,
    description: [`${what}: ${plural(data.train.x.shape[0]!, 'training image')} and ${plural(data.test.x.shape[0]!, 'test image')} (${rows}×${cols}, pixels / 255)`],
    image: true,
  };
}

/** A numeric target with few distinct integer values is almost always a class label. */
export function guessTask(y: ArrayLike<number>): 'classification' | 'regression' {
  const distinct = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i])) return 'regression';
    distinct.add(y[i]!);
    if (distinct.size > 20) return 'regression';
  }
  return 'classification';
}

function readCsv(values: DataFlags, description: string[]) {
  const { path, note } = resolveDataFile(values.data!);
  if (note) description.push(note);
  const options = csvOptions(values);
  const target = values.target;
  try {
    return nn.loadCsv(path, { ...options, target });
  } catch (err) {
    // --target 3: a column number, unless the header has a column named "3"
    if (target !== undefined && /^-?\d+$/.test(target) && /is not a column/.test((err as Error).message)) {
      try {
        return nn.loadCsv(path, { ...options, target: Number(target) });
      } catch (err2) {
        throw asFlagError(err2, '--data');
      }
    }
    throw asFlagError(err, '--data');
  }
}

export function prepare(values: DataFlags, seed: number, testSplit: number): Prepared {
  if (values.dataset !== undefined && values.data !== undefined) throw new Error('--dataset and --data: give one or the other');
  const dataset = values.dataset ?? (values.data !== undefined ? 'csv' : 'iris');
  if (dataset !== 'csv' && !(DATASETS as readonly string[]).includes(dataset)) {
    throw new Error(`--dataset: expected ${DATASETS.join(', ')} (or --data FILE.csv), got '${dataset}'`);
  }
  if (values.dir !== undefined && dataset !== 'mnist' && dataset !== 'fashion-mnist') {
    throw new Error('--dir: only for --dataset mnist or fashion-mnist (the folder of their IDX files)');
  }
  if (dataset === 'mnist' || dataset === 'fashion-mnist') return images(dataset, values.dir);

  let x: nn.Tensor;
  let y: Float32Array;
  let classes: string[] | undefined;
  const description: string[] = [];
  if (dataset === 'iris') {
    const iris = nn.loadIris();
    x = iris.x;
    y = Float32Array.from(iris.labels);
    classes = iris.classNames;
    description.push('iris (embedded): 150 flowers, 4 measurements, 3 species');
  } else {
    const csv = readCsv(values, description);
    x = csv.x;
    const task = values.task ?? (csv.classNames ? 'classification' : guessTask(csv.y));
    if (task !== 'classification' && task !== 'regression') throw new Error(`--task: expected classification or regression, got '${task}'`);
    if (task === 'regression' && csv.classNames) {
      throw new Error(`--task regression: the target '${csv.targetName}' holds class names (${csv.classNames.slice(0, 3).join(', ')}, …), not numbers`);
    }
    y = Float32Array.from(csv.y);
    if (task === 'classification') {
      classes = csv.classNames ?? [...new Set(Array.from(y))].sort((a, b) => a - b).map(String);
      if (!csv.classNames) y = Float32Array.from(y, (v) => classes!.indexOf(String(v)));
    }
    const separated = csv.delimiter === ',' ? '' : ` (${csv.delimiter === '\t' ? 'tab' : `'${csv.delimiter}'`}-separated)`;
    description.unshift(
      `${values.data}${separated}: ${plural(x.shape[0]!, 'row')}, ${plural(x.shape[1]!, 'feature')}, target '${csv.targetName}'` +
        (classes ? ` (${plural(classes.length, 'class', 'classes')})` : ' (regression)'),
    );
    description.push(...csv.notes.map((n) => `note: ${asFlagError(new Error(n)).message}`));
  }
  const split = nn.trainTestSplit(x, y, { testSize: testSplit, seed, stratify: classes !== undefined });
  // Standardise with the training set's statistics only: the test set must stay unseen.
  const scaler = nn.standardScaler().fit(split.xTrain);
  return {
    xTrain: scaler.transform(split.xTrain),
    yTrain: split.yTrain,
    xTest: scaler.transform(split.xTest),
    yTest: split.yTest,
    classes,
    features: x.shape[1]!,
    description,
    standardization: { mean: Array.from(scaler.mean), std: Array.from(scaler.std) },
    image: false,
  };
}
