/** The `neurite train` command, run in-process: the README's main job and its argument errors. */
import { describe, it, expect, vi, afterEach } from 'vitest';
import { runTrain } from '../src/cli/train.js';

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
    await expect(runTrain(['--bogus'])).rejects.toThrow(/bogus/);
  });
});
