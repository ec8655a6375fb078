/**
 * One measurement of the streaming benchmark, in a process of its own (so its peak RSS is its own). The request
 * is argv[2] as JSON; the result is one JSON line on stdout. run.ts starts these.
 *
 *   rss:        train W1 for one epoch on a file through fitDataset (idxBatches or csvBatches), or, to compare,
 *               load the IDX file into memory and fit; or only build the model (the baseline)
 *   throughput: W1 samples/s of fit on in-memory data against fitDataset on the same rows from memory, from an
 *               IDX file (plain and gzipped) and from a CSV file, alternated in rounds
 */
import * as nn from '../../src/index.js';
import { peakRssMiB } from '../lib/measure.js';
import { BATCH, VARIANTS, type RssRequest, type ThroughputRequest, type Variant } from './protocol.js';

function w1(backend: nn.BackendChoice, threads: number | undefined): nn.Sequential {
  const model = nn.sequential(
    [nn.dense(256, { inputShape: [784], activation: 'relu' }), nn.dense(128, { activation: 'relu' }), nn.dense(10, { activation: 'softmax' })],
    { backend, seed: 1, threads },
  );
  model.compile({ optimizer: nn.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/** Samples/s of one epoch, timed between onEpochBegin and onEpochEnd (the suite's rule: no one-off checks). */
async function timedEpoch(run: (callbacks: nn.Callback) => Promise<unknown>, samples: number): Promise<number> {
  let start = 0;
  let seconds = 0;
  await run({
    onEpochBegin: () => void (start = performance.now()),
    onEpochEnd: () => void (seconds = (performance.now() - start) / 1000),
  });
  return samples / seconds;
}

async function rss(r: RssRequest) {
  if (r.backend !== 'ts') await nn.ready(r.backend);
  const model = w1(r.backend, r.threads);
  const start = performance.now();
  if (r.kind === 'idx' || r.kind === 'csv') {
    const source =
      r.kind === 'idx'
        ? nn.idxBatches(r.images, r.labels, { batchSize: BATCH, shuffleBuffer: r.shuffleBuffer, seed: 1 })
        : nn.csvBatches(r.csv, { target: 'label', batchSize: BATCH, shuffleBuffer: r.shuffleBuffer, seed: 1 });
    await model.fitDataset(source, { epochs: 1 });
  } else if (r.kind === 'memory') {
    const x = nn.loadIdxImages(r.images).x;
    const y = Float32Array.from(nn.loadIdxLabels(r.labels));
    await model.fit(x, y, { epochs: 1, batchSize: BATCH });
  }
  const seconds = (performance.now() - start) / 1000;
  return { rows: r.kind === 'baseline' ? 0 : r.rows, seconds, peakRssMiB: peakRssMiB() };
}

async function throughput(r: ThroughputRequest) {
  if (r.backend !== 'ts') await nn.ready(r.backend);
  const n = r.samples;
  const x = nn.loadIdxImages(r.images).x;
  const y = Float32Array.from(nn.loadIdxLabels(r.labels));
  const memoryBatches = () => {
    const out = [];
    for (let s = 0; s < n; s += BATCH) {
      const e = Math.min(n, s + BATCH);
      out.push({ xs: nn.tensor(x.data.subarray(s * 784, e * 784), [e - s, 784]), ys: y.subarray(s, e) });
    }
    return out;
  };
  const run = async (variant: Variant): Promise<number> => {
    const model = w1(r.backend, r.threads);
    const stream = { batchSize: BATCH, shuffleBuffer: r.shuffleBuffer, seed: 1 };
    try {
      switch (variant) {
        case 'fit':
          return await timedEpoch((cb) => model.fit(x, y, { epochs: 1, batchSize: BATCH, callbacks: cb }), n);
        case 'fitDataset-memory':
          return await timedEpoch((cb) => model.fitDataset(memoryBatches, { callbacks: cb }), n);
        case 'fitDataset-idx':
          return await timedEpoch((cb) => model.fitDataset(nn.idxBatches(r.images, r.labels, stream), { callbacks: cb }), n);
        case 'fitDataset-idx-gz':
          return await timedEpoch((cb) => model.fitDataset(nn.idxBatches(r.imagesGz, r.labelsGz, stream), { callbacks: cb }), n);
        case 'fitDataset-csv':
          return await timedEpoch((cb) => model.fitDataset(nn.csvBatches(r.csv, { ...stream, target: 'label' }), { callbacks: cb }), r.csvSamples);
      }
    } finally {
      model.dispose();
    }
  };
  for (const v of VARIANTS) await run(v); // warm-up: JIT tiers, page cache, thread pool
  const rounds: Record<Variant, number>[] = [];
  for (let round = 0; round < r.rounds; round++) {
    // Alternated, and rotated each round so no variant always runs right after the same other one.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
    const rates = {} as Record<Variant, number>;
    for (const v of order) rates[v] = await run(v);
    rounds.push(rates);
  }
  return { rounds };
}

const request = JSON.parse(process.argv[2]!) as RssRequest | ThroughputRequest;
const result = request.mode === 'rss' ? await rss(request) : await throughput(request);
process.stdout.write(`${JSON.stringify(result)}\n`);
