/**
 * TensorFlow.js layers models, both ways. Import: files written by tfjs itself (test/fixtures/io/tfjs-*, made by
 * scripts/tfjs-golden.cjs, with tfjs's own predictions, and a model tfjs writes during the test), a
 * Keras-converter-style file written here by hand (checked against a float64 forward pass), and the importer's
 * refusals. Export: nn.exportTfjsLayersModel read by tf.loadLayersModel (@tensorflow/tfjs, cpu backend), over
 * HTTP as a page reads it and from memory, compared with neurite's predictions.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nn from '../src/index.js';
import { fromTfjsLayersModel } from '../src/io/tfjs.js';
import { loadTfjsLayersModel } from '../src/io/node.js';
import { rngKey, rngUniform } from '../src/rng.js';
import { expectClose, prepareBackend, testedBackends } from './helpers/backends.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'io');

describe('files written by TensorFlow.js', () => {
  for (const name of ['tfjs-classifier', 'tfjs-regressor-with-optimizer']) {
    for (const backend of testedBackends) {
      it(`${name} predicts what tfjs predicted (${backend})`, async () => {
        const expected = JSON.parse(readFileSync(join(fixtures, name, 'expected.json'), 'utf8')) as { inputs: number[][]; outputs: number[][] };
        const model = await loadTfjsLayersModel(join(fixtures, name, 'model.json'), { backend });
        const got = await model.predict(expected.inputs);
        expectClose(`${name} outputs`, got.data, expected.outputs.flat());
        model.dispose();
      });
    }
  }

  it('maps the tfjs layers onto neurite layers (LeakyReLU and Activation folded into Dense)', async () => {
    const a = await loadTfjsLayersModel(join(fixtures, 'tfjs-classifier', 'model.json'), { backend: 'ts' });
    expect(a.spec.layers.map((l) => (l.kind === 'dense' ? `${l.units}:${l.activation}${l.useBias ? '' : ':nobias'}` : `dropout:${(l as { rate: number }).rate}`))).toEqual([
      '6:relu',
      'dropout:0.3',
      '7:tanh:nobias',
      '4:leakyRelu',
      '3:softmax',
    ]);
    expect(a.spec.layers[3]!.kind === 'dense' && a.spec.layers[3]!.alpha).toBe(0.2);
    expect(a.name).toBe('sequential_1');
    const b = await loadTfjsLayersModel(join(fixtures, 'tfjs-regressor-with-optimizer', 'model.json'), { backend: 'ts' });
    expect(b.spec.layers.map((l) => (l.kind === 'dense' ? `${l.units}:${l.activation}` : l.kind))).toEqual(['9:sigmoid', '2:linear']);
    a.dispose();
    b.dispose();
  });
});

// ---- a Keras-converter-style file, written here ----

interface HandLayer {
  units: number;
  activation: 'relu' | 'tanh' | 'softmax' | 'linear' | 'sigmoid';
  kernel: Float32Array;
  bias: Float32Array;
}

function values(seed: number, n: number, scale: number): Float32Array {
  const key = rngKey(seed, 31, 0);
  return Float32Array.from({ length: n }, (_, i) => (2 * rngUniform(key, i) - 1) * scale);
}

/** 5 → 7 (Dense linear + ReLU layer) → dropout → 4 (tanh) → 3 (Dense linear + Softmax layer) */
function handLayers(): HandLayer[] {
  return [
    { units: 7, activation: 'relu', kernel: values(1, 35, 1), bias: values(2, 7, 0.5) },
    { units: 4, activation: 'tanh', kernel: values(3, 28, 1), bias: values(4, 4, 0.5) },
    { units: 3, activation: 'softmax', kernel: values(5, 12, 1.5), bias: values(6, 3, 0.5) },
  ];
}

/** The model.json as tensorflowjs_converter writes a Keras 2 Sequential model (model_config, InputLayer, ":0"-free names). */
function handModelJson(paths: string[]): Record<string, unknown> {
  const denseConfig = (name: string, units: number, activation: string) => ({
    class_name: 'Dense',
    config: { name, trainable: true, dtype: 'float32', units, activation, use_bias: true, kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, kernel_regularizer: null },
  });
  return {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      keras_version: '2.15.0',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            { class_name: 'InputLayer', config: { batch_input_shape: [null, 5], dtype: 'float32', sparse: false, ragged: false, name: 'dense_input' } },
            denseConfig('dense', 7, 'linear'),
            { class_name: 'ReLU', config: { name: 're_lu', trainable: true, dtype: 'float32', max_value: null, negative_slope: 0.0, threshold: 0.0 } },
            { class_name: 'Dropout', config: { name: 'dropout', trainable: true, dtype: 'float32', rate: 0.5, noise_shape: null, seed: null } },
            denseConfig('dense_1', 4, 'tanh'),
            denseConfig('dense_2', 3, 'linear'),
            { class_name: 'Softmax', config: { name: 'softmax', trainable: true, dtype: 'float32', axis: -1 } },
          ],
        },
      },
      training_config: { loss: 'categorical_crossentropy' },
    },
    weightsManifest: [
      {
        paths,
        weights: [
          // listed bias-first for one layer: the importer must go by name, not by position
          { name: 'dense/kernel', shape: [5, 7], dtype: 'float32' },
          { name: 'dense/bias', shape: [7], dtype: 'float32' },
          { name: 'dense_1/bias', shape: [4], dtype: 'float32' },
          { name: 'dense_1/kernel', shape: [7, 4], dtype: 'float32' },
          { name: 'dense_2/kernel', shape: [4, 3], dtype: 'float32' },
          { name: 'dense_2/bias', shape: [3], dtype: 'float32' },
        ],
      },
    ],
  };
}

function handWeightBytes(layers: HandLayer[]): Uint8Array {
  const [a, b, c] = layers as [HandLayer, HandLayer, HandLayer];
  const order = [a.kernel, a.bias, b.bias, b.kernel, c.kernel, c.bias];
  const out = new Uint8Array(order.reduce((n, w) => n + w.byteLength, 0));
  let at = 0;
  for (const w of order) {
    const dv = new DataView(out.buffer, at, w.byteLength);
    w.forEach((v, i) => dv.setFloat32(4 * i, v, true));
    at += w.byteLength;
  }
  return out;
}

/** Float64 forward pass of the hand-made network: the expected values come from here, not from neurite. */
function referenceForward(layers: HandLayer[], x: number[][]): number[][] {
  return x.map((row) => {
    let a = row;
    let width = row.length;
    for (const l of layers) {
      const z = Array.from({ length: l.units }, (_, u) => {
        let s = l.bias[u]!;
        for (let i = 0; i < width; i++) s += a[i]! * l.kernel[i * l.units + u]!;
        return s;
      });
      if (l.activation === 'relu') a = z.map((v) => Math.max(0, v));
      else if (l.activation === 'tanh') a = z.map(Math.tanh);
      else if (l.activation === 'softmax') {
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const s = e.reduce((p, q) => p + q, 0);
        a = e.map((v) => v / s);
      } else a = z;
      width = l.units;
    }
    return a;
  });
}

let dir: string;
beforeAll(async () => {
  for (const b of testedBackends) await prepareBackend(b);
  dir = mkdtempSync(join(tmpdir(), 'neurite-tfjs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeHandFixture(folder: string, json = handModelJson(['group1-shard1of2.bin', 'group1-shard2of2.bin'])): string {
  mkdirSync(folder, { recursive: true });
  const bytes = handWeightBytes(handLayers());
  // split inside dense_1/kernel: a weight straddling two shards, as tfjs' 4 MB sharding produces
  const cut = 4 * (35 + 7 + 4 + 5);
  writeFileSync(join(folder, 'group1-shard1of2.bin'), bytes.subarray(0, cut));
  writeFileSync(join(folder, 'group1-shard2of2.bin'), bytes.subarray(cut));
  writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
  return join(folder, 'model.json');
}

describe('a Keras-converter-style file written by hand', () => {
  const x = Array.from({ length: 9 }, (_, r) => Array.from({ length: 5 }, (_, c) => Math.sin(r * 5 + c) * 2));

  it('loads from disk (two shards) and predicts the float64 reference', async () => {
    const path = writeHandFixture(join(dir, 'hand'));
    const model = await loadTfjsLayersModel(path, { backend: 'ts', seed: 3 });
    expect(model.seed).toBe(3);
    expect(model.spec.layers.map((l) => l.kind)).toEqual(['dense', 'dropout', 'dense', 'dense']);
    const got = await model.predict(x);
    expectClose('outputs', got.data, referenceForward(handLayers(), x).flat());
    model.dispose();
  });

  it('loads from bytes in memory (the browser-safe entry point)', async () => {
    const bytes = handWeightBytes(handLayers());
    const model = fromTfjsLayersModel(JSON.stringify(handModelJson(['w.bin'])), bytes.buffer as ArrayBuffer, { backend: 'ts' });
    expectClose('outputs', (await model.predict(x)).data, referenceForward(handLayers(), x).flat());
    model.dispose();
  });

  it('falls back to manifest order when no weight name matches a layer', async () => {
    const json = handModelJson(['w.bin']) as any;
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    // positional fallback expects kernel, bias per layer in order: write them that way
    const [l0, l1, l2] = handLayers() as [HandLayer, HandLayer, HandLayer];
    json.weightsManifest[0].weights = [
      { name: 'a', shape: [5, 7] },
      { name: 'b', shape: [7] },
      { name: 'c', shape: [7, 4] },
      { name: 'd', shape: [4] },
      { name: 'e', shape: [4, 3] },
      { name: 'f', shape: [3] },
    ].map((w, i) => ({ ...w, name: names[i], dtype: 'float32' }));
    const data = new Float32Array([...l0.kernel, ...l0.bias, ...l1.kernel, ...l1.bias, ...l2.kernel, ...l2.bias]);
    const model = fromTfjsLayersModel(json, new Uint8Array(data.buffer), { backend: 'ts' });
    expectClose('outputs', (await model.predict(x)).data, referenceForward(handLayers(), x).flat());
    model.dispose();
  });
});

describe('refusals, each with a message that says what is wrong', () => {
  const bytes = handWeightBytes(handLayers());
  const edit = (change: (j: any) => void) => {
    const j = handModelJson(['w.bin']) as any;
    change(j);
    return j;
  };
  const layersOf = (j: any) => j.modelTopology.model_config.config.layers;
  const cases: [string, () => unknown, RegExp][] = [
    ['a graph model', () => edit((j) => (j.format = 'graph-model')), /'graph-model' is not a layers model/],
    ['a functional model', () => edit((j) => (j.modelTopology.model_config.class_name = 'Functional')), /"Functional" models are not supported; neurite imports Sequential models/],
    [
      'unsupported layers, named',
      () => edit((j) => layersOf(j).splice(2, 0, { class_name: 'Conv2D', config: { name: 'conv' } }, { class_name: 'GRU', config: { name: 'gru' } })),
      /unsupported layers Conv2D \('conv'\), GRU \('gru'\); neurite imports InputLayer, Dense/,
    ],
    ['an unknown activation', () => edit((j) => (layersOf(j)[4].config.activation = 'relu6')), /activation 'relu6' is not supported \(neurite has linear, relu, leaky_relu, sigmoid, tanh, softmax, gelu, swish, silu, elu, selu, softplus, softsign, mish\)/],
    ['a softmax over another axis', () => edit((j) => (layersOf(j)[6].config.axis = 2)), /layers\[6\]\.config\.axis: expected -1 or 1 \(softmax over the units\), got 2/],
    ['a non-flat input', () => edit((j) => (layersOf(j)[0].config.batch_input_shape = [null, 28, 28])), /an input of shape \[null, 28, 28\] needs a Flatten layer first/],
    ['batch normalisation over another axis', () => edit((j) => layersOf(j).splice(2, 0, { class_name: 'BatchNormalization', config: { name: 'bn', axis: 2 } })), /config\.axis: expected -1 or 1 \(normalisation over the features\), got 2/],
    ['no input shape', () => edit((j) => layersOf(j).shift()), /no input shape/],
    ['softmax before the output', () => edit((j) => (layersOf(j)[4].config.activation = 'softmax')), /softmax on 'dense_1', which is not the output layer/],
    ['quantized weights', () => edit((j) => (j.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 1, min: 0 })), /quantized weights are not supported/],
    ['a non-float weight', () => edit((j) => (j.weightsManifest[0].weights[0].dtype = 'int32')), /weights\[0\]\.dtype: expected 'float32'/],
    ['a weight with the wrong shape', () => edit((j) => (j.weightsManifest[0].weights[0].shape = [7, 5])), /weight dense\/kernel has shape \[7, 5\], layer needs \[5, 7\]/],
    ['a missing weight', () => edit((j) => (j.weightsManifest[0].weights[1].name = 'other/bias')), /no weight named dense\/bias|belongs to no Dense layer/],
    ['an absurd shape', () => edit((j) => (j.weightsManifest[0].weights[0].shape = [2 ** 30, 2 ** 30])), /is larger than any weight file neurite reads/],
    ['a dropout rate of 1', () => edit((j) => (layersOf(j)[3].config.rate = 1)), /rate: expected a number in \[0, 1\)/],
    ['JSON that is not an object', () => '[1, 2, 3]', /model\.json: value: expected an object/],
    ['broken JSON', () => '{"modelTopology": ', /model\.json: not valid JSON/],
  ];
  for (const [what, make, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(() => fromTfjsLayersModel(make(), bytes, { backend: 'ts' })).toThrow(message);
    });
  }

  it('refuses weight data of the wrong size', () => {
    expect(() => fromTfjsLayersModel(handModelJson(['w.bin']), bytes.subarray(4), { backend: 'ts' })).toThrow(/the weight files hold 352 bytes but weightsManifest describes 356/);
  });

  it('refuses non-finite weights', () => {
    const bad = bytes.slice();
    new DataView(bad.buffer).setFloat32(8, NaN, true);
    expect(() => fromTfjsLayersModel(handModelJson(['w.bin']), bad, { backend: 'ts' })).toThrow(/weight dense\/kernel holds NaN at index 2/);
  });

  it('never reads outside the model folder', async () => {
    for (const p of ['../outside.bin', '/etc/passwd', 'a/../../b.bin', 'C:\\x.bin']) {
      const path = writeHandFixture(join(dir, 'escape'), handModelJson([p]));
      await expect(loadTfjsLayersModel(path, { backend: 'ts' })).rejects.toThrow(/must be a relative path inside the model's folder/);
    }
  });

  it('checks the shard sizes against the manifest before reading them', async () => {
    const path = writeHandFixture(join(dir, 'short'));
    writeFileSync(join(dir, 'short', 'group1-shard2of2.bin'), new Uint8Array(10));
    await expect(loadTfjsLayersModel(path, { backend: 'ts' })).rejects.toThrow(/the weight files hold \d+ bytes but weightsManifest describes 356/);
    rmSync(join(dir, 'short', 'group1-shard2of2.bin'));
    await expect(loadTfjsLayersModel(path, { backend: 'ts' })).rejects.toThrow(/group1-shard2of2\.bin: no such file/);
  });
});

it('imported models train like any other', async () => {
  const model = await loadTfjsLayersModel(join(fixtures, 'tfjs-classifier', 'model.json'), { backend: 'ts', seed: 1 });
  model.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
  const x = nn.tensor(values(9, 60, 2), [12, 5]);
  const y = Float32Array.from({ length: 12 }, (_, i) => i % 3);
  const first = (await model.evaluate(x, y)).loss;
  await model.fit(x, y, { epochs: 30, batchSize: 12 });
  expect((await model.evaluate(x, y)).loss).toBeLessThan(first);
  model.dispose();
});

// ---- against TensorFlow.js itself (@tensorflow/tfjs, cpu backend) ----

describe('with TensorFlow.js', () => {
  let tf: typeof import('@tensorflow/tfjs');
  let server: Server;
  let base: string;
  beforeAll(async () => {
    tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    // tf.loadLayersModel(url) as a page calls it: model.json and weights.bin over HTTP from this test's folder
    server = createServer((req, res) => {
      const path = join(dir, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
      try {
        const body = readFileSync(path);
        res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const x = Array.from({ length: 13 }, (_, r) => Array.from({ length: 7 }, (_, c) => Math.fround(Math.cos(r * 7 + c) * 2)));

  const exports: [string, () => nn.LayerConfig[]][] = [
    [
      'every activation, a bias-free layer, l2, odd sizes',
      () => [
        nn.dense(13, { inputShape: [7], activation: 'leakyRelu', alpha: 0.15, kernelRegularizer: nn.l2(0.01) }),
        nn.dropout(0.4),
        nn.dense(255, { activation: 'tanh', useBias: false }),
        nn.dense(1, { activation: 'sigmoid', biasInitializer: 'ones', kernelInitializer: 'heNormal' }),
        nn.dense(7, { activation: 'relu', biasInitializer: 'ones' }),
        nn.dense(5),
        nn.dense(3, { activation: 'softmax' }),
      ],
    ],
    [
      'normalisation and activation layers',
      () => [
        nn.dense(9, { inputShape: [7], useBias: false }), nn.batchNormalization({ momentum: 0.9 }), nn.activation('leakyRelu', { alpha: 0.1 }),
        nn.dense(6, { activation: 'tanh' }), nn.layerNormalization({ center: false }), nn.batchNormalization({ scale: false }),
        nn.activation('relu'), nn.dense(3, { activation: 'softmax' }),
      ],
    ],
    [
      'the activations of issue 11, each as a Dense activation tfjs knows',
      () => [
        nn.dense(13, { inputShape: [7], activation: 'gelu' }),
        nn.dense(11, { activation: 'swish' }),
        nn.dense(9, { activation: 'elu' }),
        nn.dense(8, { activation: 'selu' }),
        nn.dense(7, { activation: 'softplus' }),
        nn.dense(6, { activation: 'softsign' }),
        nn.dense(5, { activation: 'mish' }),
        nn.dense(3),
      ],
    ],
    ['dropout first, names tfjs would refuse and a duplicate', () => [nn.dropout({ rate: 0.2, inputShape: [7], name: 'in put' }), nn.dense(4, { activation: 'relu', name: 'same' }), nn.dense(2, { name: 'same' })]],
  ];
  for (const [what, layers] of exports) {
    it(`exportTfjsLayersModel → tf.loadLayersModel over HTTP predicts what neurite predicts: ${what}`, async () => {
      const model = nn.sequential(layers(), { backend: 'ts', seed: 4 });
      const folder = `export-${what.length}`;
      await nn.exportTfjsLayersModel(model, join(dir, folder));
      const tfModel = await tf.loadLayersModel(`${base}/${folder}/model.json`);
      const ours = (await model.predict(x)).data;
      const theirs = (tfModel.predict(tf.tensor2d(x)) as import('@tensorflow/tfjs').Tensor).dataSync();
      expectClose('tfjs vs neurite', theirs, ours, { rtol: 1e-5, atol: 1e-6 });
      // and back into neurite: the same network, the same numbers
      const back = await loadTfjsLayersModel(join(dir, folder, 'model.json'), { backend: 'ts' });
      expect(Array.from((await back.predict(x)).data)).toEqual(Array.from(ours));
      expect(back.spec.layers.map((l) => l.kind)).toEqual(model.spec.layers.map((l) => l.kind));
      for (const m of [model, back]) m.dispose();
      tfModel.dispose();
    });
  }

  it('imports BatchNormalization (moving statistics), LayerNormalization, Activation and Flatten as tfjs saves them', async () => {
    const t = tf;
    const tfModel = t.sequential({
      layers: [
        t.layers.flatten({ inputShape: [2, 3] }),
        t.layers.dense({ units: 8, useBias: false }),
        t.layers.batchNormalization({ momentum: 0.9, epsilon: 0.01 }),
        t.layers.activation({ activation: 'relu' }),
        t.layers.dense({ units: 5, activation: 'tanh' }),
        t.layers.layerNormalization({ epsilon: 1e-4 }),
        t.layers.batchNormalization({ center: false }),
        t.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    // moving statistics and gammas away from their initial 0 and 1, so a mix-up shows
    for (const layer of tfModel.layers) {
      const ws = layer.getWeights();
      if (layer.getClassName() === 'Dense') continue;
      layer.setWeights(ws.map((w, k) => t.tensor(Array.from({ length: w.size }, (_, i) => 0.5 + 0.3 * Math.sin(i + 3 * k)), w.shape)));
    }
    let saved: import('@tensorflow/tfjs').io.ModelArtifacts | undefined;
    await tfModel.save(t.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const modelJson = { format: 'layers-model', modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: saved!.weightSpecs }] };
    const model = nn.fromTfjsLayersModel(modelJson, new Uint8Array(saved!.weightData as ArrayBuffer), { backend: 'ts' });
    expect(model.layerConfigs.map((l) => l.kind)).toEqual([
      'flatten', 'dense', 'batchNormalization', 'activation', 'dense', 'layerNormalization', 'batchNormalization', 'dense',
    ]);
    const xs = Array.from({ length: 13 }, (_, r) => Array.from({ length: 2 }, (_, a) => Array.from({ length: 3 }, (_, b) => Math.fround(Math.cos(r * 6 + a * 3 + b) * 2))));
    const theirs = (tfModel.predict(t.tensor3d(xs)) as import('@tensorflow/tfjs').Tensor).dataSync();
    const ours = (await model.predict(nn.tensor(Float32Array.from(xs.flat(2)), [13, 2, 3]))).data;
    expectClose('tfjs vs neurite at inference', ours, theirs, { rtol: 1e-5, atol: 1e-6 });
    model.dispose();
  });

  it('imports the activations of issue 11 as tfjs writes them, as Dense options and as Activation layers, on every backend', async () => {
    const tfl = tf.layers;
    const names = ['gelu', 'swish', 'elu', 'selu', 'softplus', 'softsign', 'mish'] as const;
    const tfModel = tf.sequential({
      layers: [
        tfl.dense({ units: 13, inputShape: [7], activation: 'gelu', biasInitializer: 'randomNormal' }),
        ...names.slice(1).map((activation, i) => tfl.dense({ units: 12 - i, activation, biasInitializer: 'randomNormal' })),
        ...names.flatMap((activation, i) => [tfl.dense({ units: 9 - i, biasInitializer: 'randomNormal' }), tfl.activation({ activation })]),
        tfl.dense({ units: 3 }),
      ],
    });
    let files: { json: { modelTopology: unknown }; weights: Uint8Array } | undefined;
    await tfModel.save(
      tf.io.withSaveHandler(async (a) => {
        files = { json: { modelTopology: a.modelTopology, format: a.format, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] } as { modelTopology: unknown }, weights: new Uint8Array(a.weightData as ArrayBuffer) };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const expected = (tfModel.predict(tf.tensor2d(x)) as import('@tensorflow/tfjs').Tensor).dataSync();
    for (const backend of testedBackends) {
      await prepareBackend(backend);
      const model = nn.fromTfjsLayersModel(files!.json, files!.weights, { backend });
      expect(model.spec.layers.map((l) => (l.kind === 'dense' ? l.activation : l.kind))).toEqual([...names, ...names, 'linear']);
      // tfjs's erf is Abramowitz–Stegun 7.1.26 (error up to 1.5e-7) and its layers run in float32
      expectClose(`neurite (${backend}) vs tfjs`, (await model.predict(x)).data, expected, { rtol: 1e-5, atol: 2e-6 });
      model.dispose();
    }
    // Keras 3 writes swish as 'silu'
    const keras3 = JSON.parse(JSON.stringify(files!.json).replace('"activation":"swish"', '"activation":"silu"')) as { modelTopology: unknown };
    expect(JSON.stringify(keras3)).toContain('"silu"');
    const fromKeras3 = nn.fromTfjsLayersModel(keras3, files!.weights, { backend: 'ts' });
    expect(fromKeras3.spec.layers[1]!.kind === 'dense' && fromKeras3.spec.layers[1]!.activation).toBe('swish');
    fromKeras3.dispose();
    tfModel.dispose();
  });

  it('the bytes variant (for browsers) loads with tf.io.fromMemory and keeps l2 and the layer names', async () => {
    const model = nn.sequential([nn.dense(5, { inputShape: [7], activation: 'relu', kernelRegularizer: nn.l2(0.02), name: 'hidden' }), nn.dense(2, { activation: 'softmax' })], { backend: 'ts', seed: 9 });
    const { modelJson, weights } = nn.exportTfjsLayersModel(model);
    const json = JSON.parse(modelJson);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(weights.byteLength).toBe(4 * model.countParams());
    const tfModel = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weights.slice().buffer }));
    expect(tfModel.layers.map((l) => l.name)).toEqual(['hidden', 'dense_1']);
    expect((tfModel.layers[0]!.getConfig().kernelRegularizer as { config: { l2: number } }).config.l2).toBeCloseTo(0.02, 7);
    expectClose('tfjs vs neurite', (tfModel.predict(tf.tensor2d(x)) as import('@tensorflow/tfjs').Tensor).dataSync(), (await model.predict(x)).data);
    const back = nn.fromTfjsLayersModel(modelJson, weights, { backend: 'ts' });
    expect(back.spec.layers[0]!.kind === 'dense' && back.spec.layers[0]!.l2).toBe(0.02);
    for (const m of [model, back]) m.dispose();
    tfModel.dispose();
  });

  it('imports what tfjs writes for every layer neurite has: Dense activations, Activation, ReLU, LeakyReLU, Softmax (axis 1), Dropout', async () => {
    const tfl = tf.layers;
    const tfModel = tf.sequential({
      layers: [
        tfl.dense({ units: 13, inputShape: [7], activation: 'relu', biasInitializer: 'randomNormal' }),
        tfl.dense({ units: 9, activation: 'sigmoid' }),
        tfl.dropout({ rate: 0.25 }),
        tfl.dense({ units: 8, activation: 'tanh', useBias: false }),
        tfl.dense({ units: 7, biasInitializer: 'randomNormal' }),
        tfl.leakyReLU({ alpha: 0.15 }),
        tfl.dense({ units: 6 }),
        tfl.activation({ activation: 'relu' }),
        tfl.dense({ units: 5 }),
        tfl.reLU(),
        tfl.dense({ units: 4, activation: 'linear' }),
        tfl.dense({ units: 3 }),
        tfl.softmax(),
      ],
    });
    const softmaxConfig = tfModel.layers.at(-1)!.getConfig();
    expect(softmaxConfig.axis).toBe(1); // what tfjs writes, and what the importer used to refuse
    let files: { json: unknown; weights: Uint8Array } | undefined;
    await tfModel.save(
      tf.io.withSaveHandler(async (a) => {
        const data = a.weightData as ArrayBuffer;
        files = { json: { modelTopology: a.modelTopology, format: a.format, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }, weights: new Uint8Array(data) };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const model = nn.fromTfjsLayersModel(files!.json, files!.weights, { backend: 'ts' });
    expect(model.spec.layers.map((l) => (l.kind === 'dense' ? `${l.units}:${l.activation}` : l.kind))).toEqual([
      '13:relu', '9:sigmoid', 'dropout', '8:tanh', '7:leakyRelu', '6:relu', '5:relu', '4:linear', '3:softmax',
    ]);
    expectClose('neurite vs tfjs', (await model.predict(x)).data, (tfModel.predict(tf.tensor2d(x)) as import('@tensorflow/tfjs').Tensor).dataSync(), { rtol: 1e-5, atol: 1e-6 });
    model.dispose();
    tfModel.dispose();
  });
});
