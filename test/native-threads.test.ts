/** The `threads` option reaches the native engine, and splitting GEMM tiles across threads changes no result. */
import { describe, it, expect } from 'vitest';
import * as nn from '../src/index.js';

describe('native threads option', () => {
  it('1 and 2 threads train to identical weights', async () => {
    const x = nn.tensor(Float32Array.from({ length: 300 * 64 }, (_, i) => Math.sin(i * 0.37)), [300, 64]);
    const y = Float32Array.from({ length: 300 }, (_, i) => i % 10);
    const run = async (threads: number) => {
      const model = nn.sequential([nn.dense(96, { inputShape: [64], activation: 'relu' }), nn.dense(10, { activation: 'softmax' })], { backend: 'native', seed: 3, threads });
      model.compile({ optimizer: nn.sgd({ learningRate: 0.05, momentum: 0.9 }), loss: 'sparseCategoricalCrossentropy' });
      await model.fit(x, y, { epochs: 2, batchSize: 64 });
      const w = model.getWeights().map((t) => Array.from(t.data));
      model.dispose();
      return w;
    };
    expect(await run(2)).toEqual(await run(1));
  });

  it('rejects a bad threads value naming the option', () => {
    expect(() => nn.sequential([nn.dense(2, { inputShape: [2] })], { backend: 'native', threads: 0 })).toThrow(/threads: expected an integer in \[1, 256\], got 0/);
  });
});
