/**
 * Backend ops, in the style of ggml's test-backend-ops: every activation, loss, optimizer, layer option and fit
 * option runs through the public Model API on each backend of comparedBackends and is held against the TypeScript
 * reference. The tables below are the whole vocabulary: each row expands to cases, every case runs the same
 * checks (runCase in helpers/backend-ops.ts). Adding an activation is one row in `activations`; adding a loss, an optimizer or an option is
 * one row in its table. Exclusions live in helpers/backends.ts, each with its reason.
 *
 * Dropout masks and shuffles come from the shared counter-based RNG, so they must be equal on every backend: a
 * different mask or order changes the per-step losses and, for a 1-row step, zeroes other kernel rows.
 * Behaviour rows at the end (learning, bad input, shuffle order) run on every backend, the reference included.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import type { BackendName } from '../src/backends/backend.js';
import { permutation, rngKey, Stream } from '../src/rng.js';
import {
  build, classIds, data, expectSameState, forward, label, restoredState, runCase, modelSeed, withActivation,
  type ActivationRow, type Case, type FitPlan, type LossRow,
} from './helpers/backend-ops.js';
import { comparedBackends, itUnlessExcluded, prepareBackend, referenceBackend, testedBackends, unusedExclusions } from './helpers/backends.js';

// ---- the tables ----

/** One row per activation (softmax: output layer only, as the Model API allows). */
const activations: ActivationRow[] = [
  { activation: 'linear' },
  { activation: 'relu' },
  { activation: 'leakyRelu' },
  { activation: 'leakyRelu', alpha: 0.2 },
  { activation: 'sigmoid' },
  { activation: 'tanh' },
  { activation: 'softmax', outputOnly: true },
  { activation: 'gelu' },
  { activation: 'swish' },
  { activation: 'elu' },
  { activation: 'selu' },
  { activation: 'softplus' },
  { activation: 'softsign' },
  { activation: 'mish' },
];

/** One row per loss: the output activation it is fused with, and targets of the right form. */
const losses: LossRow[] = [
  { loss: 'meanSquaredError', output: 'linear', targets: (seed, rows, outputs) => data(seed + 500, rows, outputs, -2, 2) },
  {
    loss: 'binaryCrossentropy',
    output: 'sigmoid',
    targets: (seed, rows, outputs) => nn.tensor(data(seed + 500, rows, outputs).data.map((v) => (v > 0 ? 1 : 0)), [rows, outputs]),
  },
  { loss: 'categoricalCrossentropy', output: 'softmax', targets: (seed, rows, outputs) => nn.oneHot(classIds(seed, rows, outputs), outputs) },
  {
    loss: 'sparseCategoricalCrossentropy',
    output: 'softmax',
    targets: (seed, rows, outputs) => nn.tensor(Float32Array.from(classIds(seed, rows, outputs)), [rows]),
  },
  { loss: 'meanAbsoluteError', output: 'linear', targets: (seed, rows, outputs) => data(seed + 500, rows, outputs, -2, 2) },
  { loss: 'huber', output: 'linear', targets: (seed, rows, outputs) => data(seed + 500, rows, outputs, -2, 2) },
  {
    loss: 'huber',
    name: 'huber(delta 0.3)',
    compileLoss: () => nn.huber({ delta: 0.3 }),
    output: 'tanh',
    targets: (seed, rows, outputs) => data(seed + 500, rows, outputs, -1, 1),
  },
];
const lossRow = (loss: nn.LossName) => losses.find((l) => l.loss === loss)!;

/** Sample weights in [0, 3) with some exact zeros, from the shared generator. */
const sampleWeights = (seed: number, rows: number) => Float32Array.from(data(seed + 900, rows, 1, -1, 3).data, (v) => Math.max(v, 0));
const binaryRow: LossRow = {
  loss: 'binaryCrossentropy',
  output: 'sigmoid',
  targets: (seed, rows) => nn.tensor(data(seed + 500, rows, 1).data.map((v) => (v > 0 ? 1 : 0)), [rows, 1]),
};

/** Sample and class weights, through trainOnBatch, fit (shuffled: the weights move with their rows) and evaluate. */
const weightings: (Partial<Case> & { name: string })[] = [
  ...losses.map((l) => ({
    name: `sampleWeight, loss ${l.name ?? l.loss}`,
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'relu' }), nn.dense(3, { activation: l.output })],
    loss: l,
    weights: (seed: number, rows: number) => ({ sampleWeight: sampleWeights(seed, rows) }),
  })),
  {
    name: 'classWeight object, sparse labels',
    loss: lossRow('sparseCategoricalCrossentropy'),
    weights: () => ({ classWeight: { 0: 0.5, 1: 2, 2: 1, 3: 4 } }),
  },
  { name: 'classWeight array, one-hot labels', weights: () => ({ classWeight: [0.5, 2, 1, 4] }) },
  {
    name: 'classWeight and sampleWeight together, one-hot labels',
    weights: (seed, rows) => ({ classWeight: [3, 0.25, 1, 1.5], sampleWeight: sampleWeights(seed, rows) }),
  },
  {
    name: 'classWeight on one sigmoid unit (0/1 targets)',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'tanh' }), nn.dense(1, { activation: 'sigmoid' })],
    loss: binaryRow,
    weights: () => ({ classWeight: { 0: 1, 1: 3 } }),
  },
  {
    name: 'sampleWeight with validationSplit (the held-out weights weigh val_loss)',
    fit: { rows: 100, epochs: 2, batchSize: 16, shuffle: true, validationSplit: 0.2 },
    weights: (seed, rows) => ({ sampleWeight: sampleWeights(seed, rows) }),
  },
];

/** compile({ metrics }): every metric in the history (training outputs handed back by the engine) and evaluate. */
const metricRows: (Partial<Case> & { name: string })[] = [
  {
    name: 'every classification metric, one sigmoid unit, validationSplit',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'tanh' }), nn.dense(1, { activation: 'sigmoid' })],
    loss: binaryRow,
    metrics: ['accuracy', 'precision', 'recall', 'f1', 'auc'],
    fit: { rows: 100, epochs: 2, batchSize: 16, shuffle: true, validationSplit: 0.2 },
  },
  {
    name: 'precision/recall/f1 macro, softmax, dropout, validationData',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'relu' }), nn.dropout(0.3), nn.dense(4, { activation: 'softmax' })],
    metrics: ['accuracy', 'precision', 'recall', 'f1'],
    fit: { rows: 37, epochs: 2, batchSize: 5, shuffle: true, validationRows: 13 },
  },
  {
    name: 'regression metrics, unshuffled',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'relu' }), nn.dense(3)],
    loss: lossRow('meanSquaredError'),
    metrics: ['mae', 'mse', 'rmse', 'r2'],
    fit: { rows: 37, epochs: 2, batchSize: 5, shuffle: false, validationRows: 13 },
  },
];

/** One row per optimizer (and per setting that takes another path through its update). */
const optimizers: { name: string; make: () => nn.Optimizer }[] = [
  { name: 'sgd', make: () => nn.sgd({ learningRate: 0.1 }) },
  { name: 'sgd+momentum', make: () => nn.sgd({ learningRate: 0.05, momentum: 0.9 }) },
  { name: 'nesterov', make: () => nn.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }) },
  { name: 'adam', make: () => nn.adam({ learningRate: 0.01 }) },
  { name: 'adam(beta1 0.8, beta2 0.99, epsilon 1e-4)', make: () => nn.adam({ learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-4 }) },
  { name: 'adamw', make: () => nn.adamw({ learningRate: 0.01, weightDecay: 0.05 }) },
  { name: 'rmsprop', make: () => nn.rmsprop({ learningRate: 0.01 }) },
  { name: 'rmsprop+momentum', make: () => nn.rmsprop({ learningRate: 0.005, rho: 0.8, momentum: 0.5, epsilon: 1e-5 }) },
  { name: 'adam on a stepDecay schedule', make: () => nn.adam({ learningRate: nn.stepDecay({ initial: 0.02, factor: 0.5, every: 1 }) }) },
  { name: 'nadam', make: () => nn.nadam({ learningRate: 0.01 }) },
  { name: 'nadam(beta1 0.8, beta2 0.99, epsilon 1e-4)', make: () => nn.nadam({ learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-4 }) },
  { name: 'adagrad', make: () => nn.adagrad({ learningRate: 0.05 }) },
  { name: 'adagrad(initialAccumulatorValue 0, epsilon 1e-3)', make: () => nn.adagrad({ learningRate: 0.05, initialAccumulatorValue: 0, epsilon: 1e-3 }) },
  // clips small enough to bite on these gradients (each path: fused in the epilogue, per tensor, global)
  { name: 'sgd clipValue', make: () => nn.sgd({ learningRate: 0.1, clipValue: 0.005 }) },
  { name: 'adam clipValue', make: () => nn.adam({ learningRate: 0.01, clipValue: 0.002 }) },
  { name: 'sgd+momentum clipNorm', make: () => nn.sgd({ learningRate: 0.1, momentum: 0.9, clipNorm: 0.02 }) },
  { name: 'adamw clipNorm', make: () => nn.adamw({ learningRate: 0.01, weightDecay: 0.05, clipNorm: 0.02 }) },
  { name: 'rmsprop globalClipNorm', make: () => nn.rmsprop({ learningRate: 0.01, globalClipNorm: 0.03 }) },
  { name: 'nadam globalClipNorm', make: () => nn.nadam({ learningRate: 0.01, globalClipNorm: 0.03 }) },
  { name: 'adagrad clipNorm', make: () => nn.adagrad({ learningRate: 0.05, clipNorm: 0.02 }) },
  // per-step schedules, evaluated by the engine at each step
  {
    name: 'adam on a per-step cosineDecay with warmup',
    make: () => nn.adam({ learningRate: nn.cosineDecay({ initialLearningRate: 0.001, decaySteps: 7, alpha: 0.1, warmupSteps: 3, warmupTarget: 0.02 }) }),
  },
  { name: 'sgd on a per-step cosineDecay', make: () => nn.sgd({ learningRate: nn.cosineDecay({ initialLearningRate: 0.2, decaySteps: 5 }) }) },
  {
    name: 'sgd on a per-step exponentialDecay, staircase',
    make: () => nn.sgd({ learningRate: nn.exponentialDecay({ initialLearningRate: 0.2, decaySteps: 2, decayRate: 0.5, staircase: true }) }),
  },
  {
    name: 'rmsprop on a per-step exponentialDecay',
    make: () => nn.rmsprop({ learningRate: nn.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 3, decayRate: 0.7 }) }),
  },
  {
    name: 'sgd+momentum on piecewiseConstant, with globalClipNorm',
    make: () => nn.sgd({ learningRate: nn.piecewiseConstant([1, 3, 6], [0.2, 0.1, 0.05, 0.01]), momentum: 0.9, globalClipNorm: 0.05 }),
  },
];

/** Layer options and shapes, on the base loss and optimizer unless the row says otherwise. */
const layerOptions: (Partial<Case> & { name: string })[] = [
  {
    name: 'useBias false on every layer',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'relu', useBias: false }), nn.dense(4, { activation: 'softmax', useBias: false })],
  },
  {
    name: 'useBias false on the hidden layer only',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'tanh', useBias: false }), nn.dense(4, { activation: 'softmax' })],
  },
  {
    name: 'l2 on every layer',
    layers: () => [
      nn.dense(13, { inputShape: [7], activation: 'relu', kernelRegularizer: nn.l2(0.01) }),
      nn.dense(4, { activation: 'softmax', kernelRegularizer: nn.l2(0.05) }),
    ],
  },
  {
    name: 'dropout first',
    layers: () => [nn.dropout({ rate: 0.25, inputShape: [7] }), nn.dense(13, { activation: 'relu' }), nn.dense(4, { activation: 'softmax' })],
  },
  {
    name: 'dropout between dense layers',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'relu' }), nn.dropout(0.5), nn.dense(4, { activation: 'softmax' })],
  },
  {
    name: 'dropout twice in a row (rates 0 and 0.9), then before the output',
    layers: () => [
      nn.dense(13, { inputShape: [7], activation: 'tanh' }), nn.dropout(0), nn.dropout(0.9),
      nn.dense(9, { activation: 'relu' }), nn.dropout(0.3), nn.dense(4, { activation: 'softmax' }),
    ],
  },
  { name: 'one dense layer', layers: () => [nn.dense(4, { inputShape: [7], activation: 'softmax' })] },
  {
    name: 'five layers of odd widths (1 included)',
    layers: () => [
      nn.dense(17, { inputShape: [7], activation: 'tanh' }), nn.dense(1, { activation: 'sigmoid' }), nn.dense(13, { activation: 'leakyRelu' }),
      nn.dense(255, { activation: 'relu' }), nn.dense(4, { activation: 'softmax' }),
    ],
  },
  {
    name: '784-256-128-10 MLP, batch 128',
    layers: () => [nn.dense(256, { inputShape: [784], activation: 'relu' }), nn.dense(128, { activation: 'relu' }), nn.dense(10, { activation: 'softmax' })],
    loss: lossRow('sparseCategoricalCrossentropy'),
    optimizer: () => nn.sgd({ learningRate: 0.1 }),
    steps: [128, 128, 128, 128, 128],
    fit: { rows: 64, epochs: 1, batchSize: 32, shuffle: true },
  },
  {
    // kernels larger than one norm chunk (16384): the engine sums and updates them in chunks on its threads.
    // sgd, not an Adam-like optimizer: those turn the GEMMs' last-bit differences in near-zero gradients into
    // whole steps of lr.
    name: '784-256-128-10 MLP, batch 128, sgd with globalClipNorm',
    layers: () => [nn.dense(256, { inputShape: [784], activation: 'relu' }), nn.dense(128, { activation: 'relu' }), nn.dense(10, { activation: 'softmax' })],
    loss: lossRow('sparseCategoricalCrossentropy'),
    optimizer: () => nn.sgd({ learningRate: 0.1, momentum: 0.9, globalClipNorm: 0.05 }),
    steps: [128, 128, 128],
    fit: { rows: 64, epochs: 1, batchSize: 32, shuffle: true },
  },
];

/**
 * Normalisation, activation and flatten layers. Batch normalisation needs two rows per training batch, so its
 * rows step on 2 rows where the base steps on 1; their fits (23 rows in batches of 5) end on a batch of 3.
 * A dense layer right before batch normalisation has no bias here (as Keras models write it): the normalisation
 * cancels a bias, whose true gradient is 0, and Adam or RMSprop would scale the rounding noise of that 0 up to
 * ±learningRate, different on every backend.
 */
const noOneRowSteps = [11, 2, 13, 7];
const normalizationLayers: (Partial<Case> & { name: string })[] = [
  {
    name: 'dense → batchNormalization → activation relu → dense softmax',
    layers: () => [nn.dense(13, { inputShape: [7], useBias: false }), nn.batchNormalization(), nn.activation('relu'), nn.dense(4, { activation: 'softmax' })],
    steps: noOneRowSteps,
  },
  {
    name: 'batchNormalization first (momentum 0.9, epsilon 0.01), then without center, sgd+momentum',
    layers: () => [
      nn.batchNormalization({ inputShape: [7], momentum: 0.9, epsilon: 0.01 }), nn.dense(13, { activation: 'tanh' }),
      nn.batchNormalization({ center: false }), nn.dense(4, { activation: 'softmax' }),
    ],
    optimizer: () => nn.sgd({ learningRate: 0.05, momentum: 0.9 }),
    steps: noOneRowSteps,
  },
  {
    name: 'batchNormalization without scale or center, widths 1 and 255, rmsprop',
    layers: () => [
      nn.dense(1, { inputShape: [7], useBias: false }), nn.batchNormalization({ scale: false, center: false }), nn.dense(255, { activation: 'relu', useBias: false }),
      nn.batchNormalization({ scale: false }), nn.dropout(0.2), nn.dense(4, { activation: 'softmax' }),
    ],
    optimizer: () => nn.rmsprop({ learningRate: 0.01 }),
    steps: noOneRowSteps,
    tolerance: {
      rtol: 1e-4,
      why: "one unit normalised over a batch: a batch variance near epsilon amplifies the GEMMs' different summation orders",
    },
  },
  {
    name: 'batchNormalization before a sigmoid output (binaryCrossentropy)',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'relu' }), nn.dense(3, { useBias: false }), nn.batchNormalization(), nn.activation('sigmoid')],
    loss: lossRow('binaryCrossentropy'),
    steps: noOneRowSteps,
  },
  {
    name: 'layerNormalization after a hidden layer (1-row steps included)',
    layers: () => [nn.dense(13, { inputShape: [7], activation: 'tanh' }), nn.layerNormalization(), nn.dense(4, { activation: 'softmax' })],
  },
  {
    name: 'layerNormalization first (epsilon 1e-5, no scale), then without center, adamw',
    layers: () => [
      nn.layerNormalization({ inputShape: [7], epsilon: 1e-5, scale: false }), nn.dense(13, { activation: 'relu' }),
      nn.layerNormalization({ center: false }), nn.dense(4, { activation: 'softmax' }),
    ],
    optimizer: () => nn.adamw({ learningRate: 0.01, weightDecay: 0.05 }),
  },
  {
    name: 'activation layers: leakyRelu(0.2), tanh, then a softmax output layer (sparse)',
    layers: () => [
      nn.dense(13, { inputShape: [7] }), nn.activation('leakyRelu', { alpha: 0.2 }), nn.dense(9), nn.activation('tanh'),
      nn.dense(4), nn.activation('softmax'),
    ],
    loss: lossRow('sparseCategoricalCrossentropy'),
  },
  {
    name: 'activation layer sigmoid as the output of an mse net, after layerNormalization',
    layers: () => [nn.dense(9, { inputShape: [7], activation: 'relu' }), nn.dense(4), nn.layerNormalization(), nn.activation('sigmoid')],
    loss: lossRow('meanSquaredError'),
  },
  {
    name: 'flatten of [7] samples first',
    layers: () => [nn.flatten({ inputShape: [7] }), nn.dense(13, { activation: 'relu' }), nn.flatten(), nn.dense(4, { activation: 'softmax' })],
  },
];

/** fit and evaluate options, on the base model. */
const fitOptions: { name: string; fit?: Partial<FitPlan>; evaluateBatchSize?: number }[] = [
  { name: 'shuffled, batch 5 of 23 rows', fit: { rows: 23, batchSize: 5, shuffle: true } },
  { name: 'unshuffled, batch 5 of 37 rows', fit: { rows: 37, batchSize: 5, shuffle: false } },
  { name: 'batch 1', fit: { rows: 13, batchSize: 1 } },
  { name: 'batch 7 of 23 rows, unshuffled', fit: { batchSize: 7, shuffle: false } },
  { name: 'one batch larger than the data', fit: { batchSize: 64 } },
  { name: 'batch 16 of 100 rows, validationSplit 0.2', fit: { rows: 100, batchSize: 16, validationSplit: 0.2 } },
  { name: 'validationData of 13 rows', fit: { validationRows: 13 } },
  { name: 'initialEpoch 2 of 4', fit: { epochs: 4, initialEpoch: 2 } },
  { name: 'evaluate batchSize 1', evaluateBatchSize: 1 },
  { name: 'evaluate batchSize 7 (last batch partial)', evaluateBatchSize: 7 },
  { name: 'evaluate batchSize 256 (one batch)', evaluateBatchSize: 256 },
];

// ---- cases: every row expanded onto a base ----

const base: Case = {
  name: 'base',
  layers: () => [nn.dense(13, { inputShape: [7], activation: 'relu' }), nn.dense(4, { activation: 'softmax' })],
  loss: lossRow('categoricalCrossentropy'),
  optimizer: () => nn.adam({ learningRate: 0.01 }),
  steps: [11, 1, 13, 7],
  fit: { rows: 23, epochs: 3, batchSize: 5, shuffle: true },
  evaluateBatchSize: 6,
};

const cases: Case[] = [
  ...activations.flatMap((a): Partial<Case>[] => [
    ...(a.outputOnly ? [] : [{
      name: `activation ${label(a)}, hidden`,
      layers: () => [nn.dense(13, { inputShape: [7], ...withActivation(a) }), nn.dense(4, { activation: 'softmax' })],
    }]),
    {
      name: `activation ${label(a)}, output (mse)`,
      layers: () => [nn.dense(9, { inputShape: [7], activation: 'tanh' }), nn.dense(4, withActivation(a))],
      loss: lossRow('meanSquaredError'),
      optimizer: () => nn.sgd({ learningRate: 0.05, momentum: 0.9 }),
    },
  ]),
  // every loss with every optimizer, on a net with l2, dropout and a layer without bias
  ...losses.flatMap((l) => optimizers.map((o): Partial<Case> => ({
    name: `loss ${l.loss}, optimizer ${o.name}`,
    layers: () => [
      nn.dense(13, { inputShape: [7], activation: 'relu', kernelRegularizer: nn.l2(0.01) }),
      nn.dropout(0.25),
      nn.dense(9, { activation: 'tanh', useBias: false }),
      nn.dense(3, { activation: l.output }),
    ],
    loss: l,
    optimizer: o.make,
  })).map((c) => ({ ...c, name: c.name!.replace(`loss ${l.loss}`, `loss ${l.name ?? l.loss}`) }))),
  ...weightings.map((r) => ({ ...r, name: `weights: ${r.name}` })),
  ...metricRows.map((r) => ({ ...r, name: `metrics: ${r.name}` })),
  ...layerOptions.map((r) => ({ ...r, name: `layers: ${r.name}` })),
  ...normalizationLayers.map((r) => ({ ...r, name: `layers: ${r.name}` })),
  ...fitOptions.map((r) => ({
    name: `fit: ${r.name}`,
    fit: { ...base.fit, ...r.fit },
    evaluateBatchSize: r.evaluateBatchSize ?? base.evaluateBatchSize,
  })),
].map((c) => ({ ...base, ...c }));

const suite = 'backend-ops';
const withDropout = layerOptions.find((r) => r.name === 'dropout between dense layers')!.layers!;

describe.each(comparedBackends)(`%s against ${referenceBackend}`, (backend) => {
  beforeAll(() => Promise.all([prepareBackend(backend), prepareBackend(referenceBackend)]));
  for (const c of cases) itUnlessExcluded(suite, backend, c.name, () => runCase(c, backend));
  for (const o of optimizers) {
    const name = `restored optimizer state: ${o.name}`;
    // on a net with dropout: the restored step must also continue the dropout masks
    itUnlessExcluded(suite, backend, name, () => restoredState({ ...base, name, layers: withDropout, optimizer: o.make }, backend));
  }
  for (const a of activations) itUnlessExcluded(suite, backend, `forward on odd and round shapes: ${label(a)}`, () => forward(a, backend));
});

// ---- behaviour rows: the same outcome on every backend, the reference included ----

async function learnsXor(backend: BackendName): Promise<void> {
  // nested arrays, as a user types them
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const y = [[0], [1], [1], [0]];
  const hidden = nn.sequential([nn.dense(8, { inputShape: [2], activation: 'tanh' }), nn.dense(1, { activation: 'sigmoid' })], { backend, seed: 3 });
  expect(hidden.backend).toBe(backend);
  hidden.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const history = await hidden.fit(x, y, { epochs: 300, batchSize: 4 });
  expect(history.history.loss!.at(-1)!).toBeLessThan(0.1);
  expect([...(await hidden.predict(x)).data].map((v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
  const withHidden = await hidden.evaluate(x, y);
  expect(withHidden.accuracy).toBe(1);
  expect(withHidden.loss).toBeLessThan(0.1);
  const linear = nn.sequential([nn.dense(1, { inputShape: [2], activation: 'sigmoid' })], { backend, seed: 3 });
  linear.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  await linear.fit(x, y, { epochs: 300, batchSize: 4 });
  const without = await linear.evaluate(x, y);
  // a line cannot separate XOR: at best 3 of 4, and the loss stays near log 2
  expect(without.accuracy).toBeLessThanOrEqual(0.75);
  expect(without.loss).toBeGreaterThan(0.45);
  hidden.dispose();
  linear.dispose();
}

async function learnsIrisSplit(backend: BackendName): Promise<void> {
  const iris = nn.loadIris();
  const split = nn.trainTestSplit(iris.x, Float32Array.from(iris.labels), { testSize: 0.2, seed: 1, stratify: true });
  const scaler = nn.standardScaler().fit(split.xTrain);
  const model = nn.sequential(
    [nn.dense(16, { inputShape: [4], activation: 'relu' }), nn.dense(8, { activation: 'relu' }), nn.dense(3, { activation: 'softmax' })],
    { backend, seed: 1 },
  );
  model.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(scaler.transform(split.xTrain), split.yTrain, { epochs: 100, batchSize: 16 });
  const r = await model.evaluate(scaler.transform(split.xTest), split.yTest);
  expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
  model.dispose();
}

async function learnsIrisOneHot(backend: BackendName): Promise<void> {
  const iris = nn.loadIris();
  const model = nn.sequential([nn.dense(16, { inputShape: [4], activation: 'relu' }), nn.dense(3, { activation: 'softmax' })], { backend, seed: 5 });
  model.compile({ optimizer: nn.adam({ learningRate: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const y = nn.oneHot(iris.labels, 3);
  const history = await model.fit(iris.x, y, { epochs: 100, batchSize: 16 });
  expect(history.history.accuracy!.at(-1)!).toBeGreaterThan(0.9);
  expect((await model.evaluate(iris.x, y)).accuracy!).toBeGreaterThan(0.9);
  model.dispose();
}

/** An epoch trains the batches of permutation(count, rngKey(seed, Stream.shuffle, epoch)), in that order. */
async function shuffleOrder(backend: BackendName): Promise<void> {
  const c: Case = {
    ...base,
    layers: () => [nn.dense(12, { inputShape: [6], activation: 'tanh' }), nn.dropout(0.1), nn.dense(2)],
    loss: lossRow('meanSquaredError'),
    optimizer: () => nn.sgd({ learningRate: 0.1 }),
  };
  const [byFit, byBatch] = [build(c, backend), build(c, backend)];
  const count = 50;
  const [x, y] = [data(41, count, 6), c.loss.targets(42, count, 2)];
  await byFit.fit(x, y, { epochs: 4, initialEpoch: 3, batchSize: 8, shuffle: true });
  const order = permutation(count, rngKey(modelSeed, Stream.shuffle, 3));
  const rows = (t: nn.Tensor, picked: Uint32Array) => {
    const cols = t.shape[1]!;
    const out = Float32Array.from({ length: picked.length * cols }, (_, i) => t.data[picked[Math.floor(i / cols)]! * cols + (i % cols)]!);
    return nn.tensor(out, [picked.length, cols]);
  };
  for (let start = 0; start < count; start += 8) {
    const picked = order.subarray(start, start + 8);
    await byBatch.trainOnBatch(rows(x, picked), rows(y, picked));
  }
  expectSameState('fit vs trainOnBatch in permutation order', byFit, byBatch);
  byFit.dispose();
  byBatch.dispose();
}

async function badInput(backend: BackendName): Promise<void> {
  const model = nn.sequential([nn.dense(7, { inputShape: [5], activation: 'relu' }), nn.dense(4, { activation: 'softmax' })], { backend, seed: 7 });
  model.compile({ optimizer: nn.sgd({ learningRate: 0.5, momentum: 0.9 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const y = nn.oneHot(classIds(1, 4, 4), 4);
  await expect(model.trainOnBatch(data(1, 4, 6), y)).rejects.toThrow(/x: expected shape \[samples, 5\]/);
  const nan = data(1, 4, 5);
  nan.data[7] = NaN;
  await expect(model.trainOnBatch(nan, y)).rejects.toThrow(/x: expected finite numbers \(found NaN at row 1, column 2\)/);
  // Large enough that an engine's own scan splits it over threads: the first bad value wins wherever it falls.
  const rows = 70_000;
  const big = new Float32Array(rows * 5);
  for (const [at, value, text] of [[rows * 5 - 1, -Infinity, '-Infinity at row 69999, column 4'], [rows * 3 + 2, NaN, 'NaN at row 42000, column 2']] as const) {
    big[at] = value;
    expect(() => model.predictSync(nn.tensor(big, [rows, 5]))).toThrow(`x: expected finite numbers (found ${text})`);
  }
  big[7] = Infinity;
  await expect(model.predict(nn.tensor(big, [rows, 5]))).rejects.toThrow('x: expected finite numbers (found Infinity at row 1, column 2)');
  // predict's x is checked by the backend as it reads it (backend.ts, contract point 2): in a later batchSize slice,
  // in the few-row path, and behind a first layer that is not dense (the engine scans x on its own there).
  const small = data(1, 9, 5);
  small.data[6 * 5 + 4] = NaN;
  await expect(model.predict(small, { batchSize: 4 })).rejects.toThrow('x: expected finite numbers (found NaN at row 6, column 4)');
  expect(() => model.predictSync(nn.tensor(small.data.subarray(25, 35), [2, 5]))).toThrow('x: expected finite numbers (found NaN at row 1, column 4)');
  const normFirst = nn.sequential([nn.batchNormalization({ inputShape: [5] }), nn.dense(3, { activation: 'relu' })], { backend, seed: 7 });
  expect(() => normFirst.predictSync(small)).toThrow('x: expected finite numbers (found NaN at row 6, column 4)');
  await expect(normFirst.predict(small)).rejects.toThrow('x: expected finite numbers (found NaN at row 6, column 4)');
  expect(normFirst.predictSync(data(1, 9, 5)).data.every(Number.isFinite)).toBe(true);
  normFirst.dispose();
  await expect(model.trainOnBatch(data(1, 4, 5), nn.tensor([[1, 0, 0, 0]]))).rejects.toThrow(/y: expected shape \[4, 4\]/);
  await expect(model.trainOnBatch(data(1, 2, 5), nn.tensor([[0.5, 0.5, 0.5, 0], [1, 0, 0, 0]]))).rejects.toThrow(/one-hot rows/);
  await expect(model.fit(data(1, 4, 5), y, { batchSize: 0 })).rejects.toThrow(/batchSize: expected a positive integer, got 0/);
  await expect(model.fit(data(1, 4, 5), y, { batchSize: 2.5 })).rejects.toThrow(/batchSize/);
  expect(Number.isFinite(await model.trainOnBatch(data(1, 4, 5), y))).toBe(true);
  model.dispose();
  expect(() => model.getWeights()).toThrow(/disposed/);
}

/** A batch of one row cannot be batch-normalised in training: a clear error before any step, naming the layer. */
async function batchNormOneRow(backend: BackendName): Promise<void> {
  const model = nn.sequential(
    [nn.dense(6, { inputShape: [5], useBias: false }), nn.batchNormalization({ name: 'bn_hidden' }), nn.activation('relu'), nn.dense(3, { activation: 'softmax' })],
    { backend, seed: 7 },
  );
  model.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
  const before = model.getWeights();
  const y = (rows: number) => nn.oneHot(classIds(2, rows, 3), 3);
  await expect(model.trainOnBatch(data(1, 1, 5), y(1))).rejects.toThrow(/layer bn_hidden .*batch of 1 row/);
  await expect(model.fit(data(1, 9, 5), y(9), { batchSize: 4 })).rejects.toThrow(/batchSize: .*bn_hidden.*9 rows in batches of 4 leave a batch of 1 row/);
  model.getWeights().forEach((w, i) => expect(w.data, `weights[${i}]: the refused calls moved nothing`).toEqual(before[i]!.data));
  await expect(model.fit(data(1, 9, 5), y(9), { batchSize: 4, validationSplit: 0.2 })).resolves.toBeDefined(); // 8 training rows
  expect(model.getWeights()[3]!.data, 'the fit that ran moved the moving mean').not.toEqual(before[3]!.data);
  // inference on one row uses the moving statistics and is fine
  expect((await model.predict(data(3, 1, 5))).shape).toEqual([1, 3]);
  expect(Number.isFinite(await model.trainOnBatch(data(1, 2, 5), y(2)))).toBe(true);
  model.dispose();
}

const behaviours: { name: string; run: (backend: BackendName) => Promise<void> }[] = [
  { name: 'batch normalisation refuses a training batch of one row, names the layer, stays usable', run: batchNormOneRow },
  { name: 'learns XOR with a hidden layer, not without', run: learnsXor },
  { name: 'Iris reaches ≥ 95 % test accuracy from a fixed seed', run: learnsIrisSplit },
  { name: 'learns Iris from one-hot targets', run: learnsIrisOneHot },
  { name: 'shuffled epochs train the batches of the shared permutation', run: shuffleOrder },
  { name: 'bad input gets clear errors and the model stays usable', run: badInput },
];

describe.each(testedBackends)('behaviour on %s', (backend) => {
  beforeAll(() => prepareBackend(backend));
  for (const b of behaviours) itUnlessExcluded(suite, backend, b.name, () => b.run(backend));
});

it('every backend-ops exclusion names a case of this suite', () => {
  expect(unusedExclusions(suite)).toEqual([]);
});
