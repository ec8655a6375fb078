import { lossCodes, type ActivationName, type LossName } from './backends/abi-generated.js';
import { NeuriteError, checkOneOf } from './errors.js';

/** Loss names: the ABI schema's list (native/abi/abi.json). */
export const lossNames = Object.keys(lossCodes) as readonly LossName[];

/** Short names people type (Keras accepts these too). */
const aliases: Record<string, LossName> = {
  mse: 'meanSquaredError',
  mean_squared_error: 'meanSquaredError',
  binary_crossentropy: 'binaryCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
};

export function checkLoss(name: unknown): LossName {
  const resolved = typeof name === 'string' && aliases[name] ? aliases[name] : name;
  return checkOneOf('loss', resolved, lossNames);
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
