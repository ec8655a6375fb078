/**
 * PyTorch interop. Two directions:
 * - torch → neurite: committed fixtures written by scripts/torch-golden.py (torch-initialised weights, inputs and
 *   torch's outputs) load into neurite and predict torch's outputs. Runs everywhere.
 * - neurite → torch: a neurite-saved file goes through `nn.Module.load_state_dict(strict=True)` in real PyTorch
 *   when /usr/bin/python3 has torch; without torch the same test checks the file's exact bytes instead.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nn from '../src/index.js';
import { deserializeModel, serializeModel } from '../src/io/model-file.js';
import { rngKey, rngU32, rngUniform } from '../src/rng.js';
import { expectClose, prepareBackend, testedBackends } from './helpers/backends.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = join(root, 'test', 'fixtures', 'io');
const PYTHON = '/usr/bin/python3';
const script = join(root, 'scripts', 'torch-golden.py');
// NEURITE_NO_TORCH=1 exercises the no-torch path on a machine that has torch
const hasTorch = process.env.NEURITE_NO_TORCH !== '1' && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

interface Golden {
  torch: string;
  inputs: number[][];
  outputs: number[][];
}

describe('torch → neurite (committed golden files)', () => {
  for (const name of ['torch-classifier', 'torch-regressor']) {
    for (const backend of testedBackends) {
      it(`${name}.safetensors predicts torch's outputs (${backend})`, async () => {
        const golden = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as Golden;
        const { model, extras } = deserializeModel(readFileSync(join(fixtures, `${name}.safetensors`)), { backend });
        expect(model.inputSize).toBe(golden.inputs[0]!.length);
        const got = await model.predict(golden.inputs);
        expectClose(`${name} vs torch ${golden.torch}`, got.data, golden.outputs.flat());
        if (name === 'torch-classifier') expect(extras.classNames).toEqual(['ant', 'bee', 'cicada', 'dragonfly']);
        model.dispose();
      });
    }
  }
});

function inputs(seed: number, rows: number, cols: number): number[][] {
  const key = rngKey(seed, 66, 0);
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => 4 * rngUniform(key, r * cols + c) - 2));
}

let dir: string;
beforeAll(async () => {
  for (const b of testedBackends) await prepareBackend(b);
  dir = mkdtempSync(join(tmpdir(), 'neurite-torch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the file must contain, computed from the model's weights and the format's definition alone. */
function checkExactBytes(bytes: Uint8Array, model: nn.Sequential): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  expect(n % 8).toBe(0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const expected: number[] = [];
  let w = 0;
  const weights = model.getWeights();
  model.spec.layers.forEach((layer, i) => {
    if (layer.kind !== 'dense') return;
    const kernel = weights[w++]!;
    expect(header[`layers.${i}.weight`]).toEqual({ dtype: 'F32', shape: [layer.units, layer.inputSize], data_offsets: [4 * expected.length, 4 * (expected.length + kernel.size)] });
    for (let o = 0; o < layer.units; o++) for (let k = 0; k < layer.inputSize; k++) expected.push(kernel.data[k * layer.units + o]!);
    if (layer.useBias) {
      const bias = weights[w++]!;
      expect(header[`layers.${i}.bias`]).toEqual({ dtype: 'F32', shape: [layer.units], data_offsets: [4 * expected.length, 4 * (expected.length + layer.units)] });
      expected.push(...bias.data);
    }
  });
  const data = new Uint8Array(new Float32Array(expected).buffer);
  expect(bytes.length).toBe(8 + n + data.length);
  expect(Buffer.from(bytes.subarray(8 + n)).equals(Buffer.from(data))).toBe(true);
}

describe(`neurite → torch (${hasTorch ? 'PyTorch load_state_dict' : 'no torch here: exact byte layout'})`, () => {
  for (const backend of testedBackends) {
    it(`a trained neurite model saved on '${backend}' loads into torch's nn.Sequential and predicts the same`, async () => {
      const model = nn.sequential(
        [
          nn.dense(11, { inputShape: [6], activation: 'leakyRelu', alpha: 0.05 }),
          nn.dropout(0.2),
          nn.dense(7, { activation: 'tanh', useBias: false }),
          nn.dense(5, { activation: 'sigmoid' }),
          nn.dense(8, { activation: 'relu' }),
          nn.dense(3, { activation: 'softmax' }),
        ],
        { backend, seed: 12 },
      );
      model.compile({ optimizer: nn.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy' });
      const x = inputs(1, 13, 6);
      const key = rngKey(5, 1, 1);
      await model.fit(x, Float32Array.from({ length: 13 }, (_, i) => rngU32(key, i) % 3), { epochs: 5, batchSize: 4 });
      const bytes = serializeModel(model, { includeOptimizer: true });
      const ours = await model.predict(x);

      if (hasTorch) {
        const modelPath = join(dir, `model-${backend}.safetensors`);
        const inputsPath = join(dir, `inputs-${backend}.json`);
        writeFileSync(modelPath, bytes);
        writeFileSync(inputsPath, JSON.stringify({ inputs: x }));
        const run = spawnSync(PYTHON, [script, 'predict', modelPath, inputsPath], { encoding: 'utf8' });
        expect(run.stderr).toBe('');
        expect(run.status).toBe(0);
        const torch = JSON.parse(run.stdout) as { outputs: number[][]; torch: string };
        expectClose(`torch ${torch.torch} vs neurite`, Float32Array.from(torch.outputs.flat()), ours.data);
      } else {
        checkExactBytes(serializeModel(model), model);
      }
      model.dispose();
    });
  }

  it('the byte layout is exactly the one the format defines (checked with or without torch)', () => {
    const model = nn.sequential([nn.dense(3, { inputShape: [4], activation: 'relu' }), nn.dropout(0.1), nn.dense(2, { useBias: false })], { backend: 'ts', seed: 1 });
    checkExactBytes(serializeModel(model), model);
    model.dispose();
  });

  it(`the committed golden files ${hasTorch ? "reproduce through the script's torch forward" : 'have the exact layout neurite writes'}`, async () => {
    for (const name of ['torch-classifier', 'torch-regressor']) {
      const golden = JSON.parse(readFileSync(join(fixtures, `${name}.json`), 'utf8')) as Golden;
      const file = readFileSync(join(fixtures, `${name}.safetensors`));
      if (hasTorch) {
        const inputsPath = join(dir, `${name}-inputs.json`);
        writeFileSync(inputsPath, JSON.stringify({ inputs: golden.inputs }));
        const run = spawnSync(PYTHON, [script, 'predict', join(fixtures, `${name}.safetensors`), inputsPath], { encoding: 'utf8' });
        expect(run.status).toBe(0);
        expectClose(name, Float32Array.from(JSON.parse(run.stdout).outputs.flat()), golden.outputs.flat(), { rtol: 1e-6, atol: 1e-7 });
      } else {
        const { model } = deserializeModel(file, { backend: 'ts' });
        checkExactBytes(file, model);
        model.dispose();
      }
    }
  });
});
