#!/usr/bin/env node
/**
 * Writes web/data/fashion-mnist-sample.bin, the Fashion-MNIST sample the browser playground trains on: the first
 * 300 training images of each class and the first 50 test images of each class, in file order, as raw bytes.
 *
 *   npm run build                                    # the script reads Fashion-MNIST through neurite itself
 *   node scripts/prepare-playground-data.mjs [DIR]   # DIR defaults to /usr/share/datasets/fashion-mnist
 *
 * Why a prefix per class and no random draw: the sample is then a plain function of the source files (anyone can
 * re-make the committed file byte for byte, and test/playground.test.ts does), and still balanced.
 *
 * File layout (little-endian), all a browser needs without a parser library:
 *   "NRSM"  u32 version (1)  u32 J  J bytes of UTF-8 JSON { name, classNames, imageShape, train, test, source }
 *   train labels (u8 each)  test labels  train pixels (u8, rows·cols per image, row-major)  test pixels
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
 * The sample file's bytes from data loaded with `loadFashionMnist(dir, { normalize: false })` (pixels 0..255 as
 * floats), so the same function serves this script and the test that checks the committed file.
 */
export function encodeSample(data, perClass = { train: SAMPLE_TRAIN_PER_CLASS, test: SAMPLE_TEST_PER_CLASS }) {
  const [rows, cols] = data.imageShape;
  const pixels = rows * cols;
  const classes = data.classNames.length;
  const trainRows = firstPerClass(data.train.labels, classes, perClass.train);
  const testRows = firstPerClass(data.test.labels, classes, perClass.test);
  const header = new TextEncoder().encode(
    JSON.stringify({
      name: 'fashion-mnist',
      classNames: data.classNames,
      imageShape: [rows, cols],
      train: trainRows.length,
      test: testRows.length,
      source: `Fashion-MNIST (Zalando Research, MIT licence): the first ${perClass.train} training and ${perClass.test} test images of each class`,
    }),
  );
  const images = trainRows.length + testRows.length;
  const out = new Uint8Array(12 + header.length + images + images * pixels);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(SAMPLE_MAGIC), 0);
  view.setUint32(4, SAMPLE_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  let at = 12 + header.length;
  for (const [set, picked] of [[data.train, trainRows], [data.test, testRows]]) {
    for (const r of picked) out[at++] = set.labels[r];
  }
  for (const [set, picked] of [[data.train, trainRows], [data.test, testRows]]) {
    for (const r of picked) {
      const image = set.x.data.subarray(r * pixels, (r + 1) * pixels);
      for (let p = 0; p < pixels; p++) {
        const v = image[p];
        if (!Number.isInteger(v) || v < 0 || v > 255) throw new Error(`pixel ${p} of image ${r} is ${v}: load with { normalize: false }`);
        out[at++] = v;
      }
    }
  }
  return out;
}

export const SAMPLE_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'web', 'data', 'fashion-mnist-sample.bin');

async function main() {
  // neurite's own loader, from the built package (npm install / npm run build make dist/)
  const { loadFashionMnist } = await import('neurite');
  const dir = process.argv[2];
  const data = loadFashionMnist(dir, { normalize: false });
  const bytes = encodeSample(data);
  writeFileSync(SAMPLE_PATH, bytes);
  console.log(`wrote ${SAMPLE_PATH}: ${bytes.length.toLocaleString('en-US')} bytes`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
