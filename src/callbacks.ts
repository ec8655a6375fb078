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
}

export interface Callback {
  onTrainBegin?(model: TrainingModel): void | Promise<void>;
  onEpochBegin?(epoch: number, model: TrainingModel): void | Promise<void>;
  /** called from the training loop after each batch; keep it cheap */
  onBatchEnd?(batch: number, logs: { loss: number; batches: number; epoch: number }): void;
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
