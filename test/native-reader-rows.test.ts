// The IDX reader's byte kernels (nrt_bytes_to_floats, nrt_exchange_byte_rows) against their TypeScript references
// on odd and round widths, and the shuffle they serve against the reservoir spelled out row by row.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import * as nn from '../src/index.js';
import { nativeAddon } from '../src/backends/native.js';
import { bytesToFloatsReference, exchangeByteRowsReference, exchangeFloatRowsReference } from '../src/data/reader-rows.js';
import { rngKey, rngU32, Stream } from '../src/rng.js';

const addon = nativeAddon()!;
const bytes = (n: number, salt: number) => Uint8Array.from({ length: n }, (_, i) => (i * 151 + salt) % 256);

describe('nrt_bytes_to_floats', () => {
  it.each([1, 7, 13, 255, 256, 784, 100_352])('agrees with the reference on %i bytes, for 255 and 1', (n) => {
    const src = bytes(n, 7);
    for (const divisor of [255, 1]) {
      const want = new Float32Array(n + 1).fill(-1);
      const got = new Float32Array(n + 1).fill(-1);
      bytesToFloatsReference(src, divisor, want);
      addon.bytesToFloats(src, divisor, got);
      expect(got).toEqual(want);
      expect(got[n]).toBe(-1); // nothing past the bytes
    }
    // every byte value, as loadIdxImages gives it
    const all = Uint8Array.from({ length: 256 }, (_, b) => b);
    const out = new Float32Array(256);
    addon.bytesToFloats(all, 255, out);
    out.forEach((v, b) => expect(v).toBe(Math.fround(b / 255)));
  });

  it('rejects a short out and wrong types, naming the call', () => {
    expect(() => addon.bytesToFloats(new Uint8Array(4), 255, new Float32Array(3))).toThrow(/bytesToFloats\(bytes: Uint8Array/);
    expect(() => (addon.bytesToFloats as (...a: unknown[]) => void)(new Float32Array(4), 255, new Float32Array(4))).toThrow(/Uint8Array/);
  });
});

describe('nrt_exchange_byte_rows and nrt_exchange_float_rows', () => {
  it.each([1, 7, 13, 255, 784])('agrees with the reference on rows of %i bytes, slots repeating, and draining', (width) => {
    for (const drain of [false, true]) {
      const storeRows = 37;
      const count = drain ? storeRows : 50;
      const key = rngKey(width, 1, drain ? 2 : 3);
      const store = bytes(storeRows * width, 5);
      const source = drain ? store : bytes(count * width, 11);
      const slots = Uint32Array.from({ length: count }, (_, i) => rngU32(key, i) % (drain ? storeRows - i : storeRows));
      const sources = Uint32Array.from({ length: count }, (_, i) => (drain ? storeRows - 1 - i : i));
      const wantStore = store.slice();
      const want = new Float32Array(count * width);
      exchangeByteRowsReference(wantStore, drain ? wantStore : source, slots, sources, count, width, 255, want);
      // the same rows as floats, which leave unconverted
      const fstore = Float32Array.from(store);
      const fsource = drain ? fstore : Float32Array.from(source);
      const fWantStore = fstore.slice();
      const fWant = new Float32Array(count * width);
      exchangeFloatRowsReference(fWantStore, drain ? fWantStore : fsource, slots, sources, count, width, fWant);
      const got = new Float32Array(count * width);
      addon.exchangeByteRows(store, source, slots, sources, count, width, 255, got);
      expect(got).toEqual(want);
      expect(store).toEqual(wantStore);
      const fGot = new Float32Array(count * width);
      addon.exchangeFloatRows(fstore, fsource, slots, sources, count, width, fGot);
      expect(fGot).toEqual(fWant);
      expect(fstore).toEqual(fWantStore);
      expect(fWant.map((v) => Math.fround(v / 255))).toEqual(want); // the two references agree
    }
  });

  it('refuses an index out of range or a short out, writing nothing', () => {
    const store = new Uint8Array(8 * 4).fill(1);
    const out = new Float32Array(8 * 4).fill(-1);
    const ok = Uint32Array.of(0, 7);
    const bad = Uint32Array.of(0, 8);
    expect(() => addon.exchangeByteRows(store, new Uint8Array(32), bad, ok, 2, 4, 255, out)).toThrow(/out of range/);
    expect(() => addon.exchangeByteRows(store, new Uint8Array(32), ok, bad, 2, 4, 255, out)).toThrow(/out of range/);
    expect(() => addon.exchangeByteRows(store, new Uint8Array(32), ok, ok, 2, 4, 255, out.subarray(0, 7))).toThrow(/fewer than count rows/);
    expect(() => addon.exchangeByteRows(store, new Uint8Array(32), ok, ok, 3, 4, 255, out)).toThrow(/count within slots/);
    expect(() => addon.exchangeFloatRows(new Float32Array(32), new Float32Array(32), bad, ok, 2, 4, out)).toThrow(/exchangeFloatRows: a slot or source row is out of range/);
    expect(() => (addon.exchangeFloatRows as (...a: unknown[]) => void)(store, store, ok, ok, 2, 4, out)).toThrow(/exchangeFloatRows\(store: Float32Array/);
    expect(store.every((b) => b === 1) && out.every((v) => v === -1)).toBe(true);
  });
});

describe('the shuffle buffer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurite-reader-rows-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** tf.data's reservoir, one row at a time: the order in which row indices leave. */
  function reservoir(rows: number, capacity: number, seed: number, epoch: number): number[] {
    const key = rngKey(seed, Stream.data, epoch + 1);
    const held: number[] = [];
    const order: number[] = [];
    let seen = 0;
    for (let r = 0; r < rows; r++) {
      if (held.length < capacity) {
        held.push(r);
        continue;
      }
      const j = Math.floor((rngU32(key, seen++) * capacity) / 4294967296);
      order.push(held[j]!);
      held[j] = r;
    }
    for (let i = held.length - 1; i >= 0; i--) {
      const j = Math.floor((rngU32(key, seen++) * (i + 1)) / 4294967296);
      order.push(held[j]!);
      held[j] = held[i]!;
    }
    return order;
  }

  it('gives rows in the reservoir order, with their labels, from IDX (native exchanges) and CSV (floats)', async () => {
    // 600 rows of 3×3 pixels; pixels 0 and 1 hold the row index (low and high byte), the label is index mod 10.
    const rows = 600;
    const pixels = Uint8Array.from({ length: rows * 9 }, (_, i) => (i % 9 === 0 ? Math.floor(i / 9) % 256 : i % 9 === 1 ? Math.floor(i / 9 / 256) : (i * 7) % 256));
    writeFileSync(join(dir, 'images'), nn.encodeIdxU8([rows, 3, 3], pixels));
    writeFileSync(join(dir, 'labels'), nn.encodeIdxU8([rows], Uint8Array.from({ length: rows }, (_, i) => i % 10)));
    const csv = ['i,j,label', ...Array.from({ length: rows }, (_, i) => `${i},${2 * i},${i % 10}`)].join('\n');
    writeFileSync(join(dir, 'rows.csv'), csv);
    for (const [capacity, batchSize] of [[7, 13], [64, 5], [1000, 128], [2, 1]] as const) {
      const idx = nn.idxBatches(join(dir, 'images'), join(dir, 'labels'), { batchSize, shuffleBuffer: capacity, seed: 9, normalize: false });
      const table = nn.csvBatches(join(dir, 'rows.csv'), { target: 'label', batchSize, shuffleBuffer: capacity, seed: 9 });
      for (const epoch of [0, 1]) {
        const want = reservoir(rows, capacity, 9, epoch);
        const fromIdx: number[] = [];
        for await (const b of idx) {
          for (let r = 0; r < b.ys.length; r++) {
            const i = b.xs.data[r * 9]! + 256 * b.xs.data[r * 9 + 1]!;
            expect(b.ys[r]).toBe(i % 10);
            expect(b.xs.data[r * 9 + 4]).toBe(pixels[i * 9 + 4]);
            fromIdx.push(i);
          }
        }
        const fromCsv: number[] = [];
        for await (const b of table) {
          for (let r = 0; r < b.ys.length; r++) {
            expect(b.xs.data[r * 2 + 1]).toBe(2 * b.xs.data[r * 2]!);
            fromCsv.push(b.xs.data[r * 2]!);
          }
        }
        expect(fromIdx).toEqual(want);
        expect(fromCsv).toEqual(want);
      }
    }
  });
});
