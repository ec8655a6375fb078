/**
 * Rows flowing into batches for the streaming readers, through a seeded shuffle buffer when there is one (as
 * tf.data's shuffle: each row read takes the place of a random held row, which leaves for the batch; at the end
 * of the data the held rows leave in random order). A row is `format.width` values of x, as the file holds them
 * (bytes or floats: RowFormat), and one target value; batches are floats.
 *
 * The shuffle's random choices are drawn here, a batch's worth at a time, and the rows are then moved by the
 * format in one call, by the native core (reader-rows.ts): a JavaScript loop over a shuffle buffer of megabytes
 * costs a third of the training it feeds.
 */
import { rngKey, rngU32, Stream } from '../rng.js';
import { Tensor } from '../tensor.js';
import { bytesToFloats, exchangeByteRows, exchangeFloatRows } from './reader-rows.js';
import type { ParsedBatchOptions, StreamBatch } from './stream.js';

/** How rows of one element type are held, and become the rows of a batch. */
export interface RowFormat<A extends Uint8Array | Float32Array> {
  /** values per row */
  readonly width: number;
  make(length: number): A;
  /** rows [from, from + count) of x to rows [at, at + count) of out */
  copy(x: A, from: number, count: number, out: Float32Array, at: number): void;
  /** in order i < count: row slots[i] of store to row at + i of out, then row sources[i] of source (maybe store) into its place */
  exchange(store: A, source: A, slots: Uint32Array, sources: Uint32Array, count: number, out: Float32Array, at: number): void;
}

/** Bytes, divided by `divisor` as they become floats (255: into [0, 1]). */
export function byteRows(width: number, divisor: number): RowFormat<Uint8Array> {
  return {
    width,
    make: (length) => new Uint8Array(length),
    copy: (x, from, count, out, at) => bytesToFloats(x.subarray(from * width, (from + count) * width), divisor, out.subarray(at * width)),
    exchange: (store, source, slots, sources, count, out, at) =>
      exchangeByteRows(store, source, slots, sources, count, width, divisor, out.subarray(at * width)),
  };
}

/** Floats, as they are. */
export function floatRows(width: number): RowFormat<Float32Array> {
  return {
    width,
    make: (length) => new Float32Array(length),
    copy: (x, from, count, out, at) => out.set(x.subarray(from * width, (from + count) * width), at * width),
    exchange: (store, source, slots, sources, count, out, at) =>
      exchangeFloatRows(store, source, slots, sources, count, width, out.subarray(at * width)),
  };
}

export class Batcher<A extends Uint8Array | Float32Array> {
  private readonly store: A | undefined;
  private readonly storeT: Float32Array | undefined;
  private held = 0;
  private seen = 0;
  private readonly key: number;
  // one batch's exchanges, drawn before the format moves the rows
  private readonly slots: Uint32Array;
  private readonly sources: Uint32Array;
  // the batch being filled: fresh arrays for each batch, which becomes them (it may still be in use, e.g.
  // read by a native worker, when the next is filled)
  private x: Float32Array;
  private t: Float32Array;
  private filled = 0;
  private readonly width: number;

  constructor(
    private readonly format: RowFormat<A>,
    private readonly options: ParsedBatchOptions,
    epoch: number,
  ) {
    const width = (this.width = format.width);
    if (options.shuffleBuffer > 1) {
      this.store = format.make(options.shuffleBuffer * width);
      this.storeT = new Float32Array(options.shuffleBuffer);
    }
    this.key = rngKey(options.seed, Stream.data, epoch + 1);
    this.slots = new Uint32Array(options.batchSize);
    this.sources = new Uint32Array(options.batchSize);
    this.x = new Float32Array(options.batchSize * width);
    this.t = new Float32Array(options.batchSize);
  }

  /** Adds rows [from, to) of (x, t); returns the batches completed meanwhile. */
  add(x: A, t: ArrayLike<number>, from: number, to: number): StreamBatch[] {
    const out: StreamBatch[] = [];
    const { store, storeT, slots, sources } = this;
    const batchSize = this.options.batchSize;
    if (!store || !storeT) {
      // File order: whole runs of rows at a time.
      while (from < to) {
        const take = Math.min(to - from, batchSize - this.filled);
        this.format.copy(x, from, take, this.x, this.filled);
        for (let i = 0; i < take; i++) this.t[this.filled + i] = t[from + i]!;
        from += take;
        this.filled += take;
        if (this.filled === batchSize) this.flush(out);
      }
      return out;
    }
    const capacity = this.options.shuffleBuffer;
    const w = this.width;
    if (this.held < capacity && from < to) {
      // Filling the buffer: rows go in as they come.
      const take = Math.min(to - from, capacity - this.held);
      store.set(x.subarray(from * w, (from + take) * w), this.held * w);
      for (let i = 0; i < take; i++) storeT[this.held + i] = t[from + i]!;
      this.held += take;
      from += take;
    }
    while (from < to) {
      // Reservoir steps, up to the end of the batch: a random held row leaves, the new row takes its slot.
      const take = Math.min(to - from, batchSize - this.filled);
      for (let q = 0; q < take; q++) {
        slots[q] = this.draw(capacity);
        sources[q] = from + q;
      }
      this.exchange(x, t, take, out);
      from += take;
    }
    return out;
  }

  /** At the end of the data: what the shuffle buffer still holds, in random order, and the last batch. */
  finish(): StreamBatch[] {
    const out: StreamBatch[] = [];
    const { store, storeT, slots, sources } = this;
    if (store && storeT) {
      // A random held row leaves and the last held one moves into its slot, until none is held.
      let i = this.held - 1;
      while (i >= 0) {
        const take = Math.min(i + 1, this.options.batchSize - this.filled);
        for (let q = 0; q < take; q++, i--) {
          slots[q] = this.draw(i + 1);
          sources[q] = i;
        }
        this.exchange(store, storeT, take, out);
      }
      this.held = 0;
    }
    if (this.filled > 0) this.flush(out);
    return out;
  }

  /** The shuffle's next draw: an index in [0, n). */
  private draw(n: number): number {
    return Math.floor((rngU32(this.key, this.seen++) * n) / 4294967296);
  }

  /**
   * The `take` exchanges drawn into slots and sources, in order: held row slots[q] and its target leave for the
   * batch, and row sources[q] of `source` (the rows read, or the buffer itself when draining) and its target in
   * `sourceT` take their place.
   */
  private exchange(source: A, sourceT: ArrayLike<number>, take: number, out: StreamBatch[]): void {
    const storeT = this.storeT!;
    for (let q = 0; q < take; q++) {
      const j = this.slots[q]!;
      this.t[this.filled + q] = storeT[j]!;
      storeT[j] = sourceT[this.sources[q]!]!;
    }
    this.format.exchange(this.store!, source, this.slots, this.sources, take, this.x, this.filled);
    this.filled += take;
    if (this.filled === this.options.batchSize) this.flush(out);
  }

  private flush(out: StreamBatch[]): void {
    const count = this.filled;
    out.push({ xs: new Tensor(this.x.subarray(0, count * this.width), [count, this.width]), ys: this.t.subarray(0, count) });
    this.x = new Float32Array(this.options.batchSize * this.width);
    this.t = new Float32Array(this.options.batchSize);
    this.filled = 0;
  }
}

