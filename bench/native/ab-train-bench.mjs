// Two builds of train-bench, alternated (A B A B ..., a fresh process each run) so that a shared machine whose
// speed drifts slows both alike. For each case: the median over the rounds of each build's median-step samples/s,
// the median and range of the per-round ratios B/A, and the same ratio for the fastest steps (less noisy on a
// loaded machine: what the code does rather than what it got).
//
//   node bench/native/ab-train-bench.mjs BIN_A BIN_B [rounds=8] [seconds=3] [cases=w1,w1x2]
//
// e.g. BIN_A a train-bench built at the commit before a change (git stash; cmake --build), BIN_B the one after.
import { spawnSync } from 'node:child_process';

const [binA, binB, roundsArg = '8', secondsArg = '3', casesArg = 'w1,w1x2'] = process.argv.slice(2);
if (!binA || !binB) {
  console.error('usage: node bench/native/ab-train-bench.mjs BIN_A BIN_B [rounds=8] [seconds=3] [cases=w1,w1x2]');
  process.exit(2);
}
const rounds = Number(roundsArg);
const cases = casesArg.split(',');

// train-bench prints "..., N thread(s)[, shuffled epochs]:  FASTEST samples/s (...),  MEDIAN (median ...)"
function run(bin, name) {
  const r = spawnSync(bin, [secondsArg, name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} ${name} failed: ${r.stderr}`);
  const m = /:\s*([\d.]+) samples\/s \(fastest [a-z]+\),\s*([\d.]+) \(median/.exec(r.stdout);
  if (!m) throw new Error(`${bin} ${name}: no samples/s in ${r.stdout}`);
  return { median: Number(m[2]), fastest: Number(m[1]) };
}

const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const name of cases) {
  const a = [];
  const b = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which build goes first, so neither always runs right after the other.
    if (i % 2 === 0) {
      a.push(run(binA, name));
      b.push(run(binB, name));
    } else {
      b.push(run(binB, name));
      a.push(run(binA, name));
    }
  }
  const ratios = a.map((x, i) => b[i].median / x.median);
  const fastest = a.map((x, i) => b[i].fastest / x.fastest);
  const range = (v) => `${Math.min(...v).toFixed(3)}-${Math.max(...v).toFixed(3)}`;
  console.log(
    `${name}: A ${median(a.map((x) => x.median)).toFixed(0)} samples/s, B ${median(b.map((x) => x.median)).toFixed(0)} ` +
      `samples/s (median steps, median of ${rounds} rounds); B/A median ${median(ratios).toFixed(3)}, range ` +
      `${range(ratios)}; fastest steps B/A median ${median(fastest).toFixed(3)}, range ${range(fastest)}`,
  );
}
