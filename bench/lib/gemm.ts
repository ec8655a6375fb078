/**
 * The GEMM figures: the native engineer's micro-benchmark (bench/native/gemm_bench.cpp with the peak_flops
 * probe), built from the current sources with CMake's `gemm-bench` target into a directory of this checkout's
 * under the OS's temp dir (kept between runs, so a rebuild is incremental), then run at 1 and 2 threads, 3 times each.
 * Each run alternates with one of the peer, OpenBLAS's sgemm through torch.mm on the same products
 * (bench/torch_gemm.py, in the PyTorch children's environment), the order swapping every run: the ratio of a
 * product is the median of its per-run ratios.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';
import { pairedRatio, type PairedRatio } from './ratios.js';
import { PYTHON, systems } from './systems.js';
import { childEnv } from './warm-child.js';

export interface GemmCase {
  form: 'A·B' | 'Aᵀ·B' | 'A·Bᵀ';
  m: number;
  n: number;
  k: number;
  /** threads → GFLOPS (median of runs) and the runs */
  gflops: Record<string, { median: number; runs: number[] }>;
  /** the peer's GFLOPS, same keys, runs alternated with gflops' runs */
  peer?: Record<string, { median: number; runs: number[] }>;
  /** threads → neurite / peer, run by run */
  vsPeer?: Record<string, PairedRatio>;
}

export interface GemmPeer {
  label: string;
  /** what torch_gemm.py reported of its BLAS (torch_bench.blas_info) */
  blas?: Record<string, unknown>;
  /** OPENBLAS_* variables removed from its environment */
  unset?: Record<string, string>;
  /** why it did not run */
  reason?: string;
}

export interface GemmResult {
  available: boolean;
  reason?: string;
  kernel?: string;
  peakIsa?: string;
  /** single-core FMA peak, GFLOPS (median over the runs' probes) */
  peakGflops?: number;
  /**
   * The microkernel alone on panels that stay in L1, one core: GFLOPS of each run, and each run's figure over the
   * FMA peak its own probe measured. The ceiling of any blocking around that kernel.
   */
  ukernelInL1?: { median: number; runs: number[]; shareOfPeak?: PairedRatio };
  peer?: GemmPeer;
  cases: GemmCase[];
}

const FORMS: Record<string, GemmCase['form']> = { 'C=A*B': 'A·B', 'C=At*B': 'Aᵀ·B', 'C=A*Bt': 'A·Bᵀ' };

/** the repository (bench/lib/../..) */
export const root = fileURLToPath(new URL('../..', import.meta.url));

function run(command: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  return { ok: r.status === 0, output };
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

/** Builds gemm-bench; returns its path or the reason it could not be built. */
export function buildGemmBench(options: { allowBuild: boolean }): { path: string } | { reason: string } {
  const source = join(root, 'bench/native/gemm_bench.cpp');
  if (!existsSync(source)) return { reason: 'bench/native/gemm_bench.cpp is not in this checkout' };
  // one build directory per checkout: two worktrees on one machine must not share a CMake cache
  const dir = join(tmpdir(), `neurite-bench-gemm-${createHash('sha1').update(root).digest('hex').slice(0, 8)}`);
  const binary = join(dir, 'gemm-bench');
  if (!options.allowBuild) {
    return existsSync(binary) ? { path: binary } : { reason: `not built yet (a quick run does not compile C++; a full run builds it in ${dir})` };
  }
  mkdirSync(dir, { recursive: true });
  const configure = run('cmake', ['-S', root, '-B', dir, '-DCMAKE_BUILD_TYPE=Release', '-DNEURITE_BUILD_TESTS=ON'], root);
  if (!configure.ok) return { reason: `cmake configure failed: ${tail(configure.output)}` };
  const build = run('nice', ['-n', '5', 'cmake', '--build', dir, '--target', 'gemm-bench', '-j', '2'], root);
  if (!build.ok) return { reason: `cmake --build --target gemm-bench failed: ${tail(build.output)}` };
  return existsSync(binary) ? { path: binary } : { reason: `the build succeeded but ${binary} is missing` };
}

interface ParsedRun {
  kernel: string;
  peakIsa: string;
  peak: number;
  /** the microkernel in L1, GFLOPS, when the report has that line */
  ukernelInL1?: number;
  rows: { form: GemmCase['form']; m: number; n: number; k: number; gflops: number }[];
}

/** The product rows both reports print: `C=A*B  128x256x784  61.2 …` (form, m x n x k, GFLOPS). */
function parseRows(text: string, who: string): ParsedRun['rows'] {
  const rows: ParsedRun['rows'] = [];
  for (const line of text.split('\n')) {
    const m = /^(C=\S+)\s+(\d+)x(\d+)x(\d+)\s+([\d.]+)/.exec(line.trim());
    if (m && FORMS[m[1]!]) rows.push({ form: FORMS[m[1]!]!, m: +m[2]!, n: +m[3]!, k: +m[4]!, gflops: +m[5]! });
  }
  if (rows.length === 0) throw new Error(`${who} printed no result rows: ${tail(text)}`);
  return rows;
}

/** Reads gemm-bench's report (see gemm_bench.cpp's printf formats). */
export function parseGemmOutput(text: string): ParsedRun {
  const head = /kernel (.+?), (\d+) thread\(s\); single-core FMA peak \((.+?)\): ([\d.]+) GFLOPS/.exec(text);
  if (!head) throw new Error(`gemm-bench printed no header line: ${tail(text)}`);
  const rows = parseRows(text, 'gemm-bench');
  const tile = /^microkernel in L1 \(1 core, kc \d+\): ([\d.]+) GFLOPS/m.exec(text);
  return { kernel: head[1]!, peakIsa: head[3]!, peak: +head[4]!, ...(tile ? { ukernelInL1: +tile[1]! } : {}), rows };
}

/** Reads torch_gemm.py's report: its BLAS line, then rows in gemm-bench's format. */
export function parsePeerOutput(text: string): { blas?: Record<string, unknown>; rows: ParsedRun['rows'] } {
  const head = /^blas (\{.*\})$/m.exec(text);
  const rows = parseRows(text, 'torch_gemm.py');
  return { blas: head ? (JSON.parse(head[1]!) as Record<string, unknown>) : undefined, rows };
}

const FORM_NAMES = Object.fromEntries(Object.entries(FORMS).map(([name, form]) => [form, name]));

/** One run of the peer on `rows`' products, or the reason it could not run. */
function runPeer(threads: number, seconds: number, rows: ParsedRun['rows']): { parsed: ReturnType<typeof parsePeerOutput>; unset: Record<string, string> } | { reason: string } {
  const def = systems.find((s) => s.id === `torch-${threads}`);
  if (!def) return { reason: `no PyTorch system with ${threads} threads in lib/systems.ts` };
  const missing = def.unavailable?.();
  if (missing) return { reason: missing };
  const { env, unset } = childEnv(def);
  const products = rows.map((r) => `${FORM_NAMES[r.form]}:${r.m}x${r.n}x${r.k}`);
  const r = spawnSync(PYTHON, [join(root, 'bench/torch_gemm.py'), String(threads), String(seconds), ...products], { cwd: join(root, 'bench'), env, encoding: 'utf8', maxBuffer: 16 << 20 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  if (r.status !== 0) return { reason: `torch_gemm.py ${threads} failed: ${tail(output)}` };
  try {
    return { parsed: parsePeerOutput(output), unset };
  } catch (e) {
    return { reason: (e as Error).message };
  }
}

export function runGemm(options: { allowBuild: boolean; threads: number[]; runs: number; seconds: number; peer?: boolean; log: (line: string) => void }): GemmResult {
  const built = buildGemmBench({ allowBuild: options.allowBuild });
  if ('reason' in built) return { available: false, reason: built.reason, cases: [] };
  const cases = new Map<string, GemmCase>();
  const allRuns: ParsedRun[] = [];
  let kernel = '';
  let peakIsa = '';
  const peer: GemmPeer | undefined = options.peer ? { label: 'OpenBLAS (torch.mm)' } : undefined;
  for (const threads of options.threads) {
    const runs: ParsedRun[] = [];
    const peerRuns: ParsedRun['rows'][] = [];
    for (let r = 0; r < options.runs; r++) {
      // ABAB…, the order swapping every run; the peer needs our products' list, so run 0 starts with ours.
      const order = r % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
      for (const who of order) {
        if (who === 'ours') {
          const out = run(built.path, [String(threads), String(options.seconds)], root);
          if (!out.ok) return { available: false, reason: `gemm-bench ${threads} failed: ${tail(out.output)}`, cases: [] };
          runs.push(parseGemmOutput(out.output));
        } else if (peer && !peer.reason) {
          const got = runPeer(threads, options.seconds, runs[0]!.rows);
          if ('reason' in got) {
            peer.reason = got.reason;
            options.log(`peer unavailable: ${got.reason}`);
          } else {
            peer.blas = got.parsed.blas;
            peer.unset = got.unset;
            peerRuns.push(got.parsed.rows);
          }
        }
      }
    }
    kernel = runs[0]!.kernel;
    peakIsa = runs[0]!.peakIsa;
    allRuns.push(...runs);
    runs[0]!.rows.forEach((row, i) => {
      const key = `${row.form} ${row.m}x${row.n}x${row.k}`;
      const entry = cases.get(key) ?? { form: row.form, m: row.m, n: row.n, k: row.k, gflops: {} };
      const values = runs.map((p) => p.rows[i]!.gflops);
      entry.gflops[String(threads)] = { median: median(values), runs: values };
      let note = '';
      if (peer && !peer.reason && peerRuns.length === runs.length) {
        const theirs = peerRuns.map((p) => p.find((q) => q.form === row.form && q.m === row.m && q.n === row.n && q.k === row.k)?.gflops ?? NaN);
        (entry.peer ??= {})[String(threads)] = { median: median(theirs), runs: theirs };
        const ratio = pairedRatio(values, theirs);
        if (ratio) (entry.vsPeer ??= {})[String(threads)] = ratio;
        note = `, ${peer.label} ${median(theirs).toFixed(1)}`;
      }
      cases.set(key, entry);
      options.log(`gemm ${key} ${threads} thread(s): ${median(values).toFixed(1)} GFLOPS${note}`);
    });
  }
  const tileRuns = allRuns.filter((p) => p.ukernelInL1 !== undefined);
  const tiles = tileRuns.map((p) => p.ukernelInL1!);
  const ukernelInL1 = tiles.length ? { median: median(tiles), runs: tiles, shareOfPeak: pairedRatio(tiles, tileRuns.map((p) => p.peak)) } : undefined;
  if (ukernelInL1) options.log(`gemm microkernel in L1: ${ukernelInL1.median.toFixed(1)} GFLOPS`);
  return { available: true, kernel, peakIsa, peakGflops: median(allRuns.map((p) => p.peak)), ...(ukernelInL1 ? { ukernelInL1 } : {}), peer, cases: [...cases.values()] };
}
