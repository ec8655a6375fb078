import type { ActivationName, LossName, OptimizerSpec, StepScheduleSpec } from '../backends/backend.js';
import { stepScheduleFromSpec } from '../schedules.js';
import type { OptionKeys } from '../errors.js';
import { activationNames } from '../activations.js';
import { initializerNames, type InitializerName } from '../initializers.js';
import { lossNames } from '../losses.js';
import { metricNames, type MetricName } from '../metrics.js';
import {
  asArray,
  asBoolean,
  asInt,
  asNumber,
  asObject,
  asOneOf,
  asString,
  field,
  requireField,
  type JsonObject,
  type Where,
} from './untrusted.js';

/**
 * What a saved model says about itself besides its tensors: architecture, training settings, seed and the
 * user's extras. It travels as one JSON string (safetensors metadata is a string→string map). Everything here is
 * plain data; reading it back validates every field before a model is built from it.
 */

export const DESCRIPTION_FORMAT = 'neurite';
/**
 * 2: tensors named as a plain torch.nn.Sequential names them (`{module}.weight`, io/torch.ts).
 * 1: tensors named `layers.{i}.weight`, i counting neurite's layers; still read.
 */
export const DESCRIPTION_VERSION = 2;

/** Feed-forward networks deeper than this are not something a file should be able to ask for. */
export const MAX_LAYERS = 4096;
/** Sizes are bounded by the tensors a file carries; this only keeps arithmetic on them exact. */
const MAX_SIZE = 0x7fffffff;
const MAX_CLASSES = 1 << 20;

export interface DenseDescription {
  kind: 'dense';
  units: number;
  activation: ActivationName;
  alpha: number;
  useBias: boolean;
  l2: number;
  kernelInitializer: InitializerName;
  biasInitializer: InitializerName;
  name?: string;
}

export interface DropoutDescription {
  kind: 'dropout';
  rate: number;
  name?: string;
}

export interface BatchNormalizationDescription {
  kind: 'batchNormalization';
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  name?: string;
}

export interface LayerNormalizationDescription {
  kind: 'layerNormalization';
  epsilon: number;
  center: boolean;
  scale: boolean;
  name?: string;
}

export interface ActivationDescription {
  kind: 'activation';
  activation: ActivationName;
  alpha: number;
  name?: string;
}

export interface FlattenDescription {
  kind: 'flatten';
  name?: string;
}

export type LayerDescription =
  | DenseDescription | DropoutDescription | BatchNormalizationDescription | LayerNormalizationDescription
  | ActivationDescription | FlattenDescription;

/**
 * The activation of the model's output: that of the last dense or activation layer when only dropout or flatten
 * (identities at inference) follow it, else linear.
 */
export function outputActivationOf(layers: LayerDescription[]): ActivationName {
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i]!;
    if (l.kind === 'dense' || l.kind === 'activation') return l.activation;
    if (l.kind !== 'dropout' && l.kind !== 'flatten') return 'linear';
  }
  return 'linear';
}

/** What a saved model carries for the code that uses it (the CLI's predict applies both). */
export interface ModelExtras {
  /** one name per output unit (two for a single sigmoid unit: [negative, positive]) */
  classNames?: string[];
  /** per-input-feature statistics the model was trained on: x' = (x - mean) / std */
  standardization?: { mean: number[]; std: number[] };
}

export const modelExtrasKeys: OptionKeys<ModelExtras> = { classNames: true, standardization: true };

export interface CompileDescription {
  loss: LossName;
  optimizer: OptimizerSpec;
  /** the learning rate when saved (a schedule or ReduceLROnPlateau may have moved it from optimizer.learningRate) */
  learningRate: number;
  metrics: MetricName[];
  /** huber's delta, when it is not 1 */
  delta?: number;
}

export interface ModelDescription {
  format: typeof DESCRIPTION_FORMAT;
  /** the file's format version (it decides the tensor names); DESCRIPTION_VERSION when writing */
  version: number;
  name: string;
  inputSize: number;
  /** the shape of one sample when it is not flat ([28, 28] before a flatten layer); absent means [inputSize] */
  inputShape?: number[];
  seed: number;
  layers: LayerDescription[];
  compile?: CompileDescription;
  /** present when the file carries optimizer slot tensors */
  optimizerState?: { step: number };
  extras?: ModelExtras;
}

export function outputSizeOf(d: Pick<ModelDescription, 'inputSize' | 'layers'>): number {
  let width = d.inputSize;
  for (const l of d.layers) if (l.kind === 'dense') width = l.units;
  return width;
}

/** Optimizer state slots per parameter, in the backend's order (backend.ts contract). */
export function slotNames(optimizer: OptimizerSpec): string[] {
  switch (optimizer.kind) {
    case 'sgd':
      return optimizer.momentum > 0 ? ['velocity'] : [];
    case 'adam':
    case 'adamw':
      return ['m', 'v'];
    case 'rmsprop':
      return optimizer.momentum > 0 ? ['v', 'momentum'] : ['v'];
    case 'nadam':
      return ['m', 'v'];
    case 'adagrad':
      return ['accumulator'];
  }
}

/** Slots that hold running means or sums of g², which can never be negative (a negative one would make √v NaN). */
export const SQUARED_SLOTS: readonly string[] = ['v', 'accumulator'];

// ---- reading (validation) ----

export function readDescription(value: unknown, at: Where): ModelDescription {
  const o = asObject(value, at);
  if (field(o, 'format') !== DESCRIPTION_FORMAT) at.key('format').fail(`'${DESCRIPTION_FORMAT}'`, field(o, 'format'));
  const version = asInt(requireField(o, 'version', at), at.key('version'), 1, Number.MAX_SAFE_INTEGER);
  if (version > DESCRIPTION_VERSION) {
    at.key('version').error(`format version ${version} is newer than this neurite reads (${DESCRIPTION_VERSION}); upgrade neurite`);
  }
  const name = field(o, 'name') === undefined ? 'sequential' : asString(field(o, 'name'), at.key('name'), 256);
  const inputSize = asInt(requireField(o, 'inputSize', at), at.key('inputSize'), 1, MAX_SIZE);
  const seed = asInt(requireField(o, 'seed', at), at.key('seed'), 0, 0xffffffff);

  const layersAt = at.key('layers');
  const rawLayers = asArray(requireField(o, 'layers', at), layersAt, MAX_LAYERS);
  if (rawLayers.length === 0) layersAt.fail('at least one layer', rawLayers);
  const layers = rawLayers.map((l, i) => readLayer(l, layersAt.index(i), i === rawLayers.length - 1));
  if (!layers.some((l) => l.kind === 'dense')) layersAt.error('expected at least one dense layer');
  const outputSize = outputSizeOf({ inputSize, layers });

  const description: ModelDescription = { format: DESCRIPTION_FORMAT, version, name, inputSize, seed, layers };
  const shape = field(o, 'inputShape');
  if (shape !== undefined) {
    const shapeAt = at.key('inputShape');
    const dims = asArray(shape, shapeAt, 8).map((d, i) => asInt(d, shapeAt.index(i), 1, MAX_SIZE));
    if (dims.length === 0 || dims.reduce((a, b) => a * b, 1) !== inputSize) shapeAt.fail(`dimensions whose product is inputSize (${inputSize})`, shape);
    if (layers[0]?.kind !== 'flatten') shapeAt.error('a sample shape needs a flatten layer first');
    description.inputShape = dims;
  }
  const compile = field(o, 'compile');
  if (compile !== undefined) description.compile = readCompile(compile, at.key('compile'), outputActivationOf(layers), outputSize);
  const state = field(o, 'optimizerState');
  if (state !== undefined) {
    const stateAt = at.key('optimizerState');
    if (!description.compile) stateAt.error('optimizer state without compile settings (which optimizer would it belong to?)');
    const s = asObject(state, stateAt);
    description.optimizerState = { step: asInt(requireField(s, 'step', stateAt), stateAt.key('step'), 0, 0x7fffffff) };
  }
  const extras = field(o, 'extras');
  if (extras !== undefined) description.extras = readExtras(extras, at.key('extras'), inputSize, outputSize);
  return description;
}

function optionalName(o: JsonObject, at: Where): { name?: string } {
  const name = field(o, 'name');
  return name === undefined ? {} : { name: asString(name, at.key('name'), 256) };
}

function readLayer(value: unknown, at: Where, isLast: boolean): LayerDescription {
  const o = asObject(value, at);
  const kind = asOneOf(
    requireField(o, 'kind', at), at.key('kind'),
    ['dense', 'dropout', 'batchNormalization', 'layerNormalization', 'activation', 'flatten'] as const,
  );
  if (kind === 'dropout') {
    // rate 1 would scale kept units by 1/0; Sequential rejects it too
    return { kind, rate: asNumber(requireField(o, 'rate', at), at.key('rate'), 0, 1), ...optionalName(o, at) };
  }
  if (kind === 'flatten') return { kind, ...optionalName(o, at) };
  if (kind === 'batchNormalization' || kind === 'layerNormalization') {
    const epsilon = asNumber(requireField(o, 'epsilon', at), at.key('epsilon'), 0, 1, true);
    if (!(epsilon > 0)) at.key('epsilon').fail('a number in (0, 1]', epsilon);
    const center = asBoolean(requireField(o, 'center', at), at.key('center'));
    const scale = asBoolean(requireField(o, 'scale', at), at.key('scale'));
    if (kind === 'layerNormalization') return { kind, epsilon, center, scale, ...optionalName(o, at) };
    const momentum = asNumber(requireField(o, 'momentum', at), at.key('momentum'), 0, 1, true);
    return { kind, momentum, epsilon, center, scale, ...optionalName(o, at) };
  }
  if (kind === 'activation') {
    const activation = asOneOf(requireField(o, 'activation', at), at.key('activation'), activationNames);
    if (activation === 'softmax' && !isLast) at.key('activation').error("'softmax' is only allowed on the output layer");
    return { kind, activation, alpha: asNumber(requireField(o, 'alpha', at), at.key('alpha'), 0, 1, true), ...optionalName(o, at) };
  }
  const activation = asOneOf(requireField(o, 'activation', at), at.key('activation'), activationNames);
  if (activation === 'softmax' && !isLast) at.key('activation').error("'softmax' is only allowed on the output layer");
  const l2 = field(o, 'l2');
  const kernelInitializer = field(o, 'kernelInitializer');
  const biasInitializer = field(o, 'biasInitializer');
  return {
    kind,
    units: asInt(requireField(o, 'units', at), at.key('units'), 1, MAX_SIZE),
    activation,
    alpha: asNumber(requireField(o, 'alpha', at), at.key('alpha'), 0, 1, true),
    useBias: asBoolean(requireField(o, 'useBias', at), at.key('useBias')),
    l2: l2 === undefined ? 0 : asNumber(l2, at.key('l2'), 0, Number.MAX_VALUE, true),
    kernelInitializer: kernelInitializer === undefined ? 'glorotUniform' : asOneOf(kernelInitializer, at.key('kernelInitializer'), initializerNames),
    biasInitializer: biasInitializer === undefined ? 'zeros' : asOneOf(biasInitializer, at.key('biasInitializer'), initializerNames),
    ...optionalName(o, at),
  };
}

const LOSS_NEEDS: Partial<Record<LossName, ActivationName>> = {
  categoricalCrossentropy: 'softmax',
  sparseCategoricalCrossentropy: 'softmax',
  binaryCrossentropy: 'sigmoid',
};

function readCompile(value: unknown, at: Where, outputActivation: ActivationName, outputSize: number): CompileDescription {
  const o = asObject(value, at);
  const loss = asOneOf(requireField(o, 'loss', at), at.key('loss'), lossNames);
  const needs = LOSS_NEEDS[loss];
  if (needs && needs !== outputActivation) at.key('loss').error(`'${loss}' needs a '${needs}' output layer, the file's model ends in '${outputActivation}'`);
  if (loss === 'sparseCategoricalCrossentropy' && outputSize < 2) at.key('loss').error(`'${loss}' needs at least 2 output units`);
  const optimizer = readOptimizer(requireField(o, 'optimizer', at), at.key('optimizer'));
  const lr = field(o, 'learningRate');
  const learningRate = lr === undefined ? optimizer.learningRate : readPositive(lr, at.key('learningRate'));
  const rawMetrics = field(o, 'metrics');
  const metrics = rawMetrics === undefined ? [] : asArray(rawMetrics, at.key('metrics'), metricNames.length).map((m, i) => asOneOf(m, at.key('metrics').index(i), metricNames));
  const rawDelta = field(o, 'delta');
  if (rawDelta !== undefined && loss !== 'huber') at.key('delta').error(`only the 'huber' loss has a delta, this file's loss is '${loss}'`);
  const delta = rawDelta === undefined ? undefined : readPositive(rawDelta, at.key('delta'));
  return { loss, optimizer, learningRate, metrics, ...(delta === undefined ? {} : { delta }) };
}

function readPositive(v: unknown, at: Where): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) at.fail('a finite number > 0', v);
  return v;
}

function readOptimizer(value: unknown, at: Where): OptimizerSpec {
  const o = asObject(value, at);
  const kind = asOneOf(requireField(o, 'kind', at), at.key('kind'), ['sgd', 'adam', 'adamw', 'rmsprop', 'nadam', 'adagrad'] as const);
  const num = (name: string) => requireField(o, name, at);
  const learningRate = readPositive(num('learningRate'), at.key('learningRate'));
  const unit = (name: string) => asNumber(num(name), at.key(name), 0, 1);
  const common = readOptimizerCommon(o, at, learningRate);
  const spec = readOptimizerKind(kind, learningRate, num, unit, at);
  return { ...spec, ...common } as OptimizerSpec;
}

/** Clip and per-step schedule: optional (files before them have neither); checked as the constructors check them. */
function readOptimizerCommon(o: JsonObject, at: Where, learningRate: number): Partial<OptimizerSpec> {
  const out: Partial<OptimizerSpec> = {};
  for (const k of ['clipValue', 'clipNorm', 'globalClipNorm'] as const) {
    const v = field(o, k);
    if (v !== undefined && v !== 0) out[k] = readPositive(v, at.key(k));
  }
  if ([out.clipValue, out.clipNorm, out.globalClipNorm].filter((v) => v !== undefined).length > 1) {
    at.error('expected at most one of clipValue, clipNorm, globalClipNorm');
  }
  const schedule = field(o, 'stepSchedule');
  if (schedule !== undefined) {
    const raw = asObject(schedule, at.key('stepSchedule'));
    try {
      out.stepSchedule = stepScheduleFromSpec(learningRate, raw as unknown as StepScheduleSpec).spec;
    } catch (e) {
      at.key('stepSchedule').error(e instanceof Error ? e.message : String(e));
    }
  }
  return out;
}

function readOptimizerKind(
  kind: OptimizerSpec['kind'], learningRate: number, num: (name: string) => unknown, unit: (name: string) => number, at: Where,
): OptimizerSpec {
  switch (kind) {
    case 'nadam':
      return { kind, learningRate, beta1: unit('beta1'), beta2: unit('beta2'), epsilon: readPositive(num('epsilon'), at.key('epsilon')) };
    case 'adagrad':
      return {
        kind,
        learningRate,
        initialAccumulatorValue: asNumber(num('initialAccumulatorValue'), at.key('initialAccumulatorValue'), 0, Number.MAX_VALUE, true),
        epsilon: readPositive(num('epsilon'), at.key('epsilon')),
      };
    case 'sgd':
      return { kind, learningRate, momentum: unit('momentum'), nesterov: asBoolean(num('nesterov'), at.key('nesterov')) };
    case 'adam':
      return { kind, learningRate, beta1: unit('beta1'), beta2: unit('beta2'), epsilon: readPositive(num('epsilon'), at.key('epsilon')) };
    case 'adamw':
      return {
        kind,
        learningRate,
        beta1: unit('beta1'),
        beta2: unit('beta2'),
        epsilon: readPositive(num('epsilon'), at.key('epsilon')),
        weightDecay: unit('weightDecay'),
      };
    case 'rmsprop':
      return { kind, learningRate, rho: unit('rho'), momentum: unit('momentum'), epsilon: readPositive(num('epsilon'), at.key('epsilon')) };
  }
}

/** Extras as the caller gave them (saving) or as a file states them (loading): same checks both ways. */
export function readExtras(value: unknown, at: Where, inputSize: number, outputSize: number): ModelExtras {
  const o = asObject(value, at);
  const out: ModelExtras = {};
  const classNames = field(o, 'classNames');
  if (classNames !== undefined) {
    const namesAt = at.key('classNames');
    const names = asArray(classNames, namesAt, MAX_CLASSES).map((n, i) => asString(n, namesAt.index(i), 1024));
    const fits = names.length === outputSize || (outputSize === 1 && names.length === 2);
    if (!fits) {
      namesAt.error(`${names.length} class names for ${outputSize} output unit${outputSize === 1 ? '' : 's'} (expected ${outputSize === 1 ? '2 for a single sigmoid unit' : outputSize})`);
    }
    out.classNames = names;
  }
  const standardization = field(o, 'standardization');
  if (standardization !== undefined) {
    const sAt = at.key('standardization');
    const s = asObject(standardization, sAt);
    const column = (name: 'mean' | 'std') => {
      const a = asArray(requireField(s, name, sAt), sAt.key(name), inputSize);
      if (a.length !== inputSize) sAt.key(name).fail(`${inputSize} values (one per input feature)`, a);
      return a.map((v, i) => (name === 'std' ? readPositive(v, sAt.key(name).index(i)) : asNumber(v, sAt.key(name).index(i), -Number.MAX_VALUE, Number.MAX_VALUE, true)));
    };
    out.standardization = { mean: column('mean'), std: column('std') };
  }
  return out;
}
