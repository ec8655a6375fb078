import { checkOneOf, checkOptions, checkPositive, checkRange, fail, unknownName, type OptionKeys } from './errors.js';
import { isStepSchedule, type Schedule } from './schedules.js';

/** Logs handed to callbacks: loss/accuracy of the epoch and val_* when validating. */
export type Logs = Record<string, number>;

/** What a callback may touch on the model while it trains (kept narrow so callbacks stay backend-agnostic). */
export interface TrainingModel {
  stopTraining: boolean;
  getLearningRate(): number;
  setLearningRate(lr: number): void;
  /** parameter snapshot, for restoring the best epoch */
  getWeightArrays(): Float32Array[];
  setWeightArrays(weights: Float32Array[]): void;
  /** the model file (model.save): written to `path` in Node, or returned as bytes without one */
  save?(path?: string): Promise<Uint8Array | void>;
}

export interface Callback {
  onTrainBegin?(model: TrainingModel): void | Promise<void>;
  onEpochBegin?(epoch: number, model: TrainingModel): void | Promise<void>;
  /**
   * Called after every batch, in order, on every backend (native queues each report from its worker thread to
   * the JS thread). Keep it cheap. Setting model.stopTraining here ends the epoch after this batch.
   */
  onBatchEnd?(batch: number, logs: { loss: number; batches: number; epoch: number }, model: TrainingModel): void;
  onEpochEnd?(epoch: number, logs: Logs, model: TrainingModel): void | Promise<void>;
  onTrainEnd?(model: TrainingModel, logs: Logs | undefined): void | Promise<void>;
}

/** The hooks fit calls, as a key set: an object in `callbacks` with an on... key not in it is a misspelt hook. */
const hookKeys: OptionKeys<Callback> = { onTrainBegin: true, onEpochBegin: true, onBatchEnd: true, onEpochEnd: true, onTrainEnd: true };

/**
 * fit's `callbacks` option as a list. A hook spelt wrong (onEpochEnds) would never run and never say so, so any
 * own `on...` property that is not a hook is an error; other properties (a callback's own state) are left alone.
 */
export function checkCallbacks(v: unknown): Callback[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  const hooks = Object.keys(hookKeys);
  list.forEach((cb, i) => {
    const at = Array.isArray(v) ? `callbacks[${i}]` : 'callbacks';
    if (typeof cb !== 'object' || cb === null) fail(at, 'an object with hooks such as onEpochEnd(epoch, logs), or an array of them', cb);
    for (const key of Object.keys(cb)) {
      const value = (cb as Record<string, unknown>)[key];
      if (hooks.includes(key)) {
        if (value !== undefined && typeof value !== 'function') fail(`${at}.${key}`, 'a function', value);
      } else if (/^on[A-Z]/.test(key)) {
        unknownName(at, 'hook', key, hooks);
      }
    }
  });
  return list as Callback[];
}

const modes = ['auto', 'min', 'max'] as const;
type Mode = (typeof modes)[number];

function checkMonitor(v: unknown): string {
  if (typeof v !== 'string' || v === '') fail('monitor', "a metric name such as 'val_loss' or 'accuracy'", v);
  return v;
}

function checkNonNegative(argument: string, v: unknown): number {
  return checkRange(argument, v, 0, Infinity);
}

function checkCount(argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(argument, 'an integer ≥ 0', v);
  return v;
}

function improves(mode: Mode, monitor: string, current: number, best: number, minDelta: number): boolean {
  const m = mode === 'auto' ? (monitor.includes('acc') ? 'max' : 'min') : mode;
  return m === 'min' ? current < best - minDelta : current > best + minDelta;
}

/**
 * Reads the monitored value from an epoch's logs. When it is missing (typically val_loss in a fit without
 * validation data) the callback does nothing: as in Keras, a warning, once per callback, and training goes on.
 * Stopping the fit half-way for a missing log would throw away the epochs already trained.
 */
function monitorReader(callback: string, monitor: string): (logs: Logs) => number | undefined {
  let warned = false;
  return (logs) => {
    const v = logs[monitor];
    if (v === undefined && !warned) {
      warned = true;
      const hint = monitor.startsWith('val_') ? '; val_* values need validationSplit or validationData in fit' : '';
      console.warn(`neurite: ${callback} monitors '${monitor}', which is not in the logs (${Object.keys(logs).join(', ')}), so it does nothing${hint}`);
    }
    return v;
  };
}

export interface EarlyStoppingOptions {
  monitor?: string;
  patience?: number;
  minDelta?: number;
  mode?: Mode;
  restoreBestWeights?: boolean;
}

export const earlyStoppingOptionKeys: OptionKeys<EarlyStoppingOptions> = {
  monitor: true,
  patience: true,
  minDelta: true,
  mode: true,
  restoreBestWeights: true,
};

/** Stop when `monitor` has not improved by more than minDelta for `patience` epochs. */
export function earlyStopping(options?: EarlyStoppingOptions): Callback & { stoppedEpoch: number; bestEpoch: number } {
  const o = checkOptions('nn.earlyStopping options', options, earlyStoppingOptionKeys);
  const monitor = checkMonitor(o.monitor ?? 'val_loss');
  const patience = checkCount('patience', o.patience ?? 0);
  const delta = o.minDelta ?? 0;
  if (typeof delta !== 'number' || !Number.isFinite(delta)) fail('minDelta', 'a finite number', delta);
  const minDelta = Math.abs(delta); // as Keras: the mode gives the direction, not the sign
  const mode = checkOneOf('mode', o.mode ?? 'auto', modes);
  const restoreBestWeights = o.restoreBestWeights ?? false;
  if (typeof restoreBestWeights !== 'boolean') fail('restoreBestWeights', 'a boolean', restoreBestWeights);
  let best = NaN;
  let wait = 0;
  let bestWeights: Float32Array[] | undefined;
  const read = monitorReader('earlyStopping', monitor);
  const cb = {
    stoppedEpoch: -1,
    bestEpoch: -1,
    onTrainBegin() {
      best = NaN;
      wait = 0;
      bestWeights = undefined;
      cb.stoppedEpoch = -1;
      cb.bestEpoch = -1;
    },
    onEpochEnd(epoch: number, logs: Logs, model: TrainingModel) {
      const current = read(logs);
      if (current === undefined) return;
      if (Number.isNaN(best) || improves(mode, monitor, current, best, minDelta)) {
        best = current;
        wait = 0;
        cb.bestEpoch = epoch;
        if (restoreBestWeights) bestWeights = model.getWeightArrays();
        return;
      }
      wait++;
      if (wait >= Math.max(patience, 1)) {
        cb.stoppedEpoch = epoch;
        model.stopTraining = true;
      }
    },
    onTrainEnd(model: TrainingModel) {
      // As Keras 3: the model ends with the best epoch's weights whether or not training stopped early.
      if (restoreBestWeights && bestWeights) model.setWeightArrays(bestWeights);
    },
  };
  return cb;
}

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  factor?: number;
  patience?: number;
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
  mode?: Mode;
}

export const reduceLROnPlateauOptionKeys: OptionKeys<ReduceLROnPlateauOptions> = {
  monitor: true,
  factor: true,
  patience: true,
  minDelta: true,
  cooldown: true,
  minLr: true,
  mode: true,
};

/** Multiply the learning rate by `factor` when `monitor` stalls for `patience` epochs (Keras ReduceLROnPlateau). */
export function reduceLROnPlateau(options?: ReduceLROnPlateauOptions): Callback {
  const o = checkOptions('nn.reduceLROnPlateau options', options, reduceLROnPlateauOptionKeys);
  const monitor = checkMonitor(o.monitor ?? 'val_loss');
  const factor = checkRange('factor', o.factor ?? 0.1, 0, 1);
  if (factor === 0) fail('factor', 'a number in (0, 1)', factor);
  const patience = checkCount('patience', o.patience ?? 10);
  const minDelta = checkNonNegative('minDelta', o.minDelta ?? 1e-4);
  const cooldown = checkCount('cooldown', o.cooldown ?? 0);
  const minLr = checkNonNegative('minLr', o.minLr ?? 0);
  const mode = checkOneOf('mode', o.mode ?? 'auto', modes);
  let best = NaN;
  let wait = 0;
  let cooling = 0;
  const read = monitorReader('reduceLROnPlateau', monitor);
  return {
    onTrainBegin() {
      best = NaN;
      wait = 0;
      cooling = 0;
    },
    onEpochEnd(_epoch, logs, model) {
      const current = read(logs);
      if (current === undefined) return;
      if (cooling > 0) cooling--;
      if (Number.isNaN(best) || improves(mode, monitor, current, best, minDelta)) {
        best = current;
        wait = 0;
        return;
      }
      if (cooling > 0) return;
      if (++wait >= patience) {
        const lr = model.getLearningRate();
        const next = Math.max(lr * factor, minLr);
        if (next < lr) model.setLearningRate(next);
        cooling = cooldown;
        wait = 0;
      }
    },
  };
}

/** Set the learning rate at the start of each epoch from a schedule (or any function of the epoch). */
export function learningRateScheduler(schedule: Schedule | ((epoch: number, lr: number) => number)): Callback {
  if (isStepSchedule(schedule)) {
    fail('nn.learningRateScheduler schedule', "a per-epoch schedule (a per-step one such as nn.cosineDecay({ initialLearningRate, decaySteps }) goes in the optimizer's learningRate)", schedule);
  }
  if (typeof schedule !== 'function' && !(typeof schedule === 'object' && schedule !== null && typeof schedule.at === 'function')) {
    fail('nn.learningRateScheduler schedule', 'a schedule (nn.stepDecay(...), ...) or a function (epoch, lr) => lr', schedule);
  }
  return {
    onEpochBegin(epoch, model) {
      const lr = typeof schedule === 'function' ? schedule(epoch, model.getLearningRate()) : schedule.at(epoch);
      model.setLearningRate(checkPositive('learning rate from schedule', lr));
    },
  };
}

/**
 * How callbacks reach files. The Node entry (index.ts) plugs in node:fs; in a browser there is none, so a
 * callback given a path says so and asks for a function instead (the way model.save works).
 */
export const callbackFiles: {
  write?: (path: string, data: string | Uint8Array) => Promise<void>;
  append?: (path: string, text: string) => Promise<void>;
  /** whether the file exists and is not empty (csvLogger's append skips the header then, as Keras) */
  hasContent?: (path: string) => Promise<boolean>;
} = {};

function needFiles(callback: string): Required<typeof callbackFiles> {
  if (!callbackFiles.write || !callbackFiles.append || !callbackFiles.hasContent) {
    throw new Error(`${callback}: writing to a path needs Node; in a browser pass a function that receives the data instead`);
  }
  return callbackFiles as Required<typeof callbackFiles>;
}

export interface ModelCheckpointOptions {
  /** the log to watch (default 'val_loss') */
  monitor?: string;
  /** only save when `monitor` improves on the best so far (default false: save every epoch) */
  saveBestOnly?: boolean;
  mode?: Mode;
}

export const modelCheckpointOptionKeys: OptionKeys<ModelCheckpointOptions> = { monitor: true, saveBestOnly: true, mode: true };

/** Where modelCheckpoint saves: a file path (Node; `{epoch}` in it is replaced by the 1-based epoch, as Keras
 * formats it) or a function that receives the model file's bytes (browsers). */
export type CheckpointTarget = string | ((bytes: Uint8Array, info: { epoch: number; logs: Logs }) => void | Promise<void>);

/** Save the model (model.save's file) after each epoch, or only when `monitor` improved (Keras ModelCheckpoint). */
export function modelCheckpoint(target: CheckpointTarget, options?: ModelCheckpointOptions): Callback {
  if (!(typeof target === 'string' && target !== '') && typeof target !== 'function') {
    fail('nn.modelCheckpoint target', 'a file path (Node) or a function (bytes, { epoch, logs }) => void (browsers)', target);
  }
  const o = checkOptions('nn.modelCheckpoint options', options, modelCheckpointOptionKeys);
  const monitor = checkMonitor(o.monitor ?? 'val_loss');
  const saveBestOnly = o.saveBestOnly ?? false;
  if (typeof saveBestOnly !== 'boolean') fail('saveBestOnly', 'a boolean', saveBestOnly);
  const mode = checkOneOf('mode', o.mode ?? 'auto', modes);
  const read = monitorReader('modelCheckpoint', monitor);
  let best = NaN;
  return {
    onTrainBegin() {
      best = NaN;
      if (typeof target === 'string') needFiles('nn.modelCheckpoint');
    },
    async onEpochEnd(epoch, logs, model) {
      if (saveBestOnly) {
        const current = read(logs);
        if (current === undefined) return;
        if (!Number.isNaN(best) && !improves(mode, monitor, current, best, 0)) return;
        best = current;
      }
      if (!model.save) throw new Error('nn.modelCheckpoint: this model cannot save itself (no save method)');
      if (typeof target === 'string') {
        await model.save(target.replace(/\{epoch\}/g, String(epoch + 1)));
      } else {
        const bytes = await model.save();
        if (!(bytes instanceof Uint8Array)) throw new Error('nn.modelCheckpoint: model.save() returned no bytes');
        await target(bytes, { epoch, logs });
      }
    },
  };
}

export interface CsvLoggerOptions {
  /** between fields (default ',') */
  separator?: string;
  /** add to an existing file instead of replacing it (default false) */
  append?: boolean;
}

export const csvLoggerOptionKeys: OptionKeys<CsvLoggerOptions> = { separator: true, append: true };

/**
 * One CSV line per epoch: `epoch` then every log (loss, metrics, val_*, lr) in the order of the first epoch's
 * logs, as Keras CSVLogger. `target` is a path (Node) or a function receiving each line (with its newline).
 */
export function csvLogger(target: string | ((line: string) => void | Promise<void>), options?: CsvLoggerOptions): Callback {
  if (!(typeof target === 'string' && target !== '') && typeof target !== 'function') {
    fail('nn.csvLogger target', 'a file path (Node) or a function (line) => void', target);
  }
  const o = checkOptions('nn.csvLogger options', options, csvLoggerOptionKeys);
  const separator = o.separator ?? ',';
  if (typeof separator !== 'string' || separator === '') fail('separator', 'a non-empty string', separator);
  const append = o.append ?? false;
  if (typeof append !== 'boolean') fail('append', 'a boolean', append);
  let keys: string[] | undefined;
  const emit = async (header: string, line: string) => {
    if (typeof target === 'function') return target(header + line);
    const files = needFiles('nn.csvLogger');
    if (!header) return files.append(target, line);
    if (!append) return files.write(target, header + line);
    await files.append(target, (await files.hasContent(target)) ? line : header + line);
  };
  return {
    onTrainBegin() {
      keys = undefined;
      if (typeof target === 'string') needFiles('nn.csvLogger');
    },
    async onEpochEnd(epoch, logs) {
      const first = keys === undefined;
      keys ??= Object.keys(logs);
      const cell = (v: number | undefined) => (v === undefined ? '' : String(v));
      const header = first ? ['epoch', ...keys].join(separator) + '\n' : '';
      await emit(header, [String(epoch), ...keys.map((k) => cell(logs[k]))].join(separator) + '\n');
    },
  };
}

/** Stop training as soon as a batch's loss is NaN or infinite (Keras TerminateOnNaN): the epoch ends there. */
export function terminateOnNaN(): Callback & { stoppedAt?: { epoch: number; batch: number } } {
  const cb: Callback & { stoppedAt?: { epoch: number; batch: number } } = {
    onTrainBegin() {
      cb.stoppedAt = undefined;
    },
    onBatchEnd(batch, logs, model) {
      if (!Number.isFinite(logs.loss)) {
        console.warn(`neurite: terminateOnNaN: batch ${batch} of epoch ${logs.epoch} has loss ${logs.loss}; training stops`);
        cb.stoppedAt = { epoch: logs.epoch, batch };
        model.stopTraining = true;
      }
    },
  };
  return cb;
}
