/** The `neurite` command line, run in-process: train on every kind of data, help, --version, and its errors. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/commands.js';
import { plural, resolveDataFile } from '../src/cli/flags.js';
import { PREDICT_OPTIONS } from '../src/cli/predict.js';
import { runTrain, TRAIN_OPTIONS } from '../src/cli/train.js';
import { encodeIdxU8 } from '../src/data/idx.js';
import { MNIST_FILE_NAMES } from '../src/data/mnist.js';
import { packageFile } from '../src/data/package-files.js';

function capture() {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(...a.join(' ').split('\n')));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  return lines;
}

afterEach(() => vi.restoreAllMocks());
const dir = mkdtempSync(join(tmpdir(), 'neurite-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('neurite train', () => {
  it('trains on the embedded Iris by default and ends with the test accuracy ≥ 0.9', async () => {
    const lines = capture();
    expect(await runTrain(['--backend', 'ts'])).toBe(0);
    const last = lines.at(-1)!;
    expect(last).toMatch(/^test accuracy: \d\.\d{4}$/);
    expect(Number(last.split(': ')[1])).toBeGreaterThanOrEqual(0.9);
    expect(lines).toContain("training on 'ts' for 100 epochs, batch 16, adam lr 0.01, seed 1");
    expect(lines.join('\n')).toMatch(/epoch 100\/100 \[=+\] loss \d\.\d{4} accuracy \d\.\d{4} [\d,]+ samples\/s/);
  });

  it('trains from a CSV file with a named target, layers, dropout and sgd', async () => {
    const lines = capture();
    const code = await runTrain(['--backend', 'ts', '--data', 'data/iris.csv', '--target', 'species', '--layers', '12', '--dropout', '0.1',
      '--optimizer', 'sgd', '--lr', '0.05', '--epochs', '60', '--quiet']);
    expect(code).toBe(0);
    expect(Number(lines.at(-1)!.split(': ')[1])).toBeGreaterThanOrEqual(0.9);
  });

  it('trains on handwritten digits with no download: --dataset mnist reads the sample that ships with neurite', async () => {
    const lines = capture();
    expect(await runTrain(['--dataset', 'mnist', '--backend', 'ts', '--layers', '32', '--epochs', '1'])).toBe(0);
    expect(lines[0]).toMatch(/^mnist \(the sample that ships with neurite; --dir DIR reads the full 70,000 from their IDX files\): 8,000 training images and 2,000 test images \(28×28, pixels \/ 255\)$/);
    expect(lines).toContain("training on 'ts' for 1 epoch, batch 128, adam lr 0.001, seed 1");
    // one epoch of a 784-32-10 network on 8,000 digits: well above the 10 % of guessing
    expect(Number(lines.at(-1)!.split(': ')[1])).toBeGreaterThan(0.8);
  });

  it('--dataset mnist --dir reads the four IDX files of a folder', async () => {
    const idx = join(dir, 'mnist-idx');
    mkdirSync(idx);
    // 40 training and 20 test images: digit d lights up row d of the image, so the classes are easy
    const write = (images: string, labels: string, count: number) => {
      const pixels = new Uint8Array(count * 784);
      const y = Uint8Array.from({ length: count }, (_, i) => i % 10);
      y.forEach((d, i) => pixels.fill(255, i * 784 + d * 28, i * 784 + d * 28 + 28));
      writeFileSync(join(idx, images), encodeIdxU8([count, 28, 28], pixels));
      writeFileSync(join(idx, labels), encodeIdxU8([count], y));
    };
    write(MNIST_FILE_NAMES.trainImages, MNIST_FILE_NAMES.trainLabels, 40);
    write(MNIST_FILE_NAMES.testImages, MNIST_FILE_NAMES.testLabels, 20);
    const lines = capture();
    expect(await runTrain(['--dataset', 'mnist', '--dir', idx, '--backend', 'ts', '--layers', '', '--lr', '0.05', '--epochs', '30', '--batch-size', '8'])).toBe(0);
    expect(lines[0]).toBe(`mnist (${idx}): 40 training images and 20 test images (28×28, pixels / 255)`);
    expect(lines.at(-1)).toBe('test accuracy: 1.0000');
    await expect(runTrain(['--dataset', 'mnist', '--dir', dir])).rejects.toThrow(/^--dir: .*train-images-idx3-ubyte\(\.gz\): no such file\. The full MNIST is four IDX files/);
  });

  it('reads semicolon files, headerless files and pandas output, and says what it decided', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i % 2 ? 1 + (i % 5) * 0.1 : -1 - (i % 7) * 0.1, (i % 3) * 0.5, i % 2 ? 'yes' : 'no']);
    const semicolon = join(dir, 'semi.csv');
    writeFileSync(semicolon, `x;z;label\n${rows.map((r) => r.join(';')).join('\n')}\n`);
    let lines = capture();
    expect(await runTrain(['--data', semicolon, '--backend', 'ts', '--epochs', '5'])).toBe(0);
    expect(lines[0]).toBe(`${semicolon} (';'-separated): 40 rows, 2 features, target 'label' (2 classes)`);

    const headerless = join(dir, 'plain.tsv');
    writeFileSync(headerless, rows.map((r) => [r[0], r[1], r[2] === 'yes' ? 1 : 0].join('\t')).join('\n'));
    vi.restoreAllMocks();
    lines = capture();
    expect(await runTrain(['--data', headerless, '--backend', 'ts', '--epochs', '5'])).toBe(0);
    expect(lines[0]).toBe(`${headerless} (tab-separated): 40 rows, 2 features, target 'column3' (2 classes)`);
    expect(lines[1]).toBe('note: line 1 holds only numbers, so it is read as data, not as column names (--header reads it as names)');
    vi.restoreAllMocks();
    lines = capture();
    expect(await runTrain(['--data', headerless, '--header', '--delimiter', 'tab', '--backend', 'ts', '--epochs', '5', '--quiet'])).toBe(0);
    expect(lines).toHaveLength(1); // --quiet: only the result

    const pandas = join(dir, 'pandas.csv');
    writeFileSync(pandas, `,x,z,label\n${rows.map((r, i) => `${i},${r.join(',')}`).join('\n')}\n`);
    vi.restoreAllMocks();
    lines = capture();
    expect(await runTrain(['--data', pandas, '--backend', 'ts', '--epochs', '5'])).toBe(0);
    expect(lines[0]).toMatch(/: 40 rows, 2 features, target 'label'/);
    expect(lines[1]).toBe("note: column 1 has no name and distinct values (0, 1, 2, …): read as the row index pandas' to_csv() writes, and dropped (--keep-index keeps it)");
    vi.restoreAllMocks();
    lines = capture();
    expect(await runTrain(['--data', pandas, '--keep-index', '--backend', 'ts', '--epochs', '5'])).toBe(0);
    expect(lines[0]).toMatch(/: 40 rows, 3 features, target 'label'/);
  });

  it('finds the CSV files that ship with neurite by name, as the README writes them', () => {
    // the tests run in the repository, where data/iris.csv exists as typed; iris.csv alone does not
    expect(resolveDataFile('data/iris.csv')).toEqual({ path: 'data/iris.csv' });
    const packaged = resolveDataFile('iris.csv');
    expect(packaged.path).toBe(packageFile('data', 'iris.csv'));
    expect(packaged.note).toBe(`iris.csv is not in this folder: reading the copy that ships with neurite, ${packaged.path}`);
    expect(() => resolveDataFile('elsewhere/iris.csv')).toThrow(/--data: cannot read elsewhere\/iris.csv: no such file \(neurite ships iris.csv: --data iris.csv reads it\)/);
  });

  it.each(['nadam', 'adagrad'])('trains Iris with --optimizer %s', async (optimizer) => {
    const lines = capture();
    expect(await runTrain(['--backend', 'ts', '--optimizer', optimizer, '--lr', '0.05', '--epochs', '40'])).toBe(0);
    expect(lines.join('\n')).toContain(`${optimizer} lr 0.05`);
    expect(Number(lines.at(-1)!.split(': ')[1])).toBeGreaterThanOrEqual(0.8);
  });

  it('counts in words that agree with the number', () => {
    expect(plural(1, 'epoch')).toBe('1 epoch');
    expect(plural(2, 'epoch')).toBe('2 epochs');
    expect(plural(8000, 'row')).toBe('8,000 rows');
    expect(plural(1, 'class', 'classes')).toBe('1 class');
  });

  it('names the flag at fault, never an API argument', async () => {
    capture();
    const iris = ['--backend', 'ts', '--epochs', '1'];
    await expect(runTrain(['--epochs', '0'])).rejects.toThrow(/^--epochs: expected a positive integer, got '0'$/);
    await expect(runTrain(['--dropout', '1'])).rejects.toThrow(/^--dropout: expected a number in \[0, 1\)/);
    await expect(runTrain(['--optimizer', 'lion', ...iris])).rejects.toThrow(/^--optimizer: expected sgd, adam, adamw, nadam, rmsprop or adagrad, got 'lion'$/);
    await expect(runTrain(['--activation', 'relu6', ...iris])).rejects.toThrow(
      /^--activation: expected linear, relu, leakyRelu, sigmoid, tanh, gelu, swish, elu, selu, softplus, softsign, mish or silu, got 'relu6'$/,
    );
    await expect(runTrain(['--activation', 'softmax', ...iris])).rejects.toThrow(/^--activation: expected linear, .* got 'softmax'$/);
    await expect(runTrain(['--backend', 'gpu'])).rejects.toThrow(/^--backend: expected auto, native, wasm or ts, got 'gpu'$/);
    await expect(runTrain(['--layers', '16,x', ...iris])).rejects.toThrow(/^--layers: expected a positive integer, got 'x'$/);
    await expect(runTrain(['--lr=-1', ...iris])).rejects.toThrow(/^--lr: expected a number/);
    await expect(runTrain(['--seed=-3'])).rejects.toThrow(/^--seed: expected an integer/);
    await expect(runTrain(['--dataset', 'cifar'])).rejects.toThrow(/^--dataset: expected iris, mnist, fashion-mnist \(or --data FILE.csv\), got 'cifar'$/);
    await expect(runTrain(['--dir', dir, ...iris])).rejects.toThrow(/^--dir: only for --dataset mnist or fashion-mnist/);
    await expect(runTrain(['--data', 'no/such.csv', ...iris])).rejects.toThrow(/^--data: cannot read no\/such.csv: no such file/);
    await expect(runTrain(['--data', 'data/iris.csv', '--target', 'colour', ...iris])).rejects.toThrow(/--target "colour" is not a column; columns are "sepal_length"/);
    await expect(runTrain(['--data', 'data/iris.csv', '--delimiter', '::', ...iris])).rejects.toThrow(/^--delimiter: expected one character/);
    await expect(runTrain(['--data', 'data/iris.csv', '--header', '--no-header', ...iris])).rejects.toThrow(/^--header and --no-header: give one or the other$/);
    await expect(runTrain(['--data', 'data/iris.csv', '--task', 'regression', ...iris])).rejects.toThrow(/^--task regression: the target 'species' holds class names/);
    await expect(runTrain(['--bogus'])).rejects.toThrow(/^train: unknown flag '--bogus'; accepted flags: --dataset, --dir, --data, /);
    await expect(runTrain(['--epoch', '3'])).rejects.toThrow(/^train: unknown flag '--epoch' \(did you mean '--epochs'\?\)/);
    const nan = join(dir, 'nan.csv');
    writeFileSync(nan, 'a,b,y\n1,2,0\n3,4,NaN\n5,6,1\n');
    await expect(runTrain(['--data', nan, ...iris])).rejects.toThrow(/missing value "NaN" in target column "y" at line 3/);
  });
});

describe('neurite help and --version', () => {
  it('--version prints the version in package.json', async () => {
    const lines = capture();
    expect(await main(['--version'])).toBe(0);
    expect(lines).toEqual([JSON.parse(readFileSync(packageFile('package.json'), 'utf8')).version]);
  });

  it('help lists every option of every command', async () => {
    const lines = capture();
    expect(await main(['help'])).toBe(0);
    const text = lines.join('\n');
    for (const name of [...Object.keys(TRAIN_OPTIONS), ...Object.keys(PREDICT_OPTIONS)]) expect(text).toMatch(new RegExp(`--${name}\\b`));
    expect(text).toMatch(/neurite --version/);
    expect(text).toMatch(/neurite train --dataset mnist/);
  });

  it('an unknown command is an error that shows the usage', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    expect(await main(['fly'])).toBe(2);
    expect(errors.join('\n')).toMatch(/^neurite: unknown command 'fly'\n\nneurite — feed-forward neural networks/);
  });
});
