/**
 * ONNX export, checked by running the exported bytes in onnxruntime (its CPU build, from onnxruntime-node)
 * against neurite's own predict.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import * as nn from '../src/index.js';
import { exportOnnx } from '../src/io/onnx.js';
import { saveOnnx } from '../src/io/node.js';
import { varint, floatField, intField } from '../src/io/protobuf.js';
import { rngKey, rngUniform } from '../src/rng.js';
import { expectClose, prepareBackend, testedBackends } from './helpers/backends.js';

function inputs(seed: number, rows: number, cols: number): nn.Tensor {
  const key = rngKey(seed, 55, 0);
  return nn.tensor(Float32Array.from({ length: rows * cols }, (_, i) => 6 * rngUniform(key, i) - 3), [rows, cols]);
}

async function runOnnx(bytes: Uint8Array, x: nn.Tensor): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
    const result = await session.run({ input: new ort.Tensor('float32', x.data, x.shape) });
    const out = result.output!;
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

const models: [string, () => nn.LayerConfig[]][] = [
  [
    'every activation, dropout, l2 and a bias-free layer',
    () => [
      nn.dense(13, { inputShape: [7], activation: 'leakyRelu', alpha: 0.15, kernelRegularizer: nn.l2(0.01) }),
      nn.dropout(0.4),
      nn.dense(9, { activation: 'tanh', useBias: false }),
      nn.dense(5, { activation: 'sigmoid', biasInitializer: 'ones' }),
      nn.dense(4, { activation: 'relu', biasInitializer: 'ones' }),
      nn.dense(3, { activation: 'softmax' }),
    ],
  ],
  [
    'the activations of issue 11 (gelu as Erf nodes, swish and mish as subgraphs, the rest single ops of opset 13)',
    () => [
      nn.dense(13, { inputShape: [7], activation: 'gelu' }),
      nn.dense(11, { activation: 'swish', biasInitializer: 'ones' }),
      nn.dense(9, { activation: 'elu' }),
      nn.dense(8, { activation: 'selu' }),
      nn.dense(7, { activation: 'softplus' }),
      nn.dense(6, { activation: 'softsign' }),
      nn.dense(5, { activation: 'mish' }),
      nn.dense(3),
    ],
  ],
  ['a gelu output layer (the subgraph ends at "output")', () => [nn.dense(4, { inputShape: [3], activation: 'gelu' })]],
  ['silu (swish) then mish at the output', () => [nn.dense(6, { inputShape: [3], activation: 'silu' }), nn.dense(2, { activation: 'mish' })]],
  ['linear regression output', () => [nn.dense(8, { inputShape: [1], activation: 'relu', biasInitializer: 'ones' }), nn.dense(2)]],
  ['a single linear layer without bias', () => [nn.dense(3, { inputShape: [4], useBias: false })]],
  ['dropout first and last', () => [nn.dropout({ rate: 0.2, inputShape: [6] }), nn.dense(5, { activation: 'sigmoid' }), nn.dropout(0.5)]],
  ['dropout only (an identity network)', () => [nn.dropout({ rate: 0.2, inputShape: [3] })]],
  [
    'batch and layer normalisation (with and without gamma/beta), activation layers',
    () => [
      nn.dense(9, { inputShape: [7], useBias: false }), nn.batchNormalization(), nn.activation('leakyRelu', { alpha: 0.1 }),
      nn.dense(6, { activation: 'tanh' }), nn.layerNormalization(), nn.batchNormalization({ scale: false, momentum: 0.5 }),
      nn.layerNormalization({ center: false, epsilon: 1e-5 }), nn.dense(3), nn.activation('softmax'),
    ],
  ],
  ['layer normalisation without gamma or beta, last', () => [nn.dense(5, { inputShape: [4] }), nn.layerNormalization({ scale: false, center: false })]],
];

describe('ONNX export runs in onnxruntime and matches predict', () => {
  beforeAll(async () => {
    for (const b of testedBackends) await prepareBackend(b);
  });

  for (const backend of testedBackends) {
    for (const [name, layers] of models) {
      it(`${name} (${backend})`, async () => {
        const model = nn.sequential(layers(), { backend, seed: 8 });
        const bytes = exportOnnx(model);
        for (const rows of [1, 37]) {
          const x = inputs(rows, rows, model.inputSize);
          const expected = await model.predict(x);
          const got = await runOnnx(bytes, x);
          expect(got.dims).toEqual([rows, model.outputSize]);
          expectClose('onnxruntime output', got.data, expected.data);
        }
        model.dispose();
      });
    }
  }

  it('exports trained normalisation layers (moving statistics) behind a flatten of [2, 3] samples', async () => {
    const model = nn.sequential(
      [nn.flatten({ inputShape: [2, 3] }), nn.dense(8, { useBias: false }), nn.batchNormalization({ momentum: 0.5 }), nn.activation('relu'),
        nn.dense(5, { activation: 'tanh' }), nn.layerNormalization(), nn.dense(3, { activation: 'softmax' })],
      { backend: 'native', seed: 2 },
    );
    model.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
    const x = nn.tensor(inputs(9, 30, 6).data, [30, 2, 3]);
    await model.fit(x, Float32Array.from({ length: 30 }, (_, i) => i % 3), { epochs: 3, batchSize: 10 });
    expect([...model.getWeights()[3]!.data].some((v) => v !== 0), 'moving mean trained').toBe(true);
    const session = await ort.InferenceSession.create(exportOnnx(model));
    try {
      const result = await session.run({ input: new ort.Tensor('float32', x.data, [30, 2, 3]) });
      expectClose('onnxruntime output', result.output!.data as Float32Array, (await model.predict(x)).data);
    } finally {
      await session.release();
    }
    model.dispose();
  });

  it('exports a trained model (not just initial weights) and writes files', async () => {
    const model = nn.sequential([nn.dense(6, { inputShape: [4], activation: 'tanh' }), nn.dense(3, { activation: 'softmax' })], { backend: 'ts', seed: 2 });
    model.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
    const x = inputs(9, 30, 4);
    await model.fit(x, Float32Array.from({ length: 30 }, (_, i) => i % 3), { epochs: 3, batchSize: 10 });
    const dir = mkdtempSync(join(tmpdir(), 'neurite-onnx-'));
    try {
      const path = join(dir, 'model.onnx');
      await saveOnnx(model, path, { extras: { classNames: ['a', 'b', 'c'] } });
      const got = await runOnnx(readFileSync(path), x);
      expectClose('onnxruntime output with extras', got.data, (await model.predict(x)).data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    model.dispose();
  });
});

describe('protobuf encoding', () => {
  it('writes varints as protobuf does, negative int64 in ten bytes', () => {
    expect(Array.from(varint(0))).toEqual([0]);
    expect(Array.from(varint(1))).toEqual([1]);
    expect(Array.from(varint(300))).toEqual([0xac, 0x02]);
    expect(Array.from(varint(2 ** 35))).toEqual([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(Array.from(varint(-1))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('tags fields with number and wire type', () => {
    expect(Array.from(intField(1, 7))).toEqual([0x08, 0x07]);
    expect(Array.from(intField(20, 2))).toEqual([0xa0, 0x01, 0x02]);
    expect(Array.from(floatField(2, 1))).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
  });
});
