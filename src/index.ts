/** The Node entry: the whole API plus the Node-only data loaders; registers the native and WASM engines. */
import { registerBackend } from './backends/registry.js';
import { nativeProvider } from './backends/native.js';
import { wasmProvider } from './backends/wasm.js';

registerBackend(nativeProvider);
registerBackend(wasmProvider);

export * from './api.js';
export { nativeInfo, type NativeInfo } from './backends/native.js';
export * from './data/node.js';
export { loadTfjsLayersModel } from './io/node.js';

import { modelFormats, type Sequential } from './model.js';
import { loadModel as loadModelFile, saveModel } from './io/node.js';
import { serializeModel } from './io/model-file.js';
import type { LoadOptions } from './io/build.js';

modelFormats.save = async (model, path, options) => (path === undefined ? serializeModel(model, options) : saveModel(model, path, options));

/** Load a model saved with `model.save(path)` (a path or the bytes); class names etc. land on `model.extras`. */
export async function loadModel(source: string | Uint8Array | ArrayBuffer, options: LoadOptions = {}): Promise<Sequential> {
  const loaded = await loadModelFile(source, options);
  loaded.model.extras = loaded.extras;
  return loaded.model;
}

import { exportOnnx as exportOnnxBytes, type OnnxExportOptions } from './io/onnx.js';
import { saveOnnx } from './io/node.js';

/** `nn.exportOnnx(model, path)` writes an ONNX file; without a path it returns the bytes (as `model.toOnnx()`). */
export function exportOnnx(model: Sequential, path: string, options?: OnnxExportOptions): Promise<void>;
export function exportOnnx(model: Sequential, options?: OnnxExportOptions): Uint8Array;
export function exportOnnx(model: Sequential, pathOrOptions?: string | OnnxExportOptions, options?: OnnxExportOptions): Promise<void> | Uint8Array {
  return typeof pathOrOptions === 'string' ? saveOnnx(model, pathOrOptions, options) : exportOnnxBytes(model, pathOrOptions);
}
