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
 *
 * State slots per parameter, in this order: sgd [velocity] (only with momentum), adam/adamw [m, v],
 * rmsprop [v] or [v, mom] with momentum.
 */
import type { OptimizerSpec } from '../backend';
import type { Floats } from './floats';

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

/** How many state arrays the optimizer keeps per parameter (see the slot order above). */
export function slotsPerParameter(optimizer: OptimizerSpec): number {
  switch (optimizer.kind) {
    case 'sgd': return optimizer.momentum > 0 ? 1 : 0;
    case 'adam':
    case 'adamw': return 2;
    case 'rmsprop': return optimizer.momentum > 0 ? 2 : 1;
  }
}

/**
 * One update of every parameter. slots holds slotsPerParameter(optimizer) arrays per parameter,
 * parameter after parameter in params order; t is the step number counting from 1.
 */
export function applyOptimizer(
  optimizer: OptimizerSpec, params: Floats[], grads: Floats[], slots: Floats[], t: number,
): void {
  const perParameter = slotsPerParameter(optimizer);
  for (let p = 0; p < params.length; p++) {
    const w = params[p]!;
    const g = grads[p]!;
    const first = perParameter > 0 ? slots[p * perParameter]! : null;
    const second = perParameter > 1 ? slots[p * perParameter + 1]! : null;
    const count = w.length;
    switch (optimizer.kind) {
      case 'sgd':
        sgdUpdate(w, g, first, count, optimizer.learningRate, optimizer.momentum, optimizer.nesterov);
        break;
      case 'adam':
        adamUpdate(w, g, first!, second!, count,
          optimizer.learningRate, optimizer.beta1, optimizer.beta2, optimizer.epsilon, t);
        break;
      case 'adamw':
        adamwUpdate(w, g, first!, second!, count,
          optimizer.learningRate, optimizer.beta1, optimizer.beta2, optimizer.epsilon, optimizer.weightDecay, t);
        break;
      case 'rmsprop':
        rmspropUpdate(w, g, first!, second, count,
          optimizer.learningRate, optimizer.rho, optimizer.momentum, optimizer.epsilon);
        break;
    }
  }
}
