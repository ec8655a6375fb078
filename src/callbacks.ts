import { checkPositive, checkRange, fail } from './errors.js';
import type { Schedule } from './schedules.js';

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

type Mode = 'min' | 'max' | 'auto';

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

/** Stop when `monitor` has not improved by more than minDelta for `patience` epochs. */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback & { stoppedEpoch: number; bestEpoch: number } {
  const monitor = options.monitor ?? 'val_loss';
  const patience = options.patience ?? 0;
  if (!Number.isInteger(patience) || patience < 0) fail('patience', 'an integer ≥ 0', patience);
  const minDelta = Math.abs(options.minDelta ?? 0);
  const mode = options.mode ?? 'auto';
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
        if (options.restoreBestWeights) bestWeights = model.getWeightArrays();
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
      if (options.restoreBestWeights && bestWeights) model.setWeightArrays(bestWeights);
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

/** Multiply the learning rate by `factor` when `monitor` stalls for `patience` epochs (Keras ReduceLROnPlateau). */
export function reduceLROnPlateau(options: ReduceLROnPlateauOptions = {}): Callback {
  const monitor = options.monitor ?? 'val_loss';
  const factor = checkRange('factor', options.factor ?? 0.1, 0, 1);
  if (factor === 0) fail('factor', 'a number in (0, 1)', factor);
  const patience = options.patience ?? 10;
  const minDelta = options.minDelta ?? 1e-4;
  const cooldown = options.cooldown ?? 0;
  const minLr = options.minLr ?? 0;
  const mode = options.mode ?? 'auto';
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
  return {
    onEpochBegin(epoch, model) {
      const lr = typeof schedule === 'function' ? schedule(epoch, model.getLearningRate()) : schedule.at(epoch);
      model.setLearningRate(checkPositive('learning rate from schedule', lr));
    },
  };
}
