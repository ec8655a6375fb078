import { lossCodes, type ActivationName, type LossName } from './backends/abi-generated.js';
import { NeuriteError, checkOneOf, checkOptions, fail, type OptionKeys } from './errors.js';

/** Loss names: the ABI schema's list (native/abi/abi.json). */
export const lossNames = Object.keys(lossCodes) as readonly LossName[];

/** Short names people type (Keras accepts these too). */
const aliases: Record<string, LossName> = {
  mse: 'meanSquaredError',
  mean_squared_error: 'meanSquaredError',
  mae: 'meanAbsoluteError',
  mean_absolute_error: 'meanAbsoluteError',
  binary_crossentropy: 'binaryCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
};

/** A loss with hyperparameters, from a constructor such as nn.huber({ delta }). */
export interface LossConfig {
  readonly kind: 'loss';
  readonly name: LossName;
  /** huber: where the loss turns from quadratic (½d²) to linear (delta·(|d| − ½delta)) */
  readonly delta: number;
}

export interface HuberOptions {
  /** the switch point, > 0 (default 1, as Keras and PyTorch) */
  delta?: number;
}

export const huberOptionKeys: OptionKeys<HuberOptions> = { delta: true };

/** The Huber loss with another delta: `compile({ loss: nn.huber({ delta: 0.5 }) })`. 'huber' alone is delta 1. */
export function huber(options?: HuberOptions): LossConfig {
  const o = checkOptions('nn.huber options', options, huberOptionKeys);
  const delta = o.delta ?? 1;
  if (typeof delta !== 'number' || !Number.isFinite(delta) || delta <= 0) fail('delta', 'a finite number > 0', delta);
  return { kind: 'loss', name: 'huber', delta };
}

export function checkLoss(name: unknown): LossName {
  const resolved = typeof name === 'string' && aliases[name] ? aliases[name] : name;
  return checkOneOf('loss', resolved, lossNames);
}

/** compile's `loss`: a name (or alias) or a LossConfig, as the name and its hyperparameters. */
export function resolveLoss(v: unknown): { name: LossName; delta: number } {
  if (typeof v === 'object' && v !== null && (v as LossConfig).kind === 'loss') {
    const c = v as LossConfig;
    return { name: checkLoss(c.name), delta: c.delta };
  }
  return { name: checkLoss(v), delta: 1 };
}

/**
 * Cross-entropies are computed fused from the logits (stable log-sum-exp), so they need the output activation
 * they are fused with. Saying so up front beats a silently wrong gradient.
 */
export function checkLossMatchesOutput(loss: LossName, outputActivation: ActivationName | undefined): void {
  const need: Partial<Record<LossName, ActivationName>> = {
    categoricalCrossentropy: 'softmax',
    sparseCategoricalCrossentropy: 'softmax',
    binaryCrossentropy: 'sigmoid',
  };
  const required = need[loss];
  if (required && outputActivation !== required) {
    throw new NeuriteError(
      `loss: '${loss}' needs a '${required}' output layer (got '${outputActivation ?? 'a last layer that is not dense'}'); ` +
        `use activation: '${required}' on the last dense layer`,
    );
  }
}
