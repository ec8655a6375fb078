/** RESULTS.md from the measurements: tables of figures, ratios, targets, GEMM and the scaling grid. */
import type { GemmResult } from './gemm.js';
import type { Machine } from './machine.js';
import { W1, W2, W3, workloads, type Workload } from './plan.js';
import type { SystemResult } from './protocol.js';
import type { SystemDef } from './systems.js';

export interface Measured {
  def: SystemDef;
  result: SystemResult;
}

export interface RunInfo {
  date: string;
  smoke: boolean;
  machine: Machine;
  neuriteVersion: string;
  command: string;
  seconds: number;
}

export const workloadTitle: Record<Workload, string> = {
  w1: `W1 train /s`,
  w2: `W2 train /s`,
  w3Latency: `W3 batch-1 µs`,
  w3Throughput: `W3 batch-${W3.largeBatch} /s`,
};

/** latency is better when lower; everything else is a rate */
const lowerIsBetter = (w: Workload) => w === 'w3Latency';

export function formatValue(v: number, w: Workload | 'rate'): string {
  if (w === 'w3Latency') return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
  return v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
}

function ratio(r: number): string {
  return r >= 10 ? `${r.toFixed(0)}×` : r >= 1 ? `${r.toFixed(2)}×` : `${r.toFixed(3)}×`;
}

/** How many times faster `a` is than `b` on w (latency inverted), or undefined when one is missing. */
export function speedup(a: Measured | undefined, b: Measured | undefined, w: Workload): number | undefined {
  const x = a?.result.figures[w]?.median;
  const y = b?.result.figures[w]?.median;
  if (x === undefined || y === undefined) return undefined;
  return lowerIsBetter(w) ? y / x : x / y;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

function cell(m: Measured, w: Workload): string {
  if (!m.result.available) return '—';
  if (!m.def.workloads.includes(w)) return 'n/a';
  const f = m.result.figures[w];
  return f ? formatValue(f.median, w) : '—';
}

interface Target {
  label: string;
  system: string;
  workload: Workload;
  bound: number;
}

/** The issues' targets (set on an AVX-512 machine). */
export const targets: Target[] = [
  { label: 'native W1, 1 thread', system: 'neurite-native-1', workload: 'w1', bound: 205_000 },
  { label: 'native W1, 2 threads', system: 'neurite-native-2', workload: 'w1', bound: 270_000 },
  { label: 'native W2, 1 thread', system: 'neurite-native-1', workload: 'w2', bound: 24_000 },
  { label: 'native W2, 2 threads', system: 'neurite-native-2', workload: 'w2', bound: 41_000 },
  { label: 'native W3 batch-1, 1 thread', system: 'neurite-native-1', workload: 'w3Latency', bound: 9 },
  { label: 'native W3 batch-1, 2 threads', system: 'neurite-native-2', workload: 'w3Latency', bound: 9 },
  { label: 'native W3 batch-1024, 1 thread', system: 'neurite-native-1', workload: 'w3Throughput', bound: 570_000 },
  { label: 'native W3 batch-1024, 2 threads', system: 'neurite-native-2', workload: 'w3Throughput', bound: 570_000 },
  { label: 'wasm (Node, 1 thread) W1', system: 'neurite-wasm', workload: 'w1', bound: 38_000 },
  { label: 'wasm W2', system: 'neurite-wasm', workload: 'w2', bound: 8_000 },
  { label: 'wasm W3 batch-1', system: 'neurite-wasm', workload: 'w3Latency', bound: 16 },
  { label: 'wasm W3 batch-1024', system: 'neurite-wasm', workload: 'w3Throughput', bound: 103_000 },
  { label: 'ts W1', system: 'neurite-ts', workload: 'w1', bound: 3_200 },
];

const GEMM_TARGET = 0.9;

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
 * optimizer ignored): no implementation on this machine can beat it.
 */
function fmaBound(t: Target, peakGflops: number | undefined, threads: number): string {
  if (!peakGflops || t.system === 'neurite-ts') return '—';
  const sizes = t.workload === 'w2' ? W2.sizes : W1.sizes;
  const flops = t.workload === 'w1' || t.workload === 'w2' ? trainingFlops(sizes) : inferenceFlops(sizes);
  const rate = (peakGflops * 1e9 * threads) / flops;
  return t.workload === 'w3Latency' ? `${formatValue(1e6 / rate, t.workload)} µs` : `${formatValue(rate, t.workload)} /s`;
}

function unit(w: Workload): string {
  return w === 'w3Latency' ? 'µs' : 'samples/s';
}

function targetRows(all: Measured[], gemm: GemmResult | undefined): string[][] {
  const rows = targets.map((t) => {
    const m = all.find((s) => s.def.id === t.system);
    const f = m?.result.figures[t.workload];
    const op = lowerIsBetter(t.workload) ? '≤' : '≥';
    const want = `${op} ${formatValue(t.bound, t.workload)} ${unit(t.workload)}`;
    const bound = fmaBound(t, gemm?.peakGflops, Number(m?.def.options.threads ?? 1));
    if (!m) return [t.label, want, 'not run', '—', bound];
    if (!f) return [t.label, want, m.result.available ? 'not measured' : `unavailable (${m.result.reason ?? 'no reason given'})`, 'not measured', bound];
    const met = lowerIsBetter(t.workload) ? f.median <= t.bound : f.median >= t.bound;
    const share = lowerIsBetter(t.workload) ? t.bound / f.median : f.median / t.bound;
    return [t.label, want, `${formatValue(f.median, t.workload)} ${unit(t.workload)}`, `${met ? '**met**' : 'missed'} (${Math.round(share * 100)} % of target)`, bound];
  });
  const peak = gemm?.peakGflops;
  for (const form of ['A·B', 'Aᵀ·B', 'A·Bᵀ'] as const) {
    const c = gemm?.cases.find((g) => g.form === form && g.m === 1024 && g.n === 1024 && g.k === 1024);
    const one = c?.gflops['1']?.median;
    const label = `GEMM 1024³ ${form}, 1 thread`;
    const want = `≥ ${GEMM_TARGET * 100} % of 1-core FMA peak`;
    if (!gemm?.available || one === undefined || !peak) rows.push([label, want, gemm?.reason ? `unavailable (${gemm.reason})` : 'not run', 'not measured', '—']);
    else {
      const share = one / peak;
      rows.push([label, want, `${one.toFixed(1)} GFLOPS = ${(share * 100).toFixed(1)} % of ${peak.toFixed(1)}`, share >= GEMM_TARGET ? '**met**' : 'missed', `${peak.toFixed(1)} GFLOPS`]);
    }
  }
  return rows;
}

function gemmSection(gemm: GemmResult | undefined): string {
  if (!gemm) return 'Not run (`--no-gemm`).';
  if (!gemm.available) return `Unavailable: ${gemm.reason}.`;
  const peak = gemm.peakGflops!;
  const threads = Object.keys(gemm.cases[0]?.gflops ?? {}).sort();
  const head = ['form', 'm × n × k', ...threads.flatMap((t) => [`GFLOPS ×${t}`, `% of ${t === '1' ? '' : `${t} × `}peak`])];
  const rows = gemm.cases.map((c) => [
    c.form,
    `${c.m} × ${c.n} × ${c.k}`,
    ...threads.flatMap((t) => {
      const g = c.gflops[t]?.median;
      return g === undefined ? ['—', '—'] : [g.toFixed(1), `${((100 * g) / (peak * Number(t))).toFixed(1)} %`];
    }),
  ]);
  return [
    `Kernel \`${gemm.kernel}\`; single-core FMA peak measured by the probe (${gemm.peakIsa}): **${peak.toFixed(1)} GFLOPS**. ` +
      'm × n × k: C[m×n] = A[m×k]·B[k×n] (the transposed forms read the same numbers transposed: Aᵀ·B is the weight ' +
      'gradient, A·Bᵀ the input gradient). Median of 3 runs of bench/native/gemm_bench.cpp each.',
    '',
    table(head, rows),
  ].join('\n');
}

function scalingSection(all: Measured[]): string {
  const withGrid = all.filter((m) => m.result.scaling?.length);
  if (withGrid.length === 0) return 'Not measured.';
  const keys = new Map<string, { hidden: number; batch: number }>();
  for (const m of withGrid) for (const c of m.result.scaling!) keys.set(`${c.hidden}/${c.batch}`, { hidden: c.hidden, batch: c.batch });
  const cells = [...keys.values()].sort((a, b) => a.hidden - b.hidden || a.batch - b.batch);
  const native = withGrid.find((m) => m.def.id === 'neurite-native-1');
  const torch = withGrid.find((m) => m.def.id === 'torch-1');
  const find = (m: Measured | undefined, h: number, b: number) => m?.result.scaling?.find((c) => c.hidden === h && c.batch === b)?.median;
  const head = ['network', 'batch', ...withGrid.map((m) => m.def.label), ...(native && torch ? ['native ×1 / PyTorch ×1'] : [])];
  const rows = cells.map(({ hidden, batch }) => {
    const r = [`784-${hidden}-${hidden / 2}-10`, String(batch), ...withGrid.map((m) => {
      const v = find(m, hidden, batch);
      return v === undefined ? '—' : formatValue(v, 'rate');
    })];
    if (native && torch) {
      const a = find(native, hidden, batch);
      const b = find(torch, hidden, batch);
      r.push(a && b ? ratio(a / b) : '—');
    }
    return r;
  });
  return table(head, rows);
}

export function renderMarkdown(run: RunInfo, all: Measured[], gemm: GemmResult | undefined, scalingSvg: string | undefined): string {
  const m = run.machine;
  const out: string[] = [];
  out.push('# neurite benchmark results', '');
  if (run.smoke) out.push('> **Smoke run**: a few batches of synthetic data, to check the suite works. These are not measurements.', '');
  out.push(
    `Generated by \`${run.command}\` on ${run.date} in ${Math.round(run.seconds)} s. ` +
      (run.smoke ? 'Synthetic data of Fashion-MNIST shape.' : 'Data: Fashion-MNIST (60,000 training images), from /usr/share/datasets/fashion-mnist.'),
    '',
    `**Machine:** ${m.cpuModel}, ${m.logicalCpus} logical CPUs (${m.threadsPerCore} thread(s) per core), ` +
      `SIMD: ${m.simd.join(' ')}${m.avx512 ? '' : ' — **no AVX-512**'}; ${m.memoryGiB.toFixed(0)} GiB; ${m.os}; Node ${m.node}; ` +
      `load average ${m.loadAverage.toFixed(2)} at the start.`,
    '',
  );
  if (!m.avx512) {
    out.push(
      '**The targets below were set on an AVX-512 machine;** this one runs the AVX2+FMA kernels (half the vector width) ' +
        `on ${m.logicalCpus} cores, so a missed target here is not the same as a missed target there.`,
      '',
    );
  }

  out.push('## What was measured', '');
  out.push(
    `- **W1**: ${W1.sizes.join('-')} relu, softmax + cross-entropy, SGD lr ${W1.learningRate}, batch ${W1.batch}: training samples/s. ` +
      'Fast systems train a full epoch of 60,000; the pure-JS ones a fixed number of batches (stated per system below).',
    `- **W2**: ${W2.sizes.join('-')}, batch ${W2.batch}: training samples/s over a fixed number of batches.`,
    `- **W3**: W1's network at inference: batch-1 latency (µs, median of single calls) and batch-${W3.largeBatch} samples/s.`,
    '- Each figure is the **median of the runs** listed in results.json (≥ 3; fast systems 5), after a warm-up run. ' +
      'Each system runs in a child process of its own, one after the other; peak RSS is that process\'s VmHWM, data set included ' +
      '(the JavaScript children hold all 70,000 images as float32, 220 MB; the PyTorch child its 60,000 training images, 188 MB).',
    '',
  );

  out.push('## Results', '');
  out.push(
    table(
      ['system', ...workloads.map((w) => workloadTitle[w]), 'peak RSS MiB', 'threads', 'version'],
      all.map((s) => {
        const r = s.result;
        if (!r.available) {
          return [s.def.label, `unavailable (${r.reason ?? 'no reason given'})`, ...workloads.slice(1).map(() => '—'), '—', '—', '—'];
        }
        return [s.def.label, ...workloads.map((w) => cell(s, w)), r.peakRssMiB ? r.peakRssMiB.toFixed(0) : '—', r.threads ?? '—', r.version ?? '—'];
      }),
    ),
    '',
  );

  out.push('## Targets', '');
  out.push(
    '*FMA bound here*: what the matrix multiplications alone would allow on this machine at the measured FMA peak ' +
      `(${gemm?.peakGflops ? `${gemm.peakGflops.toFixed(1)} GFLOPS per core` : 'not measured'}) on the target's thread count, ` +
      `counting ${(trainingFlops(W1.sizes) / 1e6).toFixed(2)} MFLOP per W1 training sample, ${(trainingFlops(W2.sizes) / 1e6).toFixed(2)} per W2 sample ` +
      `and ${(inferenceFlops(W1.sizes) / 1e6).toFixed(2)} per W3 inference. A target above its bound cannot be met on this machine by any implementation.`,
    '',
  );
  out.push(table(['target', 'wanted', 'measured', 'verdict', 'FMA bound here'], targetRows(all, gemm)), '');

  const ts = all.find((s) => s.def.id === 'neurite-ts');
  out.push('## Ratios', '', '### Speed-up over neurite\'s pure-TypeScript backend', '');
  out.push('How many times faster than `neurite ts` (for latency: how many times shorter). Above 1 = faster.', '');
  out.push(
    table(
      ['system', ...workloads.map((w) => workloadTitle[w].replace(/ (µs|\/s)$/, ''))],
      all.filter((s) => s.result.available && s !== ts).map((s) => [s.def.label, ...workloads.map((w) => {
        const r = speedup(s, ts, w);
        return r === undefined ? '—' : ratio(r);
      })]),
    ),
    '',
  );
  for (const id of ['neurite-native-1', 'neurite-native-2', 'neurite-wasm']) {
    const n = all.find((s) => s.def.id === id);
    if (!n?.result.available) continue;
    out.push(`### ${n.def.label} against each peer`, '');
    out.push(`How many times faster ${n.def.label} is (above 1) or slower (below 1).`, '');
    out.push(
      table(
        ['peer', ...workloads.map((w) => workloadTitle[w].replace(/ (µs|\/s)$/, ''))],
        all.filter((s) => s.def.group === 'peer' && s.result.available).map((p) => [p.def.label, ...workloads.map((w) => {
          const r = speedup(n, p, w);
          return r === undefined ? '—' : ratio(r);
        })]),
      ),
      '',
    );
  }

  out.push('## GEMM', '', gemmSection(gemm), '');

  out.push('## Scaling: 784-H-H/2-10 networks, training samples/s', '');
  out.push(
    'Each cell trains for about 0.3 s per run (calibrated from a short first run), median of 3 runs; the pure-TS backend ' +
      'only on the narrower networks (the wider ones would take minutes).',
    '',
    scalingSection(all),
    '',
  );
  if (scalingSvg) out.push(`![training samples/s against batch size, one panel per hidden width](${scalingSvg})`, '');

  out.push('## How each system was run', '');
  for (const s of all) {
    const r = s.result;
    if (!r.available) {
      out.push(`- **${s.def.label}**: not measured — ${r.reason ?? 'no reason given'}.`);
      continue;
    }
    const details = workloads
      .filter((w) => r.figures[w])
      .map((w) => `${w.replace('w3Latency', 'W3 batch-1').replace('w3Throughput', `W3 batch-${W3.largeBatch}`).toUpperCase().replace('W3 BATCH', 'W3 batch')}: ${r.figures[w]!.detail}`);
    out.push(`- **${s.def.label}** (${r.version}, ${r.threads} thread(s)): ${[...r.notes, ...details].join('; ')}.`);
  }
  out.push('', 'Raw runs: results.json next to this file. Regenerate: `npm run bench` (about ten minutes on an idle 2-core machine).', '');
  return out.join('\n');
}
