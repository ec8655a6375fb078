/**
 * Without the native addon (no compiler at install time), neurite still works: 'auto' falls back and says so
 * once, 'native' fails with the reason, and after `await nn.ready()` 'auto' takes WASM.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('the streaming readers give the same batches as with it (their TypeScript references)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neurite-fallback-'));
    try {
      const rows = 300;
      const pixels = Uint8Array.from({ length: rows * 6 }, (_, i) => (i * 37 + (i >> 3)) % 256);
      const csv = ['a,b,label', ...Array.from({ length: rows }, (_, i) => (i === 50 ? '' : `${i},${(i * 0.37).toFixed(2)},${['cat', 'dog'][i % 2]}`))].join('\r\n');
      writeFileSync(join(dir, 'rows.csv'), csv);
      const read = async () => {
        vi.resetModules();
        const nn = await import('../src/index.js');
        writeFileSync(join(dir, 'images'), nn.encodeIdxU8([rows, 2, 3], pixels));
        writeFileSync(join(dir, 'labels'), nn.encodeIdxU8([rows], Uint8Array.from({ length: rows }, (_, i) => i % 7)));
        const out: number[][] = [];
        for (const stream of [
          nn.idxBatches(join(dir, 'images'), join(dir, 'labels'), { batchSize: 16, shuffleBuffer: 40, seed: 3 }),
          nn.idxBatches(join(dir, 'images'), join(dir, 'labels'), { batchSize: 16, normalize: false }),
          nn.csvBatches(join(dir, 'rows.csv'), { target: 'label', classNames: ['cat', 'dog'], batchSize: 16, shuffleBuffer: 40, seed: 3 }),
        ]) {
          for await (const b of stream) out.push([...b.xs.data], [...b.ys]);
        }
        return out;
      };
      const withAddon = await read();
      vi.stubEnv('NEURITE_NATIVE_ADDON', '/nonexistent/neurite.node');
      const without = await read();
      vi.unstubAllEnvs();
      expect(without.length).toBe(withAddon.length);
      expect(without).toEqual(withAddon);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
