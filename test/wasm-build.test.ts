/**
 * Each vitest project asks for its WASM build through the environment (vitest.config.ts: NEURITE_WASM_BUILD,
 * NEURITE_WASM_SIMD); this holds the loaded module to it, so a project that silently ran another build fails.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { relaxedSimdAvailable } from '../src/backends/wasm-engine.js';

describe('the build this process loaded', () => {
  it('is the one NEURITE_WASM_BUILD and NEURITE_WASM_SIMD ask for, else the threaded one, relaxed where validated', async () => {
    await nn.ready('wasm');
    const info = nn.wasmInfo()!;
    expect(info.build).toBe(process.env.NEURITE_WASM_BUILD || 'threads');
    const simd = process.env.NEURITE_WASM_SIMD;
    expect(info.relaxedSimd).toBe(simd ? simd === 'relaxed' : relaxedSimdAvailable());
    expect(info.gemmKernel).toBe(info.relaxedSimd ? 'wasmrelaxedsimd 5x8' : 'wasmsimd 5x8');
  });
});
