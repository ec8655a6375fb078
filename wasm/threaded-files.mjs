// The files of the threaded WASM builds, named once for everything that serves or ships them (tsup.config.ts,
// web/serve.mjs, test/browser/harness.ts). Each build's pthread workers load it again by URL, from beside their
// worker file: new URL('<name>.worker.js', import.meta.url), then import('./<name>.mjs'). So these files travel
// unbundled, side by side.

/** The threaded builds: plain SIMD128, and the relaxed-SIMD one. */
export const THREADED_BUILDS = ['neurite-wasm-mt', 'neurite-wasm-mt-relaxed'];

/** What a page needs served beside its bundle: each build's module and its browser worker. */
export const THREADED_BROWSER_FILES = THREADED_BUILDS.flatMap((name) => [`${name}.mjs`, `${name}.worker.js`]);

/** What the package ships: the same plus the CommonJS copy of each worker Node runs. */
export const THREADED_FILES = [...THREADED_BROWSER_FILES, ...THREADED_BUILDS.map((name) => `${name}.worker.cjs`)];
