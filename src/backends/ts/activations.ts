/**
 * Activations, forward and backward side by side. Shapes: z, a, da, dz are [rows, cols] row-major.
 *
 *   forward   a = act(z)
 *   backward  dz = act'(z) ⊙ da        (softmax: the Jacobian-vector product dz = s ⊙ (da − Σ da⊙s) per row)
 *
 * Backward may run in place (dz === da). Each backward reads whichever of z or a gives the derivative
 * exactly: relu and leakyRelu need the sign of z (relu'(0) = 0, leakyRelu'(0) = alpha), sigmoid, tanh and
 * softmax are cheapest from their output.
 */
import type { ActivationName } from '../backend';
import type { Floats } from './floats';

export function activationForward(
  kind: ActivationName, alpha: number, z: Floats, a: Floats, rows: number, cols: number,
): void {
  const count = rows * cols;
  switch (kind) {
    case 'linear': return linearForward(z, a, count);
    case 'relu': return reluForward(z, a, count);
    case 'leakyRelu': return leakyReluForward(z, a, count, alpha);
    case 'sigmoid': return sigmoidForward(z, a, count);
    case 'tanh': return tanhForward(z, a, count);
    case 'softmax': return softmaxForward(z, a, rows, cols);
  }
}

export function activationBackward(
  kind: ActivationName, alpha: number, z: Floats, a: Floats, da: Floats, dz: Floats, rows: number, cols: number,
): void {
  const count = rows * cols;
  switch (kind) {
    case 'linear': return linearBackward(da, dz, count);
    case 'relu': return reluBackward(z, da, dz, count);
    case 'leakyRelu': return leakyReluBackward(z, da, dz, count, alpha);
    case 'sigmoid': return sigmoidBackward(a, da, dz, count);
    case 'tanh': return tanhBackward(a, da, dz, count);
    case 'softmax': return softmaxBackward(a, da, dz, rows, cols);
  }
}

// linear: a = z; a dense layer passes the same buffer for both, so this is usually a no-op.
export function linearForward(z: Floats, a: Floats, count: number): void {
  if (a !== z) for (let i = 0; i < count; i++) a[i] = z[i]!;
}
export function linearBackward(da: Floats, dz: Floats, count: number): void {
  if (dz !== da) for (let i = 0; i < count; i++) dz[i] = da[i]!;
}

// relu: a = max(z, 0); a' = 1 for z > 0, else 0 (including z = 0).
export function reluForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    a[i] = v > 0 ? v : 0;
  }
}
export function reluBackward(z: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) dz[i] = z[i]! > 0 ? da[i]! : 0;
}

// leakyRelu: a = z for z > 0, else alpha·z; a' = 1 for z > 0, else alpha (including z = 0).
export function leakyReluForward(z: Floats, a: Floats, count: number, alpha: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    a[i] = v > 0 ? v : alpha * v;
  }
}
export function leakyReluBackward(z: Floats, da: Floats, dz: Floats, count: number, alpha: number): void {
  for (let i = 0; i < count; i++) dz[i] = z[i]! > 0 ? da[i]! : alpha * da[i]!;
}

// sigmoid: a = 1/(1+e^-z); a' = a(1−a). For z ≪ 0, e^-z overflows to Infinity and a is exactly 0: no NaN.
export function sigmoidForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) a[i] = 1 / (1 + Math.exp(-z[i]!));
}
export function sigmoidBackward(a: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const s = a[i]!;
    dz[i] = da[i]! * s * (1 - s);
  }
}

// tanh: a' = 1 − a².
export function tanhForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) a[i] = Math.tanh(z[i]!);
}
export function tanhBackward(a: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const t = a[i]!;
    dz[i] = da[i]! * (1 - t * t);
  }
}

// softmax per row, max-subtracted so exp never overflows: s_j = e^(z_j − max) / Σ e^(z_i − max).
export function softmaxForward(z: Floats, a: Floats, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (z[row + j]! > max) max = z[row + j]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(z[row + j]! - max);
      a[row + j] = e;
      sum += e;
    }
    for (let j = 0; j < cols; j++) a[row + j] = a[row + j]! / sum;
  }
}
// The Jacobian is diag(s) − s sᵀ, so J·da = s ⊙ (da − (s·da)).
export function softmaxBackward(a: Floats, da: Floats, dz: Floats, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += a[row + j]! * da[row + j]!;
    for (let j = 0; j < cols; j++) dz[row + j] = a[row + j]! * (da[row + j]! - dot);
  }
}
