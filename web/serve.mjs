#!/usr/bin/env node
/**
 * Serves the playground on 127.0.0.1: the files of web/ as they are, plus /neurite.js, neurite's browser entry
 * (src/browser.ts, with the WASM engine inlined) bundled by esbuild on request, so edits to src/ show on reload.
 *
 *   node web/serve.mjs [--port N] [--isolated]     PORT=N also works; default 5173, or the next free port
 *   node web/serve.mjs --out DIR                   writes a static copy of the site (for any static host)
 *
 * --isolated sends COOP/COEP headers (cross-origin isolation): the engine then runs the threaded WASM build, one
 * thread per core. The page works without, on one thread.
 */
import { createServer } from 'node:http';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { THREADED_BROWSER_FILES } from '../wasm/threaded-files.mjs';

const WEB = fileURLToPath(new URL('.', import.meta.url));
const ENTRY = join(WEB, '..', 'src', 'browser.ts');
/**
 * Files the page uses that live outside web/: the digits sample ships in the npm package (data/), and one copy
 * in the repository is enough. Served (and copied by --out) at these paths.
 */
const SHARED = {
  '/data/mnist-sample.bin.gz': join(WEB, '..', 'data', 'mnist-sample.bin.gz'),
  // The threaded WASM builds, beside /neurite.js (wasm/threaded-files.mjs: the bundle starts their workers by
  // URL from beside itself; browsers with relaxed SIMD take the -relaxed one). Used when the page is cross-origin
  // isolated (--isolated); otherwise the single-threaded build inside the bundle runs.
  ...Object.fromEntries(THREADED_BROWSER_FILES.map((file) => [`/${file}`, join(WEB, '..', 'wasm', file)])),
};

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.bin': 'application/octet-stream',
  '.gz': 'application/gzip',
  '.wasm': 'application/wasm',
  '.md': 'text/plain; charset=utf-8',
};

const BUILD_OPTIONS = {
  entryPoints: [ENTRY],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  write: false,
  logLevel: 'silent',
  legalComments: 'none',
};

/** neurite for the browser as one ES module (the text of /neurite.js). */
export async function bundleNeurite() {
  const result = await esbuild.build(BUILD_OPTIONS);
  return result.outputFiles[0].text;
}

/**
 * Starts the server. Resolves once it listens; `port: 0` takes any free port. Without an explicit port the
 * default 5173 is tried first and, if taken, the next ones.
 */
export async function startServer({ port, isolated = false, host = '127.0.0.1' } = {}) {
  const context = await esbuild.context(BUILD_OPTIONS);
  let bundle = (await context.rebuild()).outputFiles[0].text;

  const server = createServer(async (req, res) => {
    const headers = isolated
      ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }
      : {};
    const send = (status, type, body) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-cache', ...headers });
      res.end(body);
    };
    try {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed');
      if (path === '/neurite.js') {
        // incremental: a rebuild after no change costs a few milliseconds
        bundle = (await context.rebuild()).outputFiles[0].text;
        return send(200, MIME['.js'], bundle);
      }
      if (Object.hasOwn(SHARED, path)) return send(200, MIME[extname(path)], await readFile(SHARED[path]));
      const file = normalize(join(WEB, path === '/' ? 'index.html' : path));
      if (!file.startsWith(WEB)) return send(403, 'text/plain', 'forbidden');
      const type = MIME[extname(file)];
      if (!type || /\.(mjs|mts|ts)$/.test(file)) return send(404, 'text/plain', 'not found');
      send(200, type, await readFile(file));
    } catch (e) {
      if (e.code === 'ENOENT' || e.code === 'EISDIR') return send(404, 'text/plain', 'not found');
      if (e instanceof URIError) return send(400, 'text/plain', 'bad request');
      send(500, 'text/plain', String(e.message ?? e));
      if (!e.errors) console.error(e);
    }
  });

  const tryListen = (p) =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  if (port !== undefined) {
    await tryListen(port);
  } else {
    for (let p = 5173; ; p++) {
      try {
        await tryListen(p);
        break;
      } catch (e) {
        if (e.code !== 'EADDRINUSE' || p > 5173 + 50) throw e;
      }
    }
  }
  const address = server.address();
  return {
    url: `http://${host}:${address.port}/`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await context.dispose();
    },
  };
}

/** A static copy of the site in `dir`: web/ without the server and with neurite.js bundled. */
export async function writeStaticSite(dir) {
  mkdirSync(dir, { recursive: true });
  cpSync(WEB, dir, { recursive: true, filter: (src) => !/\.(mjs|mts|ts)$/.test(src) });
  for (const [path, source] of Object.entries(SHARED)) cpSync(source, join(dir, path));
  writeFileSync(join(dir, 'neurite.js'), await bundleNeurite());
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--isolated') options.isolated = true;
    else if (a === '--port') options.port = Number(argv[++i]);
    else if (a === '--out') options.out = argv[++i];
    else if (a === '--help' || a === '-h') options.help = true;
    else throw new Error(`unknown argument ${a} (expected --port N, --isolated, --out DIR)`);
  }
  if (options.port === undefined && process.env.PORT) options.port = Number(process.env.PORT);
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 0 && options.port < 65536)) {
    throw new Error(`port: expected an integer in [0, 65535], got ${options.port}`);
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log('usage: node web/serve.mjs [--port N] [--isolated] | --out DIR');
    return;
  }
  if (options.out) {
    await writeStaticSite(options.out);
    console.log(`wrote the playground to ${options.out}`);
    return;
  }
  const { url } = await startServer(options);
  console.log(`neurite playground: ${url}${options.isolated ? ' (cross-origin isolated)' : ''}`);
  console.log('Ctrl-C stops the server.');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
