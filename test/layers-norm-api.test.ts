/**
 * The Model API of the normalisation, activation and flatten layers: defaults (Keras's), argument checks that
 * name the argument, unknown option keys, sample shapes through flatten, and the summary table.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';

describe('layer constructors', () => {
  it("take Keras's defaults", () => {
    expect(nn.batchNormalization()).toMatchObject({ kind: 'batchNormalization', momentum: 0.99, epsilon: 1e-3, center: true, scale: true });
    expect(nn.layerNormalization()).toMatchObject({ kind: 'layerNormalization', epsilon: 1e-3, center: true, scale: true });
    expect(nn.activation('leakyRelu')).toMatchObject({ kind: 'activation', activation: 'leakyRelu', alpha: 0.3 });
    expect(nn.flatten({ inputShape: [28, 28] })).toMatchObject({ kind: 'flatten', inputShape: [28, 28] });
  });

  it('name the argument at fault and refuse unknown keys', () => {
    expect(() => nn.batchNormalization({ momentum: 1.5 })).toThrow(/momentum/);
    expect(() => nn.batchNormalization({ epsilon: 0 })).toThrow(/epsilon: expected a number in \(0, 1\]/);
    expect(() => nn.batchNormalization({ center: 'yes' as unknown as boolean })).toThrow(/center: expected a boolean/);
    expect(() => nn.batchNormalization({ momentun: 0.9 } as never)).toThrow(/unknown key 'momentun' \(did you mean 'momentum'\?\)/);
    expect(() => nn.layerNormalization({ momentum: 0.9 } as never)).toThrow(/nn.layerNormalization options: unknown key 'momentum'/);
    expect(() => nn.activation('relu6' as nn.ActivationName)).toThrow(/activation/);
    expect(() => nn.activation('leakyRelu', { alpha: 2 })).toThrow(/alpha/);
    expect(() => nn.flatten({ inputShape: [28, 0] })).toThrow(/inputShape: expected an array of 1 to 8 positive integers/);
    expect(() => nn.dense(3, { inputShape: [28, 28] })).toThrow(/nn.flatten\(\{ inputShape: \[28, 28\] \}\) takes images/);
  });
});

describe('models with them', () => {
  it('take samples of the flattened shape or already flat, and refuse other shapes naming both', async () => {
    const model = nn.sequential([nn.flatten({ inputShape: [2, 3] }), nn.dense(4, { activation: 'relu' }), nn.batchNormalization(), nn.dense(2)], { backend: 'ts', seed: 1 });
    expect(model.inputSize).toBe(6);
    expect(model.inputShape).toEqual([2, 3]);
    const flat = nn.tensor(Float32Array.from({ length: 18 }, (_, i) => i / 18), [3, 6]);
    const shaped = nn.tensor(flat.data, [3, 2, 3]);
    expect((await model.predict(shaped)).data).toEqual((await model.predict(flat)).data);
    expect(() => model.predictSync(nn.tensor(flat.data, [3, 3, 2]))).toThrow(/x: expected shape \[samples, 6\] or \[samples, 2, 3\]/);
    expect(() => nn.sequential([nn.dense(3, { inputShape: [2] }), nn.flatten({ inputShape: [3] })])).toThrow(/layers\[1\]\.inputShape: expected no inputShape/);
    const text = model.summary(() => {});
    expect(text).toMatch(/flatten_1 \(Flatten\)\s+\[null, 6\]\s+0/);
    expect(text).toMatch(/batch_normalization_1 \(BatchNormalization\)\s+\[null, 4\]\s+16/);
    expect(model.countParams()).toBe(6 * 4 + 4 + 16 + 4 * 2 + 2);
  });

  it('a softmax activation layer ends a classifier; the loss checks the output layer as for dense', () => {
    const ok = nn.sequential([nn.dense(3, { inputShape: [2] }), nn.activation('softmax')], { backend: 'ts' });
    expect(() => ok.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' })).not.toThrow();
    const bad = nn.sequential([nn.dense(3, { inputShape: [2], activation: 'sigmoid' }), nn.batchNormalization()], { backend: 'ts' });
    expect(() => bad.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' })).toThrow(/loss/);
    expect(() => nn.sequential([nn.dense(3, { inputShape: [2] }), nn.activation('softmax'), nn.dense(2)])).toThrow(/layers\[1\]\.activation: expected 'softmax' only on the output layer/);
  });
});
