// The WASM module itself: it loads in Node through the provider, it is the SIMD128 build, and its binary really
// contains SIMD instructions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registerBackend, resolveBackend } from '../src/backends/registry.js';
import { loadWasmBackend, wasmProvider } from '../src/backends/wasm.js';

const modulePath = fileURLToPath(new URL('../wasm/neurite-wasm.mjs', import.meta.url));

/** The wasm binary inlined in the .mjs (built with -sSINGLE_FILE) as a base64 data URI. */
function wasmBytes(): Uint8Array<ArrayBuffer> {
  const text = readFileSync(modulePath, 'utf8');
  // the binary is the one long base64 literal; the runtime also mentions the bare prefix, hence the lookahead
  const match = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]{1000,})"/.exec(text);
  expect(match, 'inlined wasm binary').not.toBeNull();
  return Uint8Array.from(Buffer.from(match![1]!, 'base64'));
}

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++]!;
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, at];
  }
}

/** [start, end) of the section with the given id. */
function section(bytes: Uint8Array, id: number): [number, number] {
  let at = 8;
  while (at < bytes.length) {
    const sectionId = bytes[at]!;
    const [size, body] = readLeb(bytes, at + 1);
    if (sectionId === id) return [body, body + size];
    at = body + size;
  }
  throw new Error(`no section ${id}`);
}

function countSequence(bytes: Uint8Array, from: number, to: number, seq: number[]): number {
  let n = 0;
  outer: for (let i = from; i + seq.length <= to; i++) {
    for (let j = 0; j < seq.length; j++) if (bytes[i + j] !== seq[j]) continue outer;
    n++;
  }
  return n;
}

describe('wasm module', () => {
  it('is not available before ready() and is after', async () => {
    expect(wasmProvider.unavailableReason()).toMatch(/ready/);
    registerBackend(wasmProvider);
    expect(() => resolveBackend('wasm')).toThrow(/not available.*ready\('wasm'\)/);
    const backend = await wasmProvider.ready();
    expect(backend.name).toBe('wasm');
    expect(wasmProvider.get()).toBe(backend);
    expect(resolveBackend('wasm')).toBe(backend);
    expect(await loadWasmBackend()).toBe(backend); // instantiated once
  });

  it('runs the SIMD128 build with the SIMD GEMM kernel', async () => {
    const backend = await loadWasmBackend();
    expect(backend.simd128).toBe(true);
    expect(backend.gemmKernel).toMatch(/wasm/i);
  });

  it('contains SIMD instructions in its code section', () => {
    const bytes = wasmBytes();
    expect(WebAssembly.validate(bytes)).toBe(true);
    const [from, to] = section(bytes, 10);
    // f32x4.mul (0xfd 0xe6 0x01) and f32x4.add (0xfd 0xe4 0x01): the multiply-adds of the GEMM microkernel. A
    // scalar build has none; a random 3-byte match is a ~1/16M event per position.
    const mul = countSequence(bytes, from, to, [0xfd, 0xe6, 0x01]);
    const add = countSequence(bytes, from, to, [0xfd, 0xe4, 0x01]);
    expect(mul).toBeGreaterThan(16);
    expect(add).toBeGreaterThan(16);
  });

  it('is one ES module with no absolute path and no Node-only import', () => {
    const text = readFileSync(modulePath, 'utf8');
    expect(text).toMatch(/export default createNeuriteWasm/);
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/require\(["']fs["']\)|from ["']node:/);
  });
});
