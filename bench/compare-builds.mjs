// Two builds of neurite side by side: the same workloads through the public Model API of each, run alternately
// (A B A B ..., each run a fresh process) so that a machine whose speed drifts affects both alike; reports the
// median of each and the median of the per-pair ratios A/B with their range.
//
//   node bench/compare-builds.mjs DIR_A DIR_B [pairs=5] [seconds=2]
//
// DIR_A and DIR_B are checkouts with dist/ built (npm install). Workloads (native backend, 1 thread):
//   W1 train  784-256-128-10 relu/softmax, SGD, batch 128, shuffled epochs of 8192 rows     samples/s
//   W3 b1024  W1's forward pass, predict() of 1024 rows                                     samples/s
//   W3 b1     predictSync() of one row                                                      µs per call
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';

const worker = `
const nn = await import(process.argv[1]);
const seconds = Number(process.argv[2]);
const model = nn.sequential([
  nn.dense(256, { inputShape: [784], activation: 'relu' }),
  nn.dense(128, { activation: 'relu' }),
  nn.dense(10, { activation: 'softmax' }),
], { backend: 'native', threads: 1, seed: 1 });
model.compile({ optimizer: nn.sgd({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
const rows = 8192;
const x = nn.tensor(Float32Array.from({ length: rows * 784 }, (_, i) => ((i * 2654435761) >>> 24) / 255), [rows, 784]);
const y = nn.tensor(Float32Array.from({ length: rows }, (_, i) => i % 10), [rows]);
const time = async (f, per) => {
  await f();
  const rates = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || rates.length < 3) {
    const t0 = performance.now();
    await f();
    rates.push(per / ((performance.now() - t0) / 1000));
  }
  return rates.sort((a, b) => a - b)[rates.length >> 1];
};
let epoch = 0;
const w1 = await time(() => model.fit(x, y, { epochs: 1, batchSize: 128, initialEpoch: 0 }).then(() => epoch++), rows);
const big = nn.tensor(x.data.subarray(0, 1024 * 784), [1024, 784]);
const w3 = await time(() => model.predict(big), 1024);
const one = nn.tensor(x.data.subarray(0, 784), [1, 784]);
const b1 = 1e6 / (await time(() => { for (let i = 0; i < 200; i++) model.predictSync(one); }, 200));
console.log(JSON.stringify({ w1, w3, b1 }));
`;

const [dirA, dirB] = process.argv.slice(2, 4);
const pairs = Number(process.argv[4] ?? 5);
const seconds = Number(process.argv[5] ?? 2);
if (!dirA || !dirB) {
  console.error('usage: node bench/compare-builds.mjs DIR_A DIR_B [pairs] [seconds]');
  process.exit(2);
}

function run(dir) {
  const entry = pathToFileURL(`${dir}/dist/index.js`).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', worker, entry, String(seconds)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${dir}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const runs = { a: [], b: [] };
for (let i = 0; i < pairs; i++) {
  runs.a.push(run(dirA));
  runs.b.push(run(dirB));
}
console.log(`CPU: ${cpus()[0]?.model ?? '?'}; ${pairs} pairs, alternated A B A B; medians; ratio = A/B per pair`);
for (const [key, label, unit] of [['w1', 'W1 train', 'samples/s'], ['w3', 'W3 batch 1024', 'samples/s'], ['b1', 'W3 batch 1', 'µs']]) {
  const ratios = runs.a.map((r, i) => r[key] / runs.b[i][key]);
  console.log(
    `${label.padEnd(14)} A ${median(runs.a.map((r) => r[key])).toFixed(key === 'b1' ? 2 : 0)} ${unit}  ` +
      `B ${median(runs.b.map((r) => r[key])).toFixed(key === 'b1' ? 2 : 0)} ${unit}  ` +
      `A/B ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
  );
}
