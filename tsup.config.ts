import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  // import.meta.url is how the ESM build finds native/ and wasm/ files; shims gives the CJS build the same.
  shims: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
});
