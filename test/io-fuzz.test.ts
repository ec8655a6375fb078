/**
 * No file can crash the loaders. Valid files (safetensors models, real tfjs layers models, ONNX graphs from
 * neurite and from torch.onnx.export) are mutated in
 * seeded, repeatable ways — bit flips, byte overwrites, truncation, lying header lengths up to 2^64−1, huge
 * shapes, overlapping or reversed offsets, wrong dtypes, broken and deeply nested JSON, architecture fields set
 * to nonsense — and each case must end one of two ways:
 *   - a FileFormatError with a message (the loader's own checks caught it; a RangeError from a typed-array
 *     constructor, a TypeError from reading undefined, or any other error means a check is missing), or
 *   - a model that predicts finite numbers.
 * A failing case reports its index and mutations, so it can be replayed alone.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nn from '../src/index.js';
import { deserializeModel, serializeModel } from '../src/io/model-file.js';
import { fromTfjsLayersModel } from '../src/io/tfjs.js';
import { fromOnnx } from '../src/io/onnx-import.js';
import { forEachField, type ProtoField } from '../src/io/protobuf-reader.js';
import { concat, varint } from '../src/io/protobuf.js';
import { onnxBytes } from './helpers/onnx-builder.js';
import { FileFormatError, Where } from '../src/io/untrusted.js';
import { rngKey, rngU32 } from '../src/rng.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'io');
/** NEURITE_FUZZ_SCALE=10 runs ten times the cases (different seeds after the first 1×), for a long hunt. */
const SCALE = Math.max(1, Math.floor(Number(process.env.NEURITE_FUZZ_SCALE ?? 1)));
/** NEURITE_FUZZ_CASE=N replays case N alone (its index from a failure message; any scale). */
const ONLY = process.env.NEURITE_FUZZ_CASE === undefined ? undefined : Number(process.env.NEURITE_FUZZ_CASE);
const caseIndices = (count: number): number[] => (ONLY === undefined ? Array.from({ length: count }, (_, i) => i) : [ONLY]);

class Random {
  private readonly key: number;
  private counter = 0;
  constructor(seed: number) {
    this.key = rngKey(seed, 0x66757a7a, 0);
  }
  u32(): number {
    return rngU32(this.key, this.counter++);
  }
  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

// ---- outcome check ----

interface Tally {
  cases: number;
  loaded: number;
  rejected: number;
  /** first words of each rejection message, to see the checks being exercised */
  reasons: Map<string, number>;
  slowestMs: number;
}

function newTally(): Tally {
  return { cases: 0, loaded: 0, rejected: 0, reasons: new Map(), slowestMs: 0 };
}

function judge(tally: Tally, label: string, load: () => nn.Sequential): void {
  tally.cases++;
  const start = performance.now();
  let model: nn.Sequential;
  try {
    model = load();
  } catch (err) {
    const e = err as Error;
    if (!(err instanceof FileFormatError) || !e.message) {
      throw new Error(`${label}: expected a FileFormatError, got ${e?.constructor?.name ?? typeof err}: ${e?.message ?? String(err)}`, { cause: err });
    }
    tally.rejected++;
    const reason = e.message.replace(/^[^:]*: /, '').replace(/[\d"'[\]().,-]+/g, '#').split(' ').slice(0, 4).join(' ');
    tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
    tally.slowestMs = Math.max(tally.slowestMs, performance.now() - start);
    return;
  }
  try {
    const rows = 3;
    const x = Float32Array.from({ length: rows * model.inputSize }, (_, i) => Math.sin(i + 1));
    const out = model.predictSync(nn.tensor(x, [rows, model.inputSize]));
    if (out.data.length !== rows * model.outputSize) throw new Error(`${label}: predicted ${out.data.length} values, expected ${rows * model.outputSize}`);
    const bad = out.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${label}: the loaded model predicts ${out.data[bad]} at ${bad}`);
    tally.loaded++;
  } finally {
    model.dispose();
  }
  tally.slowestMs = Math.max(tally.slowestMs, performance.now() - start);
}

// ---- JSON mutation (used on safetensors headers, the neurite description and tfjs model.json) ----

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

const NAMES = ['dense', 'dropout', 'relu', 'softmax', 'sigmoid', 'tanh', 'linear', 'leakyRelu', 'gelu', 'F32', 'F16', 'I64', 'adam', 'sgd', 'rmsprop',
  'adamw', 'meanSquaredError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'Dense', 'Dropout', 'InputLayer',
  'Conv2D', 'LeakyReLU', 'Activation', 'Softmax', 'ReLU', 'float32', 'int32', 'optimizer', 'layers-model', 'graph-model', '__proto__', ''];

function weirdValue(r: Random): unknown {
  switch (r.int(8)) {
    case 0:
      return r.pick([-1, 0, 1, 2, 3, 7, 0.5, 1.5, -0, 1e9, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 63, 2 ** 64, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 1e-320]);
    case 1:
      return r.pick(NAMES);
    case 2:
      return r.pick([null, true, false, {}, [], [1], [-1, 2], [0, 0], [2 ** 40, 2 ** 40], [null, 3], [null, 3, 3], { kind: 'dense' }, { class_name: 'Dense', config: {} }]);
    case 3:
      return 'x'.repeat(r.pick([1, 300, 5000]));
    case 4:
      return nested(r.pick([3, 40, 80]));
    case 5:
      return Array.from({ length: r.pick([2, 9, 1000]) }, (_, i) => i);
    case 6:
      return r.int(1000) - 10;
    default:
      return r.u32() / 1000;
  }
}

type Container = Record<string, unknown> | unknown[];

/** Every object/array reachable from root, with a printable path (the files are small). */
function containers(root: unknown, path = '$', out: { at: string; c: Container }[] = []): { at: string; c: Container }[] {
  if (typeof root !== 'object' || root === null) return out;
  out.push({ at: path, c: root as Container });
  for (const [k, v] of Object.entries(root as object)) containers(v, `${path}.${k}`, out);
  return out;
}

/** One structural change somewhere in a parsed JSON value (mutates it in place); returns what it did. */
function mutateJson(root: unknown, r: Random): string {
  const all = containers(root);
  if (all.length === 0) return 'no containers';
  const { at, c } = r.pick(all);
  const keys = Object.keys(c);
  const key = keys.length > 0 ? r.pick(keys) : '0';
  const old = (c as Record<string, unknown>)[key];
  switch (r.int(6)) {
    case 0:
    case 1: {
      const v = weirdValue(r);
      (c as Record<string, unknown>)[key] = v;
      return `${at}.${key} = ${JSON.stringify(v)?.slice(0, 40)}`;
    }
    case 2:
      if (Array.isArray(c)) c.splice(Number(key), 1);
      else delete c[key];
      return `delete ${at}.${key}`;
    case 3:
      if (typeof old === 'number') {
        const v = r.pick([old + 1, old - 1, old * 2, -old, old / 2, Math.round(old * 1000)]);
        (c as Record<string, unknown>)[key] = v;
        return `${at}.${key}: ${old} → ${v}`;
      }
      (c as Record<string, unknown>)[key] = r.pick(NAMES);
      return `${at}.${key} = name`;
    case 4:
      if (Array.isArray(c) && c.length > 0) {
        c.splice(r.int(c.length + 1), 0, structuredClone(c[r.int(c.length)]));
        return `duplicate an element of ${at}`;
      }
      (c as Record<string, unknown>)[`${key}_copy`] = structuredClone(old);
      return `copy ${at}.${key}`;
    default:
      if (Array.isArray(c) && c.length > 1) {
        const i = r.int(c.length);
        const j = r.int(c.length);
        [c[i], c[j]] = [c[j], c[i]];
        return `swap ${at}[${i}] and [${j}]`;
      }
      (c as Record<string, unknown>)[key] = nested(r.pick([10, 70]));
      return `${at}.${key} = nested`;
  }
}

// ---- safetensors files ----

interface Split {
  header: Record<string, any>;
  data: Uint8Array;
}

function split(bytes: Uint8Array): Split {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.subarray(8 + n) };
}

function join8(headerText: string, data: Uint8Array, statedLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, statedLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const FLOAT_SPECIALS = [NaN, Infinity, -Infinity, 1e38, -3.4e38, 1e15, 1.0000001e15, 1e-45, -0, 0, 1e14];

type Mutation = (bytes: Uint8Array, r: Random) => { bytes: Uint8Array; what: string };

const byteMutations: Mutation[] = [
  (b, r) => {
    const out = b.slice();
    const flips = 1 + r.int(8);
    for (let i = 0; i < flips; i++) out[r.int(out.length)]! ^= 1 << r.int(8);
    return { bytes: out, what: `${flips} bit flips` };
  },
  (b, r) => {
    const out = b.slice();
    const n = 1 + r.int(4);
    for (let i = 0; i < n; i++) out[r.int(out.length)] = r.pick([0, 0xff, 0x7f, 0x80, 0x7b, 0x7d, 0x22, 0x5c, 0x39, 0x2d, 0x20, r.int(256)]);
    return { bytes: out, what: `${n} byte overwrites` };
  },
  (b, r) => {
    const at = r.int(b.length);
    return { bytes: b.slice(0, at), what: `truncate at ${at}` };
  },
  (b, r) => {
    const extra = Uint8Array.from({ length: 1 + r.int(16) }, () => r.int(256));
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    return { bytes: out, what: `append ${extra.length} bytes` };
  },
  (b, r) => {
    const n = BigInt(b.length);
    const stated = r.pick([0n, 1n, 7n, n, n - 8n, n - 7n, n + 1n, 2n ** 24n + 1n, 2n ** 32n, 2n ** 32n + 16n, 2n ** 63n, 2n ** 64n - 1n, BigInt(r.u32())]);
    const out = b.slice();
    new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, stated), true);
    return { bytes: out, what: `header length ${stated}` };
  },
];

const headerMutations: Mutation[] = [
  (b, r) => {
    // bit flips confined to the data section: often still a valid model, sometimes a huge or non-finite weight
    const { header, data } = split(b);
    const out = data.slice();
    const flips = 1 + r.int(4);
    for (let i = 0; i < flips; i++) out[r.int(out.length)]! ^= 1 << r.int(8);
    return { bytes: join8(JSON.stringify(header), out), what: `${flips} bit flips in the data` };
  },
  (b, r) => {
    // data section floats set to specials (NaN, ±Inf, 1e38, values just inside and outside the ±1e15 cap, ...)
    const { header, data } = split(b);
    const out = data.slice();
    const count = Math.floor(out.length / 4);
    const n = 1 + r.int(3);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < n; i++) dv.setFloat32(4 * r.int(count), r.pick(FLOAT_SPECIALS), true);
    return { bytes: join8(JSON.stringify(header), out), what: `${n} special floats` };
  },
  (b, r) => {
    // structural change to a tensor entry or the header object itself (not the description)
    const { header, data } = split(b);
    const meta = header.__metadata__;
    delete header.__metadata__;
    const what = mutateJson(header, r);
    if (meta !== undefined && r.chance(0.9)) header.__metadata__ = meta;
    return { bytes: join8(JSON.stringify(header), data), what: `header: ${what}` };
  },
  (b, r) => {
    const { header, data } = split(b);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    const name = r.pick(names);
    const t = header[name];
    const other = header[r.pick(names)];
    const choice = r.int(8);
    let what: string;
    if (choice === 0) {
      t.shape = r.pick([[2 ** 53, 2 ** 53], [1e9], [2 ** 31, 2], [-1], [0], [1.5], [t.shape[0]], [...t.shape, 1], [...t.shape].reverse(), 'abc', null, [[2]]]);
      what = `shape of ${name} = ${JSON.stringify(t.shape)}`;
    } else if (choice === 1) {
      t.data_offsets = [other.data_offsets[0], other.data_offsets[1]];
      what = `${name} offsets copied (overlap)`;
    } else if (choice === 2) {
      t.data_offsets = [t.data_offsets[1], t.data_offsets[0]];
      what = `${name} offsets reversed`;
    } else if (choice === 3) {
      t.data_offsets = r.pick([[0, 2 ** 64], [-4, 0], [0.5, 4.5], ['0', '4'], [0], [0, 4, 8], null, [t.data_offsets[0] + 4, t.data_offsets[1] + 4], [t.data_offsets[0], data.length + 4]]);
      what = `${name} offsets = ${JSON.stringify(t.data_offsets)}`;
    } else if (choice === 4) {
      t.dtype = r.pick(['F16', 'BF16', 'F64', 'I32', 'I64', 'U8', 'BOOL', 'f32', '', null, 42, ['F32']]);
      what = `${name} dtype = ${JSON.stringify(t.dtype)}`;
    } else if (choice === 5) {
      delete header[name];
      what = `delete ${name}`;
    } else if (choice === 6) {
      header[`${name}.copy`] = structuredClone(t);
      what = `duplicate ${name}`;
    } else {
      header[name.replace(/\d+/, (d) => String(Number(d) + 1))] = t;
      delete header[name];
      what = `rename ${name}`;
    }
    return { bytes: join8(JSON.stringify(header), data), what };
  },
  (b, r) => {
    // the architecture: one or more structural changes to the neurite description
    const { header, data } = split(b);
    const description = JSON.parse(header.__metadata__.neurite);
    const steps = 1 + r.int(3);
    const whats: string[] = [];
    for (let i = 0; i < steps; i++) whats.push(mutateJson(description, r));
    header.__metadata__.neurite = JSON.stringify(description);
    return { bytes: join8(JSON.stringify(header), data), what: `description: ${whats.join('; ')}` };
  },
  (b, r) => {
    // the architecture again, with edits that are plausible rather than random: each one is something a
    // check must catch (or accept correctly)
    const { header, data } = split(b);
    const d = JSON.parse(header.__metadata__.neurite);
    const whats: string[] = [];
    for (let step = 1 + r.int(2); step > 0; step--) whats.push(plausibleEdit(d, r));
    header.__metadata__.neurite = JSON.stringify(d);
    return { bytes: join8(JSON.stringify(header), data), what: `architecture: ${whats.join('; ')}` };
  },
  (b, r) => {
    const { header, data } = split(b);
    const text = header.__metadata__.neurite as string;
    header.__metadata__.neurite = r.pick([
      '',
      '{',
      'null',
      '[]',
      '"neurite"',
      '1e400',
      '['.repeat(100_000) + ']'.repeat(100_000),
      '{"a":'.repeat(5000) + '1' + '}'.repeat(5000),
      text.slice(0, r.int(text.length)),
      text.replace(/"version":1/, '"version":99'),
      text.replace(/\d+/, '4294967296'),
      text + ' '.repeat(9) + '{}',
      '\ud800' + text,
    ]);
    return { bytes: join8(JSON.stringify(header), data), what: 'description text replaced' };
  },
  (b, r) => {
    const { header, data } = split(b);
    const text = r.pick([
      '[' .repeat(1_000_000),
      '['.repeat(200_000) + ']'.repeat(200_000),
      JSON.stringify({ ...header, __metadata__: { neurite: 1 } }),
      JSON.stringify({ ...header, __metadata__: 'x' }),
      JSON.stringify({ ...header, __metadata__: { ...header.__metadata__, neurite: null } }),
      '{}',
      '{"a":1}',
      'not json at all',
      JSON.stringify(header).replace(/"F32"/g, '"F32\\u0000"'),
      JSON.stringify(header) + '\x00\x00',
    ]);
    return { bytes: join8(text, data), what: `header text replaced (${text.length} chars)` };
  },
];

const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'softmax', 'gelu', 'mish', 'relu6'];
const LOSSES = ['meanSquaredError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'hinge'];

/** One edit a confused or malicious writer might make to a neurite description (mutates d). */
function plausibleEdit(d: any, r: Random): string {
  const layers: any[] = Array.isArray(d.layers) ? d.layers : [];
  const i = layers.length > 0 ? r.int(layers.length) : 0;
  const layer = layers[i] ?? {};
  switch (r.int(14)) {
    case 0:
      layer.activation = r.pick(ACTIVATIONS);
      return `layers[${i}].activation = ${layer.activation}`;
    case 1:
      layer.units = r.pick([(layer.units ?? 1) + 1, (layer.units ?? 2) - 1, (layer.units ?? 1) * 2, 0, -3, 2 ** 31, 1e9]);
      return `layers[${i}].units = ${layer.units}`;
    case 2:
      layer.kind = layer.kind === 'dense' ? 'dropout' : 'dense';
      return `layers[${i}].kind = ${layer.kind}`;
    case 3:
      layer.useBias = r.pick([!layer.useBias, 'yes', 0, null]);
      return `layers[${i}].useBias = ${layer.useBias}`;
    case 4:
      layer.rate = r.pick([-0.1, 0, 0.5, 0.999, 1, 1.5, NaN]);
      layer.alpha = r.pick([0, 0.3, 1, 1.01, -0.2]);
      return `layers[${i}] rate/alpha edited`;
    case 5:
      d.inputSize = r.pick([d.inputSize + 1, d.inputSize - 1, 0, 2 ** 40]);
      return `inputSize = ${d.inputSize}`;
    case 6:
      layers.splice(r.int(layers.length + 1), 0, structuredClone(layer));
      return `duplicate layers[${i}]`;
    case 7:
      layers.splice(i, 1);
      return `remove layers[${i}]`;
    case 8: {
      const j = r.int(Math.max(layers.length, 1));
      [layers[i], layers[j]] = [layers[j], layers[i]];
      return `swap layers ${i} and ${j}`;
    }
    case 9:
      d.compile = { ...(d.compile ?? {}), loss: r.pick(LOSSES) };
      return `compile.loss = ${d.compile.loss}`;
    case 10:
      d.compile = d.compile ?? { loss: 'meanSquaredError', learningRate: 0.1, metrics: [] };
      d.compile.optimizer = r.pick([
        { kind: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: false },
        { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false },
        { kind: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
        { kind: 'rmsprop', learningRate: 0.1, rho: 0.9, momentum: 0, epsilon: 1e-7 },
        { kind: 'adamw', learningRate: -1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 },
        { kind: 'lbfgs', learningRate: 0.1 },
      ]);
      return `compile.optimizer = ${d.compile.optimizer.kind}`;
    case 11:
      d.optimizerState = r.pick([{ step: 0 }, { step: -1 }, { step: 2 ** 40 }, { step: 1.5 }, undefined, {}]);
      return `optimizerState = ${JSON.stringify(d.optimizerState)}`;
    case 12:
      d.extras = { ...(d.extras ?? {}), classNames: r.pick([['a'], ['a', 'b'], ['a', 'b', 'c'], [1, 2], 'ab', []]) };
      return `extras.classNames = ${JSON.stringify(d.extras.classNames)}`;
    default:
      d.extras = { ...(d.extras ?? {}), standardization: r.pick([{ mean: [0], std: [1] }, { mean: [0, 0, 0], std: [1, 1, 0] }, { mean: [0, 0, 0], std: [1, 1, 1] }, { mean: [0, 0, 0, 0], std: [1, 1, 1, 1] }, { mean: [0, 0], std: [1, 1] }, null]) };
      return 'extras.standardization edited';
  }
}

function saveBases(): { name: string; bytes: Uint8Array }[] {
  const a = nn.sequential([nn.dense(5, { inputShape: [3], activation: 'relu' }), nn.dropout(0.25), nn.dense(2, { activation: 'softmax' })], { backend: 'ts', seed: 1 });
  a.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
  const b = nn.sequential([nn.dense(6, { inputShape: [4], activation: 'tanh', useBias: false }), nn.dense(3)], { backend: 'ts', seed: 2 });
  b.compile({ optimizer: nn.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'mse' });
  const c = nn.sequential([nn.dropout({ rate: 0.1, inputShape: [2] }), nn.dense(3, { activation: 'leakyRelu', alpha: 0.1 }), nn.dense(1, { activation: 'sigmoid' })], { backend: 'ts', seed: 3 });
  const bases = [
    { name: 'classifier+adam state+extras', bytes: serializeModel(a, { includeOptimizer: true, classNames: ['no', 'yes'], standardization: { mean: [0, 1, 2], std: [1, 2, 3] } }) },
    { name: 'regressor+sgd', bytes: serializeModel(b) },
    { name: 'binary, uncompiled', bytes: serializeModel(c, { classNames: ['neg', 'pos'] }) },
  ];
  for (const m of [a, b, c]) m.dispose();
  return bases;
}

// ---- ONNX files (protocol buffers) ----

/** The message's fields, or undefined when the bytes are not a well-formed message. */
function protoFields(bytes: Uint8Array): ProtoField[] | undefined {
  const fields: ProtoField[] = [];
  try {
    forEachField(bytes, new Where('fuzz'), (f) => fields.push(f));
  } catch {
    return undefined;
  }
  return fields;
}

function encodeField(f: ProtoField): Uint8Array {
  const tag = varint(f.number * 8 + f.wire);
  if (f.wire === 0) return concat([tag, varint(f.varint)]);
  if (f.wire === 2) return concat([tag, varint(f.bytes.length), f.bytes]);
  return concat([tag, f.bytes]);
}

const ONNX_NAMES = ['Gemm', 'MatMul', 'Add', 'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Softmax', 'Identity', 'Dropout', 'Flatten', 'Elu', 'Gelu', 'Erf',
  'BatchNormalization', 'Conv', 'Loop', 'If', 'Constant', 'Reshape', 'input', 'output', '0.weight', '0.bias', 'layers.0.weight', 'layers.0.gemm',
  '/1/Gemm_output_0', 'ai.onnx', 'com.microsoft', 'batch', 'alpha', 'beta', 'transA', 'transB', 'axis', 'neurite.extras', '{"classNames":["a"]}', '', 'x'.repeat(5000)];
const VARINTS = [0n, 1n, 2n, 3n, 6n, 7n, 10n, 11n, 13n, 17n, 22n, 23n, 99n, 2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 62n, 2n ** 64n - 1n, 2n ** 64n - 2n];

/**
 * One structural edit at a random depth: pick a field of the message, then descend into it (when it is itself a
 * message) or delete, duplicate, move, renumber it, or replace its value with an edge case. Lengths are
 * re-encoded on the way up, so the edit reaches the reader's semantic checks instead of dying at the first
 * length prefix (byte-level mutations cover that).
 */
function mutateProto(bytes: Uint8Array, r: Random, depth = 0): { bytes: Uint8Array; what: string } {
  const fields = protoFields(bytes);
  if (!fields || fields.length === 0) return r.pick(byteMutations.slice(0, 4))(bytes.length > 0 ? bytes : Uint8Array.of(0), r);
  const i = r.int(fields.length);
  const f = fields[i]!;
  const rebuilt = () => concat(fields.map(encodeField));
  if (f.wire === 2 && depth < 7 && r.chance(0.75)) {
    const inner = protoFields(f.bytes);
    if (inner && inner.length > 0) {
      const m = mutateProto(f.bytes, r, depth + 1);
      fields[i] = { ...f, bytes: m.bytes };
      return { bytes: rebuilt(), what: `${f.number}>${m.what}` };
    }
  }
  switch (r.int(7)) {
    case 0:
      fields.splice(i, 1);
      return { bytes: rebuilt(), what: `delete ${f.number}` };
    case 1:
      fields.splice(r.int(fields.length + 1), 0, f);
      return { bytes: rebuilt(), what: `duplicate ${f.number}` };
    case 2: {
      const j = r.int(fields.length);
      [fields[i], fields[j]] = [fields[j]!, fields[i]!];
      return { bytes: rebuilt(), what: `swap ${f.number} with ${fields[i]!.number}` };
    }
    case 3:
      fields[i] = { ...f, number: 1 + r.int(20) };
      return { bytes: rebuilt(), what: `renumber ${f.number} → ${fields[i]!.number}` };
    case 4: {
      const v = r.pick(VARINTS);
      fields[i] = { ...f, wire: 0, varint: v, bytes: new Uint8Array(0) };
      return { bytes: rebuilt(), what: `${f.number} = varint ${v}` };
    }
    case 5: {
      const name = r.pick(ONNX_NAMES);
      fields[i] = { ...f, wire: 2, bytes: new TextEncoder().encode(name) };
      return { bytes: rebuilt(), what: `${f.number} = "${name.slice(0, 20)}"` };
    }
    default: {
      if (f.wire === 5 || f.wire === 1) {
        const v = r.pick([NaN, Infinity, -1, 0, 2, 0.5, 1e30, -0]);
        const out = new Uint8Array(f.bytes.length);
        if (out.length === 4) new DataView(out.buffer).setFloat32(0, v, true);
        else new DataView(out.buffer).setFloat64(0, v, true);
        fields[i] = { ...f, bytes: out };
        return { bytes: rebuilt(), what: `${f.number} = float ${v}` };
      }
      const m = r.pick(byteMutations.slice(0, 4))(f.bytes.length > 0 ? f.bytes : Uint8Array.of(0), r);
      fields[i] = { ...f, wire: f.wire === 0 ? 2 : f.wire, bytes: m.bytes };
      return { bytes: rebuilt(), what: `${f.number}: ${m.what}` };
    }
  }
}

function onnxBases(): { name: string; bytes: Uint8Array }[] {
  const a = nn.sequential([nn.dense(5, { inputShape: [3], activation: 'leakyRelu', alpha: 0.1 }), nn.dropout(0.25), nn.dense(4, { activation: 'tanh', useBias: false }), nn.dense(2, { activation: 'softmax' })], { backend: 'ts', seed: 1 });
  const b = nn.sequential([nn.dense(6, { inputShape: [4], activation: 'sigmoid' }), nn.dense(1)], { backend: 'ts', seed: 2 });
  const w = (name: string, dims: number[], seed: number) => ({ name, dims, values: Array.from({ length: dims.reduce((p, q) => p * q, 1) }, (_, k) => Math.sin(seed * 10 + k)) });
  const bases = [
    { name: 'neurite classifier + extras', bytes: nn.exportOnnx(a, { extras: { classNames: ['no', 'yes'] } }) },
    { name: 'neurite regressor', bytes: nn.exportOnnx(b) },
    { name: 'torch.onnx.export opset 13', bytes: new Uint8Array(readFileSync(join(fixtures, 'torch-mlp-opset13.onnx'))) },
    {
      name: 'hand-built MatMul + Add, Flatten, Identity, Dropout',
      bytes: onnxBytes({
        inputs: [['x', ['batch', 2, 2]]],
        nodes: [
          { op: 'Flatten', inputs: ['x'], outputs: ['f'] },
          { op: 'MatMul', inputs: ['f', 'W'], outputs: ['m'] },
          { op: 'Add', inputs: ['m', 'B'], outputs: ['a'] },
          { op: 'Relu', inputs: ['a'], outputs: ['r'] },
          { op: 'Dropout', inputs: ['r'], outputs: ['d'] },
          { op: 'Identity', inputs: ['d'], outputs: ['y'] },
        ],
        initializers: [w('W', [4, 3], 1), { ...w('B', [3], 2), encoding: 'float_data' }],
      }),
    },
  ];
  for (const m of [a, b]) m.dispose();
  return bases;
}

/** Files made to hurt: each must end in a FileFormatError, quickly, without a big allocation. */
function hostileOnnx(): { name: string; bytes: Uint8Array }[] {
  const tag = (field: number, wire: number) => varint(field * 8 + wire);
  const len = (field: number, body: Uint8Array) => concat([tag(field, 2), varint(body.length), body]);
  const graphWith = (graph: Uint8Array) => concat([tag(1, 0), varint(7), len(7, graph), len(8, concat([tag(2, 0), varint(13)]))]);
  const hugeTensor = len(5, concat([tag(1, 0), varint(2 ** 31 - 1), tag(1, 0), varint(2 ** 31 - 1), tag(2, 0), varint(1), len(8, new TextEncoder().encode('W')), len(9, new Uint8Array(4))]));
  const gemm = len(1, concat([len(1, new TextEncoder().encode('x')), len(1, new TextEncoder().encode('W')), len(2, new TextEncoder().encode('y')), len(4, new TextEncoder().encode('Gemm'))]));
  const io = concat([len(11, len(1, new TextEncoder().encode('x'))), len(12, len(1, new TextEncoder().encode('y')))]);
  return [
    { name: 'a length prefix of 2^64 − 1', bytes: concat([tag(7, 2), varint(2n ** 64n - 1n)]) },
    { name: 'a graph length one past the end', bytes: concat([tag(7, 2), varint(5), new Uint8Array(4)]) },
    { name: 'nested empty messages, a megabyte of them', bytes: graphWith(new Uint8Array(1 << 20).fill(0x0a).map((v, i) => (i % 2 ? 0 : v))) },
    { name: 'a tensor of 2^62 values backed by 4 bytes', bytes: graphWith(concat([gemm, hugeTensor, io])) },
    { name: 'float_data claiming more than it holds', bytes: graphWith(concat([gemm, len(5, concat([tag(1, 0), varint(1000), tag(2, 0), varint(1), len(8, new TextEncoder().encode('W')), len(4, new Uint8Array(8))])), io])) },
    { name: '70,000 empty nodes', bytes: graphWith(concat(Array.from({ length: 70_000 }, () => Uint8Array.of(0x0a, 0x00)))) },
    { name: 'a node reading its own output (a cycle)', bytes: graphWith(concat([len(1, concat([len(1, new TextEncoder().encode('x')), len(2, new TextEncoder().encode('y')), len(4, new TextEncoder().encode('Relu'))])), len(1, concat([len(1, new TextEncoder().encode('y')), len(2, new TextEncoder().encode('x')), len(4, new TextEncoder().encode('Relu'))])), io])) },
    { name: 'ten thousand nodes reading the input', bytes: graphWith(concat([...Array.from({ length: 10_000 }, () => gemm), io])) },
    { name: '64-bit dims', bytes: graphWith(concat([gemm, len(5, concat([tag(1, 0), varint(2n ** 63n), tag(2, 0), varint(1), len(8, new TextEncoder().encode('W'))])), io])) },
    { name: 'all 0xff', bytes: new Uint8Array(4096).fill(0xff) },
  ];
}

function report(name: string, tally: Tally, ms: number): void {
  const top = [...tally.reasons.entries()].sort((p, q) => q[1] - p[1]).slice(0, Number(process.env.FUZZ_REASONS ?? 12)).map(([k, v]) => `    ${v}× ${k}`).join('\n');
  if (process.env.NEURITE_FUZZ_VERBOSE) console.log(`${name}: ${tally.cases} cases in ${ms.toFixed(0)} ms (slowest ${tally.slowestMs.toFixed(1)} ms): ${tally.loaded} loaded and predicted finite values, ${tally.rejected} rejected with FileFormatError\n${top}`);
}

describe('fuzzing the loaders', () => {
  it('safetensors: 9,000 mutated files either load as valid models or fail with FileFormatError', () => {
    const bases = saveBases();
    const all = [...byteMutations, ...headerMutations];
    const tally = newTally();
    const start = performance.now();
    const CASES = 9000 * SCALE;
    for (const i of caseIndices(CASES)) {
      const r = new Random(i);
      const base = bases[i % bases.length]!;
      let bytes = base.bytes;
      const whats: string[] = [];
      const steps = r.chance(0.2) ? 2 + r.int(2) : 1;
      for (let s = 0; s < steps; s++) {
        // Later steps work on what the earlier ones produced. A header-level mutation needs a header of the
        // usual shape; when an earlier step broke that, it falls back to a bit flip.
        const mutation = s === 0 ? all[Math.floor(i / bases.length) % all.length]! : r.pick(all);
        let result: { bytes: Uint8Array; what: string };
        try {
          result = mutation(bytes, r);
        } catch (err) {
          if (s === 0) throw err;
          result = byteMutations[0]!(bytes, r);
        }
        bytes = result.bytes;
        whats.push(result.what);
      }
      judge(tally, `case ${i} (${base.name}: ${whats.join(' + ')})`, () => deserializeModel(bytes, { backend: 'ts' }).model);
    }
    const ms = performance.now() - start;
    report('safetensors fuzz', tally, ms);
    if (ONLY !== undefined) return;
    expect(tally.cases).toBe(CASES);
    // both outcomes occur in quantity: the fuzzer reaches the model builder, and the checks fire
    expect(tally.loaded).toBeGreaterThan(500);
    expect(tally.rejected).toBeGreaterThan(5000);
    expect(tally.reasons.size).toBeGreaterThan(30);
    expect(tally.slowestMs).toBeLessThan(1000);
  });

  it('tfjs: 3,000 mutated model.json / weight files either import or fail with FileFormatError', () => {
    const bases = ['tfjs-classifier', 'tfjs-regressor-with-optimizer'].map((name) => ({
      name,
      json: readFileSync(join(fixtures, name, 'model.json'), 'utf8'),
      weights: new Uint8Array(readFileSync(join(fixtures, name, 'weights.bin'))),
    }));
    const tally = newTally();
    const start = performance.now();
    const CASES = 3000 * SCALE;
    for (const i of caseIndices(CASES)) {
      const r = new Random(100_000 + i);
      const base = bases[i % bases.length]!;
      let json: string | unknown = base.json;
      let weights: Uint8Array = base.weights;
      const whats: string[] = [];
      const steps = r.chance(0.25) ? 2 : 1;
      for (let s = 0; s < steps; s++) {
        const kind = (Math.floor(i / bases.length) + s) % 5;
        if (kind === 0 || kind === 1) {
          const parsed = JSON.parse(typeof json === 'string' ? json : JSON.stringify(json));
          const n = 1 + r.int(3);
          for (let k = 0; k < n; k++) {
            // a plausible edit assumes the usual structure, which an earlier edit may have removed
            let what: string;
            try {
              what = kind === 0 ? mutateJson(parsed, r) : plausibleTfjsEdit(parsed, r);
            } catch {
              what = mutateJson(parsed, r);
            }
            whats.push(what);
          }
          json = r.chance(0.5) ? parsed : JSON.stringify(parsed);
        } else if (kind === 2) {
          const text = typeof json === 'string' ? json : JSON.stringify(json);
          const m = r.pick(byteMutations.slice(0, 3))(new TextEncoder().encode(text), r);
          json = new TextDecoder().decode(m.bytes);
          whats.push(`json text: ${m.what}`);
        } else {
          const m = r.chance(0.5) ? r.pick(byteMutations.slice(0, 4))(weights, r) : specialWeights(weights, r);
          weights = m.bytes;
          whats.push(`weights: ${m.what}`);
        }
      }
      if (ONLY !== undefined) console.log(typeof json === 'string' ? json.slice(0, 20000) : JSON.stringify(json).slice(0, 20000));
      judge(tally, `tfjs case ${i} (${base.name}: ${whats.join(' + ')})`, () => fromTfjsLayersModel(json, weights, { backend: 'ts', seed: 1 }));
    }
    const ms = performance.now() - start;
    report('tfjs fuzz', tally, ms);
    if (ONLY !== undefined) return;
    expect(tally.cases).toBe(CASES);
    expect(tally.loaded).toBeGreaterThan(200);
    expect(tally.rejected).toBeGreaterThan(1500);
    expect(tally.slowestMs).toBeLessThan(1000);
  });
  it('onnx: 6,000 mutated graphs either import or fail with FileFormatError, and hostile files fail fast', () => {
    const bases = onnxBases();
    const tally = newTally();
    const start = performance.now();
    const CASES = 6000 * SCALE;
    for (const i of caseIndices(CASES)) {
      const r = new Random(200_000 + i);
      const base = bases[i % bases.length]!;
      let bytes = base.bytes;
      const whats: string[] = [];
      const steps = r.chance(0.3) ? 2 + r.int(2) : 1;
      for (let s = 0; s < steps; s++) {
        // four structural edits for each byte-level one: most files then get past the wire format
        const m = r.chance(0.8) ? mutateProto(bytes, r) : r.pick(byteMutations.slice(0, 4))(bytes, r);
        bytes = m.bytes;
        whats.push(m.what);
      }
      judge(tally, `onnx case ${i} (${base.name}: ${whats.join(' + ')})`, () => fromOnnx(bytes, { backend: 'ts', seed: 1 }));
    }
    const ms = performance.now() - start;
    report('onnx fuzz', tally, ms);
    if (ONLY !== undefined) return;
    expect(tally.cases).toBe(CASES);
    expect(tally.loaded).toBeGreaterThan(500);
    expect(tally.rejected).toBeGreaterThan(2000);
    expect(tally.reasons.size).toBeGreaterThan(30);
    expect(tally.slowestMs).toBeLessThan(1000);

    for (const h of hostileOnnx()) {
      const t0 = performance.now();
      expect(() => fromOnnx(h.bytes, { backend: 'ts' }), h.name).toThrow(FileFormatError);
      expect(performance.now() - t0, h.name).toBeLessThan(2000);
    }
  });
});

/** Edits that keep model.json well-formed but change what it means (mutates j). */
function plausibleTfjsEdit(j: any, r: Random): string {
  const layers: any[] = j?.modelTopology?.config?.layers ?? [];
  const i = layers.length > 0 ? r.int(layers.length) : 0;
  const layer = layers[i] ?? { config: {} };
  const cfg = layer.config ?? {};
  const weights: any[] = j?.weightsManifest?.[0]?.weights ?? [];
  const w = weights.length > 0 ? weights[r.int(weights.length)] : {};
  switch (r.int(10)) {
    case 0:
      layer.class_name = r.pick(['Dense', 'Dropout', 'Activation', 'LeakyReLU', 'ReLU', 'Softmax', 'InputLayer', 'Flatten', 'Conv2D']);
      return `layers[${i}].class_name = ${layer.class_name}`;
    case 1:
      cfg.activation = r.pick(['linear', 'relu', 'sigmoid', 'tanh', 'softmax', 'leaky_relu', 'elu', 'swish', { class_name: 'function', config: 'relu' }]);
      return `layers[${i}].activation = ${JSON.stringify(cfg.activation)}`;
    case 2:
      cfg.units = r.pick([(cfg.units ?? 1) + 1, (cfg.units ?? 2) - 1, 0, 2 ** 31]);
      return `layers[${i}].units = ${cfg.units}`;
    case 3:
      layers.splice(i, 1);
      return `remove layers[${i}]`;
    case 4:
      layers.splice(r.int(layers.length + 1), 0, structuredClone(layer));
      return `duplicate layers[${i}]`;
    case 5:
      cfg.batch_input_shape = r.pick([[null, 5], [null, 3], [null, 4], [5], [null, 0], [null, 28, 28], null]);
      return `layers[${i}].batch_input_shape = ${JSON.stringify(cfg.batch_input_shape)}`;
    case 6:
      w.shape = r.pick([[...(w.shape ?? [])].reverse(), [1], [], [0], [w.shape?.[0] ?? 1, 1]]);
      return `${w.name}.shape = ${JSON.stringify(w.shape)}`;
    case 7:
      w.name = r.pick(weights).name;
      return `weight renamed to ${w.name}`;
    case 8:
      if (w.group) delete w.group;
      else w.group = 'optimizer';
      return `${w.name}.group toggled`;
    default:
      cfg.use_bias = !(cfg.use_bias ?? true);
      return `layers[${i}].use_bias = ${cfg.use_bias}`;
  }
}

function specialWeights(bytes: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const out = bytes.slice();
  if (out.length < 4) return { bytes: out, what: 'weights too short to edit' };
  const dv = new DataView(out.buffer);
  const v = r.pick(FLOAT_SPECIALS);
  dv.setFloat32(4 * r.int(Math.floor(out.length / 4)), v, true);
  return { bytes: out, what: `a weight = ${v}` };
}
