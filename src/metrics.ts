/**
 * Metrics: every one computed here, in JavaScript, over a whole set of outputs (an epoch's training outputs, a
 * validation set, an evaluate() call), never averaged over batches. The engines only hand back outputs (and
 * count accuracy, which they always did); no metric math lives in C++.
 *
 * Definitions (those of scikit-learn unless said otherwise):
 * - Class predictions: one sigmoid unit → output > 0.5, the target's class is target > 0.5 (positive class 1);
 *   softmax → argmax of the outputs (first maximum), the target's class is its label or the argmax of its
 *   one-hot row.
 * - precision, recall, f1: binary for one sigmoid unit; macro-averaged for softmax, over the classes present
 *   in the targets or the predictions (sklearn's labels=None). 0/0 counts as 0 (sklearn's zero_division=0).
 * - auc: the exact binary ROC AUC, (Σ ranks of the positives − P(P+1)/2) / (P·N) with tied scores given their
 *   average rank (the Mann–Whitney statistic), not Keras's 200-threshold approximation. Needs one sigmoid unit
 *   or a 2-unit softmax (score = the output of class 1). NaN when the set holds only one class.
 * - mae, mse, rmse: over every output element; r2: the uniform average over the outputs of each output's
 *   1 − SS_res/SS_tot (a constant column scores 1 if predicted exactly, else 0, as sklearn's force_finite).
 * - accuracy comes from the engine's counts (the same definitions), so a fit with ['accuracy'] copies nothing.
 */
import type { LossName } from './backends/backend.js';
import { fail, unknownName } from './errors.js';
import { Tensor, type TensorLike, tensor } from './tensor.js';

export const metricNames = ['accuracy', 'precision', 'recall', 'f1', 'auc', 'mae', 'mse', 'rmse', 'r2'] as const;
export type MetricName = (typeof metricNames)[number];

const metricAliases: Record<string, MetricName> = {
  acc: 'accuracy',
  mean_absolute_error: 'mae',
  mean_squared_error: 'mse',
  root_mean_squared_error: 'rmse',
};

const classificationMetrics: readonly MetricName[] = ['accuracy', 'precision', 'recall', 'f1', 'auc'];

/** compile's `metrics`, checked against the loss and the output layer; duplicates dropped, order kept. */
export function checkMetrics(v: unknown, loss: LossName, outputs: number): MetricName[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) fail('metrics', "an array such as ['accuracy']", v);
  const out: MetricName[] = [];
  v.forEach((m, i) => {
    const name = typeof m === 'string' ? (metricAliases[m] ?? m) : m;
    if (typeof name !== 'string' || !(metricNames as readonly string[]).includes(name)) {
      if (typeof name === 'string') unknownName(`metrics[${i}]`, 'metric', name, metricNames);
      fail(`metrics[${i}]`, `one of ${metricNames.join(', ')}`, m);
    }
    const metric = name as MetricName;
    const classification = loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy' || loss === 'binaryCrossentropy';
    if (metric === 'accuracy') {
      // accepted with any loss, as before: the regression losses simply report none
    } else if (classificationMetrics.includes(metric)) {
      if (!classification) fail(`metrics[${i}]`, `a regression metric (mae, mse, rmse, r2) with loss '${loss}'; '${metric}' needs a classification loss`, m);
      if (loss === 'binaryCrossentropy' && outputs !== 1) {
        fail(`metrics[${i}]`, `one sigmoid unit or a softmax output for '${metric}' (this model has ${outputs} sigmoid units)`, m);
      }
      if (metric === 'auc' && loss !== 'binaryCrossentropy' && outputs !== 2) {
        fail(`metrics[${i}]`, `a binary model for 'auc' (one sigmoid unit or 2 softmax units), this one has ${outputs} classes`, m);
      }
    } else if (loss === 'sparseCategoricalCrossentropy') {
      fail(`metrics[${i}]`, `a classification metric with sparse labels ('${metric}' compares outputs with same-shaped targets)`, m);
    }
    if (!out.includes(metric)) out.push(metric);
  });
  return out;
}

/** Whether any metric needs the outputs (all but accuracy, which the engines count). */
export function needsOutputs(metrics: readonly MetricName[]): boolean {
  return metrics.some((m) => m !== 'accuracy');
}

/** True class and predicted class of each row (classification losses). */
function classesOf(loss: LossName, out: Float32Array, y: Float32Array, count: number, n: number) {
  const truth = new Int32Array(count);
  const predicted = new Int32Array(count);
  const argmax = (a: Float32Array, at: number) => {
    let best = 0;
    for (let j = 1; j < n; j++) if (a[at + j]! > a[at + best]!) best = j;
    return best;
  };
  for (let i = 0; i < count; i++) {
    if (loss === 'binaryCrossentropy') {
      truth[i] = y[i]! > 0.5 ? 1 : 0;
      predicted[i] = out[i]! > 0.5 ? 1 : 0;
    } else {
      truth[i] = loss === 'sparseCategoricalCrossentropy' ? y[i]! : argmax(y, i * n);
      predicted[i] = argmax(out, i * n);
    }
  }
  return { truth, predicted, classes: loss === 'binaryCrossentropy' ? 2 : n };
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

function precisionRecallF1(truth: Int32Array, predicted: Int32Array, classes: number, binary: boolean) {
  const tp = new Float64Array(classes);
  const fp = new Float64Array(classes);
  const fn = new Float64Array(classes);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    if (t === p) tp[t]++;
    else {
      fp[p]++;
      fn[t]++;
    }
  }
  const score = (c: number) => {
    const precision = ratio(tp[c]!, tp[c]! + fp[c]!);
    const recall = ratio(tp[c]!, tp[c]! + fn[c]!);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall) };
  };
  if (binary) return score(1);
  let present = 0;
  const sum = { precision: 0, recall: 0, f1: 0 };
  for (let c = 0; c < classes; c++) {
    if (tp[c]! + fp[c]! + fn[c]! === 0) continue; // in neither the targets nor the predictions
    const s = score(c);
    sum.precision += s.precision;
    sum.recall += s.recall;
    sum.f1 += s.f1;
    present++;
  }
  return { precision: ratio(sum.precision, present), recall: ratio(sum.recall, present), f1: ratio(sum.f1, present) };
}

/** Exact ROC AUC of scores against 0/1 labels: the rank statistic with ties given their average rank. */
export function rocAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // 1-based average rank of the tie group i..j
    for (let k = i; k <= j; k++) {
      if (positive[order[k]!]) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function regression(out: Float32Array, y: Float32Array, count: number, n: number) {
  let abs = 0;
  let sq = 0;
  let r2 = 0;
  for (let j = 0; j < n; j++) {
    let mean = 0;
    for (let i = 0; i < count; i++) mean += y[i * n + j]!;
    mean /= count;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < count; i++) {
      const d = out[i * n + j]! - y[i * n + j]!;
      abs += Math.abs(d);
      res += d * d;
      const c = y[i * n + j]! - mean;
      tot += c * c;
    }
    sq += res;
    r2 += tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
  }
  const mse = sq / (count * n);
  return { mae: abs / (count * n), mse, rmse: Math.sqrt(mse), r2: r2 / n };
}

/**
 * The requested metrics (accuracy excluded: it comes from the engine) of outputs [count, n] against targets y
 * (the engine's layout: labels for the sparse loss), keyed `${prefix}${name}`.
 */
export function computeMetrics(
  metrics: readonly MetricName[], loss: LossName, out: Float32Array, y: Float32Array, count: number, n: number, prefix = '',
): Record<string, number> {
  const logs: Record<string, number> = {};
  const wanted = metrics.filter((m) => m !== 'accuracy');
  if (wanted.length === 0) return logs;
  let cls: ReturnType<typeof precisionRecallF1> | undefined;
  let reg: ReturnType<typeof regression> | undefined;
  for (const m of wanted) {
    if (m === 'precision' || m === 'recall' || m === 'f1') {
      if (!cls) {
        const { truth, predicted, classes } = classesOf(loss, out, y, count, n);
        cls = precisionRecallF1(truth, predicted, classes, loss === 'binaryCrossentropy');
      }
      logs[prefix + m] = cls[m];
    } else if (m === 'auc') {
      const scores = new Float64Array(count);
      const positive = new Uint8Array(count);
      for (let i = 0; i < count; i++) {
        if (loss === 'binaryCrossentropy') {
          scores[i] = out[i]!;
          positive[i] = y[i]! > 0.5 ? 1 : 0;
        } else {
          scores[i] = out[i * n + 1]!;
          positive[i] = loss === 'sparseCategoricalCrossentropy' ? (y[i] === 1 ? 1 : 0) : y[i * n + 1]! > y[i * n]! ? 1 : 0;
        }
      }
      logs[prefix + m] = rocAuc(scores, positive);
    } else {
      reg ??= regression(out, y, count, n);
      logs[prefix + m] = reg[m as 'mae' | 'mse' | 'rmse' | 'r2'];
    }
  }
  return logs;
}

/**
 * `nn.confusionMatrix(labels, predictedLabels, numClasses)`: counts [numClasses, numClasses], row = true class,
 * column = predicted class (sklearn's and tf.math.confusion_matrix's orientation).
 */
export function confusionMatrix(labels: TensorLike, predictedLabels: TensorLike, numClasses: number): Tensor {
  if (!Number.isInteger(numClasses) || numClasses < 1) fail('numClasses', 'an integer ≥ 1', numClasses);
  const read = (v: TensorLike, argument: string) => {
    let t: Tensor;
    try {
      t = v instanceof Tensor ? v : tensor(v);
    } catch (e) {
      return fail(argument, `class indices (${(e as Error).message})`);
    }
    if (t.shape.length > 2 || (t.shape.length === 2 && t.shape[1] !== 1)) fail(argument, `a list of class indices, shape [n], got [${t.shape.join(', ')}]`);
    for (let i = 0; i < t.size; i++) {
      const c = t.data[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= numClasses) fail(argument, `class indices in [0, ${numClasses}) (found ${c} at ${i})`);
    }
    return t.data;
  };
  const truth = read(labels, 'labels');
  const predicted = read(predictedLabels, 'predictedLabels');
  if (truth.length !== predicted.length) fail('predictedLabels', `${truth.length} labels (as many as labels), got ${predicted.length}`);
  const counts = new Float32Array(numClasses * numClasses);
  for (let i = 0; i < truth.length; i++) counts[truth[i]! * numClasses + predicted[i]!]!++;
  return new Tensor(counts, [numClasses, numClasses]);
}
