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
  type EvaluateOptions,
  type History,
  type EvaluateResult,
  type TrainOnBatchOptions,
  type PredictOptions,
} from './model.js';
export { metricNames, confusionMatrix, type MetricName } from './metrics.js';
export type { ClassWeight } from './sample-weights.js';
export type { Batch, BatchIterable, DatasetSource, FitDatasetOptions } from './fit-dataset.js';
export {
  activation, batchNormalization, dense, dropout, flatten, layerNormalization, type ActivationOptions,
  type BatchNormalizationOptions, type DenseOptions, type DropoutOptions, type DenseConfig, type DropoutConfig,
  type FlattenOptions, type LayerConfig, type LayerNormalizationOptions,
} from './layers.js';
export { activationNames } from './activations.js';
export { lossNames, huber, type LossConfig, type HuberOptions } from './losses.js';
export {
  sgd, adam, adamw, rmsprop, nadam, adagrad, type Optimizer, type CommonOptimizerOptions, type SgdOptions, type AdamOptions,
  type AdamWOptions, type RmspropOptions, type NadamOptions, type AdagradOptions,
} from './optimizers.js';
export { initializerNames, type InitializerName } from './initializers.js';
export { l2, type Regularizer } from './regularizers.js';
export {
  stepDecay, exponentialDecay, cosineDecay, piecewiseConstant, type Schedule, type StepSchedule, type StepDecayOptions,
  type ExponentialDecayOptions, type CosineDecayOptions, type CosineDecayStepOptions, type ExponentialDecayStepOptions,
} from './schedules.js';
export {
  earlyStopping,
  reduceLROnPlateau,
  learningRateScheduler,
  modelCheckpoint,
  csvLogger,
  terminateOnNaN,
  type ModelCheckpointOptions,
  type CsvLoggerOptions,
  type CheckpointTarget,
  type Callback,
  type Logs,
  type TrainingModel,
  type EarlyStoppingOptions,
  type ReduceLROnPlateauOptions,
} from './callbacks.js';
export { ready, availableBackends, registerBackend, type BackendChoice, type BackendProvider } from './backends/registry.js';
export { wasmInfo, type WasmInfo } from './backends/wasm.js';
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
  type OptimizerState,
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
  supportedOnnxOps,
  type LoadOptions,
  type LoadedModel,
  type OnnxExportOptions,
  type TfjsLoadOptions,
  type TfjsImportOptions,
  type OnnxImportOptions,
  type TfjsLayersFiles,
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
import { fromOnnx, type OnnxImportOptions } from './io/onnx-import.js';
import { toTfjsLayersModel, type TfjsLayersFiles } from './io/tfjs-export.js';
import { loadWeightsFromBytes } from './io/weights.js';
import { NeuriteError } from './errors.js';

modelFormats.toOnnx = (model) => exportOnnx(model);
modelFormats.loadWeights = async (model, source) => {
  if (typeof source === 'string') throw new NeuriteError('loadWeights: reading a path needs Node; in a browser pass the file\'s bytes (Uint8Array or ArrayBuffer)');
  loadWeightsFromBytes(model, source);
};
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

/** An ONNX MLP graph (the file's bytes) as a Sequential; in Node `nn.loadOnnx` also takes a path. */
export async function loadOnnx(source: Uint8Array | ArrayBuffer, options: OnnxImportOptions = {}): Promise<Sequential> {
  if (typeof source === 'string') throw new NeuriteError('loadOnnx: reading a path needs Node; in a browser pass the file\'s bytes (Uint8Array or ArrayBuffer)');
  return fromOnnx(source, options);
}

/** The model in the TensorFlow.js layers format: the text of model.json and the bytes of weights.bin. */
export function exportTfjsLayersModel(model: Sequential): TfjsLayersFiles {
  if (arguments.length > 1) throw new NeuriteError('exportTfjsLayersModel: writing to a folder needs Node; in a browser call exportTfjsLayersModel(model) for the files\' contents');
  return toTfjsLayersModel(model);
}
