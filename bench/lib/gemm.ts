/**
 * The GEMM figures: the native engineer's micro-benchmark (bench/native/gemm_bench.cpp with the peak_flops
 * probe), built from the current sources with CMake's `gemm-bench` target into a directory of this checkout's
 * under the OS's temp dir (kept between runs, so a rebuild is incremental), then run at 1 and 2 threads, 3 times each.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';

export interface GemmCase {
  form: 'A·B' | 'Aᵀ·B' | 'A·Bᵀ';
  m: number;
  n: number;
  k: number;
  /** threads → GFLOPS (median of runs) and the runs */
  gflops: Record<string, { median: number; runs: number[] }>;
}

export interface GemmResult {
  available: boolean;
  reason?: string;
  kernel?: string;
  peakIsa?: string;
  /** single-core FMA peak, GFLOPS (median over the runs' probes) */
  peakGflops?: number;
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
  rows: { form: GemmCase['form']; m: number; n: number; k: number; gflops: number }[];
}

/** Reads gemm-bench's report (see gemm_bench.cpp's printf formats). */
export function parseGemmOutput(text: string): ParsedRun {
  const head = /kernel (.+?), (\d+) thread\(s\); single-core FMA peak \((.+?)\): ([\d.]+) GFLOPS/.exec(text);
  if (!head) throw new Error(`gemm-bench printed no header line: ${tail(text)}`);
  const rows: ParsedRun['rows'] = [];
  for (const line of text.split('\n')) {
    const m = /^(C=\S+)\s+(\d+)x(\d+)x(\d+)\s+([\d.]+)/.exec(line.trim());
    if (m && FORMS[m[1]!]) rows.push({ form: FORMS[m[1]!]!, m: +m[2]!, n: +m[3]!, k: +m[4]!, gflops: +m[5]! });
  }
  if (rows.length === 0) throw new Error(`gemm-bench printed no result rows: ${tail(text)}`);
  return { kernel: head[1]!, peakIsa: head[3]!, peak: +head[4]!, rows };
}

export function runGemm(options: { allowBuild: boolean; threads: number[]; runs: number; seconds: number; log: (line: string) => void }): GemmResult {
  const built = buildGemmBench({ allowBuild: options.allowBuild });
  if ('reason' in built) return { available: false, reason: built.reason, cases: [] };
  const cases = new Map<string, GemmCase>();
  const peaks: number[] = [];
  let kernel = '';
  let peakIsa = '';
  for (const threads of options.threads) {
    const runs: ParsedRun[] = [];
    for (let r = 0; r < options.runs; r++) {
      const out = run(built.path, [String(threads), String(options.seconds)], root);
      if (!out.ok) return { available: false, reason: `gemm-bench ${threads} failed: ${tail(out.output)}`, cases: [] };
      runs.push(parseGemmOutput(out.output));
    }
    kernel = runs[0]!.kernel;
    peakIsa = runs[0]!.peakIsa;
    peaks.push(...runs.map((p) => p.peak));
    runs[0]!.rows.forEach((row, i) => {
      const key = `${row.form} ${row.m}x${row.n}x${row.k}`;
      const entry = cases.get(key) ?? { form: row.form, m: row.m, n: row.n, k: row.k, gflops: {} };
      const values = runs.map((p) => p.rows[i]!.gflops);
      entry.gflops[String(threads)] = { median: median(values), runs: values };
      cases.set(key, entry);
      options.log(`gemm ${key} ${threads} thread(s): ${median(values).toFixed(1)} GFLOPS`);
    });
  }
  return { available: true, kernel, peakIsa, peakGflops: median(peaks), cases: [...cases.values()] };
}
