/** Model I/O that runs anywhere (bytes in, bytes out). File helpers for Node are in ./node.ts. */
export { serializeModel, deserializeModel, describeModel, MAX_ABS_PARAMETER, type SaveOptions, type LoadedModel } from './model-file.js';
export { type LoadOptions } from './build.js';
export {
  type ModelExtras,
  type ModelDescription,
  type LayerDescription,
  type DenseDescription,
  type DropoutDescription,
  type CompileDescription,
} from './description.js';
export { encodeSafetensors, decodeSafetensors, MAX_HEADER_BYTES, type NamedTensor, type SafetensorsContents } from './safetensors.js';
export { exportOnnx, type OnnxExportOptions } from './onnx.js';
export { fromTfjsLayersModel, type TfjsLoadOptions, type TfjsImportOptions } from './tfjs.js';
export { toTfjsLayersModel, type TfjsLayersFiles } from './tfjs-export.js';
export { fromOnnx, supportedOnnxOps, type OnnxImportOptions } from './onnx-import.js';
export { loadWeightsFromBytes } from './weights.js';
export { torchCode, torchModules } from './torch.js';
export { FileFormatError } from './untrusted.js';
