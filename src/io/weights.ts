import type { Sequential } from '../model.js';
import { readDescription, type LayerDescription } from './description.js';
import { checkValues, describeModel, MAX_ABS_PARAMETER, METADATA_KEY, transpose } from './model-file.js';
import { decodeSafetensors } from './safetensors.js';
import { OPTIMIZER_PREFIX, torchParameters } from './torch.js';
import { FileFormatError, parseJson, Where } from './untrusted.js';

/**
 * `model.loadWeights(file)`: weights from a safetensors file into a model that already exists. The file may be a
 * PyTorch state_dict (`save_file(net.state_dict(), path)` of the plain nn.Sequential with the same layers; F32,
 * F16, BF16 or F64) or one of neurite's own files (any version; its optimizer group is ignored).
 *
 * Tensors are matched to the dense layers in order: sorted by module path as nn.Sequential numbers its modules
 * ("2.weight" before "10.weight"), weight before bias, each must be named `*.weight` or `*.bias` and have
 * nn.Linear's shape ([out, in], [out]). Anything else is refused with both lists side by side.
 */

interface Held {
  name: string;
  shape: number[];
  dtype: string;
  data: Float32Array;
}

interface Expected {
  name: string;
  shape: number[];
  /** the state_dict leaf: weight, bias, running_mean, running_var */
  role: string;
  layer: number;
  /** kernels: neurite's [in, units], to transpose [out, in] into */
  kernel?: { inputs: number; units: number };
}

/** Longest list an error message spells out. */
const LIST_LIMIT = 12;

/** A module's tensors in getWeights order: Keras's gamma, beta, movingMean, movingVariance are these leaves. */
const LEAVES = ['weight', 'bias', 'running_mean', 'running_var'];

function leafRank(leaf: string): number {
  const rank = LEAVES.indexOf(leaf);
  return rank < 0 ? LEAVES.length : rank;
}

/** "layers.10" after "layers.2": digit runs compare as numbers, everything else as text. */
function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    // odd positions of a split on a capturing group are the digit runs
    if (i % 2 === 1) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function splitName(name: string): { module: string; leaf: string } {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? { module: '', leaf: name } : { module: name.slice(0, dot), leaf: name.slice(dot + 1) };
}

function moduleOrder(a: Held, b: Held): number {
  const x = splitName(a.name);
  const y = splitName(b.name);
  return naturalCompare(x.module, y.module) || leafRank(x.leaf) - leafRank(y.leaf) || naturalCompare(x.leaf, y.leaf);
}

function expectedParameters(model: Sequential): Expected[] {
  return torchParameters({ inputSize: model.inputSize, layers: describeModel(model).layers }).map((p) => ({
    name: p.name, shape: p.fileShape, role: p.leaf, layer: p.layer, kernel: p.kernel,
  }));
}

const shapeText = (s: number[]) => `[${s.join(', ')}]`;

function list(items: { name: string; shape: number[]; dtype?: string }[]): string {
  const shown = items.slice(0, LIST_LIMIT).map((t) => `${JSON.stringify(t.name.slice(0, 80))} ${shapeText(t.shape)}${t.dtype ? ` ${t.dtype}` : ''}`);
  if (items.length > LIST_LIMIT) shown.push(`… ${items.length - LIST_LIMIT} more`);
  return shown.length === 0 ? '(nothing)' : shown.join(', ');
}

/** Why the file's tensors do not fit the model's parameters, or undefined when they do. */
function mismatch(held: Held[], expected: Expected[]): string | undefined {
  const stranger = held.find((h) => !LEAVES.includes(splitName(h.name).leaf));
  if (stranger) return `tensor ${JSON.stringify(stranger.name)} is none of weight, bias, running_mean, running_var (nn.Linear, nn.BatchNorm1d and nn.LayerNorm hold only those)`;
  if (held.length !== expected.length) {
    return `the file holds ${held.length} tensor${held.length === 1 ? '' : 's'}, the model has ${expected.length} parameters`;
  }
  for (let k = 0; k < held.length; k++) {
    const h = held[k]!;
    const e = expected[k]!;
    const { module, leaf } = splitName(h.name);
    if (leaf !== e.role) return `tensor ${JSON.stringify(h.name)} stands where the model has a ${e.role} (${e.name}, layer ${e.layer})`;
    if (e.role !== 'weight' && k > 0 && expected[k - 1]!.layer === e.layer && splitName(held[k - 1]!.name).module !== module) {
      return `${e.role} ${JSON.stringify(h.name)} does not belong to the tensor before it (${JSON.stringify(held[k - 1]!.name)})`;
    }
    if (h.shape.length !== e.shape.length || h.shape.some((d, i) => d !== e.shape[i])) {
      return `tensor ${JSON.stringify(h.name)} has shape ${shapeText(h.shape)}, the model's ${e.name} (layer ${e.layer}) needs ${shapeText(e.shape)}${e.kernel ? ' ([out, in], as nn.Linear)' : ''}`;
    }
  }
  return undefined;
}

function layerText(l: LayerDescription): string {
  if (l.kind === 'dropout') return `dropout(${l.rate})`;
  if (l.kind === 'flatten') return 'flatten';
  if (l.kind === 'activation') return `activation(${l.activation})`;
  if (l.kind === 'batchNormalization') return `batchNormalization(momentum ${l.momentum}, epsilon ${l.epsilon}${l.center ? '' : ', no center'}${l.scale ? '' : ', no scale'})`;
  if (l.kind === 'layerNormalization') return `layerNormalization(epsilon ${l.epsilon}${l.center ? '' : ', no center'}${l.scale ? '' : ', no scale'})`;
  return `dense(${l.units}, ${l.activation}${l.activation === 'leakyRelu' ? ` ${l.alpha}` : ''}${l.useBias ? '' : ', no bias'})`;
}

/** A neurite file states its architecture: it must be this model's (shapes alone would miss a changed activation). */
function checkSameArchitecture(fileLayers: LayerDescription[], fileInputs: number, model: Sequential, at: Where): void {
  const mine = describeModel(model).layers;
  const a = `${fileInputs} → ${fileLayers.map(layerText).join(' → ')}`;
  const b = `${model.inputSize} → ${mine.map(layerText).join(' → ')}`;
  if (a !== b) at.error(`the file's model is ${a}; this model is ${b}`);
}

/** Parse, match and check everything, then set the weights (the model is untouched on any error). */
export function loadWeightsFromBytes(model: Sequential, bytes: Uint8Array | ArrayBuffer, source = 'loadWeights'): void {
  const data = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(data instanceof Uint8Array)) throw new FileFormatError(`loadWeights: source: expected a file path, a Uint8Array or an ArrayBuffer, got ${typeof bytes}`);
  const { metadata, tensors } = decodeSafetensors(data, source);
  const top = new Where(source);
  // BatchNorm1d's step counter is not a weight (and PyTorch's strict load does without it)
  let held: Held[] = [...tensors].map(([name, t]) => ({ name, ...t })).filter((t) => !t.name.endsWith('.num_batches_tracked'));
  const text = metadata[METADATA_KEY];
  if (text !== undefined) {
    const at = top.key('__metadata__').key(METADATA_KEY);
    const d = readDescription(parseJson(text, at), at);
    checkSameArchitecture(d.layers, d.inputSize, model, top);
    held = held.filter((t) => !t.name.startsWith(OPTIMIZER_PREFIX));
  }
  held.sort(moduleOrder);
  const expected = expectedParameters(model);
  const problem = mismatch(held, expected);
  if (problem) {
    top.error(`does not fit the model: ${problem}.\n  the file holds: ${list(held)}\n  the model expects: ${list(expected)}`);
  }
  const weights = held.map((h, k) => {
    checkValues(h.data, h.name, top, MAX_ABS_PARAMETER, false);
    const kernel = expected[k]!.kernel;
    return kernel ? transpose(h.data, kernel.units, kernel.inputs) : h.data;
  });
  model.setWeightArrays(weights);
}
