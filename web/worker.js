// The playground's engine room: everything neurite does runs here, in a Web Worker, on the WASM backend, so the
// page stays responsive while a network trains. The page sends plain messages; see `handlers` at the bottom.
import * as nn from './neurite.js';
import { loadImageSample, pixelsToFloats } from './image-data.js';
import { hiddenLayers } from './settings.js';

/** How often, at most, the page hears about training: every epoch's logs are kept and sent in bunches. */
const PROGRESS_MS = 80;

const post = (message, transfer = []) => self.postMessage(message, transfer);

/** The model the page is looking at (trained here or loaded from a file) and what goes with it. */
let current;
let controller;

const engine = nn.ready('wasm').then(
  async (backend) => {
    return { backend, ...nn.wasmInfo(), crossOriginIsolated: self.crossOriginIsolated === true };
  },
  (e) => ({ backend: 'ts', error: e.message, threads: 1, crossOriginIsolated: self.crossOriginIsolated === true }),
);

// ---- data ---------------------------------------------------------------------------------------------------

/**
 * Training and validation tensors for a dataset request, with what prediction needs later: class names and the
 * input scaler (Iris is standardised with statistics of its training rows only).
 */
async function prepareData(request, seed) {
  if (request.kind === 'toy') {
    const x = nn.tensor(request.x, [request.labels.length, 2]);
    const split = nn.trainTestSplit(x, request.labels, { testSize: 0.2, seed, stratify: true });
    return { ...split, classNames: ['orange', 'blue'], inputSize: 2, classes: 2, valPoints: split.xTest.data };
  }
  if (request.kind === 'iris') {
    const iris = nn.loadIris();
    const split = nn.trainTestSplit(iris.x, iris.labels, { testSize: 0.2, seed, stratify: true });
    const scaler = nn.standardScaler().fit(split.xTrain);
    return {
      xTrain: scaler.transform(split.xTrain),
      xTest: scaler.transform(split.xTest),
      yTrain: split.yTrain,
      yTest: split.yTest,
      scaler,
      classNames: iris.classNames,
      inputSize: 4,
      classes: 3,
      valPoints: petals(split.xTest),
    };
  }
  if (request.kind === 'fashion' || request.kind === 'digits') {
    const sample = await loadImageSample(request.kind);
    const pixels = sample.imageShape[0] * sample.imageShape[1];
    return {
      xTrain: nn.tensor(pixelsToFloats(sample.train.pixels), [sample.train.count, pixels]),
      yTrain: Int32Array.from(sample.train.labels),
      xTest: nn.tensor(pixelsToFloats(sample.test.pixels), [sample.test.count, pixels]),
      yTest: Int32Array.from(sample.test.labels),
      classNames: sample.classNames,
      inputSize: pixels,
      classes: sample.classNames.length,
    };
  }
  throw new Error(`dataset: expected kind toy, iris, digits or fashion, got ${request.kind}`);
}

/** Petal length and width (columns 2 and 3) of Iris rows: the plane the page shows Iris in. */
function petals(x) {
  const rows = x.shape[0];
  const out = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    out[r * 2] = x.data[r * 4 + 2];
    out[r * 2 + 1] = x.data[r * 4 + 3];
  }
  return out;
}

// ---- the network ----------------------------------------------------------------------------------------------

/** The output layer and target encoding that go with a loss (binary: one sigmoid unit; else softmax). */
function outputFor(loss, classes) {
  if (loss === 'binaryCrossentropy') {
    if (classes !== 2) throw new Error('loss: binaryCrossentropy needs two classes');
    return { units: 1, activation: 'sigmoid', targets: (labels) => nn.tensor(Float32Array.from(labels), [labels.length, 1]) };
  }
  if (loss === 'meanSquaredError' && classes === 2) {
    return { units: 1, activation: 'sigmoid', targets: (labels) => nn.tensor(Float32Array.from(labels), [labels.length, 1]) };
  }
  if (loss === 'sparseCategoricalCrossentropy') return { units: classes, activation: 'softmax', targets: (labels) => labels };
  return { units: classes, activation: 'softmax', targets: (labels) => nn.oneHot(labels, classes) };
}

function optimizerFor({ optimizer, learningRate }) {
  switch (optimizer) {
    case 'sgd':
      return nn.sgd({ learningRate });
    case 'momentum':
      return nn.sgd({ learningRate, momentum: 0.9 });
    case 'adam':
      return nn.adam({ learningRate });
    case 'adamw':
      return nn.adamw({ learningRate });
    case 'rmsprop':
      return nn.rmsprop({ learningRate });
    default:
      throw new Error(`optimizer: expected sgd, momentum, adam, adamw or rmsprop, got ${optimizer}`);
  }
}

function buildModel(inputSize, network, output, seed, backend) {
  const layers = [];
  for (const units of network.hidden) {
    for (const l of hiddenLayers(network, units)) {
      const first = layers.length === 0 ? { inputShape: [inputSize] } : {};
      if (l.kind === 'dense') layers.push(nn.dense(l.units, { activation: l.activation, useBias: l.useBias ?? true, ...first }));
      else if (l.kind === 'dropout') layers.push(nn.dropout({ rate: l.rate, ...first }));
      else if (l.kind === 'activation') layers.push(nn.activation(l.activation, first));
      else if (l.kind === 'batchNormalization') layers.push(nn.batchNormalization(first));
      else layers.push(nn.layerNormalization(first));
    }
  }
  layers.push(nn.dense(output.units, { activation: output.activation, ...(layers.length === 0 ? { inputShape: [inputSize] } : {}) }));
  return nn.sequential(layers, { backend, seed, name: 'playground' });
}

/** What the page draws and labels: layer sizes and activations, parameter count, class names. */
function describe(model, extra) {
  return {
    inputSize: model.inputSize,
    outputSize: model.outputSize,
    layers: model.spec.layers.map((l) =>
      l.kind === 'dense' || l.kind === 'activation' ? { kind: l.kind, units: l.units, activation: l.activation }
        : l.kind === 'dropout' ? { kind: 'dropout', rate: l.rate } : { kind: l.kind, units: l.units },
    ),
    params: model.countParams(),
    backend: model.backend,
    ...extra,
  };
}

/** The kernels of the dense layers (the diagram draws those), as fresh arrays the page may keep. */
function kernels(model) {
  return model.getWeights().filter((w) => w.shape.length === 2).map((w) => w.data);
}

/** Class probabilities per row: softmax rows as they are, one sigmoid unit as [1 − p, p]. */
function probabilities(model, out, count) {
  if (model.outputSize !== 1) return out;
  const two = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    two[i * 2] = 1 - out[i];
    two[i * 2 + 1] = out[i];
  }
  return two;
}

/** The class the model picks for each row of x (x already scaled, as the model trains on it). */
function predictedClasses(model, x) {
  const count = x.shape[0];
  const p = probabilities(model, model.predictSync(x).data, count);
  return nn.argMax(nn.tensor(p, [count, p.length / count]));
}

/** Class probabilities for rows as a user enters them: scaled first when the model came with a scaler. */
function predictRows(rows, count) {
  const { model, scaler } = current;
  let x = nn.tensor(rows, [count, model.inputSize]);
  if (scaler) x = scaler.transform(x);
  return probabilities(model, model.predictSync(x).data, count);
}

/** P(class 1) on each point of the grid the boundary view paints. */
function gridValues(grid) {
  const count = grid.length / 2;
  const p = predictRows(grid, count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = p[i * 2 + 1];
  return out;
}

// ---- messages -------------------------------------------------------------------------------------------------

async function train({ dataset, network, training, grid }) {
  if (controller) throw new Error('train: already training; stop first');
  const info = await engine;
  const data = await prepareData(dataset, training.seed);
  const output = outputFor(training.loss, data.classes);
  const model = buildModel(data.inputSize, network, output, training.seed, info.backend);
  model.compile({ optimizer: optimizerFor(training), loss: training.loss, metrics: ['accuracy'] });
  current?.model.dispose();
  current = { model, scaler: data.scaler, classNames: data.classNames };
  post({
    type: 'started',
    model: describe(model, { classNames: data.classNames, source: 'trained' }),
    trainCount: data.xTrain.shape[0],
    valCount: data.xTest.shape[0],
    valPoints: data.valPoints,
  });

  controller = new AbortController();
  const valX = data.xTest;
  const started = performance.now();
  let sleptMs = 0;
  let epochStarted = started;
  let pending = [];
  let lastPost = 0;
  let seen = 0;
  const sendProgress = () => {
    const message = {
      type: 'progress',
      epochs: pending,
      weights: kernels(model),
      samplesPerSecond: (seen * data.xTrain.shape[0]) / ((performance.now() - started - sleptMs) / 1000),
      valPredicted: predictedClasses(model, valX),
      valLabels: data.yTest,
    };
    if (grid) message.grid = gridValues(grid);
    post(message);
    pending = [];
    lastPost = performance.now();
  };

  try {
    await model.fit(data.xTrain, output.targets(data.yTrain), {
      epochs: training.epochs,
      batchSize: training.batchSize,
      validationData: [valX, output.targets(data.yTest)],
      signal: controller.signal,
      callbacks: {
        onEpochBegin: () => {
          epochStarted = performance.now();
        },
        onEpochEnd: async (epoch, logs) => {
          seen++;
          pending.push({ epoch: epoch + 1, ...logs });
          if (performance.now() - lastPost >= PROGRESS_MS || epoch + 1 === training.epochs) sendProgress();
          // optional slow motion, so a fast toy run can be watched epoch by epoch
          const wait = training.minEpochMs - (performance.now() - epochStarted);
          if (wait > 0) {
            const before = performance.now();
            await new Promise((resolve) => setTimeout(resolve, wait));
            sleptMs += performance.now() - before;
          }
        },
      },
    });
    post({ type: 'finished', status: 'done' });
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
    if (pending.length) sendProgress();
    post({ type: 'finished', status: 'stopped' });
  } finally {
    controller = undefined;
  }
}

async function load({ bytes, fileName }) {
  const info = await engine;
  const model = await nn.loadModelFromBytes(bytes, { backend: info.backend });
  const { classNames, standardization } = model.extras;
  const scaler = standardization ? nn.standardScaler().fromJSON({ kind: 'standard', ...standardization }) : undefined;
  current?.model.dispose();
  current = { model, scaler, classNames };
  post({
    type: 'loaded',
    model: describe(model, { classNames, source: 'loaded', fileName, standardized: Boolean(scaler) }),
    weights: kernels(model),
  });
}

async function save() {
  if (!current) throw new Error('save: train or load a model first');
  const { model, scaler, classNames } = current;
  const bytes = await model.save(undefined, {
    classNames,
    ...(scaler ? { standardization: { mean: scaler.mean, std: scaler.std } } : {}),
  });
  post({ type: 'saved', bytes }, [bytes.buffer]);
}

const handlers = {
  train,
  /** Iris as the page plots it (the page has no copy of the data): petal measurements and species. */
  iris: () => {
    const iris = nn.loadIris();
    post({ type: 'iris', points: { x: petals(iris.x), labels: iris.labels }, classNames: iris.classNames, featureNames: iris.featureNames });
  },
  load,
  save,
  stop: () => controller?.abort(),
  predict: ({ id, rows, count }) => {
    if (!current) throw new Error('predict: train or load a model first');
    post({ type: 'prediction', id, probabilities: predictRows(rows, count), count });
  },
  grid: ({ grid }) => {
    if (current?.model.inputSize !== 2) return;
    post({ type: 'grid', grid: gridValues(grid) });
  },
};

self.onmessage = async ({ data: message }) => {
  try {
    await handlers[message.type](message);
  } catch (e) {
    post({ type: 'error', during: message.type, message: e?.message ?? String(e), userError: e?.name === 'NeuriteError' });
  }
};

engine.then((info) => post({ type: 'ready', engine: info }));
