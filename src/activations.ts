import { activationCodes, type ActivationName } from './backends/abi-generated.js';
import { checkOneOf } from './errors.js';

/** Activation names, as Keras/tfjs spell them: the ABI schema's list (native/abi/abi.json). The math lives in
 * each backend's kernels. */
export const activationNames = Object.keys(activationCodes) as readonly ActivationName[];

/** Other names the Model API accepts, each for one activation ('silu' is PyTorch's and Keras 3's name for
 * swish). They resolve here, so models, files and kernels only ever see the names above. */
export const activationAliases = { silu: 'swish' } as const satisfies Record<string, ActivationName>;

/** What `activation:` accepts: a name or an alias. */
export type ActivationInput = ActivationName | keyof typeof activationAliases;

const accepted: readonly ActivationInput[] = [...activationNames, ...(Object.keys(activationAliases) as (keyof typeof activationAliases)[])];

/** Keras' default negative slope for LeakyReLU. */
export const DEFAULT_LEAKY_ALPHA = 0.3;

export function checkActivation(argument: string, name: unknown): ActivationName {
  const v = checkOneOf(argument, name, accepted);
  return Object.prototype.hasOwnProperty.call(activationAliases, v) ? activationAliases[v as keyof typeof activationAliases] : (v as ActivationName);
}
