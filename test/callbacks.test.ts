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
