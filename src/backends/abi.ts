/**
 * The one encoder of the C ABI, shared by the native and wasm backends: model and optimizer descriptors as the
 * bytes of the core's structs, metrics decoded from them, and a failed call's status turned into the Error the
 * user sees. Codes and byte layouts come from src/backends/abi-generated.ts, generated (with the C header) from
 * native/abi/abi.json; nothing here types an offset by hand.
 */
import { NeuriteError } from '../errors.js';
import {
  activationCodes, layerDescLayout, layerKindCodes, lossCodes, lossDescLayout, lrScheduleCodes, metricsLayout,
  optimizerCodes, optimizerDescLayout, statusCodes, type Field,
} from './abi-generated.js';
import {
  AbortError, NonFiniteInputError, type EvalResult, type LossName, type ModelSpec, type OptimizerSpec, type TrainSpec,
} from './backend.js';

export { abiVersion, limits } from './abi-generated.js';

interface Layout {
  size: number;
  fields: Record<string, Field>;
}
type Values<L extends Layout> = { -readonly [K in keyof L['fields']]?: number | readonly number[] };

function write<L extends Layout>(view: DataView, at: number, layout: L, values: Values<L>): void {
  for (const [name, value] of Object.entries(values) as [string, number | readonly number[] | undefined][]) {
    const { offset, type, count = 1 } = layout.fields[name]!;
    const items = typeof value === 'object' ? value : [value ?? 0];
    if (items.length > count) throw new Error(`abi: ${name} holds at most ${count} values, got ${items.length}`);
    items.forEach((v, i) => {
      const o = at + offset + i * (type === 'f64' ? 8 : 4);
      if (type === 'f64') view.setFloat64(o, v, true);
      else if (type === 'u32') view.setUint32(o, v, true);
      else view.setInt32(o, v, true);
    });
  }
}

function read<L extends Layout>(view: DataView, at: number, layout: L): Record<keyof L['fields'], number> {
  const out: Record<string, number> = {};
  for (const [name, { offset, type }] of Object.entries(layout.fields)) {
    out[name] = type === 'f64' ? view.getFloat64(at + offset, true) : type === 'u32' ? view.getUint32(at + offset, true) : view.getInt32(at + offset, true);
  }
  return out as Record<keyof L['fields'], number>;
}

/** A name's code in one of the schema's enums; a name the schema lacks is a bug above the backends. */
function code(table: Record<string, number>, name: string, what: string): number {
  const c = table[name];
  if (c === undefined) throw new Error(`abi: no ${what} is called ${JSON.stringify(name)} (native/abi/abi.json)`);
  return c;
}

/** The model's layers as an array of nrt_layer_desc. */
export function encodeLayers(spec: ModelSpec): Uint8Array {
  const bytes = new Uint8Array(spec.layers.length * layerDescLayout.size);
  const view = new DataView(bytes.buffer);
  spec.layers.forEach((layer, i) => {
    const at = i * layerDescLayout.size;
    switch (layer.kind) {
      case 'dense':
        return write(view, at, layerDescLayout, {
          kind: layerKindCodes.dense,
          units: layer.units,
          activation: code(activationCodes, layer.activation, 'activation'),
          useBias: layer.useBias ? 1 : 0,
          alpha: layer.alpha,
          l2: layer.l2,
        });
      case 'dropout':
        return write(view, at, layerDescLayout, { kind: layerKindCodes.dropout, units: layer.units, rate: layer.rate, threshold: layer.threshold });
      case 'batchNormalization':
      case 'layerNormalization':
        return write(view, at, layerDescLayout, {
          kind: layerKindCodes[layer.kind],
          units: layer.units,
          momentum: layer.kind === 'batchNormalization' ? layer.momentum : 0,
          epsilon: layer.epsilon,
          center: layer.center ? 1 : 0,
          scale: layer.scale ? 1 : 0,
        });
      case 'activation':
        return write(view, at, layerDescLayout, {
          kind: layerKindCodes.activation,
          units: layer.units,
          activation: code(activationCodes, layer.activation, 'activation'),
          alpha: layer.alpha,
        });
    }
  });
  return bytes;
}

/**
 * One nrt_optimizer_desc; the fields an optimizer does not have stay 0 (for the clips: off). A per-step schedule
 * is flattened into the descriptor's schedule fields.
 */
export function encodeOptimizer(o: OptimizerSpec): Uint8Array {
  const bytes = new Uint8Array(optimizerDescLayout.size);
  const { kind, stepSchedule, ...hyper } = o as OptimizerSpec & Record<string, number | boolean>;
  const values: Values<typeof optimizerDescLayout> = { kind: code(optimizerCodes, kind, 'optimizer') };
  if (stepSchedule) {
    const { kind: schedule, ...fields } = stepSchedule as unknown as { kind: string } & Record<string, number | boolean | number[]>;
    values.schedule = code(lrScheduleCodes, schedule, 'learning-rate schedule');
    for (const [name, v] of Object.entries(fields)) {
      if (name === 'warmupTarget' && v !== undefined) values.hasWarmupTarget = 1;
      if (name === 'boundaries') values.boundaryCount = (v as number[]).length;
      if (!(name in optimizerDescLayout.fields)) throw new Error(`abi: nrt_optimizer_desc has no field ${name} (native/abi/abi.json)`);
      values[name as keyof typeof optimizerDescLayout.fields] = typeof v === 'boolean' ? Number(v) : v;
    }
  }
  for (const [name, v] of Object.entries(hyper)) {
    if (!(name in optimizerDescLayout.fields)) throw new Error(`abi: nrt_optimizer_desc has no field ${name} (native/abi/abi.json)`);
    values[name as keyof typeof optimizerDescLayout.fields] = typeof v === 'boolean' ? Number(v) : v;
  }
  write(new DataView(bytes.buffer), 0, optimizerDescLayout, values);
  return bytes;
}

export function lossCode(loss: LossName): number {
  return code(lossCodes, loss, 'loss');
}

/** One nrt_loss_desc: the loss and its hyperparameters (huber's delta, 1 unless given). */
export function encodeLoss(train: TrainSpec): Uint8Array {
  const bytes = new Uint8Array(lossDescLayout.size);
  write(new DataView(bytes.buffer), 0, lossDescLayout, { kind: lossCode(train.loss), delta: train.delta ?? 1 });
  return bytes;
}

export const metricsBytes = metricsLayout.size;

/** An nrt_metrics at byteOffset of `bytes` (a view into the WASM heap, or the native addon's result). */
export function decodeMetrics(bytes: Uint8Array, byteOffset = 0): EvalResult {
  const m = read(new DataView(bytes.buffer, bytes.byteOffset), byteOffset, metricsLayout);
  return m.hasAccuracy ? { loss: m.loss, accuracy: m.accuracy } : { loss: m.loss };
}

/**
 * The Error for a failed core call. By the contract in backend.ts only memory-safety checks and predict's check of
 * x fail in the core, so an invalidArgument here means a bug above it, and its message (which names the argument)
 * is passed on.
 */
export function statusError(backend: string, what: string, status: number, message: string): Error {
  const text = `${backend} backend: ${what}: ${message || `status ${status}`}`;
  switch (status) {
    case statusCodes.aborted:
      return new AbortError();
    case statusCodes.nonFinite:
      return new NonFiniteInputError();
    case statusCodes.outOfMemory:
      return new NeuriteError(`${backend} backend: ${what}: out of memory (${message})`);
    case statusCodes.internal:
      return new Error(`${backend} backend: ${what}: internal error in the engine: ${message}`);
    default:
      return new NeuriteError(text);
  }
}

export { statusCodes };
