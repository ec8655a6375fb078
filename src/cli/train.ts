import { parseArgs, type ParseArgsConfig } from 'node:util';
import * as nn from '../index.js';
import type { BackendChoice } from '../backends/registry.js';
import { DATASETS, prepare, type Prepared } from './datasets.js';
import { asFlagError, choiceOption, intOption, numOption, plural } from './flags.js';
import { ProgressBar } from './progress.js';
import { unknownName } from '../errors.js';
import { prepareStream, type StreamPrepared } from './train-stream.js';
import { activationAliases } from '../activations.js';

/** Every activation but softmax (output layers only), and the aliases nn.dense accepts ('silu'). */
const HIDDEN_ACTIVATIONS = [...nn.activationNames.filter((a) => a !== 'softmax'), ...(Object.keys(activationAliases) as (keyof typeof activationAliases)[])];

/** A list for the help text, wrapped under its flag's description column. */
function wrapList(items: readonly string[]): string {
  const lines: string[] = [''];
  for (const item of items) {
    const last = lines.length - 1;
    const piece = `${lines[last] === '' ? '' : ' '}${item},`;
    if (lines[last]!.length + piece.length > 62 && lines[last] !== '') lines.push(`${item},`);
    else lines[last] += piece;
  }
  return lines.join(`\n${' '.repeat(23)}`).slice(0, -1);
}

export const trainHelp = `Train options:
  --dataset NAME       iris (default, embedded); mnist (handwritten digits: 10,000 ship with neurite);
                       fashion-mnist (from ${nn.FASHION_MNIST_DIR}, apt-get install dataset-fashion-mnist)
  --dir DIR            with --dataset mnist or fashion-mnist: the folder of the four IDX files
                       (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
                       t10k-labels-idx1-ubyte, each plain or .gz); for mnist, the full 60,000 + 10,000
  --data FILE.csv      train on a CSV file instead: numeric feature columns and a target column.
                       iris.csv ships with neurite: --data iris.csv works from any folder
  --target COLUMN      the CSV column to predict, by name or number (0 = the first; default: the last)
  --task KIND          classification | regression (default: guessed from the target)
  --header             the first line names the columns (default: it does, unless it is all numbers)
  --no-header          the first line is data; columns are named column1, column2, ...
  --delimiter CHAR     , ; tab (or any one character; default: detected from the first lines)
  --keep-index         keep a leading unnamed index column (pandas to_csv) as a feature; default: dropped
  --layers 16,8        hidden layer sizes (default 16,8; 256,128 for image sets; '' for none)
  --activation NAME    hidden activation (default relu): ${wrapList(HIDDEN_ACTIVATIONS)}
  --epochs N           passes over the training set (default 100; 10 for image sets)
  --batch-size N       samples per gradient step (default 16; 128 for image sets)
  --lr X               learning rate (default 0.01; 0.001 for image sets)
  --optimizer NAME     sgd (with momentum 0.9), adam, adamw, nadam, rmsprop, adagrad (default adam)
  --dropout RATE       dropout after each hidden layer, in [0, 1) (default 0)
  --seed N             makes the run repeatable (default 1)
  --test-split F       fraction of a CSV or Iris held out for the test accuracy, stratified (default 0.2);
                       image sets come with their own test set
  --backend NAME       auto, native, wasm, ts (default auto: native, else wasm, else ts)
  --stream             read the CSV or IDX files in pieces while training: for data larger than memory
  --save PATH          save the trained model (safetensors + architecture) for neurite predict
  --quiet              only print the final line
  -h, --help           this help`;

export const TRAIN_OPTIONS = {
  dataset: { type: 'string' },
  dir: { type: 'string' },
  data: { type: 'string' },
  target: { type: 'string' },
  task: { type: 'string' },
  header: { type: 'boolean' },
  'no-header': { type: 'boolean' },
  delimiter: { type: 'string' },
  'keep-index': { type: 'boolean' },
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
} as const;

const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'nadam', 'rmsprop', 'adagrad'] as const;
export const BACKENDS = ['auto', 'native', 'wasm', 'ts'] as const;

/**
 * parseArgs with its errors in the API's words: an unknown flag is named with the nearest accepted one and the
 * whole list, as an unknown option key is ("train: unknown flag '--epoch' (did you mean '--epochs'?); ...").
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const flag = /'(-[^']*)'/.exec((err as Error).message)?.[1];
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      unknownName(command, 'flag', flag, Object.keys(options).map((name) => `--${name}`));
    }
    const m = (err as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, '');
    throw new Error(`${m} (neurite help ${command} lists the options)`);
  }
}

export async function runTrain(argv: string[]): Promise<number> {
  const values = parseFlags(argv, TRAIN_OPTIONS, 'train');
  if (values.help) {
    console.log(trainHelp);
    return 0;
  }
  const say = values.quiet ? () => {} : (s: string) => console.log(s);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (values.seed?.trim() === '' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`--seed: expected an integer in [0, 2^32), got '${values.seed}'`);
  }
  const testSplit = numOption('test-split', values['test-split'], 0.2, 0.01, 1);
  const backend: BackendChoice = choiceOption('backend', values.backend, 'auto', BACKENDS);
  const activation = choiceOption('activation', values.activation, 'relu', HIDDEN_ACTIVATIONS);
  const optimizerName = choiceOption('optimizer', values.optimizer, 'adam', OPTIMIZERS);
  const rate = numOption('dropout', values.dropout, 0, 0, 1);
  if (values.dataset !== undefined && !(DATASETS as readonly string[]).includes(values.dataset)) {
    throw new Error(`--dataset: expected ${DATASETS.join(', ')} (or --data FILE.csv), got '${values.dataset}'`);
  }
  const image = values.dataset === 'mnist' || values.dataset === 'fashion-mnist';
  const hidden = (values.layers ?? (image ? '256,128' : '16,8')).split(',').filter((s) => s.trim() !== '').map((s) => intOption('layers', s.trim(), 0));
  const epochs = intOption('epochs', values.epochs, image ? 10 : 100);
  const batchSize = intOption('batch-size', values['batch-size'], image ? 128 : 16);
  const lr = numOption('lr', values.lr, image ? 0.001 : 0.01, 1e-12, Infinity);

  try {
    if (backend === 'wasm' || backend === 'auto') await nn.ready(backend);
  } catch (err) {
    throw asFlagError(err, '--backend:');
  }
  const data: Prepared | StreamPrepared = values.stream ? await prepareStream(values, seed, testSplit) : prepare(values, seed, testSplit);
  const classes = data.classes;
  let model: nn.Sequential;
  try {
    const layers: nn.LayerConfig[] = [];
    hidden.forEach((units, i) => {
      layers.push(nn.dense(units, { inputShape: i === 0 ? [data.features] : undefined, activation }));
      if (rate > 0) layers.push(nn.dropout(rate));
    });
    const outUnits = classes ? classes.length : 1;
    layers.push(nn.dense(outUnits, { inputShape: hidden.length === 0 ? [data.features] : undefined, activation: classes ? 'softmax' : 'linear' }));
    model = nn.sequential(layers, { backend, seed });
    const makers = { sgd: (o: { learningRate: number }) => nn.sgd({ ...o, momentum: 0.9 }), adam: nn.adam, adamw: nn.adamw, nadam: nn.nadam, rmsprop: nn.rmsprop, adagrad: nn.adagrad };
    model.compile({
      optimizer: makers[optimizerName]({ learningRate: lr }),
      loss: classes ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
      metrics: classes ? ['accuracy'] : [],
    });
  } catch (err) {
    throw asFlagError(err);
  }

  for (const line of [data.description].flat()) say(line);
  if (!values.quiet) model.summary(say);
  say(`training on '${model.backend}' for ${plural(epochs, 'epoch')}, batch ${batchSize}, ${optimizerName} lr ${lr}, seed ${seed}`);

  await fitWithProgress(model, data, { epochs, batchSize, quiet: Boolean(values.quiet), say });

  const result = 'stream' in data ? await model.evaluateDataset(data.stream.test()) : await model.evaluate(data.xTest, data.yTest);
  if (values.save) {
    // the class names and the training set's statistics travel with the weights, so `neurite predict` can use them
    await model.save(values.save, { classNames: data.classes, standardization: data.standardization });
    say(`saved to ${values.save}`);
  }
  model.dispose();
  console.log(classes ? `test accuracy: ${result.accuracy!.toFixed(4)}` : `test mse: ${result.loss.toFixed(4)}`);
  return 0;
}

/** fit with a progress bar; Ctrl-C stops training and the run goes on to evaluate the model as it is. */
async function fitWithProgress(model: nn.Sequential, data: Prepared | StreamPrepared, o: { epochs: number; batchSize: number; quiet: boolean; say: (s: string) => void }) {
  const { epochs, batchSize, quiet } = o;
  const bar = new ProgressBar();
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const trainCount = 'stream' in data ? data.stream.trainRows : data.xTrain.shape[0]!;
  let epochStart = performance.now();
  try {
    const fitOptions: nn.FitDatasetOptions & nn.FitOptions = {
      epochs,
      signal: controller.signal,
      callbacks: {
        onEpochBegin: () => {
          epochStart = performance.now();
        },
        onBatchEnd: (batch, logs) => {
          const seen = Math.min((batch + 1) * batchSize, trainCount);
          if (!quiet) bar.update(logs.epoch, epochs, batch + 1, logs.batches, `loss ${logs.loss.toFixed(4)} ${rateText(seen, epochStart)}`);
        },
        onEpochEnd: (epoch, logs) => {
          const acc = logs.accuracy !== undefined ? ` accuracy ${logs.accuracy.toFixed(4)}` : '';
          if (!quiet) bar.finish(epoch, epochs, `loss ${logs.loss.toFixed(4)}${acc} ${rateText(trainCount, epochStart)}`);
        },
      },
    };
    await ('stream' in data ? model.fitDataset(data.stream.train(batchSize), fitOptions) : model.fit(data.xTrain, data.yTrain, { ...fitOptions, batchSize }));
  } catch (err) {
    if (!(err instanceof nn.AbortError)) throw err;
    o.say('\nstopped: evaluating the model as trained so far');
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function rateText(samples: number, since: number): string {
  const s = (performance.now() - since) / 1000;
  return s > 0 ? `${Math.round(samples / s).toLocaleString('en-US')} samples/s` : '';
}
