/**
 * The epoch loop fit and fitDataset share: learning-rate schedule, callbacks, validation after each epoch, logs,
 * history, early stop and abort. How an epoch trains is the caller's (fit: one backend call over arrays;
 * fitDataset: one call per batch of a stream), so both report through the same logs and callbacks.
 */
import { AbortError, type EpochResult, type EvalResult } from './backends/backend.js';
import { checkCallbacks, type Callback, type Logs, type TrainingModel } from './callbacks.js';
import { checkPositiveInt, fail } from './errors.js';
import type { Schedule } from './schedules.js';

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
}

/** The options fit and fitDataset read alike. */
export interface LoopOptions {
  epochs?: number;
  initialEpoch?: number;
  callbacks?: Callback[] | Callback;
  /** stops training between batches; the call then rejects with an AbortError */
  signal?: AbortSignal;
}

export interface Loop {
  epochs: number;
  initialEpoch: number;
  callbacks: Callback[];
  signal: AbortSignal | undefined;
}

export function parseLoopOptions(options: LoopOptions): Loop {
  const epochs = checkPositiveInt('epochs', options.epochs ?? 1);
  const initialEpoch = options.initialEpoch ?? 0;
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0 || initialEpoch >= epochs) fail('initialEpoch', `an integer in [0, ${epochs})`, initialEpoch);
  const callbacks = checkCallbacks(options.callbacks);
  const signal = options.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal)) fail('signal', 'an AbortSignal', signal);
  return { epochs, initialEpoch, callbacks, signal };
}

/** Called after each batch of an epoch with its loss and the epoch's batch count. */
export type BatchReport = (batch: number, batches: number, loss: number) => void;

export interface EpochRunner {
  /**
   * Trains epoch `epoch`; onBatch is set only when a callback listens to batch ends. `logs` holds the epoch's
   * other metrics (metrics.ts), computed over the whole epoch.
   */
  train(epoch: number, onBatch: BatchReport | undefined): Promise<EpochResult & { logs?: Logs }>;
  /** Loss and metrics on the validation data after each epoch (unprefixed: the loop adds `val_`). */
  validate?: () => Promise<Logs | EvalResult>;
}

/** Thrown from the batch callback to end an epoch early (model.stopTraining set mid-epoch, e.g. terminateOnNaN). */
class StopEpoch extends Error {}

/** The model as the loop sees it: a TrainingModel whose learning rate a schedule may set. */
export async function runEpochs(
  model: TrainingModel,
  loop: Loop,
  runner: EpochRunner,
  withAccuracy: boolean,
  schedule: Schedule | undefined,
): Promise<{ history: History; lastLogs: Logs | undefined }> {
  const { callbacks, signal } = loop;
  const history: History = { epoch: [], history: {} };
  const batchCallbacks = callbacks.filter((cb) => cb.onBatchEnd);
  let lastLogs: Logs | undefined;
  for (const cb of callbacks) await cb.onTrainBegin?.(model);
  for (let epoch = loop.initialEpoch; epoch < loop.epochs; epoch++) {
    if (signal?.aborted) throw new AbortError();
    if (schedule) model.setLearningRate(schedule.at(epoch));
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, model);
    const onBatch: BatchReport | undefined = batchCallbacks.length
      ? (batch, batches, loss) => {
          for (const cb of batchCallbacks) cb.onBatchEnd!(batch, { loss, batches, epoch }, model);
          // A callback (terminateOnNaN) asked to stop now: end the epoch after this batch.
          if (model.stopTraining) throw new StopEpoch();
        }
      : undefined;
    let result: EpochResult & { logs?: Logs };
    try {
      result = await runner.train(epoch, onBatch);
    } catch (e) {
      if (e instanceof StopEpoch) break; // the epoch is incomplete: no epoch-end logs for it
      throw e;
    }
    const logs: Logs = { loss: result.loss };
    if (withAccuracy && result.accuracy !== undefined) logs.accuracy = result.accuracy;
    Object.assign(logs, result.logs);
    if (runner.validate) {
      for (const [key, v] of Object.entries(await runner.validate())) {
        if (v !== undefined && (key !== 'accuracy' || withAccuracy)) logs[`val_${key}`] = v;
      }
    }
    logs.lr = model.getLearningRate();
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    lastLogs = logs;
    for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs, model);
    if (model.stopTraining) break;
  }
  return { history, lastLogs };
}
