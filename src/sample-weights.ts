/**
 * fit/trainOnBatch/evaluate's `sampleWeight` and `classWeight`, turned once into the one per-row weight array the
 * engines take. Semantics are Keras's: the batch loss is Σ w_i·l_i / N over the N rows of the batch (not / Σ w),
 * and a class weight multiplies the row's sample weight. The class of a row is its sparse label, the argmax of
 * its one-hot row, or for one sigmoid unit its 0/1 target. Metrics are not weighted (Keras: only
 * `weighted_metrics` are, which neurite does not have).
 */
import type { LossName } from './backends/backend.js';
import { describe, fail } from './errors.js';
import type { Tensor } from './tensor.js';

/** An object { [class]: weight } or an array indexed by class. */
export type ClassWeight = Record<number | string, number> | readonly number[];

export interface WeightOptions {
  sampleWeight?: Tensor | ArrayLike<number>;
  classWeight?: ClassWeight;
}

function checkWeight(argument: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) fail(argument, 'a finite number ≥ 0', v);
  return v;
}

/** sampleWeight as a Float32Array of `count` finite values ≥ 0 ([count] or [count, 1]). */
function sampleWeights(v: unknown, count: number, argument: string): Float32Array {
  const t = v as { data?: unknown; shape?: number[] };
  let data: ArrayLike<number>;
  if (t && typeof t === 'object' && t.data instanceof Float32Array && Array.isArray(t.shape)) {
    if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) {
      fail(argument, `one weight per sample, shape [${count}], got [${t.shape.join(', ')}]`);
    }
    data = t.data;
  } else if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    data = v as ArrayLike<number>;
  } else {
    return fail(argument, `an array or Tensor of ${count} weights, one per sample`, v);
  }
  if (data.length !== count) fail(argument, `${count} weights (one per sample), got ${data.length}`);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = checkWeight(`${argument}[${i}]`, data[i]);
  return out;
}

/** The class each row belongs to, for classWeight; undefined when the loss has no classes. */
function rowClasses(loss: LossName, y: Float32Array, count: number, outputs: number, argument: string): Int32Array {
  const classes = new Int32Array(count);
  if (loss === 'sparseCategoricalCrossentropy') {
    for (let i = 0; i < count; i++) classes[i] = y[i]!;
  } else if (loss === 'categoricalCrossentropy') {
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let j = 1; j < outputs; j++) if (y[i * outputs + j]! > y[i * outputs + best]!) best = j;
      classes[i] = best;
    }
  } else if (loss === 'binaryCrossentropy' && outputs === 1) {
    for (let i = 0; i < count; i++) {
      const v = y[i]!;
      if (v !== 0 && v !== 1) fail(argument, `0/1 targets to pick a class weight (one sigmoid unit), found ${v} at row ${i}`);
      classes[i] = v;
    }
  } else {
    fail(
      'classWeight',
      `a classification model: sparse or one-hot targets with softmax, or one sigmoid unit (loss '${loss}' with ${outputs} output(s) has no classes); use sampleWeight`,
    );
  }
  return classes;
}

/** classWeight as an array by class, checked against the classes the model has. */
function classWeightTable(v: unknown, numClasses: number): (number | undefined)[] {
  const table: (number | undefined)[] = new Array(numClasses).fill(undefined);
  if (Array.isArray(v)) {
    if (v.length > numClasses) fail('classWeight', `at most ${numClasses} weights (the model has ${numClasses} classes), got ${v.length}`);
    v.forEach((w, c) => (table[c] = checkWeight(`classWeight[${c}]`, w)));
  } else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
    for (const [key, w] of Object.entries(v)) {
      const c = Number(key);
      if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
        fail('classWeight', `class indices in [0, ${numClasses}) as keys; unknown class ${JSON.stringify(key)}`);
      }
      table[c] = checkWeight(`classWeight[${key}]`, w);
    }
  } else {
    fail('classWeight', 'an object { [class]: weight } or an array of weights indexed by class', v);
  }
  return table;
}

/**
 * The per-row weights for `count` rows with targets y (already validated), or undefined when neither option is
 * given. `prefix` names the caller's option ('sampleWeight' or 'validation sampleWeight', ...).
 */
export function resolveWeights(
  options: WeightOptions, loss: LossName, y: Float32Array, count: number, outputs: number, argument = 'sampleWeight',
): Float32Array | undefined {
  const { sampleWeight, classWeight } = options;
  if (sampleWeight === undefined && classWeight === undefined) return undefined;
  const weights = sampleWeight === undefined ? new Float32Array(count).fill(1) : sampleWeights(sampleWeight, count, argument);
  if (classWeight !== undefined) {
    const classes = rowClasses(loss, y, count, outputs, 'y');
    const table = classWeightTable(classWeight, loss === 'binaryCrossentropy' ? 2 : outputs);
    for (let i = 0; i < count; i++) {
      const w = table[classes[i]!];
      if (w === undefined) {
        fail('classWeight', `a weight for every class in y; class ${classes[i]} (row ${i}) has none (classWeight: ${describe(classWeight)})`);
      }
      weights[i] = weights[i]! * w;
    }
  }
  return weights;
}
