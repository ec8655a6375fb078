/** `neurite predict --model PATH --data FILE.csv`: one line per row, using the saved standardisation. */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as nn from '../src/index.js';
import { runPredict } from '../src/cli/predict.js';
import { saveModel } from '../src/io/node.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'neurite-predict-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function capture(argv: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(...args.map(String).join(' ').split('\n'));
  });
  try {
    const code = await runPredict(argv);
    return { code, lines };
  } finally {
    spy.mockRestore();
  }
}

const rows = [
  [5.1, 3.5, 1.4, 0.2],
  [6.7, 3.0, 5.2, 2.3],
  [5.9, 3.0, 4.2, 1.5],
];
const stats = { mean: [5.8, 3.0, 3.7, 1.2], std: [0.8, 0.4, 1.7, 0.7] };

function standardized(): nn.Tensor {
  return nn.tensor(rows.map((r) => r.map((v, c) => Math.fround((Math.fround(v) - stats.mean[c]!) / stats.std[c]!))));
}

describe('neurite predict', () => {
  it('prints class name and probability per row, after applying the saved standardisation', async () => {
    const model = nn.sequential([nn.dense(8, { inputShape: [4], activation: 'relu' }), nn.dense(3, { activation: 'softmax' })], { backend: 'ts', seed: 4 });
    const path = join(dir, 'iris.safetensors');
    await saveModel(model, path, { classNames: ['setosa', 'versicolor', 'virginica'], standardization: stats });
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, `sepal_length,sepal_width,petal_length,petal_width\n${rows.map((r) => r.join(',')).join('\n')}\n`);

    const expected = (await model.predict(standardized())).toArray().map((p) => {
      const k = p.indexOf(Math.max(...p));
      return `${['setosa', 'versicolor', 'virginica'][k]} ${p[k]!.toFixed(4)}`;
    });
    const { code, lines } = await capture(['--model', path, '--data', csv, '--backend', 'ts']);
    expect(code).toBe(0);
    expect(lines).toEqual(expected);

    // the same file with its target column still in it: the column is ignored
    const withTarget = join(dir, 'rows-target.csv');
    writeFileSync(withTarget, `sepal_length,sepal_width,petal_length,petal_width,species\n${rows.map((r, i) => `${r.join(',')},${['setosa', 'virginica', 'versicolor'][i]}`).join('\n')}\n`);
    expect((await capture(['--model', path, '--data', withTarget, '--backend', 'ts'])).lines).toEqual(expected);
    model.dispose();
  });

  it('prints values for regression and the class of a sigmoid output', async () => {
    const reg = nn.sequential([nn.dense(2, { inputShape: [4], activation: 'tanh' }), nn.dense(1)], { backend: 'ts', seed: 5 });
    const bin = nn.sequential([nn.dense(1, { inputShape: [4], activation: 'sigmoid' })], { backend: 'ts', seed: 6 });
    const csv = join(dir, 'plain.csv');
    writeFileSync(csv, `a,b,c,d\n${rows.map((r) => r.join(',')).join('\n')}\n`);
    await saveModel(reg, join(dir, 'reg.safetensors'));
    await saveModel(bin, join(dir, 'bin.safetensors'), { classNames: ['no', 'yes'] });
    const raw = nn.tensor(rows);
    const regOut = (await reg.predict(raw)).data;
    expect((await capture(['--model', join(dir, 'reg.safetensors'), '--data', csv, '--backend', 'ts'])).lines).toEqual(
      Array.from(regOut, (v) => String(Number(v.toPrecision(6)))),
    );
    const binOut = (await bin.predict(raw)).data;
    expect((await capture(['--model', join(dir, 'bin.safetensors'), '--data', csv, '--backend', 'ts'])).lines).toEqual(
      Array.from(binOut, (p) => (p >= 0.5 ? `yes ${p.toFixed(4)}` : `no ${(1 - p).toFixed(4)}`)),
    );
    reg.dispose();
    bin.dispose();
  });

  it('reads semicolon, headerless and pandas files, and the iris.csv that ships with neurite, from any folder', async () => {
    const model = nn.sequential([nn.dense(3, { inputShape: [4], activation: 'softmax' })], { backend: 'ts', seed: 8 });
    const path = join(dir, 'any.safetensors');
    await saveModel(model, path, { classNames: ['a', 'b', 'c'] });
    const expected = (await capture(['--model', path, '--data', join(dir, 'rows.csv'), '--backend', 'ts'])).lines;
    expect(expected).toHaveLength(3);
    const notes: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void notes.push(a.join(' ')));
    try {
      const semicolon = join(dir, 'rows-semi.csv');
      writeFileSync(semicolon, `a;b;c;d\n${rows.map((r) => r.join(';')).join('\n')}\n`);
      expect((await capture(['--model', path, '--data', semicolon, '--backend', 'ts'])).lines).toEqual(expected);
      const headerless = join(dir, 'rows-plain.csv');
      writeFileSync(headerless, `${rows.map((r) => r.join(',')).join('\n')}\n`);
      expect((await capture(['--model', path, '--data', headerless, '--no-header', '--backend', 'ts'])).lines).toEqual(expected);
      const pandas = join(dir, 'rows-pandas.csv');
      writeFileSync(pandas, `,a,b,c,d\n${rows.map((r, i) => `${i},${r.join(',')}`).join('\n')}\n`);
      expect((await capture(['--model', path, '--data', pandas, '--backend', 'ts'])).lines).toEqual(expected);
      expect(notes).toEqual([expect.stringMatching(/^note: column 1 has no name .* dropped \(--keep-index keeps it\)$/)]);
      notes.length = 0;
      // iris.csv is not in the folder the tests run in; the packaged one is read (150 rows, target ignored)
      expect((await capture(['--model', path, '--data', 'iris.csv', '--backend', 'ts'])).lines).toHaveLength(150);
      expect(notes).toEqual([expect.stringMatching(/^iris.csv is not in this folder: reading the copy that ships with neurite, .*data\/iris.csv$/)]);
    } finally {
      vi.restoreAllMocks();
      model.dispose();
    }
  });

  it('says what is wrong with its arguments', async () => {
    const model = nn.sequential([nn.dense(1, { inputShape: [2] })], { backend: 'ts', seed: 1 });
    const path = join(dir, 'two.safetensors');
    await saveModel(model, path);
    const csv = join(dir, 'wide.csv');
    writeFileSync(csv, 'a,b,c,d\n1,2,3,4\n');
    await expect(runPredict(['--data', csv])).rejects.toThrow(/--model: expected the path of a saved model/);
    await expect(runPredict(['--model', path])).rejects.toThrow(/--data: expected a CSV file/);
    await expect(runPredict(['--model', path, '--data', csv, '--backend', 'ts'])).rejects.toThrow(/has 4 columns; the model takes 2 features \(or 3 columns with the target\)/);
    await expect(runPredict(['--model', join(dir, 'nope.safetensors'), '--data', csv, '--backend', 'ts'])).rejects.toThrow(/^--model: .*no such file/);
    await expect(runPredict(['--model', path, '--data', csv, '--backend', 'cuda'])).rejects.toThrow(/^--backend: expected auto, native, wasm or ts, got 'cuda'$/);
    await expect(runPredict(['--model', path, '--data', 'missing.csv'])).rejects.toThrow(/^--data: cannot read missing.csv: no such file/);
    model.dispose();
  });
});
