/** What run.ts asks of child.ts, and the benchmark's fixed settings. */
import type { BackendChoice } from '../../src/index.js';

/** W1 (bench/README.md): 784-256-128-10 relu, softmax + cross-entropy, SGD lr 0.1, batch 128. */
export const BATCH = 128;

export interface RssRequest {
  mode: 'rss';
  kind: 'idx' | 'csv' | 'memory' | 'baseline';
  images: string;
  labels: string;
  csv: string;
  rows: number;
  backend: BackendChoice;
  threads?: number;
  shuffleBuffer: number;
}

export interface ThroughputRequest {
  mode: 'throughput';
  images: string;
  labels: string;
  imagesGz: string;
  labelsGz: string;
  csv: string;
  samples: number;
  csvSamples: number;
  rounds: number;
  backend: BackendChoice;
  threads?: number;
  shuffleBuffer: number;
}

export const VARIANTS = ['fit', 'fitDataset-memory', 'fitDataset-idx', 'fitDataset-idx-gz', 'fitDataset-csv'] as const;
export type Variant = (typeof VARIANTS)[number];

