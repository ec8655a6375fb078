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
import type { LossName } from '../backend';
import type { Floats } from './floats';

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

export function meanSquaredError(
  a: Floats, y: Floats, rows: number, cols: number, da: Floats | null, w: Floats | null = null,
): number {
  const count = rows * cols;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const diff = a[i]! - y[i]!;
    const wr = w ? w[Math.floor(i / cols)]! : 1;
    total += wr * (diff * diff);
    if (da) da[i] = (wr * (2 * diff)) / count;
  }
  return total / count;
}

export function meanAbsoluteError(
  a: Floats, y: Floats, rows: number, cols: number, da: Floats | null, w: Floats | null = null,
): number {
  const count = rows * cols;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const diff = a[i]! - y[i]!;
    const wr = w ? w[Math.floor(i / cols)]! : 1;
    total += wr * Math.abs(diff);
    if (da) da[i] = (wr * (diff > 0 ? 1 : diff < 0 ? -1 : 0)) / count;
  }
  return total / count;
}

export function huber(
  a: Floats, y: Floats, rows: number, cols: number, delta: number, da: Floats | null, w: Floats | null = null,
): number {
  const count = rows * cols;
  let total = 0;
  for (let i = 0; i < count; i++) {
    const diff = a[i]! - y[i]!;
    const abs = Math.abs(diff);
    const wr = w ? w[Math.floor(i / cols)]! : 1;
    total += wr * (abs <= delta ? 0.5 * diff * diff : delta * (abs - 0.5 * delta));
    if (da) da[i] = (wr * (abs <= delta ? diff : diff > 0 ? delta : -delta)) / count;
  }
  return total / count;
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
