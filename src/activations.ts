import { activationCodes, type ActivationName } from './backends/abi-generated.js';
import { checkOneOf } from './errors.js';

/** Activation names, as Keras/tfjs spell them: the ABI schema's list (native/abi/abi.json). The math lives in
 * each backend's kernels. */
export const activationNames = Object.keys(activationCodes) as readonly ActivationName[];

/** Keras' default negative slope for LeakyReLU. */
export const DEFAULT_LEAKY_ALPHA = 0.3;

export function checkActivation(argument: string, name: unknown): ActivationName {
  return checkOneOf(argument, name, activationNames);
}
