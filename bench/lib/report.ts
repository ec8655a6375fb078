/**
 * RESULTS.md from the measurements: figures, then every comparison as a ratio of alternated rounds (lib/ratios.ts)
 * or as a share of the machine's FMA bound measured in the same run, the issue's targets, the Chromium stage,
 * GEMM and the scaling grid. Every table is captioned with the CPU and its ISA (lib/machine.ts machineTag).
 */
import type { BrowserResult } from '../wasm/browser-suite.js';
import type { GemmResult } from './gemm.js';
import type { QuietSummary } from './quiet.js';
import { machineTag, type Machine } from './machine.js';
import { W1, W2, W3, workloads, type Plan, type Workload } from './plan.js';
import type { SystemResult } from './protocol.js';
import { formatRatio, formatShare, pairedRatio, shareOf, type PairedRatio } from './ratios.js';
import type { SystemDef } from './systems.js';

export interface Measured {
  def: SystemDef;
  result: SystemResult;
}

export interface RunInfo {
  date: string;
  quick: boolean;
  machine: Machine;
  neuriteVersion: string;
  command: string;
  seconds: number;
  plan: Plan;
  /** the waits for the other children to go quiet before each run (absent in runs from before they were added) */
  quiet?: QuietSummary;
  /** the cache-line round trip between two threads before each stage (lib/cross-core.ts), in nanoseconds */
  crossCore?: { stage: string; ns: number }[];
}

export interface Report {
  run: RunInfo;
  measured: Measured[];
  gemm?: GemmResult;
  browser?: BrowserResult;
}

export const workloadTitle: Record<Workload, string> = {
  w1: `W1 train /s`,
  w2: `W2 train /s`,
  w3Latency: `W3 batch-1 µs`,
  w3Throughput: `W3 batch-${W3.largeBatch} /s`,
};

const shortTitle = (w: Workload) => workloadTitle[w].replace(/ (µs|\/s)$/, '');

/** latency is better when lower; everything else is a rate */
export const lowerIsBetter = (w: Workload) => w === 'w3Latency';

export function formatValue(v: number, w: Workload | 'rate'): string {
  if (w === 'w3Latency') return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
  return v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
}

export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** the line above every table: which CPU and ISA the figures below come from */
export function caption(m: Machine): string {
  return `*On ${machineTag(m)}.*`;
}

/** The label, and for PyTorch the BLAS it ran on: the figure means little without it. */
export function systemLabel(m: Measured): string {
  const b = m.result.blas;
  if (!b) return m.def.label;
  if (b.implementation === 'openblas') return `${m.def.label} (OpenBLAS core ${b.core ?? '?'})`;
  return `${m.def.label} (${b.implementation} BLAS, not OpenBLAS)`;
}

export function runsOf(m: Measured | undefined, w: Workload): number[] | undefined {
  return m?.result.figures[w]?.runs;
}

/** How many times better `a` is than `b` on w, round by round (latency inverted). */
export function speedup(a: Measured | undefined, b: Measured | undefined, w: Workload): PairedRatio | undefined {
  return pairedRatio(runsOf(a, w), runsOf(b, w), lowerIsBetter(w));
}

function cell(m: Measured, w: Workload): string {
  if (!m.result.available) return '—';
  if (!m.def.workloads.includes(w)) return 'n/a';
  const f = m.result.figures[w];
  if (f) return formatValue(f.median, w);
  return m.result.failed?.[w] ? 'failed' : '—';
}

/** Multiply-adds ×2 of one training sample: forward, weight gradients, input gradients (none for the first layer). */
export function trainingFlops(sizes: readonly number[]): number {
  let flops = 0;
  for (let l = 0; l + 1 < sizes.length; l++) flops += 2 * sizes[l]! * sizes[l + 1]! * (l === 0 ? 2 : 3);
  return flops;
}

export function inferenceFlops(sizes: readonly number[]): number {
  let flops = 0;
  for (let l = 0; l + 1 < sizes.length; l++) flops += 2 * sizes[l]! * sizes[l + 1]!;
  return flops;
}

/**
 * What the GEMMs alone would allow at the measured FMA peak on `threads` cores (bias, activations, loss and
 * optimizer ignored): no implementation on this machine can beat it. Samples/s, or µs for batch-1 latency.
 */
export function fmaBound(w: Workload, peakGflops: number | undefined, threads: number): number | undefined {
  if (!peakGflops) return undefined;
  const flops = w === 'w1' ? trainingFlops(W1.sizes) : w === 'w2' ? trainingFlops(W2.sizes) : inferenceFlops(W3.sizes);
  const rate = (peakGflops * 1e9 * threads) / flops;
  return w === 'w3Latency' ? 1e6 / rate : rate;
}

export function threadsOf(m: Measured): number {
  return Number(m.result.threads ?? m.def.options.threads ?? 1) || 1;
}

/** each run of m on w as a share of the FMA bound of its thread count (latency: bound / measured) */
export function boundShare(m: Measured | undefined, w: Workload, peak: number | undefined): PairedRatio | undefined {
  if (!m) return undefined;
  return shareOf(runsOf(m, w), fmaBound(w, peak, threadsOf(m)), lowerIsBetter(w));
}

// ---------------------------------------------------------------------------------------------------------------
// The issue's targets, every one a ratio measured in the same run

interface Target {
  label: string;
  /** the measured ratio (median and range over round pairs), or why there is none */
  measure: (r: Report) => PairedRatio | string;
  /** at least (or, with atMost, at most) this */
  bound: number;
  atMost?: boolean;
  unit: '×' | '%';
  /** the FMA bound that frames the target: of a workload on some threads, or the GEMM peak itself */
  fma?: { w: Workload; threads: number } | 'peak';
  /** a Chromium peer on its 2-thread page: the verdict says so when that figure was disturbed (slowerOnTwoThreads) */
  browserPeer?: string;
}

const byId = (r: Report, id: string) => r.measured.find((m) => m.def.id === id);
const missing = (r: Report, ...ids: string[]) => {
  for (const id of ids) {
    const m = byId(r, id);
    if (!m) return `${id} not run`;
    if (!m.result.available) return `${id} unavailable`;
  }
  return 'not measured';
};
const ratioOf = (a: string, b: string, w: Workload, latencyRatio = false) => (r: Report) =>
  (latencyRatio ? pairedRatio(runsOf(byId(r, a), w), runsOf(byId(r, b), w)) : speedup(byId(r, a), byId(r, b), w)) ?? missing(r, a, b);

function gemmShare(form: string, m: number, n: number, k: number) {
  return (r: Report): PairedRatio | string => {
    const c = r.gemm?.cases.find((g) => g.form === form && g.m === m && g.n === n && g.k === k);
    const runs = c?.gflops['1']?.runs;
    if (!r.gemm?.available || !runs || !r.gemm.peakGflops) return r.gemm?.reason ? `unavailable (${r.gemm.reason})` : 'not run';
    return shareOf(runs, r.gemm.peakGflops)!;
  };
}

function browserRatio(r: Report, page: string, a: string, b: string, w: 'w3Latency' | 'w3Throughput'): PairedRatio | string {
  if (!r.browser) return 'not run';
  if (!r.browser.available) return `unavailable (${r.browser.reason})`;
  const p = r.browser.pages.find((x) => x.name === page);
  const sa = p?.systems.find((s) => s.id === a);
  const sb = p?.systems.find((s) => s.id === b);
  if (!sa?.available || !sb?.available) return `${!sa?.available ? a : b} unavailable (${(!sa?.available ? sa : sb)?.reason ?? 'not loaded'})`;
  return pairedRatio(sa.figures[w]?.runs, sb.figures[w]?.runs, lowerIsBetter(w)) ?? 'not measured';
}

/**
 * A system whose batch-1024 ran slower on the 2-thread page than on the 1-thread page, though it used 2 threads
 * there: its 2-thread figure was disturbed in this run (a peer's own pool; the machine), and a ratio against it
 * overstates the other side. Returns that 2-over-1 ratio, or undefined.
 */
export function slowerOnTwoThreads(browser: BrowserResult | undefined, id: string): PairedRatio | undefined {
  if (!browser?.available) return undefined;
  const [one, two] = browser.pages;
  const s1 = one?.systems.find((x) => x.id === id);
  const s2 = two?.systems.find((x) => x.id === id);
  if (!s1?.available || !s2?.available || (s2.threads ?? 1) < 2) return undefined;
  const ratio = pairedRatio(s2.figures.w3Throughput?.runs, s1.figures.w3Throughput?.runs);
  return ratio && ratio.median < 1 ? ratio : undefined;
}

/** Issue 13's targets. */
export const targets: Target[] = [
  // W3 batch-1024 both ways neurite can be called: awaited (systems neurite-native-N) and through predictSync (-sync)
  ...[1, 2].flatMap((t): Target[] =>
    [
      ['', 'await predict (on a worker thread, the event loop free)'],
      ['-sync', 'predictSync (on the JavaScript thread, as onnxruntime-node\'s run)'],
    ].map(([suffix, how]) => ({
      label: `native W3 batch-1024, ${t} thread${t > 1 ? 's' : ''}, over onnxruntime-node ×${t}: ${how}`,
      measure: ratioOf(`neurite-native-${t}${suffix}`, `onnx-${t}`, 'w3Throughput'),
      bound: 1.1,
      unit: '×',
      fma: { w: 'w3Throughput', threads: t },
    })),
  ),
  { label: 'native W3 batch-1 latency, 1 thread, as a share of onnxruntime-node ×1\'s', measure: ratioOf('neurite-native-1', 'onnx-1', 'w3Latency', true), bound: 0.5, atMost: true, unit: '×', fma: { w: 'w3Latency', threads: 1 } },
  { label: 'native W3 batch-1 latency, 2 threads, as a share of onnxruntime-node ×2\'s', measure: ratioOf('neurite-native-2', 'onnx-2', 'w3Latency', true), bound: 0.5, atMost: true, unit: '×', fma: { w: 'w3Latency', threads: 2 } },
  { label: 'native W1, 1 thread, share of the 1-core FMA bound', measure: (r) => boundShare(byId(r, 'neurite-native-1'), 'w1', r.gemm?.peakGflops) ?? (r.gemm?.peakGflops ? missing(r, 'neurite-native-1') : 'FMA peak not measured (gemm-bench)'), bound: 0.75, unit: '%', fma: { w: 'w1', threads: 1 } },
  { label: 'native W1, 2 threads over 1 thread', measure: ratioOf('neurite-native-2', 'neurite-native-1', 'w1'), bound: 1.7, unit: '×', fma: { w: 'w1', threads: 2 } },
  { label: 'native W2, 2 threads over 1 thread', measure: ratioOf('neurite-native-2', 'neurite-native-1', 'w2'), bound: 1.8, unit: '×', fma: { w: 'w2', threads: 2 } },
  { label: 'wasm (Node) W1, 2 threads over 1 thread', measure: ratioOf('neurite-wasm-2', 'neurite-wasm', 'w1'), bound: 1.7, unit: '×', fma: { w: 'w1', threads: 2 } },
  { label: 'GEMM 1024³ A·B, 1 thread, share of FMA peak', measure: gemmShare('A·B', 1024, 1024, 1024), bound: 0.9, unit: '%', fma: 'peak' },
  { label: 'GEMM 1024³ Aᵀ·B, 1 thread, share of FMA peak', measure: gemmShare('Aᵀ·B', 1024, 1024, 1024), bound: 0.9, unit: '%', fma: 'peak' },
  { label: 'GEMM 1024³ A·Bᵀ, 1 thread, share of FMA peak', measure: gemmShare('A·Bᵀ', 1024, 1024, 1024), bound: 0.9, unit: '%', fma: 'peak' },
  { label: 'GEMM at W1\'s first layer (128×256×784) A·B, share of FMA peak', measure: gemmShare('A·B', 128, 256, 784), bound: 0.9, unit: '%', fma: 'peak' },
  { label: 'GEMM at W1\'s first layer (128×256×784) Aᵀ·B, share of FMA peak', measure: gemmShare('Aᵀ·B', 128, 256, 784), bound: 0.9, unit: '%', fma: 'peak' },
  { label: 'GEMM at W1\'s first layer (128×256×784) A·Bᵀ, share of FMA peak', measure: gemmShare('A·Bᵀ', 128, 256, 784), bound: 0.9, unit: '%', fma: 'peak' },
  { label: 'Chromium W3 batch-1024, 2 threads (isolated), over onnxruntime-web ×2', measure: (r) => browserRatio(r, '2 threads', 'neurite', 'ort-web', 'w3Throughput'), bound: 1.2, unit: '×', fma: { w: 'w3Throughput', threads: 2 }, browserPeer: 'ort-web' },
];

function fmaCell(t: Target, gemm: GemmResult | undefined): string {
  const peak = gemm?.peakGflops;
  if (!t.fma || !peak) return '—';
  if (t.fma === 'peak') {
    const tile = gemm.ukernelInL1?.shareOfPeak;
    return `${peak.toFixed(1)} GFLOPS${tile ? `; the microkernel alone, in L1: ${formatShare(tile)}` : ''}`;
  }
  const b = fmaBound(t.fma.w, peak, t.fma.threads)!;
  return `${formatValue(b, t.fma.w)} ${t.fma.w === 'w3Latency' ? 'µs' : '/s'} on ${t.fma.threads} core${t.fma.threads > 1 ? 's' : ''}`;
}

function targetRows(r: Report): string[][] {
  return targets.map((t) => {
    const want = `${t.atMost ? '≤' : '≥'} ${t.unit === '%' ? `${t.bound * 100} %` : `${t.bound}×`}`;
    const got = t.measure(r);
    const bound = fmaCell(t, r.gemm);
    if (typeof got === 'string') return [t.label, want, got, '—', bound];
    const met = t.atMost ? got.median <= t.bound : got.median >= t.bound;
    const always = t.atMost ? got.max <= t.bound : got.min >= t.bound;
    let verdict = met ? (always || got.pairs === 1 ? '**met**' : '**met** (median; not every round)') : 'missed';
    const disturbed = t.browserPeer && slowerOnTwoThreads(r.browser, t.browserPeer);
    if (disturbed) verdict += ` (not trusted: the peer ran slower on 2 threads than on 1 in this run, ${formatRatio(disturbed)})`;
    return [t.label, want, t.unit === '%' ? formatShare(got) : formatRatio(got), verdict, bound];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Sections

function gemmSection(gemm: GemmResult | undefined, m: Machine): string {
  if (!gemm) return 'Not run.';
  if (!gemm.available) return `Unavailable: ${gemm.reason}.`;
  const peak = gemm.peakGflops!;
  const threads = Object.keys(gemm.cases[0]?.gflops ?? {}).sort();
  const peer = gemm.peer && !gemm.peer.reason ? gemm.peer : undefined;
  const peerCore = peer?.blas?.core ? `, core ${String(peer.blas.core)}` : '';
  const head = ['form', 'm × n × k', ...threads.flatMap((t) => [
    `GFLOPS ×${t}`, `% of ${t === '1' ? '' : `${t} × `}peak`, ...(peer ? [`OpenBLAS ×${t}`, `neurite / OpenBLAS ×${t}`] : []),
  ])];
  const rows = gemm.cases.map((c) => [
    c.form,
    `${c.m} × ${c.n} × ${c.k}`,
    ...threads.flatMap((t) => {
      const g = c.gflops[t]?.median;
      const ours = g === undefined ? ['—', '—'] : [g.toFixed(1), `${((100 * g) / (peak * Number(t))).toFixed(1)} %`];
      const theirs = c.peer?.[t]?.median;
      return peer ? [...ours, theirs === undefined ? '—' : theirs.toFixed(1), formatRatio(c.vsPeer?.[t])] : ours;
    }),
  ]);
  const peerText = peer
    ? ` Each run alternates with one of the peer, OpenBLAS's sgemm through \`torch.mm\` on the same products ` +
      `(bench/torch_gemm.py, ${String(peer.blas?.config ?? 'OpenBLAS')}${peerCore}; ` +
      `${peer.unset && Object.keys(peer.unset).length ? `removed from its environment: ${Object.entries(peer.unset).map(([k, v]) => `${k}=${v}`).join(', ')}` : 'no OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE was set'}), ` +
      'the order swapping every run; each takes the fastest of its calls; the ratio is the median of the per-run ratios (min–max).'
    : gemm.peer?.reason ? ` The OpenBLAS peer did not run: ${gemm.peer.reason}.` : '';
  const tile = gemm.ukernelInL1;
  const tileText = tile?.shareOfPeak
    ? ` The microkernel alone, its register tile run over and over on panels that stay in L1 (one core, depth 128), ` +
      `reaches **${tile.median.toFixed(1)} GFLOPS, ${formatShare(tile.shareOfPeak)} of the peak** (each run over its own ` +
      'probe): what the tile does without a cache miss. A GEMM\'s distance to that figure is what its blocking and the ' +
      'caches cost; the figure\'s own distance to the peak is the tile\'s (its loads, its C tile, the call).'
    : '';
  return [
    `Kernel \`${gemm.kernel}\`; single-core FMA peak measured by bench/native's probe (${gemm.peakIsa}) in this run: **${peak.toFixed(1)} GFLOPS**.${tileText} ` +
      'm × n × k: C[m×n] = A[m×k]·B[k×n] (the transposed forms read the same numbers transposed: Aᵀ·B is the weight ' +
      'gradient, A·Bᵀ the input gradient). Median of the runs of bench/native/gemm_bench.cpp.' + peerText,
    '',
    caption(m),
    '',
    table(head, rows),
  ].join('\n');
}

function scalingSection(all: Measured[], m: Machine): string {
  const withGrid = all.filter((s) => s.result.scaling?.length);
  if (withGrid.length === 0) return 'Not measured.';
  const keys = new Map<string, { hidden: number; batch: number }>();
  for (const s of withGrid) for (const c of s.result.scaling!) keys.set(`${c.hidden}/${c.batch}`, { hidden: c.hidden, batch: c.batch });
  const cells = [...keys.values()].sort((a, b) => a.hidden - b.hidden || a.batch - b.batch);
  const native = withGrid.find((s) => s.def.id === 'neurite-native-1');
  const torch = withGrid.find((s) => s.def.id === 'torch-1');
  const find = (s: Measured | undefined, h: number, b: number) => s?.result.scaling?.find((c) => c.hidden === h && c.batch === b);
  const head = ['network', 'batch', ...withGrid.map(systemLabel), ...(native && torch ? ['native ×1 / PyTorch ×1'] : [])];
  const rows = cells.map(({ hidden, batch }) => {
    const r = [`784-${hidden}-${hidden / 2}-10`, String(batch), ...withGrid.map((s) => {
      const c = find(s, hidden, batch);
      return c === undefined ? '—' : formatValue(c.median, 'rate');
    })];
    if (native && torch) r.push(formatRatio(pairedRatio(find(native, hidden, batch)?.runs, find(torch, hidden, batch)?.runs)));
    return r;
  });
  return [caption(m), '', table(head, rows)].join('\n');
}

function browserSection(b: BrowserResult | undefined, m: Machine): string {
  if (!b) return 'Not run.';
  if (!b.available) return `Unavailable: ${b.reason}.`;
  const out: string[] = [];
  out.push(
    `${b.userAgent}, headless, pages served from 127.0.0.1. Two pages open side by side in one browser: **1 thread** is a plain page ` +
      '(no SharedArrayBuffer, so no wasm threads anywhere); **2 threads** is cross-origin isolated (COOP/COEP headers), where ' +
      'each system is asked for 2 threads. Every (page, system) pair runs once per round, in rotating order. Batch-1 latency is ' +
      'timed over chunks of back-to-back calls (the page timer is too coarse for a single call) and is the median chunk.',
    '',
  );
  const rows: string[][] = [];
  for (const p of b.pages) {
    for (const s of p.systems) {
      if (!s.available) {
        rows.push([p.name, `${s.label} ${s.version ?? ''}`.trim(), `unavailable (${s.reason})`, '—', '—']);
        continue;
      }
      const f = (w: 'w3Latency' | 'w3Throughput') => (s.figures[w] ? formatValue(s.figures[w]!.median, w) : s.failed?.[w] ? 'failed' : '—');
      rows.push([p.name, `${s.label} ${s.version ?? ''}`.trim(), String(s.threads ?? '?'), f('w3Latency'), f('w3Throughput')]);
    }
  }
  out.push(caption(m), '', table(['page', 'system', 'threads', 'W3 batch-1 µs', 'W3 batch-1024 /s'], rows), '');
  const timers = b.pages.map((p) => `${p.name}: crossOriginIsolated ${p.crossOriginIsolated}, timer step ${p.timerResolutionUs.toFixed(1)} µs, calls per chunk ${JSON.stringify(p.chunkCalls ?? {})}`);
  out.push(`Pages: ${timers.join('; ')}.`, '');
  for (const p of b.pages) {
    for (const s of p.systems.filter((x) => x.available)) {
      const failed = Object.entries(s.failed ?? {}).map(([w, why]) => `**${w} failed**: ${why}`);
      const details = (['w3Latency', 'w3Throughput'] as const).filter((w) => s.figures[w]).map((w) => `${w === 'w3Latency' ? 'batch-1' : 'batch-1024'}: ${s.figures[w]!.detail}`);
      out.push(`- **${s.label}, ${p.name}** (${s.threads ?? '?'} thread(s)): ${[...s.notes, ...details, ...failed].join('; ')}.`);
    }
  }
  if (b.pages.some((p) => p.errors.length)) out.push('', `Page errors: ${b.pages.flatMap((p) => p.errors.map((e) => `${p.name}: ${e}`)).join('; ')}.`);
  out.push('');
  const ratioRows: string[][] = [];
  for (const p of b.pages) {
    const n = p.systems.find((s) => s.id === 'neurite');
    for (const peer of p.systems.filter((s) => s.id !== 'neurite' && s.available)) {
      ratioRows.push([`neurite over ${peer.label}, ${p.name}`, ...(['w3Latency', 'w3Throughput'] as const).map((w) => formatRatio(pairedRatio(n?.figures[w]?.runs, peer.figures[w]?.runs, lowerIsBetter(w))))]);
    }
  }
  const [one, two] = b.pages;
  const warnings: string[] = [];
  for (const s of two?.systems ?? []) {
    const s1 = one?.systems.find((x) => x.id === s.id);
    if (s.available && s1?.available) {
      ratioRows.push([`${s.label}: 2-thread page over 1-thread page`, ...(['w3Latency', 'w3Throughput'] as const).map((w) => formatRatio(pairedRatio(s.figures[w]?.runs, s1.figures[w]?.runs, lowerIsBetter(w))))]);
    }
    const slower = slowerOnTwoThreads(b, s.id);
    if (slower) warnings.push(`**${s.label} ran batch-${W3.largeBatch} slower on 2 threads than on 1 in this run (${formatRatio(slower)})**: its 2-thread figure was disturbed, and ratios against it overstate the other system.`, '');
  }
  if (ratioRows.length) out.push('Ratios, round by round (median (min–max)); above 1: the first is faster.', '', caption(m), '', table(['comparison', 'W3 batch-1', 'W3 batch-1024'], ratioRows), '');
  out.push(...warnings);
  return out.join('\n');
}

/**
 * No GEMM can beat the FMA peak: a case above it (beyond timing noise) means the probe ran in a disturbed slice
 * of the machine, and every share of the FMA bound in the report is then too high.
 */
export function peakWarning(gemm: GemmResult | undefined): string | undefined {
  if (!gemm?.available || !gemm.peakGflops) return undefined;
  const over = gemm.cases.flatMap((c) => Object.entries(c.gflops).map(([t, g]) => ({ c, share: g.median / (gemm.peakGflops! * Number(t)) }))).filter((x) => x.share > 1.05);
  if (over.length === 0) return undefined;
  const worst = over.sort((a, b) => b.share - a.share)[0]!;
  return (
    `**The FMA peak of this run is not trustworthy**: GEMM ${worst.c.form} ${worst.c.m}×${worst.c.n}×${worst.c.k} ran at ${(100 * worst.share).toFixed(0)} % of it, ` +
    'which no code can do; the probe was disturbed (a loaded machine), so every share of the FMA bound below is too high. Run again on an idle machine.'
  );
}

/** How far apart the two vCPUs were during the run (lib/cross-core.ts), for the 2-thread figures; '' if not measured. */
export function crossCoreSentence(cc: RunInfo['crossCore']): string {
  if (!cc?.length) return '';
  const ns = cc.map((c) => c.ns);
  const range = `${Math.min(...ns).toFixed(0)}–${Math.max(...ns).toFixed(0)} ns`;
  return (
    `The 2-thread figures depend on where the hypervisor put the two vCPUs: a cache line's round trip between two threads took ${range} in this run ` +
    `(before each stage: ${cc.map((c) => `${c.stage} ${c.ns.toFixed(0)}`).join(', ')}; lib/cross-core.ts). Two cores sharing an L3 answer in about 100–200 ns; ` +
    'far beyond that, every parallel region pays for the data its threads hand each other, and a 2-thread step gains less from its second thread.'
  );
}

/** The Alternated bullet's account of the waits for quiet (lib/quiet.ts). */
export function quietSentence(q: QuietSummary | undefined): string {
  if (!q) return '';
  const all = q.quietRuns === q.runs ? 'every run' : `${q.quietRuns} of ${q.runs} runs (the others after waiting ${q.options.maxMs / 1000} s)`;
  return (
    ` Before each run the suite waits until no child process has used more than ${Math.round(q.options.idleShare * 100)} % of a core for ${q.options.windowMs} ms ` +
    '(thread pools spin after their work: PyTorch\'s OpenBLAS workers, onnxruntime\'s and neurite\'s own), so that a system never shares its cores with ' +
    `the one before it: ${all} started on quiet children, after a median wait of ${q.medianWaitMs.toFixed(0)} ms (longest ${q.maxWaitMs.toFixed(0)} ms).`
  );
}

export function renderMarkdown(report: Report, scalingSvg: string | undefined): string {
  const { run, measured: all, gemm, browser } = report;
  const m = run.machine;
  const plan = run.plan;
  const peak = gemm?.peakGflops;
  const out: string[] = [];
  out.push('# neurite benchmark results', '');
  const warning = peakWarning(gemm);
  if (warning) out.push(`> ${warning}`, '');
  if (run.quick) out.push('> **Quick run**: a few batches of synthetic data, to check the suite works. These are not measurements.', '');
  out.push(
    `Generated by \`${run.command}\` on ${run.date} in ${Math.round(run.seconds)} s. ` +
      (run.quick ? 'Synthetic data of Fashion-MNIST shape.' : 'Data: Fashion-MNIST (60,000 training images), from /usr/share/datasets/fashion-mnist.'),
    '',
    `**Machine: ${machineTag(m)}** — ${m.cpuModel}, ${m.threadsPerCore} thread(s) per core, ` +
      `SIMD flags: ${m.simd.join(' ')}; ${m.memoryGiB.toFixed(0)} GiB; ${m.os}; Node ${m.node}; ` +
      `load average ${m.loadAverage.toFixed(2)} at the start.`,
    '',
  );
  if (!m.avx512) {
    out.push(
      'The issue\'s figures come from an AVX-512 machine; this one runs the AVX2+FMA kernels (half the vector width): compare ' +
        'the ratios below with ratios, and the shares of the FMA bound with shares.',
      '',
    );
  }

  out.push('## How it was measured', '');
  out.push(
    `- **W1**: ${W1.sizes.join('-')} relu, softmax + cross-entropy, SGD lr ${W1.learningRate}, batch ${W1.batch}: training samples/s. ` +
      'Fast systems train a full epoch of 60,000 per run; the pure-JS ones a fixed number of batches (stated per system below).',
    `- **W2**: ${W2.sizes.join('-')}, batch ${W2.batch}: training samples/s over a fixed number of batches.`,
    `- **W3**: W1's network at inference: batch-1 latency (µs, median of single calls, each timed on its own) and batch-${W3.largeBatch} samples/s. neurite's batch-${W3.largeBatch} figure is its awaited \`predict\`, which computes on a worker thread and leaves the event loop free; onnxruntime-node's \`run()\` computes on the JavaScript thread after one setImmediate, blocking the event loop meanwhile. The rows *neurite native ×N predictSync* measure batch-${W3.largeBatch} through \`predictSync\` instead, on the JavaScript thread as onnxruntime-node computes: the like-for-like comparison. The two differ by the hand-over to the worker thread and back on every call.`,
    `- **Alternated**: every system runs in a child process of its own that stays up for the whole run; for each workload, ` +
      `every system runs once per round, in turn, the order rotating each round, for ${plan.warmupRounds} warm-up and ${plan.rounds} measured rounds ` +
      `(the scaling grid: ${plan.scalingRounds}). A figure is the median of its rounds; a **ratio** is the median of the per-round ratios ` +
      '(both systems measured in the same round, moments apart), with the smallest and largest in parentheses. Only one system computes at a time.' +
      quietSentence(run.quiet),
    '- **FMA bound**: what the matrix multiplications alone would allow at the single-core FMA peak measured in this run ' +
      `(${peak ? `${peak.toFixed(1)} GFLOPS per core` : 'not measured'}) on the system's thread count, counting ${(trainingFlops(W1.sizes) / 1e6).toFixed(2)} MFLOP per ` +
      `W1 training sample, ${(trainingFlops(W2.sizes) / 1e6).toFixed(2)} per W2 sample and ${(inferenceFlops(W3.sizes) / 1e6).toFixed(2)} per W3 inference. No implementation can beat it.`,
    '- Peak RSS is each child\'s VmHWM over all its workloads, data set included (the JavaScript children hold all 70,000 images ' +
      'as float32, 220 MB; the PyTorch child its 60,000 training images, 188 MB).',
    '',
  );

  out.push('## Figures', '', 'Medians of the measured rounds; every run is in results.json.', '', caption(m), '');
  out.push(
    table(
      ['system', ...workloads.map((w) => workloadTitle[w]), 'peak RSS MiB', 'threads', 'version'],
      all.map((s) => {
        const r = s.result;
        if (!r.available) return [systemLabel(s), `unavailable (${r.reason ?? 'no reason given'})`, ...workloads.slice(1).map(() => '—'), '—', '—', '—'];
        return [systemLabel(s), ...workloads.map((w) => cell(s, w)), r.peakRssMiB ? r.peakRssMiB.toFixed(0) : '—', r.threads ?? '—', r.version ?? '—'];
      }),
    ),
    '',
  );

  out.push('## Targets (issue 13)', '', 'Each as a ratio to a peer or to the FMA bound, measured in this run: median of the per-round values (min–max).', '', caption(m), '');
  out.push(table(['target', 'wanted', 'measured', 'verdict', 'FMA bound here'], targetRows(report)), '');

  out.push('## Share of the FMA bound', '');
  out.push(
    'Each round\'s figure as a share of what the GEMMs alone would allow on the system\'s threads (batch-1 latency: bound ÷ measured). ' +
      (peak ? `FMA bound per core: ${peak.toFixed(1)} GFLOPS.` : 'Not available: the FMA peak was not measured (gemm-bench did not run).'),
    '',
  );
  if (peak) {
    out.push(caption(m), '');
    const bounds = workloads.map((w) => {
      const b = fmaBound(w, peak, 1)!;
      return `${shortTitle(w)} (bound ×1: ${formatValue(b, w)}${w === 'w3Latency' ? ' µs' : ' /s'})`;
    });
    out.push(
      table(
        ['system', 'threads', ...bounds],
        all.filter((s) => s.result.available && s.def.id !== 'neurite-ts').map((s) => [systemLabel(s), String(threadsOf(s)), ...workloads.map((w) => (s.def.workloads.includes(w) ? formatShare(boundShare(s, w, peak)) : 'n/a'))]),
      ),
      '',
    );
  }

  out.push('## Ratios', '', 'How many times faster the first system is (above 1) or slower (below 1); batch-1 latency: how many times shorter. Median of the per-round ratios (min–max).', '');
  for (const id of ['neurite-native-1', 'neurite-native-2', 'neurite-wasm', 'neurite-wasm-2']) {
    const n = all.find((s) => s.def.id === id);
    if (!n?.result.available) continue;
    const peers = all.filter((s) => s.def.group === 'peer' && s.result.available);
    if (peers.length === 0) continue;
    out.push(`### ${n.def.label} against each peer`, '', caption(m), '');
    out.push(table(['peer', ...workloads.map(shortTitle)], peers.map((p) => [systemLabel(p), ...workloads.map((w) => (p.def.workloads.includes(w) ? formatRatio(speedup(n, p, w)) : 'n/a'))])), '');
  }
  const pairs: [string, string][] = [['neurite-native-2', 'neurite-native-1'], ['neurite-wasm-2', 'neurite-wasm'], ['torch-2', 'torch-1'], ['onnx-2', 'onnx-1']];
  const threadRows = pairs
    .map(([a, b]) => [all.find((s) => s.def.id === a), all.find((s) => s.def.id === b)] as const)
    .filter(([a, b]) => a?.result.available && b?.result.available)
    .map(([a, b]) => [`${systemLabel(a!)} over ${b!.def.label}`, ...workloads.map((w) => formatRatio(speedup(a, b, w)))]);
  if (threadRows.length) {
    out.push('### Two threads over one', '', caption(m), '', table(['systems', ...workloads.map(shortTitle)], threadRows), '');
    const distance = crossCoreSentence(run.crossCore);
    if (distance) out.push(distance, '');
  }
  const ts = all.find((s) => s.def.id === 'neurite-ts');
  if (ts?.result.available) {
    out.push('### Speed-up over neurite\'s pure-TypeScript backend', '', caption(m), '');
    out.push(table(['system', ...workloads.map(shortTitle)], all.filter((s) => s.result.available && s !== ts).map((s) => [systemLabel(s), ...workloads.map((w) => (s.def.workloads.includes(w) ? formatRatio(speedup(s, ts, w)) : 'n/a'))])), '');
  }

  out.push('## Chromium: W3 on wasm, neurite against tfjs-wasm and onnxruntime-web', '', browserSection(browser, m), '');
  out.push('## GEMM', '', gemmSection(gemm, m), '');
  out.push('## Scaling: 784-H-H/2-10 networks, training samples/s', '');
  out.push(
    `Each cell trains for about ${plan.scalingSeconds} s per run (calibrated per system from a short first run), median of ${plan.scalingRounds} alternated rounds; ` +
      `the pure-TS backend only up to H = ${plan.slowScalingMaxHidden} (the wider ones would take minutes).`,
    '',
    scalingSection(all, m),
    '',
  );
  if (scalingSvg) out.push(`![training samples/s against batch size, one panel per hidden width](${scalingSvg})`, '');

  out.push('## How each system was run', '');
  for (const s of all) {
    const r = s.result;
    if (!r.available) {
      out.push(`- **${systemLabel(s)}**: not measured — ${r.reason ?? 'no reason given'}.`);
      continue;
    }
    const details = workloads
      .filter((w) => r.figures[w])
      .map((w) => `${w.replace('w3Latency', 'W3 batch-1').replace('w3Throughput', `W3 batch-${W3.largeBatch}`).toUpperCase().replace('W3 BATCH', 'W3 batch')}: ${r.figures[w]!.detail}`);
    const failed = Object.entries(r.failed ?? {}).map(([w, why]) => `**${w} failed**: ${why}`);
    const blas = r.blas
      ? [`BLAS: ${r.blas.implementation}${r.blas.core ? `, core ${r.blas.core}` : ''} (${r.blas.libraries.join(', ') || 'none mapped'}${r.blas.config ? `; ${r.blas.config}` : ''}${r.blas.source ? `; read with ${r.blas.source}` : ''})` +
          (r.blas.unset && Object.keys(r.blas.unset).length ? `; removed from its environment: ${Object.entries(r.blas.unset).map(([k, v]) => `${k}=${v}`).join(', ')}` : '; no OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE was set')]
      : [];
    out.push(`- **${s.def.label}** (${r.version}, ${r.threads} thread(s)): ${[...blas, ...r.notes, ...details, ...failed].join('; ')}.`);
  }
  out.push('', 'Raw runs and the round-by-round order: results.json next to this file. Regenerate: `npm run bench` (see bench/README.md for how long it takes).', '');
  return out.join('\n');
}
