/**
 * brain.js 1.6.1 (pure JavaScript) NeuralNetwork with relu hidden layers. It has no mini-batches (every sample
 * updates the weights: online SGD), no softmax and no cross-entropy (mean squared error on the outputs, which
 * also go through relu), and takes plain arrays. So its figures are the same layer sizes, not the same math:
 * the batch size of W1/W2 does not apply to it. Momentum is (nearly) 0 to match plain SGD.
 */
import { createRequire } from 'node:module';
import { FEATURES, CLASSES, runChild, type BenchData, type Engine, type Session } from '../lib/child.js';
import { medianCallMicros, rateFor } from '../lib/measure.js';
import { W1 } from '../lib/plan.js';

interface BrainNet {
  train(data: { input: number[]; output: number[] }[], options: Record<string, unknown>): { error: number; iterations: number };
  run(input: number[]): ArrayLike<number>;
}
interface Brain {
  NeuralNetwork: new (options: { hiddenLayers: number[]; activation: string }) => BrainNet;
}

const require = createRequire(import.meta.url);

function rows(d: BenchData, count: number): { input: number[]; output: number[] }[] {
  return Array.from({ length: count }, (_, r) => {
    const output = new Array<number>(CLASSES).fill(0);
    output[d.labels[r]!] = 1;
    return { input: Array.from(d.x.subarray(r * FEATURES, (r + 1) * FEATURES)), output };
  });
}

// brain.js refuses momentum 0 and errorThresh 0 ("out of normal training range"): tiny values mean the same
// here (one iteration, plain SGD), and it computes the momentum term either way.
const trainOptions = { iterations: 1, errorThresh: 1e-9, learningRate: W1.learningRate, momentum: 1e-9, log: false };

function build(brain: Brain, sizes: readonly number[], d: BenchData): BrainNet {
  const net = new brain.NeuralNetwork({ hiddenLayers: sizes.slice(1, -1), activation: 'relu' });
  net.train(rows(d, 1), trainOptions); // sizes the network from the data (the only way brain.js initialises)
  return net;
}

function brainEngine(brain: Brain, version: string, data: () => BenchData): Engine {
  return {
    version,
    async trainer(sizes, _batch, samples): Promise<Session> {
      const net = new brain.NeuralNetwork({ hiddenLayers: sizes.slice(1, -1), activation: 'relu' });
      const set = rows(data(), samples);
      return {
        async run() {
          const started = performance.now();
          net.train(set, trainOptions);
          return samples / ((performance.now() - started) / 1000);
        },
        dispose: () => undefined,
      };
    },
    async latency(sizes): Promise<Session> {
      const d = data();
      const net = build(brain, sizes, d);
      const inputs = rows(d, 64).map((r) => r.input);
      return { run: (calls) => medianCallMicros((i) => net.run(inputs[i & 63]!), calls), dispose: () => undefined };
    },
    async throughput(sizes, batch): Promise<Session> {
      const d = data();
      const net = build(brain, sizes, d);
      const inputs = rows(d, batch).map((r) => r.input);
      // no batched inference in brain.js: a batch is a loop of run() calls
      const call = () => {
        for (const input of inputs) net.run(input);
      };
      return { run: (seconds) => rateFor(call, batch, seconds), dispose: () => undefined };
    },
  };
}

await runChild(async (_request, data) => {
  const brain = require('brain.js') as Brain;
  const version = (require('brain.js/package.json') as { version: string }).version;
  const engine = brainEngine(brain, version, data);
  engine.threads = '1';
  engine.notes = [
    'online SGD (one update per sample, no mini-batches), relu on every layer including the output, MSE loss: same layer sizes, not the same math',
    'train() of one iteration over the rows per run; inference via run() per sample',
  ];
  return engine;
});
