/**
 * Training from files larger than memory: peak RSS against file size, and W1 throughput through fitDataset
 * against fit on in-memory data. Writes bench/stream/RESULTS.md (or --out).
 *
 *   node --import ./bench/lib/register-ts.mjs bench/stream/run.ts                      # full: files up to 2 GiB
 *   node --import ./bench/lib/register-ts.mjs bench/stream/run.ts --sizes 8M,32M --csv-sizes 8M \
 *     --samples 6000 --csv-samples 1000 --rounds 2 --out /tmp/stream-check.md      # a quick check
 *
 * Flags: --sizes (IDX image file sizes, K/M/G suffixes; default 128M,512M,2G), --csv-sizes (default 128M,2G),
 * --memory-max (largest IDX size also loaded whole for comparison; default 512M), --samples (rows per
 * throughput epoch; default 60000), --csv-samples (default 60000; with fewer rows than the shuffle buffer holds,
 * nothing trains until the whole file is read), --rounds (default 5), --backend (default native), --threads, --shuffle-buffer (default 10000), --dir (where files go; default the OS temp folder),
 * --out. Every file is generated into a fresh folder under --dir and deleted at the end, even on failure.
 *
 * Each measurement runs in a child process (child.ts) so its peak RSS is its own. Throughput variants are
 * alternated within one child, round after round, so their ratios come from the same minutes of the machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describeMachine } from '../lib/machine.js';
import { median } from '../lib/measure.js';
import { BATCH, VARIANTS, type RssRequest, type ThroughputRequest, type Variant } from './protocol.js';
import { idxRowsFor, sourceRows, writeCsv, writeIdxPair } from './generate.js';

const GIB = 2 ** 30;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

function bytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: '${text}' (e.g. 512M, 2G)`);
  return Math.round(Number(m[1]) * { '': 1, K: 2 ** 10, M: 2 ** 20, G: GIB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G']!);
}

const sizes = flag('sizes', '128M,512M,2G').split(',').map(bytes);
const csvSizes = flag('csv-sizes', '128M,2G').split(',').filter(Boolean).map(bytes);
const memoryMax = bytes(flag('memory-max', '512M'));
const samples = Number(flag('samples', '60000'));
const csvSamples = Number(flag('csv-samples', '60000'));
const rounds = Number(flag('rounds', '5'));
const backend = flag('backend', 'native') as 'native' | 'wasm' | 'ts';
const threadsFlag = flag('threads', '');
const threads = threadsFlag ? Number(threadsFlag) : undefined;
const shuffleBuffer = Number(flag('shuffle-buffer', '10000'));
const out = flag('out', fileURLToPath(new URL('./RESULTS.md', import.meta.url)));
const work = mkdtempSync(join(flag('dir', tmpdir()), 'neurite-stream-bench-'));

const here = fileURLToPath(new URL('.', import.meta.url));
const register = fileURLToPath(new URL('../lib/register-ts.mjs', import.meta.url));

function child<T>(request: RssRequest | ThroughputRequest): T {
  const r = spawnSync(process.execPath, ['--import', register, join(here, 'child.ts'), JSON.stringify(request)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`child ${request.mode} failed (status ${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
}

const mib = (b: number) => (b / 2 ** 20).toFixed(b < 2 ** 24 ? 1 : 0);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const log = (s: string) => process.stderr.write(`${s}\n`);

interface RssRow {
  format: string;
  fileBytes: number;
  rows: number;
  streamed: { seconds: number; peakRssMiB: number };
  inMemory?: { seconds: number; peakRssMiB: number };
}

const machine = describeMachine();
const loadBefore = loadavg()[0]!;
const started = new Date().toISOString();
const rows = sourceRows();
const base = { images: '', labels: '', csv: '', rows: 0, backend, threads, shuffleBuffer };
try {
  // ---- peak RSS against file size ----
  const baseline = child<{ peakRssMiB: number }>({ mode: 'rss', kind: 'baseline', ...base });
  log(`baseline (neurite loaded, W1 built): ${baseline.peakRssMiB.toFixed(0)} MiB`);
  const rss: RssRow[] = [];
  for (const size of sizes) {
    const n = idxRowsFor(size);
    const images = join(work, 'images');
    const labels = join(work, 'labels');
    writeIdxPair(images, labels, n, rows);
    const fileBytes = statSync(images).size + statSync(labels).size;
    log(`IDX ${mib(fileBytes)} MiB (${fmt(n)} rows): streaming...`);
    const streamed = child<{ seconds: number; peakRssMiB: number }>({ mode: 'rss', kind: 'idx', ...base, images, labels, rows: n });
    const inMemory = size <= memoryMax ? child<{ seconds: number; peakRssMiB: number }>({ mode: 'rss', kind: 'memory', ...base, images, labels, rows: n }) : undefined;
    rss.push({ format: 'IDX', fileBytes, rows: n, streamed, inMemory });
    rmSync(images);
    rmSync(labels);
  }
  for (const size of csvSizes) {
    const csv = join(work, 'data.csv');
    const n = writeCsv(csv, { bytes: size }, rows);
    const fileBytes = statSync(csv).size;
    log(`CSV ${mib(fileBytes)} MiB (${fmt(n)} rows): streaming...`);
    const streamed = child<{ seconds: number; peakRssMiB: number }>({ mode: 'rss', kind: 'csv', ...base, csv, rows: n });
    rss.push({ format: 'CSV', fileBytes, rows: n, streamed });
    rmSync(csv);
  }

  // ---- W1 throughput: fitDataset against fit ----
  const t = { images: join(work, 't-images'), labels: join(work, 't-labels'), csv: join(work, 't.csv') };
  writeIdxPair(t.images, t.labels, samples, rows);
  const gz = { images: `${t.images}.gz`, labels: `${t.labels}.gz` };
  writeFileSync(gz.images, gzipSync(readFileSync(t.images)));
  writeFileSync(gz.labels, gzipSync(readFileSync(t.labels)));
  const csvRows = writeCsv(t.csv, { rows: csvSamples }, rows);
  log(`throughput: ${rounds} rounds of ${VARIANTS.join(', ')}`);
  const { rounds: measured } = child<{ rounds: Record<Variant, number>[] }>({
    mode: 'throughput',
    ...base,
    images: t.images,
    labels: t.labels,
    imagesGz: gz.images,
    labelsGz: gz.labels,
    csv: t.csv,
    samples,
    csvSamples: csvRows,
    rounds,
  });

  writeFileSync(out, report(baseline.peakRssMiB, rss, measured, csvRows));
  log(`wrote ${out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function report(baseline: number, rss: RssRow[], measured: Record<Variant, number>[], csvRows: number): string {
  const largest = Math.max(...rss.map((r) => r.fileBytes));
  const scale =
    largest >= 2 * GIB
      ? ''
      : `\n> **A check run, not the result**: the largest file here is ${mib(largest)} MiB; the issue asks for at least 2 GiB ` +
        '(run the command without --sizes/--csv-sizes on a quiet machine).\n';
  const ratio = (v: Variant) => measured.map((r) => r[v] / r.fit);
  const variantText: Record<Variant, string> = {
    fit: `model.fit on the rows in memory (Float32Array), shuffle on`,
    'fitDataset-memory': 'model.fitDataset on batches sliced from the same arrays (no file)',
    'fitDataset-idx': `model.fitDataset(nn.idxBatches(plain IDX files, { shuffleBuffer: ${shuffleBuffer} }))`,
    'fitDataset-idx-gz': `the same from the gzipped files`,
    'fitDataset-csv': `model.fitDataset(nn.csvBatches(CSV of 784 pixel columns + label, { shuffleBuffer: ${shuffleBuffer} })), ${fmt(csvRows)} rows`,
  };
  const lines = [
    '# Training from files larger than memory',
    '',
    `Generated by \`${['node --import ./bench/lib/register-ts.mjs bench/stream/run.ts', ...process.argv.slice(2)].join(' ')}\` on ${started}.`,
    scale,
    `- CPU: ${machine.cpuModel}, ${machine.logicalCpus} logical CPUs (${machine.threadsPerCore} per core); ISA: ${machine.simd.join(', ')}`,
    `- Memory ${machine.memoryGiB.toFixed(1)} GiB; ${machine.os}; Node ${machine.node}`,
    `- Load average (1 min): ${loadBefore.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end (above ~0.5 on this many cores, someone else was computing)`,
    `- Engine: ${backend}${threads ? `, ${threads} threads` : ', default threads'}; W1 = 784-256-128-10 relu, softmax + sparse cross-entropy, SGD lr 0.1, batch ${BATCH}`,
    `- Data: ${rows.source}; files generated into ${tmpdir()} and deleted after`,
    '',
    '## Peak RSS against file size',
    '',
    `One epoch of W1 over the whole file through \`model.fitDataset\`, shuffle buffer ${fmt(shuffleBuffer)} rows, each in a fresh process; ` +
      `peak RSS is the process's VmHWM. A process that only loads neurite and builds W1 peaks at ${baseline.toFixed(0)} MiB. ` +
      '"In memory" loads the IDX file with loadIdxImages and trains with fit, for the sizes where that is reasonable.',
    '',
    '| format | file MiB | rows | streamed: peak RSS MiB | streamed: samples/s | in memory: peak RSS MiB |',
    '|---|---:|---:|---:|---:|---:|',
    ...rss.map((r) =>
      `| ${r.format} | ${mib(r.fileBytes)} | ${fmt(r.rows)} | ${r.streamed.peakRssMiB.toFixed(0)} | ${fmt(r.rows / r.streamed.seconds)} | ${r.inMemory ? r.inMemory.peakRssMiB.toFixed(0) : '—'} |`,
    ),
    '',
    '## W1 throughput: fitDataset against fit',
    '',
    `${fmt(samples)} rows per epoch (CSV: ${fmt(csvRows)}), one epoch per run on a fresh model, timed from onEpochBegin to onEpochEnd; ` +
      `after one warm-up run of each, ${rounds} rounds with every variant once per round, the order rotated each round. ` +
      'The ratio is taken within each round (variant / fit of the same round), then the median over rounds. ' +
      'The readers run on the cores training uses: they read, gunzip and parse the file while the engine trains on ' +
      'both cores, and what they take is taken from training (their byte conversion, CSV number parsing and shuffle ' +
      'buffer are the native core\'s, src/data/reader-rows.ts and csv-numbers.ts).',
    '',
    '| variant | samples/s (median) | ratio to fit (median) | ratio range |',
    '|---|---:|---:|---:|',
    ...VARIANTS.map((v) => {
      const r = ratio(v);
      const range = `${(Math.min(...r) * 100).toFixed(0)}–${(Math.max(...r) * 100).toFixed(0)} %`;
      return `| ${variantText[v]} | ${fmt(median(measured.map((m) => m[v])))} | ${(median(r) * 100).toFixed(0)} % | ${range} |`;
    }),
    '',
    'All rounds (samples/s):',
    '',
    `| round | ${VARIANTS.join(' | ')} |`,
    `|---|${VARIANTS.map(() => '---:').join('|')}|`,
    ...measured.map((m, i) => `| ${i + 1} | ${VARIANTS.map((v) => fmt(m[v])).join(' | ')} |`),
    '',
  ];
  return lines.join('\n');
}
