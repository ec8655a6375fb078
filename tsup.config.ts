import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
    format: ['esm', 'cjs'],
    dts: { entry: { index: 'src/index.ts' } },
    // import.meta.url is how the ESM build finds build/ and wasm/ files; shims gives the CJS build the same.
    shims: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    sourcemap: true,
  },
  {
    // browsers and bundlers: API + WASM engine, no node: imports
    entry: { browser: 'src/browser.ts' },
    format: ['esm'],
    dts: { entry: { browser: 'src/browser.ts' } },
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
  },
]);
