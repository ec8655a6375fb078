/**
 * The safetensors container and neurite's model file: byte layout, round trips, and one test per validation
 * rule with the message it must give.
 */
import { describe, it, expect } from 'vitest';
import * as nn from '../src/index.js';
import { decodeSafetensors, encodeSafetensors, MAX_HEADER_BYTES } from '../src/io/safetensors.js';
import { deserializeModel, serializeModel } from '../src/io/model-file.js';

function smallModel(seed = 3): nn.Sequential {
  return nn.sequential(
    [
      nn.dense(3, { inputShape: [2], activation: 'tanh', biasInitializer: 'ones' }),
      nn.dropout(0.5),
      nn.dense(2, { activation: 'softmax', useBias: false }),
    ],
    { backend: 'ts', seed },
  );
}

/** A reader written from the spec, independent of src/io: u64 length, JSON, data section. */
function parseByHand(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  return { n, headerText, header: JSON.parse(headerText), data: bytes.subarray(8 + n), view };
}

/** Rewrite a file's header (keeping its data section) to build broken variants. */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, any>) => unknown, extraData?: Uint8Array): Uint8Array {
  const { header, data } = parseByHand(bytes);
  const edited = (edit(header) ?? header) as object;
  const json = new TextEncoder().encode(JSON.stringify(edited));
  const body = extraData ?? data;
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function loadError(bytes: Uint8Array): Error {
  try {
    deserializeModel(bytes, { backend: 'ts' }).model.dispose();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the load to fail');
}

describe('safetensors container', () => {
  it('round-trips tensors and metadata, 8-byte aligned, with the documented layout', () => {
    const a = Float32Array.from([1, -2.5, 3e-8, 4]);
    const b = Float32Array.from([0.1, 0.2, 0.3]);
    const bytes = encodeSafetensors(
      [
        { name: 'a', shape: [2, 2], data: a },
        { name: 'b.c', shape: [3], data: b },
      ],
      { hello: 'world' },
    );
    const { n, header, data, view } = parseByHand(bytes);
    expect(n % 8).toBe(0);
    expect(view.getUint32(4, true)).toBe(0);
    expect(header.__metadata__).toEqual({ hello: 'world' });
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] });
    expect(header['b.c']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [16, 28] });
    expect(data.length).toBe(28);
    expect(new DataView(data.buffer, data.byteOffset).getFloat32(4, true)).toBe(-2.5);

    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ hello: 'world' });
    expect([...back.tensors.keys()]).toEqual(['a', 'b.c']);
    expect(back.tensors.get('a')).toEqual({ shape: [2, 2], data: a, dtype: 'F32' });
    expect(back.tensors.get('b.c')!.data).toEqual(b);
  });

  it('reads unaligned data sections and zero-size tensors (both are valid safetensors)', () => {
    const json = new TextEncoder().encode('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,5],"data_offsets":[4,4]}}');
    expect(json.length % 4).not.toBe(0);
    const bytes = new Uint8Array(8 + json.length + 4);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, json.length, true);
    bytes.set(json, 8);
    view.setFloat32(8 + json.length, 6.5, true);
    const back = decodeSafetensors(bytes);
    expect(Array.from(back.tensors.get('x')!.data)).toEqual([6.5]);
    expect(back.tensors.get('e')!.data.length).toBe(0);
  });

  it('reads F16, BF16 and F64 (what PyTorch state_dicts may hold) as float32', () => {
    // bit patterns written from the IEEE definitions, not by the code under test
    const f16 = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3555, 0x8000, 0x7c00, 0xfc00]; // 1, -2, 65504, 2^-24, 2^-14, ≈1/3, -0, ±inf
    const bf16 = [0x3f80, 0xc040, 0x3eab, 0x7f7f]; // 1, -3, ≈1/3, ≈3.39e38
    const f64 = [0.1, -1e-300, 1e300, 123.456];
    const json = new TextEncoder().encode(
      JSON.stringify({
        h: { dtype: 'F16', shape: [9], data_offsets: [0, 18] },
        b: { dtype: 'BF16', shape: [2, 2], data_offsets: [18, 26] },
        d: { dtype: 'F64', shape: [4], data_offsets: [26, 58] },
      }),
    );
    const bytes = new Uint8Array(8 + json.length + 58);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, json.length, true);
    bytes.set(json, 8);
    const at = 8 + json.length;
    f16.forEach((h, i) => view.setUint16(at + 2 * i, h, true));
    bf16.forEach((h, i) => view.setUint16(at + 18 + 2 * i, h, true));
    f64.forEach((v, i) => view.setFloat64(at + 26 + 8 * i, v, true));
    const { tensors } = decodeSafetensors(bytes);
    expect(Array.from(tensors.get('h')!.data)).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, (1 + 0x155 / 1024) / 4, -0, Infinity, -Infinity]);
    expect(tensors.get('h')!.dtype).toBe('F16');
    expect(Array.from(tensors.get('b')!.data)).toEqual([1, -3, Math.fround(0.333984375), Math.fround(3.3895313892515355e38)]);
    expect(tensors.get('b')!.shape).toEqual([2, 2]);
    expect(Array.from(tensors.get('d')!.data)).toEqual([Math.fround(0.1), -0, Infinity, Math.fround(123.456)]);
  });

  const valid = encodeSafetensors([{ name: 't', shape: [2], data: Float32Array.from([1, 2]) }]);
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['a file shorter than 8 bytes', () => valid.subarray(0, 5), /file too short \(5 bytes\)/],
    ['a header length past the end', () => valid.subarray(0, 20), /header length \d+ exceeds the file \(20 bytes\)/],
    [
      'a header length of 2^63',
      () => {
        const b = valid.slice();
        new DataView(b.buffer).setBigUint64(0, 2n ** 63n, true);
        return b;
      },
      /header length 9223372036854775808 exceeds the file/,
    ],
    ['a header that is not JSON', () => withHeader(valid, () => ({})).fill(0x41, 8, 10), /not valid JSON|must start with/],
    ['invalid UTF-8', () => withHeader(valid, () => ({})).fill(0xff, 9, 10), /not valid UTF-8/],
    ['a JSON array header', () => withHeader(valid, () => [1, 2]), /must start with "\{"|expected an object/],
    ['dtype I32', () => withHeader(valid, (h) => void (h.t.dtype = 'I32')), /dtype I32 is not supported: neurite reads floating-point weights \(F32, F16, BF16, F64\)/],
    ['an unknown dtype', () => withHeader(valid, (h) => void (h.t.dtype = 'Q4')), /header\.t\.dtype: expected 'F32', 'F16', 'BF16', 'F64', got "Q4"/],
    ['a negative dimension', () => withHeader(valid, (h) => void (h.t.shape = [-2])), /shape\[0\]: expected an integer/],
    ['a fractional dimension', () => withHeader(valid, (h) => void (h.t.shape = [1.5])), /shape\[0\]: expected an integer/],
    ['a huge shape', () => withHeader(valid, (h) => void (h.t.shape = [2 ** 40, 2 ** 12])), /holds more values than the whole data section/],
    ['a rank of 9', () => withHeader(valid, (h) => void (h.t.shape = [1, 1, 1, 1, 1, 1, 1, 1, 2])), /at most 8 entries/],
    ['offsets out of range', () => withHeader(valid, (h) => void (h.t.data_offsets = [0, 12])), /data_offsets\[1\]: expected an integer in \[0, 8\]/],
    ['offsets that disagree with the shape', () => withHeader(valid, (h) => void (h.t.shape = [1])), /spans 8 bytes but shape \[1\] of F32 needs 4/],
    ['reversed offsets', () => withHeader(valid, (h) => void (h.t.data_offsets = [8, 0])), /end 0 is before begin 8/],
    [
      'overlapping tensors',
      () => withHeader(valid, (h) => void (h.u = { dtype: 'F32', shape: [1], data_offsets: [4, 8] })),
      /tensor "u" at bytes \[4, 8\) overlaps tensor "t" at \[0, 8\)/,
    ],
    ['a hole in the data', () => withHeader(valid, (h) => void (h.t = { dtype: 'F32', shape: [1], data_offsets: [4, 8] })), /bytes \[0, 4\) of the data section belong to no tensor/],
    ['trailing bytes', () => withHeader(valid, () => undefined, new Uint8Array(12)), /has 12 bytes but the tensors cover 8/],
    ['metadata that is not a string map', () => withHeader(valid, (h) => void (h.__metadata__ = { a: 1 })), /__metadata__\.a: expected a string/],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what}`, () => {
      let error: unknown;
      try {
        decodeSafetensors(make());
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.startsWith('safetensors: ')).toBe(true);
    });
  }

  it('caps the header at 16 MiB without reading it', () => {
    const bytes = new Uint8Array(8 + MAX_HEADER_BYTES + 8);
    new DataView(bytes.buffer).setUint32(0, MAX_HEADER_BYTES + 1, true);
    expect(() => decodeSafetensors(bytes)).toThrow(/exceeds the 16777216-byte limit/);
  });
});

describe('model file layout (what PyTorch reads)', () => {
  it('stores kernels as [out, in] little-endian, biases as [out], named as nn.Sequential numbers Linear, activation and Dropout modules', () => {
    const model = smallModel();
    const [k0, b0, k2] = model.getWeights();
    const bytes = serializeModel(model);
    const { n, header, data } = parseByHand(bytes);
    expect(n % 8).toBe(0);
    expect(Object.keys(header).sort()).toEqual(['0.bias', '0.weight', '3.weight', '__metadata__']);
    expect(header['0.weight']).toEqual({ dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] });
    expect(header['0.bias']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [24, 36] });
    expect(header['3.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [36, 60] });
    expect(data.length).toBe(60);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    // weight[o][i] = kernel[i][o]
    for (let o = 0; o < 3; o++) for (let i = 0; i < 2; i++) expect(dv.getFloat32(4 * (o * 2 + i), true)).toBe(k0!.data[i * 3 + o]);
    for (let o = 0; o < 3; o++) expect(dv.getFloat32(24 + 4 * o, true)).toBe(b0!.data[o]);
    for (let o = 0; o < 2; o++) for (let i = 0; i < 3; i++) expect(dv.getFloat32(36 + 4 * (o * 3 + i), true)).toBe(k2!.data[i * 2 + o]);

    expect(header.__metadata__.format).toBe('pt');
    const description = JSON.parse(header.__metadata__.neurite);
    expect(description).toEqual({
      format: 'neurite',
      version: 2,
      name: 'sequential',
      inputSize: 2,
      seed: 3,
      layers: [
        { kind: 'dense', units: 3, activation: 'tanh', alpha: 0.3, useBias: true, l2: 0, kernelInitializer: 'glorotUniform', biasInitializer: 'ones' },
        { kind: 'dropout', rate: 0.5 },
        { kind: 'dense', units: 2, activation: 'softmax', alpha: 0.3, useBias: false, l2: 0, kernelInitializer: 'glorotUniform', biasInitializer: 'zeros' },
      ],
    });
    model.dispose();
  });
});

describe('version 1 files (tensors named layers.{i}, i counting neurite layers)', () => {
  it('still load, with the same predictions', async () => {
    const model = smallModel(5);
    const v2 = serializeModel(model);
    const renames: Record<string, string> = { '0.weight': 'layers.0.weight', '0.bias': 'layers.0.bias', '3.weight': 'layers.2.weight' };
    const v1 = withHeader(v2, (h) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(h)) out[renames[k] ?? k] = v;
      const d = JSON.parse(h.__metadata__.neurite);
      d.version = 1;
      (out.__metadata__ as any).neurite = JSON.stringify(d);
      return out;
    });
    const { model: loaded, description } = deserializeModel(v1, { backend: 'ts' });
    expect(description.version).toBe(1);
    const x = [[0.3, -1.2], [2, 0.5]];
    expect(Array.from((await loaded.predict(x)).data)).toEqual(Array.from((await model.predict(x)).data));
    // and a version 1 file with version 2 names is refused, naming what is missing
    expect(() => deserializeModel(withHeader(v2, (h) => void (h.__metadata__.neurite = h.__metadata__.neurite.replace('"version":2', '"version":1'))), { backend: 'ts' })).toThrow(/missing tensor layers\.0\.weight/);
    for (const m of [model, loaded]) m.dispose();
  });
});

describe('model file validation', () => {
  const base = () => serializeModel(smallModel(), { classNames: ['no', 'yes'] });
  const describeEdit = (edit: (d: any) => void) =>
    withHeader(base(), (h) => {
      const d = JSON.parse(h.__metadata__.neurite);
      edit(d);
      h.__metadata__.neurite = JSON.stringify(d);
    });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['no neurite metadata', () => withHeader(base(), (h) => void delete h.__metadata__), /no "neurite" entry in __metadata__/],
    ['metadata that is not JSON', () => withHeader(base(), (h) => void (h.__metadata__.neurite = '{"a":')), /__metadata__\.neurite: not valid JSON/],
    ['a newer format version', () => describeEdit((d) => (d.version = 3)), /format version 3 is newer than this neurite reads/],
    ['an unknown activation', () => describeEdit((d) => (d.layers[0].activation = 'relu6')), /layers\[0\]\.activation: expected one of 'linear'/],
    ["an alias (files hold only the canonical names: 'swish', not 'silu')", () => describeEdit((d) => (d.layers[0].activation = 'silu')), /layers\[0\]\.activation: expected one of 'linear'/],
    ['softmax on a hidden layer', () => describeEdit((d) => (d.layers[0].activation = 'softmax')), /'softmax' is only allowed on the output layer/],
    ['a dropout rate of 1', () => describeEdit((d) => (d.layers[1].rate = 1)), /layers\[1\]\.rate: expected a number in \[0, 1\)/],
    ['an unknown layer kind', () => describeEdit((d) => (d.layers[1].kind = 'conv2d')), /layers\[1\]\.kind: expected one of 'dense', 'dropout'/],
    ['units that do not match the tensors', () => describeEdit((d) => (d.layers[0].units = 4)), /tensor 0\.weight has shape \[3, 2\], the architecture needs \[4, 2\]/],
    ['useBias true without a bias tensor', () => describeEdit((d) => (d.layers[2].useBias = true)), /missing tensor 3\.bias/],
    ['a tensor the architecture lacks', () => describeEdit((d) => (d.layers[0].useBias = false)), /unexpected tensor "0\.bias"/],
    ['a wrong input size', () => describeEdit((d) => (d.inputSize = 5)), /the architecture needs \[3, 5\]/],
    ['no layers', () => describeEdit((d) => (d.layers = [])), /layers: expected at least one layer/],
    ['only dropout layers', () => describeEdit((d) => (d.layers = [{ kind: 'dropout', rate: 0.1 }])), /expected at least one dense layer/],
    ['a seed out of range', () => describeEdit((d) => (d.seed = -1)), /seed: expected an integer in \[0, 4294967295\]/],
    ['class names that do not fit the outputs', () => describeEdit((d) => (d.extras.classNames = ['a', 'b', 'c'])), /3 class names for 2 output units/],
    ['a zero std', () => describeEdit((d) => (d.extras.standardization = { mean: [0, 0], std: [1, 0] })), /standardization\.std\[1\]: expected a finite number > 0/],
    ['a loss that needs another output', () => describeEdit((d) => (d.compile = { loss: 'binaryCrossentropy', optimizer: { kind: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false } })), /'binaryCrossentropy' needs a 'sigmoid' output layer/],
    ['an optimizer with a bad field', () => describeEdit((d) => (d.compile = { loss: 'meanSquaredError', optimizer: { kind: 'adam', learningRate: 0.1, beta1: 1.5, beta2: 0.9, epsilon: 1e-7 } })), /optimizer\.beta1: expected a number in \[0, 1\)/],
    ['optimizer state without compile settings', () => describeEdit((d) => (d.optimizerState = { step: 3 })), /optimizer state without compile settings/],
    ['a prototype-polluting key', () => describeEdit((d) => (d.layers[0] = JSON.parse('{"__proto__": {"kind": "dense"}}'))), /layers\[0\]\.kind: expected a value \(the field is missing\)/],
  ];
  for (const [what, make, message] of cases) {
    it(`rejects ${what}`, () => {
      const error = loadError(make());
      expect(error.message).toMatch(message);
    });
  }

  it('rejects NaN, infinite and absurdly large weights', () => {
    for (const bad of [NaN, Infinity, -1e20]) {
      const bytes = base();
      const { n } = parseByHand(bytes);
      new DataView(bytes.buffer).setFloat32(8 + n + 4, bad, true);
      expect(loadError(bytes).message).toMatch(/tensor 0\.weight holds .* at index 1/);
    }
  });
});
