/** The `neurite train` command, run in-process: the README's main job and its argument errors. */
import { readFileSync } from 'node:fs';
import { describe, it, expect, vi, afterEach } from 'vitest';
import { flagNames } from '../src/cli/flags.js';
import { predictFlags, predictHelp, runPredict } from '../src/cli/predict.js';
import { runTrain, trainFlags, trainHelp } from '../src/cli/train.js';

function capture() {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe('neurite train', () => {
  it('trains on the embedded Iris by default and ends with the test accuracy ≥ 0.9', async () => {
    const lines = capture();
    expect(await runTrain(['--backend', 'ts'])).toBe(0);
    const last = lines.at(-1)!;
    expect(last).toMatch(/^test accuracy: \d\.\d{4}$/);
    expect(Number(last.split(': ')[1])).toBeGreaterThanOrEqual(0.9);
    expect(lines.join('\n')).toMatch(/epoch 100\/100 \[=+\] loss \d\.\d{4} accuracy \d\.\d{4} [\d,]+ samples\/s/);
  });

  it('trains from a CSV file with a named target, layers, dropout and sgd', async () => {
    const lines = capture();
    const code = await runTrain(['--backend', 'ts', '--data', 'data/iris.csv', '--target', 'species', '--layers', '12', '--dropout', '0.1',
      '--optimizer', 'sgd', '--lr', '0.05', '--epochs', '60', '--quiet']);
    expect(code).toBe(0);
    expect(Number(lines.at(-1)!.split(': ')[1])).toBeGreaterThanOrEqual(0.9);
  });

  it('rejects bad arguments with a message naming the option', async () => {
    capture();
    await expect(runTrain(['--epochs', '0'])).rejects.toThrow(/--epochs: expected a positive integer, got '0'/);
    await expect(runTrain(['--dropout', '1'])).rejects.toThrow(/--dropout: expected a number in \[0, 1\)/);
    await expect(runTrain(['--optimizer', 'adagrad', '--backend', 'ts'])).rejects.toThrow(/--optimizer: expected sgd, adam, adamw or rmsprop/);
    await expect(runTrain(['--data', 'no/such.csv', '--backend', 'ts'])).rejects.toThrow(/no\/such.csv/);
    await expect(runTrain(['--bogus'])).rejects.toThrow(/^train: unknown flag '--bogus'; accepted flags: --dataset, --dir, --data, /);
  });

  it('an unknown flag names the nearest accepted one, as an unknown option key does', async () => {
    await expect(runTrain(['--epoch', '5'])).rejects.toThrow(/^train: unknown flag '--epoch' \(did you mean '--epochs'\?\); accepted flags: .*--epochs, --batch-size,/);
    await expect(runTrain(['--batch_size', '5'])).rejects.toThrow(/unknown flag '--batch_size' \(did you mean '--batch-size'\?\)/);
    await expect(runTrain(['--learning-rate', '0.1'])).rejects.toThrow(/unknown flag '--learning-rate' \(did you mean '--lr'\?\)/);
    await expect(runPredict(['--modle', 'm.safetensors'])).rejects.toThrow(
      "predict: unknown flag '--modle' (did you mean '--model'?); accepted flags: --model, --data, --target, --backend, --help",
    );
  });
});

describe('the flags, their help and the README agree', () => {
  const helpFlags = (help: string) => [...help.matchAll(/^\s+(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).sort();
  it('the help text lists exactly the flags the parser accepts', () => {
    expect(helpFlags(trainHelp)).toEqual(flagNames(trainFlags).sort());
    expect(helpFlags(predictHelp)).toEqual(flagNames(predictFlags).sort());
  });
  it('every flag the README shows is accepted', () => {
    const readme = readFileSync('README.md', 'utf8');
    const shown = new Set([...readme.matchAll(/(?<![\w-])--([a-z][\w-]*)/g)].map((m) => `--${m[1]}`));
    const accepted = new Set([...flagNames(trainFlags), ...flagNames(predictFlags), '--isolated', '--out']);
    expect([...shown].filter((f) => !accepted.has(f))).toEqual([]);
    expect(shown.size).toBeGreaterThan(10);
  });
});
