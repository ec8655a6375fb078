/**
 * model.fitDataset and model.evaluateDataset: training and evaluation on batches that arrive one at a time (read
 * from a file larger than memory, generated, fetched), through the same epoch loop, logs and callbacks as fit
 * (epochs.ts).
 *
 * Each batch is checked by the Model API like any fit input (shape, finite values, labels) and then trained as
 * an epoch of one batch: `trainEpoch(x, y, count, { batchSize: count, shuffle: false })`. That is the same step
 * as trainBatch, so the same batches in the same order give the same weights as fit with shuffle off, and it
 * brings what trainBatch lacks: native (and wasm's threaded build, on its runner thread) runs epoch calls off
 * the event loop, ts and wasm's single-threaded build pace them with the shared pacer, and it reports the batch's
 * training accuracy. Where epochs run on the JavaScript thread the source is asked for the next batch only once
 * the previous one has trained, so a source may reuse its arrays.
 *
 * Where epochs run on a thread of their own (BackendModel.trainsOffThread), consecutive batches of one size are
 * copied into a group (up to GROUP_BATCHES of them) and the group trains as one epoch call with that batch size:
 * the same steps, one trip to the other thread instead of eight, and while a group trains the source is read into
 * the next one (BatchGroups).
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
      const engine = host.engine();
      // Batches of `size` rows, the first numbered `first`, trained as one epoch call without shuffling.
      const train = async (x: Float32Array, y: Float32Array, count: number, size: number, first: number) => {
        const r = await engine.trainEpoch(x, y, count, {
          batchSize: size,
          shuffle: false,
          epoch,
          signal: loop.signal,
          onBatch: onBatch && ((b, _, loss) => onBatch(first + b, Math.max(known, first + b + 1), loss)),
        });
        rows += count;
        lossSum += r.loss * count;
        // Accuracy is correct/judged with judged proportional to rows, so row weights give the epoch's.
        if (r.accuracy !== undefined) {
          withAccuracy = true;
          accuracySum += r.accuracy * count;
        }
      };
      const where = `fitDataset: epoch ${epoch}`;
      let batches: number;
      if (engine.trainsOffThread) {
        const groups = new BatchGroups(train);
        batches = await eachBatch(host, source, where, loop.signal, (x, y, count, b) => groups.add(x, y, count, b), (e) => groups.finish(e));
      } else {
        // An epoch of one batch, paced like every epoch on the JavaScript thread.
        batches = await eachBatch(host, source, where, loop.signal, (x, y, count, b) => train(x, y, count, count, b));
      }
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
 * `finish`, when given, runs once at the end of the pass, also when it ends with an error (passed to it): it is
 * where a body that keeps batches back (BatchGroups) trains them, so that the batches before a bad one are
 * trained before the error is raised. The body must have copied what it keeps by the time it
 * returns: a source may refill the same buffers for its next batch.
 */
async function eachBatch(
  host: TrainingHost,
  source: DatasetSource,
  where: string,
  signal: AbortSignal | undefined,
  body: (x: Float32Array, y: Float32Array, count: number, batch: number) => Promise<void>,
  finish?: (error: unknown) => Promise<void>, // error: undefined when the pass ended well
): Promise<number> {
  const iterator = await open(source, where);
  let b = 0;
  let done = false;
  let failure: unknown;
  try {
    for (;;) {
      if (signal?.aborted) throw new AbortError();
      let value: unknown;
      try {
        const step = await abortable(Promise.resolve().then(() => iterator.next()), signal);
        if (step.done) {
          done = true;
          break;
        }
        value = await step.value;
      } catch (e) {
        if (e instanceof AbortError) throw e;
        done = true; // a generator that threw is finished
        throw sourceError(where, b, e);
      }
      if (!isBatch(value)) fail(`${where}, batch ${b}`, 'a batch { xs, ys }', value);
      const argument = `${where}, batch ${b}`;
      const { data, count } = host.inputs(value.xs, `${argument}: xs`);
      const y = host.targets(value.ys, count, `${argument}: ys`);
      if (signal?.aborted) throw new AbortError();
      await body(data, y, count, b);
      b++;
    }
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    if (!done) await Promise.resolve(iterator.return?.()).catch(() => {});
    // after an error, finish() trains what was kept back and the error raised is still the first one
    if (finish) {
      const finished = finish(failure);
      if (failure === undefined) await finished;
      else await finished.catch(() => {});
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

/** Batches kept in one group at most: one trip to the worker thread per this many steps. */
const GROUP_BATCHES = 8;
/** And at most this many floats of x per group (32 MiB), so that big batches go one by one. */
const GROUP_FLOATS = 8 << 20;

interface Buffers {
  x: Float32Array;
  y: Float32Array;
}

/**
 * Native's batch groups (see the comment at the top). Batches are copied into the filling group; a group is
 * sent to `train` when it is full, when a batch of another size comes, and at the end of the pass. One group
 * trains at a time: sending the next waits for the previous, and its buffers then become the filling ones.
 */
class BatchGroups {
  private filling: Buffers = { x: new Float32Array(0), y: new Float32Array(0) };
  private spare: Buffers = { x: new Float32Array(0), y: new Float32Array(0) };
  private rows = 0;
  private batches = 0;
  private size = 0;
  private first = 0; // the number of the group's first batch
  private training: Promise<void> | undefined;
  private failed = false;
  // floats per row of x and of y: the same for every batch once the Model API has checked them
  private inputSize = 0;
  private targetSize = 0;

  constructor(private readonly train: (x: Float32Array, y: Float32Array, count: number, size: number, first: number) => Promise<void>) {}

  async add(x: Float32Array, y: Float32Array, count: number, batch: number): Promise<void> {
    this.inputSize = x.length / count;
    this.targetSize = y.length / count;
    if (this.batches > 0 && (count !== this.size || (this.rows + count) * this.inputSize > GROUP_FLOATS)) await this.send();
    if (this.batches === 0) {
      this.size = count;
      this.first = batch;
      // room for the whole group: GROUP_BATCHES batches, or as many as GROUP_FLOATS holds, or the one batch
      const rows = Math.max(count, Math.min(GROUP_BATCHES * count, Math.floor(GROUP_FLOATS / this.inputSize)));
      if (this.filling.x.length < rows * this.inputSize) {
        this.filling = { x: new Float32Array(rows * this.inputSize), y: new Float32Array(rows * this.targetSize) };
      }
    }
    this.filling.x.set(x, this.rows * this.inputSize);
    this.filling.y.set(y, this.rows * this.targetSize);
    this.rows += count;
    this.batches++;
    if (this.batches === GROUP_BATCHES) await this.send();
  }

  /** Trains what is kept back (unless the pass was aborted or a group failed) and waits for the group in flight. */
  async finish(error: unknown): Promise<void> {
    if (!(error instanceof AbortError) && !this.failed) await this.send();
    const last = this.training;
    this.training = undefined;
    await last;
  }

  private async send(): Promise<void> {
    if (this.batches === 0) return;
    const previous = this.training;
    this.training = undefined;
    await previous; // its error, if it failed, ends the pass here
    const group = this.filling;
    const rows = this.rows;
    [this.filling, this.spare] = [this.spare, group];
    const training = this.train(group.x.subarray(0, rows * this.inputSize), group.y.subarray(0, rows * this.targetSize), rows, this.size, this.first);
    // handled where it is awaited (the next send or finish); a failed group stops the pass, and finish() then
    // sends nothing more
    training.catch(() => {
      this.failed = true;
    });
    this.training = training;
    this.rows = 0;
    this.batches = 0;
  }
}

async function open(source: DatasetSource, where: string): Promise<Iter> {
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
    if (typeof it[Symbol.asyncIterator] === 'function') return it[Symbol.asyncIterator]!();
    if (typeof it[Symbol.iterator] === 'function') return it[Symbol.iterator]!();
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
