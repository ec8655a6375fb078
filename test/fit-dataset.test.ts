/**
 * model.fitDataset / evaluateDataset: the same weights as fit on the same batches (every backend), every source
 * form, callbacks and validation as in fit, abort, off-the-event-loop batches on native, and bad input: each
 * error names the epoch and batch and leaves the model usable with the batches before it trained.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { testedBackends } from './helpers/backends.js';

const F = 4;
const N = 103; // odd: the last batch of 16 is partial

const xAll = Float32Array.from({ length: N * F }, (_, i) => Math.sin(i * 1.3) + 0.1 * Math.cos(i * 0.7));
const yAll = Float32Array.from({ length: N }, (_, i) => (i * 7) % 3);

function build(backend: nn.BackendChoice, seed = 7): nn.Sequential {
  // dropout and adam: masks follow the step count and adam keeps per-step state, so both must advance alike
  const model = nn.sequential([nn.dense(9, { inputShape: [F], activation: 'relu' }), nn.dropout(0.25), nn.dense(3, { activation: 'softmax' })], { backend, seed });
  model.compile({ optimizer: nn.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Rows [start, end) as a batch. */
const batch = (start: number, end: number) => ({ xs: nn.tensor(xAll.slice(start * F, end * F), [end - start, F]), ys: yAll.slice(start, end) });

/** Batches of the given sizes, in order, over the data from row 0. */
function batchesOf(sizes: number[]) {
  const out = [];
  let at = 0;
  for (const size of sizes) {
    out.push(batch(at, at + size));
    at += size;
  }
  return out;
}

const by16 = () => batchesOf([...Array.from({ length: 6 }, () => 16), N - 96]);

const weights = (m: nn.Sequential) => m.getWeights().map((w) => Array.from(w.data));

/** The reference: trainOnBatch on each batch in turn (the same step fitDataset must take). */
async function trained(backend: nn.BackendChoice, batches: { xs: nn.Tensor; ys: Float32Array }[]) {
  const model = build(backend);
  for (const b of batches) await model.trainOnBatch(b.xs, b.ys);
  return model;
}

beforeAll(async () => {
  for (const b of testedBackends) await nn.ready(b);
});

describe.each(testedBackends)('fitDataset on %s', (backend) => {
  it('gives fit\'s weights, loss and accuracy on the same batches (shuffle off)', async () => {
    const a = build(backend);
    const b = build(backend);
    const ha = await a.fit(nn.tensor(xAll, [N, F]), yAll, { epochs: 3, batchSize: 16, shuffle: false });
    const hb = await b.fitDataset(by16, { epochs: 3 });
    expect(weights(b)).toEqual(weights(a)); // bit for bit
    expect(hb.epoch).toEqual(ha.epoch);
    for (const key of ['loss', 'accuracy', 'lr']) {
      expect(hb.history[key]!.length).toBe(3);
      hb.history[key]!.forEach((v, i) => expect(v).toBeCloseTo(ha.history[key]![i]!, 10));
    }
  });

  it('takes batches of different sizes (1, 7, 13, ...) as trainOnBatch would', async () => {
    const sizes = [1, 7, 13, 32, 5, 45];
    const model = build(backend);
    const h = await model.fitDataset(() => batchesOf(sizes), { epochs: 1 });
    const reference = await trained(backend, batchesOf(sizes));
    expect(weights(model)).toEqual(weights(reference));
    expect(h.history.loss![0]).toBeGreaterThan(0);
  });

  it('reports a bad batch by epoch and batch index, keeps the batches before it and stays usable', async () => {
    const good = by16();
    const bad = [...good.slice(0, 3), { xs: nn.tensor(new Float32Array(8 * 3), [8, 3]), ys: new Float32Array(8) }, ...good.slice(3)];
    const model = build(backend);
    await expect(model.fitDataset(() => bad, { epochs: 2 })).rejects.toThrow(
      'fitDataset: epoch 0, batch 3: xs: expected shape [samples, 4] (the model\'s inputShape), got [8, 3]',
    );
    expect(weights(model)).toEqual(weights(await trained(backend, good.slice(0, 3))));
    await model.fit(nn.tensor(xAll, [N, F]), yAll, { epochs: 1, batchSize: 32 }); // not left busy
    expect(weights(model)).not.toEqual(weights(await trained(backend, good.slice(0, 3))));
  });

  it('reports a source that throws halfway through an epoch, with the batches before it kept', async () => {
    const good = by16();
    const boom = new Error('disk on fire');
    async function* source() {
      for (let i = 0; i < good.length; i++) {
        if (i === 4) throw boom;
        yield good[i]!;
      }
    }
    const model = build(backend);
    const error = await model.fitDataset(source, { epochs: 1 }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(nn.NeuriteError);
    expect((error as Error).message).toBe(
      'fitDataset: epoch 0, batch 4: the data source threw (the 4 batches before it trained and are kept): disk on fire',
    );
    expect((error as Error).cause).toBe(boom);
    expect(weights(model)).toEqual(weights(await trained(backend, good.slice(0, 4))));
    const again = await model.fitDataset(() => good, { epochs: 1 });
    expect(again.history.loss!.length).toBe(1);
  });
});

describe('fitDataset sources', () => {
  const reference = async () => weights(await trained('ts', [...by16(), ...by16()]));

  it('accepts a function returning an array, a sync generator, an async generator or a promise of one', async () => {
    const expected = await reference();
    const sources: nn.DatasetSource[] = [
      () => by16(),
      function* () {
        yield* by16();
      },
      async function* () {
        for (const b of by16()) {
          await new Promise((r) => setTimeout(r, 0));
          yield b;
        }
      },
      async () => by16(),
    ];
    for (const source of sources) {
      const model = build('ts');
      await model.fitDataset(source, { epochs: 2 });
      expect(weights(model)).toEqual(expected);
    }
  });

  it('accepts an array of batches and a re-iterable async iterable', async () => {
    const expected = await reference();
    const iterable: AsyncIterable<{ xs: nn.Tensor; ys: Float32Array }> = {
      async *[Symbol.asyncIterator]() {
        yield* by16();
      },
    };
    for (const source of [by16(), iterable] as nn.DatasetSource[]) {
      const model = build('ts');
      await model.fitDataset(source, { epochs: 2 });
      expect(weights(model)).toEqual(expected);
    }
  });

  it('explains that a generator object cannot be iterated a second time', async () => {
    const once = (function* () {
      yield* by16();
    })();
    await expect(build('ts').fitDataset(once, { epochs: 2 })).rejects.toThrow(
      /fitDataset: epoch 1: the source gave no batches\. A generator object can be iterated only once: pass a function/,
    );
  });

  it('closes the source when training stops early', async () => {
    let closed = 0;
    function* source() {
      try {
        yield* by16();
      } finally {
        closed++;
      }
    }
    const bad = function* () {
      try {
        yield by16()[0]!;
        yield { xs: nn.tensor([[1, 2, 3, Infinity]]), ys: [0] };
        yield* by16();
      } finally {
        closed++;
      }
    };
    await build('ts').fitDataset(source, { epochs: 2 });
    expect(closed).toBe(2); // ran to the end twice
    await expect(build('ts').fitDataset(bad)).rejects.toThrow('fitDataset: epoch 0, batch 1: xs: expected finite numbers (found Infinity at row 0, column 3)');
    expect(closed).toBe(3);
  });
});

// Where epochs train on a thread of their own (native; wasm's threaded build, which Node gets), batches go in groups.
describe.each(['native', 'wasm'] as const)('fitDataset on %s: the next batch is read while one trains', (backend) => {
  it('trains off the JavaScript thread', () => {
    expect((build(backend) as unknown as { engine: { trainsOffThread: boolean } }).engine.trainsOffThread).toBe(true);
  });

  it('asks for batch b+1 before batch b has finished training', async () => {
    const events: string[] = [];
    function* source() {
      for (const [i, b] of by16().entries()) {
        events.push(`next ${i}`);
        yield b;
      }
    }
    await build(backend).fitDataset(source, { epochs: 1, callbacks: { onBatchEnd: (b) => void events.push(`trained ${b}`) } });
    expect(events.indexOf('next 1')).toBeLessThan(events.indexOf('trained 0'));
    expect(events.filter((e) => e.startsWith('trained'))).toHaveLength(7);
  });

  it('walks an array of batches as it is: the same weights as fit, shuffle off', async () => {
    const a = build(backend);
    const b = build(backend);
    await a.fit(nn.tensor(xAll, [N, F]), yAll, { epochs: 2, batchSize: 16, shuffle: false });
    await b.fitDataset(by16, { epochs: 2 });
    expect(weights(b)).toEqual(weights(a));
  });

  it('trains as on fresh arrays when the source refills the same buffers for each batch', async () => {
    const xs = new Float32Array(16 * F);
    const ys = new Float32Array(16);
    function* reusing() {
      for (let at = 0; at + 16 <= 96; at += 16) {
        xs.set(xAll.subarray(at * F, (at + 16) * F));
        ys.set(yAll.subarray(at, at + 16));
        yield { xs: nn.tensor(xs, [16, F]), ys };
      }
    }
    const a = build(backend);
    const b = build(backend);
    await a.fitDataset(() => batchesOf(Array.from({ length: 6 }, () => 16)), { epochs: 2 });
    await b.fitDataset(reusing, { epochs: 2 });
    expect(weights(b)).toEqual(weights(a));
  });
});

describe('fitDataset callbacks, validation and abort', () => {
  it('calls onBatchEnd per batch with the batch count, and the epoch callbacks as fit does', async () => {
    const events: string[] = [];
    const model = build('native');
    const source = Object.assign(() => by16(), { batches: 7 });
    await model.fitDataset(source, {
      epochs: 2,
      callbacks: {
        onTrainBegin: () => void events.push('begin'),
        onEpochBegin: (e) => void events.push(`epoch ${e}`),
        onBatchEnd: (b, logs) => void events.push(`${logs.epoch}:${b}/${logs.batches}`),
        onEpochEnd: (e, logs) => void events.push(`end ${e} ${Object.keys(logs).join(',')}`),
        onTrainEnd: () => void events.push('done'),
      },
    });
    const batches = (e: number) => Array.from({ length: 7 }, (_, b) => `${e}:${b}/7`);
    expect(events).toEqual(['begin', 'epoch 0', ...batches(0), 'end 0 loss,accuracy,lr', 'epoch 1', ...batches(1), 'end 1 loss,accuracy,lr', 'done']);
  });

  it('without a known count reports NaN in the first epoch, then the count of the one before', async () => {
    const seen: number[] = [];
    await build('ts').fitDataset(function* () {
      yield* by16();
    }, { epochs: 2, callbacks: { onBatchEnd: (_b, logs) => void seen.push(logs.batches) } });
    expect(seen.slice(0, 7).every(Number.isNaN)).toBe(true);
    expect(seen.slice(7)).toEqual(Array(7).fill(7));
  });

  it('validates on arrays or on a source after each epoch; earlyStopping can stop it', async () => {
    const vx = nn.tensor(xAll.slice(0, 40 * F), [40, F]);
    const vy = yAll.slice(0, 40);
    const a = build('wasm');
    const ha = await a.fitDataset(by16, { epochs: 2, validationData: [vx, vy] });
    const b = build('wasm');
    const hb = await b.fitDataset(by16, { epochs: 2, validationData: () => batchesOf([13, 27]) });
    expect(ha.history.val_loss!.length).toBe(2);
    hb.history.val_loss!.forEach((v, i) => expect(v).toBeCloseTo(ha.history.val_loss![i]!, 5));
    hb.history.val_accuracy!.forEach((v, i) => expect(v).toBeCloseTo(ha.history.val_accuracy![i]!, 10));
    const last = await a.evaluate(vx, vy);
    expect(ha.history.val_loss![1]).toBeCloseTo(last.loss, 6);
    const streamed = await a.evaluateDataset(batchesOf([13, 27]));
    expect(streamed.loss).toBeCloseTo(last.loss, 5);
    expect(streamed.accuracy).toBeCloseTo(last.accuracy!, 10);

    const stopper = nn.earlyStopping({ monitor: 'loss', patience: 1, minDelta: 1e9 });
    const h = await build('native').fitDataset(by16, { epochs: 10, callbacks: [stopper] });
    expect(h.epoch).toEqual([0, 1]);
    expect(stopper.stoppedEpoch).toBe(1);
  });

  it('aborts between batches with an AbortError, keeps what trained, and stays usable', async () => {
    const controller = new AbortController();
    const model = build('native');
    const run = model.fitDataset(by16, {
      epochs: 3,
      signal: controller.signal,
      callbacks: { onBatchEnd: (b, logs) => void (logs.epoch === 1 && b === 2 && controller.abort()) },
    });
    await expect(run).rejects.toBeInstanceOf(nn.AbortError);
    // Native trains batches in groups (fit-dataset.ts), and batch 2's report reaches JavaScript while the group
    // goes on, as in fit: the abort stops it after batch 2 or a later one of that group (batches 0-5 of 16 rows),
    // never inside a step and never past the group.
    const kept = [];
    for (let k = 3; k <= 6; k++) kept.push(weights(await trained('native', [...by16(), ...by16().slice(0, k)])));
    expect(kept).toContainEqual(weights(model));
    await expect(model.fitDataset(by16)).resolves.toBeDefined();
  });

  it('aborts while waiting for a source that never answers', async () => {
    const controller = new AbortController();
    const stuck: AsyncIterable<never> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => {}) }) };
    const run = build('ts').fitDataset(stuck, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toBeInstanceOf(nn.AbortError);
  });
});

describe('fitDataset on native keeps the event loop turning', () => {
  it('trains every batch off the event loop, however small', async () => {
    // Batches of 2 rows are far below the size at which native trainBatch leaves the JavaScript thread.
    const tiny = () => Array.from({ length: 200 }, (_, i) => batch(i % 50, (i % 50) + 2));
    let turns = 0;
    let running = true;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const model = build('native');
    await model.fitDataset(tiny, { epochs: 1 });
    running = false;
    // Each group of 8 batches (fit-dataset.ts) trains on a worker thread, so the loop turns between groups.
    expect(turns).toBeGreaterThanOrEqual(200 / 8);
  });
});

describe('fitDataset bad input', () => {
  it('names the batch whose xs and ys counts disagree, keeps the batch before it, stays usable', async () => {
    const bad = () => [batch(0, 8), { xs: batch(8, 16).xs, ys: yAll.slice(8, 15) }];
    const model = build('wasm');
    await expect(model.fitDataset(bad)).rejects.toThrow(
      'fitDataset: epoch 0, batch 1: ys: expected 8 class indices, shape [8] (sparseCategoricalCrossentropy), got [7]',
    );
    expect(weights(model)).toEqual(weights(await trained('wasm', [batch(0, 8)])));
    await expect(model.fitDataset(by16)).resolves.toBeDefined();
    const oneHot = nn.sequential([nn.dense(3, { inputShape: [F], activation: 'softmax' })], { backend: 'ts' });
    oneHot.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const wrong = () => [{ xs: batch(0, 5).xs, ys: nn.oneHot([0, 1, 2, 0], 3) }];
    await expect(oneHot.fitDataset(wrong)).rejects.toThrow('fitDataset: epoch 0, batch 0: ys: expected shape [5, 3] (one row per input sample, one column per output unit), got [4, 3]');
  });

  it('names a batch that is not { xs, ys }, a label out of range, an empty batch', async () => {
    await expect(build('ts').fitDataset(() => [batch(0, 4), [1, 2] as never])).rejects.toThrow('fitDataset: epoch 0, batch 1: expected a batch { xs, ys }, got an array of length 2');
    await expect(build('ts').fitDataset(() => [{ xs: batch(0, 2).xs, ys: [0, 3] }])).rejects.toThrow('fitDataset: epoch 0, batch 0: ys: expected class indices in [0, 3) (found 3 at row 1)');
    await expect(build('ts').fitDataset(() => [{ xs: nn.tensor(new Float32Array(0), [0, F]), ys: [] }])).rejects.toThrow('fitDataset: epoch 0, batch 0: xs: expected at least one sample');
  });

  it('rejects unknown options, a bad source, and use before compile', async () => {
    const model = build('ts');
    await expect(model.fitDataset(by16, { epochs: 1, batchSize: 16 } as nn.FitDatasetOptions)).rejects.toThrow(/fitDataset options: .*unknown key 'batchSize'/);
    await expect(model.fitDataset(42 as never)).rejects.toThrow('fitDataset: source: expected a function returning an iterable of batches { xs, ys }, or an iterable (sync or async) of them, got 42');
    await expect(model.fitDataset((() => 42) as never)).rejects.toThrow('fitDataset: epoch 0: the source function: expected to return an iterable (sync or async) of batches { xs, ys }, got 42');
    await expect(model.fitDataset(by16, { epochs: 0 })).rejects.toThrow('epochs: expected a positive integer, got 0');
    const raw = nn.sequential([nn.dense(3, { inputShape: [F] })], { backend: 'ts' });
    await expect(raw.fitDataset(by16)).rejects.toThrow('fitDataset: call model.compile({ optimizer, loss }) first');
  });

  it('refuses a second training call while one runs', async () => {
    const model = build('native');
    const first = model.fitDataset(by16, { epochs: 2 });
    await expect(model.fitDataset(by16)).rejects.toThrow('fitDataset: the model is busy with another fit/trainOnBatch call; await it first');
    await first;
  });
});
