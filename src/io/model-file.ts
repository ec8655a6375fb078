import type { LossName } from '../backends/backend.js';
import { checkOptions, NeuriteError } from '../errors.js';
import type { Sequential } from '../model.js';
import { saveOptionKeys, type SaveOptions } from './save-options.js';
import { optimizerSpec } from '../optimizers.js';
import { buildModel, checkLoadOptions, loadOptionKeys, type LoadOptions } from './build.js';
import {
  DESCRIPTION_FORMAT,
  DESCRIPTION_VERSION,
  readDescription,
  readExtras,
  slotNames,
  SQUARED_SLOTS,
  type CompileDescription,
  type LayerDescription,
  type ModelDescription,
  type ModelExtras,
} from './description.js';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors.js';
import { OPTIMIZER_PREFIX, torchParameters, type TorchParameter } from './torch.js';
import { parseJson, Where } from './untrusted.js';

/**
 * A neurite model as one safetensors file that PyTorch reads directly:
 *
 *   {m}.weight  [out, in]   a dense layer's kernel, transposed from neurite's [in, out] (nn.Linear's layout)
 *   {m}.bias    [out]
 *   {m}.weight, {m}.bias, {m}.running_mean, {m}.running_var   [units]: batch normalisation's gamma, beta and
 *               moving statistics (BatchNorm1d's names); layer normalisation's gamma and beta (LayerNorm's)
 *   optimizer.{m}.weight.{slot}, optimizer.{m}.bias.{slot}   only with includeOptimizer: optimizer state, same
 *               layout, for the trainable tensors only (the moving statistics have none)
 *   __metadata__: { format: "pt", neurite: JSON of ModelDescription }
 *
 * m is the layer's position in the plain torch.nn.Sequential a user would write (io/torch.ts): Linear, then its
 * activation module unless linear, Dropout for dropout. So without the optimizer group the file is exactly that
 * Sequential's state_dict, and `load_state_dict(load_file(path), strict=True)` works; the optimizer group is
 * one prefix to drop. Version 1 files named the tensors layers.{i}.weight (i counting neurite's layers); they
 * still load.
 */

/** One definition, with its key list, in model.ts (model.save takes them); re-exported for the io entry. */
export type { SaveOptions };

export interface LoadedModel {
  model: Sequential;
  /** class names and standardisation statistics saved with the model ({} when none) */
  extras: ModelExtras;
  /** the validated description from the file (architecture, compile settings, seed) */
  description: ModelDescription;
}

export const METADATA_KEY = 'neurite';

/**
 * Parameters larger than this are treated as corruption. Trained float32 networks stay many orders of
 * magnitude below it; a flipped exponent bit lands near 1e38. The bound also keeps a loaded two-layer model's
 * outputs finite for inputs of ordinary size.
 */
export const MAX_ABS_PARAMETER = 1e15;

type Parameter = TorchParameter;

/** The model's parameters in getWeights order, with their file names (by format version) and shapes. */
function parametersOf(d: Pick<ModelDescription, 'inputSize' | 'layers' | 'version'>): Parameter[] {
  const params = torchParameters(d);
  if (d.version !== 1) return params;
  // version 1 files knew only dense and dropout layers, named layers.{i}.weight / .bias
  return params.map((p) => ({ ...p, name: `layers.${p.layer}.${p.leaf}` }));
}

/** [rows, cols] row-major → [cols, rows] row-major. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  }
  return out;
}

function toFileLayout(p: Parameter, neuriteData: Float32Array): Float32Array {
  return p.kernel ? transpose(neuriteData, p.kernel.inputs, p.kernel.units) : neuriteData;
}

function fromFileLayout(p: Parameter, fileData: Float32Array): Float32Array {
  return p.kernel ? transpose(fileData, p.kernel.units, p.kernel.inputs) : fileData;
}

/** The description of a live model (what a file states about it). */
export function describeModel(model: Sequential, extras: ModelExtras = {}): ModelDescription {
  const layers: LayerDescription[] = model.resolvedLayers.map(({ config }) => {
    const name = config.name === undefined ? {} : { name: config.name };
    switch (config.kind) {
      case 'dropout':
        return { kind: 'dropout', rate: config.rate, ...name };
      case 'flatten':
        return { kind: 'flatten', ...name };
      case 'activation':
        return { kind: 'activation', activation: config.activation, alpha: config.alpha, ...name };
      case 'batchNormalization':
        return { kind: 'batchNormalization', momentum: config.momentum, epsilon: config.epsilon, center: config.center, scale: config.scale, ...name };
      case 'layerNormalization':
        return { kind: 'layerNormalization', epsilon: config.epsilon, center: config.center, scale: config.scale, ...name };
      case 'dense':
        return {
          kind: 'dense',
          units: config.units,
          activation: config.activation,
          alpha: config.alpha,
          useBias: config.useBias,
          l2: config.kernelRegularizer?.l2 ?? 0,
          kernelInitializer: config.kernelInitializer,
          biasInitializer: config.biasInitializer,
          ...name,
        };
    }
  });
  const d: ModelDescription = {
    format: DESCRIPTION_FORMAT,
    version: DESCRIPTION_VERSION,
    name: model.name,
    inputSize: model.inputSize,
    seed: model.seed,
    layers,
  };
  if (model.inputShape.length > 1) d.inputShape = [...model.inputShape];
  const compiled = model.compileConfig;
  if (compiled) {
    d.compile = {
      loss: compiled.loss,
      optimizer: optimizerSpec(compiled.optimizer),
      learningRate: model.getLearningRate(),
      metrics: compiled.metrics.length ? compiled.metrics : defaultMetrics(compiled.loss),
      ...(compiled.loss === 'huber' && compiled.delta !== 1 ? { delta: compiled.delta } : {}),
    };
  }
  if (Object.keys(extras).length > 0) d.extras = extras;
  return d;
}

/** Until the model reports its metrics, classification models are assumed to track accuracy (as the CLI does). */
function defaultMetrics(loss: LossName): CompileDescription['metrics'] {
  return loss === 'meanSquaredError' || loss === 'meanAbsoluteError' || loss === 'huber' ? [] : ['accuracy'];
}

/** The model (weights, architecture, compile settings, extras; optimizer state on request) as safetensors bytes. */
export function serializeModel(model: Sequential, options?: SaveOptions): Uint8Array {
  const { includeOptimizer = false, ...rawExtras } = checkOptions('save options', options, saveOptionKeys);
  if (typeof includeOptimizer !== 'boolean') throw new NeuriteError(`includeOptimizer: expected a boolean, got ${String(includeOptimizer)}`);
  // The same checks a loader applies, so a file that saves also loads.
  const cleaned = Object.fromEntries(Object.entries(rawExtras).filter(([, v]) => v !== undefined));
  const extras = readExtras(cleaned, new Where('save options'), model.inputSize, model.outputSize);
  const description = describeModel(model, extras);
  const params = parametersOf(description);
  const weights = model.getWeightArrays();
  if (weights.length !== params.length) throw new Error(`serializeModel: the backend returned ${weights.length} weight arrays, expected ${params.length}`);
  // A file the loader would refuse is better refused now, while the user still has the model in hand.
  const tensors: NamedTensor[] = params.map((p, i) => ({ name: p.name, shape: p.fileShape, data: toFileLayout(p, weights[i]!) }));
  for (const t of tensors) checkValues(t.data, t.name, new Where('serializeModel'), MAX_ABS_PARAMETER, false);

  if (includeOptimizer) {
    if (!description.compile) throw new NeuriteError('includeOptimizer: the model has no optimizer state (call model.compile first)');
    const state = model.getOptimizerState();
    const slots = slotNames(description.compile.optimizer);
    const trained = params.filter((p) => p.trainable);
    if (state.slots.length !== trained.length * slots.length) {
      throw new Error(`serializeModel: the backend returned ${state.slots.length} optimizer slots, expected ${trained.length * slots.length}`);
    }
    trained.forEach((p, i) => {
      slots.forEach((slot, j) => {
        tensors.push({ name: `${OPTIMIZER_PREFIX}${p.name}.${slot}`, shape: p.fileShape, data: toFileLayout(p, state.slots[i * slots.length + j]!) });
      });
    });
    description.optimizerState = { step: state.step };
  }
  return encodeSafetensors(tensors, { format: 'pt', [METADATA_KEY]: JSON.stringify(description) });
}

/**
 * A model from safetensors bytes written by serializeModel (or by anything that writes the same names and
 * metadata, such as scripts/torch-golden.py). Every check runs before the model is built; any problem is an
 * Error whose message names the file part at fault.
 */
export function deserializeModel(bytes: Uint8Array | ArrayBuffer, options?: LoadOptions, source = 'safetensors'): LoadedModel {
  const o = checkLoadOptions('load options', options, loadOptionKeys);
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  const { metadata, tensors } = decodeSafetensors(data, source);
  const top = new Where(source);
  const metaAt = top.key('__metadata__').key(METADATA_KEY);
  const text = metadata[METADATA_KEY];
  if (text === undefined) {
    top.error(
      `no "${METADATA_KEY}" entry in __metadata__: the file holds tensors but no neurite architecture. For a PyTorch state_dict, ` +
        'build the same network with nn.sequential and call model.loadWeights(file)',
    );
  }
  const description = readDescription(parseJson(text, metaAt), metaAt);
  const params = parametersOf(description);

  const expected = new Set<string>();
  const take = (name: string, shape: number[], why: string): Float32Array => {
    expected.add(name);
    const t = tensors.get(name);
    if (!t) return top.error(`missing tensor ${name} (${why})`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      top.error(`tensor ${name} has shape [${t.shape.join(', ')}], the architecture needs [${shape.join(', ')}] (${why})`);
    }
    return t.data;
  };

  const weights = params.map((p) => {
    const fileData = take(p.name, p.fileShape, p.kernel ? 'kernel stored [out, in] as nn.Linear' : `${p.leaf} [${p.fileShape[0]}]`);
    if (p.leaf === 'running_var') checkValues(fileData, p.name, top, MAX_ABS_PARAMETER, true);
    checkValues(fileData, p.name, top, MAX_ABS_PARAMETER, false);
    return fromFileLayout(p, fileData);
  });

  let optimizerState: { step: number; slots: Float32Array[] } | undefined;
  if (description.optimizerState && description.compile) {
    const slots = slotNames(description.compile.optimizer);
    const arrays: Float32Array[] = [];
    for (const p of params.filter((q) => q.trainable)) {
      for (const slot of slots) {
        const name = `${OPTIMIZER_PREFIX}${p.name}.${slot}`;
        const fileData = take(name, p.fileShape, `${description.compile.optimizer.kind} state of ${p.name}`);
        checkValues(fileData, name, top, Number.MAX_VALUE, SQUARED_SLOTS.includes(slot));
        arrays.push(fromFileLayout(p, fileData));
      }
    }
    optimizerState = { step: description.optimizerState.step, slots: arrays };
  }

  const unexpected = [...tensors.keys()].filter((n) => !expected.has(n));
  if (unexpected.length > 0) {
    const list = unexpected.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 80))).join(', ');
    top.error(`unexpected tensor${unexpected.length > 1 ? 's' : ''} ${list}${unexpected.length > 5 ? ` and ${unexpected.length - 5} more` : ''} not in the architecture`);
  }

  const model = buildModel(description, weights, o, o.compile === false ? undefined : optimizerState);
  return { model, extras: description.extras ?? {}, description };
}

export function checkValues(data: Float32Array, name: string, at: Where, maxAbs: number, nonNegative: boolean): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(Math.abs(v) <= maxAbs)) {
      at.error(`tensor ${name} holds ${v} at index ${i}: ${Number.isFinite(v) ? `beyond ±${maxAbs}, a sign of corruption` : 'values must be finite'}`);
    }
    if (nonNegative && v < 0) at.error(`tensor ${name} holds ${v} at index ${i}: a running mean of squares cannot be negative`);
  }
}

