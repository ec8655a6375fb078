// What the form means: defaults per kind of data, the losses that fit it, the output layer a loss implies,
// and the run's settings read (and checked) from the form. Shared by the page's controls and its previews.

/** "Slow motion": a toy set trains in well under a second; this stretches each epoch so it can be watched. */
export const SLOW_EPOCH_MS = 25;
export const CLASS_NAMES = { toy: ['orange', 'blue'], iris: ['setosa', 'versicolor', 'virginica'], digits: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
export const KIND_OF = { moons: 'toy', circles: 'toy', xor: 'toy', iris: 'iris', digits: 'digits', fashion: 'fashion' };
/** Kinds of data that are 28×28 images: a gallery of test images and a draw pad. */
export const IMAGE_KINDS = ['digits', 'fashion'];

/** Settings that suit each kind of data; applied when the dataset changes kind, then free to edit. */
export const DEFAULTS = {
  toy: { hidden: '8, 8', activation: 'tanh', dropout: 0, loss: 'binaryCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 200, slow: true },
  iris: { hidden: '16, 8', activation: 'relu', dropout: 0, loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.01, batchSize: 16, epochs: 100, slow: false },
  digits: { hidden: '128, 64', activation: 'relu', dropout: 0.2, loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 10, slow: false },
  fashion: { hidden: '128, 64', activation: 'relu', dropout: 0.2, loss: 'sparseCategoricalCrossentropy', optimizer: 'adam', learningRate: 0.001, batchSize: 32, epochs: 15, slow: false },
};

const CLASSIFICATION_LOSSES = [
  ['sparseCategoricalCrossentropy', 'Cross-entropy (class indices)'],
  ['categoricalCrossentropy', 'Cross-entropy (one-hot targets)'],
  ['meanSquaredError', 'Mean squared error'],
];
export const LOSSES = {
  toy: [
    ['binaryCrossentropy', 'Binary cross-entropy'],
    ['sparseCategoricalCrossentropy', 'Cross-entropy, 2-way softmax'],
    ['meanSquaredError', 'Mean squared error'],
  ],
  iris: CLASSIFICATION_LOSSES,
  digits: CLASSIFICATION_LOSSES,
  fashion: CLASSIFICATION_LOSSES,
};

export const DATA_NOTES = {
  toy: '20% of the points are held out for validation (stratified, seeded).',
  iris: "Fisher's Iris, embedded in neurite; 20% held out, standardised with the training rows' mean and std.",
  digits: 'MNIST handwritten digits, the 10,000 that ship with neurite: 8,000 train; the 2,000 test images validate.',
  fashion: 'A fixed sample of Fashion-MNIST: 300 training images per class; the 500 test images validate.',
};

/** The output layer the worker will build for this kind of data and loss (see outputFor in worker.js). */
export function outputLayer(kind, loss) {
  const classes = { toy: 2, iris: 3, digits: 10, fashion: 10 }[kind];
  const units = kind === 'toy' && loss !== 'sparseCategoricalCrossentropy' ? 1 : classes;
  return { units, activation: units === 1 ? 'sigmoid' : 'softmax' };
}

/**
 * One hidden layer as the worker builds it: dense with its activation, or with a normalisation chosen
 * dense (linear) → normalisation → activation, as Keras models write it; then dropout. Plain descriptions here;
 * worker.js turns them into nn layers.
 */
export function hiddenLayers(network, units) {
  const layers = [];
  if (network.normalization && network.normalization !== 'none') {
    // a bias before batch normalisation is cancelled by it: leave it out, as Keras models do
    layers.push({ kind: 'dense', units, activation: 'linear', useBias: network.normalization !== 'batchNormalization' });
    layers.push({ kind: network.normalization, units });
    layers.push({ kind: 'activation', activation: network.activation, units });
  } else {
    layers.push({ kind: 'dense', units, activation: network.activation });
  }
  if (network.dropout > 0) layers.push({ kind: 'dropout', rate: network.dropout });
  return layers;
}

/** The run's settings from the form, or an Error naming the field that is wrong. */
export function readSettings(form) {
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
  const normalization = v.normalization ? v.normalization.value : 'none';
  if (!['none', 'batchNormalization', 'layerNormalization'].includes(normalization)) throw new Error(`Normalisation: ${normalization} is not allowed`);
  const network = { hidden, activation: v.activation.value, dropout: number('dropout', 'Dropout', (n) => n >= 0 && n < 1), normalization };
  return { network, training };
}

/**
 * The network the form describes, in the shape the worker describes real models, so the diagram can draw it
 * (without weights) before there is a model. Undefined while the form has an error.
 */
export function previewModel(form, kind, classNames) {
  let network;
  try {
    network = readSettings(form).network;
  } catch {
    return undefined;
  }
  const output = outputLayer(kind, form.elements.loss.value);
  const layers = [];
  for (const n of network.hidden) layers.push(...hiddenLayers(network, n));
  layers.push({ kind: 'dense', ...output });
  return { inputSize: { toy: 2, iris: 4, digits: 784, fashion: 784 }[kind], outputSize: output.units, layers, classNames };
}
