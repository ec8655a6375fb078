/**
 * Save and load of models with normalisation, activation and flatten layers: the moving statistics travel with
 * the weights, the optimizer state covers the trainable tensors only, and the file is the state_dict of the
 * plain PyTorch nn.Sequential (BatchNorm1d, LayerNorm, activation modules, Flatten), which real PyTorch loads
 * strictly and runs to the same outputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { decodeSafetensors, deserializeModel, serializeModel, torchCode, describeModel } from '../src/io/index.js';
import { rngKey, rngUniform } from '../src/rng.js';
import { expectClose } from './helpers/backends.js';
import { runPython } from './helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'neurite-norm-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function data(seed: number, rows: number, shape: number[]): nn.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const key = rngKey(seed, 77, 0);
  return nn.tensor(Float32Array.from({ length: rows * size }, (_, i) => 4 * rngUniform(key, i) - 2), [rows, ...shape]);
}

/** center false on the last batch normalisation has no plain PyTorch module (BatchNorm1d's affine is both) */
const layers = (center = false) => [
  nn.flatten({ inputShape: [2, 3] }),
  nn.dense(8, { useBias: false }),
  nn.batchNormalization({ momentum: 0.9 }),
  nn.activation('relu'),
  nn.dense(5, { activation: 'tanh' }),
  nn.layerNormalization({ epsilon: 1e-4 }),
  nn.batchNormalization({ center }),
  nn.dense(3, { activation: 'softmax' }),
];

async function trained(backend: 'ts' | 'native', center = false): Promise<nn.Sequential> {
  const model = nn.sequential(layers(center), { backend, seed: 4 });
  model.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const labels = nn.tensor(Float32Array.from({ length: 30 }, (_, i) => i % 3), [30]);
  await model.fit(data(1, 30, [2, 3]), labels, { epochs: 3, batchSize: 8 });
  return model;
}

describe('save and load with normalisation layers', () => {
  it('keeps the weights in Keras order, the moving statistics and the sample shape', async () => {
    const model = await trained('native');
    const shapes = model.getWeights().map((w) => w.shape);
    // dense kernel; bn gamma beta mean var; dense kernel bias; ln gamma beta; bn gamma mean var; dense kernel bias
    expect(shapes).toEqual([[6, 8], [8], [8], [8], [8], [8, 5], [5], [5], [5], [5], [5], [5], [5, 3], [3]]);
    const moving = model.getWeights()[3]!.data;
    expect([...moving].some((v) => v !== 0), 'moving mean moved').toBe(true);
    const bytes = serializeModel(model, { includeOptimizer: true });
    const names = [...decodeSafetensors(bytes).tensors.keys()];
    expect(names).toContain('2.running_mean');
    expect(names).toContain('2.running_var');
    expect(names).toContain('6.weight'); // LayerNorm gamma
    expect(names).not.toContain('optimizer.2.running_mean.m');
    for (const backend of ['ts', 'native'] as const) {
      const { model: loaded } = deserializeModel(bytes, { backend });
      expect(loaded.inputShape).toEqual([2, 3]);
      loaded.getWeights().forEach((w, i) => expectClose(`weights[${i}]`, w.data, model.getWeights()[i]!.data, { rtol: 0, atol: 0 }));
      const probe = data(9, 7, [2, 3]);
      const exact = backend === 'native' ? { rtol: 0, atol: 0 } : undefined;
      expectClose('predict', (await loaded.predict(probe)).data, (await model.predict(probe)).data, exact);
      const [s, sl] = [model.getOptimizerState(), loaded.getOptimizerState()];
      expect(sl.step).toBe(s.step);
      expect(sl.slots.length).toBe(s.slots.length);
      // the restored optimizer continues exactly
      const x = data(10, 6, [2, 3]);
      const y = nn.tensor([0, 1, 2, 0, 1, 2], [6]);
      const fresh = deserializeModel(bytes, { backend: 'native' }).model;
      expectClose('next step', [await loaded.trainOnBatch(x, y)], [await fresh.trainOnBatch(x, y)]);
      loaded.dispose();
      fresh.dispose();
    }
    expect(describeModel(model).layers.map((l) => l.kind)).toEqual([
      'flatten', 'dense', 'batchNormalization', 'activation', 'dense', 'layerNormalization', 'batchNormalization', 'dense',
    ]);
    model.dispose();
  });

  it('a file whose moving variance is negative is refused, naming the tensor', async () => {
    const model = nn.sequential([nn.dense(3, { inputShape: [2] }), nn.batchNormalization()], { backend: 'ts', seed: 1 });
    const w = model.getWeights();
    w[w.length - 1] = nn.tensor([1, -0.5, 1], [3]);
    model.setWeights(w);
    const bytes = serializeModel(model);
    expect(() => deserializeModel(bytes)).toThrow(/tensor 1\.running_var holds -0\.5/);
  });

  it('PyTorch loads the file strictly into nn.Sequential (BatchNorm1d, LayerNorm, Flatten) and predicts the same', async () => {
    const model = await trained('ts', true);
    const path = join(dir, 'norm.safetensors');
    writeFileSync(path, serializeModel(model));
    const { description } = deserializeModel(serializeModel(model), { backend: 'ts' });
    const code = torchCode(description, path, { hasOptimizerState: false });
    expect(code).toContain('nn.BatchNorm1d(8, eps=0.001, momentum=0.09999999999999998)');
    expect(code).toContain('nn.LayerNorm(5, eps=0.0001)');
    expect(code).toContain('nn.Flatten()');
    writeFileSync(join(dir, 'norm_module.py'), code);
    const probe = data(11, 5, [2, 3]);
    const out = runPython(
      `import json, torch\nfrom norm_module import model\nx = torch.tensor(json.loads(${JSON.stringify(JSON.stringify([...probe.data]))}), dtype=torch.float32).reshape(5, 2, 3)\n` +
        'with torch.no_grad():\n    print(json.dumps(model(x).reshape(-1).tolist()))\n',
      dir,
    );
    expectClose('PyTorch eval outputs', Float32Array.from(JSON.parse(out) as number[]), (await model.predict(probe)).data, { rtol: 1e-5, atol: 1e-6 });
    model.dispose();
  });
});
