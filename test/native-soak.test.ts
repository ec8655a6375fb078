/** bench/native/soak.mjs in CI: 1,000 create/fit/predict/dispose cycles keep RSS within 5 % of where it settled. */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('native soak', () => {
  it('1,000 cycles do not grow RSS (runs the built package: dist/)', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', 'bench/native/soak.mjs', '--cycles', '1000'], { cwd: root, encoding: 'utf8' });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toMatch(/soak: OK/);
  }, 120_000);
});
