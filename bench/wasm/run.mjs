// Runs a TypeScript bench file under Node: bundles it with esbuild (already a dev dependency through tsup)
// into build-bench/ and imports it. Usage: node bench/wasm/run.mjs bench/wasm/node-bench.ts
import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node bench/wasm/run.mjs <bench.ts>');
  process.exit(2);
}
const outDir = resolve('build-bench');
mkdirSync(outDir, { recursive: true });
const outfile = resolve(outDir, basename(entry).replace(/\.ts$/, '.mjs'));
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile,
  // playwright-core and esbuild stay packages (they load their own files at run time)
  packages: 'external',
  logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
