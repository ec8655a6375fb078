/** The machine a run happened on, as RESULTS.md states it: CPU, cores, SIMD, memory, OS, Node, load. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cpuModel: string;
  /** logical CPUs the OS offers, and how they pair up */
  logicalCpus: number;
  threadsPerCore: number;
  /** the SIMD-related flags of /proc/cpuinfo, in a fixed order */
  simd: string[];
  avx512: boolean;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started: above ~0.5 on 2 cores, someone else was computing */
  loadAverage: number;
}

const SIMD_FLAGS = ['sse2', 'ssse3', 'sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'amx_tile'];

function cpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

export function describeMachine(): Machine {
  const info = cpuinfo();
  const flags = new Set((/^flags\s*:\s*(.*)$/m.exec(info)?.[1] ?? '').split(/\s+/));
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim();
  const family = field('cpu family');
  const model = field('model');
  const siblings = Number(field('siblings') ?? 0);
  const cores = Number(field('cpu cores') ?? 0);
  const name = field('model name') ?? cpus()[0]?.model ?? 'unknown CPU';
  return {
    cpuModel: family ? `${name} (family ${family}, model ${model})` : name,
    logicalCpus: cpus().length,
    threadsPerCore: siblings && cores ? siblings / cores : 1,
    simd: SIMD_FLAGS.filter((f) => flags.has(f)),
    avx512: flags.has('avx512f'),
    memoryGiB: totalmem() / 2 ** 30,
    os: `${process.platform} ${release()}`,
    node: process.version,
    loadAverage: loadavg()[0]!,
  };
}
