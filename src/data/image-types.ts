import type { Tensor } from '../tensor.js';

/** The shape of an image data set (MNIST, Fashion-MNIST, the packaged digits), shared by the Node loaders and the browser-safe parser. */

export interface MnistOptions {
  /** pixels / 255 into [0, 1] (default true); false keeps the raw 0..255 values as floats */
  normalize?: boolean;
}

export interface ImageSet {
  /** [count, rows·columns] one flattened image per row */
  x: Tensor;
  /** class index per image */
  labels: Int32Array;
}

export interface MnistData {
  train: ImageSet;
  test: ImageSet;
  classNames: string[];
  /** [rows, columns] of one image (28×28 for MNIST and Fashion-MNIST) */
  imageShape: [number, number];
}
