/**
 * neurite against its peers, side by side: `npm run bench` (in bench/, or from the root) runs every system in a
 * child process of its own, one after the other, then the GEMM micro-benchmark, and writes RESULTS.md,
 * results.json and scaling.svg next to this file.
 *
 *   npm run bench                          the full suite (about ten minutes; run it on an idle machine)
 *   npm run bench -- --smoke               a few batches of synthetic data, every installed system, < 1 minute
 *   npm run bench -- --only neurite-ts,torch-1 --no-gemm --out /tmp/x
 *   npm run bench -- --render results.json    rewrite RESULTS.md and scaling.svg from saved figures
 *
 * The smoke run writes to the OS temp dir unless --out says otherwise: RESULTS.md only ever holds a full run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chartGrid, type Series } from '../examples/svg-plot.js';
import { runGemm, type GemmResult } from './lib/gemm.js';
import { describeMachine } from './lib/machine.js';
import { makePlan } from './lib/plan.js';
import type { ChildRequest, SystemResult } from './lib/protocol.js';
import { renderMarkdown, type Measured, type RunInfo } from './lib/report.js';
import { benchDir, PYTHON, systems, type SystemDef } from './lib/systems.js';

export interface SuiteOptions {
  smoke: boolean;
  /** system ids to run (default: all) */
  only?: string[];
  gemm: boolean;
  /** where RESULTS.md, results.json and scaling.svg go */
  outDir: string;
  /** progress lines (children's included) */
  log: (line: string) => void;
  /** how the suite was started, for the report */
  command?: string;
}

export interface SuiteResult {
  measured: Measured[];
  gemm?: GemmResult;
  markdown: string;
  files: { markdown: string; json: string; svg?: string };
}

const registerTs = fileURLToPath(new URL('./lib/register-ts.mjs', import.meta.url));

function childTimeoutMs(smoke: boolean): number {
  return smoke ? 120_000 : 30 * 60_000;
}

/** Runs one system's child; its figures come back through a JSON file, its progress through stderr. */
async function runSystem(def: SystemDef, options: SuiteOptions, scratch: string): Promise<SystemResult> {
  const staticReason = def.unavailable?.();
  if (staticReason) {
    options.log(`[${def.id}] unavailable: ${staticReason}`);
    return { id: def.id, available: false, reason: staticReason, notes: [], figures: {} };
  }
  const out = join(scratch, `${def.id}.json`);
  const request: ChildRequest = {
    system: def.id,
    options: def.options,
    workloads: def.workloads,
    plan: makePlan(def.speed, options.smoke),
    scaling: def.scaling,
    data: options.smoke ? 'synthetic' : 'fashion-mnist',
    out,
  };
  const [command, args] =
    def.runner === 'python'
      ? [PYTHON, [join(benchDir, def.entry), JSON.stringify(request)]]
      : [process.execPath, ['--import', pathToFileURL(registerTs).href, join(benchDir, def.entry), JSON.stringify(request)]];
  options.log(`[${def.id}] ${def.label}`);
  const child = spawn(command, args, { cwd: benchDir, env: { ...process.env, ...def.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      options.log(`[${def.id}] ${line.trim()}`);
    }
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const timeout = childTimeoutMs(options.smoke);
  const code = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (e) => resolve(String(e)));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve(signal ? `killed by ${signal}${signal === 'SIGKILL' ? ` after ${timeout / 1000} s` : ''}` : (status ?? -1));
    });
  });
  try {
    const result = JSON.parse(readFileSync(out, 'utf8')) as SystemResult;
    if (code === 0 || !result.available) return result;
  } catch {
    /* no result file: the failure below says what happened */
  }
  const last = lines.slice(-3).join(' | ');
  return { id: def.id, available: false, reason: `failed (exit ${code}): ${last || 'no output'}`, notes: [], figures: {} };
}

/** one colour per system across all panels (a panel without the TS backend must not shift the others) */
const SERIES_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** One panel per hidden width: training samples/s against batch size, a line per system. */
function scalingSvg(measured: Measured[]): string | undefined {
  const withGrid = measured.filter((m) => m.result.scaling?.length);
  if (withGrid.length === 0) return undefined;
  const widths = [...new Set(withGrid.flatMap((m) => m.result.scaling!.map((c) => c.hidden)))].sort((a, b) => a - b);
  const charts = widths.map((hidden) => ({
    title: `784-${hidden}-${hidden / 2}-10`,
    xLabel: 'batch size',
    yLabel: 'training samples/s',
    xLog: true,
    yLog: true,
    width: 420,
    height: 300,
    legend: 'top-left' as const,
    series: withGrid
      .map((m, i): Series => ({
        name: m.def.label,
        color: SERIES_COLORS[i % SERIES_COLORS.length],
        dashed: m.def.group === 'peer',
        points: m.result.scaling!.filter((c) => c.hidden === hidden).map((c): [number, number] => [c.batch, c.median]),
      }))
      .filter((s) => s.points.length > 0),
  }));
  return chartGrid(charts, 2, 'Training throughput by network width and batch size');
}

export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const machine = describeMachine();
  const unknown = options.only?.filter((id) => !systems.some((s) => s.id === id));
  if (unknown?.length) throw new Error(`--only: unknown system(s) ${unknown.join(', ')}; known: ${systems.map((s) => s.id).join(', ')}`);
  const chosen = options.only ? systems.filter((s) => options.only!.includes(s.id)) : systems;
  mkdirSync(options.outDir, { recursive: true });
  const scratch = join(tmpdir(), `neurite-bench-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  options.log(`machine: ${machine.cpuModel}, ${machine.logicalCpus} CPUs, ${machine.simd.join(' ')}; load ${machine.loadAverage.toFixed(2)}`);

  const measured: Measured[] = [];
  try {
    for (const def of chosen) measured.push({ def, result: await runSystem(def, options, scratch) });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  let gemm: GemmResult | undefined;
  if (options.gemm) {
    options.log('[gemm] building and running bench/native/gemm_bench.cpp');
    const plan = makePlan('fast', options.smoke);
    gemm = runGemm({ allowBuild: !options.smoke, threads: [1, 2], runs: options.smoke ? 1 : 3, seconds: plan.gemmSeconds, log: (l) => options.log(`[gemm] ${l}`) });
    if (!gemm.available) options.log(`[gemm] unavailable: ${gemm.reason}`);
  }

  const neuriteVersion = (JSON.parse(readFileSync(join(benchDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const run: RunInfo = {
    date: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    smoke: options.smoke,
    machine,
    neuriteVersion,
    command: options.command ?? `npm run bench${options.smoke ? ' -- --smoke' : ''}`,
    seconds: (performance.now() - started) / 1000,
  };
  return writeReport(run, measured, gemm, options.outDir);
}

/** RESULTS.md, results.json and scaling.svg in outDir. */
function writeReport(run: RunInfo, measured: Measured[], gemm: GemmResult | undefined, outDir: string): SuiteResult {
  const svg = scalingSvg(measured);
  const files = {
    markdown: join(outDir, 'RESULTS.md'),
    json: join(outDir, 'results.json'),
    svg: svg ? join(outDir, 'scaling.svg') : undefined,
  };
  const markdown = renderMarkdown(run, measured, gemm, svg ? 'scaling.svg' : undefined);
  writeFileSync(files.markdown, markdown);
  writeFileSync(files.json, JSON.stringify({ run, systems: measured.map((m) => ({ label: m.def.label, ...m.result })), gemm }, null, 2) + '\n');
  if (svg && files.svg) writeFileSync(files.svg, svg);
  return { measured, gemm, markdown, files };
}

/**
 * Writes the report again from a results.json (after a change to the report's layout): the figures are the
 * measured ones, nothing is run.
 */
export function renderSaved(jsonPath: string, outDir: string): SuiteResult {
  const saved = JSON.parse(readFileSync(jsonPath, 'utf8')) as { run: RunInfo; systems: (SystemResult & { label: string })[]; gemm?: GemmResult };
  const measured = saved.systems.map(({ label: _label, ...result }) => {
    const def = systems.find((s) => s.id === result.id);
    if (!def) throw new Error(`${jsonPath}: system ${result.id} is not in lib/systems.ts`);
    return { def, result };
  });
  return writeReport(saved.run, measured, saved.gemm, outDir);
}

function parseArgs(argv: string[]): SuiteOptions & { render?: string } {
  const smoke = argv.includes('--smoke') || process.env.NEURITE_BENCH_SMOKE === '1';
  const value = (name: string) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (!v || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const known = new Set(['--smoke', '--only', '--no-gemm', '--out', '--render']);
  for (const a of argv) if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}; options: ${[...known].join(' ')}`);
  return {
    smoke,
    render: value('--render'),
    only: value('--only')?.split(','),
    gemm: !argv.includes('--no-gemm'),
    outDir: value('--out') ?? (smoke ? join(tmpdir(), 'neurite-bench-smoke') : benchDir),
    log: (line) => process.stderr.write(`${line}\n`),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = parseArgs(process.argv.slice(2));
  const result = options.render ? renderSaved(options.render, options.outDir) : await runSuite(options);
  process.stdout.write(`${result.markdown}\n`);
  process.stderr.write(`wrote ${Object.values(result.files).filter(Boolean).join(', ')}\n`);
}
