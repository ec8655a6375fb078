/**
 * Options objects: every public entry point that takes one refuses a key it does not read, naming the key, the
 * nearest accepted one and the full list, and accepts every key its list (and the docs) name. The key lists are
 * imported from where each options type is defined, so this table checks the lists the code really uses.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import {
  compileOptionKeys, evaluateOptionKeys, fitOptionKeys, predictOptionKeys, sequentialOptionKeys, trainOnBatchOptionKeys,
} from '../src/model.js';
import { saveOptionKeys } from '../src/io/save-options.js';
import { huberOptionKeys } from '../src/losses.js';
import { denseOptionKeys, dropoutOptionKeys } from '../src/layers.js';
import { regularizerKeys } from '../src/regularizers.js';
import { adagradOptionKeys, adamOptionKeys, adamwOptionKeys, nadamOptionKeys, rmspropOptionKeys, sgdOptionKeys } from '../src/optimizers.js';
import {
  cosineDecayOptionKeys, cosineDecayStepOptionKeys, exponentialDecayOptionKeys, exponentialDecayStepOptionKeys, stepDecayOptionKeys,
} from '../src/schedules.js';
import {
  csvLoggerOptionKeys, earlyStoppingOptionKeys, modelCheckpointOptionKeys, reduceLROnPlateauOptionKeys,
} from '../src/callbacks.js';
import { trainTestSplitOptionKeys } from '../src/data/split.js';
import { minMaxScalerOptionKeys } from '../src/data/normalize.js';
import { csvOptionKeys } from '../src/data/csv.js';
import { idxExpectationKeys } from '../src/data/idx.js';
import { mnistOptionKeys } from '../src/data/mnist.js';
import { loadOptionKeys } from '../src/io/build.js';
import { tfjsImportOptionKeys, tfjsLoadOptionKeys } from '../src/io/tfjs.js';
import { onnxExportOptionKeys } from '../src/io/onnx.js';
import { modelExtrasKeys } from '../src/io/description.js';
import { nearestName, NeuriteError, type OptionKeys } from '../src/errors.js';

// The key lists are typed against their interfaces: a list that misses a key or adds one does not compile
// (`npm run typecheck` covers test/), which is what keeps a list from drifting from its interface.
interface TwoKeys {
  a?: number;
  b: string;
}
// @ts-expect-error a key list must name every key of its type
export const tooShort: OptionKeys<TwoKeys> = { a: true };
// @ts-expect-error a key list must name no key its type lacks
export const tooLong: OptionKeys<TwoKeys> = { a: true, b: true, c: true };

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'neurite-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---- fixtures: a small compiled model, its file, a CSV file, MNIST-format files, a tfjs model ----

const x = nn.tensor([[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5], [0.2, 0.8], [0.9, 0.1], [0.3, 0.3]]);
const labels = Int32Array.from([0, 1, 1, 0, 2, 1, 1, 0]);
const y = Float32Array.from(labels);
function compiledModel(): nn.Sequential {
  const m = nn.sequential([nn.dense(4, { inputShape: [2], activation: 'relu' }), nn.dense(3, { activation: 'softmax' })], { backend: 'ts', seed: 1 });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}
const model = compiledModel();
const modelBytes = nn.serializeModel(model);
const classNames = ['a', 'b', 'c'];
const standardization = { mean: [0, 0], std: [1, 1] };

const csvText = 'u,v,label\n1,2,a\n3,4,b\n5,6,a\n';
const csvPath = join(dir, 'small.csv');
writeFileSync(csvPath, csvText);

const idxLabels = nn.encodeIdxU8([2], Uint8Array.from([0, 1]));
const idxImages = nn.encodeIdxU8([2, 2, 2], Uint8Array.from([0, 255, 10, 20, 30, 40, 50, 60]));
const idxLabelPath = join(dir, 'labels.idx');
const idxImagePath = join(dir, 'images.idx');
writeFileSync(idxLabelPath, idxLabels);
writeFileSync(idxImagePath, idxImages);
for (const [name, bytes] of [
  [nn.MNIST_FILE_NAMES.trainImages, idxImages],
  [nn.MNIST_FILE_NAMES.trainLabels, idxLabels],
  [nn.MNIST_FILE_NAMES.testImages, idxImages],
  [nn.MNIST_FILE_NAMES.testLabels, idxLabels],
] as const) {
  writeFileSync(join(dir, name), bytes);
}

const tfjsJsonPath = join(root, 'test', 'fixtures', 'io', 'tfjs-classifier', 'model.json');
const tfjsJson = readFileSync(tfjsJsonPath, 'utf8');
const tfjsWeights = new Uint8Array(readFileSync(join(dirname(tfjsJsonPath), 'weights.bin')));

// ---- the table ----

interface Entry {
  /** the argument the error names */
  argument: string;
  keys: OptionKeys<object>;
  call: (options: unknown) => unknown;
  /** a realistic misspelling and the key it should suggest (undefined: too far from every key to guess) */
  typo: string;
  suggests: string | undefined;
  /** keys the call needs besides the typo (required options) */
  base?: Record<string, unknown>;
  /** option objects the call accepts; together they use every key of the list */
  valid: Record<string, unknown>[];
  /** values that are not options objects and must be refused (default: a number, a string, an array, null) */
  notObjects?: unknown[];
  /** the call, when another entry names the same argument */
  via?: string;
}

const entries: Entry[] = [
  {
    argument: 'nn.sequential options',
    keys: sequentialOptionKeys,
    call: (o) => nn.sequential([nn.dense(1, { inputShape: [2] })], o as nn.SequentialOptions),
    typo: 'sed',
    suggests: 'seed',
    valid: [{ backend: 'ts', seed: 7, name: 'tiny', threads: 1 }],
  },
  {
    argument: 'compile options',
    keys: compileOptionKeys,
    call: (o) => compiledModel().compile(o as nn.CompileOptions),
    typo: 'metric',
    suggests: 'metrics',
    base: { optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' },
    valid: [{ optimizer: nn.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] }],
  },
  {
    argument: 'fit options',
    keys: fitOptionKeys,
    call: (o) => compiledModel().fit(x, y, o as nn.FitOptions),
    typo: 'epoch',
    suggests: 'epochs',
    valid: [
      { epochs: 2, batchSize: 4, shuffle: false, validationData: [x, y], callbacks: [nn.earlyStopping()], signal: new AbortController().signal, initialEpoch: 1 },
      { validationSplit: 0.25, sampleWeight: [1, 2, 1, 0, 1, 1, 1, 1], classWeight: { 0: 1, 1: 2, 2: 1 } },
    ],
  },
  {
    argument: 'trainOnBatch options',
    keys: trainOnBatchOptionKeys,
    call: (o) => model.trainOnBatch(x, y, o as nn.TrainOnBatchOptions),
    typo: 'sample_weight',
    suggests: 'sampleWeight',
    valid: [{ sampleWeight: new Float32Array(8).fill(0.5), classWeight: [1, 2, 3] }],
  },
  {
    argument: 'predict options',
    keys: predictOptionKeys,
    call: (o) => model.predict(x, o as nn.PredictOptions),
    typo: 'batch_size',
    suggests: 'batchSize',
    valid: [{ batchSize: 3 }],
  },
  {
    argument: 'nn.huber options',
    keys: huberOptionKeys,
    call: (o) => nn.huber(o as nn.HuberOptions),
    typo: 'delat',
    suggests: 'delta',
    valid: [{ delta: 0.5 }],
  },
  {
    argument: 'nn.modelCheckpoint options',
    keys: modelCheckpointOptionKeys,
    call: (o) => nn.modelCheckpoint(() => {}, o as nn.ModelCheckpointOptions),
    typo: 'save_best_only',
    suggests: 'saveBestOnly',
    valid: [{ monitor: 'loss', saveBestOnly: true, mode: 'min' }],
  },
  {
    argument: 'nn.csvLogger options',
    keys: csvLoggerOptionKeys,
    call: (o) => nn.csvLogger(() => {}, o as nn.CsvLoggerOptions),
    typo: 'seperator',
    suggests: 'separator',
    valid: [{ separator: ';', append: true }],
  },
  {
    argument: 'evaluate options',
    keys: evaluateOptionKeys,
    call: (o) => model.evaluate(x, y, o as nn.EvaluateOptions),
    typo: 'batch_size',
    suggests: 'batchSize',
    valid: [{ batchSize: 3, sampleWeight: nn.tensor(new Float32Array(8).fill(2), [8]) }],
  },
  {
    argument: 'save options',
    keys: saveOptionKeys,
    via: 'model.save',
    call: (o) => model.save(undefined, o as nn.SaveOptions),
    typo: 'classnames',
    suggests: 'classNames',
    valid: [{ includeOptimizer: true, classNames, standardization }],
  },
  {
    argument: 'save options',
    keys: saveOptionKeys,
    via: 'nn.serializeModel',
    call: (o) => nn.serializeModel(model, o as nn.SaveOptions),
    typo: 'includeOptimiser',
    suggests: 'includeOptimizer',
    valid: [{ includeOptimizer: false, classNames, standardization }],
  },
  {
    argument: 'nn.dense options',
    keys: denseOptionKeys,
    call: (o) => nn.dense(3, o as nn.DenseOptions),
    typo: 'activaton',
    suggests: 'activation',
    valid: [{ inputShape: [2], activation: 'leakyRelu', alpha: 0.2, useBias: false, kernelInitializer: 'heNormal', biasInitializer: 'ones', kernelRegularizer: nn.l2(0.01), name: 'hidden' }],
  },
  {
    argument: 'nn.dropout options',
    keys: dropoutOptionKeys,
    call: (o) => nn.dropout(o as nn.DropoutOptions),
    typo: 'inputshape',
    suggests: 'inputShape',
    base: { rate: 0.5 },
    valid: [{ rate: 0.5, inputShape: [2], name: 'drop' }],
    // a number is the rate itself; anything else but an object fails as a rate (api.test.ts)
    notObjects: [[1, 2]],
  },
  {
    argument: 'kernelRegularizer',
    keys: regularizerKeys,
    call: (o) => nn.dense(3, { kernelRegularizer: o as nn.Regularizer }),
    typo: 'L2',
    suggests: 'l2',
    valid: [{ l2: 0.1 }],
  },
  {
    argument: 'nn.sgd options',
    keys: sgdOptionKeys,
    call: (o) => nn.sgd(o as nn.SgdOptions),
    typo: 'learning_rate',
    suggests: 'learningRate',
    valid: [{ learningRate: 0.1, momentum: 0.9, nesterov: true, clipValue: 0.5 }, { clipNorm: 1 }, { globalClipNorm: 1 }],
  },
  {
    argument: 'nn.adam options',
    keys: adamOptionKeys,
    call: (o) => nn.adam(o as nn.AdamOptions),
    typo: 'beta_1',
    suggests: 'beta1',
    valid: [
      { learningRate: nn.cosineDecay({ initial: 0.01, epochs: 5 }), beta1: 0.8, beta2: 0.99, epsilon: 1e-8, clipValue: 0.5 },
      { learningRate: nn.cosineDecay({ initialLearningRate: 0.01, decaySteps: 100 }), clipNorm: 1 },
      { globalClipNorm: 1 },
    ],
  },
  {
    argument: 'nn.adamw options',
    keys: adamwOptionKeys,
    call: (o) => nn.adamw(o as nn.AdamWOptions),
    typo: 'weight_decay',
    suggests: 'weightDecay',
    valid: [{ learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.01, clipValue: 1 }, { clipNorm: 1 }, { globalClipNorm: 1 }],
  },
  {
    argument: 'nn.rmsprop options',
    keys: rmspropOptionKeys,
    call: (o) => nn.rmsprop(o as nn.RmspropOptions),
    typo: 'momentun',
    suggests: 'momentum',
    valid: [{ learningRate: 0.01, rho: 0.95, momentum: 0.5, epsilon: 1e-6, clipValue: 1 }, { clipNorm: 1 }, { globalClipNorm: 1 }],
  },
  {
    argument: 'nn.nadam options',
    keys: nadamOptionKeys,
    call: (o) => nn.nadam(o as nn.NadamOptions),
    typo: 'beta_2',
    suggests: 'beta2',
    valid: [{ learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-8, clipValue: 1 }, { clipNorm: 1 }, { globalClipNorm: 1 }],
  },
  {
    argument: 'nn.adagrad options',
    keys: adagradOptionKeys,
    call: (o) => nn.adagrad(o as nn.AdagradOptions),
    typo: 'initialAccumulator',
    suggests: 'initialAccumulatorValue',
    valid: [{ learningRate: 0.01, initialAccumulatorValue: 0, epsilon: 1e-8, clipValue: 1 }, { clipNorm: 1 }, { globalClipNorm: 1 }],
  },
  {
    argument: 'nn.stepDecay options',
    keys: stepDecayOptionKeys,
    call: (o) => nn.stepDecay(o as nn.StepDecayOptions),
    typo: 'inital',
    suggests: 'initial',
    base: { initial: 0.1 },
    valid: [{ initial: 0.1, factor: 0.5, every: 3 }],
  },
  {
    argument: 'nn.exponentialDecay options',
    keys: exponentialDecayOptionKeys,
    call: (o) => nn.exponentialDecay(o as nn.ExponentialDecayOptions),
    typo: 'evry',
    suggests: 'every',
    base: { initial: 0.1, rate: 0.9 },
    valid: [{ initial: 0.1, rate: 0.9, every: 2 }],
  },
  {
    argument: 'nn.cosineDecay options',
    keys: cosineDecayOptionKeys,
    call: (o) => nn.cosineDecay(o as nn.CosineDecayOptions),
    typo: 'epoch',
    suggests: 'epochs',
    base: { initial: 0.1, epochs: 10 },
    valid: [{ initial: 0.1, epochs: 10, alpha: 0.1 }],
  },
  {
    argument: 'nn.cosineDecay options',
    via: 'nn.cosineDecay({ initialLearningRate, decaySteps, ... }) (per step)',
    keys: cosineDecayStepOptionKeys,
    call: (o) => nn.cosineDecay(o as nn.CosineDecayStepOptions),
    typo: 'warmup_steps',
    suggests: 'warmupSteps',
    base: { initialLearningRate: 0.1, decaySteps: 100 },
    valid: [{ initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1, warmupSteps: 10, warmupTarget: 0.5 }],
  },
  {
    argument: 'nn.exponentialDecay options',
    via: 'nn.exponentialDecay({ initialLearningRate, decaySteps, decayRate, staircase }) (per step)',
    keys: exponentialDecayStepOptionKeys,
    call: (o) => nn.exponentialDecay(o as nn.ExponentialDecayStepOptions),
    typo: 'stairCase',
    suggests: 'staircase',
    base: { initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9 },
    valid: [{ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.9, staircase: true }],
  },
  {
    argument: 'nn.earlyStopping options',
    keys: earlyStoppingOptionKeys,
    call: (o) => nn.earlyStopping(o as nn.EarlyStoppingOptions),
    typo: 'patient',
    suggests: 'patience',
    valid: [{ monitor: 'loss', patience: 2, minDelta: 0.01, mode: 'min', restoreBestWeights: true }],
  },
  {
    argument: 'nn.reduceLROnPlateau options',
    keys: reduceLROnPlateauOptionKeys,
    call: (o) => nn.reduceLROnPlateau(o as nn.ReduceLROnPlateauOptions),
    typo: 'min_lr',
    suggests: 'minLr',
    valid: [{ monitor: 'val_accuracy', factor: 0.5, patience: 1, minDelta: 0, cooldown: 1, minLr: 1e-5, mode: 'max' }],
  },
  {
    argument: 'trainTestSplit: options',
    keys: trainTestSplitOptionKeys,
    call: (o) => nn.trainTestSplit(x, labels, o as nn.TrainTestSplitOptions),
    typo: 'test_size',
    suggests: 'testSize',
    valid: [{ testSize: 3, seed: 2, stratify: true, shuffle: true }],
  },
  {
    argument: 'minMaxScaler: options',
    keys: minMaxScalerOptionKeys,
    call: (o) => nn.minMaxScaler(o as nn.MinMaxScalerOptions),
    typo: 'ranges',
    suggests: 'range',
    valid: [{ range: [-1, 1] }],
  },
  {
    argument: 'parseCsv: options',
    keys: csvOptionKeys,
    call: (o) => nn.parseCsv(csvText, o as nn.CsvOptions),
    typo: 'delimeter',
    suggests: 'delimiter',
    valid: [{ header: true, delimiter: ',', target: 'label', targetType: 'class', classNames: ['a', 'b'], keepIndexColumn: false }],
  },
  {
    argument: 'loadCsv: options',
    keys: csvOptionKeys,
    call: (o) => nn.loadCsv(csvPath, o as nn.CsvOptions),
    typo: 'headers',
    suggests: 'header',
    valid: [{ header: true, delimiter: ',', target: -1, targetType: 'auto', classNames: ['b', 'a'], keepIndexColumn: true }],
  },
  {
    argument: 'parseIdx: expect',
    keys: idxExpectationKeys,
    call: (o) => nn.parseIdx(idxLabels, 'labels', o as nn.IdxExpectation),
    typo: 'ndim',
    suggests: 'ndims',
    valid: [{ typeCode: 0x08, ndims: 1 }],
  },
  {
    argument: 'readIdxFile: expect',
    keys: idxExpectationKeys,
    call: (o) => nn.readIdxFile(idxLabelPath, o as nn.IdxExpectation),
    typo: 'typecode',
    suggests: 'typeCode',
    valid: [{ typeCode: 0x08, ndims: 1 }],
  },
  {
    argument: 'loadIdxImages: options',
    keys: mnistOptionKeys,
    call: (o) => nn.loadIdxImages(idxImagePath, o as nn.MnistOptions),
    typo: 'normalise',
    suggests: 'normalize',
    valid: [{ normalize: false }],
  },
  {
    argument: 'loadFashionMnist: options',
    keys: mnistOptionKeys,
    call: (o) => nn.loadFashionMnist(dir, o as nn.MnistOptions),
    typo: 'normalized',
    suggests: 'normalize',
    valid: [{ normalize: true }],
  },
  {
    argument: 'loadMnist: options',
    keys: mnistOptionKeys,
    call: (o) => nn.loadMnist(dir, o as nn.MnistOptions),
    typo: 'scale',
    suggests: undefined,
    valid: [{ normalize: false }],
  },
  {
    argument: 'nn.loadModel options',
    keys: loadOptionKeys,
    call: (o) => nn.loadModel(modelBytes, o as nn.LoadOptions),
    typo: 'backends',
    suggests: 'backend',
    valid: [{ backend: 'ts', compile: false }],
  },
  {
    argument: 'load options',
    keys: loadOptionKeys,
    via: 'nn.loadModelFromBytes',
    call: (o) => nn.loadModelFromBytes(modelBytes, o as nn.LoadOptions),
    typo: 'complie',
    suggests: 'compile',
    valid: [{ backend: 'ts', compile: true }],
  },
  {
    argument: 'load options',
    keys: loadOptionKeys,
    via: 'nn.deserializeModel',
    call: (o) => nn.deserializeModel(modelBytes, o as nn.LoadOptions),
    typo: 'engine',
    suggests: undefined,
    valid: [{ backend: 'ts', compile: true }],
  },
  {
    argument: 'nn.loadTfjsLayersModel options',
    keys: tfjsLoadOptionKeys,
    call: (o) => nn.loadTfjsLayersModel(tfjsJsonPath, o as nn.TfjsLoadOptions),
    typo: 'seeds',
    suggests: 'seed',
    valid: [{ backend: 'ts', compile: true, seed: 3 }],
  },
  {
    argument: 'nn.fromTfjsLayersModel options',
    keys: tfjsImportOptionKeys,
    call: (o) => nn.fromTfjsLayersModel(tfjsJson, tfjsWeights, o as nn.TfjsImportOptions),
    typo: 'sources',
    suggests: 'source',
    valid: [{ backend: 'ts', compile: false, seed: 3, source: 'classifier/model.json' }],
  },
  {
    argument: 'nn.exportOnnx options',
    keys: onnxExportOptionKeys,
    via: 'nn.exportOnnx(model, options)',
    call: (o) => nn.exportOnnx(model, o as nn.OnnxExportOptions),
    typo: 'extra',
    suggests: 'extras',
    valid: [{ extras: { classNames }, producerVersion: 'test' }],
    notObjects: [5, [1, 2], null], // a string is the path form
  },
  {
    argument: 'nn.exportOnnx options',
    keys: onnxExportOptionKeys,
    via: 'nn.exportOnnx(model, path, options)',
    call: (o) => nn.exportOnnx(model, join(dir, 'm.onnx'), o as nn.OnnxExportOptions),
    typo: 'producer_version',
    suggests: 'producerVersion',
    valid: [{ extras: { standardization }, producerVersion: 'test' }],
  },
  {
    argument: 'nn.exportOnnx options.extras',
    keys: modelExtrasKeys,
    call: (o) => nn.exportOnnx(model, { extras: o as nn.ModelExtras }),
    typo: 'standardisation',
    suggests: 'standardization',
    valid: [{ classNames, standardization }],
  },
];

/** The error a call throws or its promise rejects with; fails the test when it succeeds. */
async function errorOf(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, the call succeeded');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('unknown option keys', () => {
  it('the three examples from the issue are refused', async () => {
    const m = compiledModel();
    await expect(m.fit(x, y, { epoch: 5 } as nn.FitOptions)).rejects.toThrow(
      "fit options: unknown key 'epoch' (did you mean 'epochs'?); accepted keys: epochs, batchSize, shuffle, validationSplit, validationData, callbacks, signal, initialEpoch",
    );
    expect(() => nn.sgd({ lr: 0.5 } as nn.SgdOptions)).toThrow("nn.sgd options: unknown key 'lr' (did you mean 'learningRate'?); accepted keys: learningRate, momentum, nesterov");
    expect(() => nn.dense(4, { activaton: 'relu' } as nn.DenseOptions)).toThrow(/^nn\.dense options: unknown key 'activaton' \(did you mean 'activation'\?\)/);
  });

  for (const e of entries) {
    const list = Object.keys(e.keys).join(', ');
    const title = e.via ? `${e.argument} (${e.via})` : e.argument;
    it(`${title}: '${e.typo}' is refused`, async () => {
      const err = await errorOf(() => e.call({ ...e.base, [e.typo]: 1 }));
      expect(err).toBeInstanceOf(NeuriteError);
      const hint = e.suggests ? ` \\(did you mean '${escape(e.suggests)}'\\?\\)` : '';
      expect(err.message).toMatch(new RegExp(`^${escape(e.argument)}: unknown key '${escape(e.typo)}'${hint}; accepted keys: ${escape(list)}$`));
    });

    it(`${title}: every listed key is accepted`, async () => {
      const used = new Set(e.valid.flatMap((v) => Object.keys(v)));
      expect([...used].sort()).toEqual(Object.keys(e.keys).sort());
      for (const v of e.valid) await e.call(v);
    });

    it(`${title}: a value that is not an options object is refused`, async () => {
      for (const bad of e.notObjects ?? [5, 'fast', [1, 2], null]) {
        const err = await errorOf(() => e.call(bad));
        expect(err).toBeInstanceOf(NeuriteError);
        expect(err.message).toMatch(new RegExp(`^${escape(e.argument)}: expected `));
      }
    });
  }
});

describe('the docs name only keys the code accepts', () => {
  // README.md and docs/*.md write options as `name({ a, b })` or `name(x, { a: 1, b: 2 })`: each key must be in
  // the list of the entry point of that name, so a documented option cannot be one the code refuses.
  const byName: Record<string, OptionKeys<object>> = {
    dense: denseOptionKeys,
    dropout: dropoutOptionKeys,
    sequential: sequentialOptionKeys,
    compile: compileOptionKeys,
    fit: fitOptionKeys,
    evaluate: evaluateOptionKeys,
    save: saveOptionKeys,
    sgd: sgdOptionKeys,
    adam: adamOptionKeys,
    adamw: adamwOptionKeys,
    rmsprop: rmspropOptionKeys,
    nadam: nadamOptionKeys,
    adagrad: adagradOptionKeys,
    stepDecay: stepDecayOptionKeys,
    // one name, two forms (per epoch, per step): a documented key may be either's
    exponentialDecay: { ...exponentialDecayOptionKeys, ...exponentialDecayStepOptionKeys },
    cosineDecay: { ...cosineDecayOptionKeys, ...cosineDecayStepOptionKeys },
    earlyStopping: earlyStoppingOptionKeys,
    modelCheckpoint: modelCheckpointOptionKeys,
    csvLogger: csvLoggerOptionKeys,
    huber: huberOptionKeys,
    trainOnBatch: trainOnBatchOptionKeys,
    predict: predictOptionKeys,
    reduceLROnPlateau: reduceLROnPlateauOptionKeys,
    trainTestSplit: trainTestSplitOptionKeys,
    minMaxScaler: minMaxScalerOptionKeys,
    parseCsv: csvOptionKeys,
    loadCsv: csvOptionKeys,
    loadModel: loadOptionKeys,
    loadModelFromBytes: loadOptionKeys,
    loadTfjsLayersModel: tfjsLoadOptionKeys,
    exportOnnx: onnxExportOptionKeys,
  };
  const docs = ['README.md', 'docs/first-network.md', 'docs/architecture.md'].map((f) => [f, readFileSync(join(root, f), 'utf8')] as const);
  const mentions: { file: string; name: string; keys: string[] }[] = [];
  for (const [file, text] of docs) {
    for (const m of text.matchAll(/\b(\w+)\((?:[^(){};]*?, )?\{ ([^{}]*?) \}\)/g)) {
      const keys = m[2]!.split(',').map((part) => part.trim().split(/[\s:]/)[0]!).filter((k) => /^\w+$/.test(k));
      mentions.push({ file, name: m[1]!, keys });
    }
  }

  it('finds the documented option lists (the scan is not vacuous)', () => {
    const names = new Set(mentions.map((m) => m.name));
    for (const n of ['dense', 'sgd', 'fit', 'earlyStopping', 'trainTestSplit', 'save', 'adam']) expect(names).toContain(n);
  });

  it('every documented key of a known entry point is in its list', () => {
    const wrong = mentions.flatMap(({ file, name, keys }) => {
      const list = byName[name];
      return list ? keys.filter((k) => !(k in list)).map((k) => `${file}: ${name}({ ${k} })`) : [];
    });
    expect(wrong).toEqual([]);
  });
});

describe('other objects the API reads by key', () => {
  it('a misspelt callback hook is refused; a callback may keep its own state', async () => {
    const m = compiledModel();
    await expect(m.fit(x, y, { callbacks: { onEpochEnds: () => {} } as nn.Callback })).rejects.toThrow(
      "callbacks: unknown hook 'onEpochEnds' (did you mean 'onEpochEnd'?); accepted hooks: onTrainBegin, onEpochBegin, onBatchEnd, onEpochEnd, onTrainEnd",
    );
    await expect(m.fit(x, y, { callbacks: [nn.earlyStopping(), { onBatchBegin: () => {} } as nn.Callback] })).rejects.toThrow(/^callbacks\[1\]: unknown hook 'onBatchBegin'/);
    await expect(m.fit(x, y, { callbacks: [5 as unknown as nn.Callback] })).rejects.toThrow(/^callbacks\[0\]: expected an object/);
    await expect(m.fit(x, y, { callbacks: { onEpochEnd: 'log' as unknown as () => void } })).rejects.toThrow(/^callbacks\.onEpochEnd: expected a function/);
    let epochs = 0;
    const counter = { count: 0, onEpochEnd: () => void epochs++ };
    await m.fit(x, y, { epochs: 2, callbacks: counter });
    expect(epochs).toBe(2);
  });

  it('a hand-made optimizer object gets the checks of its constructor', () => {
    const m = compiledModel();
    expect(() => m.compile({ optimizer: { kind: 'sgd', lr: 0.1 } as unknown as nn.Optimizer, loss: 'sparseCategoricalCrossentropy' })).toThrow(
      /^nn\.sgd options: unknown key 'lr' \(did you mean 'learningRate'\?\)/,
    );
    expect(() => m.compile({ optimizer: { kind: 'adam', learningRate: 0.1, beta1: 2 } as unknown as nn.Optimizer, loss: 'sparseCategoricalCrossentropy' })).toThrow(
      /^beta1: expected a number in \[0, 1\), got 2/,
    );
    expect(() => m.compile({ optimizer: { kind: 'toString' } as unknown as nn.Optimizer, loss: 'sparseCategoricalCrossentropy' })).toThrow(/^optimizer: expected/);
    m.compile({ optimizer: { ...nn.sgd({ learningRate: 0.2, momentum: 0.5 }) }, loss: 'sparseCategoricalCrossentropy' });
    expect(m.getLearningRate()).toBe(0.2);
  });

  it('validationData must be a pair', async () => {
    await expect(compiledModel().fit(x, y, { validationData: x as unknown as [nn.Tensor, nn.Tensor] })).rejects.toThrow(/^validationData: expected \[x, y\]/);
  });

  it('callback options are checked by value too', () => {
    expect(() => nn.earlyStopping({ mode: 'maximum' as 'max' })).toThrow(/^mode: expected one of 'auto', 'min', 'max', got "maximum"/);
    expect(() => nn.earlyStopping({ restoreBestWeights: 'yes' as unknown as boolean })).toThrow(/^restoreBestWeights: expected a boolean/);
    expect(() => nn.reduceLROnPlateau({ cooldown: -1 })).toThrow(/^cooldown: expected an integer ≥ 0/);
    expect(() => nn.reduceLROnPlateau({ monitor: 3 as unknown as string })).toThrow(/^monitor: expected a metric name/);
    expect(() => nn.learningRateScheduler(0.1 as unknown as nn.Schedule)).toThrow(/^nn\.learningRateScheduler schedule: expected a schedule/);
  });
});

describe('nearestName', () => {
  const fitKeys = Object.keys(fitOptionKeys);
  it.each([
    ['epoch', 'epochs'],
    ['Epochs', 'epochs'],
    ['batch_size', 'batchSize'],
    ['bs', 'batchSize'],
    ['ecpohs', 'epochs'],
    ['validation_split', 'validationSplit'],
    ['callback', 'callbacks'],
  ])('%s → %s', (typed, expected) => {
    expect(nearestName(typed, fitKeys)).toBe(expected);
  });
  it('guesses nothing for a name far from every key', () => {
    expect(nearestName('verbose', fitKeys)).toBeUndefined();
    expect(nearestName('x', fitKeys)).toBeUndefined();
    expect(nearestName('lr', ['momentum', 'nesterov'])).toBeUndefined();
  });
});
