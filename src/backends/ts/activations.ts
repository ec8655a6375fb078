/**
 * Activations, forward and backward side by side. Shapes: z, a, da, dz are [rows, cols] row-major.
 *
 *   forward   a = act(z)
 *   backward  dz = act'(z) ⊙ da        (softmax: the Jacobian-vector product dz = s ⊙ (da − Σ da⊙s) per row)
 *
 * Backward may run in place (dz === da). Each backward reads whichever of z or a gives the derivative
 * exactly: relu and leakyRelu need the sign of z (relu'(0) = 0, leakyRelu'(0) = alpha), sigmoid, tanh and
 * softmax are cheapest from their output, and so are elu, selu, softplus and softsign (monotonic, with a
 * derivative that is a function of a). gelu, swish and mish are not monotonic: they read z, and the native
 * engine keeps z for them (backward_needs_z in native/src/ops/activation.h).
 *
 * These are the float64 references; native/src/ops/activation.cpp computes the same formulas (the later seven
 * with float32 approximations) and is held to these within the parity suite's tolerance.
 */
import type { ActivationName } from '../backend.js';
import type { Floats } from './floats.js';
import { normalCdf, normalPdf } from './normal-cdf.js';

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
    case 'gelu': return geluForward(z, a, count);
    case 'swish': return swishForward(z, a, count);
    case 'elu': return eluForward(z, a, count);
    case 'selu': return seluForward(z, a, count);
    case 'softplus': return softplusForward(z, a, count);
    case 'softsign': return softsignForward(z, a, count);
    case 'mish': return mishForward(z, a, count);
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
    case 'gelu': return geluBackward(z, da, dz, count);
    case 'swish': return swishBackward(z, da, dz, count);
    case 'elu': return eluBackward(a, da, dz, count);
    case 'selu': return seluBackward(a, da, dz, count);
    case 'softplus': return softplusBackward(a, da, dz, count);
    case 'softsign': return softsignBackward(a, da, dz, count);
    case 'mish': return mishBackward(z, da, dz, count);
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

// gelu, the exact (erf) form as PyTorch's default: a = z·Φ(z); a' = Φ(z) + z·φ(z).
export function geluForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) a[i] = z[i]! * normalCdf(z[i]!);
}
export function geluBackward(z: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    dz[i] = da[i]! * (normalCdf(v) + v * normalPdf(v));
  }
}

// swish (silu): a = z·s with s = 1/(1+e^-z); a' = s·(1 + z·(1 − s)).
export function swishForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) a[i] = z[i]! / (1 + Math.exp(-z[i]!));
}
export function swishBackward(z: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    const s = 1 / (1 + Math.exp(-v));
    dz[i] = da[i]! * s * (1 + v * (1 - s));
  }
}

// elu (alpha 1): a = z for z > 0, else e^z − 1; a' = 1 for a > 0, else a + 1 (= e^z; both give 1 at 0).
export function eluForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    a[i] = v > 0 ? v : Math.expm1(v);
  }
}
export function eluBackward(a: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) dz[i] = a[i]! > 0 ? da[i]! : da[i]! * (a[i]! + 1);
}

/** SELU's constants (Klambauer et al. 2017), as PyTorch and Keras write them. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_LAMBDA = 1.0507009873554804934193349852946;

// selu: a = λ·z for z > 0, else λ·α·(e^z − 1); a' = λ for a > 0, else a + λ·α.
export function seluForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    a[i] = SELU_LAMBDA * (v > 0 ? v : SELU_ALPHA * Math.expm1(v));
  }
}
export function seluBackward(a: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) dz[i] = da[i]! * (a[i]! > 0 ? SELU_LAMBDA : a[i]! + SELU_LAMBDA * SELU_ALPHA);
}

// softplus: a = log(1 + e^z) = max(z, 0) + log1p(e^−|z|), which neither overflows nor loses e^z for z ≪ 0;
// a' = sigmoid(z) = 1 − e^−a = −expm1(−a).
export function softplusForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    a[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  }
}
export function softplusBackward(a: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) dz[i] = -da[i]! * Math.expm1(-a[i]!);
}

// softsign: a = z/(1 + |z|); a' = 1/(1 + |z|)² = (1 − |a|)².
export function softsignForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) a[i] = z[i]! / (1 + Math.abs(z[i]!));
}
export function softsignBackward(a: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const d = 1 - Math.abs(a[i]!);
    dz[i] = da[i]! * d * d;
  }
}

// mish: a = z·tanh(softplus(z)); a' = t + z·(1 − t²)·sigmoid(z) with t = tanh(softplus(z)).
export function mishForward(z: Floats, a: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    a[i] = v * Math.tanh(Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
  }
}
export function mishBackward(z: Floats, da: Floats, dz: Floats, count: number): void {
  for (let i = 0; i < count; i++) {
    const v = z[i]!;
    const t = Math.tanh(Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
    dz[i] = da[i]! * (t + (v * (1 - t * t)) / (1 + Math.exp(-v)));
  }
}
