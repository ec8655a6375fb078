// Soak: create / compile / fit / predict / dispose a native model many times and watch the process's RSS.
// Leaks in the addon (buffers, worker state, references to JS arrays) show up as RSS that keeps climbing after
// the allocator has settled. Passes when the last RSS is within 5 % of where it settled (after the warm-up).
//   node bench/native/soak.mjs [--cycles 1000] [--warmup 200]
import { parseArgs } from 'node:util';
import * as nn from '../../dist/index.js';

const { values } = parseArgs({ options: { cycles: { type: 'string', default: '1000' }, warmup: { type: 'string', default: '200' } } });
const cycles = Number(values.cycles);
const warmup = Number(values.warmup);
const rssMiB = () => process.memoryUsage.rss() / 2 ** 20;

const x = nn.tensor(Float32Array.from({ length: 256 * 64 }, (_, i) => Math.sin(i)), [256, 64]);
const y = Float32Array.from({ length: 256 }, (_, i) => i % 10);
let settled = 0;
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
    if (c === warmup) settled = rss;
  }
}
const last = samples.at(-1)[1];
const growth = settled ? (last - settled) / settled : 0;
console.log('cycle  RSS MiB');
for (const [c, rss] of samples) console.log(`${String(c).padStart(5)}  ${rss.toFixed(1)}`);
console.log(`settled at ${settled.toFixed(1)} MiB after ${warmup} cycles; ${last.toFixed(1)} MiB after ${cycles}: ${(growth * 100).toFixed(2)} % growth`);
if (!(Math.abs(growth) <= 0.05)) {
  console.error('soak: RSS moved more than 5 % after settling');
  process.exit(1);
}
console.log('soak: OK');
