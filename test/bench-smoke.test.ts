/**
 * The benchmark suite must not rot: its smoke mode runs here through the same harness as `npm run bench`
 * (child process per system, the shared plan and driver, the report writer), on neurite's three backends,
 * which need nothing from bench/node_modules. Every neurite backend must load: one that does not fails here.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGemmOutput } from '../bench/lib/gemm.js';
import { workloads } from '../bench/lib/plan.js';
import { neuriteSystemIds } from '../bench/lib/systems.js';
import { runSuite, type SuiteResult } from '../bench/suite.js';

const out = mkdtempSync(join(tmpdir(), 'neurite-bench-smoke-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The cells of the markdown table row that starts with `label`. */
function row(markdown: string, label: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${label} |`));
  if (!line) throw new Error(`RESULTS.md has no row for ${label}:\n${markdown}`);
  return line.split('|').slice(1, -1).map((c) => c.trim());
}

const number = (cell: string) => Number(cell.replace(/,/g, ''));

describe('bench suite, smoke mode', () => {
  let suite: SuiteResult;
  const log: string[] = [];

  it('runs ts, native and wasm in child processes and reports finite positive figures', async () => {
    suite = await runSuite({ smoke: true, only: [...neuriteSystemIds, 'tfjs-node'], gemm: false, outDir: out, log: (l) => log.push(l) });
    expect(suite.measured.map((m) => m.def.id)).toEqual([...neuriteSystemIds, 'tfjs-node']);
    for (const { def, result } of suite.measured.filter((m) => m.def.group === 'neurite')) {
      expect(result.available, `${def.id} must run: ${result.reason}\n${log.join('\n')}`).toBe(true);
      for (const w of workloads) {
        const f = result.figures[w];
        expect(f, `${def.id} ${w}`).toBeDefined();
        expect(f!.runs.length).toBeGreaterThanOrEqual(1);
        for (const v of [f!.median, ...f!.runs]) expect(Number.isFinite(v) && v > 0, `${def.id} ${w}: ${v}`).toBe(true);
      }
      expect(result.peakRssMiB).toBeGreaterThan(10);
    }
  }, 240_000);

  it('writes a table with a numeric row per neurite backend and says why a peer is missing', () => {
    const markdown = readFileSync(suite.files.markdown, 'utf8');
    expect(markdown).toContain('**Smoke run**');
    for (const { def } of suite.measured.filter((m) => m.def.group === 'neurite')) {
      const cells = row(markdown, def.label).slice(1, 1 + workloads.length);
      for (const c of cells) expect(Number.isFinite(number(c)) && number(c) > 0, `${def.label}: "${c}"`).toBe(true);
    }
    // tfjs-node cannot be installed offline: its row must say so rather than show a number
    const tfjsNode = suite.measured.find((m) => m.def.id === 'tfjs-node')!;
    if (!tfjsNode.result.available) expect(row(markdown, 'tfjs-node')[1]).toMatch(/^unavailable \(.*tfjs-node.*\)$/);
    // the scaling grid: ts and native at every cell of the smoke plan
    const grid = markdown.split('\n').filter((l) => l.startsWith('| 784-64-32-10 |'));
    expect(grid.length).toBe(2);
    for (const l of grid) {
      const cells = l.split('|').slice(3, -1).map((c) => c.trim());
      expect(cells.some((c) => Number.isFinite(number(c)) && number(c) > 0)).toBe(true);
    }
    const json = JSON.parse(readFileSync(suite.files.json, 'utf8')) as { systems: { id: string }[] };
    expect(json.systems.map((s) => s.id)).toEqual(suite.measured.map((m) => m.def.id));
    const svg = readFileSync(suite.files.svg!, 'utf8');
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('neurite native ×1');
  });
});

describe('gemm-bench output', () => {
  it('is parsed into kernel, peak and one row per form and shape', () => {
    const text = [
      'kernel avx2_fma 6x16, 1 thread(s); single-core FMA peak (avx2+fma): 76.8 GFLOPS',
      'form      m x n x k           GFLOPS   % peak',
      'C=A*B     128x256x784           61.2    79.7%',
      'C=At*B    128x256x784           55.0    71.6%',
      'C=A*Bt    1024x1024x1024        70.1    91.3%',
    ].join('\n');
    const parsed = parseGemmOutput(text);
    expect(parsed.kernel).toBe('avx2_fma 6x16');
    expect(parsed.peakIsa).toBe('avx2+fma');
    expect(parsed.peak).toBe(76.8);
    expect(parsed.rows).toEqual([
      { form: 'A·B', m: 128, n: 256, k: 784, gflops: 61.2 },
      { form: 'Aᵀ·B', m: 128, n: 256, k: 784, gflops: 55 },
      { form: 'A·Bᵀ', m: 1024, n: 1024, k: 1024, gflops: 70.1 },
    ]);
    expect(() => parseGemmOutput('segfault')).toThrow(/no header line/);
  });
});
