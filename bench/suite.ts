/**
 * neurite against its peers, side by side: `npm run bench` (in bench/, or from the root) starts every system in
 * a warm child process of its own, runs each workload round by round over all of them (lib/alternate.ts), then
 * the GEMM micro-benchmark with the FMA peak and the Chromium stage, and writes RESULTS.md, results.json and
 * scaling.svg next to this file.
 *
 *   npm run bench                          the full suite (see bench/README.md for how long; an idle machine)
 *   npm run bench -- --readme              the same, and rewrite the performance block of the root README.md
 *   npm run bench -- --quick               a few batches of synthetic data, every installed system, < 1 minute
 *   npm run bench -- --only neurite-native-1,torch-1,gemm --out /tmp/x
 *   npm run bench -- --render results.json [--readme]   rewrite the reports from saved figures (runs nothing)
 *
 * A quick run writes to the OS temp dir unless --out says otherwise: RESULTS.md only ever holds a full run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chartGrid, type Series } from '../examples/svg-plot.js';
import { alternate } from './lib/alternate.js';
import { crossCoreRoundTripNs } from './lib/cross-core.js';
import { runGemm, type GemmResult } from './lib/gemm.js';
import { describeMachine } from './lib/machine.js';
import { median } from './lib/measure.js';
import { DATA_ROWS, describeSamples, makePlan, scalingSizes, trainingRows, W1, W2, W3, workloads, type DataKind, type Plan, type Workload } from './lib/plan.js';
import type { ScalingCell, SystemResult, Task } from './lib/protocol.js';
import { QuietLog, untilQuiet } from './lib/quiet.js';
import { readmeBlock, rewriteReadme } from './lib/readme.js';
import { renderMarkdown, type Measured, type Report, type RunInfo } from './lib/report.js';
import { benchDir, systems, type SystemDef } from './lib/systems.js';
import { WarmChild } from './lib/warm-child.js';
import { runBrowser, type BrowserResult } from './wasm/browser-suite.js';

/** stages that are not systems, selectable with --only like one */
export const STAGES = ['gemm', 'browser'] as const;

export interface SuiteOptions {
  quick: boolean;
  /** system ids and stages to run (default: all) */
  only?: string[];
  gemm: boolean;
  browser: boolean;
  /** where RESULTS.md, results.json and scaling.svg go */
  outDir: string;
  /** progress lines (children's included) */
  log: (line: string) => void;
  /** how the suite was started, for the report */
  command?: string;
  /** a README.md whose performance block to rewrite (full runs only) */
  readme?: string;
}

export interface SuiteResult extends Report {
  markdown: string;
  files: { markdown: string; json: string; svg?: string; readme?: string };
  /** the order systems ran in, round by round, per workload (and scaling cell) */
  schedule: Record<string, string[][]>;
}

const STAGE_ORDER: (Workload | 'scaling')[] = [...workloads, 'scaling'];

function task(def: SystemDef, w: Workload, plan: Plan, data: DataKind): { task: Task; detail: string } {
  const rows = (samples: number, batch: number) => trainingRows(samples, batch, DATA_ROWS[data]);
  if (w === 'w1' || w === 'w2') {
    const spec = w === 'w1' ? W1 : W2;
    const samples = rows((w === 'w1' ? plan.w1Samples : plan.w2Samples)[def.speed], spec.batch);
    return { task: { kind: 'train', key: w, sizes: [...spec.sizes], batch: spec.batch, samples }, detail: `${describeSamples(samples, spec.batch)}, batch ${spec.batch}` };
  }
  if (w === 'w3Latency') {
    const calls = plan.w3Calls[def.speed];
    return { task: { kind: 'latency', key: w, sizes: [...W3.sizes], calls }, detail: `median of ${calls.toLocaleString('en-US')} single calls per run` };
  }
  const seconds = plan.w3Seconds[def.speed];
  return { task: { kind: 'throughput', key: w, sizes: [...W3.sizes], batch: W3.largeBatch, seconds }, detail: `${seconds} s of batch-${W3.largeBatch} calls per run` };
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
  const plan = makePlan(options.quick);
  const data: DataKind = options.quick ? 'synthetic' : 'fashion-mnist';
  const known = new Set<string>([...systems.map((s) => s.id), ...STAGES]);
  const unknown = options.only?.filter((id) => !known.has(id));
  if (unknown?.length) throw new Error(`--only: unknown system(s) ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  if (options.readme && options.quick) throw new Error('--readme: a quick run is not a measurement; the README only takes a full run');
  const wanted = (id: string) => !options.only || options.only.includes(id);
  const chosen = systems.filter((s) => wanted(s.id));
  mkdirSync(options.outDir, { recursive: true });
  const log = options.log;
  log(`machine: ${machine.cpuModel}, ${machine.logicalCpus} CPUs, ${machine.isa} (${machine.simd.join(' ')}); load ${machine.loadAverage.toFixed(2)}`);

  const results = new Map<string, SystemResult>(chosen.map((def) => [def.id, { id: def.id, available: false, notes: [], figures: {} }]));
  const children = new Map<string, WarmChild>();
  const tried = new Set<string>();
  const schedule: Record<string, string[][]> = {};
  const taskTimeout = options.quick ? 120_000 : 15 * 60_000;
  const quiet = new QuietLog();
  const childPids = () => [...children.values()].flatMap((c) => (c.pid === undefined ? [] : [c.pid]));
  /** one measured run, once every child has stopped using CPU (lib/quiet.ts) */
  const runQuietly = async (def: SystemDef, work: Task): Promise<number> => {
    await quiet.wait(childPids());
    return children.get(def.id)!.run(work, taskTimeout);
  };
  const crossCore: { stage: string; ns: number }[] = [];
  /** the last stage each system takes part in: its child finishes right after it */
  const lastStage = new Map(chosen.map((def) => [def.id, Math.max(...STAGE_ORDER.map((s, i) => ((s === 'scaling' ? def.scaling : def.workloads.includes(s)) ? i : -1)))]));

  /** Starts the child (once; one at a time, so start-up costs do not overlap a measurement); false if unavailable. */
  const start = async (def: SystemDef): Promise<boolean> => {
    const result = results.get(def.id)!;
    if (tried.has(def.id)) return result.available;
    tried.add(def.id);
    const staticReason = def.unavailable?.();
    if (staticReason) {
      result.reason = staticReason;
      log(`[${def.id}] unavailable: ${staticReason}`);
      return false;
    }
    log(`[${def.id}] starting: ${def.label}`);
    const child = new WarmChild(def, { system: def.id, options: def.options, data, quick: options.quick }, log, options.quick ? 120_000 : 300_000);
    children.set(def.id, child);
    const ready = await child.ready;
    Object.assign(result, ready, { notes: ready.notes ?? [] });
    if (result.blas) result.blas.unset = child.unset;
    if (!ready.available) log(`[${def.id}] unavailable: ${ready.reason}`);
    return ready.available;
  };
  const finish = async (def: SystemDef) => {
    const child = children.get(def.id);
    if (!child) return;
    const { peakRssMiB, wallSeconds } = await child.finish();
    const result = results.get(def.id)!;
    if (result.available) Object.assign(result, { peakRssMiB, wallSeconds });
  };

  try {
    for (const [stageIndex, stage] of STAGE_ORDER.entries()) {
      const taking = chosen.filter((def) => (stage === 'scaling' ? def.scaling : def.workloads.includes(stage)));
      const participants: SystemDef[] = [];
      for (const def of taking) if (await start(def)) participants.push(def);
      if (participants.some((d) => Number(d.options.threads ?? 1) > 1)) {
        await untilQuiet(childPids());
        crossCore.push({ stage, ns: await crossCoreRoundTripNs() });
        log(`[${stage}] cache-line round trip between two threads: ${crossCore.at(-1)!.ns.toFixed(0)} ns`);
      }

      if (stage !== 'scaling' && participants.length) {
        const tasks = new Map(participants.map((def) => [def.id, task(def, stage, plan, data)]));
        log(`[${stage}] ${plan.warmupRounds} + ${plan.rounds} rounds over ${participants.map((d) => d.id).join(', ')}`);
        const done = await alternate(participants, { rounds: plan.rounds, warmup: plan.warmupRounds, name: (d) => d.id }, (def) =>
          runQuietly(def, tasks.get(def.id)!.task),
        );
        schedule[stage] = done.schedule;
        for (const def of participants) {
          const result = results.get(def.id)!;
          const runs = done.runs.get(def);
          if (runs?.length) {
            result.figures[stage] = { median: median(runs), runs, detail: tasks.get(def.id)!.detail };
            log(`[${def.id}] ${stage}: ${median(runs).toPrecision(4)} (${runs.map((v) => v.toPrecision(4)).join(', ')})`);
          } else {
            (result.failed ??= {})[stage] = done.failed.get(def) ?? 'no runs';
            log(`[${def.id}] ${stage} failed: ${result.failed[stage]}`);
          }
          await children.get(def.id)!.release(stage).catch(() => undefined);
        }
      } else if (stage === 'scaling' && participants.length) {
        await runScaling(participants, plan, data, children, results, schedule, taskTimeout, runQuietly, log);
      }
      for (const def of chosen) if (lastStage.get(def.id) === stageIndex) await finish(def);
    }
  } finally {
    for (const child of children.values()) child.kill();
  }
  const measured: Measured[] = chosen.map((def) => ({ def, result: results.get(def.id)! }));

  let gemm: GemmResult | undefined;
  if (options.gemm && wanted('gemm')) {
    log('[gemm] building and running bench/native/gemm_bench.cpp (with the FMA peak probe)');
    gemm = runGemm({ allowBuild: !options.quick, threads: [1, 2], runs: plan.gemmRuns, seconds: plan.gemmSeconds, peer: !options.quick, log: (l) => log(`[gemm] ${l}`) });
    if (!gemm.available) log(`[gemm] unavailable: ${gemm.reason}`);
  }

  let browser: BrowserResult | undefined;
  if (options.browser && wanted('browser')) {
    log('[chromium] neurite wasm, tfjs-wasm and onnxruntime-web at W3, 1 thread and 2 threads (isolated)');
    browser = await runBrowser(plan, log);
    if (!browser.available) log(`[chromium] unavailable: ${browser.reason}`);
  }

  const neuriteVersion = (JSON.parse(readFileSync(join(benchDir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const run: RunInfo = {
    date: new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    quick: options.quick,
    machine,
    neuriteVersion,
    command: options.command ?? `npm run bench${options.quick ? ' -- --quick' : ''}`,
    seconds: (performance.now() - started) / 1000,
    plan,
    quiet: quiet.summary(),
    crossCore: crossCore.length ? crossCore : undefined,
  };
  return writeReport({ run, measured, gemm, browser }, schedule, options.outDir, options.readme);
}

/**
 * The scaling grid, cell by cell: each system first calibrates how many batches make a run of about
 * plan.scalingSeconds (a short probe of its own), then all run alternated rounds of that cell.
 */
async function runScaling(
  participants: SystemDef[],
  plan: Plan,
  data: DataKind,
  children: Map<string, WarmChild>,
  results: Map<string, SystemResult>,
  schedule: Record<string, string[][]>,
  timeout: number,
  runQuietly: (def: SystemDef, work: Task) => Promise<number>,
  log: (line: string) => void,
): Promise<void> {
  const rows = (samples: number, batch: number) => trainingRows(samples, batch, DATA_ROWS[data]);
  const cells = new Map<string, ScalingCell[]>(participants.map((d) => [d.id, []]));
  const failed = new Set<SystemDef>();
  for (const hidden of plan.scalingHidden) {
    for (const batch of plan.scalingBatches) {
      const sizes = scalingSizes(hidden);
      const inCell = participants.filter((d) => !failed.has(d) && (d.speed === 'fast' || hidden <= plan.slowScalingMaxHidden));
      const samples = new Map<SystemDef, number>();
      for (const def of inCell) {
        const child = children.get(def.id)!;
        const probe = rows(batch * Math.max(2, Math.ceil(plan.scalingProbe / batch)), batch);
        try {
          const rate = await child.run({ kind: 'train', key: 'scaling-probe', sizes, batch, samples: probe }, timeout);
          await child.release('scaling-probe');
          samples.set(def, rows(Math.max(2, Math.round((rate * plan.scalingSeconds) / batch)) * batch, batch));
        } catch (e) {
          failed.add(def);
          (results.get(def.id)!.failed ??= {}).scaling = `784-${hidden}-${hidden / 2}-10 batch ${batch}: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
      const key = `scaling-${hidden}-${batch}`;
      const standing = inCell.filter((d) => samples.has(d));
      const done = await alternate(standing, { rounds: plan.scalingRounds, warmup: 1, name: (d) => d.id }, (def) =>
        runQuietly(def, { kind: 'train', key, sizes, batch, samples: samples.get(def)! }),
      );
      schedule[key] = done.schedule;
      for (const def of standing) {
        const runs = done.runs.get(def);
        if (runs?.length) {
          cells.get(def.id)!.push({ hidden, batch, median: median(runs), runs, samples: samples.get(def)! });
          log(`[${def.id}] scaling 784-${hidden}-${hidden / 2}-10 batch ${batch}: ${median(runs).toPrecision(4)} samples/s`);
        } else {
          failed.add(def);
          (results.get(def.id)!.failed ??= {}).scaling = `784-${hidden}-${hidden / 2}-10 batch ${batch}: ${done.failed.get(def)}`;
        }
        await children.get(def.id)!.release(key).catch(() => undefined);
      }
    }
  }
  for (const def of participants) if (cells.get(def.id)!.length) results.get(def.id)!.scaling = cells.get(def.id);
}

/** RESULTS.md, results.json and scaling.svg in outDir; the README's block when asked. */
function writeReport(report: Report, schedule: Record<string, string[][]>, outDir: string, readme: string | undefined): SuiteResult {
  mkdirSync(outDir, { recursive: true });
  const svg = scalingSvg(report.measured);
  const files: SuiteResult['files'] = {
    markdown: join(outDir, 'RESULTS.md'),
    json: join(outDir, 'results.json'),
    svg: svg ? join(outDir, 'scaling.svg') : undefined,
  };
  const markdown = renderMarkdown(report, svg ? 'scaling.svg' : undefined);
  writeFileSync(files.markdown, markdown);
  const json = { run: report.run, systems: report.measured.map((m) => ({ label: m.def.label, ...m.result })), gemm: report.gemm, browser: report.browser, schedule };
  writeFileSync(files.json, JSON.stringify(json, null, 2) + '\n');
  if (svg && files.svg) writeFileSync(files.svg, svg);
  if (readme) {
    rewriteReadme(readme, readmeBlock(report));
    files.readme = readme;
  }
  return { ...report, schedule, markdown, files };
}

/**
 * Writes the reports again from a results.json (after a change to the report's layout): the figures are the
 * measured ones, nothing is run.
 */
export function renderSaved(jsonPath: string, outDir: string, readme?: string): SuiteResult {
  const saved = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
    run: RunInfo;
    systems: (SystemResult & { label: string })[];
    gemm?: GemmResult;
    browser?: BrowserResult;
    schedule?: Record<string, string[][]>;
  };
  if (!saved.run.plan) throw new Error(`${jsonPath}: written by the suite before alternation (no plan, no paired rounds); run the suite again`);
  if (readme && saved.run.quick) throw new Error('--readme: a quick run is not a measurement; the README only takes a full run');
  const measured = saved.systems.map(({ label: _label, ...result }) => {
    const def = systems.find((s) => s.id === result.id);
    if (!def) throw new Error(`${jsonPath}: system ${result.id} is not in lib/systems.ts`);
    return { def, result };
  });
  return writeReport({ run: saved.run, measured, gemm: saved.gemm, browser: saved.browser }, saved.schedule ?? {}, outDir, readme);
}

export function parseArgs(argv: string[]): SuiteOptions & { render?: string } {
  const quick = argv.includes('--quick') || process.env.NEURITE_BENCH_QUICK === '1';
  const valueOf = (name: string) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (!v || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const flags = new Set(['--quick', '--only', '--no-gemm', '--no-browser', '--out', '--render', '--readme']);
  const valued = new Set(['--only', '--out', '--render']);
  argv.forEach((a, i) => {
    if (a.startsWith('--') && !flags.has(a)) throw new Error(`unknown option ${a}; options: ${[...flags].join(' ')}`);
    if (!a.startsWith('--') && !valued.has(argv[i - 1] ?? '') && !(argv[i - 1] === '--readme')) throw new Error(`unexpected argument ${a}`);
  });
  // --readme takes an optional path (default: the repository's README.md)
  const r = argv.indexOf('--readme');
  const readme = r < 0 ? undefined : argv[r + 1] && !argv[r + 1]!.startsWith('--') ? argv[r + 1] : join(benchDir, '..', 'README.md');
  return {
    quick,
    render: valueOf('--render'),
    only: valueOf('--only')?.split(','),
    gemm: !argv.includes('--no-gemm'),
    browser: !argv.includes('--no-browser'),
    outDir: valueOf('--out') ?? (quick ? join(tmpdir(), 'neurite-bench-quick') : benchDir),
    log: (line) => process.stderr.write(`${line}\n`),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    readme,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const options = parseArgs(process.argv.slice(2));
  const result = options.render ? renderSaved(options.render, options.outDir, options.readme) : await runSuite(options);
  process.stdout.write(`${result.markdown}\n`);
  process.stderr.write(`wrote ${Object.values(result.files).filter(Boolean).join(', ')}\n`);
}
