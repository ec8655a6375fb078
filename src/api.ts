/**
 * Everything a user touches, for Node and browsers alike. The entry points (index.ts for Node, browser.ts)
 * add their backends and re-export this.
 */
export { Tensor, tensor, type TensorLike } from './tensor.js';
export { Sequential, sequential, type SequentialOptions, type CompileOptions, type FitOptions, type History, type EvaluateResult } from './model.js';
export { dense, dropout, type DenseOptions, type LayerConfig } from './layers.js';
export { activationNames } from './activations.js';
export { lossNames } from './losses.js';
export { sgd, adam, adamw, rmsprop, type Optimizer } from './optimizers.js';
export { initializerNames, type InitializerName } from './initializers.js';
export { l2, type Regularizer } from './regularizers.js';
export { stepDecay, exponentialDecay, cosineDecay, type Schedule } from './schedules.js';
export { earlyStopping, reduceLROnPlateau, learningRateScheduler, type Callback, type Logs } from './callbacks.js';
export { ready, availableBackends, registerBackend, type BackendChoice } from './backends/registry.js';
export { AbortError, type BackendName, type ActivationName, type LossName } from './backends/backend.js';
export { NeuriteError } from './errors.js';
export * from './data/index.js';
