/**
 * Data files of a chosen size for the streaming benchmark, written a block at a time (never whole in memory):
 * an MNIST-format IDX pair (u8 images of 28×28, u8 labels) and a CSV of the same rows (784 pixel columns, then
 * the label). The rows are Fashion-MNIST's training images over and over, so the files hold real image data;
 * without the Debian package dataset-fashion-mnist they are seeded noise of the same shape.
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FASHION_MNIST_DIR, readIdxFile } from '../../src/index.js';
import { rngKey, rngU32, Stream } from '../../src/rng.js';

export const PIXELS = 784;

export interface Rows {
  pixels: Uint8Array;
  labels: Uint8Array;
  count: number;
  source: string;
}

/** The rows the files repeat. */
export function sourceRows(): Rows {
  const images = join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz');
  const labels = join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz');
  if (existsSync(images) && existsSync(labels)) {
    const x = readIdxFile(images, { typeCode: 0x08, ndims: 3 }).data as Uint8Array;
    const y = readIdxFile(labels, { typeCode: 0x08, ndims: 1 }).data as Uint8Array;
    return { pixels: x, labels: y, count: y.length, source: `Fashion-MNIST's 60,000 training images (${FASHION_MNIST_DIR}), repeated` };
  }
  const count = 10_000;
  const key = rngKey(1, Stream.data, 0);
  const pixels = Uint8Array.from({ length: count * PIXELS }, (_, i) => rngU32(key, i) & 255);
  const labelsOut = Uint8Array.from({ length: count }, (_, i) => rngU32(key, pixels.length + i) % 10);
  return { pixels, labels: labelsOut, count, source: 'seeded noise of Fashion-MNIST shape (dataset-fashion-mnist is not installed), repeated' };
}

function header(dims: number[]): Buffer {
  const out = Buffer.alloc(4 + 4 * dims.length);
  out.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((d, i) => out.writeUInt32BE(d, 4 + 4 * i));
  return out;
}

/** Writes `rows` rows of `from` (cycled) into an IDX image file and its label file. */
export function writeIdxPair(imagesPath: string, labelsPath: string, rows: number, from: Rows): void {
  const images = openSync(imagesPath, 'w');
  const labels = openSync(labelsPath, 'w');
  try {
    writeSync(images, header([rows, 28, 28]));
    writeSync(labels, header([rows]));
    for (let row = 0; row < rows; ) {
      const at = row % from.count;
      const take = Math.min(rows - row, from.count - at, 8192);
      writeSync(images, from.pixels.subarray(at * PIXELS, (at + take) * PIXELS));
      writeSync(labels, from.labels.subarray(at, at + take));
      row += take;
    }
  } finally {
    closeSync(images);
    closeSync(labels);
  }
}

/** Rows of an IDX image file of about `bytes` bytes. */
export function idxRowsFor(bytes: number): number {
  return Math.max(1, Math.floor((bytes - 16) / PIXELS));
}

/** Writes a CSV (pixel columns p0..p783, then label) of about `bytes` bytes or at most `rows` rows; returns its row count. */
export function writeCsv(path: string, limit: { bytes?: number; rows?: number }, from: Rows): number {
  const bytes = limit.bytes ?? Infinity;
  const most = limit.rows ?? Infinity;
  const fd = openSync(path, 'w');
  let written = 0;
  let rows = 0;
  try {
    const head = `${Array.from({ length: PIXELS }, (_, i) => `p${i}`).join(',')},label\n`;
    written += writeSync(fd, head);
    while (written < bytes && rows < most) {
      const lines: string[] = [];
      for (let i = 0; i < 2048 && written < bytes && rows < most; i++, rows++) {
        const at = rows % from.count;
        const line = `${from.pixels.subarray(at * PIXELS, (at + 1) * PIXELS).join(',')},${from.labels[at]}\n`;
        lines.push(line);
        written += line.length;
      }
      writeSync(fd, lines.join(''));
    }
  } finally {
    closeSync(fd);
  }
  return rows;
}
