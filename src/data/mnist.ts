import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkOptions, type OptionKeys } from '../errors.js';
import { Tensor } from '../tensor.js';
import type { MnistData, MnistOptions } from './image-types.js';
import { readIdxFile } from './idx.js';

export const mnistOptionKeys: OptionKeys<MnistOptions> = { normalize: true };

function checkMnistOptions(argument: string, options: MnistOptions | undefined): MnistOptions {
  const o = checkOptions(argument, options, mnistOptionKeys);
  if (o.normalize !== undefined && typeof o.normalize !== 'boolean') {
    throw new TypeError(`${argument}.normalize must be a boolean, got ${String(o.normalize)}`);
  }
  return o;
}

/** MNIST-format image sets (MNIST digits, Fashion-MNIST) from their four IDX files. Node only. */

/** Where the Debian package dataset-fashion-mnist installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** The four files of an MNIST-format data set, each also accepted with a .gz suffix. */
export const MNIST_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

export type { ImageSet, MnistData, MnistOptions } from './image-types.js';

const FASHION_HINT =
  'Fashion-MNIST is in the Debian package dataset-fashion-mnist (`apt-get install dataset-fashion-mnist` puts it in ' +
  `${FASHION_MNIST_DIR}); or download the four files from the Fashion-MNIST project and pass their directory.`;

const MNIST_HINT =
  'The full MNIST is four IDX files in one directory: ' +
  `${Object.values(MNIST_FILE_NAMES).join(', ')} (each plain or .gz).`;

/** Path of `base` or `base.gz` in dir (the plain file wins: it needs no inflating). */
function findDataFile(dir: string, base: string, hint: string): string {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`${join(dir, base)}(.gz): no such file. ${hint}`);
}

/** Images of an IDX image file (magic 0x00000803) as rows of floats. */
export function loadIdxImages(path: string, options?: MnistOptions): { x: Tensor; imageShape: [number, number] } {
  const o = checkMnistOptions('loadIdxImages: options', options);
  const { dims, data } = readIdxFile(path, { typeCode: 0x08, ndims: 3 });
  const [count, rows, cols] = dims as [number, number, number];
  // Every byte maps through one of 256 precomputed floats: same values as b / 255 rounded to f32, and faster.
  const lut = new Float32Array(256);
  for (let b = 0; b < 256; b++) lut[b] = o.normalize === false ? b : b / 255;
  const x = new Float32Array(data.length);
  for (let i = 0; i < x.length; i++) x[i] = lut[data[i]!]!;
  return { x: new Tensor(x, [count, rows * cols]), imageShape: [rows, cols] };
}

/** Labels of an IDX label file (magic 0x00000801), each checked to be below numClasses. */
export function loadIdxLabels(path: string, numClasses = 256): Int32Array {
  const { data } = readIdxFile(path, { typeCode: 0x08, ndims: 1 });
  const labels = Int32Array.from(data);
  const bad = labels.findIndex((v) => v >= numClasses);
  if (bad >= 0) throw new RangeError(`${path}: label ${bad} is ${labels[bad]}, expected a class index below ${numClasses}`);
  return labels;
}

function loadSet(dir: string, images: string, labels: string, classes: number, hint: string, options: MnistOptions) {
  const { x, imageShape } = loadIdxImages(findDataFile(dir, images, hint), options);
  const labelPath = findDataFile(dir, labels, hint);
  const y = loadIdxLabels(labelPath, classes);
  if (y.length !== x.shape[0]) {
    throw new RangeError(`${labelPath}: ${y.length} labels for ${x.shape[0]} images in ${images}: the files do not belong together`);
  }
  return { set: { x, labels: y }, imageShape };
}

function loadMnistFormat(dir: string, classNames: readonly string[], hint: string, options: MnistOptions): MnistData {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('dir must be a directory path');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such directory. ${hint}`);
  try {
    const f = MNIST_FILE_NAMES;
    const train = loadSet(dir, f.trainImages, f.trainLabels, classNames.length, hint, options);
    const test = loadSet(dir, f.testImages, f.testLabels, classNames.length, hint, options);
    if (train.imageShape.join() !== test.imageShape.join()) {
      throw new RangeError(`${dir}: training images are ${train.imageShape.join('×')} but test images ${test.imageShape.join('×')}`);
    }
    return { train: train.set, test: test.set, classNames: [...classNames], imageShape: train.imageShape };
  } catch (err) {
    const e = err as Error;
    if (!e.message.includes(hint)) e.message += `. ${hint}`;
    throw e;
  }
}

/** Fashion-MNIST: 60,000 training and 10,000 test images of 28×28 clothing items in 10 classes. */
export function loadFashionMnist(dir: string = FASHION_MNIST_DIR, options?: MnistOptions): MnistData {
  return loadMnistFormat(dir, FASHION_MNIST_CLASS_NAMES, FASHION_HINT, checkMnistOptions('loadFashionMnist: options', options));
}

/**
 * MNIST handwritten digits from the four IDX files in `dir`. There is no default location (no system package
 * ships MNIST), so calling it without a directory is an error that says what to provide; loadMnistSample() reads
 * the 10,000 digits that ship with neurite.
 */
export function loadMnist(dir?: string, options?: MnistOptions): MnistData {
  const o = checkMnistOptions('loadMnist: options', options);
  if (dir === undefined || dir === '') {
    throw new Error(`loadMnist: no directory given. ${MNIST_HINT} loadMnistSample() reads the 10,000 digits that ship with neurite.`);
  }
  return loadMnistFormat(dir, MNIST_CLASS_NAMES, MNIST_HINT, o);
}
