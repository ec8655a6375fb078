/**
 * What the streaming readers (idx-stream.ts, csv-stream.ts) share: their options, a file read in pieces
 * (gunzipped on the way when it starts with the gzip magic), and the stream a pass runs in (BatchStream). Their
 * rows become batches through the seeded shuffle buffer of batcher.ts. Node only.
 *
 * Memory is bounded by what is held at once, never by the file: one read-ahead chunk of the file stream, the
 * shuffle buffer, and the batch being filled.
 */
import { closeSync, createReadStream, fstatSync, openSync } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { fail, fileErrorReason } from '../errors.js';
import type { Tensor } from '../tensor.js';

/** A training batch as the readers give it: xs [rows, features], ys one target value per row. */
export interface StreamBatch {
  xs: Tensor;
  ys: Float32Array;
}

/** The options every reader takes besides its format's own. */
export interface BatchOptions {
  /** rows per batch (the last batch of an epoch may be smaller); default 32 */
  batchSize?: number;
  /**
   * Rows held in the shuffle buffer: each row read takes the place of a random one in it, which is emitted
   * (as tf.data's shuffle). 0 (default) keeps the file's order. Larger buffers mix better and cost
   * shuffleBuffer × row bytes of memory.
   */
  shuffleBuffer?: number;
  /** u32 seed of the shuffle: epoch e shuffles with rngKey(seed, Stream.data, e + 1). Default: random */
  seed?: number;
  /** keep only rows for which filter(index of the row in the file) is true, e.g. a seeded train/test split */
  filter?: (row: number) => boolean;
}

export interface ParsedBatchOptions {
  batchSize: number;
  shuffleBuffer: number;
  seed: number;
  filter: ((row: number) => boolean) | undefined;
}

export const BATCH_OPTION_KEYS = { batchSize: true, shuffleBuffer: true, seed: true, filter: true } as const;

export function parseBatchOptions(what: string, o: BatchOptions): ParsedBatchOptions {
  const batchSize = o.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) fail(`${what}: options.batchSize`, 'a positive integer', batchSize);
  const shuffleBuffer = o.shuffleBuffer ?? 0;
  if (!Number.isInteger(shuffleBuffer) || shuffleBuffer < 0) fail(`${what}: options.shuffleBuffer`, 'an integer ≥ 0 (0: file order)', shuffleBuffer);
  const seed = o.seed ?? Math.floor(Math.random() * 0x100000000);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) fail(`${what}: options.seed`, 'an integer in [0, 2^32)', seed);
  if (o.filter !== undefined && typeof o.filter !== 'function') fail(`${what}: options.filter`, 'a function (row index) => boolean', o.filter);
  return { batchSize, shuffleBuffer, seed, filter: o.filter };
}

/** A file descriptor for reading `path`, or an Error naming the file ("no such file" rather than ENOENT). */
export function openForReading(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new Error(`${path}: cannot read: ${fileErrorReason(err)}`, { cause: err });
  }
  // A directory opens (on Linux) and fails only at the first read, with the system's words: say it now.
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw new Error(`${path}: cannot read: it is a directory`);
  }
  return fd;
}

/** Bytes of a file as it is read, decompressed when it is gzip (the caller says so from the first bytes). */
export function fileBytes(path: string, gzip: boolean, start = 0): Readable {
  const file = createReadStream(path, { start, highWaterMark: 1 << 20 });
  if (!gzip) return file;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  // pipeline forwards errors and tears both down when the reader stops early; the error itself reaches the
  // reader through gunzip, so the callback only has to exist.
  pipeline(file, gunzip, () => {});
  return gunzip;
}

/** Exact-size reads from a stream of chunks. */
export class ByteReader {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** bytes handed out so far */
  consumed = 0;

  /** `source` names the file in errors. */
  constructor(
    stream: Readable,
    private readonly source: string,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  }

  /** Moves to the next chunk; false at the end. A failed read or inflate names the file. */
  private async pull(): Promise<boolean> {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await this.chunks.next();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const what = e.code?.startsWith('Z_') ? 'corrupt or truncated gzip data' : 'cannot read';
      throw new RangeError(`${this.source}: ${what} (${e.message})`, { cause: err });
    }
    if (next.done) return false;
    this.chunk = next.value;
    this.at = 0;
    return true;
  }

  /** Up to n bytes into `out` at `offset` (fewer only when the stream ends); returns how many. */
  async readInto(out: Uint8Array, offset: number, n: number): Promise<number> {
    let got = 0;
    while (got < n) {
      if (this.at === this.chunk.length) {
        if (!(await this.pull())) break;
        continue;
      }
      const take = Math.min(n - got, this.chunk.length - this.at);
      out.set(this.chunk.subarray(this.at, this.at + take), offset + got);
      this.at += take;
      got += take;
    }
    this.consumed += got;
    return got;
  }

  /** Whether any byte is left. */
  async atEnd(): Promise<boolean> {
    while (this.at === this.chunk.length) if (!(await this.pull())) return true;
    return false;
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

/**
 * A reader's result: iterable again each epoch (each pass reads the file anew, shuffled with the epoch's key),
 * as model.fitDataset takes it.
 */
export abstract class BatchStream implements AsyncIterable<StreamBatch> {
  /** input features per row */
  abstract readonly features: number;
  private epoch = 0;
  /** rows of the last complete pass (before that, what the header says, when it says it) */
  protected counted: number | undefined;

  constructor(protected readonly options: ParsedBatchOptions) {}

  /** Rows per pass, once known (from the file's header, or after a complete pass when rows are filtered). */
  get rows(): number | undefined {
    return this.counted;
  }

  /** Batches per pass, once the rows are known (model.fitDataset reports it to onBatchEnd). */
  get batches(): number | undefined {
    return this.counted === undefined ? undefined : Math.ceil(this.counted / this.options.batchSize);
  }

  /**
   * One pass. While the caller works on a batch, the next one is read and converted: the pass resumes in a
   * macrotask after a batch is handed out, by which time model.fitDataset has given the batch to the engine
   * (on native a worker thread trains it meanwhile). Safe because every batch has arrays of its own.
   */
  [Symbol.asyncIterator](): AsyncIterator<StreamBatch> {
    const pass = this.pass(this.epoch++);
    const pull = () => {
      const p = pass.next();
      p.catch(() => {}); // seen by the next() that awaits it
      return p;
    };
    let ahead: Promise<IteratorResult<StreamBatch>> | undefined;
    return {
      next: async () => {
        const result = await (ahead ?? pull());
        ahead = result.done ? undefined : new Promise((resolve) => setImmediate(() => resolve(pull())));
        return result;
      },
      return: async () => {
        await ahead?.catch(() => {});
        ahead = undefined;
        return pass.return(undefined);
      },
    };
  }

  protected abstract pass(epoch: number): AsyncGenerator<StreamBatch>;
}
