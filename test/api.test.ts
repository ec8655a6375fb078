/** The Model API itself: construction, validation, callbacks, schedules, summary (backend-independent). */
import { describe, it, expect, vi } from 'vitest';
import * as nn from '../src/index.js';

const net = (seed = 1, backend: nn.BackendChoice = 'ts') =>
  nn.sequential([nn.dense(7, { inputShape: [5], activation: 'relu' }), nn.dense(4, { activation: 'softmax' })], { backend, seed });

describe('construction and validation', () => {
  it('follows the fixed contract: shapes of getWeights, loss before update, predict shape', async () => {
    const model = net();
    model.compile({ optimizer: nn.sgd({ learningRate: 0.5, momentum: 0.9, nesterov: false }), loss: 'categoricalCrossentropy' });
    const w = model.getWeights();
    expect(w.map((t) => t.shape)).toEqual([[5, 7], [7], [7, 4], [4]]);
    expect(w[0]!.data).toBeInstanceOf(Float32Array);
    const x = nn.tensor(Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)), [3, 5]);
    const y = nn.oneHot([0, 3, 1], 4);
    const before = await model.evaluate(x, y);
    const loss = await model.trainOnBatch(x, y);
    expect(loss).toBeCloseTo(before.loss, 5); // loss of the forward pass, before the update
    const after = await model.evaluate(x, y);
    expect(after.loss).toBeLessThan(before.loss);
    const out = await model.predict(x);
    expect(out.shape).toEqual([3, 4]);
    for (const row of out.toArray()) expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
  });

  it('a node with inputs 0.5, 1.3, weights 0.7, -0.4 and bias 0.03 outputs -0.14', async () => {
    const node = nn.sequential([nn.dense(1, { inputShape: [2] })], { backend: 'ts' });
    node.setWeights([nn.tensor([0.7, -0.4], [2, 1]), nn.tensor([0.03], [1])]);
    const out = await node.predict(nn.tensor([[0.5, 1.3]]));
    expect(out.data[0]).toBeCloseTo(-0.14, 6);
  });

  it('the same seed repeats a run exactly; another seed does not', async () => {
    const run = async (seed: number) => {
      const model = nn.sequential([nn.dense(6, { inputShape: [3], activation: 'relu' }), nn.dropout(0.25), nn.dense(2, { activation: 'softmax' })], { backend: 'ts', seed });
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      const x = nn.tensor(Float32Array.from({ length: 90 }, (_, i) => Math.cos(i * 1.7)), [30, 3]);
      const y = Float32Array.from({ length: 30 }, (_, i) => i % 2);
      const h = await model.fit(x, y, { epochs: 3, batchSize: 4 });
      return { h: h.history.loss, w: model.getWeights().map((t) => Array.from(t.data)) };
    };
    const [a, b, c] = [await run(11), await run(11), await run(12)];
    expect(a).toEqual(b);
    expect(a.w).not.toEqual(c.w);
  });

  it('rejects bad configuration with errors that name the argument', () => {
    const js = nn as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => nn.dense(4, { activation: 'relu6' as nn.ActivationName })).toThrow(/activation: expected one of 'linear', 'relu'.*'mish', 'silu', got "relu6"/);
    // 'silu' is an alias: it resolves to swish, so models, files and kernels only see 'swish'
    expect(nn.dense(4, { activation: 'silu' }).activation).toBe('swish');
    expect(nn.activationNames).not.toContain('silu');
    expect(() => nn.dense(0)).toThrow(/units: expected an integer in \[1, 16777216\], got 0/);
    expect(() => nn.dropout(1)).toThrow(/dropout rate: expected a number in \[0, 1\), got 1/);
    expect(() => nn.dropout(-0.1)).toThrow(/dropout rate/);
    expect(() => nn.sgd({ learningRate: 0 })).toThrow(/learningRate: expected a finite number > 0, got 0/);
    expect(() => nn.adam({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => js.sgd!({ learningRate: NaN })).toThrow(/learningRate/);
    expect(() => nn.sequential([nn.dense(3)])).toThrow(/inputShape/);
    expect(() => nn.sequential([nn.dense(3, { inputShape: [2] })], { backend: 'gpu' as nn.BackendChoice })).toThrow(/backend: expected one of/);
    const model = net();
    expect(() => model.compile({ optimizer: 'adadelta' as 'adam', loss: 'categoricalCrossentropy' })).toThrow(/optimizer: expected one of 'sgd', 'adam', 'adamw', 'rmsprop', 'nadam', 'adagrad', got "adadelta"/);
    expect(() => model.compile({ optimizer: 'adam', loss: 'hinge' as nn.LossName })).toThrow(/loss: expected one of/);
    expect(() => model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' })).toThrow(/needs a 'sigmoid' output layer/);
    expect(() => nn.sequential([nn.dense(3, { inputShape: [2], activation: 'softmax' }), nn.dense(2)])).toThrow(/softmax' only on the output layer/);
    const dropoutLast = nn.sequential([nn.dense(3, { inputShape: [2], activation: 'sigmoid' }), nn.dropout(0.5)], { backend: 'ts' });
    expect(() => dropoutLast.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' })).toThrow(/needs a 'sigmoid' output layer \(got 'a last layer that is not dense'\)/);
  });

  it('rejects option keys it does not read, and option values of the wrong kind (test/options.test.ts has every entry point)', async () => {
    const js = nn as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => js.dense!(4, { activation: 'relu', activaton: 'tanh' })).toThrow(/^nn\.dense options: unknown key 'activaton' \(did you mean 'activation'\?\); accepted keys: inputShape, activation, /);
    expect(() => js.sgd!({ lr: 0.5 })).toThrow(/^nn\.sgd options: unknown key 'lr' \(did you mean 'learningRate'\?\); accepted keys: learningRate, momentum, nesterov, clipValue, clipNorm, globalClipNorm$/);
    expect(() => js.sgd!(0.5)).toThrow(/^nn\.sgd options: expected an object with any of the keys learningRate, momentum, nesterov, clipValue, clipNorm, globalClipNorm, got 0\.5$/);
    expect(() => js.dense!(4, { kernelRegularizer: { l1: 0.01 } })).toThrow(/^kernelRegularizer: unknown key 'l1'/);
    expect(() => js.dense!(4, { name: 7 })).toThrow(/^name: expected a string, got 7/);
    expect(() => js.dropout!('half')).toThrow(/^dropout rate: expected a number in \[0, 1\), got "half"/);
    expect(() => js.dropout!(null)).toThrow(/^dropout rate: expected a number in \[0, 1\), got null/);
    expect(() => js.dropout!({ rate: 0.5, seed: 1 })).toThrow(/^nn\.dropout options: unknown key 'seed'; accepted keys: rate, inputShape, name$/);
    expect(() => js.sequential!([nn.dense(2, { inputShape: [2] })], { backend: 'ts', sed: 1 })).toThrow(/^nn\.sequential options: unknown key 'sed' \(did you mean 'seed'\?\)/);
    const model = net();
    expect(() => model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metric: ['accuracy'] } as nn.CompileOptions)).toThrow(
      /^compile options: unknown key 'metric' \(did you mean 'metrics'\?\)/,
    );
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = nn.tensor(new Float32Array(10), [2, 5]);
    const y = nn.oneHot([0, 1], 4);
    const before = model.getWeights().map((t) => Array.from(t.data));
    // refused before any training: the weights are untouched
    await expect(model.fit(x, y, { epoch: 5 } as nn.FitOptions)).rejects.toThrow(/^fit options: unknown key 'epoch' \(did you mean 'epochs'\?\)/);
    await expect(model.fit(x, y, null as unknown as nn.FitOptions)).rejects.toThrow(/^fit options: expected an object .*, got null$/);
    expect(model.getWeights().map((t) => Array.from(t.data))).toEqual(before);
    await expect(model.evaluate(x, y, { batch: 2 } as nn.EvaluateOptions)).rejects.toThrow(/^evaluate options: unknown key 'batch'/);
    await expect(model.save(undefined, { classnames: ['a', 'b', 'c', 'd'] } as nn.SaveOptions)).rejects.toThrow(/^save options: unknown key 'classnames' \(did you mean 'classNames'\?\)/);
  });

  it('needs compile before training or evaluating, but not before predicting', async () => {
    const model = net();
    const x = nn.tensor(new Float32Array(10), [2, 5]);
    await expect(model.fit(x, nn.oneHot([0, 1], 4))).rejects.toThrow(/call model.compile/);
    await expect(model.evaluate(x, nn.oneHot([0, 1], 4))).rejects.toThrow(/call model.compile/);
    expect((await model.predict(x)).shape).toEqual([2, 4]);
  });

  it('checks labels: out of range, not one-hot, not integers', async () => {
    const model = net();
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const x = nn.tensor(new Float32Array(10), [2, 5]);
    await expect(model.trainOnBatch(x, [0, 4])).rejects.toThrow(/y: expected class indices in \[0, 4\) \(found 4 at row 1\)/);
    await expect(model.trainOnBatch(x, [0, 1.5])).rejects.toThrow(/found 1.5/);
    await expect(model.trainOnBatch(x, [0, 1, 2])).rejects.toThrow(/y: expected 2 class indices/);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await expect(model.trainOnBatch(x, nn.tensor([[1, 0, 0, 0], [0, 2, 0, 0]]))).rejects.toThrow(/one-hot rows .* row 1 has 2/);
    const inf = nn.tensor(new Float32Array(10), [2, 5]);
    inf.data[9] = Infinity;
    await expect(model.predict(inf)).rejects.toThrow(/x: expected finite numbers \(found Infinity at row 1, column 4\)/);
  });

  it('setWeights checks count, shapes and values', () => {
    const model = net();
    expect(() => model.setWeights([])).toThrow(/weights: expected 4 tensors \(\[5, 7\], \[7\], \[7, 4\], \[4\]\)/);
    const w = model.getWeights();
    w[2] = nn.tensor(new Float32Array(28), [4, 7]);
    expect(() => model.setWeights(w)).toThrow(/weights\[2\]: expected shape \[7, 4\], got \[4, 7\]/);
    const bad = model.getWeights();
    bad[1]!.data[3] = NaN;
    expect(() => model.setWeights(bad)).toThrow(/weights\[1\]: expected finite numbers/);
  });

  it('summary lists layers, output shapes and parameter counts', () => {
    const model = nn.sequential([nn.dense(256, { inputShape: [784], activation: 'relu' }), nn.dropout(0.2), nn.dense(10, { activation: 'softmax' })], { backend: 'ts' });
    const lines: string[] = [];
    const text = model.summary((l) => lines.push(l));
    expect(text).toMatch(/dense_1 \(Dense, relu\)\s+\[null, 256\]\s+200960/);
    expect(text).toMatch(/dropout_1 \(Dropout 0.2\)\s+\[null, 256\]\s+0/);
    expect(text).toMatch(/dense_2 \(Dense, softmax\)\s+\[null, 10\]\s+2570/);
    expect(text).toMatch(/Total params: 203,530/);
    expect(model.countParams()).toBe(203530);
  });
});

describe('initialisers', () => {
  it('have the variance their names promise', () => {
    const check = (name: nn.InitializerName, fanIn: number, fanOut: number, variance: number) => {
      const model = nn.sequential([nn.dense(fanOut, { inputShape: [fanIn], kernelInitializer: name })], { backend: 'ts', seed: 9 });
      const w = model.getWeights()[0]!.data;
      const mean = w.reduce((a, b) => a + b, 0) / w.length;
      const v = w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length;
      expect(Math.abs(mean)).toBeLessThan(0.01);
      expect(v / variance).toBeGreaterThan(0.9);
      expect(v / variance).toBeLessThan(1.1);
    };
    check('glorotUniform', 300, 200, 2 / 500);
    check('glorotNormal', 300, 200, 2 / 500);
    check('heNormal', 300, 200, 2 / 300);
    check('heUniform', 300, 200, 2 / 300);
    const zeros = nn.sequential([nn.dense(3, { inputShape: [2], kernelInitializer: 'zeros', biasInitializer: 'ones' })], { backend: 'ts' });
    expect(Array.from(zeros.getWeights()[0]!.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(zeros.getWeights()[1]!.data)).toEqual([1, 1, 1]);
  });
});

describe('training helpers', () => {
  const regression = () => {
    const x = nn.tensor(Float32Array.from({ length: 200 }, (_, i) => (i / 100) - 1), [200, 1]);
    const y = nn.tensor(x.data.map((v) => 3 * v - 0.5), [200, 1]);
    return { x, y };
  };

  it('a regression with MSE converges', async () => {
    const { x, y } = regression();
    const model = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend: 'ts', seed: 2 });
    model.compile({ optimizer: nn.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const h = await model.fit(x, y, { epochs: 40, batchSize: 20 });
    expect(h.history.loss!.at(-1)!).toBeLessThan(1e-4);
    const [k, b] = model.getWeights();
    expect(k!.data[0]).toBeCloseTo(3, 2);
    expect(b!.data[0]).toBeCloseTo(-0.5, 2);
  });

  it('early stopping stops on a stalled metric and restores the best weights', async () => {
    const { x, y } = regression();
    const noisyY = nn.tensor(y.data.map((v, i) => v + ((i * 7919) % 13) / 4 - 1.5), [200, 1]);
    const model = nn.sequential([nn.dense(32, { inputShape: [1], activation: 'relu' }), nn.dense(1)], { backend: 'ts', seed: 4 });
    // a learning rate too large on purpose: validation loss bounces, so stopping matters
    model.compile({ optimizer: nn.adam({ learningRate: 0.3 }), loss: 'meanSquaredError' });
    const stop = nn.earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
    let bestWeights: Float32Array[] = [];
    let best = Infinity;
    const h = await model.fit(x, noisyY, {
      epochs: 200,
      batchSize: 10,
      validationSplit: 0.25,
      callbacks: [
        {
          onEpochEnd: (_e, logs, m) => {
            if (logs.val_loss! < best) {
              best = logs.val_loss!;
              bestWeights = m.getWeightArrays();
            }
          },
        },
        stop,
      ],
    });
    expect(h.epoch.length).toBeLessThan(200);
    expect(stop.stoppedEpoch).toBe(h.epoch.at(-1));
    expect(stop.stoppedEpoch - stop.bestEpoch).toBe(3);
    model.getWeights().forEach((w, i) => expect(Array.from(w.data)).toEqual(Array.from(bestWeights[i]!)));
    const val = await model.evaluate(nn.tensor(x.data.subarray(150), [50, 1]), nn.tensor(noisyY.data.subarray(150), [50, 1]));
    expect(val.loss).toBeCloseTo(best, 4);
  });

  it('schedules set the learning rate per epoch; reduceLROnPlateau cuts it on a plateau', async () => {
    expect(nn.stepDecay({ initial: 0.1, factor: 0.5, every: 2 }).at(5)).toBeCloseTo(0.025);
    expect(nn.exponentialDecay({ initial: 1, rate: 0.5, every: 2 }).at(4)).toBeCloseTo(0.25);
    const cos = nn.cosineDecay({ initial: 1, epochs: 10, alpha: 0.1 });
    expect(cos.at(0)).toBeCloseTo(1);
    expect(cos.at(5)).toBeCloseTo(0.55);
    expect(cos.at(10)).toBeCloseTo(0.1);
    const { x, y } = regression();
    const model = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend: 'ts', seed: 2 });
    model.compile({ optimizer: nn.sgd({ learningRate: nn.stepDecay({ initial: 0.1, factor: 0.5, every: 2 }) }), loss: 'mse' });
    const h = await model.fit(x, y, { epochs: 5, batchSize: 50 });
    expect(h.history.lr).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);

    const plateau = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend: 'ts', seed: 2 });
    plateau.compile({ optimizer: nn.sgd({ learningRate: 1e-9 }), loss: 'mse' }); // far too small to move: a plateau
    const h2 = await plateau.fit(x, y, { epochs: 6, batchSize: 50, callbacks: [nn.reduceLROnPlateau({ monitor: 'loss', patience: 2, factor: 0.5 })] });
    expect(h2.history.lr).toEqual([1e-9, 1e-9, 1e-9, 5e-10, 5e-10, 2.5e-10]);
  });

  it('per-step schedules follow Keras by optimizer step; the engine applies them, and they refuse a rate set from outside', async () => {
    // Keras: CosineDecay(0.1, decay_steps=10, alpha=0.1, warmup_target=1, warmup_steps=5)
    const cos = nn.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 0.1, warmupSteps: 5, warmupTarget: 1 });
    expect(cos.perStep).toBe(true);
    expect([0, 2.5, 5, 10, 15, 100].map((s) => cos.atStep(s))).toEqual([0.1, 0.55, 1, 0.55, 0.1, 0.1].map((v) => expect.closeTo(v, 12)));
    const exp = nn.exponentialDecay({ initialLearningRate: 1, decaySteps: 4, decayRate: 0.5, staircase: true });
    expect([0, 3, 4, 9].map((s) => exp.atStep(s))).toEqual([1, 1, 0.5, 0.25]);
    expect(nn.exponentialDecay({ initialLearningRate: 1, decaySteps: 4, decayRate: 0.5 }).atStep(2)).toBeCloseTo(Math.SQRT1_2, 12);
    const pc = nn.piecewiseConstant([2, 5], [0.3, 0.2, 0.1]);
    expect([0, 2, 3, 5, 6].map((s) => pc.atStep(s))).toEqual([0.3, 0.3, 0.2, 0.2, 0.1]);
    // the old per-epoch form of the same names is unchanged
    expect(nn.cosineDecay({ initial: 1, epochs: 10 }).at(10)).toBeCloseTo(0);

    // 50 rows in batches of 10: 5 steps per epoch; the history's lr is the rate of the next step
    const { x, y } = regression();
    await nn.ready('wasm');
    for (const backend of ['ts', 'native', 'wasm'] as const) {
      const model = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend, seed: 2 });
      model.compile({ optimizer: nn.sgd({ learningRate: nn.piecewiseConstant([4, 9], [0.1, 0.01, 0.001]) }), loss: 'mse' });
      const h = await model.fit(nn.tensor(x.data.subarray(0, 50), [50, 1]), nn.tensor(y.data.subarray(0, 50), [50, 1]), { epochs: 3, batchSize: 10 });
      expect(h.history.lr, backend).toEqual([0.01, 0.001, 0.001]);
      expect(() => model.setLearningRate(0.5)).toThrow(/setLearningRate: the optimizer's learning rate follows a per-step schedule \(nn\.piecewiseConstant\)/);
      // a callback that sets the rate fails the same way rather than being ignored
      await expect(model.fit(x, y, { epochs: 1, callbacks: [nn.learningRateScheduler(() => 0.1)] })).rejects.toThrow(/per-step schedule/);
      model.dispose();
    }
    expect(() => nn.learningRateScheduler(cos as never)).toThrow(/nn\.learningRateScheduler schedule: expected a per-epoch schedule/);
  });

  it('per-step schedules and gradient clips refuse bad options with the argument named', () => {
    expect(() => nn.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: 5 })).toThrow(/^warmupTarget: expected a finite number > 0 when warmupSteps is set/);
    expect(() => nn.cosineDecay({ initialLearningRate: 0.1, decaySteps: 0 })).toThrow(/^decaySteps: expected a finite number > 0, got 0/);
    expect(() => nn.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: 1.5, warmupTarget: 1 })).toThrow(/^warmupSteps: expected an integer >= 0/);
    expect(() => nn.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, epochs: 3 } as never)).toThrow(/^nn\.cosineDecay options: unknown key 'epochs'/);
    expect(() => nn.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: -1 })).toThrow(/^decayRate: expected a finite number > 0/);
    expect(() => nn.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: 1 as never })).toThrow(/^staircase: expected a boolean/);
    expect(() => nn.piecewiseConstant([3, 2], [1, 2, 3])).toThrow(/^boundaries\[1\]: expected a number greater than boundaries\[0\] \(3\), got 2/);
    expect(() => nn.piecewiseConstant([1, 2], [1, 2])).toThrow(/^nn\.piecewiseConstant values: expected an array of 3 learning rates/);
    expect(() => nn.piecewiseConstant([], [1])).toThrow(/^nn\.piecewiseConstant boundaries: expected an array of 1 to 32 step numbers/);
    expect(() => nn.piecewiseConstant(Array.from({ length: 33 }, (_, i) => i), Array(34).fill(0.1))).toThrow(/boundaries: expected an array of 1 to 32/);
    expect(() => nn.piecewiseConstant([1], [0.1, 0])).toThrow(/^values\[1\]: expected a finite number > 0, got 0/);
    expect(() => nn.adam({ clipNorm: 1, globalClipNorm: 1 })).toThrow(/^gradient clipping: expected at most one of clipValue, clipNorm, globalClipNorm, got "clipNorm and globalClipNorm"/);
    expect(() => nn.sgd({ clipValue: 0 })).toThrow(/^clipValue: expected a finite number > 0, got 0/);
    expect(() => nn.rmsprop({ globalClipNorm: NaN })).toThrow(/^globalClipNorm: expected a finite number > 0, got NaN/);
    expect(() => nn.adagrad({ initialAccumulatorValue: -1 })).toThrow(/^initialAccumulatorValue: expected a finite number >= 0, got -1/);
    expect(() => nn.nadam({ beta1: 1 })).toThrow(/^beta1: expected a number in \[0, 1\)/);
    // Keras's defaults
    expect(nn.nadam()).toMatchObject({ kind: 'nadam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(nn.adagrad()).toMatchObject({ kind: 'adagrad', learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
  });

  it('a saved model keeps its clip and per-step schedule, and resumes on the same rate', async () => {
    const { x, y } = regression();
    const model = nn.sequential([nn.dense(3, { inputShape: [1], activation: 'tanh' }), nn.dense(1)], { backend: 'ts', seed: 2 });
    const optimizer = nn.nadam({ learningRate: nn.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 3, decayRate: 0.5 }), globalClipNorm: 0.1 });
    model.compile({ optimizer, loss: 'mse' });
    await model.fit(x, y, { epochs: 1, batchSize: 40 });
    const copy = await nn.loadModelFromBytes(nn.serializeModel(model, { includeOptimizer: true }), { backend: 'ts' });
    expect(copy.compileConfig!.optimizer).toMatchObject({ kind: 'nadam', globalClipNorm: 0.1, stepSchedule: { kind: 'exponentialDecay', decaySteps: 3, decayRate: 0.5 } });
    const [a, b] = [await model.fit(x, y, { epochs: 2, batchSize: 40 }), await copy.fit(x, y, { epochs: 2, batchSize: 40 })];
    expect(b.history.loss).toEqual(a.history.loss);
    expect(b.history.lr).toEqual(a.history.lr);
    model.dispose();
    copy.dispose();
  });

  it('fit reports progress per batch and per epoch, with accuracy when asked', async () => {
    const iris = nn.loadIris();
    const model = nn.sequential([nn.dense(8, { inputShape: [4], activation: 'relu' }), nn.dense(3, { activation: 'softmax' })], { backend: 'ts', seed: 1 });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const onBatchEnd = vi.fn();
    const h = await model.fit(iris.x, iris.labels, { epochs: 2, batchSize: 50, callbacks: { onBatchEnd }, validationSplit: 0.2 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'lr', 'val_accuracy', 'val_loss']);
    expect(onBatchEnd).toHaveBeenCalledTimes(6); // 120 training rows / 50 → 3 batches × 2 epochs
    expect(onBatchEnd.mock.calls[2]![1]).toMatchObject({ batches: 3, epoch: 0 });
  });
});
