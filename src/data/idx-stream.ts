/**
 * nn.idxBatches: an MNIST-format pair of IDX files (u8 images, u8 labels; plain or gzipped) read in pieces, as
 * batches for model.fitDataset. Node only. The whole file is never in memory: a pass holds one read-ahead chunk
 * per file, the shuffle buffer and the batch being filled (stream.ts), so files much larger than memory train.
 *
 * The headers are read when the stream is made, so a missing file, a wrong magic number, a size that does not
 * match the header, or image and label counts that disagree are reported at once, not epochs later.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { checkOptions, type OptionKeys } from '../errors.js';
import { Batcher, byteRows } from './batcher.js';
import { checkGzipSize, describeHeader, gzipHeader, readHeader, type IdxExpectation, type IdxHeader } from './idx.js';
import { BATCH_OPTION_KEYS, BatchStream, ByteReader, fileBytes, openForReading, parseBatchOptions, type BatchOptions, type StreamBatch } from './stream.js';

export interface IdxBatchOptions extends BatchOptions {
  /** pixels / 255 into [0, 1] (default true, as loadIdxImages); false keeps 0..255 */
  normalize?: boolean;
}

const KEYS: OptionKeys<IdxBatchOptions> = { ...BATCH_OPTION_KEYS, normalize: true };

/** Rows read from both files per step: about 1 MB of images. */
const BLOCK_BYTES = 1 << 20;

interface IdxFile {
  path: string;
  header: IdxHeader;
  gzip: boolean;
}

/** The header of an IDX file, and its size checked against it (before any data is read). */
function openIdx(path: string, expect: IdxExpectation): IdxFile {
  const fd = openForReading(path);
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 65536));
    readSync(fd, head, 0, head.length, 0);
    const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
    if (gzip) {
      const header = gzipHeader(head, path, expect);
      const trailer = Buffer.alloc(4);
      if (size >= 4) readSync(fd, trailer, 0, 4, size - 4);
      checkGzipSize(header, size, trailer, path);
      return { path, header, gzip };
    }
    const header = readHeader(head, path, expect, false)!;
    if (size !== header.totalBytes) {
      throw new RangeError(`${path}: file is ${size < header.totalBytes ? 'truncated' : 'longer than its header says'}: ${describeHeader(header)}, the file has ${size}`);
    }
    return { path, header, gzip };
  } finally {
    closeSync(fd);
  }
}

/** The data bytes of an IDX file after its header. */
async function dataReader(file: IdxFile): Promise<ByteReader> {
  const { header, gzip, path } = file;
  const reader = new ByteReader(fileBytes(path, gzip, gzip ? 0 : header.headerBytes), path);
  if (gzip) await reader.readInto(new Uint8Array(header.headerBytes), 0, header.headerBytes);
  return reader;
}

export class IdxBatchStream extends BatchStream {
  readonly features: number;
  /** dimensions of one image, e.g. [28, 28] */
  readonly imageShape: number[];
  /** images in the files */
  readonly fileRows: number;
  private readonly images: IdxFile;
  private readonly labels: IdxFile;
  private readonly normalize: boolean;

  constructor(imagesPath: string, labelsPath: string, options: IdxBatchOptions = {}) {
    const given = checkOptions('idxBatches options', options, KEYS);
    super(parseBatchOptions('idxBatches', given));
    if (typeof imagesPath !== 'string' || imagesPath === '') throw new TypeError('idxBatches: imagesPath must be a file path');
    if (typeof labelsPath !== 'string' || labelsPath === '') throw new TypeError('idxBatches: labelsPath must be a file path');
    if (given.normalize !== undefined && typeof given.normalize !== 'boolean') throw new TypeError('idxBatches: options.normalize must be a boolean');
    this.images = openIdx(imagesPath, { typeCode: 0x08 });
    const dims = this.images.header.dims;
    if (dims.length < 2) throw new RangeError(`${imagesPath}: expected images (an IDX file of at least 2 dimensions: count, then pixels), got dims [${dims.join(', ')}]`);
    this.labels = openIdx(labelsPath, { typeCode: 0x08, ndims: 1 });
    this.fileRows = dims[0]!;
    if (this.labels.header.dims[0] !== this.fileRows) {
      throw new RangeError(`${labelsPath}: ${this.labels.header.dims[0]} labels for ${this.fileRows} images in ${imagesPath}: the files do not belong together`);
    }
    this.imageShape = dims.slice(1);
    this.features = this.imageShape.reduce((a, b) => a * b, 1);
    this.normalize = given.normalize !== false;
    if (!this.options.filter) this.counted = this.fileRows;
  }

  protected async *pass(epoch: number): AsyncGenerator<StreamBatch> {
    const w = this.features;
    // b / 255 rounded to float32, as loadIdxImages gives
    const batcher = new Batcher(byteRows(w, this.normalize ? 255 : 1), this.options, epoch);
    const filter = this.options.filter;
    const block = Math.max(1, Math.floor(BLOCK_BYTES / w));
    const pixels = new Uint8Array(block * w);
    const labels = new Uint8Array(block);
    const images = await dataReader(this.images);
    const labelReader = await dataReader(this.labels);
    let kept = 0;
    try {
      for (let row = 0; row < this.fileRows; ) {
        const k = Math.min(block, this.fileRows - row);
        const gotPixels = await images.readInto(pixels, 0, k * w);
        if (gotPixels < k * w) throw this.truncated(this.images.path, row + Math.floor(gotPixels / w), 'images');
        const gotLabels = await labelReader.readInto(labels, 0, k);
        if (gotLabels < k) throw this.truncated(this.labels.path, row + gotLabels, 'labels');
        let n = k;
        if (filter) {
          // The kept rows moved to the front of the block, in order.
          n = 0;
          for (let r = 0; r < k; r++) {
            if (!filter(row + r)) continue;
            if (n !== r) {
              pixels.copyWithin(n * w, r * w, (r + 1) * w);
              labels[n] = labels[r]!;
            }
            n++;
          }
        }
        kept += n;
        row += k;
        for (const batch of batcher.add(pixels, labels, 0, n)) yield batch;
      }
      for (const [reader, file] of [[images, this.images], [labelReader, this.labels]] as const) {
        if (!(await reader.atEnd())) throw new RangeError(`${file.path}: holds more data than its header says (${describeHeader(file.header)})`);
      }
      yield* batcher.finish();
      this.counted = kept;
    } finally {
      await Promise.all([images.close(), labelReader.close()]);
    }
  }

  private truncated(path: string, rows: number, what: string): RangeError {
    return new RangeError(`${path}: file is truncated: it ends after ${rows} of the ${this.fileRows} ${what} its header announces`);
  }
}

/**
 * Batches { xs: [rows, pixels], ys: class indices } from an IDX image file and its label file, read in pieces:
 * `model.fitDataset(nn.idxBatches(images, labels, { batchSize: 128, shuffleBuffer: 10000, seed: 1 }))`.
 * Each iteration (epoch) reads the files again; with a shuffle buffer each epoch has its own order.
 */
export function idxBatches(imagesPath: string, labelsPath: string, options?: IdxBatchOptions): IdxBatchStream {
  return new IdxBatchStream(imagesPath, labelsPath, options);
}
