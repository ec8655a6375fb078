/**
 * The streaming readers: nn.idxBatches (plain and gzipped IDX) and nn.csvBatches / nn.csvStats give what the
 * whole-file loaders give, batch by batch; shuffle buffers permute with a seed; pieces split CSV records right
 * across quotes and line ends; bad files fail with the file and the place named; the browser entry reaches no
 * node: module.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { pieceRecords, recordsEnd } from '../src/data/csv-stream.js';
import { rngKey, rngU32, Stream } from '../src/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'neurite-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Index of the first difference of two arrays (-1: none): toEqual on a million floats takes minutes. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Everything one pass gives, concatenated. */
async function collect(stream: AsyncIterable<{ xs: nn.Tensor; ys: Float32Array }>) {
  const xs: number[] = [];
  const ys: number[] = [];
  const sizes: number[] = [];
  for await (const b of stream) {
    sizes.push(b.ys.length);
    expect(b.xs.shape[0]).toBe(b.ys.length);
    xs.push(...b.xs.data);
    ys.push(...b.ys);
  }
  return { xs, ys, sizes };
}

// 203 images of 7×5 pixels: each row's first pixel is its index mod 256 so orders can be checked.
const COUNT = 203;
const [H, W] = [7, 5];
const pixels = Uint8Array.from({ length: COUNT * H * W }, (_, i) => (i % (H * W) === 0 ? Math.floor(i / (H * W)) : (i * 31) % 256));
const labels = Uint8Array.from({ length: COUNT }, (_, i) => (i * 3) % 10);
const imagesPath = join(dir, 'images');
const labelsPath = join(dir, 'labels');
writeFileSync(imagesPath, nn.encodeIdxU8([COUNT, H, W], pixels));
writeFileSync(labelsPath, nn.encodeIdxU8([COUNT], labels));
writeFileSync(`${imagesPath}.gz`, gzipSync(nn.encodeIdxU8([COUNT, H, W], pixels)));
writeFileSync(`${labelsPath}.gz`, gzipSync(nn.encodeIdxU8([COUNT], labels)));

describe('idxBatches', () => {
  it('gives loadIdxImages and loadIdxLabels batch by batch, plain and gzipped, every pass', async () => {
    const whole = nn.loadIdxImages(imagesPath);
    for (const suffix of ['', '.gz']) {
      const stream = nn.idxBatches(imagesPath + suffix, labelsPath + suffix, { batchSize: 16 });
      expect([stream.features, stream.imageShape, stream.rows, stream.batches]).toEqual([35, [7, 5], 203, 13]);
      for (let pass = 0; pass < 2; pass++) {
        const got = await collect(stream);
        expect(got.sizes).toEqual([...Array(12).fill(16), 11]);
        expect(firstDifference(Float32Array.from(got.xs), whole.x.data)).toBe(-1);
        expect(got.ys).toEqual(Array.from(labels));
      }
    }
    const raw = await collect(nn.idxBatches(imagesPath, labelsPath, { batchSize: 1000, normalize: false }));
    expect(raw.sizes).toEqual([203]);
    expect(firstDifference(raw.xs, pixels)).toBe(-1);
  });

  it('shuffles through its buffer: a permutation per epoch, repeatable by seed, different each epoch', async () => {
    const order = async (stream: nn.IdxBatchStream) => (await collect(stream)).xs.filter((_, i) => i % 35 === 0).map((v) => Math.round(v * 255));
    const ids = Array.from({ length: COUNT }, (_, i) => i % 256);
    for (const shuffleBuffer of [1, 7, 64, 1000]) {
      const a = nn.idxBatches(imagesPath, labelsPath, { batchSize: 13, shuffleBuffer, seed: 5 });
      const b = nn.idxBatches(`${imagesPath}.gz`, `${labelsPath}.gz`, { batchSize: 13, shuffleBuffer, seed: 5 });
      const [a0, a1, b0] = [await order(a), await order(a), await order(b)];
      expect([...a0].sort((x, y) => x - y)).toEqual(ids);
      expect(b0).toEqual(a0); // same seed and epoch: same order, whatever the file's compression
      if (shuffleBuffer === 1) expect(a0).toEqual(ids); // a buffer of one keeps the file's order
      else {
        expect(a0).not.toEqual(ids);
        expect(a1).not.toEqual(a0);
      }
    }
    // Labels travel with their images.
    for await (const batch of nn.idxBatches(imagesPath, labelsPath, { shuffleBuffer: 50, seed: 1 })) {
      for (let r = 0; r < batch.ys.length; r++) expect(batch.ys[r]).toBe(labels[Math.round(batch.xs.data[r * 35]! * 255)]);
    }
  });

  it('keeps only the rows a filter selects, and counts them after a pass', async () => {
    const stream = nn.idxBatches(imagesPath, labelsPath, { batchSize: 10, filter: (row) => row % 3 === 1 });
    expect(stream.rows).toBeUndefined();
    const got = await collect(stream);
    expect(got.ys).toEqual(Array.from(labels).filter((_, i) => i % 3 === 1));
    expect([stream.rows, stream.batches]).toEqual([68, 7]);
  });

  it('names the file and what is wrong with it, at once or when the data ends early', async () => {
    const bad = (name: string, bytes: Uint8Array) => {
      writeFileSync(join(dir, name), bytes);
      return join(dir, name);
    };
    const image = nn.encodeIdxU8([COUNT, H, W], pixels);
    expect(() => nn.idxBatches(join(dir, 'nope'), labelsPath)).toThrow(`${join(dir, 'nope')}: cannot read: no such file`);
    expect(() => nn.idxBatches(dir, labelsPath)).toThrow(`${dir}: cannot read: it is a directory`);
    expect(() => nn.idxBatches(labelsPath, labelsPath)).toThrow(`${labelsPath}: expected images (an IDX file of at least 2 dimensions: count, then pixels), got dims [203]`);
    expect(() => nn.idxBatches(imagesPath, imagesPath)).toThrow(`${imagesPath}: wrong kind of IDX file: magic 0x00000803, expected 0x00000801`);
    expect(() => nn.idxBatches(imagesPath, bad('few-labels', nn.encodeIdxU8([9], labels.subarray(0, 9))))).toThrow(
      /few-labels: 9 labels for 203 images in .*images: the files do not belong together/,
    );
    const cut = bad('cut', image.subarray(0, image.length - 100));
    expect(() => nn.idxBatches(cut, labelsPath)).toThrow(/cut: file is truncated: header dims \[203, 7, 5\] of u8 need 7121 bytes, the file has 7021/);
    // A gzip stream whose trailer agrees but whose data ends early is only found while inflating.
    const short = gzipSync(image.subarray(0, image.length - 35 * 50));
    const trailer = Buffer.alloc(4);
    trailer.writeUInt32LE(image.length);
    const gz = bad('short.gz', Buffer.concat([short.subarray(0, short.length - 4), trailer]));
    await expect(collect(nn.idxBatches(gz, labelsPath, { batchSize: 32 }))).rejects.toThrow(`${gz}: corrupt or truncated gzip data (incorrect length check)`);
    const cutGz = bad('cut.gz', gzipSync(image).subarray(0, 200));
    expect(() => nn.idxBatches(cutGz, labelsPath)).toThrow(/cut\.gz: header dims \[203, 7, 5\] of u8 need 7121 bytes, but the gzip trailer records \d+: truncated or corrupt file/);
    // A file cut short after its header was read is found when the pass reaches the end.
    const shrinking = bad('shrinking', image);
    const stream = nn.idxBatches(shrinking, labelsPath, { batchSize: 32 });
    writeFileSync(shrinking, image.subarray(0, image.length - 35 * 50));
    await expect(collect(stream)).rejects.toThrow(`${shrinking}: file is truncated: it ends after 153 of the 203 images its header announces`);
    expect(() => nn.idxBatches(imagesPath, labelsPath, { batchSize: 0 })).toThrow('idxBatches: options.batchSize: expected a positive integer, got 0');
    expect(() => nn.idxBatches(imagesPath, labelsPath, { batchsize: 8 } as nn.IdxBatchOptions)).toThrow(/idxBatches options: .*unknown key 'batchsize'/);
  });

  it('streams Fashion-MNIST as loadFashionMnist reads it', async () => {
    const d = nn.FASHION_MNIST_DIR;
    const stream = nn.idxBatches(`${d}/t10k-images-idx3-ubyte.gz`, `${d}/t10k-labels-idx1-ubyte.gz`, { batchSize: 1000 });
    const whole = nn.loadFashionMnist();
    let row = 0;
    for await (const b of stream) {
      expect(firstDifference(b.xs.data, whole.test.x.data.subarray(row * 784, (row + b.ys.length) * 784))).toBe(-1);
      expect(Array.from(b.ys)).toEqual(Array.from(whole.test.labels.subarray(row, row + b.ys.length)));
      row += b.ys.length;
    }
    expect(row).toBe(10000);
  });
});

/** The pieces loop of csv-stream.ts's records(), over given cut points, to compare with one whole parse. */
function recordsInPieces(text: string, cuts: number[]) {
  const out: { fields: string[]; line: number }[] = [];
  let pending = '';
  let line = 1;
  let at = 0;
  for (const cut of [...cuts, text.length]) {
    const chunk = pending + text.slice(at, cut);
    at = cut;
    const end = cut === text.length ? chunk.length : recordsEnd(chunk, ',');
    pending = chunk.slice(end);
    const piece = chunk.slice(0, end);
    out.push(...pieceRecords(piece, ',', line));
    line += piece.split(/\r\n|\r|\n/).length - 1;
  }
  return out;
}

describe('CSV pieces', () => {
  it('split anywhere, give the records of one whole parse (quotes, CRLF, CR, blank lines)', () => {
    const key = rngKey(3, Stream.data, 99);
    const fields = ['1', ' 2.5 ', '', '"a,b"', '"x\ny"', '"x\r\ny\rz"', '"q""r"', '""', ' "s" ', 'a"b'];
    const ends = ['\n', '\r\n', '\r', '\n\n', '\r\n \r\n', ''];
    const pick = <T>(list: T[], i: number) => list[rngU32(key, i) % list.length]!;
    let checked = 0;
    for (let t = 0; t < 300; t++) {
      let text = '';
      for (let r = 0, i = t * 1000; r < 6; r++) {
        const width = 1 + (rngU32(key, i++) % 3);
        text += Array.from({ length: width }, () => pick(fields, i++)).join(',') + pick(ends, i++);
      }
      let whole: unknown;
      try {
        whole = nn.readCsvRecords(text, ',');
      } catch {
        continue; // text the parser refuses (a character after a closing quote): not a splitting question
      }
      for (let c = 0; c < 5; c++) {
        const cuts = [...new Set(Array.from({ length: 3 }, (_, i) => rngU32(key, t * 1000 + 100 + c * 10 + i) % text.length))].sort((a, b) => a - b);
        expect({ text, cuts, records: recordsInPieces(text, cuts) }).toEqual({ text, cuts, records: whole });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('csvBatches and csvStats', () => {
  // Over 1 MB pieces: quoted class names with commas, quotes and line breaks land on piece boundaries.
  const classNames = ['plain', 'with, comma', 'two\nlines', 'say ""hi""'.replace(/""/g, '"')];
  const rows = 40000;
  const lines = ['\uFEFFa,b,c,label'];
  for (let r = 0; r < rows; r++) {
    const name = classNames[r % 4]!;
    const quoted = name === 'plain' ? name : `"${name.replace(/"/g, '""')}"`;
    lines.push(`${(r * 0.37) % 11},${r % 2 ? `"${-r / 7}"` : -r / 7}, ${r}e-3 ,${quoted}`);
  }
  const bigPath = join(dir, 'big.csv');
  writeFileSync(bigPath, lines.join('\r\n') + '\r\n');
  writeFileSync(`${bigPath}.gz`, gzipSync(readFileSync(bigPath)));

  it('gives loadCsv\'s rows and classes across many pieces, plain and gzipped', async () => {
    expect(readFileSync(bigPath).length).toBeGreaterThan(2 << 20);
    const whole = nn.loadCsv(bigPath, { target: 'label', classNames });
    for (const path of [bigPath, `${bigPath}.gz`]) {
      const stream = nn.csvBatches(path, { target: 'label', classNames, batchSize: 999 });
      expect([stream.features, stream.featureNames, stream.targetName, stream.rows]).toEqual([3, ['a', 'b', 'c'], 'label', undefined]);
      const got = await collect(stream);
      expect(got.sizes.length).toBe(41);
      expect(firstDifference(got.xs, whole.x.data)).toBe(-1);
      expect(firstDifference(got.ys, whole.y)).toBe(-1);
      expect([stream.rows, stream.batches]).toEqual([rows, 41]);
    }
  });

  it('reads quote-free numbers as Number() does (the fast path), every format, across pieces', async () => {
    const key = rngKey(9, Stream.data, 7);
    const u = (i: number) => rngU32(key, i) / 4294967296;
    const forms = [
      (i: number) => String(Math.floor(u(i) * 256)),
      (i: number) => (u(i) * 200 - 100).toFixed(1 + (i % 6)),
      (i: number) => `${(u(i) * 10).toFixed(3)}e${(i % 45) - 22}`,
      (i: number) => ` ${-Math.floor(u(i) * 1e6)}\t`,
      (i: number) => `+.${Math.floor(u(i) * 1000)}E+${i % 3}`,
      (i: number) => (i % 2 ? '-0' : '0.'),
    ];
    // Every tenth line has a field only the general reader takes: 16-17 digits, or an exponent beyond ±22.
    const general = [(i: number) => `${u(i)}`, (i: number) => `${Math.floor(u(i) * 9)}e-25`];
    const lines = ['a,b,c,d,e,f,g,h,t'];
    for (let r = 0; r < 20000; r++) {
      const cells = [...forms, ...general].map((form, c) => (c < forms.length || r % 10 === 0 ? form(r * 16 + c) : '1.5'));
      lines.push([...cells, String(r % 5)].join(','));
    }
    const path = join(dir, 'numbers.csv');
    writeFileSync(path, lines.map((l, i) => (i % 7 === 3 ? `${l}\r\n` : i % 11 === 5 ? `${l}\r` : `${l}\n`)).join(''));
    expect(readFileSync(path).length).toBeGreaterThan(1 << 20);
    const whole = nn.loadCsv(path);
    for (const options of [{}, { classNames: ['0', '1', '2', '3', '4'] }]) {
      const got = await collect(nn.csvBatches(path, { ...options, batchSize: 4096 }));
      expect(firstDifference(got.xs, whole.x.data)).toBe(-1);
      expect(firstDifference(got.ys, whole.y)).toBe(-1);
    }
    const stats = await nn.csvStats(path);
    const scaler = nn.standardScaler().fit(whole.x);
    stats.mean.forEach((m, i) => expect(Math.abs(m - scaler.mean[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(scaler.mean[i]!))));
    expect(stats.targetValues).toEqual(['0', '1', '2', '3', '4']);
  });

  it('reads a numeric target, no header, another delimiter, and shuffles with a seed', async () => {
    const path = join(dir, 'semi.csv');
    writeFileSync(path, '1;2;0.5\n3;4;1.5\n\n5;6;2.5\r7;8;3.5');
    const got = await collect(nn.csvBatches(path, { header: false, delimiter: ';', target: 0, batchSize: 3 }));
    expect(got).toEqual({ xs: [2, 0.5, 4, 1.5, 6, 2.5, 8, 3.5], ys: [1, 3, 5, 7], sizes: [3, 1] });
    const stream = nn.csvBatches(path, { header: false, delimiter: ';', shuffleBuffer: 4, seed: 2 });
    const first = (await collect(stream)).ys;
    expect([...first].sort()).toEqual([1.5, 2.5, 3.5, 0.5].sort());
    expect(first).not.toEqual([0.5, 1.5, 2.5, 3.5]);
  });

  it('summarises a file in one pass: rows, means, deviations, target values', async () => {
    const whole = nn.loadCsv(bigPath, { target: 'label', classNames });
    const stats = await nn.csvStats(bigPath, { target: 'label' });
    const scaler = nn.standardScaler().fit(whole.x);
    expect([stats.rows, stats.featureNames, stats.targetName, stats.numericTarget]).toEqual([rows, ['a', 'b', 'c'], 'label', false]);
    stats.mean.forEach((m, i) => expect(m).toBeCloseTo(scaler.mean[i]!, 6));
    stats.std.forEach((s, i) => expect(s / scaler.std[i]!).toBeCloseTo(1, 6));
    expect(stats.targetValues).toEqual([...classNames].sort((a, b) => (a < b ? -1 : 1)));
    const iris = await nn.csvStats('data/iris.csv');
    expect([iris.rows, iris.targetValues]).toEqual([150, ['setosa', 'versicolor', 'virginica']]);
  });

  it('names the file, line and column of a bad value, with the line counted across pieces', async () => {
    const path = join(dir, 'bad.csv');
    const body = Array.from({ length: 60000 }, (_, r) => `${r},${r % 3}`);
    body[50000] = '7,x';
    body[55000] = '1,2,3';
    writeFileSync(path, 'f,t\n' + body.join('\n'));
    await expect(collect(nn.csvBatches(path))).rejects.toThrow(
      `csvBatches: ${path}: non-numeric value "x" in target column "t" at line 50002; for a class column pass options.classNames (nn.csvStats(path) lists the values in one pass)`,
    );
    await expect(collect(nn.csvBatches(path, { classNames: ['0', '1', '2', 'x'] }))).rejects.toThrow(`csvBatches: ${path}: line 55002 has 3 fields, expected 2 like the first line`);
    await expect(collect(nn.csvBatches(path, { classNames: ['0', '1', '2'] }))).rejects.toThrow(
      `csvBatches: ${path}: line 50002: class "x" in target column "t" is not one of options.classNames (0, 1, 2)`,
    );
    writeFileSync(path, 'f,t\n1,2\n,3\n');
    await expect(collect(nn.csvBatches(path))).rejects.toThrow(`csvBatches: ${path}: missing value in feature column "f" at line 3`);
    writeFileSync(path, 'f,t\n1,2\n"1"x,3\n');
    await expect(collect(nn.csvBatches(path))).rejects.toThrow('unexpected "x" after a closing quote at line 3');
    expect(() => nn.csvBatches(path, { target: 'nope' })).toThrow('csvBatches: options.target "nope" is not a column; columns are "f", "t"');
    expect(() => nn.csvBatches(path, { header: false, target: 't' })).toThrow('csvBatches: options.target "t" is a name, which needs header: true');
    expect(() => nn.csvBatches(path, { shuffle: true } as nn.CsvBatchOptions)).toThrow(/csvBatches options: .*unknown key 'shuffle'/);
    expect(() => nn.csvBatches(join(dir, 'missing.csv'))).toThrow(`${join(dir, 'missing.csv')}: cannot read: no such file`);
    expect(() => nn.csvBatches(dir)).toThrow(`${dir}: cannot read: it is a directory`);
  });
});

describe('training from the readers', () => {
  it('fitDataset on an IDX stream gives fit\'s weights on the same rows (native)', async () => {
    const build = () => {
      const m = nn.sequential([nn.dense(6, { inputShape: [35], activation: 'relu' }), nn.dense(10, { activation: 'softmax' })], { backend: 'native', seed: 3 });
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      return m;
    };
    const a = build();
    await a.fit(nn.loadIdxImages(imagesPath).x, Float32Array.from(labels), { batchSize: 16, shuffle: false, epochs: 2 });
    const b = build();
    await b.fitDataset(nn.idxBatches(`${imagesPath}.gz`, `${labelsPath}.gz`, { batchSize: 16 }), { epochs: 2 });
    expect(b.getWeights().map((w) => Array.from(w.data))).toEqual(a.getWeights().map((w) => Array.from(w.data)));
  });

  it('a bad row in a stream stops fitDataset with the reader\'s message and the batch', async () => {
    const path = join(dir, 'late.csv');
    writeFileSync(path, 'a,b\n' + Array.from({ length: 100 }, (_, r) => (r === 70 ? '1,oops' : `${r / 100},${r % 2}`)).join('\n'));
    const model = nn.sequential([nn.dense(2, { inputShape: [1], activation: 'softmax' })], { backend: 'ts' });
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await expect(model.fitDataset(nn.csvBatches(path, { batchSize: 20 }))).rejects.toThrow(
      `fitDataset: epoch 0, batch 3: the data source threw (the 3 batches before it trained and are kept): csvBatches: ${path}: non-numeric value "oops" in target column "b" at line 72; for a class column`,
    );
  });
});

describe('the CLI trains from a stream', () => {
  it('--stream on a CSV file', async () => {
    const { runTrain } = await import('../src/cli/train.js');
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      expect(await runTrain(['--stream', '--data', 'data/iris.csv', '--backend', 'native', '--epochs', '60', '--quiet'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines.at(-1)).toMatch(/^test accuracy: \d\.\d{4}$/);
    expect(Number(lines.at(-1)!.split(': ')[1])).toBeGreaterThanOrEqual(0.8);
  });

  it('--stream on an IDX data set directory', async () => {
    const { runTrain } = await import('../src/cli/train.js');
    const set = join(dir, 'set');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(set, { recursive: true });
    for (const [name, src] of [['train-images-idx3-ubyte', imagesPath], ['train-labels-idx1-ubyte', labelsPath], ['t10k-images-idx3-ubyte.gz', `${imagesPath}.gz`], ['t10k-labels-idx1-ubyte.gz', `${labelsPath}.gz`]]) {
      writeFileSync(join(set, name!), readFileSync(src!));
    }
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(' '));
    try {
      expect(await runTrain(['--stream', '--dataset', 'mnist', '--dir', set, '--backend', 'ts', '--epochs', '2', '--layers', '8', '--quiet'])).toBe(0);
    } finally {
      console.log = log;
    }
    expect(lines.at(-1)).toMatch(/^test accuracy: \d\.\d{4}$/);
  });
});

describe('the browser entry', () => {
  it('reaches fitDataset and no node: module', () => {
    const graph = new Map<string, string[]>();
    const visit = (file: string) => {
      if (graph.has(file)) return;
      const source = readFileSync(file, 'utf8');
      const specifiers = [...source.matchAll(/(?:import|export)\s[^'";]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]!);
      graph.set(file, specifiers.filter((s) => !s.startsWith('.')));
      // TypeScript sources only: the generated wasm/ loader is the wasm engine's, not this test's, concern
      for (const s of specifiers.filter((s) => s.startsWith('.') && !s.endsWith('.mjs'))) visit(resolve(dirname(file), s.replace(/\.js$/, '') + '.ts'));
    };
    visit(fileURLToPath(new URL('../src/browser.ts', import.meta.url)));
    expect([...graph.keys()].some((f) => f.endsWith('src/fit-dataset.ts'))).toBe(true);
    expect([...graph.keys()].filter((f) => /\/data\/(stream|idx-stream|csv-stream)\.ts$/.test(f))).toEqual([]);
    for (const [file, external] of graph) expect({ file, external: external.filter((s) => s.startsWith('node:')) }).toEqual({ file, external: [] });
  });
});
