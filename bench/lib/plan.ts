/**
 * What the suite measures and how much of it: the workloads, how much work one run of each is for each kind of
 * system, how many alternated rounds make a figure. The orchestrator turns it into one task per system and
 * round (lib/protocol.ts), so the JavaScript and the PyTorch children never need to read it.
 */

export const W1 = { sizes: [784, 256, 128, 10], batch: 128, learningRate: 0.1 } as const;
export const W2 = { sizes: [784, 1024, 1024, 10], batch: 256, learningRate: 0.1 } as const;
/** W3 is W1's network at inference */
export const W3 = { sizes: W1.sizes, largeBatch: 1024 } as const;

export type Workload = 'w1' | 'w2' | 'w3Latency' | 'w3Throughput';
export const workloads: Workload[] = ['w1', 'w2', 'w3Latency', 'w3Throughput'];

/**
 * fast: trains W1 over the full 60,000-image epoch. slow: a fixed number of batches (pure-JS systems, which
 * would need minutes per epoch: the rate over 40 batches is the same rate). slowest: fewer still (brain.js,
 * at ~15 samples/s on W2).
 */
export type Speed = 'fast' | 'slow' | 'slowest';

export interface Plan {
  quick: boolean;
  /** measured rounds per workload: every system runs once per round, in turn (lib/alternate.ts) */
  rounds: number;
  /** unmeasured rounds before them (JIT tiers, caches, packing buffers, thread pools) */
  warmupRounds: number;
  /** samples of one W1 run (a multiple of the batch, except the full epoch) */
  w1Samples: Record<Speed, number>;
  w2Samples: Record<Speed, number>;
  /** batch-1 calls per latency run (each call timed on its own; the run's figure is their median) */
  w3Calls: Record<Speed, number>;
  /** seconds of back-to-back batch-1024 calls per throughput run */
  w3Seconds: Record<Speed, number>;
  /** the scaling grid: 784-H-H/2-10 networks trained at these batch sizes */
  scalingHidden: number[];
  scalingBatches: number[];
  /** widths up to which the slow systems take part (wider cells would take minutes) */
  slowScalingMaxHidden: number;
  scalingRounds: number;
  /** seconds one scaling run aims at (calibrated per system from a first short run of scalingProbe samples) */
  scalingSeconds: number;
  scalingProbe: number;
  /** seconds per GEMM case, and runs of gemm-bench per thread count */
  gemmSeconds: number;
  gemmRuns: number;
  /** the Chromium stage: rounds, batch-1 chunks per run and the milliseconds a chunk of calls lasts at least */
  browserRounds: number;
  browserChunks: number;
  browserChunkMs: number;
  browserSeconds: number;
}

export const FULL_EPOCH = 60_000;

export function makePlan(quick: boolean): Plan {
  if (quick) {
    // A check of the whole pipeline in well under a minute, not a measurement: partial batches are fine.
    return {
      quick,
      rounds: 2,
      warmupRounds: 1,
      w1Samples: { fast: 2 * W1.batch, slow: 32, slowest: 16 },
      w2Samples: { fast: W2.batch, slow: 8, slowest: 4 },
      w3Calls: { fast: 50, slow: 10, slowest: 10 },
      w3Seconds: { fast: 0.01, slow: 0.01, slowest: 0.01 },
      scalingHidden: [64],
      scalingBatches: [1, 128],
      slowScalingMaxHidden: 64,
      scalingRounds: 2,
      scalingSeconds: 0.01,
      scalingProbe: 32,
      gemmSeconds: 0.02,
      gemmRuns: 1,
      browserRounds: 2,
      browserChunks: 2,
      browserChunkMs: 2,
      browserSeconds: 0.02,
    };
  }
  return {
    quick,
    rounds: 5,
    warmupRounds: 1,
    w1Samples: { fast: FULL_EPOCH, slow: 40 * W1.batch, slowest: 10 * W1.batch },
    w2Samples: { fast: 60 * W2.batch, slow: 2 * W2.batch, slowest: 1 * W2.batch },
    w3Calls: { fast: 20_000, slow: 2_000, slowest: 2_000 },
    w3Seconds: { fast: 0.5, slow: 1, slowest: 1 },
    scalingHidden: [64, 256, 1024, 2048],
    scalingBatches: [1, 16, 128, 1024],
    slowScalingMaxHidden: 256,
    scalingRounds: 3,
    scalingSeconds: 0.3,
    scalingProbe: 256,
    gemmSeconds: 0.5,
    gemmRuns: 3,
    browserRounds: 5,
    browserChunks: 15,
    browserChunkMs: 25,
    browserSeconds: 0.5,
  };
}

/** 784-H-H/2-10, the W1 shape at another width */
export function scalingSizes(hidden: number): number[] {
  return [784, hidden, hidden / 2, 10];
}

export function describeSamples(samples: number, batch: number): string {
  if (samples === FULL_EPOCH) return 'full epoch (60,000)';
  if (samples < batch) return `1 partial batch of ${samples}`;
  const batches = Math.round(samples / batch);
  return `${batches} batch${batches === 1 ? '' : 'es'} (${samples.toLocaleString('en-US')} samples)`;
}

/**
 * Rows one training run uses: the whole data set when asked for it, else a whole number of batches that fits
 * in it (the quick run's synthetic set is smaller: then less).
 */
export function trainingRows(samples: number, batch: number, available: number): number {
  if (samples <= available && (samples === available || samples % batch === 0 || samples < batch)) return samples;
  return Math.max(batch, Math.floor(Math.min(samples, available) / batch) * batch);
}

export type DataKind = 'fashion-mnist' | 'synthetic';

/** rows of each data set: Fashion-MNIST's training images, or the quick run's noise of the same shape */
export const DATA_ROWS: Record<DataKind, number> = { 'fashion-mnist': FULL_EPOCH, synthetic: 4096 };
