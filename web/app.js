// The playground page: controls, pictures and the "use it" panel. Nothing here runs neurite; every model lives
// in worker.js, which this file talks to with plain messages (train, stop, predict, load, save).
import { renderBars as drawBars } from './bars.js';
import { CLASS_COLORS, drawPlane, planeCoordinates } from './boundary.js';
import { drawLineChart } from './chart.js';
import { DrawPad } from './draw-pad.js';
import { centerDigit } from './center-digit.js';
import { IMAGE_SAMPLES, loadImageSample } from './image-data.js';
import { buildGallery, markGallery as markThumbnails } from './gallery.js';
import { drawNetwork } from './network-diagram.js';
import { CLASS_NAMES, DATA_NOTES, DEFAULTS, IMAGE_KINDS, KIND_OF, LOSSES, outputLayer, previewModel, readSettings } from './settings.js';
import { gridPoints, makeToySet, TOY_EXTENT, TOY_SETS } from './toy-data.js';

const $ = (id) => document.getElementById(id);
const app = $('app');
const form = $('controls');

const GRID_SIZE = 64;
const GRID = gridPoints(GRID_SIZE);
const IRIS_EXTENT = { xMin: 0.5, xMax: 7.5, yMin: 0, yMax: 2.8 };
const IRIS_FEATURES = ['sepal length', 'sepal width', 'petal length', 'petal width'];
const GALLERY_SIZE = 40;
const TRAIN_COLOR = '#2563eb';
const VALIDATION_COLOR = '#ea580c';

const state = {
  kind: undefined,
  toy: undefined,
  iris: undefined,
  /** the image sample of the current kind (digits or Fashion-MNIST), once fetched */
  images: undefined,
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
    $('model-source').textContent = `trained on ${trainCount.toLocaleString('en-US')} samples, validated on ${valCount.toLocaleString('en-US')}`;
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
    lockControls(false);
    // a stopped run's chart spans the epochs it ran, not the ones it was asked for
    if (status === 'stopped') state.totalEpochs = state.history.loss?.length ?? 0;
    renderCharts();
    $('save').disabled = false;
    const epochs = state.history.loss?.length ?? 0;
    const counted = `${epochs} epoch${epochs === 1 ? '' : 's'}`;
    showMessage(status === 'stopped' ? `Stopped after ${counted}.` : `Trained ${counted}.`);
    renderStatus();
  },
  loaded({ model, weights }) {
    // A model's input size says what data it was made for; show that data so the pictures and inputs fit.
    const kind = model.inputSize === 2 ? 'toy' : model.inputSize === 4 ? 'iris' : model.inputSize === 784 ? imageKind(model) : undefined;
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
    $('model-source').textContent = `loaded from ${model.fileName}`;
    $('save').disabled = false;
    showMessage(`Loaded ${model.fileName}: ${summary(model)}${model.standardized ? '; inputs are standardised with its saved mean and std' : ''}.`);
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
      lockControls(false);
    }
  },
};

function engineText(engine) {
  if (engine.error) return `Engine: neurite's TypeScript backend in a Web Worker (WebAssembly unavailable: ${engine.error}).`;
  const threads =
    engine.build === 'threads'
      ? `${engine.threads} threads (the page is cross-origin isolated)`
      : `single-threaded: ${engine.threadsUnavailable ?? 'this WASM build has no threads'}${engine.crossOriginIsolated ? '' : ' (serve with --isolated for threads)'}`;
  return `Engine: neurite WebAssembly${engine.simd128 ? ' SIMD128' : ''} (GEMM kernel ${engine.gemmKernel}) in a Web Worker · ${threads}.`;
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
  outputNote();
  forgetModel();
  state.images = undefined;
  if (IMAGE_KINDS.includes(kind)) {
    loadImageSample(kind).then(
      (sample) => {
        if (state.kind !== kind) return; // the user moved on while it loaded
        state.images = sample;
        renderData();
        renderNetwork();
      },
      (e) => showError(`${IMAGE_SAMPLES[kind].title}: ${e.message}`, true),
    );
  }
}

/** Which image data a loaded 784-input model belongs to: digits if its classes are 0-9, else what is shown. */
function imageKind(model) {
  if (model.classNames?.join() === CLASS_NAMES.digits.join()) return 'digits';
  return IMAGE_KINDS.includes(state.kind) ? state.kind : 'fashion';
}

/** A trained model belongs to its data: other data starts without one (the worker keeps it until replaced). */
function forgetModel() {
  showMessage('');
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
}

function makeToy() {
  if (state.kind !== 'toy') return;
  const v = form.elements;
  state.toy = makeToySet(v.dataset.value, { count: Number(v.points.value), noise: Number(v.noise.value) || 0, seed: Number(v.seed.value) || 0 });
}

function outputNote() {
  const { units, activation } = outputLayer(state.kind, form.elements.loss.value);
  $('output-note').textContent = `Output layer: ${units} ${activation} unit${units > 1 ? 's' : ''}, set by the loss.` +
    (form.elements.loss.value === 'meanSquaredError' ? ' (Accuracy is not reported for mean squared error.)' : '');
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  let settings;
  try {
    settings = readSettings(form);
  } catch (err) {
    return showError(err.message);
  }
  const dataset = { kind: state.kind };
  if (state.kind === 'toy') Object.assign(dataset, state.toy);
  state.totalEpochs = settings.training.epochs;
  state.grid = undefined;
  state.marker = undefined;
  app.dataset.gridUpdates = '0';
  lockControls(true);
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
  else forgetModel();
  makeToy();
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
    // a drawn digit is framed as MNIST's were (20×20 box, centre of mass in the middle) before it is classified
    predict(state.kind === 'digits' ? centerDigit(pixels) : pixels.slice());
  }, 60),
});

/** Which input the panel offers: follows the model's input size, or the data when there is no model yet. */
function useMode() {
  const size = state.model?.inputSize;
  if (size === undefined) return { toy: 'plane', iris: 'iris', digits: 'image', fashion: 'image' }[state.kind];
  if (size === 2 && state.kind === 'toy') return 'plane';
  if (size === 4 && state.kind === 'iris') return 'iris';
  if (size === 784 && IMAGE_KINDS.includes(state.kind)) return 'image';
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
    image: state.kind === 'digits'
      ? 'Draw a digit (white on black), or click a test image above.'
      : 'Draw a piece of clothing (white on black), or click a test image above.',
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
  const raw = [0, 1, 2, 3].map((i) => e.target.elements[`f${i}`].value.trim());
  const values = raw.map(Number);
  if (raw.some((v, i) => v === '' || !Number.isFinite(values[i]))) return showError('Iris: enter four numbers');
  state.marker = [values[2], values[3]];
  predict(Float32Array.from(values));
  renderData();
});

$('use-iris').addEventListener('input', () => state.model && $('use-iris').requestSubmit());

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
  if (state.images) pickTestImage(Math.floor(Math.random() * state.images.test.count));
});

function pickTestImage(index) {
  const { test, imageShape, classNames } = state.images;
  const pixels = imageShape[0] * imageShape[1];
  const image = test.pixels.subarray(index * pixels, (index + 1) * pixels);
  pad.set(image);
  state.picked = index;
  markGallery();
  showMessage(`Test image ${index}: ${classNames[test.labels[index]]}.`);
  predict(pad.pixels.slice());
}

function renderBars(probabilities) {
  drawBars($('bars'), {
    probabilities,
    model: state.model,
    names: classNames(),
    colors: state.kind === 'toy' && state.model?.inputSize === 2 ? CLASS_COLORS : undefined,
  });
}

function classNames(model = state.model) {
  const out = model?.outputSize ?? 0;
  const names = model?.classNames;
  const count = out === 1 ? 2 : out;
  return Array.from({ length: count }, (_, i) => names?.[i] ?? `class ${i}`);
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
    parts.push(`epoch ${n}${state.totalEpochs ? `/${state.totalEpochs}` : ''}`);
    parts.push(`loss ${fmt(h.loss[n - 1])} (val ${fmt(h.val_loss[n - 1])})`);
    if (h.accuracy) parts.push(`accuracy ${pct(h.accuracy[n - 1])} (val ${pct(h.val_accuracy[n - 1])})`);
    if (state.samplesPerSecond) parts.push(`${compact.format(state.samplesPerSecond)} samples/s`);
  }
  const idle = { loading: 'Waiting for the engine…', loaded: 'a loaded model: no training history here' }[app.dataset.state];
  $('status').textContent = parts.length ? parts.join(' · ') : (idle ?? 'not trained yet');
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
  const model = state.model ?? previewModel(form, state.kind, CLASS_NAMES[state.kind] ?? state.images?.classNames);
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
    inputActivity: model?.inputSize === 784 ? meanPixels() : undefined,
    inputLabels: inputLabel,
    outputLabels: (i) => (model.outputSize === 1 ? `P(${names[1]})` : names[i]),
  });
}

function renderData() {
  const plane = $('plane');
  const gallery = $('gallery');
  const images = IMAGE_KINDS.includes(state.kind);
  plane.hidden = images;
  gallery.hidden = !images;
  const rings = wrongValidationPoints();
  if (state.kind === 'toy' && state.toy) {
    $('data-title').textContent = `${TOY_SETS[form.elements.dataset.value]}`;
    $('data-caption').textContent = state.grid
      ? `shade: P(blue)${rings?.length ? ' · ringed: wrong (validation)' : ''}`
      : `${state.toy.labels.length} points, two classes`;
    drawPlane(plane, { extent: TOY_EXTENT, points: state.toy, grid: state.grid, gridSize: GRID_SIZE, rings, marker: state.marker });
  } else if (state.kind === 'iris') {
    $('data-title').textContent = 'Iris';
    $('data-caption').textContent = `150 flowers by species${rings?.length ? ' · ringed: wrong (validation)' : ''}`;
    drawPlane(plane, {
      extent: IRIS_EXTENT,
      points: state.iris?.points ?? { x: new Float32Array(0), labels: [] },
      rings,
      marker: state.marker,
      xLabel: 'petal length (cm)',
      yLabel: 'petal width (cm)',
    });
  } else if (images) {
    $('data-title').textContent = 'Test images';
    $('data-caption').textContent = state.valPredicted ? 'green: right · red: wrong · click one' : 'click one to classify it';
    renderGallery();
  }
}

/**
 * Mean brightness of each pixel over the training images: weights from pixels that are nearly always black
 * never change and say little, so the diagram weighs input nodes by how much they light up.
 */
function meanPixels() {
  if (!state.images) return undefined;
  if (!state.images.meanPixels) {
    const { pixels, count } = state.images.train;
    const size = pixels.length / count;
    const mean = new Float64Array(size);
    for (let i = 0; i < pixels.length; i++) mean[i % size] += pixels[i] / 255 / count;
    state.images.meanPixels = mean;
  }
  return state.images.meanPixels;
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
  if (!state.images) return;
  buildGallery($('gallery'), state.images, GALLERY_SIZE, pickTestImage);
  markGallery();
}

function markGallery() {
  if (!state.images) return;
  // the validation set is the sample's test set in order, so validation predictions label the gallery
  const predicted = app.dataset.model === 'trained' ? state.valPredicted : undefined;
  markThumbnails($('gallery'), { sample: state.images, predicted, picked: state.picked });
}

// ---- small helpers ------------------------------------------------------------------------------------------

function summary(model) {
  const units = model.layers.filter((l) => l.kind === 'dense').map((l) => l.units);
  return `${[model.inputSize, ...units].join(' → ')} · ${model.params.toLocaleString('en-US')} parameters · ${model.backend}`;
}

/** While a run trains, its settings (and the data they made) stay as they are: only Stop is live. */
function lockControls(training) {
  for (const fieldset of form.querySelectorAll('fieldset')) fieldset.disabled = training;
  $('load').disabled = training;
  $('load-label').classList.toggle('disabled', training);
  $('train').disabled = training;
  $('stop').disabled = !training;
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

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 0 });
const fmt = (v) => (v === undefined ? '–' : v < 0.01 ? v.toExponential(1) : v.toFixed(3));
const pct = (v) => (v === undefined ? '–' : v === 1 ? '100%' : `${(v * 100).toFixed(1)}%`);

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
setupUse();
renderAll();
window.addEventListener('resize', throttle(renderAll, 100));
