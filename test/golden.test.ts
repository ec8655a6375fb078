/**
 * Whole models held against PyTorch: losses step by step and weights after several optimizer steps, for
 * every optimizer and loss. Golden values come from scripts/golden/torch_golden.py (float64 PyTorch).
 */
import { readFileSync } from 'node:fs';
import { describe, beforeAll, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { testedBackends, prepareBackend, expectClose, itUnlessExcluded, unusedExclusions } from './helpers/backends.js';

interface GoldenCase {
  name: string;
  sizes: number[];
  activations: nn.ActivationName[];
  alpha: number;
  loss: nn.LossName;
  l2: number;
  optimizer: nn.Optimizer;
  initialWeights: { shape: number[]; data: number[] }[];
  batches: { x: number[]; y: number[]; count: number }[];
  losses: number[];
  finalWeights: { shape: number[]; data: number[] }[];
  finalOutputsOnFirstBatch: number[];
  /** huber's delta, when not 1 */
  delta?: number;
  /** per batch, one sample weight per row */
  sampleWeights?: number[][];
  /** by class, multiplied into each row's weight */
  classWeight?: Record<string, number>;
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/golden/torch-golden.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

describe.each(testedBackends)('PyTorch golden values on %s', (backend) => {
  beforeAll(() => prepareBackend(backend));

  for (const c of golden.cases) {
    itUnlessExcluded('golden', backend, c.name, async () => {
      const layers = c.activations.map((activation, i) =>
        nn.dense(c.sizes[i + 1]!, {
          inputShape: i === 0 ? [c.sizes[0]!] : undefined,
          activation,
          alpha: c.alpha,
          kernelRegularizer: c.l2 > 0 ? nn.l2(c.l2) : undefined,
        }),
      );
      const model = nn.sequential(layers, { backend, seed: 1 });
      model.compile({ optimizer: c.optimizer, loss: c.delta === undefined ? c.loss : nn.huber({ delta: c.delta }) });
      model.setWeights(c.initialWeights.map((w) => nn.tensor(w.data, w.shape)));
      const out = c.sizes[c.sizes.length - 1]!;
      for (const [step, b] of c.batches.entries()) {
        const x = nn.tensor(b.x, [b.count, c.sizes[0]!]);
        const y = c.loss === 'sparseCategoricalCrossentropy' ? nn.tensor(b.y, [b.count]) : nn.tensor(b.y, [b.count, out]);
        const loss = await model.trainOnBatch(x, y, {
          sampleWeight: c.sampleWeights?.[step],
          classWeight: c.classWeight,
        });
        expectClose(`loss at step ${step}`, [loss], [c.losses[step]!]);
      }
      model.getWeights().forEach((w, i) => expectClose(`weights[${i}]`, w.data, c.finalWeights[i]!.data, { rtol: 1e-4, atol: 1e-5 }));
      const first = c.batches[0]!;
      const pred = await model.predict(nn.tensor(first.x, [first.count, c.sizes[0]!]));
      expectClose('outputs', pred.data, c.finalOutputsOnFirstBatch, { rtol: 1e-4, atol: 1e-5 });
      model.dispose();
    });
  }
});

it('every golden exclusion names a golden case', () => {
  expect(unusedExclusions('golden')).toEqual([]);
});
