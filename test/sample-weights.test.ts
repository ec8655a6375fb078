/**
 * sampleWeight and classWeight: Keras's semantics checked by hand (Σ w_i·l_i / N, not / Σ w), classWeight turned
 * into per-row weights once (sparse, one-hot, one sigmoid unit), and every bad weight refused with an error that
 * names it. Parity with the reference on every backend is in backend-ops.test.ts; PyTorch values in golden.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import * as nn from '../src/index.js';

const x = nn.tensor([[0.1, 0.2], [0.3, -0.1], [-0.4, 0.5], [0.7, 0.2]]);
const yReg = nn.tensor([[1], [-1], [0.5], [2]]);

function regression(loss: nn.CompileOptions['loss'] = 'mse') {
  const m = nn.sequential([nn.dense(1, { inputShape: [2] })], { backend: 'ts', seed: 1 });
  m.compile({ optimizer: nn.sgd({ learningRate: 0.1 }), loss });
  return m;
}

function classifier(loss: 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' = 'sparseCategoricalCrossentropy') {
  const m = nn.sequential([nn.dense(3, { inputShape: [2], activation: 'softmax' })], { backend: 'ts', seed: 1 });
  m.compile({ optimizer: nn.sgd({ learningRate: 0.1 }), loss });
  return m;
}

describe('weighted losses, by hand', () => {
  it('the batch loss is Σ w_i·l_i / N (rows), not divided by Σ w', async () => {
    for (const loss of ['mse', 'mae', 'huber'] as const) {
      const m = regression(loss);
      const out = (await m.predict(x)).data;
      const y = yReg.data;
      const l = Array.from(out, (o, i) => {
        const d = Math.abs(o - y[i]!);
        return loss === 'mse' ? d * d : loss === 'mae' ? d : d <= 1 ? 0.5 * d * d : d - 0.5;
      });
      const w = [0, 2, 0.5, 1];
      const expected = l.reduce((s, li, i) => s + w[i]! * li, 0) / 4;
      expect(await m.evaluate(x, yReg, { sampleWeight: w })).toEqual({ loss: expect.closeTo(expected, 6) });
      expect(await m.trainOnBatch(x, yReg, { sampleWeight: w })).toBeCloseTo(expected, 6);
    }
  });

  it('nn.huber({ delta }) changes where the loss turns linear', async () => {
    const d = 0.25;
    const m = regression(nn.huber({ delta: d }));
    const out = (await m.predict(x)).data;
    const expected = Array.from(out, (o, i) => {
      const a = Math.abs(o - yReg.data[i]!);
      return a <= d ? 0.5 * a * a : d * (a - 0.5 * d);
    }).reduce((s, v) => s + v, 0) / 4;
    expect((await m.evaluate(x, yReg)).loss).toBeCloseTo(expected, 6);
  });

  it('classWeight equals the sample weights it stands for: sparse, one-hot, object and array alike', async () => {
    const labels = nn.tensor([2, 0, 1, 2]);
    const perRow = [3, 0.5, 1, 3];
    const a = await classifier().trainOnBatch(x, labels, { classWeight: { 0: 0.5, 1: 1, 2: 3 } });
    const b = await classifier().trainOnBatch(x, labels, { sampleWeight: perRow });
    const c = await classifier('categoricalCrossentropy').trainOnBatch(x, nn.oneHot(Int32Array.from([2, 0, 1, 2]), 3), { classWeight: [0.5, 1, 3] });
    expect(a).toBeCloseTo(b, 6);
    expect(c).toBeCloseTo(b, 6);
    // both given: multiplied
    const d = await classifier().trainOnBatch(x, labels, { classWeight: [0.5, 1, 3], sampleWeight: [2, 2, 2, 2] });
    expect(d).toBeCloseTo(2 * b, 6);
  });

  it('classWeight on one sigmoid unit is indexed by the 0/1 target', async () => {
    const build = () => {
      const m = nn.sequential([nn.dense(1, { inputShape: [2], activation: 'sigmoid' })], { backend: 'ts', seed: 2 });
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
      return m;
    };
    const y = nn.tensor([[1], [0], [0], [1]]);
    expect(await build().trainOnBatch(x, y, { classWeight: { 0: 1, 1: 4 } })).toBeCloseTo(
      await build().trainOnBatch(x, y, { sampleWeight: [4, 1, 1, 4] }), 6);
  });

  it('fit with sampleWeight trains differently from fit without (so the weights reach the engine)', async () => {
    const [a, b] = [regression(), regression()];
    await a.fit(x, yReg, { epochs: 3, batchSize: 2 });
    await b.fit(x, yReg, { epochs: 3, batchSize: 2, sampleWeight: [1, 1, 1, 0] });
    expect(a.getWeights()[0]!.data).not.toEqual(b.getWeights()[0]!.data);
  });
});

describe('bad weights are refused, naming what is wrong', () => {
  const labels = nn.tensor([2, 0, 1, 2]);
  it.each([
    [{ sampleWeight: [1, 2, 3] }, /^sampleWeight: expected 4 weights \(one per sample\), got 3$/],
    [{ sampleWeight: [1, -1, 1, 1] }, /^sampleWeight\[1\]: expected a finite number ≥ 0, got -1$/],
    [{ sampleWeight: [1, NaN, 1, 1] }, /^sampleWeight\[1\]: expected a finite number ≥ 0, got NaN$/],
    [{ sampleWeight: nn.tensor([[1, 1], [1, 1]]) }, /^sampleWeight: expected one weight per sample, shape \[4\], got \[2, 2\]$/],
    [{ sampleWeight: 'heavy' }, /^sampleWeight: expected an array or Tensor of 4 weights/],
    [{ classWeight: { 0: 1, 1: 1 } }, /^classWeight: expected a weight for every class in y; class 2 \(row 0\) has none/],
    [{ classWeight: { 0: 1, 1: 1, 2: 1, 7: 2 } }, /^classWeight: expected class indices in \[0, 3\) as keys; unknown class "7"/],
    [{ classWeight: { cat: 1 } }, /^classWeight: expected class indices in \[0, 3\) as keys; unknown class "cat"/],
    [{ classWeight: [1, 1, 1, 1] }, /^classWeight: expected at most 3 weights/],
    [{ classWeight: [1, -2, 1] }, /^classWeight\[1\]: expected a finite number ≥ 0, got -2$/],
    [{ classWeight: 3 }, /^classWeight: expected an object \{ \[class\]: weight \} or an array/],
  ])('%o', async (options, message) => {
    await expect(classifier().trainOnBatch(x, labels, options as nn.TrainOnBatchOptions)).rejects.toThrow(message);
    await expect(classifier().fit(x, labels, options as nn.FitOptions)).rejects.toThrow(message);
  });

  it('classWeight on a model without classes says to use sampleWeight', async () => {
    await expect(regression().trainOnBatch(x, yReg, { classWeight: [1] })).rejects.toThrow(/^classWeight: expected a classification model.*use sampleWeight$/);
  });

  it('classWeight with soft targets on one sigmoid unit names the row', async () => {
    const m = nn.sequential([nn.dense(1, { inputShape: [2], activation: 'sigmoid' })], { backend: 'ts', seed: 2 });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    await expect(m.trainOnBatch(x, nn.tensor([[1], [0.5], [0], [1]]), { classWeight: [1, 2] })).rejects.toThrow(
      /^y: expected 0\/1 targets to pick a class weight \(one sigmoid unit\), found 0.5 at row 1$/,
    );
  });
});

describe('predict and evaluate batch sizes', () => {
  it.each(['ts', 'native', 'wasm'] as const)('predict({ batchSize }) on %s gives the same outputs in slices of that size', async (backend) => {
    await nn.ready(backend);
    const m = nn.sequential([nn.dense(5, { inputShape: [2], activation: 'relu' }), nn.dense(2)], { backend, seed: 3 });
    const rows = 13;
    const xs = nn.tensor(Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i)), [rows, 2]);
    const whole = (await m.predict(xs)).data;
    const engine = (m as unknown as { engine: { predict: (x: Float32Array, count: number) => Promise<Float32Array> } }).engine;
    for (const batchSize of [1, 4, 13, 100]) {
      const calls = vi.spyOn(engine, 'predict');
      expect((await m.predict(xs, { batchSize })).data).toEqual(whole);
      // the engine saw slices of at most batchSize rows
      expect(calls.mock.calls.map((c) => c[1])).toEqual(
        Array.from({ length: Math.ceil(rows / batchSize) }, (_, i) => Math.min(batchSize, rows - i * batchSize)),
      );
      calls.mockRestore();
    }
    await expect(m.predict(xs, { batchSize: 0 })).rejects.toThrow(/^batchSize: expected/);
    m.dispose();
  });
});
