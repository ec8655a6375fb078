// The Chromium stage of the suite: neurite's wasm engine, tfjs-backend-wasm and onnxruntime-web at W3, in one
// headless Chromium (the Debian package, driven by playwright-core), on two pages open side by side:
//   1 thread   a plain page (no SharedArrayBuffer: every system runs one thread; the timer is 100 µs)
//   2 threads  a cross-origin-isolated page (COOP/COEP from wasm/server.ts: threads allowed; the timer is 5 µs)
// All six (page, system) pairs are alternated round by round like the Node systems (lib/alternate.ts).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { alternate } from '../lib/alternate.js';
import { median } from '../lib/measure.js';
import type { Plan } from '../lib/plan.js';
import type { Figure } from '../lib/protocol.js';
import type { PageInfo, PageSystem, PageTask } from './browser-page.js';
import { servePage } from './server.js';

export type BrowserWorkload = 'w3Latency' | 'w3Throughput';

export interface BrowserSystemResult {
  /** the page's name and the system, e.g. '2 threads/ort-web' */
  key: string;
  id: PageSystem;
  label: string;
  available: boolean;
  reason?: string;
  version?: string;
  threads?: number;
  notes: string[];
  figures: Partial<Record<BrowserWorkload, Figure>>;
  failed?: Partial<Record<BrowserWorkload, string>>;
}

export interface BrowserPageResult {
  name: string;
  /** threads asked of every system on this page */
  threads: number;
  isolated: boolean;
  crossOriginIsolated: boolean;
  timerResolutionUs: number;
  systems: BrowserSystemResult[];
  /** calls per timed batch-1 chunk, per system */
  chunkCalls?: Record<string, number>;
  errors: string[];
}

export interface BrowserResult {
  available: boolean;
  reason?: string;
  userAgent?: string;
  pages: BrowserPageResult[];
  schedule?: Record<BrowserWorkload, string[][]>;
}

export const PAGE_LABELS: Record<PageSystem, string> = { neurite: 'neurite wasm', 'tfjs-wasm': 'tfjs wasm (XNNPACK)', 'ort-web': 'onnxruntime-web' };

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A directory of an installed package (bench/node_modules, else the root's), or undefined. Found on disk, not
 * through require.resolve: onnxruntime-web's "exports" does not expose its package.json or dist/.
 */
function packageDir(name: string, sub: string): string | undefined {
  for (const modules of [join(here, '..', 'node_modules'), join(here, '..', '..', 'node_modules')]) {
    const dir = join(modules, name, sub);
    if (existsSync(join(modules, name, 'package.json')) && existsSync(dir)) return dir;
  }
  return undefined;
}

const NOT_INSTALLED = (name: string) => `${name} is not installed: run \`npm install\` in bench/`;

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function runBrowser(plan: Plan, log: (line: string) => void): Promise<BrowserResult> {
  // Everything the stage needs from the root install, loaded here so a missing piece is a reason, not a crash.
  let harness: typeof import('../../test/browser/harness.js');
  try {
    harness = await import('../../test/browser/harness.js');
  } catch (e) {
    return { available: false, reason: `the browser harness did not load (playwright-core and esbuild are root devDependencies): ${String(e)}`, pages: [] };
  }
  if (!existsSync(harness.CHROMIUM)) return { available: false, reason: `${harness.CHROMIUM} is missing (Debian: apt-get install chromium)`, pages: [] };

  const tfjsDir = packageDir('@tensorflow/tfjs', 'dist');
  const tfjsWasmDir = packageDir('@tensorflow/tfjs-backend-wasm', 'dist');
  const ortDir = packageDir('onnxruntime-web', 'dist');
  const skip: Partial<Record<PageSystem, string>> = {
    'tfjs-wasm': !tfjsDir ? NOT_INSTALLED('@tensorflow/tfjs') : !tfjsWasmDir ? NOT_INSTALLED('@tensorflow/tfjs-backend-wasm') : undefined,
    'ort-web': !ortDir ? NOT_INSTALLED('onnxruntime-web') : undefined,
  };
  const mounts: Record<string, string> = {};
  if (tfjsDir && tfjsWasmDir) Object.assign(mounts, { tfjs: tfjsDir, 'tfjs-wasm': tfjsWasmDir });
  if (ortDir) mounts.ort = ortDir;

  const { code } = await harness.bundlePage(join(here, 'browser-page.ts'));
  const configs = [
    { name: '1 thread', threads: 1, isolated: false },
    { name: '2 threads', threads: 2, isolated: true },
  ];
  // neurite's threaded WASM build beside the bundle, where its pthread workers look for it
  const servers = await Promise.all(configs.map((c) => servePage(code, mounts, c.isolated, harness.THREADED_FILES)));
  let browser: Browser | undefined;
  try {
    browser = await harness.launchChromium();
    const pages: { page: Page; result: BrowserPageResult }[] = [];
    let userAgent: string | undefined;
    for (const [i, config] of configs.entries()) {
      const page = await browser.newPage();
      const errors = harness.watchPageErrors(page);
      await page.goto(servers[i]!.url);
      await page.waitForFunction(() => (window as unknown as { pageLoaded?: boolean }).pageLoaded === true, null, { timeout: 60_000 });
      const info = await withTimeout(
        page.evaluate((c) => (window as unknown as { page: typeof import('./browser-page.js') }).page.setup(c), { threads: config.threads, skip }),
        120_000,
        `${config.name} page set-up`,
      );
      userAgent ??= (info as PageInfo).userAgent;
      const systems = (info as PageInfo).systems.map(
        (s): BrowserSystemResult => ({ key: `${config.name}/${s.id}`, id: s.id, label: PAGE_LABELS[s.id], available: s.available, reason: s.reason, version: s.version, threads: s.threads, notes: s.notes, figures: {} }),
      );
      for (const s of systems) log(`[chromium ${config.name}] ${s.label}: ${s.available ? `threads ${s.threads}` : `unavailable: ${s.reason}`}`);
      pages.push({
        page,
        result: { ...config, crossOriginIsolated: info.crossOriginIsolated, timerResolutionUs: info.timerResolutionUs, systems, errors },
      });
    }

    const participants = pages.flatMap((p) => p.result.systems.filter((s) => s.available).map((s) => ({ page: p, system: s })));
    const tasks: Record<BrowserWorkload, PageTask> = {
      w3Latency: { kind: 'latency', chunks: plan.browserChunks, chunkMs: plan.browserChunkMs },
      w3Throughput: { kind: 'throughput', seconds: plan.browserSeconds },
    };
    const schedule = {} as Record<BrowserWorkload, string[][]>;
    for (const w of ['w3Latency', 'w3Throughput'] as const) {
      const task = tasks[w];
      const done = await alternate(participants, { rounds: plan.browserRounds, warmup: 1, name: (p) => p.system.key }, async ({ page, system }) => {
        await page.page.bringToFront(); // a background tab may be throttled
        return withTimeout(
          page.page.evaluate(([id, t]) => (window as unknown as { page: typeof import('./browser-page.js') }).page.run(id, t), [system.id, task] as const),
          300_000,
          `${system.key} ${w}`,
        );
      });
      schedule[w] = done.schedule;
      for (const part of participants) {
        const runs = done.runs.get(part);
        if (!runs?.length) continue;
        const detail =
          w === 'w3Latency'
            ? `median of ${plan.browserChunks} chunks of back-to-back calls, each chunk timed as a whole (≥ ${plan.browserChunkMs} ms)`
            : `${plan.browserSeconds} s of batch-1024 calls per run`;
        part.system.figures[w] = { median: median(runs), runs, detail };
        log(`[chromium ${part.system.key}] ${w}: ${median(runs).toPrecision(4)} (${runs.map((v) => v.toPrecision(4)).join(', ')})`);
      }
      for (const [p, error] of done.failed) (p.system.failed ??= {})[w] = error;
    }
    for (const p of pages) {
      p.result.chunkCalls = await p.page.evaluate(() => (window as unknown as { page: typeof import('./browser-page.js') }).page.chunkSizes());
    }
    return { available: true, userAgent, pages: pages.map((p) => p.result), schedule };
  } catch (e) {
    return { available: false, reason: `the Chromium stage failed: ${e instanceof Error ? e.message : String(e)}`, pages: [] };
  } finally {
    await browser?.close();
    for (const s of servers) s.server.close();
  }
}
