/**
 * Normalisation and activation layers held against PyTorch float64 (scripts/golden/torch_norm_golden.py): the loss
 * before each training step, every weight after the last step (batch normalisation's moving statistics included,
 * with Keras's semantics: biased batch variance, moving = moving·momentum + batch·(1 − momentum)), then the
 * outputs at inference, which use the moving statistics.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { expectClose, itUnlessExcluded, prepareBackend, testedBackends, unusedExclusions } from './helpers/backends.js';

type LayerJson =
  | { kind: 'dense'; units: number; activation: nn.ActivationName; useBias: boolean }
  | { kind: 'batchNormalization'; momentum: number; epsilon: number; center: boolean; scale: boolean }
  | { kind: 'layerNormalization'; epsilon: number; center: boolean; scale: boolean }
  | { kind: 'activation'; activation: nn.ActivationName };

interface NormCase {
  name: string;
  inputSize: number;
  layers: LayerJson[];
  loss: nn.LossName;
  optimizer: { kind: 'adam' | 'sgd' | 'rmsprop'; learningRate: number; momentum?: number };
  initialWeights: { shape: number[]; data: number[] }[];
  batches: { count: number; x: number[]; y: number[] }[];
  losses: number[];
  finalWeights: { shape: number[]; data: number[] }[];
  probe: number[];
  probeOutputs: number[];
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/golden/torch-norm-golden.json', import.meta.url), 'utf8')) as { cases: NormCase[] };

function layerOf(l: LayerJson, inputShape: number[] | undefined): nn.LayerConfig {
  switch (l.kind) {
    case 'dense': return nn.dense(l.units, { inputShape, activation: l.activation, useBias: l.useBias });
    case 'batchNormalization': return nn.batchNormalization({ inputShape, momentum: l.momentum, epsilon: l.epsilon, center: l.center, scale: l.scale });
    case 'layerNormalization': return nn.layerNormalization({ inputShape, epsilon: l.epsilon, center: l.center, scale: l.scale });
    case 'activation': return nn.activation(l.activation, { inputShape });
  }
}

function optimizerOf(o: NormCase['optimizer']): nn.Optimizer {
  if (o.kind === 'adam') return nn.adam({ learningRate: o.learningRate });
  if (o.kind === 'sgd') return nn.sgd({ learningRate: o.learningRate, momentum: o.momentum });
  return nn.rmsprop({ learningRate: o.learningRate });
}

it('the fixture holds cases with batch and layer normalisation and their moving statistics', () => {
  expect(golden.cases.length).toBeGreaterThanOrEqual(3);
  expect(golden.cases.some((c) => c.layers.some((l) => l.kind === 'layerNormalization'))).toBe(true);
});

describe.each(testedBackends)('PyTorch float64 golden values for normalisation layers on %s', (backend) => {
  beforeAll(() => prepareBackend(backend));

  for (const c of golden.cases) {
    itUnlessExcluded('golden', backend, c.name, async () => {
      const model = nn.sequential(c.layers.map((l, i) => layerOf(l, i === 0 ? [c.inputSize] : undefined)), { backend, seed: 1 });
      model.compile({ optimizer: optimizerOf(c.optimizer), loss: c.loss });
      model.setWeights(c.initialWeights.map((w) => nn.tensor(w.data, w.shape)));
      const out = model.outputSize;
      for (const [step, b] of c.batches.entries()) {
        const loss = await model.trainOnBatch(nn.tensor(b.x, [b.count, c.inputSize]), nn.tensor(b.y, [b.count, out]));
        expectClose(`training loss at step ${step}`, [loss], [c.losses[step]!], { rtol: 1e-5, atol: 1e-6 });
      }
      const weights = model.getWeights();
      expect(weights.map((w) => w.shape)).toEqual(c.finalWeights.map((w) => w.shape));
      weights.forEach((w, i) => expectClose(`weights[${i}] after training`, w.data, c.finalWeights[i]!.data, { rtol: 1e-4, atol: 1e-5 }));
      const probe = nn.tensor(c.probe, [c.probe.length / c.inputSize, c.inputSize]);
      expectClose('predict (inference: moving statistics)', (await model.predict(probe)).data, c.probeOutputs, { rtol: 1e-4, atol: 1e-5 });
      model.dispose();
    });
  }
});

it('every golden exclusion names a golden case', () => {
  expect(unusedExclusions('golden')).toEqual([]);
});
