/** Every number quoted in docs/first-network.md, computed by neurite. If the guide drifts, this fails. */
import { describe, it, expect } from 'vitest';
import * as nn from '../src/index.js';

describe('docs/first-network.md', () => {
  it('1. a node: -0.14', async () => {
    const node = nn.sequential([nn.dense(1, { inputShape: [2] })], { backend: 'ts' });
    node.setWeights([nn.tensor([0.7, -0.4], [2, 1]), nn.tensor([0.03], [1])]);
    expect((await node.predict([[0.5, 1.3]])).data[0]).toBeCloseTo(-0.14, 6);
  });

  it('2. parameter counts: 9 and 235,146', () => {
    expect(nn.sequential([nn.dense(3, { inputShape: [2] })], { backend: 'ts' }).countParams()).toBe(9);
    const fm = nn.sequential([nn.dense(256, { inputShape: [784] }), nn.dense(128), nn.dense(10, { activation: 'softmax' })], { backend: 'ts' });
    expect(fm.countParams()).toBe(235146);
  });

  it('3. activations through a one-unit identity layer', async () => {
    const through = async (activation: nn.ActivationName, v: number) => {
      const m = nn.sequential([nn.dense(1, { inputShape: [1], activation })], { backend: 'ts' });
      m.setWeights([nn.tensor([1], [1, 1]), nn.tensor([0], [1])]);
      return (await m.predict([[v]])).data[0]!;
    };
    expect(await through('relu', -2)).toBe(0);
    expect(await through('relu', 3)).toBe(3);
    expect(await through('sigmoid', 0)).toBe(0.5);
    expect(await through('tanh', 1)).toBeCloseTo(0.7616, 4);
  });

  it('4. softmax of [2, 1, 0.1]', async () => {
    const m = nn.sequential([nn.dense(3, { inputShape: [3], activation: 'softmax', useBias: false })], { backend: 'ts' });
    m.setWeights([nn.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3])]);
    const p = (await m.predict([[2, 1, 0.1]])).data;
    expect(Array.from(p, (v) => +v.toFixed(3))).toEqual([0.659, 0.242, 0.099]);
  });

  it('5. losses: MSE 0.625, cross-entropy 0.3567 and 2.303', async () => {
    const identity = nn.sequential([nn.dense(2, { inputShape: [2], useBias: false })], { backend: 'ts' });
    identity.setWeights([nn.tensor([1, 0, 0, 1], [2, 2])]);
    identity.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect((await identity.evaluate([[1, 2]], [[1.5, 1]])).loss).toBeCloseTo(0.625, 6);
    const probs = nn.sequential([nn.dense(3, { inputShape: [3], activation: 'softmax', useBias: false })], { backend: 'ts' });
    probs.setWeights([nn.tensor([1, 0, 0, 0, 1, 0, 0, 0, 1], [3, 3])]);
    probs.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    // logits log(p) make softmax give exactly p
    expect((await probs.evaluate([[Math.log(0.1), Math.log(0.7), Math.log(0.2)]], [[0, 1, 0]])).loss).toBeCloseTo(0.3567, 4);
    expect((await probs.evaluate([[Math.log(0.7), Math.log(0.1), Math.log(0.2)]], [[0, 1, 0]])).loss).toBeCloseTo(2.303, 3);
  });

  it('6. one gradient step: loss 1, w 1 → 1.4, loss 0.04', async () => {
    const one = nn.sequential([nn.dense(1, { inputShape: [1], useBias: false })], { backend: 'ts' });
    one.compile({ optimizer: nn.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    one.setWeights([nn.tensor([1], [1, 1])]);
    expect(await one.trainOnBatch([[2]], [[3]])).toBeCloseTo(1, 6);
    expect(one.getWeights()[0]!.data[0]).toBeCloseTo(1.4, 6);
    expect((await one.evaluate([[2]], [[3]])).loss).toBeCloseTo(0.04, 5);
  });

  it('7. the learning rate: factor |1 - 8 lr|, stuck at 0.25, diverging above', async () => {
    const distanceAfter = async (lr: number) => {
      const one = nn.sequential([nn.dense(1, { inputShape: [1], useBias: false })], { backend: 'ts' });
      one.compile({ optimizer: nn.sgd({ learningRate: lr }), loss: 'meanSquaredError' });
      one.setWeights([nn.tensor([1], [1, 1])]);
      await one.trainOnBatch([[2]], [[3]]);
      return Math.abs(one.getWeights()[0]!.data[0]! - 1.5);
    };
    expect((await distanceAfter(0.1)) / 0.5).toBeCloseTo(0.2, 5);
    expect((await distanceAfter(0.25)) / 0.5).toBeCloseTo(1, 5);
    expect((await distanceAfter(0.3)) / 0.5).toBeGreaterThan(1);
  });

  it('8. 120 rows in batches of 16 make 8 steps per epoch', async () => {
    const m = nn.sequential([nn.dense(1, { inputShape: [1] })], { backend: 'ts' });
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    let batches = 0;
    await m.fit(new Float32Array(120), new Float32Array(120), { epochs: 1, batchSize: 16, callbacks: { onBatchEnd: () => void batches++ } });
    expect(batches).toBe(8);
  });

  it('10. dropout 0.5 zeroes about half and doubles the rest during training only', async () => {
    const m = nn.sequential([nn.dense(1000, { inputShape: [1], useBias: false, kernelInitializer: 'ones' }), nn.dropout(0.5), nn.dense(1, { useBias: false, kernelInitializer: 'ones' })], { backend: 'ts', seed: 2 });
    expect((await m.predict([[1]])).data[0]).toBe(1000); // inference: identity
    m.compile({ optimizer: nn.sgd({ learningRate: 1e-9 }), loss: 'mse' });
    // training output = 2 × (number kept): loss (2k - 1000)^2 stays small relative to 1000^2 when k ≈ 500
    const loss = await m.trainOnBatch([[1]], [[1000]]);
    expect(Math.sqrt(loss) % 2).toBe(0);
    expect(Math.sqrt(loss)).toBeLessThan(100);
  });

  it('11. normalisation: 51/255 = 0.2 and a standardised 3 in [1, 2, 3] is 1.2247', () => {
    expect(nn.scale(nn.tensor([51], [1, 1]), 1 / 255).data[0]).toBeCloseTo(0.2, 6);
    const s = nn.standardScaler().fit(nn.tensor([1, 2, 3], [3, 1]));
    expect(s.std[0]).toBeCloseTo(0.8165, 4);
    expect(s.transform(nn.tensor([3], [1, 1])).data[0]).toBeCloseTo(1.2247, 4);
  });

  it('12. a stratified 80/20 split of Iris tests on 10/10/10', () => {
    const iris = nn.loadIris();
    const { yTest } = nn.trainTestSplit(iris.x, iris.labels, { testSize: 0.2, seed: 1, stratify: true });
    const counts = [0, 0, 0];
    for (const l of yTest) counts[l]!++;
    expect(counts).toEqual([10, 10, 10]);
  });
});
