/**
 * Yielding to the event loop during long work.
 *
 * An epoch is seconds of synchronous arithmetic; awaiting a resolved promise only runs microtasks, so
 * timers, I/O, AbortSignal listeners and (in a browser) rendering would all wait for the whole fit. A
 * macrotask lets them run. setImmediate is Node's cheapest; browsers get a MessageChannel message, which
 * unlike setTimeout(0) is not clamped to 4 ms when nested.
 */

let channel: MessageChannel | null = null;
const waiting: Array<() => void> = [];

export function nextMacrotask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => waiting.shift()?.();
    }
    const port = channel.port2;
    return new Promise((resolve) => {
      waiting.push(resolve);
      port.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Calls nextMacrotask() at most once per `intervalMs` of work: cheap enough to call after every batch. */
export class Yielder {
  private last = now();

  constructor(private readonly intervalMs = 10) {}

  async maybeYield(): Promise<void> {
    if (now() - this.last < this.intervalMs) return;
    await nextMacrotask();
    this.last = now();
  }
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
