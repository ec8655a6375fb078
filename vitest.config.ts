import { defineConfig } from 'vitest/config';

const common = { testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks' as const };

/**
 * Two projects: every test, with the wasm backend on the build Node gets by default (the threaded one), and the
 * suites that hold every backend to the reference once more on the single-threaded wasm build, the fallback of
 * pages that are not cross-origin isolated.
 */
export default defineConfig({
  test: {
    projects: [
      { test: { ...common, name: 'all', include: ['test/**/*.test.ts'] } },
      {
        test: {
          ...common,
          name: 'wasm-single',
          include: ['test/backend-ops.test.ts', 'test/golden.test.ts', 'test/golden-norm.test.ts', 'test/backend-boundary.test.ts', 'test/wasm-errors.test.ts', 'test/wasm-progress.test.ts', 'test/event-loop.test.ts'],
          env: { NEURITE_WASM_BUILD: 'single' },
        },
      },
    ],
  },
});
