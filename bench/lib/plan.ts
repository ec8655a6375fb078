/**
 * What the suite measures and how much of it: the workloads, how many batches each kind of system trains,
 * how many runs make a figure. Shared by the orchestrator, every JavaScript child and (as JSON) the PyTorch
 * script, so all systems run the same plan.
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
  smoke: boolean;
  /** measured runs per figure (the figure is their median) */
  runs: number;
  /** unmeasured warm-up runs before them (JIT tiers, caches, packing buffers) */
  warmup: number;
  /** samples of one W1 run (a multiple of the batch, except the full epoch) */
  w1Samples: number;
  w2Samples: number;
  /** batch-1 calls per latency run (each call timed on its own; the run's figure is their median) */
  w3Calls: number;
  /** seconds of back-to-back batch-1024 calls per throughput run */
  w3Seconds: number;
  /** the scaling grid: 784-H-H/2-10 networks trained at these batch sizes */
  scalingHidden: number[];
  scalingBatches: number[];
  /** seconds one scaling run aims at (calibrated from a first short run of scalingProbe samples) */
  scalingSeconds: number;
  scalingProbe: number;
  /** seconds per GEMM case */
  gemmSeconds: number;
}

export const FULL_EPOCH = 60_000;

/** Widths up to which the slow systems take part in the scaling grid (wider cells would take minutes). */
const SLOW_SCALING_MAX_HIDDEN = 256;

export function makePlan(speed: Speed, smoke: boolean): Plan {
  if (smoke) {
    // A health check of the whole pipeline in well under a minute, not a measurement: partial batches are fine.
    const fast = speed === 'fast';
    return {
      smoke,
      runs: fast ? 3 : 1,
      warmup: fast ? 1 : 0,
      w1Samples: fast ? 4 * W1.batch : 64,
      w2Samples: fast ? W2.batch : 8,
      w3Calls: fast ? 200 : 50,
      w3Seconds: 0.02,
      scalingHidden: [64],
      scalingBatches: [1, 128],
      scalingSeconds: 0.01,
      scalingProbe: 32,
      gemmSeconds: 0.02,
    };
  }
  const hidden = [64, 256, 1024, 2048];
  return {
    smoke,
    runs: speed === 'fast' ? 5 : 3,
    warmup: 1,
    w1Samples: { fast: FULL_EPOCH, slow: 40 * W1.batch, slowest: 10 * W1.batch }[speed],
    w2Samples: { fast: 60, slow: 2, slowest: 1 }[speed] * W2.batch,
    w3Calls: speed === 'fast' ? 20_000 : 2_000,
    w3Seconds: speed === 'fast' ? 0.5 : 1,
    scalingHidden: speed === 'fast' ? hidden : hidden.filter((h) => h <= SLOW_SCALING_MAX_HIDDEN),
    scalingBatches: [1, 16, 128, 1024],
    scalingSeconds: 0.3,
    scalingProbe: 256,
    gemmSeconds: 0.5,
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
