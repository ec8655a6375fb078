import type { ActivationName } from '../backends/backend.js';
import type { Sequential } from '../model.js';
import { fail, type OptionKeys } from '../errors.js';
import { buildModel, checkLoadOptions, loadOptionKeys, type LoadOptions } from './build.js';
import { DESCRIPTION_VERSION, MAX_LAYERS, type DenseDescription, type LayerDescription, type ModelDescription } from './description.js';
import { MAX_ABS_PARAMETER } from './model-file.js';
import { activationFormatRows } from './activation-formats.js';
import {
  asArray,
  asBoolean,
  asInt,
  asNumber,
  asObject,
  asString,
  field,
  isObject,
  parseJson,
  requireField,
  Where,
  type JsonObject,
} from './untrusted.js';

/**
 * Import of a TensorFlow.js layers model (model.json + weight shards), as written by `model.save()` in tfjs or
 * by `tensorflowjs_converter` from a Keras Sequential model. Browser-safe: the caller supplies the JSON and the
 * shards' bytes (concatenated in manifest order); node.ts reads them from disk.
 *
 * Supported: InputLayer, Dense, Dropout, and the activation-only layers Activation, ReLU, LeakyReLU and Softmax
 * when they follow a linear Dense layer (they fold into it). Kernels are [in, units] float32, as in neurite.
 */

export interface TfjsLoadOptions extends LoadOptions {
  /** seed of the imported model (its dropout masks and shuffles when trained on); default random */
  seed?: number;
}

export const tfjsLoadOptionKeys: OptionKeys<TfjsLoadOptions> = { ...loadOptionKeys, seed: true };

export interface TfjsImportOptions extends TfjsLoadOptions {
  /** names model.json in error messages (default 'model.json') */
  source?: string;
}

export const tfjsImportOptionKeys: OptionKeys<TfjsImportOptions> = { ...tfjsLoadOptionKeys, source: true };

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  /** byte length in the concatenated weight data */
  bytes: number;
  /** model weights are float32; optimizer weights (group 'optimizer') are skipped */
  skip: boolean;
}

export interface TfjsModelPlan {
  name: string;
  inputSize: number;
  /** the shape of one sample ([inputSize], or more dimensions before a Flatten) */
  inputShape: number[];
  layers: LayerDescription[];
  /** the Keras/tfjs name of each neurite layer, to find its weights */
  layerNames: string[];
  /** shard paths in manifest order (relative to model.json) */
  paths: string[];
  weights: TfjsWeightSpec[];
  /** what the concatenated shards must add up to */
  totalBytes: number;
}

const MAX_WEIGHTS = 1 << 16;
const MAX_SHARDS = 1 << 12;
/** A sanity bound for the weight data a manifest may announce: 16 GiB. */
const MAX_TOTAL_BYTES = 2 ** 34;
const SUPPORTED = 'InputLayer, Dense, Dropout, Activation, ReLU, LeakyReLU, Softmax, BatchNormalization, LayerNormalization, Flatten';

/** Keras/tfjs activation name → neurite activation, from the format table (activation-formats.ts). */
const ACTIVATIONS: Record<string, { activation: ActivationName; alpha?: number }> = Object.fromEntries(
  activationFormatRows.flatMap(([activation, row]) =>
    row.keras.map((n) => [n, row.kerasAlpha === undefined ? { activation } : { activation, alpha: row.kerasAlpha }]),
  ),
);

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Keras' LeakyReLU layer default slope. */
const KERAS_LEAKY_ALPHA = 0.3;

function readActivation(value: unknown, at: Where): { activation: ActivationName; alpha?: number } {
  // Keras 3 may serialise built-ins as {"module": "keras.activations", "class_name": "function", "config": "relu"}
  const name = isObject(value) ? field(value, 'config') : value;
  const key = asString(name ?? 'linear', at, 64);
  const known = Object.prototype.hasOwnProperty.call(ACTIVATIONS, key) ? ACTIVATIONS[key] : undefined;
  if (!known) at.error(`activation '${key}' is not supported (neurite has ${Object.keys(ACTIVATIONS).join(', ')})`);
  return known;
}

/**
 * The sample shape from batch_input_shape (Keras 2, tfjs), batch_shape (Keras 3) or input_shape: [n], or more
 * dimensions (an image) when a Flatten layer comes first.
 */
function readInputShape(config: JsonObject, at: Where): number[] | undefined {
  for (const key of ['batch_input_shape', 'batch_shape', 'batchInputShape']) {
    const v = field(config, key);
    if (v === undefined || v === null) continue;
    const shapeAt = at.key(key);
    const shape = asArray(v, shapeAt, 8);
    if (shape.length < 2 || shape[0] !== null) shapeAt.error(`expected [null, features] or [null, ...sample shape], got a shape of ${shape.length} dimensions`);
    return shape.slice(1).map((d, i) => asInt(d, shapeAt.index(i + 1), 1, 0x7fffffff));
  }
  const inputShape = field(config, 'input_shape');
  if (inputShape !== undefined && inputShape !== null) {
    const shapeAt = at.key('input_shape');
    const shape = asArray(inputShape, shapeAt, 8);
    if (shape.length < 1) shapeAt.error('expected [features] or a sample shape');
    return shape.map((d, i) => asInt(d, shapeAt.index(i), 1, 0x7fffffff));
  }
  return undefined;
}

/** A normalisation layer's axis must be the features' (-1, or 1 for [batch, features]). */
function checkFeatureAxis(cfg: JsonObject, at: Where): void {
  const raw = field(cfg, 'axis');
  const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (axis !== undefined && axis !== null && axis !== -1 && axis !== 1) at.key('axis').fail('-1 or 1 (normalisation over the features)', raw);
}

function readFlag(cfg: JsonObject, key: string, at: Where): boolean {
  const v = field(cfg, key);
  return v === undefined ? true : asBoolean(v, at.key(key));
}

function readL2(config: JsonObject, at: Where): number {
  const reg = field(config, 'kernel_regularizer');
  if (reg === undefined || reg === null) return 0;
  const o = asObject(reg, at.key('kernel_regularizer'));
  const inner = field(o, 'config');
  if (!isObject(inner)) return 0;
  const l2 = field(inner, 'l2');
  return l2 === undefined ? 0 : asNumber(l2, at.key('kernel_regularizer').key('config').key('l2'), 0, Number.MAX_VALUE, true);
}

/** Validate model.json and work out the network and where each weight lives. Allocates nothing big. */
export function planTfjsImport(modelJson: unknown, source = 'model.json'): TfjsModelPlan {
  const top: Where = new Where(source);
  const root = asObject(typeof modelJson === 'string' ? parseJson(modelJson, top) : modelJson, top);
  const format = field(root, 'format');
  if (format !== undefined && format !== 'layers-model') {
    top.key('format').error(`'${String(format).slice(0, 40)}' is not a layers model; neurite imports tfjs layers models (a graph model has no layer structure to map)`);
  }
  const topologyAt = top.key('modelTopology');
  let topology = asObject(requireField(root, 'modelTopology', top), topologyAt);
  let modelAt = topologyAt;
  const wrapped = field(topology, 'model_config');
  if (wrapped !== undefined) {
    modelAt = topologyAt.key('model_config');
    topology = asObject(wrapped, modelAt);
  }
  const className = field(topology, 'class_name');
  if (className !== 'Sequential') {
    modelAt.key('class_name').error(`${JSON.stringify(typeof className === 'string' ? className.slice(0, 40) : className ?? null)} models are not supported; neurite imports Sequential models`);
  }
  const config = requireField(topology, 'config', modelAt);
  let layersAt = modelAt.key('config');
  let rawLayers: unknown;
  if (Array.isArray(config)) rawLayers = config; // Keras ≤ 2.1 wrote the layer list directly
  else {
    rawLayers = requireField(asObject(config, layersAt), 'layers', layersAt);
    layersAt = layersAt.key('layers');
  }
  const list = asArray(rawLayers, layersAt, MAX_LAYERS);
  const configName = isObject(config) ? field(config, 'name') : undefined;
  const modelName = typeof configName === 'string' && configName.length > 0 && configName.length <= 256 ? configName : 'sequential';

  let inputShape: number[] | undefined;
  const layers: LayerDescription[] = [];
  const layerNames: string[] = [];
  const unsupported: string[] = [];
  /** the last dense layer, while an activation layer may still fold into it */
  let foldTarget: DenseDescription | undefined;
  // An activation right after a linear Dense layer folds into it (as before); anywhere else (after a
  // normalisation layer, say) it becomes an activation layer of its own.
  const fold = (_at: Where, name: string, activation: ActivationName, alpha?: number) => {
    if (!foldTarget || foldTarget.activation !== 'linear') {
      layers.push({ kind: 'activation', activation, alpha: alpha ?? KERAS_LEAKY_ALPHA, name });
      layerNames.push(name);
      foldTarget = undefined;
      return;
    }
    foldTarget.activation = activation;
    if (alpha !== undefined) foldTarget.alpha = alpha;
    foldTarget = undefined;
  };

  list.forEach((raw, i) => {
    const at = layersAt.index(i);
    const layer = asObject(raw, at);
    const kind = asString(requireField(layer, 'class_name', at), at.key('class_name'), 128);
    const cfgAt = at.key('config');
    const cfg = asObject(requireField(layer, 'config', at), cfgAt);
    const rawName = field(cfg, 'name');
    const name = rawName === undefined ? `${kind.toLowerCase()}_${i}` : asString(rawName, cfgAt.key('name'), 256);
    const shape = readInputShape(cfg, cfgAt);
    if (shape !== undefined) {
      if (layers.length > 0) cfgAt.error('an input shape on a layer that is not the first');
      if (inputShape !== undefined && inputShape.join() !== shape.join()) cfgAt.error(`input shape [null, ${shape.join(', ')}] disagrees with the InputLayer's [null, ${inputShape.join(', ')}]`);
      inputShape = shape;
    }
    switch (kind) {
      case 'InputLayer':
        if (i !== 0) at.error('InputLayer must be the first layer');
        if (shape === undefined) cfgAt.error('InputLayer without batch_input_shape / batch_shape');
        return;
      case 'Dense': {
        const act = readActivation(field(cfg, 'activation'), cfgAt.key('activation'));
        const useBias = field(cfg, 'use_bias');
        const d: DenseDescription = {
          kind: 'dense',
          units: asInt(requireField(cfg, 'units', cfgAt), cfgAt.key('units'), 1, 0x7fffffff),
          activation: act.activation,
          alpha: act.alpha ?? KERAS_LEAKY_ALPHA,
          useBias: useBias === undefined ? true : asBoolean(useBias, cfgAt.key('use_bias')),
          l2: readL2(cfg, cfgAt),
          kernelInitializer: 'glorotUniform',
          biasInitializer: 'zeros',
          name,
        };
        layers.push(d);
        layerNames.push(name);
        foldTarget = d;
        return;
      }
      case 'Dropout':
        layers.push({ kind: 'dropout', rate: asNumber(requireField(cfg, 'rate', cfgAt), cfgAt.key('rate'), 0, 1), name });
        layerNames.push(name);
        return; // dropout is the identity at inference, so an activation after it still folds into the dense before
      case 'Activation': {
        const act = readActivation(requireField(cfg, 'activation', cfgAt), cfgAt.key('activation'));
        fold(at, name, act.activation, act.alpha);
        return;
      }
      case 'Softmax': {
        // tf.layers.softmax() defaults to axis 1, Keras to -1: for [batch, units] data both mean the units
        const raw = field(cfg, 'axis');
        const axis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
        if (axis !== undefined && axis !== null && axis !== -1 && axis !== 1) cfgAt.key('axis').fail('-1 or 1 (softmax over the units)', raw);
        fold(at, name, 'softmax');
        return;
      }
      case 'LeakyReLU': {
        const slope = field(cfg, 'negative_slope') ?? field(cfg, 'alpha');
        const alpha = slope === undefined ? KERAS_LEAKY_ALPHA : asNumber(slope, cfgAt.key('alpha'), 0, 1, true);
        fold(at, name, 'leakyRelu', alpha);
        return;
      }
      case 'ReLU': {
        const maxValue = field(cfg, 'max_value');
        const threshold = field(cfg, 'threshold');
        if (maxValue !== undefined && maxValue !== null) cfgAt.key('max_value').error('a capped ReLU (max_value) is not supported');
        if (threshold !== undefined && threshold !== 0) cfgAt.key('threshold').error('a ReLU threshold other than 0 is not supported');
        const slope = field(cfg, 'negative_slope');
        const alpha = slope === undefined ? 0 : asNumber(slope, cfgAt.key('negative_slope'), 0, 1, true);
        if (alpha > 0) fold(at, name, 'leakyRelu', alpha);
        else fold(at, name, 'relu');
        return;
      }
      case 'BatchNormalization':
      case 'LayerNormalization': {
        checkFeatureAxis(cfg, cfgAt);
        const eps = field(cfg, 'epsilon');
        const epsilon = eps === undefined ? 1e-3 : asNumber(eps, cfgAt.key('epsilon'), 0, 1, true);
        if (!(epsilon > 0)) cfgAt.key('epsilon').fail('a number in (0, 1]', eps);
        const center = readFlag(cfg, 'center', cfgAt);
        const scale = readFlag(cfg, 'scale', cfgAt);
        if (kind === 'LayerNormalization') layers.push({ kind: 'layerNormalization', epsilon, center, scale, name });
        else {
          const m = field(cfg, 'momentum');
          const momentum = m === undefined ? 0.99 : asNumber(m, cfgAt.key('momentum'), 0, 1, true);
          layers.push({ kind: 'batchNormalization', momentum, epsilon, center, scale, name });
        }
        layerNames.push(name);
        foldTarget = undefined;
        return;
      }
      case 'Flatten':
        layers.push({ kind: 'flatten', name });
        layerNames.push(name);
        return;
      default:
        unsupported.push(`${kind.slice(0, 60)} ('${name.slice(0, 60)}')`);
    }
  });
  if (inputShape && inputShape.length > 1 && layers[0]?.kind !== 'flatten') {
    layersAt.error(`an input of shape [null, ${inputShape.join(', ')}] needs a Flatten layer first (neurite's layers take flat vectors)`);
  }
  const inputSize = inputShape?.reduce((a, b) => a * b, 1);
  if (unsupported.length > 0) {
    layersAt.error(`unsupported layer${unsupported.length > 1 ? 's' : ''} ${unsupported.slice(0, 8).join(', ')}${unsupported.length > 8 ? ', …' : ''}; neurite imports ${SUPPORTED}`);
  }
  if (inputSize === undefined || !inputShape) return layersAt.error('no input shape: expected an InputLayer or batch_input_shape on the first layer');
  if (!layers.some((l) => l.kind === 'dense')) layersAt.error('expected at least one Dense layer');
  layers.forEach((l, i) => {
    // as in nn.sequential: softmax belongs to the last layer (a dropout after it is refused too)
    if (l.kind === 'dense' && l.activation === 'softmax' && i !== layers.length - 1) layersAt.error(`softmax on '${layerNames[i]}', which is not the output layer`);
  });

  const { paths, weights, totalBytes } = readManifest(requireField(root, 'weightsManifest', top), top.key('weightsManifest'));
  return { name: modelName, inputSize, inputShape, layers, layerNames, paths, weights, totalBytes };
}

function readManifest(value: unknown, at: Where): { paths: string[]; weights: TfjsWeightSpec[]; totalBytes: number } {
  const groups = asArray(value, at, MAX_SHARDS);
  const paths: string[] = [];
  const weights: TfjsWeightSpec[] = [];
  let totalBytes = 0;
  groups.forEach((g, gi) => {
    const gAt = at.index(gi);
    const group = asObject(g, gAt);
    asArray(requireField(group, 'paths', gAt), gAt.key('paths'), MAX_SHARDS).forEach((p, pi) => {
      paths.push(asString(p, gAt.key('paths').index(pi), 1024));
      if (paths.length > MAX_SHARDS) gAt.key('paths').error(`more than ${MAX_SHARDS} weight files`);
    });
    asArray(requireField(group, 'weights', gAt), gAt.key('weights'), MAX_WEIGHTS).forEach((w, wi) => {
      const wAt = gAt.key('weights').index(wi);
      const spec = asObject(w, wAt);
      const name = asString(requireField(spec, 'name', wAt), wAt.key('name'), 1024);
      const shapeAt = wAt.key('shape');
      const shape = asArray(requireField(spec, 'shape', wAt), shapeAt, 8).map((d, i) => asInt(d, shapeAt.index(i), 0, 0x7fffffff));
      const dtype = field(spec, 'dtype') ?? 'float32';
      const skip = field(spec, 'group') === 'optimizer';
      if (field(spec, 'quantization') !== undefined) wAt.key('quantization').error('quantized weights are not supported (convert without --quantize_*)');
      if (dtype !== 'float32' && !(skip && dtype === 'int32')) wAt.key('dtype').fail("'float32'", dtype);
      let count = 1;
      for (const d of shape) {
        count *= d;
        if (count * 4 > MAX_TOTAL_BYTES) shapeAt.error(`shape [${shape.join(', ')}] is larger than any weight file neurite reads`);
      }
      const bytes = count * 4;
      totalBytes += bytes;
      if (totalBytes > MAX_TOTAL_BYTES) at.error('the manifest announces more than 16 GiB of weights');
      weights.push({ name, shape, bytes, skip });
      if (weights.length > MAX_WEIGHTS) at.error(`more than ${MAX_WEIGHTS} weights`);
    });
  });
  return { paths, weights, totalBytes };
}

/** Weight names may carry a ":0" suffix (TensorFlow variables) and a model-name prefix ("sequential/dense/kernel"). */
function weightMatches(weightName: string, layerName: string, kind: string): boolean {
  const n = weightName.endsWith(':0') ? weightName.slice(0, -2) : weightName;
  const suffix = `${layerName}/${kind}`;
  return n === suffix || n.endsWith(`/${suffix}`);
}

/**
 * The model from model.json (object or text) and its weight data: every shard's bytes in manifest order,
 * concatenated (or as a list of shards).
 */
export function fromTfjsLayersModel(
  modelJson: unknown,
  weightData: Uint8Array | ArrayBuffer | (Uint8Array | ArrayBuffer)[],
  options?: TfjsImportOptions,
): Sequential {
  const o = checkLoadOptions('nn.fromTfjsLayersModel options', options, tfjsImportOptionKeys);
  if (o.source !== undefined && typeof o.source !== 'string') fail('nn.fromTfjsLayersModel options.source', 'a string', o.source);
  const source = o.source ?? 'model.json';
  const plan = planTfjsImport(modelJson, source);
  const top = new Where(source);
  const shards = (Array.isArray(weightData) ? weightData : [weightData]).map((s, i) => {
    if (s instanceof ArrayBuffer) return new Uint8Array(s);
    if (s instanceof Uint8Array) return s;
    return top.error(`weight data ${i}: expected a Uint8Array or ArrayBuffer`);
  });
  const total = shards.reduce((n, s) => n + s.length, 0);
  if (total !== plan.totalBytes) {
    top.error(`the weight files hold ${total} bytes but weightsManifest describes ${plan.totalBytes} (missing, truncated or extra shard?)`);
  }

  // Where each weight starts in the concatenation.
  const starts: number[] = [];
  let offset = 0;
  for (const w of plan.weights) {
    starts.push(offset);
    offset += w.bytes;
  }
  const read = (index: number): Float32Array => {
    const spec = plan.weights[index]!;
    const out = new Float32Array(spec.bytes / 4);
    const bytes = new Uint8Array(out.buffer);
    let at = starts[index]!;
    let filled = 0;
    // a weight may straddle shard boundaries (tfjs splits shards at 4 MB regardless of weights)
    let base = 0;
    for (const shard of shards) {
      const end = base + shard.length;
      if (filled < bytes.length && at < end) {
        const from = at - base;
        const n = Math.min(shard.length - from, bytes.length - filled);
        bytes.set(shard.subarray(from, from + n), filled);
        filled += n;
        at += n;
      }
      base = end;
    }
    if (!littleEndianHost) {
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    }
    return out;
  };

  const modelWeights = plan.weights.map((w, i) => ({ w, i })).filter(({ w }) => !w.skip);
  const used = new Set<number>();
  const find = (layerName: string, kind: string): number | undefined => {
    const hits = modelWeights.filter(({ w }) => weightMatches(w.name, layerName, kind));
    if (hits.length > 1) top.key('weightsManifest').error(`${hits.length} weights match ${layerName}/${kind}`);
    return hits[0]?.i;
  };
  const wanted: { index: number | undefined; shape: number[]; label: string }[] = [];
  let width = plan.inputSize;
  const want = (name: string, kind: string, shape: number[]) => wanted.push({ index: find(name, kind), shape, label: `${name}/${kind}` });
  plan.layers.forEach((l, i) => {
    const name = plan.layerNames[i]!;
    if (l.kind === 'dense') {
      want(name, 'kernel', [width, l.units]);
      if (l.useBias) want(name, 'bias', [l.units]);
      width = l.units;
    } else if (l.kind === 'batchNormalization' || l.kind === 'layerNormalization') {
      // Keras's order, which is neurite's getWeights order
      if (l.scale) want(name, 'gamma', [width]);
      if (l.center) want(name, 'beta', [width]);
      if (l.kind === 'batchNormalization') {
        want(name, 'moving_mean', [width]);
        want(name, 'moving_variance', [width]);
      }
    }
  });
  // Files whose weight names follow no layer (hand-written, renamed) still import when they list exactly the
  // expected weights in order.
  if (wanted.some((x) => x.index === undefined)) {
    if (wanted.every((x) => x.index === undefined) && modelWeights.length === wanted.length) {
      wanted.forEach((x, k) => (x.index = modelWeights[k]!.i));
    } else {
      const missing = wanted.find((x) => x.index === undefined)!;
      top.key('weightsManifest').error(`no weight named ${missing.label}`);
    }
  }
  const arrays = wanted.map((x) => {
    const spec = plan.weights[x.index!]!;
    if (spec.shape.length !== x.shape.length || spec.shape.some((d, k) => d !== x.shape[k])) {
      top.key('weightsManifest').error(`weight ${spec.name} has shape [${spec.shape.join(', ')}], layer needs [${x.shape.join(', ')}] for ${x.label}`);
    }
    used.add(x.index!);
    const data = read(x.index!);
    for (let k = 0; k < data.length; k++) {
      const v = data[k]!;
      if (!(Math.abs(v) <= MAX_ABS_PARAMETER)) top.error(`weight ${spec.name} holds ${v} at index ${k}: values must be finite and within ±${MAX_ABS_PARAMETER}`);
    }
    return data;
  });
  const extra = modelWeights.find(({ i }) => !used.has(i));
  if (extra) top.key('weightsManifest').error(`weight ${extra.w.name} belongs to no Dense or normalisation layer`);

  const seed = o.seed ?? Math.floor(Math.random() * 0x100000000);
  const description: ModelDescription = { format: 'neurite', version: DESCRIPTION_VERSION, name: plan.name, inputSize: plan.inputSize, seed, layers: plan.layers };
  if (plan.inputShape.length > 1) description.inputShape = plan.inputShape;
  return buildModel(description, arrays, o);
}
