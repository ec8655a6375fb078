/**
 * src/metrics.ts against values computed independently here: by hand on tiny sets, by the textbook definitions
 * (sklearn's) on random ones — AUC by counting every positive/negative pair, precision/recall/f1 from confusion
 * matrices built here — and through compile/fit/evaluate on every backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { computeMetrics, rocAuc, type MetricName } from '../src/metrics.js';
import { rngKey, rngUniform } from '../src/rng.js';
import { expectClose, prepareBackend, testedBackends } from './helpers/backends.js';

const uniform = (seed: number, n: number) => Float32Array.from({ length: n }, (_, i) => rngUniform(rngKey(seed, 7, 0), i));

/** AUC as the probability that a random positive outscores a random negative, ties counting one half. */
function pairAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('metric definitions', () => {
  it('binary precision, recall, f1, auc by hand (one sigmoid unit, threshold 0.5, positive class 1)', () => {
    const out = Float32Array.from([0.9, 0.8, 0.3, 0.6, 0.2, 0.4]);
    const y = Float32Array.from([1, 0, 1, 1, 0, 0]);
    // predicted 1 1 0 1 0 0: TP 2 (rows 0, 3), FP 1 (row 1), FN 1 (row 2)
    const m = computeMetrics(['precision', 'recall', 'f1', 'auc'], 'binaryCrossentropy', out, y, 6, 1);
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    // positives 0.9, 0.3, 0.6 against negatives 0.8, 0.2, 0.4: 0.9 beats 3, 0.6 beats 2, 0.3 beats 1 → 6/9
    expect(m.auc).toBeCloseTo(6 / 9, 12);
  });

  it('auc averages tied ranks and matches brute-force pair counting on random sets with many ties', () => {
    for (const n of [1, 2, 7, 13, 255]) {
      const s = uniform(n, n);
      const scores = Float32Array.from(s, (v) => Math.round(v * 6) / 6); // coarse: many ties
      const labels = Float32Array.from(uniform(n + 1000, n), (v) => (v > 0.6 ? 1 : 0));
      const positives = labels.reduce((a, b) => a + b, 0);
      if (positives === 0 || positives === n) {
        expect(rocAuc(scores, labels)).toBeNaN();
        continue;
      }
      expect(rocAuc(scores, labels)).toBeCloseTo(pairAuc(scores, labels), 12);
    }
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
  });

  it('softmax precision/recall/f1 are macro averages over the classes present (sklearn labels=None)', () => {
    const classes = 4;
    const n = 255;
    const out = uniform(5, n * classes);
    const labels = Float32Array.from(uniform(6, n), (v) => Math.min(2, Math.floor(v * 3))); // class 3 never a label
    const m = computeMetrics(['precision', 'recall', 'f1'], 'sparseCategoricalCrossentropy', out, labels, n, classes);
    // independent: a confusion matrix from nn.confusionMatrix, then the per-class scores
    const predicted = Array.from({ length: n }, (_, i) => {
      const row = Array.from(out.subarray(i * classes, (i + 1) * classes));
      return row.indexOf(Math.max(...row));
    });
    const cm = nn.confusionMatrix(Array.from(labels), predicted, classes);
    const at = (t: number, p: number) => cm.data[t * classes + p]!;
    let [P, R, F, present] = [0, 0, 0, 0];
    for (let c = 0; c < classes; c++) {
      let [col, row] = [0, 0];
      for (let k = 0; k < classes; k++) [col, row] = [col + at(k, c), row + at(c, k)];
      if (col === 0 && row === 0) continue;
      const p = col ? at(c, c) / col : 0;
      const r = row ? at(c, c) / row : 0;
      [P, R, F, present] = [P + p, R + r, F + (p + r ? (2 * p * r) / (p + r) : 0), present + 1];
    }
    expect(m.precision).toBeCloseTo(P / present, 12);
    expect(m.recall).toBeCloseTo(R / present, 12);
    expect(m.f1).toBeCloseTo(F / present, 12);
    // one-hot targets give the same
    const onehot = nn.oneHot(Int32Array.from(labels), classes).data;
    expect(computeMetrics(['precision', 'recall', 'f1'], 'categoricalCrossentropy', out, onehot, n, classes)).toEqual(m);
  });

  it('mae, mse, rmse and r2 (uniform average over outputs; a constant column scores 1 or 0) by hand', () => {
    // two outputs: column 0 y = [1, 2, 3] out = [1, 2, 4]; column 1 constant y = 5, out = [5, 5, 5]
    const y = Float32Array.from([1, 5, 2, 5, 3, 5]);
    const out = Float32Array.from([1, 5, 2, 5, 4, 5]);
    const m = computeMetrics(['mae', 'mse', 'rmse', 'r2'], 'meanSquaredError', out, y, 3, 2);
    expect(m.mae).toBeCloseTo(1 / 6, 12);
    expect(m.mse).toBeCloseTo(1 / 6, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(1 / 6), 12);
    // column 0: SS_res 1, SS_tot 2 → 0.5; column 1: constant, exact → 1
    expect(m.r2).toBeCloseTo(0.75, 12);
    const off = computeMetrics(['r2'], 'meanSquaredError', Float32Array.from([1, 5, 2, 5, 4, 6]), y, 3, 2);
    expect(off.r2).toBeCloseTo(0.25, 12); // the constant column now misses: 0
  });

  it('confusionMatrix: true classes as rows, predicted as columns; bad labels are named', () => {
    const cm = nn.confusionMatrix([0, 1, 2, 2, 1], [0, 2, 2, 1, 1], 3);
    expect(cm.shape).toEqual([3, 3]);
    expect(Array.from(cm.data)).toEqual([1, 0, 0, 0, 1, 1, 0, 1, 1]);
    expect(() => nn.confusionMatrix([0, 3], [0, 1], 3)).toThrow(/^labels: expected class indices in \[0, 3\) \(found 3 at 1\)/);
    expect(() => nn.confusionMatrix([0, 1], [0], 3)).toThrow(/^predictedLabels: expected 2 labels/);
    expect(() => nn.confusionMatrix([0], [0], 0)).toThrow(/^numClasses: expected an integer ≥ 1/);
  });

  it('compile refuses metrics that do not fit the model, naming them', () => {
    const reg = nn.sequential([nn.dense(2, { inputShape: [3] })], { backend: 'ts', seed: 1 });
    expect(() => reg.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['auc'] })).toThrow(/^metrics\[0\]: expected a regression metric/);
    expect(() => reg.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['precison' as MetricName] })).toThrow(
      /^metrics\[0\]: unknown metric 'precison' \(did you mean 'precision'\?\)/,
    );
    const multi = nn.sequential([nn.dense(3, { inputShape: [3], activation: 'softmax' })], { backend: 'ts', seed: 1 });
    expect(() => multi.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['auc'] })).toThrow(/^metrics\[0\]: expected a binary model for 'auc'/);
    expect(() => multi.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['r2'] })).toThrow(/^metrics\[0\]: expected a classification metric with sparse labels/);
  });
});

describe.each(testedBackends)('metrics through fit and evaluate on %s', (backend) => {
  beforeAll(() => prepareBackend(backend));

  it('fit history and evaluate hold every metric over the whole set (not batch means), val_ prefixed', async () => {
    const n = 61;
    const x = nn.tensor(uniform(11, n * 3), [n, 3]);
    const y = nn.tensor(Float32Array.from(uniform(12, n), (v) => (v > 0.5 ? 1 : 0)), [n, 1]);
    const model = nn.sequential([nn.dense(5, { inputShape: [3], activation: 'tanh' }), nn.dense(1, { activation: 'sigmoid' })], { backend, seed: 4 });
    const metrics: MetricName[] = ['accuracy', 'precision', 'recall', 'f1', 'auc'];
    model.compile({ optimizer: nn.sgd({ learningRate: 0.3 }), loss: 'binaryCrossentropy', metrics });
    const h = await model.fit(x, y, { epochs: 2, batchSize: 7, validationSplit: 0.3 });
    expect(Object.keys(h.history).sort()).toEqual(
      ['loss', 'lr', ...metrics, ...metrics.map((m) => `val_${m}`), 'val_loss'].sort(),
    );
    // validation metrics are those of the final weights on the held-out rows, over the whole set
    const nVal = Math.floor(n * 0.3);
    const xv = nn.tensor(x.data.subarray((n - nVal) * 3), [nVal, 3]);
    const yv = nn.tensor(y.data.subarray(n - nVal), [nVal, 1]);
    const e = await model.evaluate(xv, yv, { batchSize: 4 });
    const out = (await model.predict(xv)).data;
    const expected = computeMetrics(metrics, 'binaryCrossentropy', out, yv.data, nVal, 1);
    for (const m of ['precision', 'recall', 'f1', 'auc'] as const) {
      expectClose(`evaluate ${m}`, [e[m]!], [expected[m]!]);
      expectClose(`val_${m}`, [h.history[`val_${m}`]!.at(-1)!], [expected[m]!]);
    }
    expectClose('auc by pairs', [e.auc!], [pairAuc(out, yv.data)]);
    model.dispose();
  });

  it('training metrics are computed on the training outputs of the epoch, in row order (batch 1, lr 0: the outputs of the fixed weights)', async () => {
    const n = 23;
    const x = nn.tensor(uniform(21, n * 4), [n, 4]);
    const y = nn.tensor(uniform(22, n * 2), [n, 2]);
    const model = nn.sequential([nn.dense(2, { inputShape: [4] })], { backend, seed: 9 });
    model.compile({ optimizer: nn.sgd({ learningRate: 1e-30 }), loss: 'mse', metrics: ['mae', 'mse', 'rmse', 'r2'] });
    const h = await model.fit(x, y, { epochs: 1, batchSize: 5, shuffle: true });
    const out = (await model.predict(x)).data;
    const expected = computeMetrics(['mae', 'mse', 'rmse', 'r2'], 'meanSquaredError', out, y.data, n, 2);
    for (const m of ['mae', 'mse', 'rmse', 'r2'] as const) expectClose(`training ${m}`, [h.history[m]![0]!], [expected[m]!]);
    expectClose('training mse = loss', [h.history.mse![0]!], [h.history.loss![0]!]);
    model.dispose();
  });
});
