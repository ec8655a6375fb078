import type { Backend, BackendName } from './backend.js';
import { tsBackend } from './ts/index.js';

/**
 * Which engines exist and how to get them. The Node entry registers the native addon and the WASM module;
 * the browser entry registers only WASM. 'auto' prefers native, then WASM (once ready), then TypeScript.
 */
export interface BackendProvider {
  name: BackendName;
  /** the backend if it can be had synchronously now (native: addon loads; wasm: already instantiated) */
  get(): Backend | undefined;
  /** load it, or reject with the reason it is unavailable */
  ready(): Promise<Backend>;
  /** why get() returned undefined, if known */
  unavailableReason(): string | undefined;
}

const providers = new Map<BackendName, BackendProvider>();

providers.set('ts', {
  name: 'ts',
  get: () => tsBackend,
  ready: async () => tsBackend,
  unavailableReason: () => undefined,
});

export function registerBackend(provider: BackendProvider): void {
  providers.set(provider.name, provider);
}

export const backendNames: readonly BackendName[] = ['ts', 'native', 'wasm'];
export type BackendChoice = BackendName | 'auto';

let warnedFallback = false;

export function resolveBackend(choice: BackendChoice): Backend {
  if (choice === 'auto') {
    const native = providers.get('native');
    const fromNative = native?.get();
    if (fromNative) return fromNative;
    const fromWasm = providers.get('wasm')?.get();
    // Said once, whichever engine takes over: a missing addon is fixable, and the message says how.
    if (native && !warnedFallback) {
      warnedFallback = true;
      console.warn(
        `neurite: native backend unavailable (${native.unavailableReason() ?? 'unknown reason'}); using '${fromWasm ? 'wasm' : 'ts'}'` +
          (!fromWasm && providers.has('wasm') ? " (`await nn.ready()` first to use 'wasm')" : ''),
      );
    }
    return fromWasm ?? tsBackend;
  }
  const provider = providers.get(choice);
  if (!provider) {
    throw new Error(`backend: expected one of 'auto', ${backendNames.map((n) => `'${n}'`).join(', ')}, got ${JSON.stringify(choice)}`);
  }
  const backend = provider.get();
  if (!backend) {
    const reason = provider.unavailableReason();
    throw new Error(
      `backend '${choice}' is not available${reason ? `: ${reason}` : ''}` +
        (choice === 'wasm' ? " (call `await nn.ready('wasm')` before creating the model)" : ''),
    );
  }
  return backend;
}

/** Prepare a backend that needs asynchronous set-up (WASM); resolves with its name. */
export async function ready(name: BackendChoice = 'auto'): Promise<BackendName> {
  if (name === 'auto') {
    const native = providers.get('native')?.get();
    if (native) return native.name;
    const wasm = providers.get('wasm');
    if (wasm) {
      try {
        return (await wasm.ready()).name;
      } catch {
        /* fall through to ts */
      }
    }
    return 'ts';
  }
  const provider = providers.get(name);
  if (!provider) throw new Error(`ready: unknown backend ${JSON.stringify(name)}`);
  return (await provider.ready()).name;
}

/** Names of the backends that can run here right now. */
export function availableBackends(): BackendName[] {
  return [...providers.values()].filter((p) => p.get() !== undefined).map((p) => p.name);
}
