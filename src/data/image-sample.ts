import { Tensor } from '../tensor.js';
import type { MnistData, MnistOptions } from './image-types.js';

/**
 * The image-sample file format ("NRSM"), shared by data/mnist-sample.bin.gz (the digits neurite ships) and the
 * playground's web/data/fashion-mnist-sample.bin; scripts/prepare-playground-data.mjs writes both. Browser-safe.
 *
 * Little-endian: "NRSM", u32 version (1), u32 J, J bytes of UTF-8 JSON { name, classNames, imageShape, train,
 * test, source }, then the training labels (u8 each), the test labels, the training pixels (u8, row-major, 0 =
 * black) and the test pixels. The bytes are the plain file; gunzip a .gz one first.
 */

export interface ImageSampleData extends MnistData {
  /** the data set's name in the file, e.g. "mnist" */
  name: string;
  /** where the images come from and how they were picked (licence included) */
  source: string;
}

const MAGIC = 'NRSM';

/** Parse an image-sample file (already gunzipped) into train/test sets; pixels / 255 unless normalize: false. */
export function parseImageSample(bytes: Uint8Array, options: MnistOptions = {}): ImageSampleData {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('parseImageSample: bytes must be a Uint8Array');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = bytes.length >= 12 ? new TextDecoder().decode(bytes.subarray(0, 4)) : '';
  if (magic !== MAGIC || view.getUint32(4, true) !== 1) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? ' (these bytes are gzip: gunzip them first)' : '';
    throw new RangeError(`parseImageSample: expected an NRSM version 1 file${gz}`);
  }
  const headerLength = view.getUint32(8, true);
  const meta = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as {
    name: string;
    classNames: string[];
    imageShape: [number, number];
    train: number;
    test: number;
    source: string;
  };
  const pixels = meta.imageShape[0] * meta.imageShape[1];
  const expected = 12 + headerLength + (meta.train + meta.test) * (1 + pixels);
  if (bytes.length !== expected) throw new RangeError(`parseImageSample: the file has ${bytes.length} bytes, its header promises ${expected}`);
  const lut = new Float32Array(256);
  for (let b = 0; b < 256; b++) lut[b] = options.normalize === false ? b : b / 255;
  let at = 12 + headerLength;
  const take = (n: number) => bytes.subarray(at, (at += n));
  const trainLabels = take(meta.train);
  const testLabels = take(meta.test);
  const images = (count: number) => {
    const raw = take(count * pixels);
    const x = new Float32Array(raw.length);
    for (let i = 0; i < x.length; i++) x[i] = lut[raw[i]!]!;
    return new Tensor(x, [count, pixels]);
  };
  const classes = meta.classNames.length;
  const labels = (raw: Uint8Array) => {
    const bad = raw.findIndex((l) => l >= classes);
    if (bad >= 0) throw new RangeError(`parseImageSample: label ${bad} is ${raw[bad]}, expected a class index below ${classes}`);
    return Int32Array.from(raw);
  };
  return {
    name: meta.name,
    source: meta.source,
    classNames: [...meta.classNames],
    imageShape: [meta.imageShape[0], meta.imageShape[1]],
    train: { x: images(meta.train), labels: labels(trainLabels) },
    test: { x: images(meta.test), labels: labels(testLabels) },
  };
}
