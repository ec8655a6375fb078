import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdxU8, parseIdx, readIdxFile } from '../src/data/idx.js';
import { FASHION_MNIST_CLASS_NAMES, loadFashionMnist, loadMnist } from '../src/data/mnist.js';

const dir = mkdtempSync(join(tmpdir(), 'neurite-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An IDX header claiming `dims` (u8) followed by `payload` bytes, whatever the dims say. */
function lyingIdx(dims: number[], payload: number): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + payload);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  return out;
}

/** Run fn, which must throw matching `message`, and check it neither took long nor allocated much. */
function expectFastFailure(fn: () => unknown, message: RegExp) {
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  expect(fn).toThrow(message);
  expect(performance.now() - start).toBeLessThan(500);
  expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 2 ** 20);
}

const pixels = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);

describe('parseIdx / readIdxFile', () => {
  const images = pixels(3 * 2 * 4);
  const bytes = encodeIdxU8([3, 2, 4], images);

  it('encodes the MNIST header: magic 0x00000803 and big-endian dims', () => {
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 4]);
    expect(Array.from(encodeIdxU8([300], pixels(300)).subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 1, 44]);
  });

  it('reads plain and gzipped files back', () => {
    writeFileSync(join(dir, 'plain-idx3-ubyte'), bytes);
    writeFileSync(join(dir, 'packed-idx3-ubyte.gz'), gzipSync(bytes));
    for (const name of ['plain-idx3-ubyte', 'packed-idx3-ubyte.gz']) {
      const d = readIdxFile(join(dir, name), { typeCode: 0x08, ndims: 3 });
      expect(d.typeCode).toBe(0x08);
      expect(d.dims).toEqual([3, 2, 4]);
      expect(Array.from(d.data)).toEqual(Array.from(images));
    }
    // gzip is detected by its magic bytes, not by the file name
    writeFileSync(join(dir, 'misnamed'), gzipSync(bytes));
    expect(readIdxFile(join(dir, 'misnamed')).dims).toEqual([3, 2, 4]);
  });

  it('reads multi-byte big-endian types', () => {
    const f32 = new Uint8Array(4 + 8 + 12);
    const view = new DataView(f32.buffer);
    view.setUint32(0, 0x0d02);
    view.setUint32(4, 3);
    view.setUint32(8, 1);
    [1.5, -2.25, 1e-3].forEach((v, i) => view.setFloat32(12 + 4 * i, v));
    const d = parseIdx(f32);
    expect(d.dims).toEqual([3, 1]);
    expect(d.data).toBeInstanceOf(Float32Array);
    expect(Array.from(d.data)).toEqual([1.5, -2.25, Math.fround(1e-3)]);
    const i16 = Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x00]);
    expect(Array.from(parseIdx(i16).data)).toEqual([-2, 256]);
  });

  it('rejects wrong magic numbers and the wrong kind of IDX file', () => {
    expect(() => parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'x.png')).toThrow(/x.png: not an IDX file: it starts with 89 50 4e 47/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 0]))).toThrow(/not an IDX file/);
    expect(() => parseIdx(gzipSync(Buffer.from('hello world')), 'h.gz')).toThrow(/h.gz: not an IDX file: it starts with 68 65 6c 6c/);
    const labels = encodeIdxU8([5], pixels(5));
    expect(() => parseIdx(labels, 'labels', { typeCode: 0x08, ndims: 3 })).toThrow(/labels: wrong kind of IDX file: magic 0x00000801, expected 0x00000803/);
    expect(() => parseIdx(gzipSync(labels), 'labels.gz', { ndims: 3 })).toThrow(/magic 0x00000801, expected 0x00000803/);
  });

  it('rejects truncated and over-long files', () => {
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'f')).toThrow(/f: file is truncated: header dims \[3, 2, 4\] of u8 need 40 bytes, the file has 39/);
    expect(() => parseIdx(bytes.subarray(0, 10), 'f')).toThrow(/f: file is truncated: 10 bytes, shorter than an IDX header/);
    expect(() => parseIdx(bytes.subarray(0, 2), 'f')).toThrow(/f: file is truncated/);
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    expect(() => parseIdx(longer, 'f')).toThrow(/f: file is longer than its header says/);
    const gz = gzipSync(bytes);
    expect(() => parseIdx(gz.subarray(0, gz.length - 6), 'g.gz')).toThrow(/g.gz: (file is truncated|.*gzip trailer records)/);
    expect(() => parseIdx(gz.subarray(0, 12), 'g.gz')).toThrow(/g.gz: file is truncated: the gzip data ends before the IDX header/);
    expect(() => parseIdx(gzipSync(bytes.subarray(0, 30)), 'h.gz')).toThrow(/h.gz: header dims \[3, 2, 4\] of u8 need 40 bytes, but the gzip trailer records 30/);
  });

  it('reports corrupt gzip data', () => {
    const corrupt = Buffer.from(gzipSync(encodeIdxU8([5000], pixels(5000))));
    corrupt[corrupt.length - 12] ^= 0xff; // inside the deflate data: the CRC check or the decoder must object
    expect(() => parseIdx(corrupt, 'c.gz')).toThrow(/c.gz: (corrupt gzip data|file is truncated|.*decompresses to)/);
  });

  it('fails fast, without allocating, on a header claiming 10^9 images', () => {
    const huge = lyingIdx([1e9, 28, 28], 784 * 2);
    expectFastFailure(() => parseIdx(huge, 'huge'), /huge: file is truncated: header dims \[1000000000, 28, 28\] of u8 need 784000000016 bytes, the file has 1584/);
    expectFastFailure(() => parseIdx(gzipSync(huge), 'huge.gz'), /huge.gz: header dims \[1000000000, 28, 28\] of u8 need 784000000016 bytes, more than a \d+-byte gzip file can hold/);
    // all dims at u32 max: the byte count is far past 2^53 and must still be refused by the size check
    expectFastFailure(() => parseIdx(lyingIdx([2 ** 32 - 1, 2 ** 32 - 1, 2 ** 32 - 1], 10), 'max'), /max: file is truncated/);
  });

  it('fails on a gzip file whose header and trailer both lie, after inflating only what the file holds', () => {
    // 1000 images claimed, 10 present; the trailer is forged to match the claim.
    const liar = Buffer.from(gzipSync(lyingIdx([1000, 28, 28], 10 * 784)));
    liar.writeUInt32LE(16 + 1000 * 784, liar.length - 4);
    expectFastFailure(() => parseIdx(liar, 'liar.gz'), /liar.gz: (file is truncated|corrupt gzip data|.*decompresses to)/);
    // a header claiming fewer rows than the data holds, trailer forged to match the header
    // Noise, so the gzip file is longer than the header probe reads and the probe cannot see the trailer.
    const noisy = lyingIdx([1, 28, 28], 100 * 784); // > 16 KiB out, or zlib checks the trailer first
    for (let i = 16, s = 1; i < noisy.length; i++) noisy[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
    const short = Buffer.from(gzipSync(noisy));
    expect(short.length).toBeGreaterThan(4096);
    short.writeUInt32LE(16 + 784, short.length - 4);
    expect(() => parseIdx(short, 'short.gz')).toThrow(/short.gz: it holds more data than the header says/);
  });

  it('names the missing file', () => {
    expect(() => readIdxFile(join(dir, 'absent'))).toThrow(/absent: cannot read: no such file/);
  });
});

describe('loadFashionMnist / loadMnist on small synthetic files', () => {
  const setDir = join(dir, 'set');
  const trainImages = pixels(5 * 4 * 3);
  const trainLabels = Uint8Array.from([0, 9, 3, 3, 1]);
  const testImages = pixels(2 * 4 * 3).reverse();
  const testLabels = Uint8Array.from([7, 2]);
  const write = (name: string, dims: number[], data: Uint8Array, gz: boolean) =>
    writeFileSync(join(setDir, gz ? `${name}.gz` : name), gz ? gzipSync(encodeIdxU8(dims, data)) : encodeIdxU8(dims, data));

  it('reads the four files (mixing plain and .gz), normalising pixels to [0, 1]', () => {
    freshDir(setDir);
    write('train-images-idx3-ubyte', [5, 4, 3], trainImages, true);
    write('train-labels-idx1-ubyte', [5], trainLabels, false);
    write('t10k-images-idx3-ubyte', [2, 4, 3], testImages, false);
    write('t10k-labels-idx1-ubyte', [2], testLabels, true);
    const d = loadFashionMnist(setDir);
    expect(d.train.x.shape).toEqual([5, 12]);
    expect(d.test.x.shape).toEqual([2, 12]);
    expect(d.imageShape).toEqual([4, 3]);
    expect(d.classNames).toEqual([...FASHION_MNIST_CLASS_NAMES]);
    expect(d.classNames[9]).toBe('Ankle boot');
    expect(Array.from(d.train.x.data)).toEqual(Array.from(trainImages, (b) => Math.fround(b / 255)));
    expect(Array.from(d.test.x.data)).toEqual(Array.from(testImages, (b) => Math.fround(b / 255)));
    expect(d.train.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(d.train.labels)).toEqual([0, 9, 3, 3, 1]);
    expect(Array.from(d.test.labels)).toEqual([7, 2]);
    const raw = loadMnist(setDir, { normalize: false });
    expect(Array.from(raw.train.x.data)).toEqual(Array.from(trainImages));
    expect(raw.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('explains a missing directory or file and how to get the data', () => {
    expect(() => loadFashionMnist(join(dir, 'nowhere'))).toThrow(/nowhere: no such directory\. .*apt-get install dataset-fashion-mnist/);
    const partial = join(dir, 'partial');
    freshDir(partial);
    writeFileSync(join(partial, 'train-images-idx3-ubyte'), encodeIdxU8([1, 1, 1], Uint8Array.of(0)));
    expect(() => loadFashionMnist(partial)).toThrow(/train-labels-idx1-ubyte\(\.gz\): no such file\. .*apt-get install dataset-fashion-mnist/);
    expect(() => loadMnist()).toThrow(/loadMnist: no directory given\. .*train-images-idx3-ubyte/);
  });

  it('rejects labels out of range, mismatched counts and swapped files', () => {
    const bad = join(dir, 'bad');
    freshDir(bad);
    const put = (name: string, dims: number[], data: Uint8Array) => writeFileSync(join(bad, name), encodeIdxU8(dims, data));
    put('train-images-idx3-ubyte', [2, 2, 2], pixels(8));
    put('train-labels-idx1-ubyte', [2], Uint8Array.of(1, 10));
    put('t10k-images-idx3-ubyte', [1, 2, 2], pixels(4));
    put('t10k-labels-idx1-ubyte', [1], Uint8Array.of(1));
    expect(() => loadFashionMnist(bad)).toThrow(/train-labels-idx1-ubyte: label 1 is 10, expected a class index below 10\. .*apt-get/);
    put('train-labels-idx1-ubyte', [3], Uint8Array.of(1, 2, 3));
    expect(() => loadFashionMnist(bad)).toThrow(/3 labels for 2 images/);
    put('train-labels-idx1-ubyte', [2], Uint8Array.of(1, 2));
    put('t10k-images-idx3-ubyte', [1], Uint8Array.of(1));
    expect(() => loadFashionMnist(bad)).toThrow(/t10k-images-idx3-ubyte: wrong kind of IDX file: magic 0x00000801, expected 0x00000803/);
  });
});

function freshDir(path: string) {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
}
