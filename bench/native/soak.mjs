// Soak: create / compile / fit / predict / dispose a native model many times and watch the process's RSS.
// Leaks in the addon (buffers, worker state, references to JS arrays) show up as RSS that keeps climbing after
// the allocator has settled. RSS is read every 50 cycles; passes when the median of the last five readings is
// within 5 % of the median of the five from the warm-up on. Medians, not single readings: with small calls run
// on the JavaScript thread, glibc's main arena takes part in every cycle and RSS moves by ±3 MiB from one reading
// to the next without growing (63.0 → 67.0 → 66.6 MiB over 4,000 cycles), which single readings took for growth.
// test/native-soak.test.ts runs it with MALLOC_MMAP_THRESHOLD_=131072, which takes most of that movement away.
//   node bench/native/soak.mjs [--cycles 1000] [--warmup 200]
import { parseArgs } from 'node:util';
import * as nn from '../../dist/index.js';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '1000' }, warmup: { type: 'string', default: '200' } } });
const cycles = Number(values.cycles);
const warmup = Number(values.warmup);
const rssMiB = () => process.memoryUsage.rss() / 2 ** 20;

const x = nn.tensor(Float32Array.from({ length: 256 * 64 }, (_, i) => Math.sin(i)), [256, 64]);
const y = Float32Array.from({ length: 256 }, (_, i) => i % 10);
const samples = [];
for (let c = 1; c <= cycles; c++) {
  const model = nn.sequential(
    [nn.dense(128, { inputShape: [64], activation: 'relu' }), nn.dropout(0.2), nn.dense(10, { activation: 'softmax' })],
    { backend: 'native', seed: c },
  );
  model.compile({ optimizer: nn.adam(), loss: 'sparseCategoricalCrossentropy' });
  await model.fit(x, y, { epochs: 1, batchSize: 64 });
  await model.predict(x);
  model.dispose();
  if (c % 50 === 0) {
    globalThis.gc?.();
    const rss = rssMiB();
    samples.push([c, rss]);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
const fromWarmup = samples.filter(([c]) => c >= warmup).map(([, rss]) => rss);
if (fromWarmup.length < 10) {
  console.error(`soak: --cycles must leave at least 10 readings (every 50 cycles) from --warmup on; got ${fromWarmup.length}`);
  process.exit(2);
}
const settled = median(fromWarmup.slice(0, 5));
const last = median(fromWarmup.slice(-5));
const growth = (last - settled) / settled;
console.log('cycle  RSS MiB');
for (const [c, rss] of samples) console.log(`${String(c).padStart(5)}  ${rss.toFixed(1)}`);
console.log(`settled at ${settled.toFixed(1)} MiB (median of the 5 readings from cycle ${warmup}); ${last.toFixed(1)} MiB (median of the last 5): ${(growth * 100).toFixed(2)} % growth`);
if (!(Math.abs(growth) <= 0.05)) {
  console.error('soak: RSS moved more than 5 % after settling');
  process.exit(1);
}
console.log('soak: OK');
