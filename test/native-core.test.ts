/**
 * Runs the C++ core's own unit tests (native/test: every GEMM kernel and form against a naive reference, the
 * ops, the engine, the RNG vectors) by building and running neurite_core_tests with scripts/test-native.sh.
 * NEURITE_TEST_SANITIZE=1 runs the AddressSanitizer + UndefinedBehaviorSanitizer build instead. The same tests also
 * run as WASM (scripts/test-native.sh --wasm), twice: with the plain SIMD128 kernel and the relaxed-SIMD one.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function runCoreTests(args: string[]): void {
  const r = spawnSync('bash', ['scripts/test-native.sh', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = `${r.stdout}\n${r.stderr}`;
  const summary = /(\d+) passed, (\d+) failed/.exec(r.stdout);
  expect(summary, out).not.toBeNull();
  expect(Number(summary![2]), out).toBe(0);
  expect(Number(summary![1])).toBeGreaterThan(20);
  expect(r.status, out).toBe(0);
}

describe('native core (C++ unit tests)', () => {
  it('neurite_core_tests passes', () => {
    runCoreTests(process.env.NEURITE_TEST_SANITIZE === '1' ? ['--sanitize'] : []);
  }, 900_000);

  // The same tests built with Emscripten and run by Node: the wasmsimd kernel and the core as the browser runs it
  // (no FMA, its own thresholds), which the x86 build above never executes.
  it('neurite_core_tests passes as WASM', () => {
    runCoreTests(['--wasm']);
  }, 900_000);

  // The relaxed-SIMD kernel (a fused multiply-add, f32x4.relaxed_madd after scripts/patch-relaxed-simd.mjs)
  // against the same references: the kernel Chromium runs.
  it('neurite_core_tests passes as WASM with relaxed SIMD', () => {
    runCoreTests(['--wasm-relaxed']);
  }, 900_000);
});
