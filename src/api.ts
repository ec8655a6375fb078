/**
 * Everything a user touches, for Node and browsers alike. The entry points (index.ts for Node, browser.ts)
 * add their backends and re-export this.
 */
export { Tensor, tensor, type TensorLike } from './tensor.js';
export {
  Sequential,
  sequential,
  type ModelExtras,
  type SaveOptions,
  type SequentialOptions,
  type CompileOptions,
  type FitOptions,
  type History,
  type EvaluateResult,
} from './model.js';
export { dense, dropout, type DenseOptions, type DropoutOptions, type DenseConfig, type DropoutConfig, type LayerConfig } from './layers.js';
export { activationNames } from './activations.js';
export { lossNames } from './losses.js';
export {
  sgd,
  adam,
  adamw,
  rmsprop,
  type Optimizer,
  type OptimizerOptions,
  type SgdOptions,
  type AdamOptions,
  type AdamWOptions,
  type RmspropOptions,
} from './optimizers.js';
export { initializerNames, type InitializerName } from './initializers.js';
export { l2, type Regularizer } from './regularizers.js';
export {
  stepDecay,
  exponentialDecay,
  cosineDecay,
  type Schedule,
  type StepDecayOptions,
  type ExponentialDecayOptions,
  type CosineDecayOptions,
} from './schedules.js';
export {
  earlyStopping,
  reduceLROnPlateau,
  learningRateScheduler,
  type Callback,
  type Logs,
  type TrainingModel,
  type EarlyStoppingOptions,
  type ReduceLROnPlateauOptions,
} from './callbacks.js';
export { ready, availableBackends, registerBackend, type BackendChoice, type BackendProvider } from './backends/registry.js';
// What a backend implements (registerBackend): the engine interface and the plain-data specs it receives.
export {
  AbortError,
  type BackendName,
  type ActivationName,
  type LossName,
  type Backend,
  type BackendModel,
  type EngineOptions,
  type ModelSpec,
  type LayerSpec,
  type DenseLayerSpec,
  type DropoutLayerSpec,
  type OptimizerSpec,
  type TrainSpec,
  type EpochOptions,
  type EpochResult,
  type EvalResult,
} from './backends/backend.js';
export { NeuriteError } from './errors.js';
export * from './data/index.js';
export {
  serializeModel,
  deserializeModel,
  exportOnnx,
  fromTfjsLayersModel,
  encodeSafetensors,
  decodeSafetensors,
  FileFormatError,
  type LoadOptions,
  type LoadedModel,
  type OnnxExportOptions,
  type NamedTensor,
  type SafetensorsContents,
  type ModelDescription,
  type LayerDescription,
  type DenseDescription,
  type DropoutDescription,
  type CompileDescription,
} from './io/index.js';

import { modelFormats } from './model.js';
import { deserializeModel, serializeModel } from './io/model-file.js';
import { exportOnnx } from './io/onnx.js';
import type { LoadOptions } from './io/build.js';
import type { Sequential } from './model.js';

modelFormats.toOnnx = (model) => exportOnnx(model);
modelFormats.save = async (model, path, options) => {
  if (path !== undefined) throw new Error('save: writing to a path needs Node; in a browser call model.save() for the bytes');
  return serializeModel(model, options);
};

/** Load a model saved with `model.save()` from its bytes (any backend may load any backend's file). */
export async function loadModelFromBytes(bytes: Uint8Array | ArrayBuffer, options: LoadOptions = {}): Promise<Sequential> {
  const loaded = deserializeModel(bytes, options);
  loaded.model.extras = loaded.extras;
  return loaded.model;
}
