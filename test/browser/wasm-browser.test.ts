// The wasm engine in a real browser: headless Chromium loads neurite's browser bundle from a page on 127.0.0.1,
// predicts with weights trained in Node (ts backend) and agrees to 1e-5, trains Iris itself, runs the SIMD build,
// and the page logs no error.
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIris } from '../../src/data/iris.js';
import { oneHot } from '../../src/data/onehot.js';
import { dense } from '../../src/layers.js';
import { sequential } from '../../src/model.js';
import { adam } from '../../src/optimizers.js';
import { expectClose } from '../helpers/backends.js';
import { bundlePage, launchChromium, openPage, serve } from './harness.js';
import type * as PageModule from './page-entry.js';

type PageWindow = { page: typeof PageModule };

let server: Server;
let browser: Browser;
let page: Page;
let errors: string[];
let bundleInputs: string[];

beforeAll(async () => {
  const bundle = await bundlePage();
  bundleInputs = bundle.inputs;
  const served = await serve(bundle.code);
  server = served.server;
  browser = await launchChromium();
  ({ page, errors } = await openPage(browser, served.url));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('wasm in Chromium', () => {
  it('bundles src/browser.ts without any node: module', () => {
    expect(bundleInputs.some((f) => f.endsWith('src/browser.ts'))).toBe(true);
    expect(bundleInputs.some((f) => f.endsWith('wasm/neurite-wasm.mjs'))).toBe(true);
    expect(bundleInputs.some((f) => f.endsWith('wasm/neurite-wasm-relaxed.mjs'))).toBe(true);
    expect(bundleInputs.filter((f) => f.startsWith('node:') || f.includes('/data/node'))).toEqual([]);
  });

  it('runs the relaxed-SIMD build (Chromium validates relaxed SIMD since 114)', async () => {
    const info = await page.evaluate(() => (window as unknown as PageWindow).page.wasmInfo());
    expect(info.ready).toBe('wasm');
    expect(info.simd128).toBe(true);
    expect(info.relaxedSimd).toBe(true);
    expect(info.gemmKernel).toBe('wasmrelaxedsimd 5x8');
    expect(info.available).toContain('wasm');
  });

  it('runs the single-threaded build on a page that is not cross-origin isolated, and says why', async () => {
    const info = await page.evaluate(() => (window as unknown as PageWindow).page.wasmInfo());
    expect(info.crossOriginIsolated).toBe(false);
    expect(info.threads).toBe(1);
    expect(info.threadsUnavailable).toMatch(/not cross-origin isolated/);
    expect(info.offThread).toBe(false); // long calls run on the page's thread, paced
  });

  it('predicts like Node with weights trained in Node', async () => {
    const iris = loadIris();
    const layers = [
      { units: 12, activation: 'tanh' as const },
      { units: 7, activation: 'relu' as const },
      { units: 3, activation: 'softmax' as const },
    ];
    const model = sequential(
      layers.map((l, i) => dense(l.units, { activation: l.activation, ...(i === 0 ? { inputShape: [4] } : {}) })),
      { backend: 'ts', seed: 21 },
    );
    model.compile({ optimizer: adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    await model.fit(iris.x, oneHot(iris.labels, 3), { epochs: 5, batchSize: 10 });
    const expected = (await model.predict(iris.x)).data;
    const weights = model.getWeights().map((w) => Array.from(w.data));
    const x = Array.from(iris.x.data);

    const result = await page.evaluate(
      ([layers, weights, x]) => (window as unknown as PageWindow).page.predictWith(4, layers, weights, x),
      [layers, weights, x] as const,
    );
    expect(result.backend).toBe('wasm');
    expectClose('page outputs vs Node', result.out, expected, { atol: 1e-5 });
  });

  it('trains in the page: the loss drops', async () => {
    const r = await page.evaluate(() => (window as unknown as PageWindow).page.trainIris(40));
    expect(r.loss.length).toBe(40);
    expect(r.loss[r.loss.length - 1]!).toBeLessThan(r.loss[0]! * 0.5);
    expect(r.accuracy).toBeGreaterThan(0.85);
  });

  it('stays responsive while it trains: timers fire during fit, and one of them aborts it', async () => {
    const r = await page.evaluate(() => (window as unknown as PageWindow).page.abortFitAfter(300));
    expect(r.aborted).toBe(true);
    expect(r.batches).toBeGreaterThan(0);
    expect(r.ticks).toBeGreaterThanOrEqual(5); // a loaded CI machine still gives several in 300 ms
  });

  it('reports bad input as an error and keeps working', async () => {
    const r = await page.evaluate(() => (window as unknown as PageWindow).page.badInput());
    expect(r.message).toMatch(/x: expected shape \[samples, 2\]/);
    expect(r.stillWorks).toBe(true);
  });

  it('logged no console error', () => {
    expect(errors).toEqual([]);
  });
});

describe('wasm threads in a cross-origin-isolated page', () => {
  let isolatedServer: Server;
  let isolated: Page;
  let isolatedErrors: string[];

  beforeAll(async () => {
    const served = await serve((await bundlePage()).code, { isolated: true });
    isolatedServer = served.server;
    ({ page: isolated, errors: isolatedErrors } = await openPage(browser, served.url));
  }, 120_000);

  afterAll(() => new Promise((resolve) => isolatedServer?.close(resolve)));

  it('runs the threaded build with a thread per core', async () => {
    const info = await isolated.evaluate(() => (window as unknown as PageWindow).page.wasmInfo());
    expect(info.crossOriginIsolated).toBe(true);
    expect(info.threadsUnavailable).toBeUndefined();
    expect(info.threads).toBe(Math.min(16, info.hardwareConcurrency));
    expect(info.threads).toBeGreaterThanOrEqual(2);
    expect(info.simd128).toBe(true);
    expect(info.gemmKernel).toBe('wasmrelaxedsimd 5x8'); // the threaded relaxed build, from its own files
    expect(info.offThread).toBe(true); // long calls run on the runner thread: the page's thread stays free
  });

  it('trains and predicts on 2 threads as on 1', async () => {
    const r = await isolated.evaluate(() => (window as unknown as PageWindow).page.threadsAgree());
    expect(r.loss[2]!).toBeLessThan(r.loss[0]!);
    expect(r.maxDiff).toBeLessThan(1e-5);
  });

  it('predicts like Node with weights trained in Node, and trains Iris', async () => {
    const r = await isolated.evaluate(() => (window as unknown as PageWindow).page.trainIris(40));
    expect(r.loss[r.loss.length - 1]!).toBeLessThan(r.loss[0]! * 0.5);
    expect(r.accuracy).toBeGreaterThan(0.85);
  });

  it('logged no console error', () => {
    expect(isolatedErrors).toEqual([]);
  });
});

describe('an isolated page that does not serve the threaded build', () => {
  it('falls back to the single-threaded build and says why', async () => {
    const served = await serve((await bundlePage()).code, { isolated: true, threadedFiles: false });
    try {
      const { page: p } = await openPage(browser, served.url);
      const info = await p.evaluate(() => (window as unknown as PageWindow).page.wasmInfo());
      expect(info.crossOriginIsolated).toBe(true);
      expect(info.threads).toBe(1);
      expect(info.threadsUnavailable).toMatch(/threaded build failed to start/);
      const r = await p.evaluate(() => (window as unknown as PageWindow).page.trainIris(20));
      expect(r.loss[r.loss.length - 1]!).toBeLessThan(r.loss[0]!);
      await p.close();
    } finally {
      await new Promise((resolve) => served.server.close(resolve));
    }
  });
});
