// The browser playground (web/) in headless Chromium: served by web/serve.mjs, it trains with the WASM engine in
// a Web Worker on a toy set, Iris and the Fashion-MNIST sample; the chart, the decision map and the prediction
// bars follow; Stop stops; a model saved from Node loads and predicts as Node does, and one saved from the page
// loads in Node and predicts as the page did. Screenshots go to test-output/playground/; with
// NEURITE_UPDATE_SCREENSHOTS=1 the README's docs/images/playground.png is written too.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSample, SAMPLE_PATH } from '../scripts/prepare-playground-data.mjs';
import * as nn from '../src/index.js';
import { centerDigit } from '../web/center-digit.js';
import { expectClose } from './helpers/backends.js';
import { startServer, writeStaticSite, type PlaygroundServer } from '../web/serve.mjs';
import { launchChromium } from './browser/harness.js';
import {
  barsUpdates,
  clickPlane,
  history,
  nextPrediction,
  openPlayground,
  planeColor,
  SCREENSHOT_DIR,
  screenshot,
  setForm,
  train,
} from './playground/page.js';

let server: PlaygroundServer;
let browser: Browser;
let page: Page;
let errors: string[];

beforeAll(async () => {
  server = await startServer({ port: 0 });
  browser = await launchChromium();
  ({ page, errors } = await openPlayground(browser, server.url));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The page down to its footer, for the README (only with NEURITE_UPDATE_SCREENSHOTS=1: the numbers vary). */
async function readmeScreenshot(page: Page, path: string) {
  const height = await page.evaluate(() => Math.ceil(document.querySelector('footer')!.getBoundingClientRect().bottom) + 4);
  await page.screenshot({ path, clip: { x: 0, y: 0, width: 1440, height: Math.min(height, 900) } });
}

describe('the playground server', () => {
  it('serves the page, the neurite bundle and the data with their MIME types, and nothing outside web/', async () => {
    const get = (path: string) => fetch(new URL(path, server.url));
    const types: [string, RegExp][] = [
      ['/', /^text\/html/],
      ['/app.js', /^text\/javascript/],
      ['/worker.js', /^text\/javascript/],
      ['/style.css', /^text\/css/],
      ['/neurite.js', /^text\/javascript/],
      ['/data/fashion-mnist-sample.bin', /^application\/octet-stream/],
      ['/data/mnist-sample.bin.gz', /^application\/gzip/],
    ];
    for (const [path, type] of types) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toMatch(type);
      const body = await response.arrayBuffer();
      if (path === '/neurite.js') expect(new TextDecoder().decode(body)).not.toMatch(/from ['"]node:/);
    }
    expect((await get('/%2e%2e/package.json')).status).toBeGreaterThanOrEqual(403);
    expect((await get('/serve.mjs')).status).toBe(404);
    expect((await get('/nothing-here.js')).status).toBe(404);
    // the digits are served from the package's data/ folder, byte for byte
    const digits = Buffer.from(await (await get('/data/mnist-sample.bin.gz')).arrayBuffer());
    expect(Buffer.compare(digits, readFileSync('data/mnist-sample.bin.gz'))).toBe(0);
  });

  it('--out writes a static copy that includes the digits from data/', async () => {
    const out = mkdtempSync(join(tmpdir(), 'neurite-site-'));
    await writeStaticSite(out);
    for (const file of ['index.html', 'app.js', 'neurite.js', 'center-digit.js', 'data/fashion-mnist-sample.bin', 'data/mnist-sample.bin.gz', 'neurite-wasm-mt.mjs', 'neurite-wasm-mt.worker.js', 'neurite-wasm-mt-relaxed.mjs', 'neurite-wasm-mt-relaxed.worker.js']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    expect(existsSync(join(out, 'serve.mjs'))).toBe(false);
  });
});

describe('centerDigit (the draw pad, for digits)', () => {
  const ink = (cells: [number, number][]) => {
    const p = new Float32Array(784);
    for (const [x, y] of cells) p[y * 28 + x] = 1;
    return p;
  };
  const frame = (p: Float32Array) => {
    let x0 = 28, x1 = -1, y0 = 28, y1 = -1, m = 0, mx = 0, my = 0;
    p.forEach((v, i) => {
      if (v <= 0.05) return;
      const x = i % 28, y = Math.floor(i / 28);
      [x0, x1, y0, y1] = [Math.min(x0, x), Math.max(x1, x), Math.min(y0, y), Math.max(y1, y)];
      m += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    });
    return { width: x1 - x0 + 1, height: y1 - y0 + 1, cx: mx / m, cy: my / m };
  };

  it('scales a small digit drawn in a corner up to a 20-pixel box with its centre of mass in the middle', () => {
    // a 2-wide, 6-tall stroke in the top-left corner
    const small = ink(Array.from({ length: 12 }, (_, i) => [1 + (i % 2), 1 + Math.floor(i / 2)] as [number, number]));
    const f = frame(centerDigit(small));
    expect(f.height).toBeGreaterThanOrEqual(20);
    expect(f.height).toBeLessThanOrEqual(21); // 20, plus at most one grey edge pixel
    expect(f.width).toBeLessThan(10); // the aspect ratio is kept
    expect(f.cx).toBeCloseTo(14, 0);
    expect(f.cy).toBeCloseTo(14, 0);
  });

  it('leaves an empty pad empty', () => {
    expect(centerDigit(new Float32Array(784)).every((v) => v === 0)).toBe(true);
  });
});

describe('the playground in Chromium', () => {
  it('starts the WASM engine in a worker and says it runs single-threaded, and why', async () => {
    await page.waitForSelector('#app[data-state="ready"]', { timeout: 30_000 });
    expect(await page.getAttribute('#app', 'data-engine')).toBe('wasm');
    const footer = await page.textContent('#engine');
    expect(footer).toMatch(/WebAssembly SIMD128/);
    expect(footer).toMatch(/single-threaded: the page is not cross-origin isolated/);
    expect(footer).toMatch(/serve with --isolated for threads/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  });

  it('served --isolated, runs the threaded WASM build and trains with it', async () => {
    const isolated = await startServer({ port: 0, isolated: true });
    try {
      const { page: p, errors: e } = await openPlayground(browser, isolated.url);
      await p.waitForSelector('#app[data-state="ready"]', { timeout: 30_000 });
      expect(await p.evaluate(() => crossOriginIsolated)).toBe(true);
      const footer = await p.textContent('#engine');
      const cores = await p.evaluate(() => navigator.hardwareConcurrency);
      expect(footer).toContain(`${Math.min(16, cores)} threads (the page is cross-origin isolated)`);
      await setForm(p, { dataset: 'moons', epochs: 60, slow: false });
      expect(await train(p)).toBe('done');
      const h = await history(p);
      expect(h.epochs).toBe(60);
      expect(h.lastLoss).toBeLessThan(h.firstLoss);
      expect(e).toEqual([]);
      await p.close();
    } finally {
      await isolated.close();
    }
  });

  it('trains on two moons: the loss falls, the chart, the diagram and the decision map update', async () => {
    await setForm(page, { dataset: 'moons', epochs: 200, slow: false });
    expect(await train(page)).toBe('done');
    const h = await history(page);
    expect(h.epochs).toBe(200);
    expect(h.chartPoints).toBe(200);
    expect(h.lastLoss).toBeLessThan(h.firstLoss * 0.2);
    expect(h.valAccuracy).toBeGreaterThan(0.95);
    expect(Number(await page.getAttribute('#app', 'data-grid-updates'))).toBeGreaterThan(0);
    expect(await page.getAttribute('#network', 'data-edges-drawn')).toBe('true');
    expect(await page.getAttribute('#network', 'data-columns')).toBe('4');

    // classify a point by clicking the map: two bars that sum to 1
    const before = await barsUpdates(page);
    await clickPlane(page, -1, 0.2);
    const p = await nextPrediction(page, before);
    expect(p.probabilities).toHaveLength(2);
    expect(sum(p.probabilities)).toBeCloseTo(1, 5);
    await screenshot(page, `${SCREENSHOT_DIR}/1-moons.png`);
    if (process.env.NEURITE_UPDATE_SCREENSHOTS === '1') await readmeScreenshot(page, 'docs/images/playground.png');
  });

  it('trains with batch normalisation, then layer normalisation, after each hidden layer (dense → norm → activation)', async () => {
    for (const normalization of ['batchNormalization', 'layerNormalization']) {
      await setForm(page, { dataset: 'moons', epochs: 150, slow: false, normalization });
      expect(await train(page)).toBe('done');
      const h = await history(page);
      expect(h.lastLoss).toBeLessThan(h.firstLoss * 0.5);
      expect(h.valAccuracy, normalization).toBeGreaterThan(0.9);
      // the normalisation and activation layers draw inside their dense layer's column
      expect(await page.getAttribute('#network', 'data-columns')).toBe('4');
    }
    await setForm(page, { normalization: 'none' });
  });

  it('draws a real decision map: on circles the centre is blue (inside) and the corners orange', async () => {
    await setForm(page, { dataset: 'circles', epochs: 80, slow: false });
    expect(await train(page)).toBe('done');
    const h = await history(page);
    expect(h.lastLoss).toBeLessThan(h.firstLoss * 0.5);
    const centre = await planeColor(page, 0, 0);
    const corner = await planeColor(page, -1.9, 1.9);
    expect(centre[2]).toBeGreaterThan(centre[0]); // blue side: P(class 1) > 0.5
    expect(corner[0]).toBeGreaterThan(corner[2]); // orange side
  });

  it('stops on Stop, keeping the page responsive while the worker trains', async () => {
    await setForm(page, { dataset: 'xor', epochs: 5000, slow: true });
    await page.click('#train');
    await page.waitForFunction(() => Number(document.getElementById('app')!.dataset.epochs) >= 5, null, { timeout: 10_000 });
    // the training runs in the page's Web Worker, and the main thread is free: a timer fires at once
    expect(page.workers().map((w) => new URL(w.url()).pathname)).toEqual(['/worker.js']);
    const delay = await page.evaluate(() => new Promise<number>((resolve) => {
      const t = performance.now();
      setTimeout(() => resolve(performance.now() - t), 0);
    }));
    expect(delay).toBeLessThan(250);
    expect(await page.getAttribute('#app', 'data-state')).toBe('training');
    await page.click('#stop');
    await page.waitForSelector('#app[data-state="stopped"]', { timeout: 10_000 });
    const h = await history(page);
    expect(h.epochs).toBeGreaterThanOrEqual(5);
    expect(h.epochs).toBeLessThan(5000);
    expect(await page.textContent('#message')).toMatch(/Stopped after \d+ epochs/);
    expect(await page.isEnabled('#train')).toBe(true);
    await screenshot(page, `${SCREENSHOT_DIR}/2-xor-stopped.png`);
  });

  it('trains on Iris and classifies four entered measurements', async () => {
    await setForm(page, { dataset: 'iris', epochs: 60 });
    expect(await train(page)).toBe('done');
    const h = await history(page);
    expect(h.epochs).toBe(60);
    expect(h.lastLoss).toBeLessThan(h.firstLoss * 0.5);
    expect(h.valAccuracy).toBeGreaterThan(0.8);

    for (const [i, v] of [5.1, 3.5, 1.4, 0.2].entries()) await page.fill(`#use-iris [name=f${i}]`, String(v));
    const before = await barsUpdates(page);
    await page.click('#predict-iris');
    const p = await nextPrediction(page, before);
    expect(p.names).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(sum(p.probabilities)).toBeCloseTo(1, 5);
    expect(p.top).toBe('setosa');
    await screenshot(page, `${SCREENSHOT_DIR}/3-iris.png`);
  });

  it('trains on the Fashion-MNIST sample, classifies a test image and a drawing, and saves a model Node can load', async () => {
    await setForm(page, { dataset: 'fashion', hidden: '64', epochs: 2, dropout: 0 });
    expect(await train(page)).toBe('done');
    const h = await history(page);
    expect(h.epochs).toBe(2);
    expect(h.valAccuracy).toBeGreaterThan(0.6);

    let before = await barsUpdates(page);
    await page.click('#gallery button[data-index="0"]');
    const picked = await nextPrediction(page, before);
    expect(picked.probabilities).toHaveLength(10);
    expect(sum(picked.probabilities)).toBeCloseTo(1, 5);
    if (process.env.NEURITE_UPDATE_SCREENSHOTS === '1') await readmeScreenshot(page, 'docs/images/playground-fashion.png');

    // draw a stroke on the pad: the bars follow the drawing
    await page.click('#clear-pad');
    before = await barsUpdates(page);
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let s = 1; s <= 10; s++) await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * (0.15 + 0.07 * s));
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.85);
    await page.mouse.up();
    const drawn = await nextPrediction(page, before);
    expect(drawn.probabilities).toHaveLength(10);
    expect(sum(drawn.probabilities)).toBeCloseTo(1, 5);
    expect(await page.evaluate(() => document.querySelectorAll('#gallery button.right, #gallery button.wrong').length)).toBe(40);
    await screenshot(page, `${SCREENSHOT_DIR}/4-fashion.png`);

    // Save → the bytes load in Node (ts backend) and predict test image 0 as the page did
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    expect(download.suggestedFilename()).toBe('neurite-fashion.safetensors');
    const saved = await nn.loadModel(readFileSync((await download.path())!), { backend: 'ts' });
    expect(saved.extras.classNames).toHaveLength(10);
    const image = Float32Array.from(sampleTestImage(0), (b) => b / 255);
    const expected = (await saved.predict(nn.tensor(image, [1, 784]))).data;
    expectClose('page probabilities vs Node', picked.probabilities, expected, { rtol: 0, atol: 1e-5 });
    saved.dispose();
  });

  it('trains on the handwritten digits and reads a 1 drawn on the pad', async () => {
    await setForm(page, { dataset: 'digits', hidden: '64', epochs: 2, dropout: 0 });
    expect(await page.textContent('#use-hint')).toMatch(/^Draw a digit/);
    expect(await train(page, 60_000)).toBe('done');
    const h = await history(page);
    expect(h.epochs).toBe(2);
    expect(h.valAccuracy).toBeGreaterThan(0.85);
    expect(await page.textContent('#message')).toBe('Trained 2 epochs.');
    // the gallery shows the test digits in turn, 0 to 9, four times
    const titles = await page.evaluate(() => Array.from(document.querySelectorAll('#gallery button'), (b) => (b as HTMLElement).title.split(' ')[0]));
    expect(titles.slice(0, 10)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(titles).toHaveLength(40);

    // one short vertical stroke, off-centre: framed as MNIST's digits were, it reads as a 1
    await page.click('#clear-pad');
    const before = await barsUpdates(page);
    const box = (await page.locator('#pad').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    for (let s = 1; s <= 10; s++) await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * (0.2 + 0.04 * s));
    await page.mouse.up();
    const drawn = await nextPrediction(page, before);
    expect(drawn.names).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(drawn.top).toBe('1');
    await screenshot(page, `${SCREENSHOT_DIR}/4b-digits.png`);
  });

  it('loads a model saved in Node and predicts as Node does', async () => {
    const iris = nn.loadIris();
    const scaler = nn.standardScaler().fit(iris.x);
    const model = nn.sequential([nn.dense(6, { inputShape: [4], activation: 'tanh' }), nn.dense(3, { activation: 'softmax' })], { backend: 'ts', seed: 7 });
    model.compile({ optimizer: nn.adam({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
    await model.fit(scaler.transform(iris.x), iris.labels, { epochs: 3, batchSize: 16 });
    const classNames = ['Iris setosa', 'Iris versicolor', 'Iris virginica'];
    const bytes = (await model.save(undefined, { classNames, standardization: { mean: scaler.mean, std: scaler.std } })) as Uint8Array;
    const file = join(mkdtempSync(join(tmpdir(), 'neurite-playground-')), 'iris-from-node.safetensors');
    writeFileSync(file, bytes);
    const flower = [6.3, 2.8, 5.1, 1.5];
    const expected = (await model.predict(scaler.transform(nn.tensor([flower])))).data;

    await page.setInputFiles('#load', file);
    await page.waitForSelector('#app[data-model="loaded"]', { timeout: 10_000 });
    expect(await page.inputValue('select[name=dataset]')).toBe('iris');
    expect(await page.textContent('#model-source')).toMatch(/iris-from-node\.safetensors/);
    for (const [i, v] of flower.entries()) await page.fill(`#use-iris [name=f${i}]`, String(v));
    const before = await barsUpdates(page);
    await page.click('#predict-iris');
    const p = await nextPrediction(page, before);
    expect(p.names).toEqual(classNames);
    expectClose('page probabilities vs Node', p.probabilities, expected, { rtol: 0, atol: 1e-5 });
    await screenshot(page, `${SCREENSHOT_DIR}/5-loaded-from-node.png`);
  });

  it('logged no console error, uncaught exception or failed request', () => {
    expect(errors).toEqual([]);
  });
});

/** Test image `index` of the committed sample, as bytes (layout: scripts/prepare-playground-data.mjs). */
function sampleTestImage(index: number): Uint8Array {
  const bytes = readFileSync(SAMPLE_PATH);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(8, true);
  const meta = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8')) as { train: number; test: number };
  const pixelsAt = 12 + headerLength + meta.train + meta.test + meta.train * 784;
  return bytes.subarray(pixelsAt + index * 784, pixelsAt + (index + 1) * 784);
}

describe('the committed Fashion-MNIST sample', () => {
  it.runIf(existsSync(nn.FASHION_MNIST_DIR))('is what scripts/prepare-playground-data.mjs makes from ' + nn.FASHION_MNIST_DIR, () => {
    const made = encodeSample(nn.loadFashionMnist(undefined, { normalize: false }));
    const committed = readFileSync(SAMPLE_PATH);
    expect(made.length).toBe(committed.length);
    expect(Buffer.compare(Buffer.from(made), committed)).toBe(0);
  });
});
