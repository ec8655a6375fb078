// When the engine cannot run (here: a JavaScript engine without WebAssembly SIMD), ready('wasm') rejects with
// the reason, 'auto' falls back to TypeScript, and a later ready() tries again.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ready, registerBackend, resolveBackend } from '../src/backends/registry.js';
import { wasmProvider } from '../src/backends/wasm.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('wasm backend unavailable', () => {
  it('says why, falls back to ts for auto, and recovers once SIMD is there', async () => {
    registerBackend(wasmProvider);
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    await expect(wasmProvider.ready()).rejects.toThrow(/lacks WebAssembly SIMD/);
    expect(wasmProvider.get()).toBeUndefined();
    expect(wasmProvider.unavailableReason()).toMatch(/lacks WebAssembly SIMD/);
    expect(() => resolveBackend('wasm')).toThrow(/backend 'wasm' is not available: this JavaScript engine lacks WebAssembly SIMD/);
    expect(await ready('auto')).toBe('ts');

    vi.restoreAllMocks();
    expect(await ready('wasm')).toBe('wasm');
    expect(wasmProvider.get()?.name).toBe('wasm');
    expect(wasmProvider.unavailableReason()).toBeUndefined();
  });
});
