/**
 * model.fitDataset and model.evaluateDataset: training and evaluation on batches that arrive one at a time (read
 * from a file larger than memory, generated, fetched), through the same epoch loop, logs and callbacks as fit
 * (epochs.ts).
 *
 * Each batch is checked by the Model API like any fit input (shape, finite values, labels) and then trained as
 * an epoch of one batch: `trainEpoch(x, y, count, { batchSize: count, shuffle: false })`. That is the same step
 * as trainBatch, so the same batches in the same order give the same weights as fit with shuffle off, and it
 * brings what trainBatch lacks: native runs every epoch call on a worker thread (never on the event loop,
 * however small the batch), ts and wasm pace it with the shared pacer, and it reports the batch's training
 * accuracy. The source is asked for the next batch only once the previous one has trained, so a source may
 * reuse its arrays.
 *
 * Failures name the epoch and batch. A batch that fails its checks, or a source that throws, stops the call with
 * an error; the batches before it stay trained and the model stays usable.
 */
import { AbortError, type BackendModel, type EpochResult, type EvalResult } from './backends/backend.js';
import { parseLoopOptions, type EpochRunner, type History, type Loop, type LoopOptions } from './epochs.js';
import { checkOptions, describe, fail, NeuriteError, type OptionKeys } from './errors.js';
import type { TensorLike } from './tensor.js';

/** One batch: xs [rows, inputSize], ys as fit's y for those rows. Batches may differ in size. */
export interface Batch {
  xs: TensorLike;
  ys: TensorLike;
}

export type BatchIterable = Iterable<Batch> | AsyncIterable<Batch>;

/**
 * Where batches come from: a function called at the start of each epoch that returns a sync or async iterable
 * (a generator function, for instance), or an iterable that can be iterated again each epoch (an array of
 * batches, or a reader such as nn.idxBatches). `batches`, when the source knows it, is the count per epoch
 * that onBatchEnd reports; otherwise it is the previous epoch's count (NaN in the first epoch).
 */
export type DatasetSource = (BatchIterable | (() => BatchIterable | Promise<BatchIterable>)) & { readonly batches?: number };

export interface FitDatasetOptions extends LoopOptions {
  /** [x, y] arrays, or a source of batches as for training: val_loss (and val_accuracy) after each epoch */
  validationData?: [TensorLike, TensorLike] | DatasetSource;
}

const FIT_DATASET_KEYS: OptionKeys<FitDatasetOptions> = { epochs: true, initialEpoch: true, callbacks: true, signal: true, validationData: true };

/** What fitDataset needs of a Sequential (model.ts builds it): its engine, its input checks and its epoch loop. */
export interface TrainingHost {
  engine(): BackendModel;
  /** throws unless the model is compiled */
  requireCompiled(what: string): void;
  inputs(x: TensorLike, argument: string): { data: Float32Array; count: number };
  targets(y: TensorLike, count: number, argument: string): Float32Array;
  train(what: string, loop: Loop, runner: EpochRunner): Promise<History>;
}

export async function fitDataset(host: TrainingHost, source: DatasetSource, options?: FitDatasetOptions): Promise<History> {
  host.requireCompiled('fitDataset');
  const given = checkOptions('fitDataset options', options, FIT_DATASET_KEYS);
  const loop = parseLoopOptions(given);
  checkSource('fitDataset: source', source);
  const validate = validation(host, given.validationData);
  let lastCount: number | undefined;
  return host.train('fitDataset', loop, {
    async train(epoch, onBatch) {
      const known = batchCount(source) ?? lastCount ?? NaN;
      let rows = 0;
      let lossSum = 0;
      let accuracySum = 0;
      let withAccuracy = false;
      const batches = await eachBatch(host, source, `fitDataset: epoch ${epoch}`, loop.signal, async (x, y, count, b) => {
        // An epoch of one batch: always off the event loop on native (see the comment at the top).
        const r = await host.engine().trainEpoch(x, y, count, { batchSize: count, shuffle: false, epoch });
        rows += count;
        lossSum += r.loss * count;
        // Batch accuracy is correct/judged with judged proportional to rows, so row weights give the epoch's.
        if (r.accuracy !== undefined) {
          withAccuracy = true;
          accuracySum += r.accuracy * count;
        }
        onBatch?.(b, Math.max(known, b + 1), r.loss);
      });
      lastCount = batches;
      const result: EpochResult = { loss: lossSum / rows };
      if (withAccuracy) result.accuracy = accuracySum / rows;
      return result;
    },
    validate,
  });
}

export async function evaluateDataset(host: TrainingHost, source: DatasetSource): Promise<EvalResult> {
  host.requireCompiled('evaluateDataset');
  checkSource('evaluateDataset: source', source);
  return evaluateSource(host, source, 'evaluateDataset', undefined);
}

/** The validation step after each epoch: evaluate on arrays checked once here, or on a source's batches. */
function validation(host: TrainingHost, data: FitDatasetOptions['validationData']): (() => Promise<EvalResult>) | undefined {
  if (data === undefined) return undefined;
  const pair = Array.isArray(data) && data.length === 2 && !isBatch(data[0]);
  if (!pair) {
    checkSource('fitDataset: validationData', data as DatasetSource);
    return () => evaluateSource(host, data as DatasetSource, 'fitDataset: validationData', undefined);
  }
  const [vx, vy] = data as [TensorLike, TensorLike];
  const x = host.inputs(vx, 'validationData[0]');
  const y = host.targets(vy, x.count, 'validationData[1]');
  return () => host.engine().evaluate(x.data, y, x.count, 256);
}

async function evaluateSource(host: TrainingHost, source: DatasetSource, what: string, signal: AbortSignal | undefined): Promise<EvalResult> {
  let rows = 0;
  let lossSum = 0;
  let accuracySum = 0;
  let withAccuracy = false;
  await eachBatch(host, source, what, signal, async (x, y, count) => {
    const r = await host.engine().evaluate(x, y, count, count);
    rows += count;
    lossSum += r.loss * count;
    if (r.accuracy !== undefined) {
      withAccuracy = true;
      accuracySum += r.accuracy * count;
    }
  });
  return withAccuracy ? { loss: lossSum / rows, accuracy: accuracySum / rows } : { loss: lossSum / rows };
}

function isBatch(v: unknown): v is Batch {
  return typeof v === 'object' && v !== null && 'xs' in v && 'ys' in v;
}

function checkSource(argument: string, source: unknown): void {
  const ok =
    typeof source === 'function' ||
    (typeof source === 'object' && source !== null && (Symbol.asyncIterator in source || Symbol.iterator in source));
  if (!ok) fail(argument, 'a function returning an iterable of batches { xs, ys }, or an iterable (sync or async) of them', source);
}

function batchCount(source: DatasetSource): number | undefined {
  if (Array.isArray(source)) return source.length;
  const n = source.batches;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

type Iter = Iterator<Batch> | AsyncIterator<Batch>;

/**
 * Runs `body` on each checked batch of one pass over `source`; returns how many there were. `where` prefixes
 * errors ("fitDataset: epoch 2"). The iterator is closed (return()) when the pass ends early.
 *
 * Where the engine computes off the JavaScript thread (native: a worker thread), the next batch is asked for
 * while the current one trains, so reading, decoding and shuffling overlap with the step instead of adding to it.
 * The current batch is copied first: a source may refill the same buffers for its next batch. An array of
 * batches is walked as it is (no copy, nothing to overlap).
 */
async function eachBatch(
  host: TrainingHost,
  source: DatasetSource,
  where: string,
  signal: AbortSignal | undefined,
  body: (x: Float32Array, y: Float32Array, count: number, batch: number) => Promise<void>,
): Promise<number> {
  const { iterator, array } = await open(source, where);
  // An array's next() runs no code of the caller's: nothing to overlap, and no buffer it could refill.
  const prefetch = host.engine().backend === 'native' && !array;
  let b = 0;
  let done = false;
  let pending = false; // a next() still running: return() would queue behind it, so it is not awaited then
  // Settles with the step or the error, so a prefetched next() that fails while a batch trains is no unhandled
  // rejection; the error is raised when its turn comes.
  const ask = () => Promise.resolve().then(() => iterator.next()).then((step) => ({ step }), (error: unknown) => ({ error }));
  let next: Promise<{ step: IteratorResult<Batch> } | { error: unknown }> | undefined;
  try {
    for (;;) {
      if (signal?.aborted) throw new AbortError();
      let value: unknown;
      try {
        pending = true;
        const got = await abortable(next ?? ask(), signal);
        next = undefined;
        pending = false;
        if ('error' in got) throw got.error;
        if (got.step.done) {
          done = true;
          break;
        }
        value = await got.step.value;
      } catch (e) {
        if (e instanceof AbortError) throw e;
        done = true; // a generator that threw is finished
        throw sourceError(where, b, e);
      }
      if (!isBatch(value)) fail(`${where}, batch ${b}`, 'a batch { xs, ys }', value);
      const argument = `${where}, batch ${b}`;
      let { data, count } = host.inputs(value.xs, `${argument}: xs`);
      let y = host.targets(value.ys, count, `${argument}: ys`);
      if (signal?.aborted) throw new AbortError();
      if (prefetch) {
        [data, y] = [data.slice(), y.slice()];
        pending = true;
        next = ask();
      }
      await body(data, y, count, b);
      b++;
    }
  } finally {
    if (!done) {
      const closing = (next ?? Promise.resolve()).then(() => iterator.return?.());
      if (pending) closing.catch(() => {});
      else await closing.catch(() => {});
    }
  }
  if (b === 0) {
    throw new NeuriteError(
      `${where}: the source gave no batches. A generator object can be iterated only once: pass a function that ` +
        'returns a new one each epoch (source: () => makeBatches())',
    );
  }
  return b;
}

async function open(source: DatasetSource, where: string): Promise<{ iterator: Iter; array: boolean }> {
  let iterable: unknown = source;
  if (typeof source === 'function') {
    try {
      iterable = await source();
    } catch (e) {
      throw sourceError(where, 0, e);
    }
  }
  const it = iterable as Partial<AsyncIterable<Batch> & Iterable<Batch>> | null;
  if (typeof it === 'object' && it !== null) {
    if (typeof it[Symbol.asyncIterator] === 'function') return { iterator: it[Symbol.asyncIterator]!(), array: false };
    if (typeof it[Symbol.iterator] === 'function') return { iterator: it[Symbol.iterator]!(), array: Array.isArray(it) };
  }
  return fail(`${where}: the source function`, 'to return an iterable (sync or async) of batches { xs, ys }', iterable);
}

function sourceError(where: string, batch: number, cause: unknown): NeuriteError {
  const message = cause instanceof Error ? cause.message : describe(cause);
  const kept = batch === 0 ? '' : ` (the ${batch} batch${batch === 1 ? '' : 'es'} before it trained and are kept)`;
  const error = new NeuriteError(`${where}, batch ${batch}: the data source threw${kept}: ${message}`);
  error.cause = cause;
  return error;
}

/** `promise`, or an AbortError as soon as `signal` aborts (a slow source must not delay an abort). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
