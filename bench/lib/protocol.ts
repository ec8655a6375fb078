/**
 * How the orchestrator talks to a system's child process, which stays up for the whole suite (a warm child):
 *
 *   start    argv[2] is a StartRequest (JSON); the child sets its system up and answers with a Ready reply
 *   command  one JSON Command per line on the child's stdin; one Reply per command
 *   reply    one line on the child's stdout, REPLY_PREFIX then JSON (libraries print to stdout too: tfjs greets)
 *
 * One command runs at a time, so only one system computes at any moment; the orchestrator sends each round's
 * task to each system in turn (lib/alternate.ts). The Python child (torch_bench.py) speaks the same protocol.
 */
import type { DataKind, Workload } from './plan.js';

export const REPLY_PREFIX = '@@neurite-bench ';

export interface StartRequest {
  /** the system's id in systems.ts, e.g. 'neurite-native-1' */
  system: string;
  /** system-specific settings (backend, threads) */
  options: Record<string, string | number>;
  /** real Fashion-MNIST for the full suite; noise of the same shape for the quick run (speed ignores values) */
  data: DataKind;
  quick: boolean;
}

/**
 * One run of one workload. The child keeps what `key` names (a model, a session, the input tensors) between
 * rounds, so every round after the first measures the same warm object; `release` drops it.
 */
export type Task =
  /** training samples/s of one pass (epoch) over the first `samples` rows */
  | { kind: 'train'; key: string; sizes: number[]; batch: number; samples: number }
  /** batch-1 forward latency in µs: the median of `calls` single calls, each timed on its own */
  | { kind: 'latency'; key: string; sizes: number[]; calls: number }
  /** forward samples/s of `seconds` of back-to-back calls at `batch` */
  | { kind: 'throughput'; key: string; sizes: number[]; batch: number; seconds: number };

export type Command =
  | { op: 'run'; id: number; task: Task }
  | { op: 'release'; id: number; key: string }
  | { op: 'finish'; id: number };

/** What a child knows about itself, sent once it is set up. */
export interface ReadyInfo {
  available: boolean;
  /** why not, when unavailable */
  reason?: string;
  version?: string;
  /** threads it computes with, as the system states them */
  threads?: string;
  notes?: string[];
  /** the PyTorch child: which BLAS the process mapped and, for OpenBLAS, the core it chose */
  blas?: BlasInfo;
}

export interface BlasInfo {
  /** file names of the BLAS libraries mapped into the process */
  libraries: string[];
  /** 'openblas' when OpenBLAS answered, else what was found ('reference', 'unknown') */
  implementation: string;
  /** openblas_get_corename(), e.g. 'Zen', 'SkylakeX', 'Haswell' */
  core?: string;
  /** openblas_get_config() or threadpoolctl's version */
  config?: string;
  /** how the core was read: threadpoolctl or ctypes */
  source?: string;
  /** OPENBLAS_* variables the suite removed from this child's environment (they were set in its own) */
  unset?: Record<string, string>;
}

export type Reply =
  | ({ type: 'ready' } & ReadyInfo)
  | { type: 'result'; id: number; value: number }
  | { type: 'error'; id: number; error: string }
  | { type: 'done'; id: number; peakRssMiB?: number };

export interface Figure {
  /** the median of `runs` */
  median: number;
  /** one value per measured round, in round order: round r of every system was measured in the same round */
  runs: number[];
  /** what exactly was timed, e.g. "full epoch (60,000)" */
  detail: string;
}

export interface ScalingCell {
  hidden: number;
  batch: number;
  /** training samples/s: median of the runs */
  median: number;
  runs: number[];
  samples: number;
}

export interface SystemResult extends ReadyInfo {
  id: string;
  notes: string[];
  figures: Partial<Record<Workload, Figure>>;
  /** workloads this system was asked for but could not finish, and why */
  failed?: Partial<Record<Workload | 'scaling', string>>;
  scaling?: ScalingCell[];
  /** peak resident set of the child process (VmHWM) over all its workloads, including the data set */
  peakRssMiB?: number;
  wallSeconds?: number;
}
