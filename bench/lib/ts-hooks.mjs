// Module hooks that let Node 20 import .ts files: esbuild (already installed at the root through tsup) strips
// the types file by file. Each file keeps its real path, so import.meta.url still finds the native addon and
// the WASM module the way it does in the library. Relative specifiers resolve as TypeScript's "Bundler"
// resolution does (the library's sources import `./x.js` and `./x` meaning x.ts).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let esbuild;

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (!relative || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    const base = specifier.endsWith('.js') ? specifier.slice(0, -3) : specifier;
    for (const candidate of [`${base}.ts`, `${base}/index.ts`]) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        /* next candidate */
      }
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !(url.endsWith('.ts') || url.endsWith('.mts'))) return nextLoad(url, context);
  esbuild ??= await import('esbuild');
  const path = fileURLToPath(url);
  const { code } = await esbuild.transform(await readFile(path, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    target: 'node20',
    sourcefile: path,
    sourcemap: 'inline',
  });
  return { format: 'module', source: code, shortCircuit: true };
}
