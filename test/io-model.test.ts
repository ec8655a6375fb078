/**
 * Save → load round trips on every tested backend (and across them), extras, compile settings, and exact
 * resumption of training from a file that carries the optimizer state.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '../src/index.js';
import { deserializeModel, serializeModel } from '../src/io/model-file.js';
import { decodeSafetensors } from '../src/io/safetensors.js';
import { loadModel, saveModel } from '../src/io/node.js';
import { rngKey, rngU32, rngUniform } from '../src/rng.js';
import { expectClose, prepareBackend, testedBackends } from './helpers/backends.js';

function inputs(seed: number, rows: number, cols: number): nn.Tensor {
  const key = rngKey(seed, 77, 0);
  return nn.tensor(Float32Array.from({ length: rows * cols }, (_, i) => 4 * rngUniform(key, i) - 2), [rows, cols]);
}

function labels(seed: number, rows: number, classes: number): Float32Array {
  const key = rngKey(seed, 78, 0);
  return Float32Array.from({ length: rows }, (_, i) => rngU32(key, i) % classes);
}

/** Every activation, dropout, l2, a bias-free layer, named layers and non-default initialisers. */
function richLayers(): nn.LayerConfig[] {
  return [
    nn.dense(13, { inputShape: [7], activation: 'leakyRelu', alpha: 0.15, kernelRegularizer: nn.l2(0.001), name: 'first' }),
    nn.dropout(0.3),
    nn.dense(9, { activation: 'tanh', useBias: false, kernelInitializer: 'heNormal' }),
    nn.dense(5, { activation: 'sigmoid', biasInitializer: 'ones' }),
    nn.dense(4, { activation: 'relu' }),
    nn.dense(3, { activation: 'softmax', name: 'out' }),
  ];
}

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'neurite-io-'));
  for (const b of testedBackends) await prepareBackend(b);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('save → load', () => {
  for (const from of testedBackends) {
    for (const to of testedBackends) {
      it(`a model saved from '${from}' loads into '${to}' with the same weights and predictions`, async () => {
        const model = nn.sequential(richLayers(), { backend: from, seed: 11, name: 'rich' });
        model.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
        const x = inputs(1, 31, 7);
        await model.fit(x, labels(1, 31, 3), { epochs: 2, batchSize: 8 });
        const expected = await model.predict(x);

        const { model: loaded, extras, description } = deserializeModel(serializeModel(model), { backend: to });
        expect(loaded.backend).toBe(to);
        expect(extras).toEqual({});
        expect(description.compile?.loss).toBe('sparseCategoricalCrossentropy');
        const before = model.getWeights();
        const after = loaded.getWeights();
        expect(after.map((w) => w.shape)).toEqual(before.map((w) => w.shape));
        after.forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(before[i]!.data)));
        expectClose('predictions', (await loaded.predict(x)).data, expected.data, { rtol: 0 });
        expect(loaded.name).toBe('rich');
        expect(loaded.seed).toBe(11);
        expect(loaded.layerConfigs).toEqual(model.layerConfigs);
        expect(loaded.spec).toEqual(model.spec);
        expect(loaded.compileConfig).toEqual(model.compileConfig);
        // the loaded model is compiled: it evaluates (with accuracy) and trains
        const ev = await loaded.evaluate(x, labels(1, 31, 3));
        expect(ev.accuracy).toBeTypeOf('number');
        model.dispose();
        loaded.dispose();
      });
    }
  }

  it("keeps huber's delta and every compiled metric", () => {
    const reg = nn.sequential([nn.dense(2, { inputShape: [3] })], { backend: 'ts', seed: 1 });
    reg.compile({ optimizer: 'sgd', loss: nn.huber({ delta: 0.4 }), metrics: ['mae', 'r2'] });
    const loaded = deserializeModel(serializeModel(reg), { backend: 'ts' });
    expect(loaded.description.compile).toMatchObject({ loss: 'huber', delta: 0.4, metrics: ['mae', 'r2'] });
    expect(loaded.model.compileConfig).toEqual(reg.compileConfig);
    const cls = nn.sequential([nn.dense(1, { inputShape: [3], activation: 'sigmoid' })], { backend: 'ts', seed: 1 });
    cls.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc', 'f1'] });
    const loadedCls = deserializeModel(serializeModel(cls), { backend: 'ts' });
    expect(loadedCls.model.compileConfig?.metrics).toEqual(['accuracy', 'auc', 'f1']);
    expect(loadedCls.description.compile?.delta).toBeUndefined();
    for (const m of [reg, loaded.model, cls, loadedCls.model]) m.dispose();
  });

  it('keeps class names and standardisation statistics', () => {
    const model = nn.sequential([nn.dense(3, { inputShape: [2], activation: 'softmax' })], { backend: 'ts', seed: 1 });
    const extras = { classNames: ['a', 'b', 'c'], standardization: { mean: [0.5, -1], std: [2, 0.25] } };
    const loaded = deserializeModel(serializeModel(model, extras), { backend: 'ts' });
    expect(loaded.extras).toEqual(extras);
    expect(loaded.model.compileConfig).toBeUndefined();
    model.dispose();
    loaded.model.dispose();
  });

  it('checks extras when saving, so that every saved file loads', () => {
    const model = nn.sequential([nn.dense(3, { inputShape: [2], activation: 'softmax' })], { backend: 'ts', seed: 1 });
    expect(() => serializeModel(model, { classNames: ['a', 'b'] })).toThrow(/save options: classNames: 2 class names for 3 output units/);
    expect(() => serializeModel(model, { standardization: { mean: [0], std: [1] } })).toThrow(/standardization\.mean: expected 2 values/);
    expect(() => serializeModel(model, { includeOptimizer: true })).toThrow(/call model\.compile first/);
    model.dispose();
  });

  it('loads uncompiled on request, and keeps a learning rate changed after compile', () => {
    const model = nn.sequential([nn.dense(1, { inputShape: [2] })], { backend: 'ts', seed: 5 });
    model.compile({ optimizer: nn.sgd({ learningRate: 0.1, momentum: 0.5, nesterov: true }), loss: 'mse' });
    model.setLearningRate(0.025);
    const bytes = serializeModel(model);
    const plain = deserializeModel(bytes, { backend: 'ts', compile: false }).model;
    expect(plain.compileConfig).toBeUndefined();
    const compiled = deserializeModel(bytes, { backend: 'ts' }).model;
    expect(compiled.getLearningRate()).toBe(0.025);
    expect(compiled.compileConfig?.optimizer).toEqual(model.compileConfig?.optimizer);
    for (const m of [model, plain, compiled]) m.dispose();
  });

  it('saves to and loads from a file (Node helpers), and accepts the bytes too', async () => {
    const model = nn.sequential([nn.dense(4, { inputShape: [3], activation: 'relu' }), nn.dense(2)], { backend: 'ts', seed: 9 });
    const path = join(dir, 'm.safetensors');
    await saveModel(model, path, { standardization: { mean: [1, 2, 3], std: [1, 1, 2] } });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const x = inputs(4, 6, 3);
    const fromPath = await loadModel(path, { backend: 'ts' });
    const fromBytes = await loadModel(readFileSync(path), { backend: 'ts' });
    expectClose('loaded from the path', (await fromPath.model.predict(x)).data, (await model.predict(x)).data, { rtol: 0 });
    expectClose('loaded from the bytes', (await fromBytes.model.predict(x)).data, (await model.predict(x)).data, { rtol: 0 });
    expect(fromPath.extras.standardization?.std).toEqual([1, 1, 2]);
    await expect(loadModel(join(dir, 'missing.safetensors'))).rejects.toThrow(/loadModel: cannot read .*missing\.safetensors: no such file/);
    await expect(loadModel(dir)).rejects.toThrow(/is not a regular file/);
    for (const m of [model, fromPath.model, fromBytes.model]) m.dispose();
  });
});

describe('resuming training from a file with optimizer state', () => {
  const optimizers: [string, () => nn.Optimizer][] = [
    ['sgd + nesterov momentum', () => nn.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
    ['adam', () => nn.adam({ learningRate: 0.01 })],
    ['adamw', () => nn.adamw({ learningRate: 0.01, weightDecay: 0.01 })],
    ['rmsprop + momentum', () => nn.rmsprop({ learningRate: 0.005, momentum: 0.5 })],
    ['plain sgd (no slots)', () => nn.sgd({ learningRate: 0.1 })],
  ];
  for (const backend of testedBackends) {
    for (const [name, optimizer] of optimizers) {
      it(`${name} on '${backend}': save mid-training, load, continue = uninterrupted`, async () => {
        const x = inputs(2, 40, 7);
        const y = labels(2, 40, 3);
        const make = () => {
          const m = nn.sequential(richLayers(), { backend, seed: 21 });
          m.compile({ optimizer: optimizer(), loss: 'sparseCategoricalCrossentropy' });
          return m;
        };
        const straight = make();
        await straight.fit(x, y, { epochs: 4, batchSize: 16 });

        const first = make();
        await first.fit(x, y, { epochs: 2, batchSize: 16 });
        const bytes = serializeModel(first, { includeOptimizer: true });
        first.dispose();
        const { model: resumed, description } = deserializeModel(bytes, { backend });
        expect(description.optimizerState?.step).toBe(6); // 2 epochs × 3 batches
        // initialEpoch keeps the shuffle order of epochs 2 and 3; the step counter keeps the dropout masks
        await resumed.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 16 });

        const a = straight.getWeights();
        const b = resumed.getWeights();
        a.forEach((w, i) => expectClose(`weights[${i}]`, b[i]!.data, w.data, { rtol: 1e-6, atol: 1e-7 }));
        const state = resumed.getOptimizerState();
        const expectedState = straight.getOptimizerState();
        expect(state.step).toBe(expectedState.step);
        state.slots.forEach((s, i) => expectClose(`slot ${i}`, s, expectedState.slots[i]!, { rtol: 1e-6, atol: 1e-7 }));
        straight.dispose();
        resumed.dispose();
      });
    }
  }

  it('without the optimizer state, training restarts the moments (so results differ)', async () => {
    const x = inputs(3, 24, 7);
    const y = labels(3, 24, 3);
    const m = nn.sequential(richLayers(), { backend: 'ts', seed: 4 });
    m.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: 8 });
    const withState = deserializeModel(serializeModel(m, { includeOptimizer: true }), { backend: 'ts' }).model;
    const without = deserializeModel(serializeModel(m), { backend: 'ts' }).model;
    expect(without.getOptimizerState().step).toBe(0);
    await withState.trainOnBatch(x, y);
    await without.trainOnBatch(x, y);
    const diff = withState.getWeights()[0]!.data.some((v, i) => v !== without.getWeights()[0]!.data[i]);
    expect(diff).toBe(true);
    for (const mm of [m, withState, without]) mm.dispose();
  });

  it('names each slot tensor after its parameter, in the parameter layout ([out, in])', async () => {
    // One sgd-momentum step from zero velocity: velocity = −lr·g and w_after = w_before + velocity, so each
    // stored velocity must equal the change of the tensor it is named after.
    const m = nn.sequential([nn.dense(3, { inputShape: [2], activation: 'tanh' }), nn.dense(4)], { backend: 'ts', seed: 6 });
    m.compile({ optimizer: nn.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'mse' });
    const before = decodeSafetensors(serializeModel(m)).tensors;
    await m.trainOnBatch(inputs(5, 4, 2), inputs(6, 4, 4));
    const after = decodeSafetensors(serializeModel(m, { includeOptimizer: true })).tensors;
    for (const name of ['0.weight', '0.bias', '2.weight', '2.bias']) {
      const velocity = after.get(`optimizer.${name}.velocity`)!;
      expect(velocity.shape).toEqual(after.get(name)!.shape);
      const change = after.get(name)!.data.map((w, i) => w - before.get(name)!.data[i]!);
      expectClose(name, velocity.data, change, { rtol: 1e-4, atol: 1e-7 });
      expect(velocity.data.some((v) => v !== 0)).toBe(true);
    }
    m.dispose();
  });

  it('rejects optimizer state that cannot be right', () => {
    const m = nn.sequential([nn.dense(2, { inputShape: [2] })], { backend: 'ts', seed: 4 });
    m.compile({ optimizer: nn.adam(), loss: 'mse' });
    const bytes = serializeModel(m, { includeOptimizer: true });
    // the v slot of the bias is the last tensor in the file: make one entry negative
    bytes.set(new Uint8Array(Float32Array.from([-1]).buffer), bytes.length - 4);
    expect(() => deserializeModel(bytes, { backend: 'ts' })).toThrow(/tensor optimizer\.0\.bias\.v holds -1 at index 1: a running mean of squares cannot be negative/);
    m.dispose();
  });
});

describe('saving refuses what loading would refuse', () => {
  it('a model whose weights are not finite', () => {
    const m = nn.sequential([nn.dense(2, { inputShape: [2] })], { backend: 'ts', seed: 4 });
    const w = m.getWeightArrays();
    w[0]![3] = NaN;
    m.setWeightArrays(w);
    expect(() => serializeModel(m)).toThrow(/serializeModel: tensor 0\.weight holds NaN at index 3: values must be finite/);
    m.dispose();
  });
});
