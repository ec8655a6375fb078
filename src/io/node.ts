import { mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ready } from '../backends/registry.js';
import { fileErrorReason } from '../errors.js';
import type { Sequential } from '../model.js';
import { checkLoadOptions, loadOptionKeys, type LoadOptions } from './build.js';
import { deserializeModel, serializeModel, type LoadedModel, type SaveOptions } from './model-file.js';
import { checkOnnxExportOptions, exportOnnx, type OnnxExportOptions } from './onnx.js';
import { checkOnnxImportOptions, fromOnnx, type OnnxImportOptions } from './onnx-import.js';
import { fromTfjsLayersModel, planTfjsImport, tfjsLoadOptionKeys, type TfjsLoadOptions } from './tfjs.js';
import { toTfjsLayersModel, TFJS_WEIGHTS_FILE } from './tfjs-export.js';
import { loadWeightsFromBytes } from './weights.js';
import { FileFormatError, parseJson, Where, decodeUtf8 } from './untrusted.js';

/** File-system helpers around the browser-safe codecs (Node only). */

/** Node's largest Buffer; also far beyond any model file neurite writes. */
const MAX_MODEL_FILE_BYTES = 2 ** 32 - 1;
const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;

/**
 * Read a regular file whole, refusing anything else: a FIFO or /dev/zero would block or never end, and a
 * file larger than `limit` is not one of ours.
 */
async function readRegularFile(path: string, what: string, limit: number): Promise<Uint8Array> {
  if (typeof path !== 'string' || path === '') throw new FileFormatError(`${what}: expected a file path, got ${String(path)}`);
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new Error(`${what}: cannot read ${path}: ${fileErrorReason(err)}`, { cause: err });
  }
  if (!info.isFile()) throw new FileFormatError(`${what}: ${path} is not a regular file`);
  if (info.size > limit) throw new FileFormatError(`${what}: ${path} has ${info.size} bytes, more than the ${limit}-byte limit`);
  // Read exactly the size stat reported: a file that grows meanwhile cannot make us allocate more.
  const handle = await open(path, 'r');
  try {
    const out = new Uint8Array(info.size);
    let filled = 0;
    while (filled < out.length) {
      const { bytesRead } = await handle.read(out, filled, out.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled !== out.length) throw new FileFormatError(`${what}: ${path} shrank while being read (${filled} of ${out.length} bytes)`);
    return out;
  } finally {
    await handle.close();
  }
}

/** Write via a temporary file and rename, so a crash never leaves a half-written model under `path`. */
async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (err) {
    await unlink(temporary).catch(() => {});
    throw err;
  }
}

async function prepareBackend(options: Partial<LoadOptions>): Promise<void> {
  if (options.backend === 'wasm') await ready('wasm');
}

/** Save weights, architecture, compile settings and extras as one .safetensors file. */
export async function saveModel(model: Sequential, path: string, options: SaveOptions = {}): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new FileFormatError(`saveModel: path: expected a file path, got ${String(path)}`);
  await writeAtomically(path, serializeModel(model, options));
}

/** Load a model saved by saveModel/serializeModel from a path or from the file's bytes. */
export async function loadModel(source: string | Uint8Array | ArrayBuffer, options?: LoadOptions): Promise<LoadedModel> {
  await prepareBackend(checkLoadOptions('nn.loadModel options', options, loadOptionKeys));
  if (typeof source === 'string') {
    const bytes = await readRegularFile(source, 'loadModel', MAX_MODEL_FILE_BYTES);
    return deserializeModel(bytes, options, source);
  }
  return deserializeModel(source, options);
}

/** Write the model as an ONNX file (opset 13). */
export async function saveOnnx(model: Sequential, path: string, options?: OnnxExportOptions): Promise<void> {
  checkOnnxExportOptions(model, options); // before the path: a typo in the options is the error worth seeing
  if (typeof path !== 'string' || path === '') throw new FileFormatError(`saveOnnx: path: expected a file path, got ${String(path)}`);
  await writeAtomically(path, exportOnnx(model, options));
}

/**
 * A weight path from a manifest must stay inside the model's folder: a hostile model.json must not make us
 * read /etc/passwd or ../../secrets into a model.
 */
function shardPath(folder: string, p: string, at: Where): string {
  if (p === '' || p.includes('\0') || isAbsolute(p) || p.includes('\\') || p.split('/').some((s) => s === '..')) {
    at.error(`weight path ${JSON.stringify(p.slice(0, 80))} must be a relative path inside the model's folder`);
  }
  return resolve(folder, p);
}

/** Import a TensorFlow.js layers model: model.json and the weight files it lists, next to it. */
export async function loadTfjsLayersModel(modelJsonPath: string, options?: TfjsLoadOptions): Promise<Sequential> {
  await prepareBackend(checkLoadOptions('nn.loadTfjsLayersModel options', options, tfjsLoadOptionKeys));
  const at = new Where(modelJsonPath);
  const text = decodeUtf8(await readRegularFile(modelJsonPath, 'loadTfjsLayersModel', MAX_MODEL_JSON_BYTES), at);
  const json = parseJson(text, at);
  const plan = planTfjsImport(json, modelJsonPath);
  const folder = dirname(resolve(modelJsonPath));
  const files = plan.paths.map((p) => shardPath(folder, p, at.key('weightsManifest')));
  // Sizes first: the manifest says how many bytes there must be, and nothing is read unless they add up.
  let total = 0;
  for (const f of files) {
    const info = await stat(f).catch((err: Error) => at.error(`weight file ${f}: ${fileErrorReason(err)}`));
    if (!info.isFile()) at.error(`weight file ${f} is not a regular file`);
    total += info.size;
  }
  if (total !== plan.totalBytes) at.error(`the weight files hold ${total} bytes but weightsManifest describes ${plan.totalBytes}`);
  const shards: Uint8Array[] = [];
  for (const f of files) shards.push(await readRegularFile(f, 'loadTfjsLayersModel', plan.totalBytes));
  return fromTfjsLayersModel(json, shards, { ...options, source: modelJsonPath });
}

/** Import an ONNX MLP graph (a path or the file's bytes) as a Sequential. */
export async function loadOnnx(source: string | Uint8Array | ArrayBuffer, options: OnnxImportOptions = {}): Promise<Sequential> {
  checkOnnxImportOptions(options);
  await prepareBackend(options);
  if (typeof source === 'string') return fromOnnx(await readRegularFile(source, 'loadOnnx', MAX_MODEL_FILE_BYTES), options, source);
  return fromOnnx(source, options);
}

/** model.loadWeights(path or bytes) in Node. */
export async function loadWeights(model: Sequential, source: string | Uint8Array | ArrayBuffer): Promise<void> {
  if (typeof source === 'string') return loadWeightsFromBytes(model, await readRegularFile(source, 'loadWeights', MAX_MODEL_FILE_BYTES), source);
  return loadWeightsFromBytes(model, source);
}

/** Write dir/model.json and dir/weights.bin (the folder is created if needed). */
export async function saveTfjsLayersModel(model: Sequential, dir: string): Promise<void> {
  if (typeof dir !== 'string' || dir === '') throw new FileFormatError(`exportTfjsLayersModel: dir: expected a folder path, got ${String(dir)}`);
  const files = toTfjsLayersModel(model);
  await mkdir(dir, { recursive: true });
  await writeAtomically(join(dir, TFJS_WEIGHTS_FILE), files.weights);
  await writeAtomically(join(dir, 'model.json'), new TextEncoder().encode(files.modelJson));
}
