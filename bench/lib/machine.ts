/** The machine a run happened on, as RESULTS.md states it: CPU, cores, SIMD, memory, OS, Node, load. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cpuModel: string;
  /** the microarchitecture, where family and model tell it (AMD: Zen 2…5); undefined otherwise */
  uarch?: string;
  /** the widest x86 vector ISA the kernels can use here: 'AVX-512', 'AVX2' or 'SSE' */
  isa: 'AVX-512' | 'AVX2' | 'SSE' | string;
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
  const vendor = field('vendor_id');
  return {
    cpuModel: family ? `${name} (family ${family}, model ${model})` : name,
    uarch: vendor === 'AuthenticAMD' && family && model ? amdUarch(Number(family), Number(model)) : undefined,
    isa: flags.has('avx512f') ? 'AVX-512' : flags.has('avx2') && flags.has('fma') ? 'AVX2' : info ? 'SSE' : `unknown (${process.arch})`,
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

/** AMD's family/model numbers of the Zen generations (the model name of a cloud VM is often just "AMD EPYC"). */
export function amdUarch(family: number, model: number): string | undefined {
  if (family === 23) return model < 0x30 ? 'Zen/Zen+' : 'Zen 2';
  if (family === 25) {
    const zen4 = (model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0x7f) || (model >= 0xa0 && model <= 0xaf);
    return zen4 ? 'Zen 4' : 'Zen 3';
  }
  if (family === 26) return 'Zen 5';
  return undefined;
}

/**
 * The CPU and ISA in a few words, put next to every figure of the report: "AMD EPYC (Zen 3), AVX2 (no
 * AVX-512), 2 logical CPUs". The same code on an AVX-512 machine runs other kernels: a figure without it misleads.
 */
export function machineTag(m: Machine): string {
  const name = m.cpuModel.replace(/ \(family \d+, model \d+\)$/, '');
  const isa = m.isa === 'AVX2' ? 'AVX2 (no AVX-512)' : m.isa;
  return `${name}${m.uarch ? ` (${m.uarch})` : ''}, ${isa}, ${m.logicalCpus} logical CPUs`;
}
