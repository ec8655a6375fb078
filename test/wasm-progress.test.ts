// The wasm engine reports every batch of an epoch, in order. The backend contract lets a backend thin progress
// out (native does; backend-ops checks what all backends share: order, the last batch, equal losses), so this is
// wasm's own promise, kept from the folded test/wasm-training.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { prepareBackend } from './helpers/backends.js';
import { classIds, data } from './helpers/backend-ops.js';

beforeAll(() => prepareBackend('wasm'));

describe('wasm progress', () => {
  it('reports every batch of every epoch, in order, with the batch count', async () => {
    const model = nn.sequential([nn.dense(9, { inputShape: [5], activation: 'relu' }), nn.dense(3, { activation: 'softmax' })], { backend: 'wasm', seed: 2 });
    model.compile({ optimizer: nn.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
    const seen: [epoch: number, batch: number, batches: number][] = [];
    const y = nn.tensor(Float32Array.from(classIds(4, 23, 3)), [23]);
    for (const [epoch, batchSize, shuffle] of [[0, 5, true], [1, 7, true], [2, 64, false]] as const) {
      await model.fit(data(3, 23, 5), y, {
        epochs: epoch + 1,
        initialEpoch: epoch,
        batchSize,
        shuffle,
        callbacks: { onBatchEnd: (batch, logs) => void seen.push([logs.epoch, batch, logs.batches]) },
      });
    }
    const expected = ([[0, 5], [1, 4], [2, 1]] as const).flatMap(([epoch, batches]) =>
      Array.from({ length: batches }, (_, batch) => [epoch, batch, batches]),
    );
    expect(seen).toEqual(expected);
    model.dispose();
  });
});
