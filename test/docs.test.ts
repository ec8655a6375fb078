/**
 * Every number quoted in docs/first-network.md and in the README's sample output, computed by neurite: the CLI
 * runs the README shows are run, its code is executed, and the guide's table is read back and recomputed. If the
 * docs drift from the code, this fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, it, expect, vi, afterEach } from 'vitest';
import { main } from '../src/cli/commands.js';
import * as nn from '../src/index.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const GUIDE = readFileSync(new URL('../docs/first-network.md', import.meta.url), 'utf8');

afterEach(() => vi.restoreAllMocks());

/** The first fenced block after `marker` in `text`, without its fences. */
function blockAfter(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`docs: "${marker}" not found`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(text.slice(at));
  if (!m) throw new Error(`docs: no code block after "${marker}"`);
  return m[1]!;
}

/** Runs the `neurite` command line in-process; returns what it printed, line by line. */
async function cli(argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(...a.join(' ').split('\n')));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(...String(s).replace(/\n$/, '').split('\n')), true));
  try {
    expect(await main(argv)).toBe(0);
  } finally {
    vi.restoreAllMocks();
  }
  return lines;
}

/** Each line of `shown` other than "..." appears in `actual`, in order; "…" stands for a machine-dependent speed. */
function expectExcerpt(shown: string, actual: string[]) {
  let from = 0;
  for (const line of shown.trimEnd().split('\n')) {
    if (line === '...') continue;
    const pattern = new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('…', '[\\d,]+')}$`);
    const found = actual.findIndex((l, i) => i >= from && pattern.test(l));
    if (found < 0) throw new Error(`README shows\n  ${line}\nbut the run printed no such line after line ${from}:\n${actual.join('\n')}`);
    from = found + 1;
  }
}

describe('README.md', () => {
  it("quick start: `npx neurite train` prints what the README shows (and the guide's 0.9667, 29 of 30)", async () => {
    const shown = blockAfter(README, 'The first command builds neurite');
    let lines = await cli(['train']);
    // the README's machine has the native engine (the quick start installs a compiler); where it is missing, the
    // same numbers come from the engine that runs instead
    if (!nn.nativeInfo()) lines = lines.map((l) => l.replace(/^training on '\w+'/, "training on 'native'"));
    expectExcerpt(shown, lines);
    expect(lines.at(-1)).toBe('test accuracy: 0.9667');
    expect(Math.round(0.9667 * 30)).toBe(29);
    expect(GUIDE).toMatch(/prints `test accuracy: 0\.9667` \(29 of 30 flowers\)/);
  });

  it("first network in code: the snippet runs and logs the numbers in its comment", async () => {
    const code = blockAfter(README, '## Your first network, in code');
    const comment = /\/\/ \{ loss: ([\d.]+), accuracy: ([\d.]+) \} \(rounded\)/.exec(code);
    expect(comment).not.toBeNull();
    const logged: unknown[] = [];
    const body = code.replace(/^import .*$/m, '');
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
    await new AsyncFunction('nn', 'console', body)(nn, { log: (v: unknown) => logged.push(v) });
    const result = logged[0] as { loss: number; accuracy: number };
    expect(result.loss.toFixed(4)).toBe(comment![1]);
    expect(result.accuracy.toFixed(4)).toBe(comment![2]);
  });

  it('the command line: every example runs as written (shortened to one epoch)', async () => {
    const examples = blockAfter(README, '## The command line').trim().split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(examples.every((l) => l.startsWith('npx neurite'))).toBe(true);
    for (const example of examples) {
      const argv = example.split(/\s+/).slice(2);
      if (argv.includes('fashion-mnist') && !existsSync(nn.FASHION_MNIST_DIR)) continue; // needs apt-get install dataset-fashion-mnist
      const lines = await cli(argv[0] === 'help' ? argv : [...argv, '--epochs', '1', '--quiet']);
      expect(lines.at(-1), example).toMatch(argv[0] === 'help' ? /\S/ : /^test accuracy: \d\.\d{4}$/);
    }
  });

  it("--dataset mnist: about 95 % after its default 10 epochs", async () => {
    expect(README).toMatch(/about 95 %\s+test accuracy after its default 10 epochs/);
    const lines = await cli(['train', '--dataset', 'mnist', '--quiet']);
    const accuracy = Number(/^test accuracy: ([\d.]+)$/.exec(lines.at(-1)!)![1]);
    expect(Math.abs(accuracy - 0.95)).toBeLessThan(0.01);
  });
});

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

  it('2. one input per feature, one output per class: 243 parameters for Iris, 784 in and 10 out for digits', () => {
    const iris = nn.loadIris();
    expect(iris.x.shape[1]).toBe(4);
    expect(iris.classNames).toHaveLength(3);
    const model = nn.sequential([nn.dense(16, { inputShape: [iris.x.shape[1]!], activation: 'relu' }), nn.dense(8, { activation: 'relu' }),
      nn.dense(iris.classNames.length, { activation: 'softmax' })], { backend: 'ts' });
    expect(model.countParams()).toBe(243);
    expect(4 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3).toBe(243);
    const digits = nn.loadMnistSample();
    expect(digits.train.x.shape[1]).toBe(784);
    expect(digits.classNames).toHaveLength(10);
  });

  it('3. XOR: one hidden tanh layer gets accuracy 1; without it, at most 0.75', async () => {
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]], y = [[0], [1], [1], [0]];
    const xor = nn.sequential([nn.dense(8, { inputShape: [2], activation: 'tanh' }), nn.dense(1, { activation: 'sigmoid' })], { seed: 3, backend: 'ts' });
    xor.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await xor.fit(x, y, { epochs: 300, batchSize: 4 });
    expect((await xor.evaluate(x, y)).accuracy).toBe(1);
    const line = nn.sequential([nn.dense(1, { inputShape: [2], activation: 'sigmoid' })], { seed: 3, backend: 'ts' });
    line.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    await line.fit(x, y, { epochs: 300, batchSize: 4 });
    expect((await line.evaluate(x, y)).accuracy).toBeLessThanOrEqual(0.75);
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

  it('5. a saturated sigmoid: slope −0.0132 with squared error, −0.9933 with cross-entropy (75 times)', async () => {
    const p = 1 / (1 + Math.exp(5));
    expect(p.toFixed(4)).toBe('0.0067');
    expect((p * (1 - p)).toFixed(4)).toBe('0.0066');
    const after = async (loss: 'meanSquaredError' | 'binaryCrossentropy') => {
      const unit = nn.sequential([nn.dense(1, { inputShape: [1], activation: 'sigmoid', useBias: false })], { backend: 'ts' });
      unit.setWeights([nn.tensor([-5], [1, 1])]);
      unit.compile({ optimizer: nn.sgd({ learningRate: 1 }), loss });
      await unit.trainOnBatch([[1]], [[1]]);
      return unit.getWeights()[0]!.data[0]!;
    };
    const mse = await after('meanSquaredError');
    const ce = await after('binaryCrossentropy');
    // with x = 1 and learning rate 1 the step is minus the slope
    expect((-(mse + 5)).toFixed(4)).toBe('-0.0132');
    expect((-(ce + 5)).toFixed(4)).toBe('-0.9933');
    expect(mse.toFixed(4)).toBe('-4.9868');
    expect(ce.toFixed(4)).toBe('-4.0067');
    expect(Math.round((ce + 5) / (mse + 5))).toBe(75);
  });

  it('6. one gradient step: loss 1, w 1 → 1.4, loss 0.04', async () => {
    const one = nn.sequential([nn.dense(1, { inputShape: [1], useBias: false })], { backend: 'ts' });
    one.compile({ optimizer: nn.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    one.setWeights([nn.tensor([1], [1, 1])]);
    expect(await one.trainOnBatch([[2]], [[3]])).toBeCloseTo(1, 6);
    expect(one.getWeights()[0]!.data[0]).toBeCloseTo(1.4, 6);
    expect((1 - one.getWeights()[0]!.data[0]!) / 0.1).toBeCloseTo(-4, 5); // the slope dL/dw
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
    batches = 0;
    await m.fit(new Float32Array(120), new Float32Array(120), { epochs: 100, batchSize: 16, callbacks: { onBatchEnd: () => void batches++ } });
    expect(batches).toBe(800);
  });

  it('8. local minima on XOR: 9 of 20 seeds stuck at 0.348 full-batch, 11 with batches of 1, 0 with 8 hidden units', async () => {
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]], y = [[0], [1], [1], [0]];
    const run = async (hidden: number, batchSize: number, learningRate: number, seed: number) => {
      const m = nn.sequential([nn.dense(hidden, { inputShape: [2], activation: 'tanh' }), nn.dense(1, { activation: 'sigmoid' })], { backend: 'ts', seed });
      m.compile({ optimizer: nn.sgd({ learningRate }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      await m.fit(x, y, { epochs: 2000, batchSize });
      return m.evaluate(x, y);
    };
    const stuck = async (hidden: number, batchSize: number, learningRate: number) => {
      const out = [];
      for (let seed = 1; seed <= 20; seed++) {
        const r = await run(hidden, batchSize, learningRate, seed);
        if (r.accuracy! < 1) out.push({ seed, loss: +r.loss.toFixed(3), accuracy: r.accuracy });
      }
      return out;
    };
    const full = await stuck(2, 4, 0.5);
    expect(full).toHaveLength(9);
    for (const r of full) expect([r.loss, r.accuracy]).toEqual([0.348, 0.5]);
    expect(full.map((r) => r.seed)).toContain(4); // the guide's example seed
    const single = await stuck(2, 1, 0.125);
    expect(single).toHaveLength(11);
    expect(single.map((r) => r.seed)).toEqual(expect.arrayContaining(full.map((r) => r.seed)));
    expect(await stuck(8, 4, 0.5)).toHaveLength(0);
  });

  it('9. Iris is sorted by species: the last 30 rows are all virginica; shuffled, they hold all three', () => {
    const iris = nn.loadIris();
    expect(iris.classNames[2]).toBe('virginica');
    expect(Array.from(iris.labels.subarray(120))).toEqual(new Array(30).fill(2));
    expect(Array.from(iris.labels.subarray(0, 120)).filter((l) => l === 2)).toHaveLength(20);
    const { y } = nn.shuffleArrays(iris.x, iris.labels, 1);
    expect(new Set(Array.from(y as Int32Array).slice(120)).size).toBe(3);
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

  it('10. the ensemble view: 65,536 thinned versions of 16 units; inverted dropout averages to the prediction, 1,000', async () => {
    expect(2 ** 16).toBe(65536);
    // unit output 4 at rate 0.5: original dropout 0 or 4 (mean 2, hence × 0.5 at test); inverted 0 or 8 (mean 4)
    expect((0 + 4) / 2).toBe(4 * 0.5);
    expect((0 + 4 / (1 - 0.5)) / 2).toBe(4);
    const m = nn.sequential([nn.dense(1000, { inputShape: [1], useBias: false, kernelInitializer: 'ones' }), nn.dropout(0.5), nn.dense(1, { useBias: false, kernelInitializer: 'ones' })], { backend: 'ts', seed: 5 });
    expect((await m.predict([[1]])).data[0]).toBe(1000);
    m.compile({ optimizer: nn.sgd({ learningRate: 1e-12 }), loss: 'mse' });
    // loss = (output − 0)², so each pass's training output is √loss; the weights move by < 1e-6 in all
    const outputs: number[] = [];
    for (let pass = 0; pass < 50; pass++) outputs.push(Math.sqrt(await m.trainOnBatch([[1]], [[0]])));
    const mean = outputs.reduce((a, b) => a + b, 0) / outputs.length;
    expect(Math.round(mean / 10) * 10).toBe(1000);
    for (const o of outputs) {
      expect(o).toBeGreaterThan(900);
      expect(o).toBeLessThan(1100);
    }
  });

  it('11. normalisation: 51/255 = 0.2 and a standardised 3 in [1, 2, 3] is 1.2247', () => {
    expect(nn.scale(nn.tensor([51], [1, 1]), 1 / 255).data[0]).toBeCloseTo(0.2, 6);
    const s = nn.standardScaler().fit(nn.tensor([1, 2, 3], [3, 1]));
    expect(s.std[0]).toBeCloseTo(0.8165, 4);
    expect(s.transform(nn.tensor([3], [1, 1])).data[0]).toBeCloseTo(1.2247, 4);
  });

  it('13. the learning-rate table: recomputed row by row', async () => {
    const table = GUIDE.slice(GUIDE.indexOf('| learning rate |'));
    const rows = [...table.matchAll(/^\| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$/gm)].map((m) => m.slice(1).map(Number));
    expect(rows.map((r) => r[0])).toEqual([0.0001, 0.001, 0.01, 0.1, 1]);
    const iris = nn.loadIris();
    const { xTrain, yTrain } = nn.trainTestSplit(iris.x, iris.labels, { testSize: 0.2, seed: 1, stratify: true });
    const fit = nn.trainTestSplit(xTrain, yTrain, { testSize: 0.25, seed: 1, stratify: true });
    expect([fit.xTrain.shape[0], fit.xTest.shape[0]]).toEqual([90, 30]);
    const scaler = nn.standardScaler().fit(fit.xTrain);
    for (const [lr, trainLoss, valLoss, valAccuracy] of rows) {
      const m = nn.sequential([nn.dense(16, { inputShape: [4], activation: 'relu' }), nn.dense(8, { activation: 'relu' }), nn.dense(3, { activation: 'softmax' })], { backend: 'ts', seed: 1 });
      m.compile({ optimizer: nn.adam({ learningRate: lr! }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const h = await m.fit(scaler.transform(fit.xTrain), fit.yTrain, { epochs: 100, batchSize: 16, validationData: [scaler.transform(fit.xTest), fit.yTest] });
      expect([h.history.loss!.at(-1)!.toFixed(3), h.history.val_loss!.at(-1)!.toFixed(3), h.history.val_accuracy!.at(-1)!.toFixed(3)], `lr ${lr}`).toEqual(
        [trainLoss!.toFixed(3), valLoss!.toFixed(3), valAccuracy!.toFixed(3)],
      );
    }
  });

  it('12. a stratified 80/20 split of Iris tests on 10/10/10', () => {
    const iris = nn.loadIris();
    const { yTest } = nn.trainTestSplit(iris.x, iris.labels, { testSize: 0.2, seed: 1, stratify: true });
    const counts = [0, 0, 0];
    for (const l of yTest) counts[l]!++;
    expect(counts).toEqual([10, 10, 10]);
  });
});
