/**
 * Without the native addon (no compiler at install time), neurite still works: 'auto' falls back and says so
 * once, 'native' fails with the reason, and after `await nn.ready()` 'auto' takes WASM.
 */
import { describe, it, expect, vi } from 'vitest';

describe('native addon missing', () => {
  it("'auto' falls back to ts, then wasm after ready(), warning once", async () => {
    vi.stubEnv('NEURITE_NATIVE_ADDON', '/nonexistent/neurite.node');
    vi.resetModules();
    const nn = await import('../src/index.js');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const make = (backend?: import('../src/index.js').BackendChoice) => nn.sequential([nn.dense(2, { inputShape: [3] })], { backend, seed: 1 });
    expect(make().backend).toBe('ts');
    expect(make().backend).toBe('ts');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/^neurite: native backend unavailable \(NEURITE_NATIVE_ADDON=\/nonexistent\/neurite.node is missing\); using 'ts'/);
    expect(() => make('native')).toThrow(/backend 'native' is not available: NEURITE_NATIVE_ADDON=\/nonexistent\/neurite.node is missing/);
    expect(nn.availableBackends()).not.toContain('native');
    expect(await nn.ready()).toBe('wasm');
    const model = make();
    expect(model.backend).toBe('wasm');
    expect((await model.predict([[1, 2, 3]])).shape).toEqual([1, 2]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    vi.unstubAllEnvs();
  });

  it("says so once when 'auto' goes straight to wasm (ready() before the first model)", async () => {
    vi.stubEnv('NEURITE_NATIVE_ADDON', '/nonexistent/neurite.node');
    vi.resetModules();
    const nn = await import('../src/index.js');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await nn.ready()).toBe('wasm');
    expect(nn.sequential([nn.dense(2, { inputShape: [3] })]).backend).toBe('wasm');
    expect(nn.sequential([nn.dense(2, { inputShape: [3] })]).backend).toBe('wasm');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/native backend unavailable \(.*is missing\); using 'wasm'$/);
    warn.mockRestore();
    vi.unstubAllEnvs();
  });
});
