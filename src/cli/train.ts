import { parseArgs } from 'node:util';
import * as nn from '../index.js';
import type { BackendChoice } from '../backends/registry.js';
import { ProgressBar } from './progress.js';
import { prepareStream, type StreamPrepared } from './train-stream.js';

export const trainHelp = `Train options:
  --dataset NAME       iris (default, embedded), fashion-mnist, mnist
  --data FILE.csv      train on a CSV file instead (header row; numeric features)
  --target COLUMN      the CSV column to predict (default: the last one)
  --task KIND          classification | regression (default: guessed from the target)
  --layers 16,8        hidden layer sizes (default 16,8; 256,128 for image sets)
  --activation NAME    hidden activation: relu, leakyRelu, sigmoid, tanh (default relu)
  --epochs N           passes over the training set (default 100; 10 for image sets)
  --batch-size N       samples per gradient step (default 16; 128 for image sets)
  --lr X               learning rate (default 0.01; 0.001 for image sets)
  --optimizer NAME     sgd, adam, adamw, rmsprop (default adam)
  --dropout RATE       dropout after each hidden layer, in [0, 1) (default 0)
  --seed N             makes the run repeatable (default 1)
  --test-split F       fraction held out for the test accuracy (default 0.2)
  --backend NAME       auto, native, wasm, ts (default auto)
  --stream             read the CSV or IDX files in pieces while training: for data larger than memory
  --save PATH          save the trained model (safetensors + architecture)
  --quiet              only print the final line`;

interface Prepared {
  xTrain: nn.Tensor;
  yTrain: nn.Tensor | Float32Array;
  xTest: nn.Tensor;
  yTest: nn.Tensor | Float32Array;
  classes?: string[];
  features: number;
  description: string;
  standardization?: { mean: number[]; std: number[] };
  image: boolean;
}

function intOption(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer, got '${v}'`);
  return n;
}

function numOption(name: string, v: string | undefined, fallback: number, lo: number, hi: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < lo || n >= hi) throw new Error(`--${name}: expected a number in [${lo}, ${hi}), got '${v}'`);
  return n;
}

async function prepare(values: Record<string, string | boolean | undefined>, seed: number, testSplit: number): Promise<Prepared> {
  const dataset = (values.dataset as string | undefined) ?? (values.data ? 'csv' : 'iris');
  if (dataset === 'fashion-mnist' || dataset === 'mnist') {
    const data = dataset === 'mnist' ? await nn.loadMnist(values.dir as string | undefined) : await nn.loadFashionMnist(values.dir as string | undefined);
    return {
      xTrain: data.train.x,
      yTrain: Float32Array.from(data.train.labels),
      xTest: data.test.x,
      yTest: Float32Array.from(data.test.labels),
      classes: data.classNames,
      features: 784,
      description: `${dataset}: ${data.train.x.shape[0]} training and ${data.test.x.shape[0]} test images (28×28, pixels / 255)`,
      image: true,
    };
  }
  let x: nn.Tensor;
  let y: Float32Array;
  let classes: string[] | undefined;
  let description: string;
  if (dataset === 'iris') {
    const iris = nn.loadIris();
    x = iris.x;
    y = Float32Array.from(iris.labels);
    classes = iris.classNames;
    description = 'iris (embedded): 150 flowers, 4 measurements, 3 species';
  } else if (dataset === 'csv') {
    const path = values.data as string | undefined;
    if (!path) throw new Error('--data: expected a CSV file path');
    const csv = await nn.loadCsv(path, { target: values.target as string | undefined });
    x = csv.x;
    const task = (values.task as string | undefined) ?? (csv.classNames ? 'classification' : guessTask(csv.y));
    if (task !== 'classification' && task !== 'regression') throw new Error(`--task: expected classification or regression, got '${task}'`);
    y = Float32Array.from(csv.y);
    if (task === 'classification') {
      classes = csv.classNames ?? [...new Set(Array.from(y))].sort((a, b) => a - b).map(String);
      if (!csv.classNames) y = Float32Array.from(y, (v) => classes!.indexOf(String(v)));
    }
    description = `${path}: ${x.shape[0]} rows, ${x.shape[1]} features, target '${csv.targetName}'`;
  } else {
    throw new Error(`--dataset: expected iris, fashion-mnist or mnist, got '${dataset}'`);
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

/** A numeric target with few distinct integer values is almost always a class label. */
function guessTask(y: ArrayLike<number>): 'classification' | 'regression' {
  const distinct = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i])) return 'regression';
    distinct.add(y[i]!);
    if (distinct.size > 20) return 'regression';
  }
  return 'classification';
}

export async function runTrain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      dataset: { type: 'string' },
      dir: { type: 'string' },
      data: { type: 'string' },
      target: { type: 'string' },
      task: { type: 'string' },
      layers: { type: 'string' },
      activation: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      optimizer: { type: 'string' },
      dropout: { type: 'string' },
      seed: { type: 'string' },
      'test-split': { type: 'string' },
      backend: { type: 'string' },
      save: { type: 'string' },
      quiet: { type: 'boolean' },
      stream: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(trainHelp);
    return 0;
  }
  const say = values.quiet ? () => {} : (s: string) => console.log(s);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed: expected an integer in [0, 2^32), got '${values.seed}'`);
  const testSplit = numOption('test-split', values['test-split'], 0.2, 0.01, 1);
  const backend = (values.backend ?? 'auto') as BackendChoice;
  if (backend === 'wasm' || backend === 'auto') await nn.ready(backend);

  const data: Prepared | StreamPrepared = values.stream ? await prepareStream(values, seed, testSplit) : await prepare(values, seed, testSplit);
  const big = data.image;
  const hidden = (values.layers ?? (big ? '256,128' : '16,8')).split(',').filter(Boolean).map((s) => intOption('layers', s.trim(), 0));
  const activation = (values.activation ?? 'relu') as nn.ActivationName;
  const epochs = intOption('epochs', values.epochs, big ? 10 : 100);
  const batchSize = intOption('batch-size', values['batch-size'], big ? 128 : 16);
  const lr = numOption('lr', values.lr, big ? 0.001 : 0.01, 1e-12, Infinity);
  const rate = numOption('dropout', values.dropout, 0, 0, 1);
  const optimizerName = values.optimizer ?? 'adam';
  const makers: Record<string, (o: { learningRate: number }) => nn.Optimizer> = { sgd: (o) => nn.sgd({ ...o, momentum: 0.9 }), adam: nn.adam, adamw: nn.adamw, rmsprop: nn.rmsprop };
  const makeOptimizer = makers[optimizerName];
  if (!makeOptimizer) throw new Error(`--optimizer: expected sgd, adam, adamw or rmsprop, got '${optimizerName}'`);

  const classes = data.classes;
  const layers: nn.LayerConfig[] = [];
  hidden.forEach((units, i) => {
    layers.push(nn.dense(units, { inputShape: i === 0 ? [data.features] : undefined, activation }));
    if (rate > 0) layers.push(nn.dropout(rate));
  });
  const outUnits = classes ? classes.length : 1;
  layers.push(nn.dense(outUnits, { inputShape: hidden.length === 0 ? [data.features] : undefined, activation: classes ? 'softmax' : 'linear' }));
  const model = nn.sequential(layers, { backend, seed });
  model.compile({
    optimizer: makeOptimizer({ learningRate: lr }),
    loss: classes ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
    metrics: classes ? ['accuracy'] : [],
  });

  say(data.description);
  if (!values.quiet) model.summary(say);
  say(`training on '${model.backend}' for ${epochs} epochs, batch ${batchSize}, ${optimizerName} lr ${lr}, seed ${seed}`);

  const bar = new ProgressBar();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const trainCount = 'stream' in data ? data.stream.trainRows : data.xTrain.shape[0]!;
  let epochStart = performance.now();
  let seen = 0;
  try {
    const fitOptions: nn.FitDatasetOptions & nn.FitOptions = {
      epochs,
      signal: controller.signal,
      callbacks: {
        onEpochBegin: () => {
          epochStart = performance.now();
          seen = 0;
        },
        onBatchEnd: (batch, logs) => {
          seen = Math.min((batch + 1) * batchSize, trainCount);
          if (!values.quiet) bar.update(logs.epoch, epochs, batch + 1, logs.batches, `loss ${logs.loss.toFixed(4)} ${rateText(seen, epochStart)}`);
        },
        onEpochEnd: (epoch, logs) => {
          const acc = logs.accuracy !== undefined ? ` accuracy ${logs.accuracy.toFixed(4)}` : '';
          if (!values.quiet) bar.finish(epoch, epochs, `loss ${logs.loss.toFixed(4)}${acc} ${rateText(trainCount, epochStart)}`);
        },
      },
    };
    await ('stream' in data ? model.fitDataset(data.stream.train(batchSize), fitOptions) : model.fit(data.xTrain, data.yTrain, { ...fitOptions, batchSize }));
  } catch (err) {
    if (!(err instanceof nn.AbortError)) throw err;
    say('\nstopped: evaluating the model as trained so far');
  } finally {
    process.off('SIGINT', onSigint);
  }

  const result = 'stream' in data ? await model.evaluateDataset(data.stream.test()) : await model.evaluate(data.xTest, data.yTest);
  if (values.save) {
    await saveModel(model, values.save, data);
    say(`saved to ${values.save}`);
  }
  model.dispose();
  if (classes) {
    console.log(`test accuracy: ${result.accuracy!.toFixed(4)}`);
  } else {
    console.log(`test mse: ${result.loss.toFixed(4)}`);
  }
  return 0;
}

function rateText(samples: number, since: number): string {
  const s = (performance.now() - since) / 1000;
  return s > 0 ? `${Math.round(samples / s).toLocaleString('en-US')} samples/s` : '';
}

async function saveModel(model: nn.Sequential, path: string, data: Pick<Prepared, 'classes' | 'standardization'>): Promise<void> {
  // the class names and the training set's statistics travel with the weights, so `neurite predict` can use them
  await model.save(path, { classNames: data.classes, standardization: data.standardization });
}
