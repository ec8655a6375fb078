/**
 * Batch and layer normalisation, forward and backward side by side. x, y, xhat, dy, dx are [rows, units].
 *
 *   batch (per feature j, over the rows of the batch; Keras's BatchNormalization):
 *     training   μ_j = Σ_r x/rows,  σ²_j = Σ_r (x − μ_j)²/rows (biased),  s_j = 1/√(σ²_j + ε)
 *                x̂ = (x − μ_j)·s_j,  y = γ_j·x̂ + β_j
 *                moving_μ ← moving_μ·momentum + μ_j·(1 − momentum), moving_σ² likewise with σ²_j
 *     inference  the same with moving_μ and moving_σ² in place of μ_j and σ²_j
 *     backward   dγ_j = Σ_r dy·x̂,  dβ_j = Σ_r dy,  dx = γ_j·s_j/rows · (rows·dy − dβ_j − x̂·dγ_j)
 *   layer (per row r, over its features; Keras's LayerNormalization):
 *     forward    μ_r, σ²_r over the row, s_r = 1/√(σ²_r + ε),  x̂ = (x − μ_r)·s_r,  y = γ_j·x̂ + β_j
 *     backward   g = dy·γ_j,  dx = s_r/units · (units·g − Σ_j g − x̂·Σ_j g·x̂);  dγ_j = Σ_r dy·x̂,  dβ_j = Σ_r dy
 *
 * γ is 1 and β is 0 when the layer has none (scale or center false). Sums and every intermediate are doubles,
 * in the order native/src/ops/normalization.cpp uses, so both round to the same float32 values; x̂ is stored
 * (as the buffer's type) for the backward pass, which reads it back from there on every backend.
 */
import type { Floats } from './floats.js';

/** Per-feature (batch) or per-row (layer) statistics kept from forward for backward: s = 1/√(σ² + ε). */
export type InverseStd = Float64Array;

export function batchNormTrainingForward(
  x: Floats, y: Floats, xhat: Floats, rows: number, units: number, gamma: Floats | null, beta: Floats | null,
  movingMean: Floats, movingVariance: Floats, momentum: number, epsilon: number, inverseStd: InverseStd,
): void {
  const mean = new Float64Array(units);
  const variance = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    for (let j = 0; j < units; j++) mean[j] = mean[j]! + x[row + j]!;
  }
  for (let j = 0; j < units; j++) mean[j] = mean[j]! / rows;
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    for (let j = 0; j < units; j++) {
      const d = x[row + j]! - mean[j]!;
      variance[j] = variance[j]! + d * d;
    }
  }
  for (let j = 0; j < units; j++) {
    const v = variance[j]! / rows;
    inverseStd[j] = 1 / Math.sqrt(v + epsilon);
    movingMean[j] = movingMean[j]! * momentum + mean[j]! * (1 - momentum);
    movingVariance[j] = movingVariance[j]! * momentum + v * (1 - momentum);
  }
  normalizeColumns(x, y, xhat, rows, units, mean, inverseStd, gamma, beta);
}

export function batchNormInferenceForward(
  x: Floats, y: Floats, rows: number, units: number, gamma: Floats | null, beta: Floats | null,
  movingMean: Floats, movingVariance: Floats, epsilon: number,
): void {
  const mean = new Float64Array(units);
  const inverseStd = new Float64Array(units);
  for (let j = 0; j < units; j++) {
    mean[j] = movingMean[j]!;
    inverseStd[j] = 1 / Math.sqrt(movingVariance[j]! + epsilon);
  }
  normalizeColumns(x, y, null, rows, units, mean, inverseStd, gamma, beta);
}

function normalizeColumns(
  x: Floats, y: Floats, xhat: Floats | null, rows: number, units: number, mean: Float64Array, inverseStd: Float64Array,
  gamma: Floats | null, beta: Floats | null,
): void {
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    for (let j = 0; j < units; j++) {
      const h = (x[row + j]! - mean[j]!) * inverseStd[j]!;
      if (xhat) xhat[row + j] = h;
      y[row + j] = (gamma ? gamma[j]! * h : h) + (beta ? beta[j]! : 0);
    }
  }
}

export function batchNormBackward(
  dy: Floats, xhat: Floats, rows: number, units: number, gamma: Floats | null, inverseStd: InverseStd,
  gradGamma: Floats | null, gradBeta: Floats | null, dx: Floats | null,
): void {
  const sumDy = new Float64Array(units);
  const sumDyXhat = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    for (let j = 0; j < units; j++) {
      const g = dy[row + j]!;
      sumDy[j] = sumDy[j]! + g;
      sumDyXhat[j] = sumDyXhat[j]! + g * xhat[row + j]!;
    }
  }
  for (let j = 0; j < units; j++) {
    if (gradGamma) gradGamma[j] = sumDyXhat[j]!;
    if (gradBeta) gradBeta[j] = sumDy[j]!;
  }
  if (!dx) return;
  const factor = new Float64Array(units);
  for (let j = 0; j < units; j++) factor[j] = ((gamma ? gamma[j]! : 1) * inverseStd[j]!) / rows;
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    for (let j = 0; j < units; j++) {
      dx[row + j] = factor[j]! * (rows * dy[row + j]! - sumDy[j]! - xhat[row + j]! * sumDyXhat[j]!);
    }
  }
}

export function layerNormForward(
  x: Floats, y: Floats, xhat: Floats | null, rows: number, units: number, gamma: Floats | null, beta: Floats | null,
  epsilon: number, inverseStd: InverseStd | null,
): void {
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    let mean = 0;
    for (let j = 0; j < units; j++) mean += x[row + j]!;
    mean /= units;
    let variance = 0;
    for (let j = 0; j < units; j++) {
      const d = x[row + j]! - mean;
      variance += d * d;
    }
    const s = 1 / Math.sqrt(variance / units + epsilon);
    if (inverseStd) inverseStd[r] = s;
    for (let j = 0; j < units; j++) {
      const h = (x[row + j]! - mean) * s;
      if (xhat) xhat[row + j] = h;
      y[row + j] = (gamma ? gamma[j]! * h : h) + (beta ? beta[j]! : 0);
    }
  }
}

export function layerNormBackward(
  dy: Floats, xhat: Floats, rows: number, units: number, gamma: Floats | null, inverseStd: InverseStd,
  gradGamma: Floats | null, gradBeta: Floats | null, dx: Floats | null,
): void {
  const sumDy = new Float64Array(units);
  const sumDyXhat = new Float64Array(units);
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    let sumG = 0;
    let sumGXhat = 0;
    for (let j = 0; j < units; j++) {
      const d = dy[row + j]!;
      const h = xhat[row + j]!;
      sumDy[j] = sumDy[j]! + d;
      sumDyXhat[j] = sumDyXhat[j]! + d * h;
      const g = gamma ? d * gamma[j]! : d;
      sumG += g;
      sumGXhat += g * h;
    }
    if (!dx) continue;
    const factor = inverseStd[r]! / units;
    for (let j = 0; j < units; j++) {
      const g = gamma ? dy[row + j]! * gamma[j]! : dy[row + j]!;
      dx[row + j] = factor * (units * g - sumG - xhat[row + j]! * sumGXhat);
    }
  }
  for (let j = 0; j < units; j++) {
    if (gradGamma) gradGamma[j] = sumDyXhat[j]!;
    if (gradBeta) gradBeta[j] = sumDy[j]!;
  }
}
