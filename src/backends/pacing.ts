/**
 * Yielding to the event loop during long work, for the backends that compute on the JavaScript thread (ts, and
 * wasm, which cannot yield inside a call). One pacer and one time budget serve them all, across calls: fit() runs
 * epoch after epoch with only microtasks in between, so a budget per call (or per epoch) would let a hundred tiny
 * epochs block timers, I/O, AbortSignal listeners and painting for the whole fit.
 *
 * The rule: before each piece of work (a batch, a slice of batches, a chunk of rows) call `await beforeWork()`.
 * It returns at once while less than BUDGET_MS of work has run since the event loop last turned, and otherwise
 * yields one macrotask first. A marker macrotask tells whether the event loop has turned since the work began
 * (then the budget is fresh).
 */

/**
 * Milliseconds of work between two yields: in Node, where setImmediate costs ~20 µs, 5 ms; in browsers, where
 * a yield (a MessageChannel message) costs ~0.1 ms, half a 60 Hz frame.
 */
export const BUDGET_MS = typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function' ? 5 : 8;

/** The clock the pacer reads; tests replace `now` to make pacing independent of the CPU's speed. */
export const pacingClock = {
  now: (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
};

/**
 * Runs `callback` as a macrotask: setImmediate in Node, a MessageChannel message in browsers (setTimeout(0) is
 * clamped to 4 ms when nested).
 */
function makePostTask(): (callback: () => void) => void {
  const g = globalThis as { setImmediate?: (f: () => void) => void; MessageChannel?: typeof MessageChannel };
  if (typeof g.setImmediate === 'function') return g.setImmediate;
  if (typeof g.MessageChannel === 'function') {
    const channel = new g.MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return (callback) => {
      waiting.push(callback);
      channel.port2.postMessage(0);
    };
  }
  return (callback) => setTimeout(callback, 0);
}

const postTask = makePostTask();
let turned = true;
let since = 0;
const markTurn = () => {
  turned = true;
};

function start(): void {
  turned = false;
  since = pacingClock.now();
  postTask(markTurn);
}

/** Call before each piece of work: yields one macrotask first when the running budget is spent. */
export async function beforeWork(): Promise<void> {
  if (turned) return start();
  if (pacingClock.now() - since < BUDGET_MS) return;
  await new Promise<void>((resolve) => postTask(resolve));
  start();
}

/** Milliseconds of work left before the next yield (at least 1, so every slice makes progress). */
export function budgetLeft(): number {
  return Math.max(1, BUDGET_MS - (pacingClock.now() - since));
}

/** How many rows (a multiple of `unit`) fit a time budget, from the speed of the chunks so far. */
export class ChunkSizer {
  private msPerRow = 0;
  constructor(private readonly unit: number) {}
  rows(budgetMs: number): number {
    if (this.msPerRow === 0) return this.unit;
    return Math.max(1, Math.floor(budgetMs / this.msPerRow / this.unit)) * this.unit;
  }
  measured(rows: number, ms: number): void {
    this.msPerRow = Math.max(ms, 0.01) / rows;
  }
}
