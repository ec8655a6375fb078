import { defineConfig } from 'vitest/config';
import { relaxedSimdAvailable } from './src/backends/wasm-engine.js';

const common = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const };

/** The suites that hold every backend to the reference, run once more on each other wasm build. */
const crossBackend = [
  'test/backend-ops.test.ts',
  'test/golden.test.ts',
  'test/golden-norm.test.ts',
  'test/backend-boundary.test.ts',
  'test/wasm-errors.test.ts',
  'test/wasm-progress.test.ts',
  'test/event-loop.test.ts',
  'test/wasm-build.test.ts',
];

/**
 * Three projects: every test, with the wasm backend on the build Node gets by default (the threaded one, with
 * relaxed SIMD where this Node validates it); the cross-backend suites on the single-threaded build, the fallback
 * of pages that are not cross-origin isolated; and the same on the relaxed-SIMD build, the one Chromium runs,
 * which Node 20 validates only behind a flag.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { ...common, name: 'all', include: ['test/**/*.test.ts'] } },
      { test: { ...common, name: 'wasm-single', include: crossBackend, env: { NEURITE_WASM_BUILD: 'single', NEURITE_WASM_SIMD: 'simd128' } } },
      {
        test: {
          ...common,
          name: 'wasm-relaxed',
          include: crossBackend,
          env: { NEURITE_WASM_SIMD: 'relaxed' },
          execArgv: relaxedSimdAvailable() ? [] : ['--experimental-wasm-relaxed-simd'],
        },
      },
    ],
  },
});
