/**
 * bench/lib/quiet.ts: before each run the suite waits until the other children stop using CPU (thread pools spin
 * after their work). Real processes here: one that spins for a while and then sleeps, one that only sleeps, one
 * that never stops spinning.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { processCpuNs, QUIET, QuietLog, untilQuiet } from '../bench/lib/quiet.js';
import { crossCoreRoundTripNs } from '../bench/lib/cross-core.js';
import { crossCoreSentence, quietSentence } from '../bench/lib/report.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

/** A Node process that spins for `spinMs` (forever if negative), then sleeps; resolves once it is running. */
async function child(spinMs: number): Promise<number> {
  const code = `const end = ${spinMs < 0 ? 'Infinity' : `Date.now() + ${spinMs}`}; process.stdout.write('up\\n'); while (Date.now() < end) {} setTimeout(() => {}, 60000);`;
  const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(c);
  await new Promise<void>((resolve) => c.stdout!.once('data', () => resolve()));
  return c.pid!;
}

const linux = process.platform === 'linux';

describe.runIf(linux)('waiting for quiet children', () => {
  it('reads a process’s CPU time from all its threads, and 0 for a process that is gone', async () => {
    const pid = await child(200);
    const a = processCpuNs(pid);
    await new Promise((r) => setTimeout(r, 100));
    expect(processCpuNs(pid)).toBeGreaterThan(a);
    expect(processCpuNs(2 ** 22 + 12345)).toBe(0);
  });

  it('waits while a child spins, and not while it sleeps', async () => {
    const spinning = await child(400);
    const wait = await untilQuiet([spinning]);
    expect(wait.quiet).toBe(true);
    expect(wait.waitedMs).toBeGreaterThan(200);
    const asleep = await untilQuiet([spinning]);
    expect(asleep.quiet).toBe(true);
    expect(asleep.waitedMs).toBeLessThan(QUIET.maxMs);
  });

  it('gives up after maxMs on a child that never stops, and says so in the report', async () => {
    const forever = await child(-1);
    const log = new QuietLog({ ...QUIET, maxMs: 150 });
    await log.wait([forever]);
    await log.wait([]);
    const summary = log.summary()!;
    expect(summary).toMatchObject({ runs: 2, quietRuns: 1 });
    expect(summary.maxWaitMs).toBeGreaterThanOrEqual(150);
    expect(quietSentence(summary)).toContain('1 of 2 runs (the others after waiting 0.15 s)');
    expect(quietSentence(undefined)).toBe('');
    expect(new QuietLog().summary()).toBeUndefined();
  });
});

describe('the distance between the two CPUs', () => {
  it('measures a cache line\'s round trip between two threads, and reports it next to the 2-thread figures', async () => {
    const ns = await crossCoreRoundTripNs(2000, 3);
    expect(Number.isFinite(ns)).toBe(true);
    expect(ns).toBeGreaterThan(0);
    const sentence = crossCoreSentence([{ stage: 'w1', ns: 136.4 }, { stage: 'w2', ns: 479.2 }]);
    expect(sentence).toContain('136–479 ns');
    expect(sentence).toContain('w1 136, w2 479');
    expect(crossCoreSentence(undefined)).toBe('');
    expect(crossCoreSentence([])).toBe('');
  });
});
