/**
 * The dense layer, forward and backward.
 *
 *   forward   z = x·W + b,  a = act(z)           x [rows, in], W [in, units], b [units], z and a [rows, units]
 *   backward  dz = act'(z) ⊙ da                  (skipped when a fused loss already wrote dL/dz into dz)
 *             dW = xᵀ·dz + 2·l2·W                [in, units]
 *             db = Σ_rows dz                     [units]
 *             dx = dz·Wᵀ                         [rows, in], only when a trainable layer lies below
 *
 * z is kept because relu/leakyRelu need its sign; a is kept because sigmoid/tanh/softmax derive from it.
 * For a linear layer the caller passes the same buffer as z and a.
 */
import type { DenseLayerSpec } from '../backend.js';
import { activationBackward, activationForward } from './activations.js';
import type { Floats } from './floats.js';
import { matmul, matmulNT, matmulTN } from './matmul.js';

export function denseForward(
  layer: DenseLayerSpec, x: Floats, rows: number, kernel: Floats, bias: Floats | null, z: Floats, a: Floats,
): void {
  const { inputSize, units } = layer;
  matmul(x, kernel, z, rows, inputSize, units);
  if (bias) addBias(z, bias, rows, units);
  activationForward(layer.activation, layer.alpha, z, a, rows, units);
}

export function denseBackward(
  layer: DenseLayerSpec,
  x: Floats,
  rows: number,
  kernel: Floats,
  z: Floats,
  a: Floats,
  da: Floats | null,
  dz: Floats,
  gradKernel: Floats,
  gradBias: Floats | null,
  dx: Floats | null,
): void {
  const { inputSize, units } = layer;
  if (da) activationBackward(layer.activation, layer.alpha, z, a, da, dz, rows, units);
  matmulTN(x, dz, gradKernel, inputSize, rows, units);
  if (layer.l2 > 0) addL2Gradient(gradKernel, kernel, layer.l2, inputSize * units);
  if (gradBias) sumColumns(dz, gradBias, rows, units);
  if (dx) matmulNT(dz, kernel, dx, rows, units, inputSize);
}

/** Σ l2·w² of a kernel: the regularisation term this layer adds to the reported loss. */
export function l2Penalty(kernel: Floats, l2: number, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += kernel[i]! * kernel[i]!;
  return l2 * sum;
}

function addBias(z: Floats, bias: Floats, rows: number, units: number): void {
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    for (let j = 0; j < units; j++) z[row + j] = z[row + j]! + bias[j]!;
  }
}

function addL2Gradient(gradKernel: Floats, kernel: Floats, l2: number, count: number): void {
  const factor = 2 * l2;
  for (let i = 0; i < count; i++) gradKernel[i] = gradKernel[i]! + factor * kernel[i]!;
}

// Column sums accumulate in doubles; the scratch grows to the widest layer and is reused.
let columnSums = new Float64Array(0);

function sumColumns(dz: Floats, out: Floats, rows: number, units: number): void {
  // Rows outer so dz is read in order.
  const sums = columnSums.length >= units ? columnSums : (columnSums = new Float64Array(units));
  sums.fill(0, 0, units);
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    for (let j = 0; j < units; j++) sums[j] = sums[j]! + dz[row + j]!;
  }
  for (let j = 0; j < units; j++) out[j] = sums[j]!;
}
