/**
 * The harness of test/backend-ops.test.ts: the row types its tables fill, and the checks every case runs on a
 * backend against the reference, all through the public Model API.
 */
import { expect } from 'vitest';
import * as nn from '../../src/index.js';
import type { BackendName } from '../../src/backends/backend.js';
import { rngKey, rngU32, rngUniform } from '../../src/rng.js';
import { expectClose, referenceBackend, type Tolerance } from './backends.js';

// ---- deterministic data from the library's own generator ----

export function data(seed: number, rows: number, cols: number, lo = -1, hi = 1): nn.Tensor {
  const key = rngKey(seed, 99, 0);
  return nn.tensor(Float32Array.from({ length: rows * cols }, (_, i) => lo + (hi - lo) * rngUniform(key, i)), [rows, cols]);
}

export function classIds(seed: number, rows: number, classes: number): Int32Array {
  const key = rngKey(seed, 98, 0);
  return Int32Array.from({ length: rows }, (_, i) => rngU32(key, i) % classes);
}

// ---- what a table row holds ----

/** An activation. The Model API allows softmax only on the output layer, hence `outputOnly`. */
export interface ActivationRow {
  activation: nn.ActivationName;
  alpha?: number;
  outputOnly?: true;
}

export const withActivation = (a: ActivationRow) => ({ activation: a.activation, alpha: a.alpha });
export const label = (a: ActivationRow) => (a.alpha === undefined ? a.activation : `${a.activation}(alpha ${a.alpha})`);

/** A loss: the output activation it is fused with, and targets of the right form. */
export interface LossRow {
  loss: nn.LossName;
  /** what compile gets, when not the name (nn.huber({ delta })) */
  compileLoss?: () => nn.LossConfig;
  /** row label, when not the name */
  name?: string;
  output: nn.ActivationName;
  targets: (seed: number, rows: number, outputs: number) => nn.Tensor;
}

export interface FitPlan {
  rows: number;
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  validationSplit?: number;
  /** rows of separate validationData */
  validationRows?: number;
  initialEpoch?: number;
}

/** One case: a model, how it trains, and how it is fitted and evaluated. */
export interface Case {
  name: string;
  /** fresh layer configs; the first has the inputShape */
  layers: () => nn.LayerConfig[];
  loss: LossRow;
  optimizer: () => nn.Optimizer;
  /** rows of each trainOnBatch step: odd sizes and a single row */
  steps: number[];
  fit: FitPlan;
  evaluateBatchSize: number;
  /** sample/class weights for a step, fit or evaluate of `rows` rows with targets y */
  weights?: (seed: number, rows: number, y: nn.Tensor) => { sampleWeight?: Float32Array; classWeight?: nn.ClassWeight };
  /** compile's metrics (default ['accuracy']) */
  metrics?: string[];
  /** only where a case truly needs more than 1e-5 relative / 1e-6 absolute, with the reason */
  tolerance?: Tolerance & { why: string };
}

// ---- the checks ----

/** Every case's model seed: initial weights, dropout masks and shuffles all derive from it. */
export const modelSeed = 7;

export function build(c: Case, backend: BackendName): nn.Sequential {
  const model = nn.sequential(c.layers(), { backend, seed: modelSeed });
  model.compile({
    optimizer: c.optimizer(),
    loss: c.loss.compileLoss?.() ?? c.loss.loss,
    metrics: (c.metrics ?? ['accuracy']) as nn.MetricName[],
  });
  return model;
}

/** Weights (shape and values) and optimizer state (step and every slot). */
export function expectSameState(what: string, model: nn.Sequential, ref: nn.Sequential, tolerance?: Tolerance): void {
  const [w, wr] = [model.getWeights(), ref.getWeights()];
  expect(w.map((t) => t.shape), `${what}: weight shapes`).toEqual(wr.map((t) => t.shape));
  w.forEach((t, i) => expectClose(`${what}: weights[${i}]`, t.data, wr[i]!.data, tolerance));
  const [s, sr] = [model.getOptimizerState(), ref.getOptimizerState()];
  expect(s.step, `${what}: optimizer step`).toBe(sr.step);
  expect(s.slots.length, `${what}: optimizer slots`).toBe(sr.slots.length);
  // Adam's second moments are squared gradients, often below 1e-6: an absolute 1e-6 would pass any value there
  const slotTolerance = { ...tolerance, atol: Math.min(tolerance?.atol ?? 1e-6, 1e-7) };
  s.slots.forEach((v, i) => expectClose(`${what}: optimizer slot ${i}`, v, sr.slots[i]!, slotTolerance));
}

type Progress = { epoch: number; batch: number; batches: number; loss: number };

function fitOptionsOf(c: Case, inputs: number, outputs: number, seen: Progress[], y: nn.Tensor): nn.FitOptions {
  const { rows, validationRows, ...plan } = c.fit;
  const validationData: [nn.Tensor, nn.Tensor] | undefined =
    validationRows === undefined ? undefined : [data(60, validationRows, inputs), c.loss.targets(60, validationRows, outputs)];
  return {
    ...plan, validationData, ...c.weights?.(3, rows, y),
    callbacks: { onBatchEnd: (batch, logs) => void seen.push({ batch, ...logs }) },
  };
}

/** Every batch reported (no backend thins its progress), in order, with the same losses. */
function expectSameProgress(seen: Progress[], ref: Progress[], tolerance?: Tolerance): void {
  expect(seen.map((p) => `${p.epoch}/${p.batch}`), 'onBatchEnd: every batch, in order').toEqual(ref.map((p) => `${p.epoch}/${p.batch}`));
  const at = new Map(ref.map((p) => [`${p.epoch}/${p.batch}`, p]));
  for (const last of ref.filter((p) => p.batch === p.batches - 1)) {
    expect(seen.some((p) => p.epoch === last.epoch && p.batch === last.batch), `epoch ${last.epoch}: last batch reported`).toBe(true);
  }
  seen.forEach((p, i) => {
    const r = at.get(`${p.epoch}/${p.batch}`);
    expect(r, `batch ${p.batch} of epoch ${p.epoch} is one the reference ran`).toBeDefined();
    expect(p.batches, 'batches per epoch').toBe(r!.batches);
    const prev = seen[i - 1];
    if (prev && prev.epoch === p.epoch) expect(p.batch, `epoch ${p.epoch}: batches in order`).toBeGreaterThan(prev.batch);
    expectClose(`loss of batch ${p.batch} of epoch ${p.epoch}`, p.loss, r!.loss, tolerance);
  });
}

export async function runCase(c: Case, backend: BackendName): Promise<void> {
  const tol = c.tolerance;
  const model = build(c, backend);
  const ref = build(c, referenceBackend);
  const [inputs, outputs] = [model.inputSize, model.outputSize];
  try {
    expectSameState('same seed, initial', model, ref, { rtol: 0, atol: 0 });
    const probe = data(40, 13, inputs);
    expectClose('predict before training', (await model.predict(probe)).data, (await ref.predict(probe)).data, tol);

    for (const [step, rows] of c.steps.entries()) {
      const [x, y] = [data(100 + step, rows, inputs), c.loss.targets(100 + step, rows, outputs)];
      const w = c.weights?.(100 + step, rows, y);
      expectClose(`trainOnBatch loss, step ${step} (${rows} rows)`, await model.trainOnBatch(x, y, w), await ref.trainOnBatch(x, y, w), tol);
    }
    expectSameState('after trainOnBatch', model, ref, tol);

    const [x, y] = [data(3, c.fit.rows, inputs), c.loss.targets(3, c.fit.rows, outputs)];
    const [seen, seenRef]: Progress[][] = [[], []];
    const h = await model.fit(x, y, fitOptionsOf(c, inputs, outputs, seen, y));
    const hr = await ref.fit(x, y, fitOptionsOf(c, inputs, outputs, seenRef, y));
    expect(h.epoch, 'fit: epochs run').toEqual(hr.epoch);
    expect(Object.keys(h.history).sort(), 'fit: history keys').toEqual(Object.keys(hr.history).sort());
    for (const [key, values] of Object.entries(hr.history)) expectClose(`fit history ${key}`, h.history[key]!, values, tol);
    expectSameProgress(seen, seenRef, tol);
    expectSameState('after fit', model, ref, tol);

    const [xe, ye] = [data(50, 255, inputs), c.loss.targets(50, 255, outputs)];
    const options = { batchSize: c.evaluateBatchSize, sampleWeight: c.weights?.(50, 255, ye).sampleWeight };
    const [e, er] = [await model.evaluate(xe, ye, options), await ref.evaluate(xe, ye, options)];
    expect(Object.keys(e), 'evaluate: keys').toEqual(Object.keys(er));
    for (const [key, value] of Object.entries(er)) expectClose(`evaluate ${key}`, e[key]!, value!, tol);

    for (const rows of [1, 7, 13, 255]) {
      const xp = data(70 + rows, rows, inputs);
      const expected = (await ref.predict(xp)).data;
      expectClose(`predict of ${rows} rows`, (await model.predict(xp)).data, expected, tol);
      if (rows <= 13) expectClose(`predictSync of ${rows} rows`, model.predictSync(xp).data, expected, tol);
    }

    if (model.compileConfig?.optimizer.stepSchedule) {
      // a per-step schedule sets the rate at every step: setting it from outside is refused (as Keras does)
      expect(() => model.setLearningRate(0.001)).toThrow(/follows a per-step schedule/);
      return;
    }
    // a new learning rate keeps the optimizer state
    model.setLearningRate(model.getLearningRate() / 2);
    ref.setLearningRate(ref.getLearningRate() / 2);
    expectClose('loss after setLearningRate', await model.trainOnBatch(x, y), await ref.trainOnBatch(x, y), tol);
    expectSameState('after setLearningRate', model, ref, tol);
  } finally {
    model.dispose();
    ref.dispose();
  }
}

/** A fresh model given another's weights and optimizer state continues as that one does. */
export async function restoredState(c: Case, backend: BackendName): Promise<void> {
  const [model, ref] = [build(c, backend), build(c, referenceBackend)];
  const [x, y] = [data(31, 23, model.inputSize), c.loss.targets(31, 23, model.outputSize)];
  await model.fit(x, y, { epochs: 1, batchSize: 5 });
  await ref.fit(x, y, { epochs: 1, batchSize: 5 });
  const restore = (from: nn.Sequential) => {
    const m = build(c, backend);
    m.setWeights(from.getWeights());
    m.setOptimizerState(from.getOptimizerState());
    return m;
  };
  const [copy, fromRef] = [restore(model), restore(ref)];
  const more = { epochs: 3, initialEpoch: 1, batchSize: 5 };
  const [h, hc, hr, hf] = [await model.fit(x, y, more), await copy.fit(x, y, more), await ref.fit(x, y, more), await fromRef.fit(x, y, more)];
  // its own state: bit-identical continuation
  expectClose('restored copy: epoch losses', hc.history.loss!, h.history.loss!, { rtol: 0, atol: 0 });
  expectSameState('restored copy', copy, model, { rtol: 0, atol: 0 });
  // the reference's state: continues as the reference does
  expectClose('restored from the reference: epoch losses', hf.history.loss!, hr.history.loss!, c.tolerance);
  expectSameState('restored from the reference', fromRef, ref, c.tolerance);
  for (const m of [model, ref, copy, fromRef]) m.dispose();
}

const forwardShapes: [inputs: number, units: number][] = [[1, 1], [7, 13], [13, 64], [255, 17], [64, 256], [784, 10]];

/** One dense layer of the activation (then a linear one, where it may be hidden) on odd and round shapes. */
export async function forward(a: ActivationRow, backend: BackendName): Promise<void> {
  for (const [inputs, units] of forwardShapes) {
    const layers = () => [nn.dense(units, { inputShape: [inputs], ...withActivation(a) }), ...(a.outputOnly ? [] : [nn.dense(3)])];
    const [model, ref] = [nn.sequential(layers(), { backend, seed: 5 }), nn.sequential(layers(), { backend: referenceBackend, seed: 5 })];
    for (const rows of [1, 7, 13, 128, 255]) {
      const x = data(inputs * 31 + units + rows, rows, inputs);
      expectClose(`${label(a)}, ${inputs}→${units}, ${rows} rows`, (await model.predict(x)).data, (await ref.predict(x)).data);
    }
    model.dispose();
    ref.dispose();
  }
}
