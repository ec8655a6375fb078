import { checkRange } from './errors.js';

/** L2 weight decay on a kernel: adds l2·Σw² to the loss and 2·l2·w to the gradient (Keras semantics). */
export interface Regularizer {
  l2: number;
}

export function l2(factor = 0.01): Regularizer {
  return { l2: checkRange('l2 factor', factor, 0, Infinity) };
}
