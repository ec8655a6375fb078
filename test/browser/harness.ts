// What a real-browser test or benchmark needs: neurite's browser entry bundled as the page will load it, a
// static server on 127.0.0.1, and headless Chromium (the Debian package, driven by playwright-core).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { THREADED_BROWSER_FILES } from '../../wasm/threaded-files.mjs';

export const CHROMIUM = process.env.NEURITE_CHROMIUM ?? '/usr/bin/chromium';
const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Bundles a page's entry (by default test/browser/page-entry.ts: src/browser.ts plus a handle on the wasm
 * backend) for the browser, as one ES module. platform 'browser' makes any node:* import it reaches an error.
 * `inputs` are relative to `workingDir` (default: the process's).
 */
export async function bundlePage(entry = `${here}page-entry.ts`, workingDir?: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [entry],
    ...(workingDir ? { absWorkingDir: workingDir } : {}),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

export const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>neurite wasm</title></head>
<body><script type="module">
import * as page from '/page.js';
window.page = page;
window.pageLoaded = true;
</script></body></html>`;

/**
 * The threaded WASM builds' files (wasm/threaded-files.mjs), served beside the bundle, which starts their pthread
 * workers by URL from beside itself. Chromium (relaxed SIMD) loads the -relaxed one.
 */
export const THREADED_FILES: Record<string, string> = Object.fromEntries(
  THREADED_BROWSER_FILES.map((file) => [`/${file}`, fileURLToPath(new URL(`../../wasm/${file}`, import.meta.url))]),
);

/** The headers that make a page cross-origin isolated (SharedArrayBuffer, so WASM threads). */
export const ISOLATION_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/**
 * Serves the page and the bundle from 127.0.0.1 on a free port; `isolated` adds the COOP/COEP headers,
 * `threadedFiles: false` leaves out the threaded build's files (as a site that did not copy them would).
 */
export async function serve(bundle: string, { isolated = false, threadedFiles = true } = {}): Promise<{ server: Server; url: string }> {
  const headers = isolated ? ISOLATION_HEADERS : {};
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(PAGE_HTML);
    } else if (path === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...headers });
      res.end(bundle);
    } else if (threadedFiles && Object.hasOwn(THREADED_FILES, path)) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...headers });
      res.end(readFileSync(THREADED_FILES[path]!));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}

export function launchChromium(): Promise<Browser> {
  // launch() gives each run a fresh temporary profile (user-data-dir).
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Console errors, uncaught exceptions and failed requests of a page, collected as they happen. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  return errors;
}

/** Opens the page and waits for the bundle to load; collects console errors and uncaught exceptions. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.goto(url);
  await page.waitForFunction(() => (window as unknown as { pageLoaded?: boolean }).pageLoaded === true, null, { timeout: 30_000 });
  return { page, errors };
}
