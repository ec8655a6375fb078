/**
 * ONNX → neurite (nn.loadOnnx): neurite's own export loads back with identical predictions; graphs from
 * torch.onnx.export (a committed file, and opsets 13 to 17 exported during the test with Debian's torch) predict
 * within 1e-5 of torch; hand-built graphs cover each op row and each refusal; the protobuf reader's own checks.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nn from '../src/index.js';
import { fromOnnx } from '../src/io/onnx-import.js';
import { AllocationBudget, forEachField, repeatedInt64, type ProtoField } from '../src/io/protobuf-reader.js';
import { readFloatTensor, readOnnx } from '../src/io/onnx-read.js';
import { bytesField, concat, intField, varint } from '../src/io/protobuf.js';
import { shortestFloat32 } from '../src/io/float-formats.js';
import { FileFormatError, Where } from '../src/io/untrusted.js';
import { rngKey, rngUniform } from '../src/rng.js';
import { expectClose, prepareBackend, testedBackends } from './helpers/backends.js';
import { onnxBytes, type GraphSpec } from './helpers/onnx-builder.js';
import { requireTorch, runPython } from './helpers/python.js';
import { normalCdf } from '../src/backends/ts/normal-cdf.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'test', 'fixtures', 'io');

let dir: string;
beforeAll(async () => {
  for (const b of testedBackends) await prepareBackend(b);
  dir = mkdtempSync(join(tmpdir(), 'neurite-onnx-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function values(seed: number, n: number, scale = 1): number[] {
  const key = rngKey(seed, 77, 0);
  return Array.from({ length: n }, (_, i) => Math.fround((2 * rngUniform(key, i) - 1) * scale));
}

function rows(seed: number, count: number, cols: number): number[][] {
  const v = values(seed, count * cols, 2);
  return Array.from({ length: count }, (_, r) => v.slice(r * cols, (r + 1) * cols));
}

const layerText = (m: nn.Sequential) => m.spec.layers.map((l) => (l.kind === 'dense' ? `${l.units}:${l.activation}${l.useBias ? '' : ':nobias'}` : `dropout`)).join(' ');

describe("neurite's own export loads back with identical predictions", () => {
  const models: [string, () => nn.LayerConfig[]][] = [
    [
      'every activation, dropout, l2 and a bias-free layer',
      () => [
        nn.dense(13, { inputShape: [7], activation: 'leakyRelu', alpha: 0.15, kernelRegularizer: nn.l2(0.01) }),
        nn.dropout(0.4),
        nn.dense(9, { activation: 'tanh', useBias: false }),
        nn.dense(5, { activation: 'sigmoid', biasInitializer: 'ones' }),
        nn.dense(255, { activation: 'relu', biasInitializer: 'ones' }),
        nn.dense(1),
        nn.dense(3, { activation: 'softmax' }),
      ],
    ],
    ['a single linear layer without bias', () => [nn.dense(3, { inputShape: [4], useBias: false })]],
    [
      'the activations of issue 11 (gelu, swish and mish read back from their subgraphs)',
      () => [
        nn.dense(13, { inputShape: [7], activation: 'gelu' }),
        nn.dense(11, { activation: 'swish' }),
        nn.dense(9, { activation: 'elu' }),
        nn.dense(8, { activation: 'selu' }),
        nn.dense(7, { activation: 'softplus' }),
        nn.dense(6, { activation: 'softsign' }),
        nn.dense(5, { activation: 'mish' }),
        nn.dense(3, { activation: 'gelu' }),
      ],
    ],
    ['dropout first and last', () => [nn.dropout({ rate: 0.2, inputShape: [6] }), nn.dense(5, { activation: 'sigmoid' }), nn.dropout(0.5)]],
  ];
  for (const backend of testedBackends) {
    for (const [name, layers] of models) {
      it(`${name} (${backend})`, async () => {
        const model = nn.sequential(layers(), { backend, seed: 8, name: 'exported' });
        const back = await nn.loadOnnx(nn.exportOnnx(model), { backend, seed: 1 });
        expect(back.name).toBe('exported');
        // dropout is an identity at inference: the export leaves it out, so the import has the dense layers only
        expect(layerText(back)).toBe(layerText(model).split(' ').filter((l) => l !== 'dropout').join(' '));
        for (const count of [1, 37]) {
          const x = rows(count, count, model.inputSize);
          expect(Array.from((await back.predict(x)).data)).toEqual(Array.from((await model.predict(x)).data));
        }
        for (const m of [model, back]) m.dispose();
      });
    }
  }

  it('batch normalisation with trained moving statistics, and an activation after it, loads back (inference)', async () => {
    const model = nn.sequential(
      [nn.dense(6, { inputShape: [5], useBias: false }), nn.batchNormalization({ momentum: 0.5, epsilon: 0.01 }), nn.activation('tanh'), nn.dense(3, { activation: 'softmax' })],
      { backend: 'native', seed: 3 },
    );
    model.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
    await model.fit(rows(4, 20, 5), Float32Array.from({ length: 20 }, (_, i) => i % 3), { epochs: 2, batchSize: 5 });
    const back = await nn.loadOnnx(nn.exportOnnx(model), { backend: 'native', seed: 1 });
    expect(back.layerConfigs.map((l) => l.kind)).toEqual(['dense', 'batchNormalization', 'activation', 'dense']);
    back.getWeights().slice(1, 5).forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(model.getWeights()[i + 1]!.data)));
    const x = rows(5, 37, 5);
    expect(Array.from((await back.predict(x)).data)).toEqual(Array.from((await model.predict(x)).data));
    for (const m of [model, back]) m.dispose();
  });

  it('from a file, with the extras it was exported with', async () => {
    const model = nn.sequential([nn.dense(4, { inputShape: [2], activation: 'relu' }), nn.dense(2, { activation: 'softmax' })], { backend: 'ts', seed: 2 });
    const path = join(dir, 'with-extras.onnx');
    await nn.exportOnnx(model, path, { extras: { classNames: ['no', 'yes'], standardization: { mean: [1, 2], std: [3, 4] } } });
    const back = await nn.loadOnnx(path, { backend: 'ts' });
    expect(back.extras).toEqual({ classNames: ['no', 'yes'], standardization: { mean: [1, 2], std: [3, 4] } });
    expect(Array.from((await back.predict([[0.5, -1]])).data)).toEqual(Array.from((await model.predict([[0.5, -1]])).data));
    for (const m of [model, back]) m.dispose();
  });
});

interface TorchGolden {
  torch: string;
  inputs: number[][];
  outputs: number[][];
}

describe('graphs from torch.onnx.export', () => {
  for (const backend of testedBackends) {
    it(`the committed torch-mlp-opset13.onnx (Flatten, Gemm, LeakyReLU, Dropout, Tanh, Softmax axis 1) predicts torch's outputs (${backend})`, async () => {
      const golden = JSON.parse(readFileSync(join(fixtures, 'torch-mlp.json'), 'utf8')) as TorchGolden;
      const model = await nn.loadOnnx(join(fixtures, 'torch-mlp-opset13.onnx'), { backend });
      expect(layerText(model)).toBe('7:leakyRelu 5:tanh 3:softmax');
      expectClose(`vs torch ${golden.torch}`, (await model.predict(golden.inputs)).data, golden.outputs.flat(), { rtol: 1e-5, atol: 1e-6 });
      model.dispose();
    });
  }

  it('opsets 13 to 17 with a dynamic batch, exported now: every op torch writes for an MLP, MatMul + Add, odd sizes', async () => {
    requireTorch();
    const spec = {
      name: 'now',
      seed: 5,
      rows: 13,
      inputs: 7,
      modules: [
        ['Flatten'], ['Linear', 7, 13], ['ReLU'], ['Dropout', 0.5], ['MatMulAdd', 13, 255], ['LeakyReLU', 0.2], ['Linear', 255, 1, false], ['Sigmoid'],
        ['Identity'], ['Linear', 1, 7], ['Tanh'], ['Linear', 7, 13], ['Softmax', -1],
      ],
    };
    writeFileSync(join(dir, 'now.json'), JSON.stringify(spec));
    runPython(null, dir, [join(root, 'scripts', 'torch-interop.py'), 'onnx', join(dir, 'now.json'), dir]);
    const golden = JSON.parse(readFileSync(join(dir, 'now.json'), 'utf8')) as TorchGolden;
    for (let opset = 13; opset <= 17; opset++) {
      for (const backend of testedBackends) {
        const model = await nn.loadOnnx(join(dir, `now-opset${opset}.onnx`), { backend });
        expect(layerText(model)).toBe('13:relu 255:leakyRelu 1:sigmoid:nobias 7:tanh 13:softmax');
        expectClose(`opset ${opset} on ${backend} vs torch ${golden.torch}`, (await model.predict(golden.inputs)).data, golden.outputs.flat(), { rtol: 1e-5, atol: 1e-6 });
        model.dispose();
      }
    }
  });
});

describe('the activations of issue 11 from torch.onnx.export', () => {
  it('GELU (Div, Erf, Add, Mul, Mul with Constant nodes), SiLU and Mish (subgraphs), ELU, SELU, Softplus, Softsign at opsets 13 to 17', async () => {
    requireTorch();
    const spec = {
      name: 'acts',
      seed: 6,
      rows: 13,
      inputs: 7,
      modules: [
        ['Linear', 7, 13], ['GELU'], ['Linear', 13, 11], ['SiLU'], ['Linear', 11, 9], ['ELU'], ['Linear', 9, 8], ['SELU'],
        ['Linear', 8, 7], ['Softplus'], ['Linear', 7, 6], ['Softsign'], ['Linear', 6, 5], ['Mish'], ['Linear', 5, 3],
      ],
    };
    writeFileSync(join(dir, 'acts.json'), JSON.stringify(spec));
    runPython(null, dir, [join(root, 'scripts', 'torch-interop.py'), 'onnx', join(dir, 'acts.json'), dir]);
    const golden = JSON.parse(readFileSync(join(dir, 'acts.json'), 'utf8')) as TorchGolden;
    for (let opset = 13; opset <= 17; opset++) {
      for (const backend of testedBackends) {
        const model = await nn.loadOnnx(join(dir, `acts-opset${opset}.onnx`), { backend });
        expect(layerText(model)).toBe('13:gelu 11:swish 9:elu 8:selu 7:softplus 6:softsign 5:mish 3:linear');
        // torch's outputs are float32 too, and eight layers with weights up to ±1.2 grow both sides' rounding
        // to a few 1e-6: 1e-4 relative still tells each activation from any other
        expectClose(`opset ${opset} on ${backend} vs torch ${golden.torch}`, (await model.predict(golden.inputs)).data, golden.outputs.flat(), { rtol: 1e-4, atol: 1e-5 });
        model.dispose();
      }
    }
  });
});

// ---- hand-built graphs ----

interface RefLayer {
  kernel: number[]; // [in, units]
  bias?: number[];
  units: number;
  activation: 'linear' | 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'softmax' | 'gelu' | 'swish' | 'elu' | 'selu' | 'softplus' | 'softsign' | 'mish';
  alpha?: number;
}

const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
const ELEMENTWISE: Partial<Record<RefLayer['activation'], (v: number) => number>> = {
  gelu: (v) => v * normalCdf(v),
  swish: (v) => v / (1 + Math.exp(-v)),
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  selu: (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v)),
  softplus,
  softsign: (v) => v / (1 + Math.abs(v)),
  mish: (v) => v * Math.tanh(softplus(v)),
};

/** Float64 forward pass: the expected values come from here, not from neurite. */
function reference(layers: RefLayer[], x: number[][]): number[] {
  return x.flatMap((row) => {
    let a = row;
    for (const l of layers) {
      const z = Array.from({ length: l.units }, (_, u) => a.reduce((s, v, i) => s + v * l.kernel[i * l.units + u]!, l.bias?.[u] ?? 0));
      if (l.activation === 'relu') a = z.map((v) => Math.max(0, v));
      else if (l.activation === 'leakyRelu') a = z.map((v) => (v < 0 ? l.alpha! * v : v));
      else if (l.activation === 'sigmoid') a = z.map((v) => 1 / (1 + Math.exp(-v)));
      else if (l.activation === 'tanh') a = z.map(Math.tanh);
      else if (ELEMENTWISE[l.activation]) a = z.map(ELEMENTWISE[l.activation]!);
      else if (l.activation === 'softmax') {
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        a = e.map((v) => v / e.reduce((p, q) => p + q, 0));
      } else a = z;
    }
    return a;
  });
}

/** [rows, cols] row-major → [cols, rows] */
const transposed = (m: number[], r: number, c: number) => Array.from({ length: r * c }, (_, k) => m[(k % r) * c + Math.floor(k / r)]!);

describe('each op row, on hand-built graphs', () => {
  const k1 = values(1, 12); // [4, 3]
  const b1 = values(2, 3);
  const k2 = values(3, 6); // [3, 2]
  const x = rows(9, 5, 4);

  const cases: [string, GraphSpec, RefLayer[]][] = [
    [
      'Gemm with transB=0, alpha and beta; Gemm with a [1, N] bias; Softmax axis 1 by default before opset 13',
      {
        opset: 11,
        nodes: [
          { op: 'Gemm', inputs: ['x', 'W1', 'B1'], outputs: ['h'], attrs: [{ name: 'alpha', f: 0.5 }, { name: 'beta', f: 2 }] },
          { op: 'Relu', inputs: ['h'], outputs: ['r'] },
          { op: 'Gemm', inputs: ['r', 'W2', 'B2'], outputs: ['z'], attrs: [{ name: 'transB', i: 1 }] },
          { op: 'Softmax', inputs: ['z'], outputs: ['y'] },
        ],
        initializers: [
          { name: 'W1', dims: [4, 3], values: k1 },
          { name: 'B1', dims: [3], values: b1, encoding: 'float_data' },
          { name: 'W2', dims: [2, 3], values: transposed(k2, 3, 2), encoding: 'float_data_unpacked' },
          { name: 'B2', dims: [1, 2], values: [0.25, -0.5], encoding: 'double' },
        ],
        outputs: [['y', ['batch', 2]]],
      },
      [
        { kernel: k1.map((v) => 0.5 * v), bias: b1.map((v) => 2 * v), units: 3, activation: 'relu' },
        { kernel: k2, bias: [0.25, -0.5], units: 2, activation: 'softmax' },
      ],
    ],
    [
      'MatMul + Add (bias first), MatMul without Add, a scalar Gemm bias, Identity, Dropout, LeakyRelu default slope',
      {
        nodes: [
          { op: 'Identity', inputs: ['x'], outputs: ['x1'] },
          { op: 'MatMul', inputs: ['x1', 'W1'], outputs: ['m'] },
          { op: 'Add', inputs: ['B1', 'm'], outputs: ['a'] },
          { op: 'LeakyRelu', inputs: ['a'], outputs: ['l'] },
          { op: 'Dropout', inputs: ['l', 'ratio'], outputs: ['d', ''] },
          { op: 'MatMul', inputs: ['d', 'W2'], outputs: ['m2'] },
          { op: 'Sigmoid', inputs: ['m2'], outputs: ['s'] },
          { op: 'Gemm', inputs: ['s', 'I', 'C'], outputs: ['g'] },
          { op: 'Tanh', inputs: ['g'], outputs: ['y'] },
        ],
        initializers: [
          { name: 'W1', dims: [4, 3], values: k1 },
          { name: 'B1', dims: [3], values: b1 },
          { name: 'ratio', dims: [], values: [0.5] },
          { name: 'W2', dims: [3, 2], values: k2 },
          { name: 'I', dims: [2, 2], values: [1, 0, 0, 1] },
          { name: 'C', dims: [], values: [0.75] },
        ],
        outputs: [['y', ['batch', 2]]],
      },
      [
        { kernel: k1, bias: b1, units: 3, activation: 'leakyRelu', alpha: 0.01 },
        { kernel: k2, units: 2, activation: 'sigmoid' },
        { kernel: [1, 0, 0, 1], bias: [0.75, 0.75], units: 2, activation: 'tanh' },
      ],
    ],
    [
      'Elu, Selu (its constants written out), Softplus, Softsign; Gelu of opset 20; Mish of opset 18',
      {
        opset: 20,
        nodes: [
          { op: 'Gemm', inputs: ['x', 'W1', 'B1'], outputs: ['h1'] },
          { op: 'Elu', inputs: ['h1'], outputs: ['a1'], attrs: [{ name: 'alpha', f: 1 }] },
          { op: 'Gemm', inputs: ['a1', 'I3'], outputs: ['h2'] },
          { op: 'Selu', inputs: ['h2'], outputs: ['a2'], attrs: [{ name: 'alpha', f: 1.67326319217681884765625 }, { name: 'gamma', f: 1.05070102214813232421875 }] },
          { op: 'Gemm', inputs: ['a2', 'I3'], outputs: ['h3'] },
          { op: 'Softplus', inputs: ['h3'], outputs: ['a3'] },
          { op: 'Gemm', inputs: ['a3', 'I3', 'B1'], outputs: ['h4'] },
          { op: 'Softsign', inputs: ['h4'], outputs: ['a4'] },
          { op: 'Gemm', inputs: ['a4', 'W2'], outputs: ['h5'] },
          { op: 'Gelu', inputs: ['h5'], outputs: ['a5'], attrs: [{ name: 'approximate', s: 'none' }] },
          { op: 'Gemm', inputs: ['a5', 'I2'], outputs: ['h6'] },
          { op: 'Mish', inputs: ['h6'], outputs: ['y'] },
        ],
        initializers: [
          { name: 'W1', dims: [4, 3], values: k1 },
          { name: 'B1', dims: [3], values: b1 },
          { name: 'I3', dims: [3, 3], values: [1.5, 0, 0, 0, -2, 0, 0.5, 0, 1] },
          { name: 'W2', dims: [3, 2], values: k2 },
          { name: 'I2', dims: [2, 2], values: [2, 0, 0, -3] },
        ],
        outputs: [['y', ['batch', 2]]],
      },
      [
        { kernel: k1, bias: b1, units: 3, activation: 'elu' },
        { kernel: [1.5, 0, 0, 0, -2, 0, 0.5, 0, 1], units: 3, activation: 'selu' },
        { kernel: [1.5, 0, 0, 0, -2, 0, 0.5, 0, 1], units: 3, activation: 'softplus' },
        { kernel: [1.5, 0, 0, 0, -2, 0, 0.5, 0, 1], bias: b1, units: 3, activation: 'softsign' },
        { kernel: k2, units: 2, activation: 'gelu' },
        { kernel: [2, 0, 0, -3], units: 2, activation: 'mish' },
      ],
    ],
    [
      "gelu's Erf pattern with initializer constants and swapped operands (x·0.5 last, 1 + erf), swish as Mul(sigmoid, x)",
      {
        nodes: [
          { op: 'Gemm', inputs: ['x', 'W1', 'B1'], outputs: ['h'] },
          { op: 'Div', inputs: ['h', 'sqrt2'], outputs: ['d'] },
          { op: 'Erf', inputs: ['d'], outputs: ['e'] },
          { op: 'Add', inputs: ['one', 'e'], outputs: ['p'] },
          { op: 'Mul', inputs: ['p', 'h'], outputs: ['m'] },
          { op: 'Mul', inputs: ['half', 'm'], outputs: ['g'] },
          { op: 'Gemm', inputs: ['g', 'W2'], outputs: ['h2'] },
          { op: 'Sigmoid', inputs: ['h2'], outputs: ['s'] },
          { op: 'Mul', inputs: ['s', 'h2'], outputs: ['y'] },
        ],
        initializers: [
          { name: 'W1', dims: [4, 3], values: k1 },
          { name: 'B1', dims: [3], values: b1 },
          { name: 'sqrt2', dims: [], values: [Math.SQRT2] },
          { name: 'one', dims: [1], values: [1], encoding: 'double' },
          { name: 'half', dims: [], values: [0.5] },
          { name: 'W2', dims: [3, 2], values: k2 },
        ],
        outputs: [['y', ['batch', 2]]],
      },
      [
        { kernel: k1, bias: b1, units: 3, activation: 'gelu' },
        { kernel: k2, units: 2, activation: 'swish' },
      ],
    ],
    [
      'an input without a shape (its width comes from the first Gemm)',
      {
        inputs: [['x', undefined]],
        nodes: [{ op: 'Gemm', inputs: ['x', 'W1'], outputs: ['y'] }],
        initializers: [{ name: 'W1', dims: [4, 3], values: k1 }],
        outputs: [['y', undefined]],
      },
      [{ kernel: k1, units: 3, activation: 'linear' }],
    ],
  ];
  for (const [what, graph, expected] of cases) {
    it(what, async () => {
      const model = await nn.loadOnnx(onnxBytes(graph), { backend: 'ts' });
      expectClose(what, (await model.predict(x)).data, reference(expected, x));
      model.dispose();
    });
  }

  it('Flatten of a [batch, 2, 2] input makes 4 features', async () => {
    const graph: GraphSpec = {
      inputs: [['x', ['batch', 2, 2]]],
      nodes: [
        { op: 'Flatten', inputs: ['x'], outputs: ['f'], attrs: [{ name: 'axis', i: 1 }] },
        { op: 'Gemm', inputs: ['f', 'W1', 'B1'], outputs: ['y'] },
      ],
      initializers: [
        { name: 'W1', dims: [4, 3], values: k1 },
        { name: 'B1', dims: [3], values: b1 },
      ],
    };
    const model = fromOnnx(onnxBytes(graph).buffer as ArrayBuffer, { backend: 'ts', name: 'flat' });
    expect(model.inputSize).toBe(4);
    expect(model.name).toBe('flat');
    expectClose('Flatten then Gemm', (await model.predict(x)).data, reference([{ kernel: k1, bias: b1, units: 3, activation: 'linear' }], x));
    model.dispose();
  });
});

describe('refusals name the op, the node or the part at fault', () => {
  const w = (name: string, dims: number[]) => ({ name, dims, values: new Array(dims.reduce((a, b) => a * b, 1)).fill(0.5) });
  const chain = (extra: GraphSpec['nodes'], more: Partial<GraphSpec> = {}): GraphSpec => ({
    nodes: [{ op: 'Gemm', inputs: ['x', 'W', 'B'], outputs: ['h'], name: 'gemm_1' }, ...extra],
    initializers: [w('W', [4, 3]), w('B', [3])],
    ...more,
  });
  const act = (op: string, name = `${op.toLowerCase()}_1`, domain?: string) => chain([{ op, inputs: ['h'], outputs: ['y'], name, domain }]);
  const cases: [string, () => Uint8Array, RegExp][] = [
    ...['Erf', 'Div', 'Conv', 'Constant'].map(
      (op): [string, () => Uint8Array, RegExp] => [`op ${op}`, () => onnxBytes(act(op)), new RegExp(`unsupported op "${op}" in node "${op.toLowerCase()}_1"; neurite imports Gemm, MatMul, Relu, LeakyRelu, Sigmoid, Tanh, Softmax, `)],
    ),
    ['an Elu alpha other than 1', () => onnxBytes(chain([{ op: 'Elu', inputs: ['h'], outputs: ['y'], name: 'e', attrs: [{ name: 'alpha', f: 0.5 }] }])), /node "e" \(Elu\): alpha 0\.5: neurite's elu has alpha 1/],
    ['a Selu with other constants', () => onnxBytes(chain([{ op: 'Selu', inputs: ['h'], outputs: ['y'], name: 's', attrs: [{ name: 'gamma', f: 2 }] }])), /node "s" \(Selu\): alpha 1\.67\d*, gamma 2: neurite's selu has the standard constants/],
    ['the tanh Gelu', () => onnxBytes(chain([{ op: 'Gelu', inputs: ['h'], outputs: ['y'], name: 'g', attrs: [{ name: 'approximate', s: 'tanh' }] }], { opset: 20 })), /node "g" \(Gelu\): approximate 'tanh': neurite's gelu is the exact \(erf\) form/],
    [
      "an Erf pattern with the wrong constant is no gelu (the branch is refused)",
      () =>
        onnxBytes(
          chain(
            [
              { op: 'Div', inputs: ['h', 'two'], outputs: ['d'] },
              { op: 'Erf', inputs: ['d'], outputs: ['e'] },
              { op: 'Add', inputs: ['e', 'one'], outputs: ['p'] },
              { op: 'Mul', inputs: ['h', 'p'], outputs: ['m'] },
              { op: 'Mul', inputs: ['m', 'half'], outputs: ['y'] },
            ],
            { initializers: [w('W', [4, 3]), w('B', [3]), { name: 'two', dims: [], values: [2] }, { name: 'one', dims: [], values: [1] }, { name: 'half', dims: [], values: [0.5] }] },
          ),
        ),
      /tensor "h" feeds 2 nodes .*: neurite imports a chain of layers, not a branching graph/,
    ],
    [
      'a swish whose sigmoid is also read elsewhere is refused',
      () =>
        onnxBytes(
          chain(
            [
              { op: 'Sigmoid', inputs: ['h'], outputs: ['s'] },
              { op: 'Mul', inputs: ['h', 's'], outputs: ['y'] },
              { op: 'Relu', inputs: ['s'], outputs: ['r'] },
            ],
            { outputs: [['y', ['b', 3]]] },
          ),
        ),
      /tensor "h" feeds 2 nodes/,
    ],
    ['an op from another domain', () => onnxBytes(act('FusedGemm', 'fused', 'com.microsoft')), /unsupported op "com\.microsoft\.FusedGemm" in node "fused"/],
    ['an unnamed node', () => onnxBytes(chain([{ op: 'Celu', inputs: ['h'], outputs: ['y'], name: '' }])), /unsupported op "Celu" in node #1 \(unnamed\)/],
    ['a branch', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }, { op: 'Tanh', inputs: ['h'], outputs: ['t'] }])), /tensor "h" feeds 2 nodes .*: neurite imports a chain of layers, not a branching graph/],
    ['two data inputs', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }], { inputs: [['x', ['b', 4]], ['x2', ['b', 4]]] })), /the graph has 2 data inputs \("x", "x2"\)/],
    ['two outputs', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }], { outputs: [['y', ['b', 3]], ['h', ['b', 3]]] })), /the graph has 2 outputs/],
    ['a weight computed by a node', () => onnxBytes({ nodes: [{ op: 'Gemm', inputs: ['x', 'Wt', 'B'], outputs: ['y'], name: 'g' }], initializers: [w('B', [3])] }), /node "g" \(Gemm\): input 1 \("Wt"\) must be a constant \(an initializer\)/],
    ['transA=1', () => onnxBytes({ nodes: [{ op: 'Gemm', inputs: ['x', 'W'], outputs: ['y'], name: 'g', attrs: [{ name: 'transA', i: 1 }] }], initializers: [w('W', [4, 3])] }), /node "g" \(Gemm\): transA=1 is not supported/],
    ['softmax before a layer', () => onnxBytes(chain([{ op: 'Softmax', inputs: ['h'], outputs: ['s'], name: 'sm' }, { op: 'Gemm', inputs: ['s', 'W2'], outputs: ['y'], name: 'g2' }], { initializers: [w('W', [4, 3]), w('B', [3]), w('W2', [3, 3])] })), /node "g2" \(Gemm\): follows the Softmax in node "sm"; neurite applies softmax only on the output layer/],
    ['an activation on the input', () => onnxBytes({ nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'r' }], outputs: [['y', ['b', 4]]] }), /node "r" \(Relu\): comes before any Gemm or MatMul/],
    ['sizes that do not chain', () => onnxBytes(chain([{ op: 'Gemm', inputs: ['h', 'W2'], outputs: ['y'], name: 'g2' }], { initializers: [w('W', [4, 3]), w('B', [3]), w('W2', [5, 3])] })), /node "g2" \(Gemm\): takes 5 features, the data before it has 3/],
    ['a softmax over axis 0', () => onnxBytes(chain([{ op: 'Softmax', inputs: ['h'], outputs: ['y'], name: 'sm', attrs: [{ name: 'axis', i: 0 }] }])), /node "sm" \(Softmax\): axis 0: neurite applies softmax over the features \(axis -1 or 1\)/],
    ['a LeakyRelu slope of 2', () => onnxBytes(chain([{ op: 'LeakyRelu', inputs: ['h'], outputs: ['y'], name: 'l', attrs: [{ name: 'alpha', f: 2 }] }])), /node "l" \(LeakyRelu\): alpha 2: neurite's leakyRelu takes a slope in \[0, 1\]/],
    ['a used dropout mask', () => onnxBytes(chain([{ op: 'Dropout', inputs: ['h'], outputs: ['d', 'mask'], name: 'dr' }, { op: 'Relu', inputs: ['d'], outputs: ['y'] }, { op: 'Identity', inputs: ['mask'], outputs: ['m2'] }])), /node "dr" \(Dropout\): its mask output is used/],
    ['a node off the path', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }, { op: 'Relu', inputs: ['B'], outputs: ['z'], name: 'stray' }])), /node "stray" \(Relu\) is not on the path from the input to the output/],
    ['a chain that misses the output', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['r'] }])), /the chain from input "x" ends at "r", not at the graph's output "y"/],
    ['a tensor produced twice', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['h'], name: 'again' }])), /tensor "h" is produced twice \(by node "again"/],
    ['opset 6', () => onnxBytes({ ...act('Relu'), opset: 6 }), /opset 6 is outside the 7–22 neurite knows/],
    ['no opset', () => onnxBytes({ ...act('Relu'), opset: null }), /no opset for the default ONNX domain/],
    ['external weights', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }], { initializers: [{ ...w('W', [4, 3]), external: true }, w('B', [3])] })), /initializer "W" keeps its data in an external file/],
    ['INT64 weights', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }], { initializers: [{ ...w('W', [4, 3]), dataType: 7 }, w('B', [3])] })), /initializer "W" is INT64; neurite reads FLOAT or DOUBLE weights/],
    ['fewer values than the shape', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }], { initializers: [{ name: 'W', dims: [4, 3], values: new Array(11).fill(1) }, w('B', [3])] })), /initializer "W": raw_data has 44 bytes, shape \[4, 3\] needs 48/],
    ['a shape far beyond the file', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }], { initializers: [{ name: 'W', dims: [2 ** 20, 2 ** 20], values: [1] }, w('B', [3])] })), /initializer "W" of shape \[1048576, 1048576\] holds more values than its \d+ bytes can/],
    ['a bias that does not broadcast', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }], { initializers: [w('W', [4, 3]), w('B', [2])] })), /node "gemm_1" \(Gemm\): bias of shape \[2\] does not broadcast to \[3\]/],
    ['a non-finite weight', () => onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['y'] }], { initializers: [{ name: 'W', dims: [4, 3], values: [1, 2, NaN, 4, 5, 6, 7, 8, 9, 10, 11, 12] }, w('B', [3])] })), /weight 0 holds NaN at index 2/],
    ['a graph without layers', () => onnxBytes({ nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }] }), /no Gemm or MatMul/],
    ['an empty file', () => new Uint8Array(0), /no graph: not an ONNX model file/],
    ['JSON text', () => new TextEncoder().encode('{"modelTopology": {}}'), /wire type|length|varint|field/],
    ['a lying length', () => concat([intField(1, 7), varint((7 << 3) | 2), varint(2 ** 40)]), /field 7: length 1099511627776 exceeds the 0 bytes left in its message/],
    ['a group (wire type 3)', () => concat([intField(1, 7), varint((7 << 3) | 3)]), /field 7: wire type 3 is not one this reader accepts/],
    ['a varint of 11 bytes', () => concat([Uint8Array.of(0x08), new Uint8Array(10).fill(0x80), Uint8Array.of(0)]), /varint is wider than 64 bits|longer than 10 bytes/],
  ];
  for (const [what, make, message] of cases) {
    it(`refuses ${what}`, () => {
      let error: unknown;
      try {
        fromOnnx(make(), { backend: 'ts' }, 'model.onnx').dispose();
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(FileFormatError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.startsWith('model.onnx: ')).toBe(true);
    });
  }

  it('two activations in a row: the first folds into the dense layer, the second is an activation layer', async () => {
    const model = await nn.loadOnnx(onnxBytes(chain([{ op: 'Relu', inputs: ['h'], outputs: ['r'] }, { op: 'Tanh', inputs: ['r'], outputs: ['y'], name: 't' }])), { backend: 'ts' });
    expect(model.layerConfigs.map((l) => (l.kind === 'dense' || l.kind === 'activation' ? `${l.kind}:${l.activation}` : l.kind))).toEqual(['dense:relu', 'activation:tanh']);
    model.dispose();
  });

  it('refuses unknown options and bad sources, naming them', async () => {
    const bytes = onnxBytes(act('Relu'));
    await expect(nn.loadOnnx(bytes, { backend: 'ts', batchSize: 3 } as never)).rejects.toThrow(/loadOnnx: options: unknown key 'batchSize'; accepted keys: backend, seed, name/);
    await expect(nn.loadOnnx(bytes, { name: 5 } as never)).rejects.toThrow(/options\.name: expected a string/);
    await expect(nn.loadOnnx(bytes, { seed: -1, backend: 'ts' })).rejects.toThrow(/seed: expected an integer/);
    await expect(nn.loadOnnx(join(dir, 'missing.onnx'))).rejects.toThrow(/loadOnnx: cannot read .*missing\.onnx: no such file/);
    await expect(nn.loadOnnx(42 as never)).rejects.toThrow(/loadOnnx: source: expected a file path, a Uint8Array or an ArrayBuffer/);
  });
});

describe('the protobuf reader', () => {
  const at = new Where('test');
  const fields = (bytes: Uint8Array) => {
    const out: ProtoField[] = [];
    forEachField(bytes, at, (f) => out.push(f));
    return out;
  };

  it('reads each wire type, negative int64 in ten bytes, packed and unpacked repeated integers alike', () => {
    const message = concat([intField(1, -1), intField(2, 300), bytesField(3, Uint8Array.of(1, 2, 3)), Uint8Array.of(0x25, 0, 0, 0x80, 0x3f), Uint8Array.of(0x29, 1, 2, 3, 4, 5, 6, 7, 8)]);
    const f = fields(message);
    expect(f.map((x) => [x.number, x.wire])).toEqual([[1, 0], [2, 0], [3, 2], [4, 5], [5, 1]]);
    expect(BigInt.asIntN(64, f[0]!.varint)).toBe(-1n);
    expect(f[1]!.varint).toBe(300n);
    expect(Array.from(f[2]!.bytes)).toEqual([1, 2, 3]);
    const packed: number[] = [];
    const unpacked: number[] = [];
    repeatedInt64(fields(bytesField(1, concat([varint(3), varint(-2), varint(2 ** 40)])))[0]!, at, packed, 8);
    for (const v of [3, -2, 2 ** 40]) repeatedInt64(fields(intField(1, v))[0]!, at, unpacked, 8);
    expect(packed).toEqual([3, -2, 2 ** 40]);
    expect(unpacked).toEqual(packed);
    expect(() => repeatedInt64(fields(bytesField(1, concat([varint(1), varint(2), varint(3)])))[0]!, at, [], 2)).toThrow(/more than 2 values/);
  });

  it('reads float attributes back as the decimal that was written (float32 0.15 → 0.15, not 0.15000000596)', () => {
    for (const v of [0.15, 0.01, 0.2, 1, 1e-7, 0.333, 65504]) expect(shortestFloat32(Math.fround(v))).toBe(v);
    expect(shortestFloat32(Math.fround(Math.PI))).toBe(3.1415927);
    expect(shortestFloat32(Infinity)).toBe(Infinity);
  });

  it('refuses truncation, field number 0, wire types 3, 4, 6 and 7, and lengths past the end', () => {
    expect(() => fields(Uint8Array.of(0x08))).toThrow(/a varint runs past the end/);
    expect(() => fields(Uint8Array.of(0x08, 0x80))).toThrow(/a varint runs past the end/);
    expect(() => fields(Uint8Array.of(0x00, 0x01))).toThrow(/field number 0/);
    for (const wire of [3, 4, 6, 7]) expect(() => fields(Uint8Array.of((1 << 3) | wire))).toThrow(new RegExp(`wire type ${wire} is not one this reader accepts`));
    expect(() => fields(Uint8Array.of(0x0a, 0x05, 1, 2))).toThrow(/length 5 exceeds the 2 bytes left/);
    expect(() => fields(Uint8Array.of(0x0d, 1, 2))).toThrow(/a fixed 32-bit value runs past the end/);
    expect(() => fields(concat([Uint8Array.of(0x08), new Uint8Array(9).fill(0xff), Uint8Array.of(0x02)]))).toThrow(/wider than 64 bits/);
  });

  it('never decodes more tensor data than the file holds: the budget is the file size and a valid file stays within it', () => {
    const bytes = nn.exportOnnx(nn.sequential([nn.dense(64, { inputShape: [32] }), nn.dense(16)], { backend: 'ts', seed: 1 }));
    const model = readOnnx(bytes, 'm');
    const budget = new AllocationBudget(bytes.length);
    let decoded = 0;
    for (const t of model.graph.initializers.values()) decoded += readFloatTensor(t, budget, at).byteLength;
    expect(decoded).toBeLessThanOrEqual(bytes.length);
    expect(decoded).toBeGreaterThan(0.95 * bytes.length); // the weights are nearly the whole file: the bound is tight
    // a budget smaller than the data trips, and with a plain Error: a tripped budget is a bug, not a bad file
    const tight = new AllocationBudget(100);
    const big = [...model.graph.initializers.values()].find((t) => t.dims.length === 2)!;
    let error: unknown;
    try {
      readFloatTensor(big, tight, at);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(FileFormatError);
    expect((error as Error).message).toMatch(/beyond the file's 100: a size check is missing/);
  });
});
