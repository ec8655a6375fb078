/**
 * No file can crash the loaders. Valid files (safetensors models and real tfjs layers models) are mutated in
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
import { FileFormatError } from '../src/io/untrusted.js';
import { rngKey, rngU32 } from '../src/rng.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'io');

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
    const count = out.length / 4;
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

function report(name: string, tally: Tally, ms: number): void {
  const top = [...tally.reasons.entries()].sort((p, q) => q[1] - p[1]).slice(0, Number(process.env.FUZZ_REASONS ?? 12)).map(([k, v]) => `    ${v}× ${k}`).join('\n');
  console.log(`${name}: ${tally.cases} cases in ${ms.toFixed(0)} ms (slowest ${tally.slowestMs.toFixed(1)} ms): ${tally.loaded} loaded and predicted finite values, ${tally.rejected} rejected with FileFormatError\n${top}`);
}

describe('fuzzing the loaders', () => {
  it('safetensors: 9,000 mutated files either load as valid models or fail with FileFormatError', () => {
    const bases = saveBases();
    const all = [...byteMutations, ...headerMutations];
    const tally = newTally();
    const start = performance.now();
    const CASES = 9000;
    for (let i = 0; i < CASES; i++) {
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
    const CASES = 3000;
    for (let i = 0; i < CASES; i++) {
      const r = new Random(100_000 + i);
      const base = bases[i % bases.length]!;
      let json: string | unknown = base.json;
      let weights: Uint8Array = base.weights;
      const whats: string[] = [];
      const steps = r.chance(0.25) ? 2 : 1;
      for (let s = 0; s < steps; s++) {
        const kind = (Math.floor(i / bases.length) + s) % 4;
        if (kind === 0 || kind === 1) {
          const parsed = JSON.parse(typeof json === 'string' ? json : JSON.stringify(json));
          const n = 1 + r.int(3);
          for (let k = 0; k < n; k++) whats.push(mutateJson(parsed, r));
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
      judge(tally, `tfjs case ${i} (${base.name}: ${whats.join(' + ')})`, () => fromTfjsLayersModel(json, weights, { backend: 'ts', seed: 1 }));
    }
    const ms = performance.now() - start;
    report('tfjs fuzz', tally, ms);
    expect(tally.cases).toBe(CASES);
    expect(tally.loaded).toBeGreaterThan(200);
    expect(tally.rejected).toBeGreaterThan(1500);
    expect(tally.slowestMs).toBeLessThan(1000);
  });
});

function specialWeights(bytes: Uint8Array, r: Random): { bytes: Uint8Array; what: string } {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  const v = r.pick(FLOAT_SPECIALS);
  dv.setFloat32(4 * r.int(out.length / 4), v, true);
  return { bytes: out, what: `a weight = ${v}` };
}
