/** earlyStopping and reduceLROnPlateau when the value they watch is not there: one warning, and no effect. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nn from '../src/index.js';

afterEach(() => vi.restoreAllMocks());

function model() {
  const m = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend: 'ts', seed: 3 });
  // far too small a learning rate to move: a plateau, on which both callbacks would act if they could see it
  m.compile({ optimizer: nn.sgd({ learningRate: 1e-9 }), loss: 'mse' });
  return m;
}
const x = nn.tensor(Array.from({ length: 40 }, (_, i) => [i / 40]));
const y = nn.tensor(Array.from({ length: 40 }, (_, i) => [2 * (i / 40) - 1]));

describe('callbacks whose monitored value is missing', () => {
  it('reduceLROnPlateau on val_loss without validation data warns once and leaves the learning rate alone', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const h = await model().fit(x, y, { epochs: 6, batchSize: 40, callbacks: [nn.reduceLROnPlateau({ patience: 1, factor: 0.5 })] });
    expect(h.history.lr).toEqual(new Array(6).fill(1e-9));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe(
      "neurite: reduceLROnPlateau monitors 'val_loss', which is not in the logs (loss, lr), so it does nothing; val_* values need validationSplit or validationData in fit",
    );
  });

  it('earlyStopping on a misspelt metric warns once and lets every epoch run', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const stop = nn.earlyStopping({ monitor: 'acuracy', patience: 0, restoreBestWeights: true });
    const h = await model().fit(x, y, { epochs: 5, batchSize: 40, callbacks: [stop] });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4]);
    expect(stop.stoppedEpoch).toBe(-1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^neurite: earlyStopping monitors 'acuracy', which is not in the logs \(loss, lr\), so it does nothing$/);
  });

  it('with the value present, the same callbacks act and say nothing (so the test above can fail)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const h = await model().fit(x, y, { epochs: 6, batchSize: 40, validationSplit: 0.25, callbacks: [nn.reduceLROnPlateau({ patience: 1, factor: 0.5 })] });
    expect(h.history.lr!.at(-1)).toBeLessThan(1e-9);
    const stop = nn.earlyStopping({ monitor: 'val_loss', patience: 1 });
    const h2 = await model().fit(x, y, { epochs: 8, batchSize: 40, validationSplit: 0.25, callbacks: [stop] });
    expect(h2.epoch.length).toBeLessThan(8);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('modelCheckpoint, csvLogger, terminateOnNaN', () => {
  it('modelCheckpoint with saveBestOnly hands the bytes of the best epochs to a function; the file loads back', async () => {
    const { mkdtempSync, rmSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const saved: { epoch: number; bytes: Uint8Array }[] = [];
    const m = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend: 'ts', seed: 3 });
    m.compile({ optimizer: nn.sgd({ learningRate: 0.5 }), loss: 'mse' });
    const h = await m.fit(x, y, {
      epochs: 4,
      batchSize: 8,
      callbacks: [nn.modelCheckpoint((bytes, info) => void saved.push({ epoch: info.epoch, bytes }), { monitor: 'loss', saveBestOnly: true })],
    });
    // saved exactly at the epochs whose loss was a new minimum
    let best = Infinity;
    const improving = h.history.loss!.flatMap((l, e) => (l < best ? ((best = l), [e]) : []));
    expect(saved.map((s) => s.epoch)).toEqual(improving);
    const last = await nn.loadModelFromBytes(saved.at(-1)!.bytes);
    expect(last.getWeights()[0]!.data).toEqual(m.getWeights()[0]!.data);
    // to a path, every epoch, {epoch} replaced by the 1-based epoch
    const dir = mkdtempSync(join(tmpdir(), 'neurite-ckpt-'));
    try {
      await m.fit(x, y, { epochs: 2, batchSize: 8, callbacks: [nn.modelCheckpoint(join(dir, 'model-{epoch}.safetensors'), { monitor: 'loss' })] });
      expect([1, 2].map((e) => existsSync(join(dir, `model-${e}.safetensors`)))).toEqual([true, true]);
      const file = await nn.loadModel(join(dir, 'model-2.safetensors'));
      expect(file.getWeights()[0]!.data).toEqual(m.getWeights()[0]!.data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => nn.modelCheckpoint(5 as unknown as string)).toThrow(/^nn\.modelCheckpoint target: expected a file path/);
  });

  it('csvLogger writes a header and one line per epoch with every log', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'neurite-csv-'));
    try {
      const path = join(dir, 'log.csv');
      const m = model();
      const h = await m.fit(x, y, { epochs: 3, batchSize: 10, validationSplit: 0.25, callbacks: [nn.csvLogger(path)] });
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      expect(lines[0]).toBe('epoch,loss,val_loss,lr');
      expect(lines.slice(1)).toEqual([0, 1, 2].map((e) => `${e},${h.history.loss![e]},${h.history.val_loss![e]},${h.history.lr![e]}`));
      // a second fit replaces the file unless append is set
      await m.fit(x, y, { epochs: 1, batchSize: 10, callbacks: [nn.csvLogger(path, { separator: ';' })] });
      expect(readFileSync(path, 'utf8').split('\n')[0]).toBe('epoch;loss;lr');
      // append: no second header in a file that has one; a header in a new file
      await m.fit(x, y, { epochs: 2, batchSize: 10, callbacks: [nn.csvLogger(path, { separator: ';', append: true })] });
      expect(readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => l.split(';')[0])).toEqual(['epoch', '0', '0', '1']);
      const fresh = join(dir, 'fresh.csv');
      await m.fit(x, y, { epochs: 1, batchSize: 10, callbacks: [nn.csvLogger(fresh, { append: true })] });
      expect(readFileSync(fresh, 'utf8').split('\n')[0]).toBe('epoch,loss,lr');
      const seen: string[] = [];
      await m.fit(x, y, { epochs: 2, batchSize: 10, callbacks: [nn.csvLogger((line) => void seen.push(line))] });
      expect(seen).toHaveLength(2);
      expect(seen[0]!.startsWith('epoch,loss,lr\n0,')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(['ts', 'native', 'wasm'] as const)('terminateOnNaN stops in the batch whose loss is not finite (%s)', async (backend) => {
    await nn.ready(backend);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend, seed: 3 });
    // a learning rate that diverges to Infinity and NaN within a few batches
    m.compile({ optimizer: nn.sgd({ learningRate: 1e6 }), loss: 'mse' });
    const stop = nn.terminateOnNaN();
    const batches: number[] = [];
    const h = await m.fit(x, y, { epochs: 5, batchSize: 1, shuffle: false, callbacks: [stop, { onBatchEnd: (b) => void batches.push(b) }] });
    expect(stop.stoppedAt).toBeDefined();
    expect(stop.stoppedAt!.epoch).toBe(0);
    // no batch after the one that failed was reported, and the epoch it stopped in is not in the history
    expect(batches.at(-1)).toBe(stop.stoppedAt!.batch);
    expect(stop.stoppedAt!.batch).toBeLessThan(39);
    expect(h.epoch).toEqual([]);
    m.dispose();
  });
});
