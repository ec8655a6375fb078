/**
 * Losses: each returns the batch mean and, when given a gradient buffer, writes the gradient beside it.
 *
 *   softmaxCrossentropy        from logits z [rows, cols], one-hot (or soft) y [rows, cols]
 *                              loss_row = logsumexp(z) − Σ y·z        dL/dz = (softmax(z) − y) / rows
 *   sparseSoftmaxCrossentropy  labels [rows] (class index stored as float)
 *                              loss_row = logsumexp(z) − z[label]     dL/dz = (softmax(z) − onehot) / rows
 *   sigmoidBinaryCrossentropy  from logits z [rows, cols], y [rows, cols], mean over every element
 *                              max(z,0) − z·y + log1p(e^−|z|)         dL/dz = (sigmoid(z) − y) / (rows·cols)
 *   meanSquaredError           from outputs a [rows, cols]              dL/da = 2(a − y) / (rows·cols)
 *   meanAbsoluteError          |a − y|                                 dL/da = sign(a − y) / (rows·cols), sign(0) = 0
 *   huber (delta)              ½d² if |d| ≤ delta else delta(|d| − ½delta)   dL/da = clamp(d, ±delta) / (rows·cols)
 *
 * Sample weights w [rows] (null = all 1) scale row r's terms and gradient by w[r]; the divisor stays the row
 * count (Keras: Σ w_i·l_i / N, not / Σ w), so the elementwise losses' l_i is the mean over the row's outputs.
 *
 * Why fused from logits: log(softmax) and log(sigmoid) computed from probabilities turn into log(0) = −∞
 * once a logit saturates; the forms above stay finite for any finite logits (±1e4 included).
 */
import type { LossName } from '../backend.js';
import type { Floats } from './floats.js';

export function softmaxCrossentropy(
  z: Floats, y: Floats, rows: number, cols: number, dz: Floats | null, w: Floats | null = null,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    const wr = w ? w[r]! : 1;
    const max = rowMax(z, row, cols);
    let sumExp = 0;
    let dot = 0;
    for (let j = 0; j < cols; j++) {
      sumExp += Math.exp(z[row + j]! - max);
      dot += y[row + j]! * z[row + j]!;
    }
    total += wr * (max + Math.log(sumExp) - dot);
    if (dz) {
      for (let j = 0; j < cols; j++) dz[row + j] = (wr * (Math.exp(z[row + j]! - max) / sumExp - y[row + j]!)) / rows;
    }
  }
  return total / rows;
}

export function sparseSoftmaxCrossentropy(
  z: Floats, labels: Floats, rows: number, cols: number, dz: Floats | null, w: Floats | null = null,
): number {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    const label = labels[r]! | 0;
    const wr = w ? w[r]! : 1;
    const max = rowMax(z, row, cols);
    let sumExp = 0;
    for (let j = 0; j < cols; j++) sumExp += Math.exp(z[row + j]! - max);
    total += wr * (max + Math.log(sumExp) - z[row + label]!);
    if (dz) {
      for (let j = 0; j < cols; j++) {
        dz[row + j] = (wr * (Math.exp(z[row + j]! - max) / sumExp - (j === label ? 1 : 0))) / rows;
      }
    }
  }
  return total / rows;
}

export function sigmoidBinaryCrossentropy(
  z: Floats, y: Floats, rows: number, cols: number, dz: Floats | null, w: Floats | null = null,
): number {
  const count = rows * cols;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    const t = y[i]!;
    const wr = w ? w[Math.floor(i / cols)]! : 1;
    total += wr * (Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v))));
    if (dz) dz[i] = (wr * (1 / (1 + Math.exp(-v)) - t)) / count;
  }
  return total / count;
}

/**
 * The regression losses share one loop: the mean over rows × cols of w_row · loss(a − y), and the gradient
 * w_row · loss'(a − y) / count. Each loss is its pair of functions of the difference.
 */
function regression(
  a: Floats, y: Floats, rows: number, cols: number, da: Floats | null, w: Floats | null,
  loss: (diff: number) => number, slope: (diff: number) => number,
): number {
  const count = rows * cols;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const diff = a[i]! - y[i]!;
    const wr = w ? w[Math.floor(i / cols)]! : 1;
    total += wr * loss(diff);
    if (da) da[i] = (wr * slope(diff)) / count;
  }
  return total / count;
}

export function meanSquaredError(a: Floats, y: Floats, rows: number, cols: number, da: Floats | null, w: Floats | null = null): number {
  return regression(a, y, rows, cols, da, w, (d) => d * d, (d) => 2 * d);
}

export function meanAbsoluteError(a: Floats, y: Floats, rows: number, cols: number, da: Floats | null, w: Floats | null = null): number {
  return regression(a, y, rows, cols, da, w, Math.abs, (d) => (d > 0 ? 1 : d < 0 ? -1 : 0));
}

export function huber(
  a: Floats, y: Floats, rows: number, cols: number, delta: number, da: Floats | null, w: Floats | null = null,
): number {
  return regression(
    a, y, rows, cols, da, w,
    (d) => (Math.abs(d) <= delta ? 0.5 * d * d : delta * (Math.abs(d) - 0.5 * delta)),
    (d) => (Math.abs(d) <= delta ? d : d > 0 ? delta : -delta),
  );
}

/** MSE, MAE, Huber: computed from the outputs, no accuracy. */
export function isRegressionLoss(loss: LossName): boolean {
  return loss === 'meanSquaredError' || loss === 'meanAbsoluteError' || loss === 'huber';
}

function rowMax(z: Floats, row: number, cols: number): number {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) if (z[row + j]! > max) max = z[row + j]!;
  return max;
}

// ---- accuracy -----------------------------------------------------------------------------------------

/** Whether the loss has an accuracy metric (the cross-entropies). */
export function hasAccuracy(loss: LossName): boolean {
  return !isRegressionLoss(loss);
}

/** What accuracy divides by: rows for the categorical losses, every element for binary cross-entropy. */
export function accuracyDenominator(loss: LossName, rows: number, cols: number): number {
  return loss === 'binaryCrossentropy' ? rows * cols : rows;
}

/**
 * Correct predictions in a batch of outputs [rows, cols]:
 * categorical argmax(out) = argmax(y); sparse argmax(out) = label; binary (out > 0.5) = (y > 0.5) per
 * element. Ties resolve to the first maximum. 0 for meanSquaredError, which has no accuracy.
 */
export function countCorrect(loss: LossName, out: Floats, y: Floats, rows: number, cols: number): number {
  let correct = 0;
  switch (loss) {
    case 'categoricalCrossentropy':
      for (let r = 0; r < rows; r++) if (argmax(out, r * cols, cols) === argmax(y, r * cols, cols)) correct++;
      return correct;
    case 'sparseCategoricalCrossentropy':
      for (let r = 0; r < rows; r++) if (argmax(out, r * cols, cols) === (y[r]! | 0)) correct++;
      return correct;
    case 'binaryCrossentropy':
      for (let i = 0; i < rows * cols; i++) if (out[i]! > 0.5 === y[i]! > 0.5) correct++;
      return correct;
    case 'meanSquaredError':
    case 'meanAbsoluteError':
    case 'huber':
      return 0;
  }
}

function argmax(values: Floats, start: number, count: number): number {
  let best = 0;
  for (let j = 1; j < count; j++) if (values[start + j]! > values[start + best]!) best = j;
  return best;
}
