/**
 * Optimizer updates: w ← w − f(g, state), in place, one parameter array at a time. g already holds the
 * L2 term. Steps count from t = 1. Arithmetic is in doubles; w and the state slots are stored back as
 * their array type.
 *
 *   sgd       momentum 0: w −= lr·g
 *             else v = μ·v − lr·g;  nesterov ? w += μ·v − lr·g : w += v
 *   adam      m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  m̂ = m/(1−β1^t);  v̂ = v/(1−β2^t)
 *             w −= lr·m̂/(√v̂ + ε)                                     (Kingma & Ba, Algorithm 1)
 *   adamw     w −= lr·λ·w (with w before this step), then the adam update
 *   rmsprop   v = ρ·v + (1−ρ)·g²;  momentum 0: w −= lr·g/(√v + ε)
 *             else mom = μ·mom + lr·g/(√v + ε);  w −= mom
 *   nadam     as Keras 3 computes it, with u_i = β1·(1 − ½·0.96^i) and P = Π_{i≤t} u_i:
 *             m += (g − m)(1−β1);  v += (g² − v)(1−β2)
 *             m̂ = u_{t+1}/(1 − P·u_{t+1})·m + (1 − u_t)/(1 − P)·g;  w −= m̂·lr/(√(v/(1−β2^t)) + ε)
 *   adagrad   as Keras 3 computes it (ε inside the root): a += g²;  w −= lr·g/√(a + ε); a starts at
 *             initialAccumulatorValue
 *
 * Clipping (clipValue, clipNorm, globalClipNorm) replaces g before the update: g ← f32(clamp(g·scale, −v, v)),
 * with scale = f32(c/max(‖g‖, c)) (a float32 factor, as PyTorch's clip_coef) and norms summed as sumSquares
 * does (native/src/ops/grad_clip.h).
 *
 * State slots per parameter, in this order: sgd [velocity] (only with momentum), adam/adamw/nadam [m, v],
 * rmsprop [v] or [v, mom] with momentum, adagrad [accumulator].
 */
import type { OptimizerSpec } from '../backend.js';
import type { Floats } from './floats.js';
import { learningRateAt } from './lr-schedule.js';

export function sgdUpdate(
  w: Floats, g: Floats, velocity: Floats | null, count: number, lr: number, momentum: number, nesterov: boolean,
): void {
  if (!velocity || momentum === 0) {
    for (let i = 0; i < count; i++) w[i] = w[i]! - lr * g[i]!;
    return;
  }
  for (let i = 0; i < count; i++) {
    const v = momentum * velocity[i]! - lr * g[i]!;
    velocity[i] = v;
    w[i] = nesterov ? w[i]! + momentum * v - lr * g[i]! : w[i]! + v;
  }
}

export function adamUpdate(
  w: Floats, g: Floats, m: Floats, v: Floats, count: number,
  lr: number, beta1: number, beta2: number, epsilon: number, t: number,
): void {
  const correction1 = 1 - Math.pow(beta1, t);
  const correction2 = 1 - Math.pow(beta2, t);
  for (let i = 0; i < count; i++) {
    const gi = g[i]!;
    const mi = beta1 * m[i]! + (1 - beta1) * gi;
    const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    w[i] = w[i]! - (lr * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
  }
}

export function adamwUpdate(
  w: Floats, g: Floats, m: Floats, v: Floats, count: number,
  lr: number, beta1: number, beta2: number, epsilon: number, weightDecay: number, t: number,
): void {
  // Decoupled weight decay (Loshchilov & Hutter): shrink w before the adam step, not through g.
  const decay = lr * weightDecay;
  for (let i = 0; i < count; i++) w[i] = w[i]! - decay * w[i]!;
  adamUpdate(w, g, m, v, count, lr, beta1, beta2, epsilon, t);
}

export function rmspropUpdate(
  w: Floats, g: Floats, v: Floats, mom: Floats | null, count: number,
  lr: number, rho: number, momentum: number, epsilon: number,
): void {
  for (let i = 0; i < count; i++) {
    const gi = g[i]!;
    const vi = rho * v[i]! + (1 - rho) * gi * gi;
    v[i] = vi;
    const step = (lr * gi) / (Math.sqrt(vi) + epsilon);
    if (mom && momentum !== 0) {
      const mi = momentum * mom[i]! + step;
      mom[i] = mi;
      w[i] = w[i]! - mi;
    } else {
      w[i] = w[i]! - step;
    }
  }
}

/** Keras's Nadam momentum schedule: u_i = β1·(1 − ½·0.96^i). */
export function nadamU(beta1: number, i: number): number {
  return beta1 * (1 - 0.5 * Math.pow(0.96, i));
}

/** Π_{i=1..t} u_i, multiplied in step order as Keras accumulates it. */
export function nadamUProduct(beta1: number, t: number): number {
  let product = 1;
  for (let i = 1; i <= t; i++) product *= nadamU(beta1, i);
  return product;
}

export function nadamUpdate(
  w: Floats, g: Floats, m: Floats, v: Floats, count: number,
  lr: number, beta1: number, beta2: number, epsilon: number, t: number, uProduct: number,
): void {
  const ut = nadamU(beta1, t);
  const uNext = nadamU(beta1, t + 1);
  const momentumWeight = uNext / (1 - uProduct * uNext);
  const gradientWeight = (1 - ut) / (1 - uProduct);
  const correction2 = 1 - Math.pow(beta2, t);
  for (let i = 0; i < count; i++) {
    const gi = g[i]!;
    const mi = m[i]! + (gi - m[i]!) * (1 - beta1);
    const vi = v[i]! + (gi * gi - v[i]!) * (1 - beta2);
    m[i] = mi;
    v[i] = vi;
    const mHat = momentumWeight * mi + gradientWeight * gi;
    w[i] = w[i]! - (mHat * lr) / (Math.sqrt(vi / correction2) + epsilon);
  }
}

export function adagradUpdate(w: Floats, g: Floats, accumulator: Floats, count: number, lr: number, epsilon: number): void {
  for (let i = 0; i < count; i++) {
    const gi = g[i]!;
    const ai = accumulator[i]! + gi * gi;
    accumulator[i] = ai;
    w[i] = w[i]! - (lr * gi) / Math.sqrt(ai + epsilon);
  }
}

/** Elements per chunk of a norm: the C++ core sums chunks on several threads (kNormChunk in grad_clip.h). */
const NORM_CHUNK = 16384;

/**
 * Σ g² in the C++ core's order (grad_clip.h): per chunk of NORM_CHUNK elements, 16 interleaved lanes in double
 * added in lane order; then the chunks in order.
 */
export function sumSquares(g: Floats): number {
  let total = 0;
  for (let start = 0; start < g.length; start += NORM_CHUNK) {
    const end = Math.min(start + NORM_CHUNK, g.length);
    const lane = new Float64Array(16);
    for (let i = start; i < end; i++) lane[(i - start) % 16] += g[i]! * g[i]!;
    let chunk = 0;
    for (let k = 0; k < 16; k++) chunk += lane[k]!;
    total += chunk;
  }
  return total;
}

/** f32(c / max(‖g‖, c)) from Σ g²: the core multiplies in f32 by an f32 factor, and so does PyTorch. */
export function clipScale(sumOfSquares: number, c: number): number {
  const norm = Math.sqrt(sumOfSquares);
  return norm > c ? Math.fround(c / norm) : 1;
}

/** g ← clamp(g·scale, −v, v) in place (v = Infinity: no clamp). */
export function clipGradient(g: Floats, scale: number, v: number): void {
  for (let i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i]! * scale, -v), v);
}

/** Apply the optimizer's clip to every gradient, in place, before its update. */
export function clipGradients(optimizer: OptimizerSpec, grads: Floats[]): void {
  const { clipValue = 0, clipNorm = 0, globalClipNorm = 0 } = optimizer;
  if (clipValue > 0) for (const g of grads) clipGradient(g, 1, clipValue);
  else if (clipNorm > 0) for (const g of grads) clipGradient(g, clipScale(sumSquares(g), clipNorm), Infinity);
  else if (globalClipNorm > 0) {
    let total = 0;
    for (const g of grads) total += sumSquares(g);
    const scale = clipScale(total, globalClipNorm);
    for (const g of grads) clipGradient(g, scale, Infinity);
  }
}

/** The value each state slot starts at (Keras: adagrad's accumulators at initialAccumulatorValue, others 0). */
export function initialSlotValue(optimizer: OptimizerSpec): number {
  return optimizer.kind === 'adagrad' ? optimizer.initialAccumulatorValue : 0;
}

/** How many state arrays the optimizer keeps per parameter (see the slot order above). */
export function slotsPerParameter(optimizer: OptimizerSpec): number {
  switch (optimizer.kind) {
    case 'sgd': return optimizer.momentum > 0 ? 1 : 0;
    case 'adam':
    case 'adamw':
    case 'nadam': return 2;
    case 'rmsprop': return optimizer.momentum > 0 ? 2 : 1;
    case 'adagrad': return 1;
  }
}

/**
 * One update of every parameter. slots holds slotsPerParameter(optimizer) arrays per parameter,
 * parameter after parameter in params order; t is the step number counting from 1. The gradients (L2 term
 * included) are clipped in place first. uProduct: nadam's Π_{i≤t} u_i (nadamUProduct), carried by the caller.
 */
export function applyOptimizer(
  optimizer: OptimizerSpec, params: Floats[], grads: Floats[], slots: Floats[], t: number, uProduct = 1,
): void {
  clipGradients(optimizer, grads);
  const lr = learningRateAt(optimizer, t - 1);
  const perParameter = slotsPerParameter(optimizer);
  for (let p = 0; p < params.length; p++) {
    const w = params[p]!;
    const g = grads[p]!;
    const first = perParameter > 0 ? slots[p * perParameter]! : null;
    const second = perParameter > 1 ? slots[p * perParameter + 1]! : null;
    const count = w.length;
    switch (optimizer.kind) {
      case 'sgd':
        sgdUpdate(w, g, first, count, lr, optimizer.momentum, optimizer.nesterov);
        break;
      case 'adam':
        adamUpdate(w, g, first!, second!, count,
          lr, optimizer.beta1, optimizer.beta2, optimizer.epsilon, t);
        break;
      case 'adamw':
        adamwUpdate(w, g, first!, second!, count,
          lr, optimizer.beta1, optimizer.beta2, optimizer.epsilon, optimizer.weightDecay, t);
        break;
      case 'rmsprop':
        rmspropUpdate(w, g, first!, second, count, lr, optimizer.rho, optimizer.momentum, optimizer.epsilon);
        break;
      case 'nadam':
        nadamUpdate(w, g, first!, second!, count, lr, optimizer.beta1, optimizer.beta2, optimizer.epsilon, t, uProduct);
        break;
      case 'adagrad':
        adagradUpdate(w, g, first!, count, lr, optimizer.epsilon);
        break;
    }
  }
}
