/** What the orchestrator asks a child process for, and what the child writes back (as JSON, to a file). */
import type { Plan, Workload } from './plan.js';

export interface ChildRequest {
  /** the system's id in systems.ts, e.g. 'neurite-native-1' */
  system: string;
  /** system-specific settings (backend, threads) */
  options: Record<string, string | number>;
  workloads: Workload[];
  plan: Plan;
  scaling: boolean;
  /** real Fashion-MNIST for the full suite; noise of the same shape for the smoke run (speed ignores values) */
  data: 'fashion-mnist' | 'synthetic';
  /** where to write the SystemResult */
  out: string;
}

export interface Figure {
  /** the median of `runs` */
  median: number;
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

export interface SystemResult {
  id: string;
  available: boolean;
  /** why not, when unavailable */
  reason?: string;
  version?: string;
  /** threads it computed with, as the system states them */
  threads?: string;
  notes: string[];
  figures: Partial<Record<Workload, Figure>>;
  scaling?: ScalingCell[];
  /** peak resident set of the child process (VmHWM), including the data set */
  peakRssMiB?: number;
  wallSeconds?: number;
}
