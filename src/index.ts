/** The Node entry: the whole API plus the Node-only data loaders; registers the native and WASM engines. */
import { registerBackend } from './backends/registry.js';
import { nativeProvider } from './backends/native.js';
import { wasmProvider } from './backends/wasm.js';

registerBackend(nativeProvider);
registerBackend(wasmProvider);

export * from './api.js';
export { nativeInfo, type NativeInfo } from './backends/native.js';
export * from './data/node.js';
export { loadTfjsLayersModel, loadOnnx } from './io/node.js';

import { modelFormats, type Sequential } from './model.js';
import { loadModel as loadModelFile, loadWeights as loadWeightsFile, saveModel } from './io/node.js';
import { serializeModel } from './io/model-file.js';
import type { LoadOptions } from './io/build.js';

modelFormats.save = async (model, path, options) => (path === undefined ? serializeModel(model, options) : saveModel(model, path, options));
modelFormats.loadWeights = (model, source) => loadWeightsFile(model, source);

import { appendFile, stat, writeFile } from 'node:fs/promises';
import { callbackFiles } from './callbacks.js';

callbackFiles.write = (path, data) => writeFile(path, data);
callbackFiles.append = (path, text) => appendFile(path, text);
callbackFiles.hasContent = (path) => stat(path).then((s) => s.size > 0, () => false);

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

import { toTfjsLayersModel, type TfjsLayersFiles } from './io/tfjs-export.js';
import { saveTfjsLayersModel } from './io/node.js';

/**
 * `nn.exportTfjsLayersModel(model, dir)` writes dir/model.json and dir/weights.bin for `tf.loadLayersModel`;
 * without a folder it returns the two files' contents (as in a browser).
 */
export function exportTfjsLayersModel(model: Sequential, dir: string): Promise<void>;
export function exportTfjsLayersModel(model: Sequential): TfjsLayersFiles;
export function exportTfjsLayersModel(model: Sequential, dir?: string): Promise<void> | TfjsLayersFiles {
  return dir === undefined ? toTfjsLayersModel(model) : saveTfjsLayersModel(model, dir);
}
