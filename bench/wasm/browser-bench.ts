// The wasm engine in headless Chromium (the Debian package, driven by playwright-core): W3 batch-1 latency and
// batch-1024 samples/s, measured inside a page served from 127.0.0.1.
// Run: node bench/wasm/run.mjs bench/wasm/browser-bench.ts
import { resolve } from 'node:path';
import { bundlePage, launchChromium, openPage, serve } from '../../test/browser/harness.js';

// run.mjs bundles this file into build-bench/, so the page entry is found from the repository root (the cwd).
const entry = resolve('bench/wasm/browser-page.ts');
const { code } = await bundlePage(entry);
const { server, url } = await serve(code);
const browser = await launchChromium();
try {
  const { page, errors } = await openPage(browser, url);
  const r = await page.evaluate(() => (window as unknown as { page: typeof import('./browser-page.js') }).page.runW3());
  console.log(`${r.userAgent}\nwasm backend: simd128=${r.simd128}, gemm kernel "${r.gemmKernel}"`);
  console.log(`W3 predict batch 1 (Chromium):    ${r.latencyUs.toFixed(2)} µs (target ≤ 16)`);
  console.log(`W3 predict batch 1024 (Chromium): ${Math.round(r.batch1024PerSecond).toLocaleString('en-US')} samples/s (target ≥ 103,000)`);
  if (errors.length) console.log(`page errors:\n  ${errors.join('\n  ')}`);
} finally {
  await browser.close();
  server.close();
}
