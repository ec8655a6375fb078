/**
 * Everything a user touches, for Node and browsers alike. The entry points (index.ts for Node, browser.ts)
 * add their backends and re-export this.
 */
export { Tensor, tensor, type TensorLike } from './tensor.js';
export { Sequential, sequential, modelFormats, type ModelExtras, type SaveOptions, type SequentialOptions, type CompileOptions, type FitOptions, type History, type EvaluateResult } from './model.js';
export type { Batch, BatchIterable, DatasetSource, FitDatasetOptions } from './fit-dataset.js';
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
