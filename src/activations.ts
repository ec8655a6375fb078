import type { ActivationName } from './backends/backend.js';
import { checkOneOf } from './errors.js';

/** Activation names, as Keras/tfjs spell them. The math lives in each backend's kernels. */
export const activationNames: readonly ActivationName[] = ['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'softmax'];

/** Keras' default negative slope for LeakyReLU. */
export const DEFAULT_LEAKY_ALPHA = 0.3;

export function checkActivation(argument: string, name: unknown): ActivationName {
  return checkOneOf(argument, name, activationNames);
}
