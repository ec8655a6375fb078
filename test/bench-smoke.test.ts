/**
 * The benchmark suite must not rot: its quick mode runs here through the same harness as `npm run bench`
 * (warm child per system, alternated rounds, the report and the README block), on neurite's backends, on
 * onnxruntime-node (a root devDependency) and on PyTorch when /usr/bin/python3 has it, plus the Chromium stage.
 * Nothing here needs bench/node_modules: a peer that is not installed must be reported unavailable, with why.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { alternate, roundOrder } from '../bench/lib/alternate.js';
import { parseGemmOutput, parsePeerOutput, type GemmResult } from '../bench/lib/gemm.js';
import { amdUarch, describeMachine, machineTag } from '../bench/lib/machine.js';
import { makePlan, workloads } from '../bench/lib/plan.js';
import { formatRatio, pairedRatio } from '../bench/lib/ratios.js';
import { README_BEGIN, README_END, readmeBlock, replaceReadmeBlock } from '../bench/lib/readme.js';
import { neuriteSystemIds, systems } from '../bench/lib/systems.js';
import { childEnv } from '../bench/lib/warm-child.js';
import { peakWarning, renderMarkdown, slowerOnTwoThreads } from '../bench/lib/report.js';
import type { BrowserResult } from '../bench/wasm/browser-suite.js';
import { parseArgs, runSuite, type SuiteResult } from '../bench/suite.js';

const out = mkdtempSync(join(tmpdir(), 'neurite-bench-quick-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The cells of the markdown table row that starts with `label`. */
function row(markdown: string, label: string): string[] {
  const line = markdown.split('\n').find((l) => l.startsWith(`| ${label} |`));
  if (!line) throw new Error(`no table row for ${label}:\n${markdown}`);
  return line.split('|').slice(1, -1).map((c) => c.trim());
}

const number = (cell: string) => Number(cell.replace(/,/g, ''));
const RATIO = /^\d+(\.\d+)?× \(\d+(\.\d+)?–\d+(\.\d+)?\)$/;

describe('bench suite, quick mode', () => {
  let suite: SuiteResult;
  const log: string[] = [];
  const plan = makePlan(true);
  const only = [...neuriteSystemIds, 'onnx-1', 'torch-1', 'tfjs-node', 'browser'];
  const OPENBLAS_SET = { OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '512' };

  it('runs every system in a warm child, alternated round by round, and reports finite positive figures', async () => {
    // set on machines of this kind for old OpenBLAS builds (some set only the first): the PyTorch child must not
    // inherit them. Both are set here, and the machine's own values put back afterwards.
    const saved = { OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE: process.env.OPENBLAS_L2_SIZE };
    Object.assign(process.env, OPENBLAS_SET);
    try {
      suite = await runSuite({ quick: true, only, gemm: false, browser: true, outDir: out, log: (l) => log.push(l) });
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    expect(suite.measured.map((m) => m.def.id)).toEqual(systems.filter((s) => only.includes(s.id)).map((s) => s.id));
    for (const { def, result } of suite.measured.filter((m) => m.def.group === 'neurite' || m.def.id === 'onnx-1')) {
      expect(result.available, `${def.id} must run: ${result.reason}\n${log.join('\n')}`).toBe(true);
      for (const w of def.workloads) {
        const f = result.figures[w];
        expect(f, `${def.id} ${w}: ${result.failed?.[w]}`).toBeDefined();
        expect(f!.runs.length).toBe(plan.rounds);
        for (const v of [f!.median, ...f!.runs]) expect(Number.isFinite(v) && v > 0, `${def.id} ${w}: ${v}`).toBe(true);
      }
      expect(result.peakRssMiB).toBeGreaterThan(10);
    }
    // every round of W3 ran every participant, in an order rotated round by round
    const rounds = suite.schedule.w3Latency!;
    expect(rounds.length).toBe(plan.warmupRounds + plan.rounds);
    expect(new Set(rounds[0])).toEqual(new Set(rounds[1]));
    expect(rounds[1]).toEqual(roundOrder(rounds[0]!, 1));
    expect(rounds[0]).toContain('onnx-1');
    // 2-thread systems took part: the distance between the CPUs was measured before each of their stages
    expect(suite.run.crossCore?.map((c) => c.stage)).toEqual(expect.arrayContaining(['w1', 'w3Throughput']));
    expect(suite.markdown).toContain('a cache line\'s round trip between two threads took');
  }, 300_000);

  it('reports PyTorch with its BLAS and without OPENBLAS_CORETYPE, or says why it is unavailable', () => {
    const torch = suite.measured.find((m) => m.def.id === 'torch-1')!;
    const markdown = readFileSync(suite.files.markdown, 'utf8');
    if (!torch.result.available) {
      expect(torch.result.reason).toMatch(/torch|BLAS/);
      expect(row(markdown, 'PyTorch ×1')[1]).toMatch(/^unavailable \(.+\)$/);
      return;
    }
    expect(torch.result.blas?.unset).toEqual(OPENBLAS_SET);
    expect(torch.result.notes.join(' ')).toContain('OPENBLAS_CORETYPE unset');
    const label = torch.result.blas!.implementation === 'openblas' ? `PyTorch ×1 (OpenBLAS core ${torch.result.blas!.core})` : /PyTorch ×1 \(\w+ BLAS, not OpenBLAS\)/;
    expect(markdown).toMatch(label);
    for (const w of workloads) expect(torch.result.figures[w]?.runs.length).toBe(plan.rounds);
  });

  it('writes figures, per-round ratios and the machine next to every table', () => {
    const markdown = readFileSync(suite.files.markdown, 'utf8');
    expect(markdown).toContain('**Quick run**');
    const tag = machineTag(suite.run.machine);
    const tables = markdown.split('\n\n').filter((block) => block.startsWith('| '));
    const captions = markdown.split('\n').filter((l) => l === `*On ${tag}.*`);
    expect(captions.length).toBe(tables.length);
    for (const { def } of suite.measured.filter((m) => m.def.group === 'neurite')) {
      row(markdown, def.label).slice(1, 1 + workloads.length).forEach((c, i) => {
        if (def.workloads.includes(workloads[i]!)) expect(Number.isFinite(number(c)) && number(c) > 0, `${def.label}: "${c}"`).toBe(true);
        else expect(c, `${def.label}, ${workloads[i]}`).toBe('n/a');
      });
    }
    // W3 batch-1024 against onnxruntime both ways: awaited (on a worker thread) and through predictSync (on the
    // JavaScript thread, as onnxruntime computes)
    for (const how of ['await predict (on a worker thread, the event loop free)', "predictSync (on the JavaScript thread, as onnxruntime-node's run)"])
      expect(row(markdown, `native W3 batch-1024, 1 thread, over onnxruntime-node ×1: ${how}`)[2]).toMatch(RATIO);
    // neurite against onnxruntime, as the median of round-pair ratios with their range
    const section = markdown.slice(markdown.indexOf('### neurite native ×1 against each peer'));
    const vsOnnx = row(section, 'onnxruntime-node ×1');
    expect(vsOnnx.slice(1, 3)).toEqual(['n/a', 'n/a']);
    for (const c of vsOnnx.slice(3)) expect(c).toMatch(RATIO);
    const tfjsNode = suite.measured.find((m) => m.def.id === 'tfjs-node')!;
    if (!tfjsNode.result.available) expect(row(markdown, 'tfjs-node')[1]).toMatch(/^unavailable \(.*tfjs-node.*\)$/);
    // the scaling grid: ts and native in every cell of the quick plan
    const grid = markdown.split('\n').filter((l) => l.startsWith('| 784-64-32-10 |'));
    expect(grid.length).toBe(plan.scalingBatches.length);
    const json = JSON.parse(readFileSync(suite.files.json, 'utf8')) as { systems: { id: string }[]; schedule: Record<string, string[][]> };
    expect(json.systems.map((s) => s.id)).toEqual(suite.measured.map((m) => m.def.id));
    expect(json.schedule.w1!.length).toBe(plan.warmupRounds + plan.rounds);
    const svg = readFileSync(suite.files.svg!, 'utf8');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('runs neurite in Chromium on a plain and on a cross-origin-isolated page, or says why not', () => {
    const b = suite.browser!;
    const markdown = readFileSync(suite.files.markdown, 'utf8');
    if (!existsSync('/usr/bin/chromium') && !process.env.NEURITE_CHROMIUM) {
      expect(b.available).toBe(false);
      expect(markdown).toContain(`Unavailable: ${b.reason}`);
      return;
    }
    expect(b.available, b.reason).toBe(true);
    expect(b.pages.map((p) => [p.name, p.crossOriginIsolated])).toEqual([
      ['1 thread', false],
      ['2 threads', true],
    ]);
    for (const p of b.pages) {
      expect(p.errors).toEqual([]);
      const n = p.systems.find((s) => s.id === 'neurite')!;
      expect(n.available, n.reason).toBe(true);
      for (const w of ['w3Latency', 'w3Throughput'] as const) expect(n.figures[w]?.runs.length).toBe(plan.browserRounds);
      for (const peer of p.systems.filter((s) => !s.available)) expect(peer.reason).toMatch(/\S/);
    }
    expect(row(markdown, '1 thread')[1]).toBe('neurite wasm');
  });

  it('writes the README block from the same run, with the machine named in the table', () => {
    const block = readmeBlock(suite);
    expect(block.startsWith(README_BEGIN) && block.endsWith(README_END)).toBe(true);
    expect(block).toContain(`| neurite — ${machineTag(suite.run.machine)} |`);
    const vsOnnx = row(block, 'native, 1 thread');
    expect(vsOnnx.length).toBe(6);
    expect(block).toMatch(/\| native, 2 threads \| native, 1 thread \| \d/);
  });
});

describe('bench building blocks', () => {
  it('pairs ratios round by round (latency inverted) and refuses unpaired runs', () => {
    expect(pairedRatio([2, 4, 9], [1, 4, 3])).toEqual({ median: 2, min: 1, max: 3, pairs: 3 });
    expect(pairedRatio([10, 20], [20, 20], true)).toEqual({ median: 1.5, min: 1, max: 2, pairs: 2 });
    expect(pairedRatio([1, 2], [1])).toBeUndefined();
    expect(formatRatio(pairedRatio([2, 4, 9], [1, 4, 3]))).toBe('2.00× (1.00–3.00)');
  });

  it('alternates in rotating order and drops a participant that fails', async () => {
    expect(roundOrder(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
    const calls: string[] = [];
    const done = await alternate(['a', 'b', 'c'], { rounds: 2, warmup: 1, name: (p) => p }, async (p, round) => {
      calls.push(`${round}${p}`);
      if (p === 'b' && round === 1) throw new Error('boom');
      return round + 1;
    });
    expect(calls).toEqual(['0a', '0b', '0c', '1b', '1c', '1a', '2c', '2a']);
    expect(done.runs.get('a')).toEqual([2, 3]);
    expect(done.runs.has('b')).toBe(false);
    expect(done.failed.get('b')).toBe('round 2: boom');
  });

  it('removes OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from the PyTorch child only', () => {
    const torch = systems.find((s) => s.id === 'torch-1')!;
    const base = { PATH: '/usr/bin', OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '1048576' };
    const { env, unset } = childEnv(torch, base);
    expect(env.OPENBLAS_CORETYPE).toBeUndefined();
    expect(env.OPENBLAS_L2_SIZE).toBeUndefined();
    expect(env.OPENBLAS_NUM_THREADS).toBe('1');
    expect(env.PATH).toBe('/usr/bin');
    expect(unset).toEqual({ OPENBLAS_CORETYPE: 'Haswell', OPENBLAS_L2_SIZE: '1048576' });
    expect(base.OPENBLAS_CORETYPE).toBe('Haswell');
    const native = systems.find((s) => s.id === 'neurite-native-1')!;
    expect(childEnv(native, base).env.OPENBLAS_CORETYPE).toBe('Haswell');
  });

  it('flags a browser system whose 2-thread batch-1024 ran slower than its 1-thread one', () => {
    const page = (name: string, threads: number, rates: number[]): BrowserResult['pages'][number] => ({
      name, threads, isolated: threads > 1, crossOriginIsolated: threads > 1, timerResolutionUs: 5, errors: [],
      systems: [{ key: `ort-web-${threads}`, id: 'ort-web', label: 'onnxruntime-web', available: true, threads, notes: [],
        figures: { w3Throughput: { median: rates[1]!, runs: rates, detail: 'batch-1024 calls' } } }],
    });
    const browser = (two: number[], twoThreads = 2): BrowserResult => ({ available: true, pages: [page('1 thread', 1, [100, 100, 100]), page('2 threads', twoThreads, two)] });
    expect(slowerOnTwoThreads(browser([70, 75, 80]), 'ort-web')?.median).toBeCloseTo(0.75);
    expect(slowerOnTwoThreads(browser([150, 160, 170]), 'ort-web')).toBeUndefined();
    // a system that ran 1 thread on the 2-thread page (tfjs-wasm there) is not flagged
    expect(slowerOnTwoThreads(browser([70, 75, 80], 1), 'ort-web')).toBeUndefined();
    expect(slowerOnTwoThreads(undefined, 'ort-web')).toBeUndefined();
  });

  it('names the Zen generation from AMD family and model numbers', () => {
    expect(amdUarch(25, 1)).toBe('Zen 3');
    expect(amdUarch(25, 0x11)).toBe('Zen 4');
    expect(amdUarch(26, 2)).toBe('Zen 5');
    expect(amdUarch(6, 85)).toBeUndefined();
  });

  it('rewrites only the marked README block, or puts one in the Performance section once', () => {
    const block = `${README_BEGIN}\nnew\n${README_END}`;
    const marked = `# x\n\n## Performance\n\nintro\n\n${README_BEGIN}\nold\n${README_END}\n\nafter\n\n## Next\n`;
    expect(replaceReadmeBlock(marked, block)).toBe(`# x\n\n## Performance\n\nintro\n\n${block}\n\nafter\n\n## Next\n`);
    const unmarked = '# x\n\n## Performance\n\n| old | table |\n\n## Save\n\nrest\n';
    const first = replaceReadmeBlock(unmarked, block);
    expect(first).toBe(`# x\n\n## Performance\n\n${block}\n\n## Save\n\nrest\n`);
    expect(replaceReadmeBlock(first, block)).toBe(first);
    expect(() => replaceReadmeBlock('# x\n', block)).toThrow(/no .*Performance/);
    expect(() => replaceReadmeBlock(`a ${README_END} b ${README_BEGIN}`, block)).toThrow(/only one|wrong order/);
  });

  it('distrusts an FMA peak that a GEMM beats, and then refuses to write the README', () => {
    const gemm = (gflops: number) => ({
      available: true,
      kernel: 'avx2_fma 6x16',
      peakIsa: 'avx2+fma',
      peakGflops: 40,
      cases: [{ form: 'A·B' as const, m: 128, n: 256, k: 784, gflops: { '1': { median: gflops, runs: [gflops] }, '2': { median: 70, runs: [70] } } }],
    });
    expect(peakWarning(gemm(39))).toBeUndefined();
    expect(peakWarning(gemm(80))).toMatch(/not trustworthy.*A·B 128×256×784 ran at 200 %/);
    const run = { date: 'today', quick: false, machine: describeMachine(), neuriteVersion: '0', command: 'npm run bench', seconds: 1, plan: makePlan(false) };
    expect(readmeBlock({ run, measured: [], gemm: gemm(39) })).toContain(README_BEGIN);
    expect(() => readmeBlock({ run, measured: [], gemm: gemm(80) })).toThrow(/--readme: The FMA peak/);
  });

  it('parses options: --quick, --readme with or without a path, and rejects unknown ones', () => {
    expect(parseArgs(['--quick']).quick).toBe(true);
    expect(parseArgs(['--readme']).readme).toMatch(/README\.md$/);
    expect(parseArgs(['--readme', '/tmp/R.md', '--no-browser'])).toMatchObject({ readme: '/tmp/R.md', browser: false });
    expect(() => parseArgs(['--smoke'])).toThrow(/unknown option --smoke/);
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
    expect(parsed.ukernelInL1).toBeUndefined();
    expect(() => parseGemmOutput('segfault')).toThrow(/no header line/);
  });

  it('reads the microkernel-in-L1 line when there is one', () => {
    const text = [
      'kernel avx512f 12x32, 2 thread(s); single-core FMA peak (avx512f): 229.9 GFLOPS',
      'microkernel in L1 (1 core, kc 128): 203.3 GFLOPS, 88.4% of peak',
      'C=A*B     128x256x784          182.6    79.4%',
    ].join('\n');
    expect(parseGemmOutput(text)).toMatchObject({ peak: 229.9, ukernelInL1: 203.3, rows: [{ form: 'A·B', gflops: 182.6 }] });
  });
});

describe('the GEMM peer (bench/torch_gemm.py, OpenBLAS through torch.mm)', () => {
  const benchDir = fileURLToPath(new URL('../bench', import.meta.url));
  const script = join(benchDir, 'torch_gemm.py');
  const peer = (...args: string[]) => spawnSync('/usr/bin/python3', [script, ...args], { cwd: benchDir, encoding: 'utf8' });

  it('measures exactly the products it is given, in gemm-bench\'s format', () => {
    const r = peer('1', '0', 'C=A*B:7x13x5', 'C=At*B:1x255x13', 'C=A*Bt:13x7x255');
    expect(r.status, r.stderr).toBe(0);
    const parsed = parsePeerOutput(r.stdout);
    expect(parsed.rows.map(({ form, m, n, k }) => ({ form, m, n, k }))).toEqual([
      { form: 'A·B', m: 7, n: 13, k: 5 },
      { form: 'Aᵀ·B', m: 1, n: 255, k: 13 },
      { form: 'A·Bᵀ', m: 13, n: 7, k: 255 },
    ]);
    for (const row of parsed.rows) expect(row.gflops).toBeGreaterThan(0);
    expect(parsed.blas?.implementation).toBeTypeOf('string');
  });

  it('refuses a form it does not know, naming the three it does', () => {
    const r = peer('1', '0', 'C=At*Bt:2x2x2');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown form C=At\*Bt: expected C=A\*B, C=At\*B or C=A\*Bt/);
    expect(() => parsePeerOutput('Traceback')).toThrow(/no result rows/);
  });

  it('puts the peer and the per-run ratio next to each GEMM figure', () => {
    const run = { date: 'today', quick: false, machine: describeMachine(), neuriteVersion: '0', command: 'npm run bench', seconds: 1, plan: makePlan(false) };
    const gemm: GemmResult = {
      available: true,
      kernel: 'avx2_fma 6x16',
      peakIsa: 'avx2+fma',
      peakGflops: 100,
      peer: { label: 'OpenBLAS (torch.mm)', blas: { core: 'Zen', config: 'OpenBLAS 0.3.21' }, unset: {} },
      cases: [{
        form: 'A·B', m: 1024, n: 1024, k: 1024,
        gflops: { '1': { median: 88, runs: [88, 80, 90] } },
        peer: { '1': { median: 80, runs: [80, 80, 100] } },
        vsPeer: { '1': pairedRatio([88, 80, 90], [80, 80, 100])! },
      }],
    };
    const md = renderMarkdown({ run, measured: [], gemm }, undefined);
    expect(md).toContain('| A·B | 1024 × 1024 × 1024 | 88.0 | 88.0 % | 80.0 | 1.00× (0.900–1.10) |');
    expect(md).toMatch(/OpenBLAS 0\.3\.21, core Zen/);
  });
});
