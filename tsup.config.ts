import { copyFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { THREADED_BUILDS, THREADED_FILES } from './wasm/threaded-files.mjs';

/**
 * One ES-module build for every entry (Node API, browser API, CLI). Code splitting puts what they share, the
 * WASM glue included, in chunks loaded by all of them, so each piece ships once. The CommonJS entry is not a
 * second bundle: Node >= 20.19 can require() an ES module, so cjs/index.cjs re-exports dist/index.js, and
 * `require('neurite')` and `import 'neurite'` get the same module instance (the same Tensor class, the same
 * backend registry).
 *
 * Source maps only on request (NEURITE_SOURCEMAP=1 npm run build, or before npm pack): they are larger than
 * the code and carry the sources inside them.
 */
const sourcemap = process.env.NEURITE_SOURCEMAP === '1';

/**
 * The threaded WASM builds are not bundled: their pthread workers load them again by URL, from beside their worker
 * file (wasm/threaded-files.mjs). So dist/ gets their files as they are, and the chunk that loads one imports it
 * from './'.
 */
const threadedWasmExternal = {
  name: 'threaded-wasm-external',
  setup(build: { onResolve: (o: { filter: RegExp }, f: (args: { path: string }) => { path: string; external: boolean }) => void }) {
    build.onResolve({ filter: new RegExp(`(${THREADED_BUILDS.join('|')})\\.mjs$`) }, (args) => ({
      path: `./${args.path.slice(args.path.lastIndexOf('/') + 1)}`,
      external: true,
    }));
  },
};

export default defineConfig({
  entry: { index: 'src/index.ts', browser: 'src/browser.ts', cli: 'src/cli/main.ts' },
  format: ['esm'],
  splitting: true,
  dts: { entry: { index: 'src/index.ts', browser: 'src/browser.ts' } },
  clean: true,
  // The browser entry and the chunks it loads import no node: module (test/consumer.test.ts bundles it for a
  // browser); platform 'node' only keeps the Node entry's node:* imports external.
  platform: 'node',
  removeNodeProtocol: false,
  target: 'node20',
  sourcemap,
  esbuildPlugins: [threadedWasmExternal],
  onSuccess: async () => {
    for (const f of THREADED_FILES) copyFileSync(`wasm/${f}`, `dist/${f}`);
  },
});
