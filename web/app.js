// The playground page: controls, pictures and the "use it" panel. Nothing here runs neurite; every model lives
// in worker.js, which this file talks to with plain messages (train, stop, predict, load, save).
import { CLASS_COLORS, drawPlane, planeCoordinates } from './boundary.js';
import { drawLineChart } from './chart.js';
import { DrawPad, thumbnail } from './draw-pad.js';
import { loadFashionSample } from './fashion-data.js';
import { drawNetwork } from './network-diagram.js';
import { gridPoints, makeToySet, TOY_EXTENT, TOY_SETS } from './toy-data.js';

const $ = (id) => document.getElementById(id);
const app = $('app');
const form = $('controls');

const GRID_SIZE = 64;
const GRID = gridPoints(GRID_SIZE);
const IRIS_EXTENT = { xMin: 0.5, xMax: 7.5, yMin: 0, yMax: 2.8 };
const IRIS_FEATURES = ['sepal length', 'sepal width', 'petal length', 'petal width'];
const GALLERY_SIZE = 40;
/** "Slow motion": a toy set trains in well under a second; this stretches each epoch so it can be watched. */
const SLOW_EPOCH_MS = 25;
const TRAIN_COLOR = '#2563eb';
const VALIDATION_COLOR = '#ea580c';

const CLASS_NAMES = { toy: ['orange', 'blue'], iris: ['setosa', 'versicolor', 'virginica'] };
const KIND_OF = { moons: 'toy', circles: 'toy', xor: 'toy', iris: 'iris', fashion: 'fashion' };

/** Settings that suit each kind of data; applied when the dataset changes kind, then free to edit. */
const DEFAULTS = {
  toy: { hidden: '8, 8', activation: 'tanh', dropout: 0, loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.03, batchSize: 16, epochs: 200, slow: true },
  iris: { hidden: '16, 8', activation: 'relu', dropout: 0, loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 100, slow: false },
  fashion: { hidden: '128, 64', activation: 'relu', dropout: 0.2, loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 15, slow: false },
};

const CLASSIFICATION_LOSSES = [
  ['sparseCategoricalCrossentropy', 'Cross-entropy (class indices)'],
  ['categoricalCrossentropy', 'Cross-entropy (one-hot targets)'],
  ['meanSquaredError', 'Mean squared error'],
];
const LOSSES = {
  toy: [
    ['binaryCrossentropy', 'Binary cross-entropy'],
    ['sparseCategoricalCrossentropy', 'Cross-entropy, 2-way softmax'],
    ['meanSquaredError', 'Mean squared error'],
  ],
  iris: CLASSIFICATION_LOSSES,
  fashion: CLASSIFICATION_LOSSES,
};

const DATA_NOTES = {
  toy: '20% of the points are held out for validation (stratified, seeded).',
  iris: "Fisher's Iris, embedded in neurite; 20% held out, standardised with the training rows' mean and std.",
  fashion: 'A fixed sample of Fashion-MNIST: 300 training images per class; the 500 test images validate.',
};

const state = {
  kind: undefined,
  toy: undefined,
  iris: undefined,
  fashion: undefined,
  history: {},
  totalEpochs: 0,
  model: undefined,
  kernels: undefined,
  grid: undefined,
  valPoints: undefined,
  valPredicted: undefined,
  valLabels: undefined,
  query: undefined,
  marker: undefined,
  picked: undefined,
  samplesPerSecond: 0,
};

// ---- the worker ---------------------------------------------------------------------------------------------

const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
worker.onerror = (e) => showError(`The training worker failed: ${e.message}`, true);
worker.onmessage = ({ data }) => fromWorker[data.type](data);

const fromWorker = {
  ready({ engine }) {
    app.dataset.engine = engine.backend;
    $('engine').textContent = engineText(engine);
    $('train').disabled = false;
    setState('ready');
    renderStatus();
    worker.postMessage({ type: 'iris' });
  },
  iris(data) {
    state.iris = data;
    if (state.kind === 'iris') renderData();
  },
  started({ model, trainCount, valCount, valPoints }) {
    state.model = model;
    state.kernels = undefined;
    state.history = {};
    state.valPoints = valPoints;
    state.valPredicted = undefined;
    state.samplesPerSecond = 0;
    app.dataset.model = 'trained';
    $('model-source').textContent = `trained on ${trainCount.toLocaleString('en-US')} samples, validated on ${valCount}`;
    setupUse();
    renderAll();
  },
  progress({ epochs, weights, grid, valPredicted, valLabels, samplesPerSecond }) {
    for (const logs of epochs) {
      for (const [k, v] of Object.entries(logs)) if (k !== 'epoch') (state.history[k] ??= []).push(v);
    }
    state.kernels = weights;
    if (grid) state.grid = grid;
    state.valPredicted = valPredicted;
    state.valLabels = valLabels;
    state.samplesPerSecond = samplesPerSecond;
    if (grid) app.dataset.gridUpdates = String(Number(app.dataset.gridUpdates ?? 0) + 1);
    renderAll();
    repeatQuery();
  },
  finished({ status }) {
    setState(status);
    $('train').disabled = false;
    $('stop').disabled = true;
    $('save').disabled = false;
    const epochs = state.history.loss?.length ?? 0;
    showMessage(status === 'stopped' ? `Stopped after ${epochs} epochs.` : `Trained ${epochs} epochs.`);
    renderStatus();
  },
  loaded({ model, weights }) {
    // A model's input size says what data it was made for; show that data so the pictures and inputs fit.
    const kind = model.inputSize === 2 ? 'toy' : model.inputSize === 4 ? 'iris' : model.inputSize === 784 ? 'fashion' : undefined;
    if (kind && kind !== state.kind) {
      form.elements.dataset.value = kind === 'toy' ? 'moons' : kind;
      setKind(kind);
    }
    state.model = model;
    state.kernels = weights;
    state.history = {};
    state.grid = undefined;
    state.valPredicted = undefined;
    state.totalEpochs = 0;
    app.dataset.model = 'loaded';
    $('model-source').textContent = `loaded from ${model.fileName}${model.standardized ? ' (inputs standardised as saved)' : ''}`;
    $('save').disabled = false;
    showMessage(`Loaded ${model.fileName}: ${summary(model)}.`);
    if (model.inputSize === 2) worker.postMessage({ type: 'grid', grid: GRID });
    setState('loaded');
    renderAll();
    state.query = undefined;
    setupUse();
  },
  grid({ grid }) {
    state.grid = grid;
    app.dataset.gridUpdates = String(Number(app.dataset.gridUpdates ?? 0) + 1);
    renderData();
  },
  prediction({ id, probabilities }) {
    if (id === predictionId) renderBars(probabilities);
  },
  saved({ bytes }) {
    const name = `neurite-${form.elements.dataset.value}.safetensors`;
    const link = Object.assign(document.createElement('a'), {
      href: URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' })),
      download: name,
    });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    showMessage(`Saved ${name} (${bytes.length.toLocaleString('en-US')} bytes); load it in Node with nn.loadModel(path).`);
  },
  error({ during, message, userError }) {
    showError(`${during}: ${message}`, !userError && during !== 'load');
    if (during === 'train') {
      setState('error');
      $('train').disabled = false;
      $('stop').disabled = true;
    }
  },
};

function engineText(engine) {
  if (engine.error) return `Engine: neurite's TypeScript backend in a Web Worker (WebAssembly unavailable: ${engine.error}).`;
  const isolation = engine.crossOriginIsolated
    ? 'the page is cross-origin isolated, but this WASM build has no threads'
    : 'this WASM build has no threads, and the page is not cross-origin isolated (serve with --isolated for that)';
  return (
    `Engine: neurite WebAssembly${engine.simd128 ? ' SIMD128' : ''} (GEMM kernel ${engine.gemmKernel}) in a Web Worker · ` +
    `single-threaded: ${isolation}.`
  );
}

// ---- controls -----------------------------------------------------------------------------------------------

function setKind(kind) {
  state.kind = kind;
  const d = DEFAULTS[kind];
  const loss = form.elements.loss;
  loss.replaceChildren(...LOSSES[kind].map(([value, text]) => new Option(text, value)));
  for (const [name, value] of Object.entries(d)) {
    if (typeof value === 'boolean') form.elements[name].checked = value;
    else form.elements[name].value = String(value);
  }
  for (const el of document.querySelectorAll('.toy-only')) el.hidden = kind !== 'toy';
  $('data-note').textContent = DATA_NOTES[kind];
  // a trained model belongs to its data; a new kind of data starts without one
  state.model = undefined;
  state.kernels = undefined;
  state.history = {};
  state.grid = undefined;
  state.valPoints = undefined;
  state.valPredicted = undefined;
  state.query = undefined;
  state.marker = undefined;
  state.picked = undefined;
  state.totalEpochs = 0;
  app.dataset.model = 'none';
  $('model-source').textContent = 'no model yet';
  $('save').disabled = true;
  if (kind === 'fashion' && !state.fashion) {
    loadFashionSample().then(
      (sample) => {
        state.fashion = sample;
        renderData();
      },
      (e) => showError(`Fashion-MNIST sample: ${e.message}`, true),
    );
  }
}

function makeToy() {
  if (state.kind !== 'toy') return;
  const v = form.elements;
  state.toy = makeToySet(v.dataset.value, { count: Number(v.points.value), noise: Number(v.noise.value) || 0, seed: Number(v.seed.value) || 0 });
}

/** The output layer the worker will build for this kind of data and loss (see outputFor in worker.js). */
function outputLayer(kind = state.kind, loss = form.elements.loss.value) {
  const classes = { toy: 2, iris: 3, fashion: 10 }[kind];
  const units = kind === 'toy' && loss !== 'sparseCategoricalCrossentropy' ? 1 : classes;
  return { units, activation: units === 1 ? 'sigmoid' : 'softmax' };
}

function outputNote() {
  const { units, activation } = outputLayer();
  $('output-note').textContent = `Output layer: ${units} ${activation} unit${units > 1 ? 's' : ''}, set by the loss.` +
    (form.elements.loss.value === 'meanSquaredError' ? ' (Accuracy is not reported for mean squared error.)' : '');
}

/** The run's settings from the form, or an Error naming the field that is wrong. */
function readSettings() {
  const v = form.elements;
  const hiddenText = v.hidden.value.trim();
  const hidden = hiddenText === '' ? [] : hiddenText.split(/[\s,]+/).map(Number);
  if (hidden.some((n) => !Number.isInteger(n) || n < 1 || n > 2048)) {
    throw new Error('Hidden layers: expected whole numbers from 1 to 2048, comma-separated (e.g. 16, 8)');
  }
  const number = (name, label, ok) => {
    const n = Number(v[name].value);
    if (v[name].value.trim() === '' || !ok(n)) throw new Error(`${label}: ${v[name].value || 'empty'} is not allowed`);
    return n;
  };
  const training = {
    loss: v.loss.value,
    optimizer: v.optimizer.value,
    learningRate: number('learningRate', 'Learning rate', (n) => n > 0 && n <= 10),
    batchSize: number('batchSize', 'Batch size', (n) => Number.isInteger(n) && n >= 1),
    epochs: number('epochs', 'Epochs', (n) => Number.isInteger(n) && n >= 1 && n <= 100_000),
    seed: number('seed', 'Seed', (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32),
    minEpochMs: v.slow.checked ? SLOW_EPOCH_MS : 0,
  };
  const network = { hidden, activation: v.activation.value, dropout: number('dropout', 'Dropout', (n) => n >= 0 && n < 1) };
  return { network, training };
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  let settings;
  try {
    settings = readSettings();
  } catch (err) {
    return showError(err.message);
  }
  const dataset = { kind: state.kind };
  if (state.kind === 'toy') Object.assign(dataset, state.toy);
  state.totalEpochs = settings.training.epochs;
  state.grid = undefined;
  state.marker = undefined;
  app.dataset.gridUpdates = '0';
  $('train').disabled = true;
  $('stop').disabled = false;
  $('save').disabled = true;
  showMessage('Training…');
  setState('training');
  worker.postMessage({ type: 'train', dataset, ...settings, grid: state.kind === 'toy' ? GRID : undefined });
});

$('stop').addEventListener('click', () => worker.postMessage({ type: 'stop' }));
$('save').addEventListener('click', () => worker.postMessage({ type: 'save' }));
$('load').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  e.target.value = '';
  if (!file) return;
  const bytes = await file.arrayBuffer();
  worker.postMessage({ type: 'load', bytes, fileName: file.name }, [bytes]);
});

form.elements.dataset.addEventListener('change', () => {
  const kind = KIND_OF[form.elements.dataset.value];
  if (kind !== state.kind) setKind(kind);
  state.grid = state.kind === 'toy' ? state.grid : undefined;
  makeToy();
  outputNote();
  setupUse();
  renderAll();
});
for (const name of ['noise', 'points', 'seed']) {
  form.elements[name].addEventListener('change', () => {
    makeToy();
    renderData();
  });
}
form.elements.loss.addEventListener('change', outputNote);
// until a model exists, the diagram and the empty charts follow the form
form.addEventListener('input', () => {
  if (!state.model) {
    renderNetwork();
    renderCharts();
  }
});

// ---- use it -------------------------------------------------------------------------------------------------

let predictionId = 0;
const pad = new DrawPad($('pad'), {
  onChange: throttle((pixels) => {
    state.picked = undefined;
    markGallery();
    predict(pixels.slice());
  }, 60),
});

/** Which input the panel offers: follows the model's input size, or the data when there is no model yet. */
function useMode() {
  const size = state.model?.inputSize;
  if (size === undefined) return { toy: 'plane', iris: 'iris', fashion: 'image' }[state.kind];
  if (size === 2 && state.kind === 'toy') return 'plane';
  if (size === 4 && state.kind === 'iris') return 'iris';
  if (size === 784 && state.kind === 'fashion') return 'image';
  return 'generic';
}

function setupUse() {
  const mode = useMode();
  $('use-iris').hidden = mode !== 'iris';
  $('use-image').hidden = mode !== 'image';
  $('use-generic').hidden = mode !== 'generic';
  document.querySelector('.use-body').classList.toggle('side', mode === 'image');
  const hints = {
    plane: 'Click the map to classify a point.',
    iris: 'Enter a flower’s measurements.',
    image: 'Draw a piece of clothing (white on black), or click a test image above.',
    generic: `Enter ${state.model?.inputSize} numbers, comma-separated.`,
  };
  $('use-hint').textContent = state.model ? hints[mode] : `${hints[mode]} Train or load a model first.`;
  if (!state.query) renderBars(undefined);
}

function predict(rows) {
  state.query = rows;
  if (!state.model) return;
  worker.postMessage({ type: 'predict', id: ++predictionId, rows, count: 1 });
}

/** While training, the last input is asked again after each update, so its bars move as the model learns. */
function repeatQuery() {
  if (state.query) predict(state.query);
}

$('plane').addEventListener('click', (e) => {
  if (useMode() !== 'plane') return;
  const at = planeCoordinates($('plane'), e, TOY_EXTENT);
  if (!at) return;
  state.marker = at;
  predict(Float32Array.from(at));
  renderData();
});

$('use-iris').addEventListener('submit', (e) => {
  e.preventDefault();
  const values = [0, 1, 2, 3].map((i) => Number(e.target.elements[`f${i}`].value));
  if (values.some((v) => !Number.isFinite(v) || e.target.elements.f0.value === '')) return showError('Iris: enter four numbers');
  state.marker = [values[2], values[3]];
  predict(Float32Array.from(values));
  renderData();
});

$('use-generic').addEventListener('submit', (e) => {
  e.preventDefault();
  const values = e.target.elements.values.value.split(/[\s,]+/).filter(Boolean).map(Number);
  if (values.length !== state.model?.inputSize || values.some((v) => !Number.isFinite(v))) {
    return showError(`Inputs: expected ${state.model?.inputSize} numbers, got ${values.length}`);
  }
  predict(Float32Array.from(values));
});

$('clear-pad').addEventListener('click', () => {
  pad.clear();
  state.picked = undefined;
  state.query = undefined;
  markGallery();
  renderBars(undefined);
});
$('random-image').addEventListener('click', () => {
  if (state.fashion) pickTestImage(Math.floor(Math.random() * state.fashion.test.count));
});

function pickTestImage(index) {
  const { test, imageShape, classNames } = state.fashion;
  const pixels = imageShape[0] * imageShape[1];
  const image = test.pixels.subarray(index * pixels, (index + 1) * pixels);
  pad.set(image);
  state.picked = index;
  markGallery();
  showMessage(`Test image ${index}: ${classNames[test.labels[index]]}.`);
  predict(pad.pixels.slice());
}

function classNames(model = state.model) {
  const out = model?.outputSize ?? 0;
  const names = model?.classNames;
  const count = out === 1 ? 2 : out;
  return Array.from({ length: count }, (_, i) => names?.[i] ?? `class ${i}`);
}

/** The network the form describes, drawn (without weights) until there is a model. */
function previewModel() {
  let network;
  try {
    network = readSettings().network;
  } catch {
    return undefined;
  }
  const output = outputLayer();
  const layers = [];
  for (const n of network.hidden) {
    layers.push({ kind: 'dense', units: n, activation: network.activation });
    if (network.dropout > 0) layers.push({ kind: 'dropout', rate: network.dropout });
  }
  layers.push({ kind: 'dense', ...output });
  const names = CLASS_NAMES[state.kind] ?? state.fashion?.classNames;
  return { inputSize: { toy: 2, iris: 4, fashion: 784 }[state.kind], outputSize: output.units, layers, classNames: names };
}

function renderBars(probabilities) {
  const bars = $('bars');
  if (!probabilities) {
    bars.replaceChildren();
    delete bars.dataset.probabilities;
    return;
  }
  const last = state.model.layers.filter((l) => l.kind === 'dense').at(-1);
  const names = classNames();
  const values = Array.from(probabilities);
  bars.dataset.probabilities = JSON.stringify(values);
  bars.dataset.updates = String(Number(bars.dataset.updates ?? 0) + 1);
  if (last.activation !== 'softmax' && !(last.activation === 'sigmoid' && state.model.outputSize === 1)) {
    const raw = document.createElement('div');
    raw.className = 'raw';
    raw.textContent = `outputs (${last.activation}): ${values.map((v) => v.toPrecision(4)).join(', ')}`;
    return bars.replaceChildren(raw);
  }
  const top = values.indexOf(Math.max(...values));
  bars.dataset.top = names[top];
  const cells = values.flatMap((p, i) => {
    const name = el('div', `name${i === top ? ' top' : ''}`, names[i]);
    const bar = el('div', `bar${i === top ? ' top' : ''}`);
    const fill = el('div');
    fill.style.width = `${(p * 100).toFixed(1)}%`;
    if (state.kind === 'toy' && state.model.inputSize === 2) fill.style.background = CLASS_COLORS[i];
    bar.append(fill);
    return [name, bar, el('div', 'pct', `${(p * 100).toFixed(1)}%`)];
  });
  bars.replaceChildren(...cells);
}

// ---- pictures -----------------------------------------------------------------------------------------------

function renderAll() {
  renderStatus();
  renderCharts();
  renderNetwork();
  renderData();
}

function renderStatus() {
  const h = state.history;
  const n = h.loss?.length ?? 0;
  app.dataset.epochs = String(n);
  if (n) {
    app.dataset.firstLoss = String(h.loss[0]);
    app.dataset.lastLoss = String(h.loss[n - 1]);
    if (h.val_accuracy) app.dataset.valAccuracy = String(h.val_accuracy[n - 1]);
  }
  const parts = [];
  if (n) {
    parts.push(`epoch ${n}${state.totalEpochs ? ` / ${state.totalEpochs}` : ''}`);
    parts.push(`loss ${fmt(h.loss[n - 1])} (val ${fmt(h.val_loss[n - 1])})`);
    if (h.accuracy) parts.push(`accuracy ${pct(h.accuracy[n - 1])} (val ${pct(h.val_accuracy[n - 1])})`);
    if (state.samplesPerSecond) parts.push(`${Math.round(state.samplesPerSecond).toLocaleString('en-US')} samples/s`);
  }
  $('status').textContent = parts.length ? parts.join(' · ') : app.dataset.state === 'loading' ? 'Waiting for the engine…' : 'not trained yet';
  $('model-summary').textContent = state.model ? summary(state.model) : '';
}

function renderCharts() {
  const h = state.history;
  const xMax = Math.max(state.totalEpochs || Number(form.elements.epochs.value) || 1, h.loss?.length ?? 0);
  drawLineChart($('loss-chart'), {
    title: 'Loss',
    xMax,
    format: (v) => (v >= 10 ? v.toFixed(0) : v.toFixed(v >= 1 ? 1 : 2)),
    series: [
      { label: 'training', color: TRAIN_COLOR, values: h.loss ?? [] },
      { label: 'validation', color: VALIDATION_COLOR, values: h.val_loss ?? [], dashed: true },
    ],
  });
  const accuracies = [...(h.accuracy ?? []), ...(h.val_accuracy ?? [])];
  const low = accuracies.length ? Math.min(0.9, Math.floor(Math.min(...accuracies) * 10) / 10) : 0;
  drawLineChart($('accuracy-chart'), {
    title: 'Accuracy',
    xMax,
    yRange: [low, 1],
    format: (v) => `${Math.round(v * 100)}%`,
    empty: h.loss && !h.accuracy ? 'no accuracy for mean squared error' : undefined,
    series: [
      { label: 'training', color: TRAIN_COLOR, values: h.accuracy ?? [] },
      { label: 'validation', color: VALIDATION_COLOR, values: h.val_accuracy ?? [], dashed: true },
    ],
  });
}

function renderNetwork() {
  const model = state.model ?? previewModel();
  const names = model && classNames(model);
  const inputLabel = (i) => {
    if (model.inputSize === 2) return ['x₁', 'x₂'][i];
    if (model.inputSize === 4 && state.kind === 'iris') return IRIS_FEATURES[i];
    if (model.inputSize === 784) return `pixel ${Math.floor(i / 28)},${i % 28}`;
    return `input ${i}`;
  };
  drawNetwork($('network'), {
    model,
    kernels: state.kernels,
    inputLabels: inputLabel,
    outputLabels: (i) => (model.outputSize === 1 ? `P(${names[1]})` : names[i]),
  });
}

function renderData() {
  const plane = $('plane');
  const gallery = $('gallery');
  plane.hidden = state.kind === 'fashion';
  gallery.hidden = state.kind !== 'fashion';
  const rings = wrongValidationPoints();
  if (state.kind === 'toy' && state.toy) {
    $('data-title').textContent = `${TOY_SETS[form.elements.dataset.value]}`;
    $('data-caption').textContent = state.grid
      ? 'shade: P(blue) · ringed: wrong (validation)'
      : `${state.toy.labels.length} points, two classes`;
    drawPlane(plane, { extent: TOY_EXTENT, points: state.toy, grid: state.grid, gridSize: GRID_SIZE, rings, marker: state.marker });
  } else if (state.kind === 'iris') {
    $('data-title').textContent = 'Iris';
    $('data-caption').textContent = `150 flowers by species${rings ? ' · ringed: wrong (validation)' : ''}`;
    drawPlane(plane, {
      extent: IRIS_EXTENT,
      points: state.iris?.points ?? { x: new Float32Array(0), labels: [] },
      rings,
      marker: state.marker,
      xLabel: 'petal length (cm)',
      yLabel: 'petal width (cm)',
    });
  } else if (state.kind === 'fashion') {
    $('data-title').textContent = 'Fashion-MNIST test images';
    $('data-caption').textContent = state.valPredicted ? 'green: right · red: wrong · click to classify' : 'click one to classify it';
    renderGallery();
  }
}

/** Validation points the model gets wrong, as plane coordinates (toy and Iris). */
function wrongValidationPoints() {
  const { valPoints, valPredicted, valLabels } = state;
  if (!valPoints || !valPredicted || app.dataset.model !== 'trained') return undefined;
  const out = [];
  valPredicted.forEach((p, i) => {
    if (p !== valLabels[i]) out.push(valPoints[i * 2], valPoints[i * 2 + 1]);
  });
  return Float32Array.from(out);
}

function renderGallery() {
  const gallery = $('gallery');
  if (!state.fashion) return;
  if (!gallery.childElementCount) {
    const { test, imageShape } = state.fashion;
    const pixels = imageShape[0] * imageShape[1];
    for (let i = 0; i < Math.min(GALLERY_SIZE, test.count); i++) {
      const button = el('button');
      button.type = 'button';
      button.dataset.index = String(i);
      button.title = state.fashion.classNames[test.labels[i]];
      button.append(thumbnail(test.pixels.subarray(i * pixels, (i + 1) * pixels)));
      button.addEventListener('click', () => pickTestImage(i));
      gallery.append(button);
    }
  }
  markGallery();
}

function markGallery() {
  const { valPredicted, valLabels, fashion } = state;
  for (const button of $('gallery').children) {
    const i = Number(button.dataset.index);
    const known = valPredicted && app.dataset.model === 'trained';
    button.classList.toggle('right', Boolean(known && valPredicted[i] === valLabels[i]));
    button.classList.toggle('wrong', Boolean(known && valPredicted[i] !== valLabels[i]));
    button.classList.toggle('picked', state.picked === i);
    if (fashion) {
      const truth = fashion.classNames[fashion.test.labels[i]];
      button.title = known ? `${truth} (model: ${fashion.classNames[valPredicted[i]]})` : truth;
    }
  }
}

// ---- small helpers ------------------------------------------------------------------------------------------

function summary(model) {
  const units = model.layers.filter((l) => l.kind === 'dense').map((l) => l.units);
  return `${[model.inputSize, ...units].join(' → ')} · ${model.params.toLocaleString('en-US')} parameters · ${model.backend}`;
}

function setState(s) {
  app.dataset.state = s;
}

function showMessage(text) {
  const m = $('message');
  m.classList.remove('error');
  m.textContent = text;
}

/** Shows an error in the page; a bug (not a user's input) also goes to the console, where tests see it. */
function showError(text, isBug = false) {
  const m = $('message');
  m.classList.add('error');
  m.textContent = text;
  if (isBug) console.error(text);
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmt = (v) => (v === undefined ? '–' : v < 0.01 ? v.toExponential(1) : v.toFixed(3));
const pct = (v) => (v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

function throttle(f, ms) {
  let last = 0;
  let timer;
  return (...args) => {
    clearTimeout(timer);
    const wait = last + ms - performance.now();
    if (wait <= 0) {
      last = performance.now();
      f(...args);
    } else {
      timer = setTimeout(() => {
        last = performance.now();
        f(...args);
      }, wait);
    }
  };
}

// ---- start --------------------------------------------------------------------------------------------------

setKind('toy');
makeToy();
outputNote();
setupUse();
renderAll();
window.addEventListener('resize', throttle(renderAll, 100));
