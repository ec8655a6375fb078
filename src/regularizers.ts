import { checkRange, type OptionKeys } from './errors.js';

/** L2 weight decay on a kernel: adds l2·Σw² to the loss and 2·l2·w to the gradient (Keras semantics). */
export interface Regularizer {
  l2: number;
}

/** kernelRegularizer is checked key by key too: { l1: 0.01 } must not pass as "no regularisation". */
export const regularizerKeys: OptionKeys<Regularizer> = { l2: true };

export function l2(factor = 0.01): Regularizer {
  return { l2: checkRange('l2 factor', factor, 0, Infinity) };
}
