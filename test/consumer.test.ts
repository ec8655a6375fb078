/**
 * neurite as a user gets it: the package is packed (with the prebuilt addon its prepack script builds), installed
 * from the tarball into a fresh folder, offline, with a PATH that has node and sh and nothing else (no cmake, no g++),
 * then used from an ES module, a CommonJS script, TypeScript under tsc --strict (nodenext and bundler
 * resolution) and a page bundled by esbuild and run in Chromium. Fixtures: test/fixtures/consumer/.
 *
 * It packs dist/ as `npm install` (or `npm run build`) left it, rather than letting `npm pack` rebuild it.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, launchChromium, openPage, serve } from './browser/harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(root, 'test', 'fixtures', 'consumer');
const platform = `${process.platform}-${process.arch}`;

const scratch = mkdtempSync(join(tmpdir(), 'neurite-consumer-'));
const app = join(scratch, 'app');
const bin = join(scratch, 'bin');
const installed = join(app, 'node_modules', 'neurite');

/** The npm CLI script, run with this node so that PATH needs nothing but node. */
const npmCli = realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());

/** A user's environment without build tools: PATH holds node and sh (npm runs scripts with sh) and nothing else,
 *  and none of the npm_* variables `npm test` sets is passed on. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: bin, LANG: 'C.UTF-8' };
  for (const name of ['TMPDIR', 'npm_config_cache']) if (process.env[name]) env[name] = process.env[name];
  return env;
}

function run(command: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status ?? r.error?.message}:\n${out}`);
  return String(r.stdout);
}

const npm = (args: string[], options: SpawnSyncOptions) => run(process.execPath, [npmCli, ...args], options);

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}
let packed: PackResult;
let installLog: string;
let manifest: { dependencies?: Record<string, string>; scripts: Record<string, string> };

beforeAll(() => {
  manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // The tarball as `npm pack` makes it: its prepack (scripts/prebuild.mjs) adds the prebuilt addon, postpack
  // removes it from the checkout again.
  expect(manifest.scripts.prepack).toBe('node scripts/prebuild.mjs');
  const env = { ...process.env, npm_config_loglevel: 'error' };
  try {
    npm(['run', 'prepack'], { cwd: root, env });
    packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root, env }))[0];
  } finally {
    npm(['run', 'postpack'], { cwd: root, env });
  }

  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  cpSync(fixtures, app, { recursive: true });
  installLog = npm(['install', join(scratch, packed.filename), '--offline', '--no-audit', '--no-fund', '--foreground-scripts'], {
    cwd: app,
    env: userEnv(),
  });
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the packed package', () => {
  it('carries the prebuilt addon, one copy of the code and of the WASM glue, no maps or sources', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toContain(`prebuilds/${platform}/neurite.node`);
    expect(paths.filter((p) => p.endsWith('.map') || p.startsWith('src/') || p.startsWith('wasm/'))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/browser.js', 'dist/cli.js', 'cjs/index.cjs']));
    // CommonJS is cjs/index.cjs re-exporting dist/index.js, not a second bundle
    // (the .cjs files in dist/ are the threaded WASM builds' pthread workers, which Node runs as CommonJS)
    expect(paths.filter((p) => p.startsWith('dist/') && p.endsWith('.cjs')).sort()).toEqual([
      'dist/neurite-wasm-mt-relaxed.worker.cjs',
      'dist/neurite-wasm-mt.worker.cjs',
    ]);
    // The WASM modules travel base64-encoded inside their glue; "AGFzbQ" is the magic number, "\0asm". Four: the
    // single-threaded builds (each bundled into a chunk) and the threaded ones (as built, beside their workers),
    // each with and without relaxed SIMD.
    const withWasm = paths.filter((p) => /\.(c|m)?js$/.test(p) && readFileSync(join(installed, p), 'utf8').includes('AGFzbQ'));
    expect(withWasm).toHaveLength(4);
    expect(withWasm).toEqual(expect.arrayContaining(['dist/neurite-wasm-mt.mjs', 'dist/neurite-wasm-mt-relaxed.mjs']));
    expect(paths).toEqual(
      expect.arrayContaining(['neurite-wasm-mt', 'neurite-wasm-mt-relaxed'].flatMap((n) => [`dist/${n}.worker.js`, `dist/${n}.worker.cjs`])),
    );
    // 4.9 MB before source maps, the second bundle and the extra glue copies went; ~1.45 MB with the addon, plus
    // the threaded WASM build (~0.3 MB, issue 13), plus the data sets the CLI trains on without a download (the
    // 10,000-digit MNIST sample: at most ~2 MB, issue 15). Then ~0.12 MB more when the optimizers' and
    // activations' AVX2 clones got their own loops (they had been calling the baseline SSE2 code) and every
    // activation's backward its fused bias sums: 1.92 MB. Then ~0.08 MB more when the streaming readers' per-value
    // work moved into the core (the CSV line reader, the shuffle buffer's row exchanges: their C++ sources, the
    // addon's code and bindings, and the TypeScript that drives them): 2.00 MB. Then ~0.03 MB more when softmax and
    // its cross-entropy got a vectorised f64 exp (ops/fast_math.h's exp_f64, in place of a libm call per element:
    // ~8 KB in each WASM build, ~8 KB in the addon): 2.07 MB. Then ~0.02 MB more for the runner thread the threaded
    // build runs long calls on and the job exports both builds share (native/bindings/wasm/runner.cpp: std::function,
    // a queue, a condition variable; 13 KB in the threaded module, 7 KB in the other): 2.09 MB. Then 0.64 MB more
    // for the relaxed-SIMD twins of both WASM builds (issue 13: fused multiply-adds in Chromium): 2.76 MB.
    const data = packed.files.filter((f) => f.path.startsWith('data/')).reduce((sum, f) => sum + f.size, 0);
    expect(data).toBeLessThan(2_000_000);
    expect(packed.unpackedSize - data).toBeLessThan(2_800_000);
  });

  it('has no runtime dependencies and installs offline without compiling', () => {
    expect(manifest.dependencies).toBeUndefined();
    // the install script found the prebuilt binary and built nothing
    expect(existsSync(join(installed, 'build'))).toBe(false);
    expect(installLog).not.toMatch(/cmake|fetching/i);
  });
});

describe('from Node, with no compiler on PATH', () => {
  it('an ES module gets the native engine from the prebuilt addon', () => {
    const out = JSON.parse(run(process.execPath, ['esm.mjs'], { cwd: app, env: userEnv() }));
    expect(out).toMatchObject({ backend: 'native', reloadedBackend: 'native', samePredictions: true });
    expect(out.kernel).toMatch(/\w/);
    expect(out.accuracy).toBeGreaterThan(0.9);
  }, 120_000);

  it('a CommonJS script shares tensors and backend state with import()', () => {
    const out = JSON.parse(run(process.execPath, ['cjs.cjs'], { cwd: app, env: userEnv() }));
    expect(out).toEqual({
      sameTensorClass: true,
      predictedShape: [1, 2],
      wasmBefore: false,
      wasmAfter: true,
      wasmAgrees: true,
      defaultBackend: 'native',
      wasmBuild: 'threads',
      wasmThreads: Math.min(16, availableParallelism()),
    });
  }, 120_000);
});

describe('TypeScript', () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const strict = { strict: true, noEmit: true, target: 'es2022' };

  it('tsc --strict accepts a consumer under nodenext resolution (ESM and CJS files)', () => {
    // skipLibCheck spares checking all of @types/node; neurite's own .d.ts files are checked in the next test.
    writeFileSync(join(app, 'tsconfig.nodenext.json'), JSON.stringify({
      compilerOptions: {
        ...strict,
        skipLibCheck: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
      },
      files: ['types.ts', 'types-cjs.cts'],
    }));
    run(process.execPath, [tsc, '-p', 'tsconfig.nodenext.json'], { cwd: app });
  }, 180_000);

  it('tsc --strict accepts it under bundler resolution (browser types, no Node types)', () => {
    writeFileSync(join(app, 'tsconfig.bundler.json'), JSON.stringify({
      compilerOptions: { ...strict, skipLibCheck: false, skipDefaultLibCheck: true, module: 'esnext', moduleResolution: 'bundler', lib: ['es2022', 'dom'], types: [] },
      files: ['types.ts', 'browser.ts'],
    }));
    run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], { cwd: app });
  }, 180_000);
});

describe('in a browser', () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('an esbuild bundle of the package trains with the WASM engine in Chromium', async () => {
    const { code, inputs } = await bundlePage(join(app, 'browser.ts'), app);
    expect(inputs).toContain('node_modules/neurite/dist/browser.js');
    expect(inputs.filter((f) => f.startsWith('node:') || (!f.startsWith('node_modules/neurite/dist/') && f !== 'browser.ts'))).toEqual([]);

    const served = await serve(code);
    server = served.server;
    browser = await launchChromium();
    const { page, errors } = await openPage(browser, served.url);
    const out = await page.evaluate(() => (window as unknown as { page: { run(): Promise<{ engine: string; backend: string; accuracy: number }> } }).page.run());
    expect(out.engine).toBe('wasm');
    expect(out.backend).toBe('wasm');
    expect(out.accuracy).toBeGreaterThan(0.9);
    expect(errors).toEqual([]);
  }, 180_000);
});
