// Driving the playground page (web/) from a test: open it, set the form, train, read what the page shows.
// The page exposes its state as data attributes (#app[data-state], data-epochs, #bars[data-probabilities]),
// so the test reads numbers, not pixels, wherever it can.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { watchPageErrors } from '../browser/harness.js';

export const SCREENSHOT_DIR = 'test-output/playground';

/** Opens the page at a desktop size; collects console errors, uncaught exceptions and failed requests. */
export async function openPlayground(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = watchPageErrors(page);
  await page.goto(url);
  return { page, errors };
}

export interface RunSettings {
  dataset?: 'moons' | 'circles' | 'xor' | 'iris' | 'digits' | 'fashion';
  hidden?: string;
  activation?: string;
  loss?: string;
  optimizer?: string;
  learningRate?: number;
  batchSize?: number;
  epochs?: number;
  seed?: number;
  dropout?: number;
  /** none, batchNormalization or layerNormalization after each hidden dense layer */
  normalization?: string;
  slow?: boolean;
}

/** Fills the form (dataset first: changing its kind resets the other fields to that kind's defaults). */
export async function setForm(page: Page, settings: RunSettings): Promise<void> {
  const { dataset, slow, ...fields } = settings;
  if (dataset) await page.selectOption('select[name=dataset]', dataset);
  for (const [name, value] of Object.entries(fields)) {
    const selector = `#controls [name=${name}]`;
    const tag = await page.$eval(selector, (el) => el.tagName);
    if (tag === 'SELECT') await page.selectOption(selector, String(value));
    else await page.fill(selector, String(value));
  }
  if (slow !== undefined) await page.setChecked('#controls [name=slow]', slow);
}

/** Presses Train and waits for the run to end; returns the end state ('done', 'stopped' or 'error'). */
export async function train(page: Page, timeout = 30_000): Promise<string> {
  await page.click('#train');
  await page.waitForSelector('#app:not([data-state="training"])', { timeout });
  return (await page.getAttribute('#app', 'data-state'))!;
}

/** The numbers behind the training chart. */
export async function history(page: Page): Promise<{ epochs: number; firstLoss: number; lastLoss: number; valAccuracy: number; chartPoints: number }> {
  return page.evaluate(() => {
    const app = document.getElementById('app')!.dataset;
    return {
      epochs: Number(app.epochs),
      firstLoss: Number(app.firstLoss),
      lastLoss: Number(app.lastLoss),
      valAccuracy: Number(app.valAccuracy),
      chartPoints: Number(document.getElementById('loss-chart')!.dataset.points),
    };
  });
}

export async function barsUpdates(page: Page): Promise<number> {
  return Number((await page.getAttribute('#bars', 'data-updates')) ?? 0);
}

/** Waits until the probability bars were redrawn after `before` updates; returns what they show. */
export async function nextPrediction(page: Page, before: number): Promise<{ probabilities: number[]; top: string; names: string[] }> {
  await page.waitForFunction((n) => Number(document.getElementById('bars')!.dataset.updates ?? 0) > n, before, { timeout: 10_000 });
  return page.evaluate(() => {
    const bars = document.getElementById('bars')!;
    return {
      probabilities: JSON.parse(bars.dataset.probabilities!) as number[],
      top: bars.dataset.top!,
      names: Array.from(bars.querySelectorAll('.name'), (e) => e.textContent!),
    };
  });
}

/** The colour of the decision map at data coordinates (x, y) of the toy plane (extent [-2, 2]²). */
export async function planeColor(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.evaluate(
    ([x, y]) => {
      const canvas = document.getElementById('plane') as HTMLCanvasElement;
      // the plot frame inside the canvas, in CSS pixels (boundary.js PAD)
      const pad = { left: 34, right: 10, top: 10, bottom: 30 };
      const w = canvas.clientWidth - pad.left - pad.right;
      const h = canvas.clientHeight - pad.top - pad.bottom;
      const ratio = canvas.width / canvas.clientWidth;
      const px = Math.round((pad.left + ((x + 2) / 4) * w) * ratio);
      const py = Math.round((pad.top + ((2 - y) / 4) * h) * ratio);
      const d = canvas.getContext('2d')!.getImageData(px, py, 1, 1).data;
      return [d[0]!, d[1]!, d[2]!] as [number, number, number];
    },
    [x, y] as const,
  );
}

/** Clicks the toy plane at data coordinates (x, y). */
export async function clickPlane(page: Page, x: number, y: number): Promise<void> {
  const box = (await page.locator('#plane').boundingBox())!;
  const pad = { left: 34, right: 10, top: 10, bottom: 30 };
  const w = box.width - pad.left - pad.right;
  const h = box.height - pad.top - pad.bottom;
  await page.mouse.click(box.x + pad.left + ((x + 2) / 4) * w, box.y + pad.top + ((2 - y) / 4) * h);
}

export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path });
}
